package suite

import (
	"bytes"
	"context"
	"html"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/texttest"
	"github.com/gradbench/gradbench/nn"
)

// TestDiagnosticsChangeNothing: the same runs with and without the
// training diagnostics end with bit-identical weights and the same losses
// and accuracies in every epoch; only the records with them carry them.
// The estimators include a learnable one (DSQ's α, whose gradient the
// saturation measurement must leave alone), noise adaptation and BiPer's
// periodic code.
func TestDiagnosticsChangeNothing(t *testing.T) {
	s := tinySweep(t, "ste,dsq:learn=true,fda+na,w=biper/a=ste", 1)
	on, off := t.TempDir(), t.TempDir()
	with, err := (&Runner{Dir: on}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	without, err := (&Runner{Dir: off, NoDiagnostics: true}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range with {
		b := without[i]
		if a.Status != StatusOK || b.Status != StatusOK {
			t.Fatalf("%s: status %s and %s", a.Config.Estimator, a.Status, b.Status)
		}
		wa, err := os.ReadFile(WeightsPath(on, a.Key))
		if err != nil {
			t.Fatal(err)
		}
		wb, err := os.ReadFile(WeightsPath(off, b.Key))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(wa, wb) {
			t.Errorf("%s: final weights differ with and without diagnostics", a.Config.Estimator)
		}
		for e := range a.Epochs {
			if a.Epochs[e].Diagnostics == nil {
				t.Errorf("%s epoch %d: no diagnostics", a.Config.Estimator, e+1)
			}
			if b.Epochs[e].Diagnostics != nil {
				t.Errorf("%s epoch %d: diagnostics with NoDiagnostics", b.Config.Estimator, e+1)
			}
		}
		stripped := *a
		stripped.Epochs = append([]Epoch(nil), a.Epochs...)
		for e := range stripped.Epochs {
			stripped.Epochs[e].Diagnostics = nil
		}
		if d := sameNumbers(&stripped, b); d != "" {
			t.Errorf("%s: the run with diagnostics differs in %s:\n%+v\n%+v", a.Config.Estimator, d, stripped.Epochs, b.Epochs)
		}
	}
}

// TestDiagnosticsResume: a run interrupted after its first epoch and
// resumed records the same diagnostics as an uninterrupted run, so the
// per-weight state (flip directions, oscillation frequencies) survives the
// checkpoint; the numbers are plausible.
func TestDiagnosticsResume(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	// A large learning rate on more batches, so that weights flip and
	// flip back within the run.
	s.Workload.Recipe.Epochs = 3
	s.Workload.Recipe.TrainSubset = 128
	s.Workload.Recipe.LR = 0.5
	whole, resumed := wholeAndResumed(t, s)
	if d := sameNumbers(whole, resumed); d != "" {
		for e := range whole.Epochs {
			t.Logf("epoch %d: whole %+v\nresumed %+v", e+1, whole.Epochs[e].Diagnostics, resumed.Epochs[e].Diagnostics)
		}
		t.Fatalf("resumed run differs from an uninterrupted one in %s", d)
	}
	prev := 1.0
	for _, ep := range whole.Epochs {
		d := ep.Diagnostics
		if d == nil {
			t.Fatalf("epoch %d: no diagnostics", ep.Epoch)
		}
		// A weight once flipped stays non-silent; every flip of an epoch
		// is of a weight that is not silent.
		if d.Silent > prev || d.Silent > 1-ep.FlipRatio {
			t.Errorf("epoch %d: silent %v after %v, flip ratio %v", ep.Epoch, d.Silent, prev, ep.FlipRatio)
		}
		prev = d.Silent
		if !(d.Entropy > 0) || !(d.GradStability > 0) || len(d.Layers) != 18 {
			t.Errorf("epoch %d: entropy %v, stability %v, %d layers (want > 0, > 0, 18)", ep.Epoch, d.Entropy, d.GradStability, len(d.Layers))
		}
		for _, l := range d.Layers {
			if !(l.GradNorm > 0) {
				t.Errorf("epoch %d: layer %s: gradient norm %v", ep.Epoch, l.Name, l.GradNorm)
			}
		}
	}
	if last := whole.Epochs[2].Diagnostics; !(last.Silent < 1) || !(last.Oscillation > 0) {
		t.Errorf("after 3 epochs: silent %v, oscillation %v: want some weights flipped and some flipped back", last.Silent, last.Oscillation)
	}
}

// TestFlipsAndOscillation follows two weights through hand-made steps:
// the first flips +→−→+ (the second flip is an oscillation), the second
// never flips.
func TestFlipsAndOscillation(t *testing.T) {
	sign, err := estimators.New("ste")
	if err != nil {
		t.Fatal(err)
	}
	w := &nn.Param{Data: []float32{0.5, 0.5}, Grad: make([]float32, 2)}
	ru := &run{binW: []*nn.Param{w}, binQ: []estimators.Estimator{sign}}
	d := &diagnostics{lastDir: make([]int8, 2), freq: make([]float32, 2), code: make([]bool, 2)}
	d.startEpoch([]bool{true, true})
	const m = OscillationMomentum
	var want float32
	for step, v := range []float32{0.4, -0.1, -0.2, 0.3, 0.3} {
		w.Data[0] = v
		d.flips(ru)
		var o float32
		if step == 3 { // −→+ reverses the +→− of step 1
			o = 1
		}
		want = m*o + (1-m)*want
		if d.freq[0] != want || d.freq[1] != 0 {
			t.Fatalf("step %d: frequencies %v, want [%v 0]", step, d.freq, want)
		}
	}
	if d.lastDir[0] != 1 || d.lastDir[1] != 0 {
		t.Errorf("last flip directions %v, want [1 0]", d.lastDir)
	}
	got := d.epoch()
	if got.Silent != 0.5 || got.Oscillation != float64(want)/2 || got.Oscillating != 0 {
		t.Errorf("silent %v, oscillation %v, oscillating %v; want 0.5, %v, 0", got.Silent, got.Oscillation, got.Oscillating, float64(want)/2)
	}
	// The state survives a checkpoint's encoding.
	e := &diagnostics{lastDir: make([]int8, 2), freq: make([]float32, 2)}
	if err := e.unmarshal(d.marshal()); err != nil {
		t.Fatal(err)
	}
	if e.lastDir[0] != 1 || e.freq[0] != d.freq[0] {
		t.Errorf("decoded state %v %v, want %v %v", e.lastDir, e.freq, d.lastDir, d.freq)
	}
	if err := e.unmarshal(d.marshal()[:9]); err == nil {
		t.Error("a truncated state decoded")
	}
}

// fakeLayer is a binary layer with a fixed input.
type fakeLayer struct {
	x   *nn.Tensor
	est estimators.Estimator
}

func (f fakeLayer) LastInput() *nn.Tensor                     { return f.x }
func (f fakeLayer) ActivationEstimator() estimators.Estimator { return f.est }

// TestActivationsAndGradients checks saturation and entropy against a
// count by hand (the clipped STE passes no gradient where |x| > 1), that
// DSQ's learnable α keeps its gradient, and the gradient norm and ReSTE's
// stability against their definitions.
func TestActivationsAndGradients(t *testing.T) {
	ste, err := estimators.New("ste")
	if err != nil {
		t.Fatal(err)
	}
	dq, err := estimators.MustParse("dsq:learn=true").New()
	if err != nil {
		t.Fatal(err)
	}
	alpha := dq.(estimators.Learner).Scalars()[0]
	alpha.Grad = 0.25
	x1 := &nn.Tensor{N: 1, C: 1, H: 2, W: 3, Data: []float32{-2, -0.5, 0, 0.5, 1.5, 3}}
	x2 := &nn.Tensor{N: 1, C: 4, H: 1, W: 1, Data: []float32{0.1, 0.2, 0.3, -0.4}}
	d := &diagnostics{
		names:   []string{"a", "b"},
		layers:  []binaryLayer{fakeLayer{x1, ste}, fakeLayer{x2, dq}},
		learned: [][]*estimators.Scalar{nil, {alpha}},
		scalars: make([]float32, 1),
		zero:    make([]int64, 2), pos: make([]int64, 2), inputs: make([]int64, 2), gradNorm: make([]float64, 2),
	}
	d.startEpoch(nil)
	d.activations()
	d.activations()
	if alpha.Grad != 0.25 {
		t.Errorf("DSQ's α gradient %v after the diagnostics, want 0.25 unchanged", alpha.Grad)
	}
	g1 := &nn.Param{Data: make([]float32, 4), Grad: []float32{3, -4, 0, 0}}
	g2 := &nn.Param{Data: make([]float32, 2), Grad: []float32{1, -1}}
	d.gradients([]*nn.Param{g1, g2})
	g1.Grad = []float32{0, 0, 0, 0}
	d.gradients([]*nn.Param{g1, g2})
	// Step 2 is not a multiple of ActivationStride: its activations are
	// not counted.
	d.activations()
	if d.inputs[0] != 12 || d.inputs[1] != 8 {
		t.Errorf("%v inputs counted, want [12 8]: the first step's twice, none of the third", d.inputs)
	}
	got := d.epoch()
	// Layer a: 3 of 6 inputs have |x| > 1; 4 are ≥ 0. Layer b: DSQ's g is
	// 0 outside [−1, 1] only; 3 of 4 are ≥ 0.
	ha, hb := binaryEntropy(4.0/6), binaryEntropy(3.0/4)
	if l := got.Layers[0]; l.Saturation != 0.5 || math.Abs(l.Entropy-ha) > 1e-15 {
		t.Errorf("layer a: saturation %v, entropy %v; want 0.5, %v", l.Saturation, l.Entropy, ha)
	}
	if l := got.Layers[1]; l.Saturation != 0 || math.Abs(l.Entropy-hb) > 1e-15 {
		t.Errorf("layer b: saturation %v, entropy %v; want 0, %v", l.Saturation, l.Entropy, hb)
	}
	if got.Saturation != 6.0/20 || math.Abs(got.Entropy-(ha+hb)/2) > 1e-15 {
		t.Errorf("saturation %v, entropy %v; want %v, %v", got.Saturation, got.Entropy, 6.0/20, (ha+hb)/2)
	}
	// Norms: (5 + 0)/2 and (√2 + √2)/2. Variance of |g|: layer a's
	// {3,4,0,0} has mean 7/4 and variance 25/4 − 49/16 = 51/16, then 0;
	// layer b's {1,1} has 0.
	if got.Layers[0].GradNorm != 2.5 || math.Abs(got.Layers[1].GradNorm-math.Sqrt2) > 1e-15 {
		t.Errorf("gradient norms %v, %v; want 2.5, √2", got.Layers[0].GradNorm, got.Layers[1].GradNorm)
	}
	if math.Abs(got.GradStability-51.0/32) > 1e-15 {
		t.Errorf("gradient stability %v, want 51/32", got.GradStability)
	}
	if h := binaryEntropy(0.5); h != math.Ln2 || binaryEntropy(0) != 0 || binaryEntropy(1) != 0 {
		t.Errorf("binary entropy of 1/2 is %v, want ln 2; of 0 and 1 want 0", h)
	}
}

// BenchmarkTrainStep times one training step (forward, loss, backward,
// optimizer step) of the fmnist-10 network (ResNet-20, batch 128, SGD)
// with the training diagnostics and without, for the clipped STE and for
// FDA, whose surrogate is the dearest to evaluate for the saturation
// count. results/diagnostics-overhead.sh runs it.
func BenchmarkTrainStep(b *testing.B) {
	rc, err := LoadRecipe("fmnist-10")
	if err != nil {
		b.Fatal(err)
	}
	train, test, err := OpenDataset(context.Background(), rc.Dataset, "")
	if err != nil {
		b.Skipf("no %s: %v", rc.Dataset, err)
	}
	for _, est := range []string{"ste", "fda"} {
		for _, diag := range []bool{false, true} {
			name := "est=" + est + "/diagnostics=" + map[bool]string{false: "off", true: "on"}[diag]
			b.Run(name, func(b *testing.B) {
				specs := parseSpecs(b, est)
				s := &Sweep{Workload: Workload{Recipe: *rc}, Specs: specs, Seeds: []uint64{1}}
				var done int64
				ru, err := (&Runner{NoDiagnostics: !diag}).newRun(s.Cells()[0], &datasetPair{train: train, test: test}, 1, &done, 1)
				if err != nil {
					b.Fatal(err)
				}
				defer ru.close()
				net := ru.model.Net
				nn.SetProgress(net, nn.Progress{Epoch: 0, Epochs: rc.Epochs})
				nn.SetTraining(net, true)
				ru.snapshotSigns()
				if ru.diag != nil {
					ru.diag.startEpoch(ru.signs)
				}
				it := ru.train.Epoch(context.Background(), 0)
				defer func() { it.Close() }()
				next := func() {
					if !it.Next() {
						if err := it.Err(); err != nil {
							b.Fatal(err)
						}
						it.Close()
						it = ru.train.Epoch(context.Background(), 1)
						it.Next()
					}
				}
				// One step outside the timing: the buffers are sized.
				next()
				ru.step(it.Batch(), 0.1)
				b.ReportAllocs()
				for b.Loop() {
					next()
					if loss, _ := ru.step(it.Batch(), 0.1); math.IsNaN(loss) {
						b.Fatal("loss is NaN")
					}
				}
			})
		}
	}
}

// withDiagnostics gives every epoch of r plausible diagnostics, with
// values that depend on the seed, and reseals nothing (WriteRecord does).
func withDiagnostics(r *Record) {
	s := float64(r.Config.Seed)
	for i := range r.Epochs {
		r.Epochs[i].Diagnostics = &Diagnostics{
			Oscillation: 0.001 * s, Oscillating: 0.01 * s, Silent: 0.5, Saturation: 0.2, GradStability: 1e-6 * s, Entropy: 0.6,
			Layers: []LayerDiagnostics{{Name: "layer1.0.conv1", GradNorm: s, Entropy: 0.6, Saturation: 0.2}},
		}
	}
}

// TestDiagnosticsRecords: records with diagnostics round-trip and are
// checked (out-of-range values refused by name); records without them
// (written before gradbench measured them) load, their JSON has no
// diagnostics key, so neither their checksum nor any run key changes.
func TestDiagnosticsRecords(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 2
	old := fakeRecord(&w, "ste", 1, 80)
	key := old.Key
	dir := t.TempDir()
	if err := WriteRecord(dir, old); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(RecordPath(dir, key))
	if bytes.Contains(b, []byte("diagnostics")) {
		t.Errorf("a record without diagnostics writes the key:\n%s", b)
	}
	r := fakeRecord(&w, "ste", 1, 80)
	withDiagnostics(r)
	if r.Key != key || r.Config.Key() != key {
		t.Errorf("diagnostics changed the run key: %s, want %s", r.Key, key)
	}
	if err := WriteRecord(dir, r); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRecord(dir, key)
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Epochs[1].Diagnostics; d == nil || d.Layers[0].Name != "layer1.0.conv1" || d.Oscillation != 0.001 {
		t.Errorf("diagnostics read back as %+v", d)
	}
	for _, tt := range []struct {
		name string
		edit func(d *Diagnostics)
		want string
	}{
		{"silent above 1", func(d *Diagnostics) { d.Silent = 1.5 }, "epoch 1: diagnostics.silent 1.5, want a number in [0, 1]"},
		{"oscillation above 1", func(d *Diagnostics) { d.Oscillation = 2 }, "epoch 1: diagnostics.oscillation 2, want a number in [0, 1]"},
		{"negative oscillating", func(d *Diagnostics) { d.Oscillating = -0.1 }, "epoch 1: diagnostics.oscillating -0.1, want a number in [0, 1]"},
		{"layer saturation above 1", func(d *Diagnostics) { d.Layers[0].Saturation = 1.2 }, "epoch 1: diagnostics.layers[0].saturation 1.2, want a number in [0, 1]"},
		{"layer entropy above ln 2", func(d *Diagnostics) { d.Layers[0].Entropy = 0.8 }, "epoch 1: diagnostics.layers[0].entropy 0.8"},
		{"NaN saturation", func(d *Diagnostics) { d.Saturation = math.NaN() }, "epoch 1: diagnostics.saturation NaN"},
		{"negative stability", func(d *Diagnostics) { d.GradStability = -1 }, "epoch 1: diagnostics.grad_stability -1"},
		{"infinite norm", func(d *Diagnostics) { d.Layers[0].GradNorm = math.Inf(1) }, "epoch 1: diagnostics.layers[0].grad_norm +Inf"},
		{"entropy above ln 2", func(d *Diagnostics) { d.Layers[0].Entropy, d.Entropy = 0.7, 0.7 }, "epoch 1: diagnostics.entropy 0.7"},
		{"mean entropy not the layers'", func(d *Diagnostics) { d.Entropy = 0.5 }, "epoch 1: diagnostics.entropy 0.5, but the layers' mean is 0.6"},
		{"no layers", func(d *Diagnostics) { d.Layers = nil }, "epoch 1: diagnostics of no binary layer"},
		{"unnamed layer", func(d *Diagnostics) { d.Layers[0].Name = "" }, "epoch 1: diagnostics.layers[0] has no name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := fakeRecord(&w, "ste", 1, 80)
			withDiagnostics(bad)
			tt.edit(bad.Epochs[0].Diagnostics)
			err := bad.check()
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("check() = %v, want %s...", err, tt.want)
			}
		})
	}
}

