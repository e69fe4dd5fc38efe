package fidelity

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
)

// linearLoss is L = Σ c·logits / N: linear in the logits, so that a
// network whose last layer is binary has a loss linear in its signs.
type linearLoss struct {
	c  []float32
	dx nn.Tensor
	n  int
}

func (l *linearLoss) Forward(z *nn.Tensor, labels []int) float64 {
	var s float64
	for i, v := range z.Data {
		s += float64(l.c[i]) * float64(v)
	}
	l.n = z.N
	l.dx = nn.Tensor{N: z.N, C: z.C, H: z.H, W: z.W, Data: make([]float32, len(z.Data))}
	return s / float64(z.N)
}

func (l *linearLoss) Backward() *nn.Tensor {
	for i, c := range l.c {
		l.dx.Data[i] = c / float32(l.n)
	}
	return &l.dx
}

func randTensor(seed uint64, n, c, h, w int) *nn.Tensor {
	r := nn.Stream(seed, "fidelity.test")
	t := nn.NewTensor(n, c, h, w)
	for i := range t.Data {
		t.Data[i] = float32(r.NormFloat64())
	}
	return t
}

func binaryLinear(t *testing.T, in, out int, spec string, init *nn.Init) *nn.BinaryLinear {
	t.Helper()
	l, err := nn.NewBinaryLinear(in, out, nn.Binary{Estimator: estimators.MustParse(spec)}, init)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// linearNet returns the network, batch and loss of the tests whose loss
// is linear in the last layer's signs: a float Linear(6 → 12), then a
// BinaryLinear(12 → 5) with the estimator spec (bl), a batch of 8 random
// inputs and a linearLoss with random coefficients.
func linearNet(t *testing.T, spec string) (net nn.Sequential, bl *nn.BinaryLinear, b Batch, loss *linearLoss) {
	t.Helper()
	const n, in, out = 8, 12, 5
	bl = binaryLinear(t, in, out, spec, nn.NewInit(2))
	net = nn.Sequential{nn.NewLinear(6, in, true, nn.NewInit(1)), bl}
	b = Batch{X: randTensor(3, n, 6, 1, 1), Labels: make([]int, n)}
	loss = &linearLoss{c: randTensor(4, n, out, 1, 1).Data}
	return net, bl, b, loss
}

// TestLinearInLastLayerIsExact: with a loss linear in the logits and a
// binary linear layer last, the loss is linear in that layer's signs (its
// scales held fixed), so the predicted change of every flip is the true
// change to float precision and the correlation is 1, whatever the
// estimator. A wrong sign of b, a missing scale or a flip that moved the
// scale would break it.
func TestLinearInLastLayerIsExact(t *testing.T) {
	for _, spec := range []string{"ste", "fda", "approxsign"} {
		t.Run(spec, func(t *testing.T) {
			net, bl, b, loss := linearNet(t, spec)
			nw := len(bl.Weight.Data) // every binary weight, 12·5
			sites := Sample(net, nw, 5)
			if len(sites) != nw+max(1, nw/10) {
				t.Fatalf("Sample gave %d sites, want %d", len(sites), nw+nw/10)
			}
			_, dl := TrueChanges(net, loss, b, sites, nil)
			pred := Predicted(net, loss, b, sites)
			var scale float64
			for _, d := range dl {
				scale = max(scale, math.Abs(d))
			}
			if scale == 0 {
				t.Fatal("every flip left the loss unchanged")
			}
			for k, s := range sites {
				if math.Abs(pred[k]-dl[k]) > 1e-5*scale {
					t.Errorf("site %+v: δ = %g, ΔL = %g", s, pred[k], dl[k])
				}
			}
			sc := Score(pred, dl, 1e-6*scale)
			if sc.Pearson < 1-1e-9 || sc.Sign != 1 || sc.TopK != 1 {
				t.Errorf("Score = %+v, want Pearson 1, Sign 1, TopK 1", sc)
			}
		})
	}
}

// TestTwoLayersAgainstEnumeration builds two binary linear layers (3→2→2,
// ten binary weights), computes the true loss of every one of the 2^10
// sign patterns by an independent float64 forward pass, and checks the
// true loss and every single-flip change against that table.
func TestTwoLayersAgainstEnumeration(t *testing.T) {
	const n = 5
	init := nn.NewInit(7)
	l1, l2 := binaryLinear(t, 3, 2, "ste", init), binaryLinear(t, 2, 2, "ste", init)
	net := nn.Sequential{l1, l2}
	x := randTensor(8, n, 3, 1, 1)
	labels := []int{0, 1, 1, 0, 1}
	b := Batch{X: x, Labels: labels}
	sgn := func(v float64) float64 {
		if v < 0 {
			return -1
		}
		return 1
	}
	meanAbs := func(w []float32) float64 {
		var s float64
		for _, v := range w {
			s += math.Abs(float64(v))
		}
		return s / float64(len(w))
	}
	s1 := []float64{meanAbs(l1.Weight.Data[:3]), meanAbs(l1.Weight.Data[3:])}
	s2 := []float64{meanAbs(l2.Weight.Data[:2]), meanAbs(l2.Weight.Data[2:])}
	// bit k of a pattern is weight k of l1 (k < 6) or k−6 of l2; set = −1.
	lossOf := func(p int) float64 {
		bit := func(k int) float64 {
			if p>>k&1 == 1 {
				return -1
			}
			return 1
		}
		var total float64
		for i := range n {
			var h [2]float64
			for o := range 2 {
				for j := range 3 {
					h[o] += sgn(float64(x.Data[i*3+j])) * s1[o] * bit(o*3+j)
				}
			}
			var z [2]float64
			for k := range 2 {
				for o := range 2 {
					z[k] += sgn(h[o]) * s2[k] * bit(6+k*2+o)
				}
			}
			m := max(z[0], z[1])
			lse := m + math.Log(math.Exp(z[0]-m)+math.Exp(z[1]-m))
			total += lse - z[labels[i]]
		}
		return total / n
	}
	table := make([]float64, 1<<10)
	for p := range table {
		table[p] = lossOf(p)
	}
	p0 := 0
	for k, w := range slices.Concat(l1.Weight.Data, l2.Weight.Data) {
		if w < 0 {
			p0 |= 1 << k
		}
	}
	sites := Sample(net, 6, 1)
	var ce nn.SoftmaxCrossEntropy
	base, dl := TrueChanges(net, &ce, b, sites, nil)
	if math.Abs(base-table[p0]) > 1e-5 {
		t.Errorf("true loss = %g, enumeration gives %g", base, table[p0])
	}
	if got := TrueLoss(net, &ce, b); got != base {
		t.Errorf("TrueLoss = %g, TrueChanges' base = %g", got, base)
	}
	seen := map[int]bool{}
	changed := 0
	for k, s := range sites {
		bit := s.Index + 6*s.Layer
		seen[bit] = true
		want := table[p0^1<<bit] - table[p0]
		if math.Abs(dl[k]-want) > 1e-5 {
			t.Errorf("flip of weight %d of layer %d: ΔL = %g, enumeration gives %g", s.Index, s.Layer, dl[k], want)
		}
		if want != 0 {
			changed++
		}
	}
	if len(seen) != 10 || changed == 0 {
		t.Errorf("the sample covers %d of the 10 weights, %d flips change the loss; want all 10 and some", len(seen), changed)
	}
}

// TestLeavesStateUnchanged: measurements restore the latent weights, the
// BatchNorm running statistics and the noise-adaptation α.
func TestLeavesStateUnchanged(t *testing.T) {
	net := convNet(t, "fda+na", 1)
	nn.SetProgress(net, nn.Progress{Epoch: 0, Epochs: 4})
	before := digest(net, nil)
	b := convBatch()
	var ce nn.SoftmaxCrossEntropy
	sites := Sample(net, 4, 1)
	TrueChanges(net, &ce, b, sites, nil)
	Predicted(net, &ce, b, sites)
	if after := digest(net, nil); after != before {
		t.Errorf("state digest %s after the measurements, %s before", after, before)
	}
	for _, l := range binaryLayers(net) {
		for _, m := range l.nas {
			if m.Alpha == 0 {
				t.Errorf("layer %s: noise adaptation α left at 0", l.path)
			}
		}
	}
}

func convNet(t testing.TB, spec string, seed uint64) nn.Layer {
	init := nn.NewInit(seed)
	unit := func() nn.Layer {
		c, err := nn.NewBinaryConv2d(nn.Conv{In: 4, Out: 4, Kernel: 3, Pad: 1},
			nn.Binary{Estimator: estimators.MustParse(spec)}, init)
		if err != nil {
			t.Fatal(err)
		}
		return nn.Sequential{&nn.Residual{Body: nn.Sequential{c, nn.NewBatchNorm2d(4)}}, nn.NewPReLU(4)}
	}
	return nn.Sequential{
		nn.NewConv2d(nn.Conv{In: 1, Out: 4, Kernel: 3, Pad: 1, SkipInputGrad: true}, init),
		nn.NewBatchNorm2d(4),
		unit(), unit(),
		nn.NewGlobalAvgPool(),
		nn.NewLinear(4, 3, true, init),
	}
}

func convBatch() Batch {
	x := randTensor(11, 16, 1, 6, 6)
	labels := make([]int, 16)
	for i := range labels {
		labels[i] = i % 3
	}
	return Batch{X: x, Labels: labels}
}

// digest hashes the network's parameters and buffers and the floats fs.
func digest(net nn.Layer, fs []float64) string {
	h := sha256.New()
	var b [8]byte
	var ps []*nn.Param
	var bufs []*nn.Buffer
	if net != nil {
		ps, bufs = nn.Params(net), nn.Buffers(net)
	}
	for _, p := range ps {
		for _, v := range p.Data {
			binary.LittleEndian.PutUint32(b[:4], math.Float32bits(v))
			h.Write(b[:4])
		}
	}
	for _, buf := range bufs {
		for _, v := range buf.Data {
			binary.LittleEndian.PutUint32(b[:4], math.Float32bits(v))
			h.Write(b[:4])
		}
	}
	for _, v := range fs {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:8])
}

