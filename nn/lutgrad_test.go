package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/impl"
	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/internal/racebuild"
)

// lutBound returns γ_n of lutgrad.go's bound for a reduction of kd terms.
func lutBound(kd int) float64 {
	n := float64((kd+3)/4 + 4)
	u := 0x1p-24
	return n * u / (1 - n*u)
}

// lutCase is the product of one grid group: In channels of the input
// gradient from Out channels of the output gradient, a k×k kernel, n of g
// images of h×w.
type lutCase struct{ in, out, k, h, w, g, n int }

func (tc lutCase) String() string {
	return fmt.Sprintf("%dx%d-k%d-%dx%d-g%d-n%d", tc.in, tc.out, tc.k, tc.h, tc.w, tc.g, tc.n)
}

// lutSetup returns random codes and scales, a random padded output
// gradient and the grid offsets of tc.
func lutSetup(r *rand.Rand, tc lutCase) (wq, s, dyp []float32, offDy []int, gr grid) {
	gr = newGrid(tc.h, tc.w, tc.k/2, tc.g)
	kk := tc.k * tc.k
	offDy = make([]int, tc.out*kk)
	gr.offsets(offDy, tc.out, tc.k)
	wq = make([]float32, tc.out*tc.in*kk)
	for i := range wq {
		wq[i] = float32(1 - 2*r.IntN(2))
	}
	s = make([]float32, tc.out)
	for o := range s {
		s[o] = float32(r.ExpFloat64())
	}
	if tc.out > 2 {
		s[1] = 0
	}
	dyp = make([]float32, tc.out*gr.s)
	for i := range dyp {
		// Magnitudes over a few decades, so that large terms cancel.
		dyp[i] = float32(r.NormFloat64() * math.Exp2(float64(r.IntN(12)-6)))
	}
	return wq, s, dyp, offDy, gr
}

var lutCases = []lutCase{
	{16, 16, 3, 32, 32, 2, 2},
	{32, 32, 3, 16, 16, 3, 2},
	{64, 64, 3, 8, 8, 4, 4},
	{5, 7, 3, 6, 5, 3, 2},  // kd = 63: a padded chunk
	{3, 1, 1, 4, 4, 2, 2},  // kd = 1
	{2, 3, 1, 9, 7, 1, 1},  // kd = 3, K = 1
	{7, 6, 1, 5, 6, 2, 1},  // kd = 6, K = 1, a short group
	{1, 2, 3, 2, 2, 1, 1},  // Nq = 6, narrower than a column block
	{4, 37, 3, 3, 9, 2, 2}, // kd = 333: blocks of unequal size
	{16, 16, 3, 1, 40, 1, 1},
}

// TestLUTInputGrad checks the table-lookup product against the exact sum
// of its terms, within lutgrad.go's bound, for every implementation, and
// that the implementations agree bit for bit.
func TestLUTInputGrad(t *testing.T) {
	// Numerics on one goroutine: the race detector has nothing to check.
	racebuild.Skip(t, "it checks numerics only, with no goroutines of its own; the openblas, simd and purego builds run it in full")
	defer SetImpl(Impl())
	r := rand.New(rand.NewPCG(11, 12))
	for _, tc := range lutCases {
		t.Run(tc.String(), func(t *testing.T) {
			wq, s, dyp, offDy, gr := lutSetup(r, tc)
			nq := gr.nq(tc.n)
			kk := tc.k * tc.k
			kd := tc.out * kk
			var lw lutWeights
			lw.prepare(tc.in, tc.out, tc.k, wq, s, offDy)
			if !lw.ok {
				t.Fatal("prepare refused ±1 codes")
			}
			gamma := lutBound(kd)
			var first []float32
			for _, name := range Impls() {
				if err := SetImpl(name); err != nil {
					t.Fatal(err)
				}
				xg := make([]float32, tc.in*nq)
				var tab []float32
				lw.lutGrad(xg, nq, tc.in, nq, dyp, &tab)
				for c := range tc.in {
					for q := range nq {
						var exact, abs float64
						for o := range tc.out {
							for t := range kk {
								w := float64(s[o]) * float64(wq[(o*tc.in+c)*kk+kk-1-t])
								v := w * float64(dyp[offDy[o*kk+t]+q])
								exact += v
								abs += math.Abs(v)
							}
						}
						got := float64(xg[c*nq+q])
						if d := math.Abs(got - exact); d > gamma*abs*(1+1e-9) {
							t.Fatalf("impl %s: xg[%d][%d] = %v, exact %v: error %.3g > γ·Σ|w·dy| = %.3g", name, c, q, got, exact, d, gamma*abs)
						}
					}
				}
				if first == nil {
					first = xg
				} else {
					checkBits(t, "impl "+name+" against "+Impls()[0], xg, first)
				}
			}
		})
	}
}