// TestDiagnosticsTable: the diagnostics table has one row per estimator
// with the seed means of the final epoch, leaves runs without diagnostics
// out and says how many; the curves get their extra panels only when the
// records have diagnostics.
func TestDiagnosticsTable(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 2
	var rs []*Record
	for _, seed := range []uint64{1, 2} {
		for _, spec := range []string{"ste", "fda"} {
			r := fakeRecord(&w, spec, seed, 80)
			withDiagnostics(r)
			rs = append(rs, r)
		}
	}
	old := fakeRecord(&w, "fda", 3, 80)
	rs = append(rs, old)
	table := tableText(t, TableDiagnostics, rs, nil)
	// Seeds 1 and 2: oscillation 0.001 and 0.002, mean 0.0015; stability
	// 1e-6 and 2e-6, mean 1.5e-6; gradient norm 1 and 2, mean 1.5.
	texttest.ContainsAll(t, "diagnostics table", table,
		"| estimator | n | flip ratio | oscillation f̄ | oscillating (f > 0.01) | silent | saturation | entropy (nats) | grad stability | grad norm (layer mean) |",
		"| ste       | 2 |       0.01 |        0.0015 |                  0.015 |    0.5 |        0.2 |            0.6 |        1.5e-06 |                    1.5 |",
		"| fda       | 2 |       0.01 |        0.0015 |                  0.015 |    0.5 |        0.2 |            0.6 |        1.5e-06 |                    1.5 |",
		"1 finished run has no diagnostics",
	)
	// Rows whose means are over different seeds (runs without
	// diagnostics left out, or of other seeds) say which seeds each
	// covers, as the main table does, and the note says the rows are not
	// over the same seeds; the rows above, over the same seeds, have no
	// seeds column.
	extra := fakeRecord(&w, "fda", 4, 80)
	withDiagnostics(extra)
	texttest.ContainsAll(t, "diagnostics table, rows over different seeds", tableText(t, TableDiagnostics, append(rs, extra), nil),
		"| estimator | n |   seeds | flip ratio |",
		"| ste       | 2 |    1, 2 |",
		"| fda       | 3 | 1, 2, 4 |",
		"The rows are not over the same seeds (the seeds column): a difference between two rows may be one of seeds as well as of estimators.",
	)
	var with, without bytes.Buffer
	if err := WriteCurves(&with, rs, nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteCurves(&without, []*Record{old}, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range diagnosticColumns {
		title := html.EscapeString(c.title) // as SVG text
		if !strings.Contains(with.String(), title) {
			t.Errorf("curves lack the panel %q", c.title)
		}
		if strings.Contains(without.String(), title) {
			t.Errorf("curves of records without diagnostics have the panel %q", c.title)
		}
	}
}

// The diagnostics table's numbers of one run, by hand: those of its last
// epoch (not its first), four significant digits (0.123456 is 0.1235),
// the gradient norm as the mean of its two layers' 1 and 2.5; two
// finished runs without diagnostics are counted in the footnote, and a
// diverged run is in neither.
func TestDiagnosticsTableNumbers(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 2
	r := fakeRecord(&w, "fda", 1, 80)
	r.Epochs[0].Diagnostics = &Diagnostics{Oscillation: 0.9, Layers: []LayerDiagnostics{{GradNorm: 9}}}
	r.Epochs[1].Diagnostics = &Diagnostics{Oscillation: 0.123456, Layers: []LayerDiagnostics{{GradNorm: 1}, {GradNorm: 2.5}}}
	rs := []*Record{r, fakeRecord(&w, "fda", 2, 80), fakeRecord(&w, "fda", 3, 80), fakeRecord(&w, "fda", 4, math.NaN())}
	hasAll(t, "diagnostics table", tableText(t, TableDiagnostics, rs, nil),
		"| fda | 1 | 0.01 | 0.1235 | 0 | 0 | 0 | 0 | 0 | 1.75 |",
		"2 finished runs have no diagnostics")
}