// measureAll runs every measurement on the conv network and returns their
// numbers.
func measureAll(t testing.TB) []float64 {
	var out []float64
	b := convBatch()
	var ce nn.SoftmaxCrossEntropy
	ref := convNet(t, "ste", 1)
	sites := Sample(ref, 8, 1)
	// One worker network per core, as gradbench fidelity runs them.
	ws := []Worker{{ref, &ce}}
	for range parallel.Workers() - 1 {
		ws = append(ws, Worker{convNet(t, "ste", 1), new(nn.SoftmaxCrossEntropy)})
	}
	before := digest(ref, nil)
	var calls atomic.Int64
	base, dl, err := TrueChangesEach(context.Background(), ws, b, sites, func(int) { calls.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	if int(calls.Load()) != len(sites) {
		t.Fatalf("progress called %d times for %d sites", calls.Load(), len(sites))
	}
	out = append(append(out, base), dl...)
	var dirs [][][]float32
	var etas [][]float64
	for _, spec := range []string{"ste", "fda+na"} {
		net := convNet(t, spec, 1)
		nn.SetProgress(net, nn.Progress{Epoch: 0, Epochs: 4})
		pred := Predicted(net, &ce, b, sites)
		iv := Bootstrap(pred, dl, 1e-7, 50, 1)
		out = append(append(out, pred...), iv.Lo.Pearson, iv.Hi.Pearson, iv.Lo.Spearman, iv.Hi.TopK)
		p2, gs := PredictedGrads(net, &ce, b, sites)
		if !slices.Equal(p2, pred) {
			t.Errorf("%s: PredictedGrads and Predicted differ", spec)
		}
		for _, g := range gs {
			for _, v := range g {
				out = append(out, float64(v))
			}
		}
		dirs, etas = append(dirs, gs, RandomLike(gs, 2)), append(etas, []float64{0.1, 1}, []float64{0.5})
		var per []Scores
		for k := range 3 {
			per = append(per, Score(pred[k:], dl[k:], 1e-7))
		}
		m, iv2 := OverBatches(per, 50, 1)
		out = append(out, m.Pearson, iv2.Lo.Pearson, iv2.Hi.Pearson, iv2.Lo.Sign)
	}
	for _, steps := range DescentOn(ws, b, dirs, etas) {
		for _, s := range steps {
			out = append(out, s.DL, float64(s.Flips))
		}
	}
	for i, w := range ws {
		if digest(w.Net, nil) != before {
			t.Errorf("worker %d's network state changed by the measurements", i)
		}
	}
	return out
}

// TestDeterministicAcrossCores runs the measurements in child processes
// with 1 and 2 cores (the worker pool's size is fixed at start) and asks
// for bit-identical numbers.
func TestDeterministicAcrossCores(t *testing.T) {
	if os.Getenv("FIDELITY_DETERMINISM_CHILD") == "1" {
		fmt.Printf("digest %s\n", digest(nil, measureAll(t)))
		return
	}
	got := map[string]string{}
	for _, p := range []string{"1", "2", "4"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDeterministicAcrossCores$")
		cmd.Env = append(os.Environ(), "FIDELITY_DETERMINISM_CHILD=1", "GOMAXPROCS="+p)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child with GOMAXPROCS=%s: %v\n%s", p, err, out)
		}
		_, d, ok := strings.Cut(string(out), "digest ")
		if !ok {
			t.Fatalf("child with GOMAXPROCS=%s printed no digest:\n%s", p, out)
		}
		got[p], _, _ = strings.Cut(d, "\n")
	}
	if got["1"] != got["2"] || got["1"] != got["4"] {
		t.Errorf("measurements differ with the core count: 1 core %s, 2 cores %s, 4 cores %s", got["1"], got["2"], got["4"])
	}
}

// TestTrueLossIgnoresEstimator: the true loss is the sign network's,
// without noise adaptation, so networks with the same weights built with
// different estimators (fda+na with its α set) give the same true loss and
// the same flip changes, bit for bit.
func TestTrueLossIgnoresEstimator(t *testing.T) {
	b := convBatch()
	var ce nn.SoftmaxCrossEntropy
	ref := convNet(t, "ste", 1)
	sites := Sample(ref, 4, 1)
	base, dl := TrueChanges(ref, &ce, b, sites, nil)
	for _, spec := range []string{"fda+na", "dsq+na:eta=x"} {
		net := convNet(t, spec, 1)
		nn.SetProgress(net, nn.Progress{Epoch: 0, Epochs: 4})
		got, gdl := TrueChanges(net, &ce, b, sites, nil)
		if got != base || !slices.Equal(gdl, dl) {
			t.Errorf("%s: true loss %g, ΔL[0] %g; ste gives %g, %g", spec, got, gdl[0], base, dl[0])
		}
	}
}

func TestScore(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name     string
		pred, dl []float64
		want     Scores
	}{
		{"perfect", []float64{-3, -1, 2, 4}, []float64{-6, -2, 4, 8},
			Scores{N: 4, Pearson: 1, Spearman: 1, Sign: 1, SignN: 4, TopK: 1, K: 1, BaseRate: 0.5}},
		{"reversed", []float64{-3, -1, 2, 4}, []float64{8, 4, -2, -6},
			Scores{N: 4, Pearson: -1, Spearman: -1, Sign: 0, SignN: 4, TopK: 0, K: 1, BaseRate: 0.5}},
		// By hand: r = 6.25/√(4.75·12.75); ranks (2.5,2.5,4,1) and (2,3.5,3.5,1) give 3.75/4.5.
		{"ties and noise", []float64{1, 1, 2, -1}, []float64{1e-9, 3, 3, -1},
			Scores{N: 4, Pearson: 0.8031, Spearman: 0.8333, Sign: 1, SignN: 3, TopK: 1, K: 1, BaseRate: 0.25}},
		{"one site", []float64{1}, []float64{1},
			Scores{N: 1, Pearson: nan, Spearman: nan, Sign: 1, SignN: 1, TopK: 0, K: 1, BaseRate: 0}},
		// δ = 0 has no sign: it agrees with neither a rise nor a fall. By
		// hand: r = 2/√(2·8/3) = √3/2, and the ranks (2, 3, 1) and
		// (1.5, 3, 1.5) give the same.
		{"a zero prediction", []float64{0, 1, -1}, []float64{-1, 1, -1},
			Scores{N: 3, Pearson: 0.8660, Spearman: 0.8660, Sign: 0.6667, SignN: 3, TopK: 1, K: 1, BaseRate: 0.6667}},
		// Eleven sites: K = ⌈11/10⌉ = 2, the two most negative δ, of which
		// the first lowers the loss and the second raises it. δ increasing
		// makes its ranks δ itself: r = Spearman = 0.63509.
		{"eleven sites", []float64{-11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1}, []float64{-1, 1, -1, -1, -1, -1, 1, 1, 1, 1, 1},
			Scores{N: 11, Pearson: 0.6351, Spearman: 0.6351, Sign: 0.4545, SignN: 11, TopK: 0.5, K: 2, BaseRate: 0.4545}},
		// Changes of exactly ±noise are noise: out of the sign agreement
		// (|ΔL| > noise), the base rate and the top k (ΔL < −noise). The
		// top site (δ = −2) lowers the loss by the noise only: no hit.
		{"at the noise threshold", []float64{1, 1, -1, -2}, []float64{1e-6, 2, -3, -1e-6},
			Scores{N: 4, Pearson: 0.5120, Spearman: 0.7379, Sign: 1, SignN: 2, TopK: 0, K: 1, BaseRate: 0.25}},
		// Tied δ at the top: the earlier site comes first (a stable
		// order), so the top 1 is site 0, which lowers the loss.
		{"ties at the top", []float64{-1, -1, 0, 1}, []float64{-2, 3, 1, 1},
			Scores{N: 4, Pearson: 0.1267, Spearman: 0, Sign: 0.5, SignN: 4, TopK: 1, K: 1, BaseRate: 0.25}},
		// Two sites have a correlation (±1).
		{"two sites", []float64{1, 2}, []float64{3, 5},
			Scores{N: 2, Pearson: 1, Spearman: 1, Sign: 1, SignN: 2, TopK: 0, K: 1, BaseRate: 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Score(c.pred, c.dl, 1e-6)
			near := func(a, b float64) bool { return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-4 }
			if got.N != c.want.N || got.SignN != c.want.SignN || got.K != c.want.K ||
				!near(got.Pearson, c.want.Pearson) || !near(got.Spearman, c.want.Spearman) ||
				!near(got.Sign, c.want.Sign) || !near(got.TopK, c.want.TopK) || !near(got.BaseRate, c.want.BaseRate) {
				t.Errorf("Score(%v, %v) = %+v, want %+v", c.pred, c.dl, got, c.want)
			}
		})
	}
}