// TestLUTRefusesOtherCodes checks that weights that are not ±1 codes keep
// the GEMM.
func TestLUTRefusesOtherCodes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tc := lutCase{4, 4, 3, 5, 5, 1, 1}
	wq, s, _, offDy, _ := lutSetup(r, tc)
	wq[7] = 0.5
	var lw lutWeights
	lw.prepare(tc.in, tc.out, tc.k, wq, s, offDy)
	if lw.ok {
		t.Fatal("prepare took a code of 0.5")
	}
}

// TestLUTBinaryConv checks the switch through BinaryConv2d.Backward: the
// input gradient with the lookup agrees with the GEMM's within both
// bounds and the weight gradient is unchanged; with weight noise
// adaptation the switch changes nothing.
func TestLUTBinaryConv(t *testing.T) {
	defer lutInputGrad.Store(lutInputGrad.Load())
	defer func(v int) { gridTarget = v }(gridTarget)
	for _, tc := range []struct {
		c      Conv
		h, w   int
		n      int
		spec   string
		target int
	}{
		{Conv{In: 16, Out: 16, Kernel: 3, Pad: 1}, 8, 8, 13, "ste", 1 << 16},
		{Conv{In: 16, Out: 16, Kernel: 3, Pad: 1}, 8, 8, 13, "ste", 3000},
		{Conv{In: 5, Out: 7, Kernel: 3, Pad: 1}, 6, 5, 5, "ste", 1 << 16},
		{Conv{In: 6, Out: 3, Kernel: 1}, 9, 9, 4, "ste", 1 << 16},
		{Conv{In: 8, Out: 8, Kernel: 3, Pad: 1}, 7, 7, 3, "ste", 500},   // groups of one 7×7 image: narrower than a column block, the GEMM
		{Conv{In: 8, Out: 8, Kernel: 3, Pad: 1}, 7, 7, 24, "ste", 1100}, // per part a group of two images (the lookup) and one of one (the GEMM)
		{Conv{In: 16, Out: 16, Kernel: 3, Pad: 1}, 8, 8, 7, "ste+na", 1 << 16},
		{Conv{In: 16, Out: 16, Kernel: 3, Pad: 1}, 8, 8, 7, "w=ste+na/a=ste", 1 << 16},
		{Conv{In: 16, Out: 16, Kernel: 3, Pad: 1}, 8, 8, 7, "w=ste/a=ste+na", 1 << 16},
	} {
		name := fmt.Sprintf("%dx%d-k%d-%dx%d-n%d/%s/target=%d", tc.c.In, tc.c.Out, tc.c.Kernel, tc.h, tc.w, tc.n, tc.spec, tc.target)
		t.Run(name, func(t *testing.T) {
			gridTarget = tc.target
			run := func(lut bool) (dx, dw []float32, l *BinaryConv2d, x, dy *Tensor) {
				lutInputGrad.Store(lut)
				l, err := NewBinaryConv2d(tc.c, Binary{Estimator: estimators.MustParse(tc.spec)}, NewInit(5))
				if err != nil {
					t.Fatal(err)
				}
				rr := rand.New(rand.NewPCG(7, 8))
				x = randTensor(rr, tc.n, tc.c.In, tc.h, tc.w)
				out := l.Forward(x)
				dy = randTensor(rr, out.N, out.C, out.H, out.W)
				dx = slices.Clone(l.Backward(dy).Data)
				return dx, slices.Clone(l.Weight.Grad), l, x, dy
			}
			dx0, dw0, _, _, _ := run(false)
			dx1, dw1, l, x, dy := run(true)
			if l.core.grid.nq(l.core.grid.g) < lutCols {
				// Every group narrower than a column block: the GEMM.
				checkBits(t, "input gradient of narrow groups", dx1, dx0)
				return
			}
			checkBits(t, "weight gradient with the lookup", dw1, dw0)
			if naW := l.w.na != nil; naW {
				if l.core.lut.ok {
					t.Fatal("the lookup ran with weight noise adaptation")
				}
				checkBits(t, "input gradient with weight noise adaptation", dx1, dx0)
				return
			}
			if l.core.lut.ok != lutUsable() {
				t.Fatalf("the lookup ran: %v, want %v (impls %s, gemm %s)", l.core.lut.ok, lutUsable(), Impl(), gemm.Impl())
			}
			// Σ|w·dy| per input position: the input gradient of |dy|
			// through a convolution with weights |wb|.
			abs := NewConv2d(tc.c, NewInit(0))
			for i, v := range l.wb {
				abs.Weight.Data[i] = float32(math.Abs(float64(v)))
			}
			ady := NewTensor(dy.N, dy.C, dy.H, dy.W)
			for i, v := range dy.Data {
				ady.Data[i] = float32(math.Abs(float64(v)))
			}
			abs.Forward(x)
			bound := abs.Backward(ady).Data
			kd := tc.c.Out * tc.c.Kernel * tc.c.Kernel
			gamma := lutBound(kd) + float64(kd+2)*0x1p-24 // the lookup's and the GEMM's
			for i := range dx0 {
				d := math.Abs(float64(dx1[i]) - float64(dx0[i]))
				if d > gamma*float64(bound[i])*1.001 {
					t.Fatalf("dx[%d]: lookup %v, GEMM %v: |difference| %.3g > %.3g", i, dx1[i], dx0[i], d, gamma*float64(bound[i]))
				}
			}
		})
	}
}