// whole wraps a network as the only child of a parent, so that
// TrueChanges runs it whole for every flip.
type whole struct{ nn.Layer }

func (w whole) Children() []nn.Layer { return []nn.Layer{w.Layer} }

// TestPartialForwardIsExact: on ResNet-20 (reduced), flips computed by
// running the network from the flipped layer's block on are bit for bit
// those of running it whole.
func TestPartialForwardIsExact(t *testing.T) {
	m, err := models.Build("resnet20", models.Config{C: 1, H: 8, W: 8, Classes: 3, Width: 0.125,
		Binary: nn.Binary{Estimator: estimators.MustParse("ste")}}, nn.NewInit(1))
	if err != nil {
		t.Fatal(err)
	}
	x := randTensor(12, 8, 1, 8, 8)
	b := Batch{X: x, Labels: []int{0, 1, 2, 0, 1, 2, 0, 1}}
	var ce nn.SoftmaxCrossEntropy
	sites := Sample(&m.Net, 2, 1)
	base, dl := TrueChanges(&m.Net, &ce, b, sites, nil)
	wbase, want := TrueChanges(whole{&m.Net}, &ce, b, sites, nil)
	if base != wbase || !slices.Equal(dl, want) {
		t.Errorf("partial runs: L %g, ΔL %v\nwhole runs:   L %g, ΔL %v", base, dl, wbase, want)
	}
	// Timed, the flips' work is a partial pass per site too (a whole one
	// each when the network runs whole), and the network's state is what
	// it was: the flips give the same changes after.
	flipWork := func(net nn.Layer) float64 {
		lw, w := LayerWork(net, b), 1.0
		for _, s := range sites {
			w += lw[s.Layer]
		}
		return w
	}
	if w, ww := flipWork(&m.Net), flipWork(whole{&m.Net}); ww != float64(1+len(sites)) || w >= ww || w <= 1 {
		t.Errorf("flips' work from LayerWork = %g partial, %g whole, want %d whole and between", w, ww, 1+len(sites))
	}
	if base2, dl2 := TrueChanges(&m.Net, &ce, b, sites, nil); base2 != base || !slices.Equal(dl2, dl) {
		t.Errorf("after LayerWork: L %g, ΔL %v, want %g, %v", base2, dl2, base, dl)
	}
	if len(Layers(&m.Net)) < 10 || slices.Max(dl) == 0 {
		t.Errorf("%d binary layers, max ΔL %g: not the network meant", len(Layers(&m.Net)), slices.Max(dl))
	}
}