// BenchmarkBinaryInputGrad times the input-gradient product of one grid
// group of resnet20's binary same convolutions as the engine forms it
// (batch 128 in 8 parts of 16 images, setupGrid's groups), on the GEMM
// and by table lookup, on one core.
func BenchmarkBinaryInputGrad(b *testing.B) {
	for _, sh := range []struct{ c, hw int }{{16, 32}, {32, 16}, {64, 8}} {
		var core convCore
		core.conv = Conv{In: sh.c, Out: sh.c, Kernel: 3, Pad: 1}
		core.h, core.w = sh.hw, sh.hw
		core.parts = make([]convPart, reduceParts)
		core.setupGrid(128)
		gr := core.grid
		g := gr.g
		tc := lutCase{sh.c, sh.c, 3, sh.hw, sh.hw, g, g}
		r := rand.New(rand.NewPCG(1, 2))
		wq, s, dyp, offDy, _ := lutSetup(r, tc)
		nq := gr.nq(g)
		kd := sh.c * 9
		wflip := make([]float32, sh.c*kd)
		for c := range sh.c {
			for o := range sh.c {
				for t := range 9 {
					wflip[c*kd+o*9+t] = s[o] * wq[(o*sh.c+c)*9+8-t]
				}
			}
		}
		var lw lutWeights
		lw.prepare(sh.c, sh.c, 3, wq, s, offDy)
		xg := make([]float32, sh.c*nq)
		var tab []float32
		name := fmt.Sprintf("shape=%dx%dx%d", sh.c, sh.hw, sh.hw)
		b.Run(name+"/path=gemm", func(b *testing.B) {
			b.SetBytes(int64(sh.c * nq * 4))
			alone(func() {
				for range b.N {
					gemm.SgemmRowsB(false, sh.c, nq, kd, 1, wflip, kd, dyp, offDy, 0, xg, nq)
				}
			})
			b.ReportMetric(float64(g), "images/group")
		})
		for _, im := range lutBenchImpls() {
			b.Run(name+"/path="+lutPathName(im), func(b *testing.B) {
				defer SetImpl(Impl())
				if err := SetImpl(im); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(sh.c * nq * 4))
				alone(func() {
					for range b.N {
						lw.lutGrad(xg, nq, sh.c, nq, dyp, &tab)
					}
				})
				b.ReportMetric(float64(g), "images/group")
			})
		}
	}
}

// lutBenchImpls returns the implementations whose tables the benchmarks
// time against the GEMM: every one but the portable loops (which never
// replace the GEMM's assembly, see lutUsable), the default last.
func lutBenchImpls() []string {
	var names []string
	for _, name := range Impls() {
		if name != impl.Go {
			names = append(names, name)
		}
	}
	return names
}

// alone runs f as the engine runs a group's products: inside a job on
// the worker pool, so that package gemm, finding the pool busy, runs on
// the calling goroutine alone (a call from outside a job would split the
// product over every core).
// alone runs f inside a job on the pool, on the caller, as the engine runs
// its convolutions' products: there gemm runs single-threaded.
func alone(f func()) { parallel.For(2, 1, 1, aloneJob(f)) }

type aloneJob func()

func (f aloneJob) Do(lo, hi int) {
	if lo == 0 {
		f()
	}
}

// lutPathName is the benchmarks' path label of the GEMM ("gemm") or of the
// tables under implementation name ("lut-" + name).
func lutPathName(name string) string {
	if name == "gemm" {
		return name
	}
	return "lut-" + name
}