// TestDescent: a tiny step changes nothing; a large step along −g flips
// exactly the signs it should and lowers the loss (linear in the last
// layer's signs), and leaves the state unchanged; a random direction keeps
// each layer's norm.
func TestDescent(t *testing.T) {
	net, bl, b, loss := linearNet(t, "ste")
	g := LatentGrads(net, loss, b)
	before := digest(net, nil)
	steps := Descent(net, loss, b, g, []float64{0, 1e-9, 1e3})
	if digest(net, nil) != before {
		t.Error("Descent changed the network")
	}
	if steps[0].DL != 0 || steps[0].Flips != 0 || steps[1].Flips != 0 {
		t.Errorf("steps of η = 0 and 1e-9: %+v %+v, want no change", steps[0], steps[1])
	}
	w := bl.Weight.Data
	flips := 0
	for j, v := range w {
		if (v-1e3*g[0][j] < 0) != (v < 0) {
			flips++
		}
	}
	if steps[2].Flips != flips || flips == 0 || steps[2].DL >= 0 {
		t.Errorf("step of η = 1e3: %+v, want %d flips and a lower loss", steps[2], flips)
	}
	r := RandomLike(g, 1)
	if math.Abs(Norm(r)-Norm(g)) > 1e-5*Norm(g) || Cosine(r[0], g[0]) > 0.9 {
		t.Errorf("RandomLike: norm %g, want %g; cosine with g %g", Norm(r), Norm(g), Cosine(r[0], g[0]))
	}
	// Each layer's norm, summed here, on layers of different norms (the
	// network above has one binary layer, and the check above compares two
	// results of Norm, which would agree if both were wrong alike).
	l2 := func(v []float32) float64 {
		var s float64
		for _, x := range v {
			s += float64(x) * float64(x)
		}
		return math.Sqrt(s)
	}
	layers := [][]float32{{3, 4}, {0.1, -0.2, 0.3, 0.05, 0, 1e-3}, {10}}
	r = RandomLike(layers, 2)
	for i := range layers {
		if got, want := l2(r[i]), l2(layers[i]); math.Abs(got-want) > 1e-5*want {
			t.Errorf("RandomLike: layer %d norm %g, want %g", i, got, want)
		}
	}
}

// TestCosineAndNorm checks Cosine and Norm on values computed by hand,
// vectors of unequal lengths included (a formula right only for equal
// norms, such as 2ab/(|a|²+|b|²), fails there).
func TestCosineAndNorm(t *testing.T) {
	for _, tc := range []struct {
		a, b []float32
		want float64
	}{
		{[]float32{3, 4}, []float32{4, 3}, 24.0 / 25},
		{[]float32{1, 0}, []float32{2, 2}, 1 / math.Sqrt2},
		{[]float32{1, 2, 2}, []float32{-2, -4, -4}, -1},
		{[]float32{0, 0}, []float32{1, 2}, 0},
	} {
		if got := Cosine(tc.a, tc.b); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Cosine(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	if got := Norm([][]float32{{3}, {4, 12}, nil}); got != 13 {
		t.Errorf("Norm({3}, {4, 12}, {}) = %v, want 13", got)
	}
}
