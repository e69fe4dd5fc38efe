package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/impl/impltest"
	"github.com/gradbench/gradbench/internal/parallel"
)

// lutU is the unit roundoff of float32.
const lutU = 1.0 / (1 << 24)

// signBits returns the sign bits of the 4 values of v, bit t for v[t]:
// the reference the sign patterns of lutSigns are checked against.
func signBits(v []float32) int {
	v = v[:4]
	m := 0
	for t, f := range v {
		if math.Signbit(float64(f)) {
			m |= 1 << t
		}
	}
	return m
}

// withLUT runs f with the table product switched on or off.
func withLUT(on bool, f func()) {
	defer lutWeightGrad.Store(lutWeightGrad.Swap(on))
	f()
}

// TestLUTProduct checks the sign patterns of lutSigns against signBits,
// and the sign product lutProduct against the float64 sum of s(x)·dy
// within the bound of lutweights.go, on random shapes
// (channel counts that do and do not fill the assembly's panels, reduction
// lengths that do and do not fill chunks and blocks, signed zeros in x),
// under every implementation, and that the implementations agree bit for
// bit.
func TestLUTProduct(t *testing.T) {
	defer func(b int) { lutTableBytes = b }(lutTableBytes)
	type result struct {
		name string
		dw   []float32
	}
	r := rand.New(rand.NewPCG(71, 72))
	for trial := range 60 {
		outs := []int{1, 3, 7, 8, 16, 17, 24, 32, 48, 64, 128}
		out := outs[trial%len(outs)]
		k := 1 + r.IntN(20)
		if trial%5 == 0 {
			k = 4*r.IntN(6) + 4
		}
		nq := 1 + r.IntN(300)
		ldy := nq + r.IntN(5)
		beta := float32(trial % 2)
		tableBytes := []int{64 * 16 * 4, 16 << 10, 1 << 20}[trial%3]
		x := make([]float32, 4*nq+k*7)
		for i := range x {
			switch r.IntN(8) {
			case 0:
				x[i] = 0
			case 1:
				x[i] = float32(math.Copysign(0, -1))
			default:
				x[i] = float32(r.NormFloat64())
			}
		}
		x0 := r.IntN(5)
		off := make([]int, k)
		for kk := range off {
			off[kk] = r.IntN(len(x) - x0 - nq + 1)
		}
		dy := make([]float32, (out-1)*ldy+nq)
		fill(r, dy)
		dw0 := make([]float32, k*out)
		fill(r, dw0)
		name := fmt.Sprintf("out=%d/k=%d/nq=%d/beta=%v/tab=%d", out, k, nq, beta, tableBytes)
		var results []result
		impltest.Each(t, implSelector, func(t *testing.T) {
			lutTableBytes = tableBytes
			var sc lutScratch
			v := sc.lutSigns(x)
			for p := range len(x) - 3 {
				if got, want := int(sc.pat[(p&3)*v+p>>2]), signBits(x[p:]); got != want {
					t.Fatalf("%s: the sign pattern at %d is %04b, want %04b", name, p, got, want)
				}
			}
			dw := slices.Clone(dw0)
			lutProduct(&sc, dw, out, x, v, x0, off, dy, ldy, nq, beta)
			for kk := range k {
				for o := range out {
					exact := float64(beta) * float64(dw0[kk*out+o])
					sum := math.Abs(exact)
					for q := range nq {
						v := float64(dy[o*ldy+q])
						if math.Signbit(float64(x[x0+off[kk]+q])) {
							v = -v
						}
						exact += v
						sum += math.Abs(v)
					}
					got := float64(dw[kk*out+o])
					if tol := float64(nq+8) * lutU * sum; math.Abs(got-exact) > tol {
						t.Fatalf("%s: dw[%d][%d] = %v, want %v ± %.3g", name, kk, o, got, exact, tol)
					}
				}
			}
			results = append(results, result{Impl(), dw})
		})
		for _, res := range results[1:] {
			if !slices.Equal(res.dw, results[0].dw) {
				t.Fatalf("%s: impl %s differs from %s", name, res.name, results[0].name)
			}
		}
	}
}

// lutGridCase fills the grids of a group of g images of a binary
// convolution as backwardGrid does (codes of random inputs with exact
// zeros, a random output gradient) and returns the core, the grids and
// the group's nq.
func lutGridCase(r *rand.Rand, cv Conv, h, w, gFull, g int) (*convCore, []float32, []float32, int) {
	c := &convCore{conv: cv, h: h, w: w, k: cv.In * cv.Kernel * cv.Kernel}
	c.grid = newGrid(h, w, cv.Pad, gFull)
	c.off = make([]int, c.k)
	c.grid.offsets(c.off, cv.In, cv.Kernel)
	c.codes = true
	x := make([]float32, g*cv.In*h*w)
	fill(r, x)
	for i := range x {
		if r.IntN(10) == 0 {
			x[i] = 0 // the code of 0 is +1
		}
	}
	dy := make([]float32, g*cv.Out*h*w)
	fill(r, dy)
	gr := c.grid
	xp := make([]float32, cv.In*gr.s)
	gr.scatter(xp, x, cv.In, g, true)
	dyp := make([]float32, cv.Out*gr.s)
	gr.scatter(dyp, dy, cv.Out, g, false)
	return c, xp, dyp, gr.nq(g)
}

// TestLUTWeightsGrid checks the table product with its padding correction
// (weightGradLUT) against the float64 sum of the ternary im2col products of
// the grid, within the bound of lutweights.go, on random geometries:
// K = 1, 3, 5 with the same padding, odd channel counts, groups of one and
// several images and a short last group, β 0 and 1, every implementation.
func TestLUTWeightsGrid(t *testing.T) {
	impltest.Each(t, implSelector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(73, 74))
		for trial := range 40 {
			kernel := []int{1, 3, 3, 5}[trial%4]
			cv := Conv{In: 1 + r.IntN(6), Out: []int{1, 5, 8, 16, 32, 64}[trial%6], Kernel: kernel, Stride: 1, Pad: kernel / 2}
			if trial%7 == 0 {
				cv.In = 16
			}
			h, w := 1+r.IntN(9), 1+r.IntN(9)
			gFull := 1 + r.IntN(3)
			g := gFull
			if trial%3 == 0 {
				g = 1 + r.IntN(gFull)
			}
			beta := float32(trial % 2)
			c, xp, dyp, nq := lutGridCase(r, cv, h, w, gFull, g)
			p := &convPart{dw: make([]float32, c.k*cv.Out)}
			fill(r, p.dw)
			dw0 := slices.Clone(p.dw)
			c.weightGradLUT(p, p, xp, dyp, g, nq, beta)
			gr := c.grid
			for kk := range c.k {
				for o := range cv.Out {
					exact := float64(beta) * float64(dw0[kk*cv.Out+o])
					sum := math.Abs(exact)
					for q := range nq {
						xv := xp[c.off[kk]+q]
						d := float64(dyp[o*gr.s+gr.origin()+q])
						exact += float64(xv) * d
						sum += math.Abs(d)
						if xv == 0 {
							sum += 2 * math.Abs(d) // the padding terms, added then corrected
						}
					}
					got := float64(p.dw[kk*cv.Out+o])
					if tol := float64(nq+8) * lutU * sum; math.Abs(got-exact) > tol {
						t.Fatalf("%+v %dx%d g=%d/%d β=%v: dw[%d][%d] = %v, want %v ± %.3g", cv, h, w, g, gFull, beta, kk, o, got, exact, tol)
					}
				}
			}
		}
	})
}

// TestLUTWeightGradLayer checks the switch through BinaryConv2d.Backward:
// on the XNOR path the weight gradient of the codes with the table product
// agrees with the GEMM's within twice the bound plus the parts' sum, and
// the input gradient is unchanged; with noise adaptation on the
// activations (the grids hold q + α·ê, not codes), and where the
// implementation's table product is not the faster (lutFastKernel: the
// portable loops, channel counts the assembly does not take), the switch
// changes nothing, bit for bit.
func TestLUTWeightGradLayer(t *testing.T) {
	impltest.Each(t, implSelector, func(t *testing.T) {
		for _, tc := range []struct {
			spec       string
			in, out, n int
			hw         int
		}{
			{"ste", 16, 16, 24, 12},
			{"ste", 5, 32, 9, 7},
			{"ste", 3, 24, 9, 8}, // the GEMM: not a power of two
			{"ste+na", 16, 16, 24, 12},
		} {
			cv := Conv{In: tc.in, Out: tc.out, Kernel: 3, Stride: 1, Pad: 1}
			run := func(on bool) (dwb, gw, dx []float32) {
				l, err := NewBinaryConv2d(cv, Binary{Estimator: estimators.MustParse(tc.spec)}, NewInit(3))
				if err != nil {
					t.Fatal(err)
				}
				SetProgress(l, Progress{Epoch: 0, Epochs: 4})
				rr := rand.New(rand.NewPCG(77, 78))
				x := randTensor(rr, tc.n, tc.in, tc.hw, tc.hw)
				var d *Tensor
				withLUT(on, func() {
					y := l.Forward(x)
					dy := randTensor(rr, y.N, y.C, y.H, y.W)
					d = l.Backward(dy)
				})
				return slices.Clone(l.dwb), slices.Clone(l.Weight.Grad), slices.Clone(d.Data)
			}
			dwbOff, gwOff, dxOff := run(false)
			dwbOn, gwOn, dxOn := run(true)
			if !slices.Equal(dxOn, dxOff) {
				t.Errorf("%s: the input gradient changes with the table product", tc.spec)
			}
			if tc.spec == "ste+na" || !lutFastKernel.Get()(tc.out) {
				if !slices.Equal(dwbOn, dwbOff) || !slices.Equal(gwOn, gwOff) {
					t.Errorf("%s, %d channels: the switch changes the weight gradient of a layer that keeps the GEMM", tc.spec, tc.out)
				}
				continue
			}
			// The bound of each part's product for both, and the sum of the
			// parts: Σ|dy| over the batch bounds every sum of the bound.
			rr := rand.New(rand.NewPCG(77, 78))
			x := randTensor(rr, tc.n, tc.in, tc.hw, tc.hw)
			dy := randTensor(rr, tc.n, tc.out, tc.hw, tc.hw)
			_ = x
			nq := tc.n * (tc.hw + 1) * (tc.hw + 1)
			d := tc.in * 9
			for o := range tc.out {
				var s float64
				for n := range tc.n {
					for _, v := range dy.Data[(n*tc.out+o)*tc.hw*tc.hw:][:tc.hw*tc.hw] {
						s += math.Abs(float64(v))
					}
				}
				tol := (4*float64(nq+8) + reduceParts) * lutU * s
				for j := range d {
					if diff := math.Abs(float64(dwbOn[o*d+j] - dwbOff[o*d+j])); diff > tol {
						t.Fatalf("%s: dWb[%d][%d] = %v with tables, %v with the GEMM (tolerance %.3g)", tc.spec, o, j, dwbOn[o*d+j], dwbOff[o*d+j], tol)
					}
				}
			}
			if slices.Equal(dwbOn, dwbOff) {
				t.Errorf("%s: the switch did not reach the weight gradient", tc.spec)
			}
		}
	})
}

// BenchmarkBinaryWeightGrad times the weight-gradient product of one grid
// group of a binary convolution of resnet20 on CIFAR-10 at batch 128 (the
// group setupGrid forms for a part of 16 images), by the GEMM and by the
// tables, on one core.
func BenchmarkBinaryWeightGrad(b *testing.B) {
	for _, s := range []struct{ c, hw int }{{16, 32}, {32, 16}, {64, 8}} {
		cv := Conv{In: s.c, Out: s.c, Kernel: 3, Stride: 1, Pad: 1}
		c := &convCore{conv: cv, h: s.hw, w: s.hw, parts: make([]convPart, reduceParts)}
		c.k = cv.In * 9
		c.setupGrid(128)
		g := c.grid.g
		r := rand.New(rand.NewPCG(79, 80))
		_, xp, dyp, nq := lutGridCase(r, cv, s.hw, s.hw, g, g)
		gr := c.grid
		for _, path := range append([]string{"gemm"}, lutBenchImpls()...) {
			b.Run(fmt.Sprintf("shape=%dx%dx%d/path=%s", s.c, s.hw, s.hw, lutPathName(path)), func(b *testing.B) {
				if path != "gemm" {
					defer SetImpl(Impl())
					if err := SetImpl(path); err != nil {
						b.Fatal(err)
					}
				}
				p := &convPart{dw: make([]float32, c.k*cv.Out)}
				b.SetBytes(int64(2 * c.k * cv.Out * nq)) // flops of the GEMM, as bytes
				// Inside a job on the pool, as the engine calls it: the GEMM
				// then runs on its caller alone.
				alone(func() {
					for b.Loop() {
						if path != "gemm" {
							c.weightGradLUT(p, p, xp, dyp, g, nq, 1)
						} else {
							gemm.SgemmRowsA(true, c.k, cv.Out, nq, 1, xp, c.off, dyp[gr.origin():], gr.s, 1, p.dw, cv.Out)
						}
					}
				})
				b.ReportMetric(float64(g), "images")
			})
		}
	}
}

// TestLUTWeightGradAllocs checks that the table product allocates nothing
// once a layer has run a step: its scratch is the parts'.
func TestLUTWeightGradAllocs(t *testing.T) {
	cv := Conv{In: 16, Out: 16, Kernel: 3, Stride: 1, Pad: 1}
	l, err := NewBinaryConv2d(cv, Binary{Estimator: estimators.MustParse("ste")}, NewInit(3))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(81, 82))
	x := randTensor(r, 16, 16, 12, 12)
	dy := randTensor(r, 16, 16, 12, 12)
	withLUT(true, func() {
		step := func() { l.Forward(x); l.Backward(dy) }
		step()
		if n := testing.AllocsPerRun(3, step); n != 0 {
			t.Errorf("a step with the table product allocates %v times", n)
		}
	})
}

// TestConvScratchWarm: a part's scratch is used by whichever goroutine
// claims it, and the pool's workers join a job only when they wake in
// time, so a part may be claimed for the first time steps after the
// layer's first one, and allocate then. After every job warm grows the
// scratch of each part a goroutine may claim to the largest any has: here
// every part but the first is emptied, as if one goroutine had run the
// whole step, and after warm each has at least the first's capacity in
// every scratch slice (found by reflection, so that a scratch added to
// the struct later is checked too).
func TestConvScratchWarm(t *testing.T) {
	if parallel.Workers() < 2 {
		t.Skip("needs a pool of at least 2 goroutines")
	}
	r := rand.New(rand.NewPCG(83, 84))
	for _, cv := range []Conv{
		{In: 16, Out: 16, Kernel: 3, Stride: 1, Pad: 1}, // the grid path, with the tables
		{In: 16, Out: 32, Kernel: 3, Stride: 2, Pad: 1}, // the phase path
	} {
		l, err := NewBinaryConv2d(cv, Binary{Estimator: estimators.MustParse("ste")}, NewInit(3))
		if err != nil {
			t.Fatal(err)
		}
		x := randTensor(r, 16, 16, 12, 12)
		withLUT(true, func() {
			y := l.Forward(x)
			l.Backward(randTensor(r, y.N, y.C, y.H, y.W))
		})
		c := &l.core
		n := min(parallel.Workers(), len(c.parts))
		for i := 1; i < n; i++ {
			c.parts[i].grid, c.parts[i].lut = gridPart{}, lutScratch{}
		}
		c.warm()
		var walk func(path string, a, b reflect.Value)
		walk = func(path string, a, b reflect.Value) {
			switch a.Kind() {
			case reflect.Struct:
				for f := range a.NumField() {
					walk(path+"."+a.Type().Field(f).Name, a.Field(f), b.Field(f))
				}
			case reflect.Slice:
				if a.Cap() < b.Cap() {
					t.Errorf("%v: after warm, part %s has capacity %d, part 0 %d", cv, path, a.Cap(), b.Cap())
				}
			}
		}
		for i := 1; i < n; i++ {
			p0, pi := reflect.ValueOf(c.parts[0]), reflect.ValueOf(c.parts[i])
			walk(fmt.Sprint(i)+".grid", pi.FieldByName("grid"), p0.FieldByName("grid"))
			walk(fmt.Sprint(i)+".lut", pi.FieldByName("lut"), p0.FieldByName("lut"))
		}
	}
}

// TestLUTProductReusedScratch: one scratch serves products of different
// lengths, as a layer's does when its input size changes. The last partial
// chunk of four columns is built from a zero-padded copy of the output
// gradient; padding left over from a longer tail would add the gradient of
// columns past nq. TestLUTProduct makes a fresh scratch per product, so a
// tail copy that was not cleared between products passed.
func TestLUTProductReusedScratch(t *testing.T) {
	r := rand.New(rand.NewPCG(73, 74))
	const out, k = 8, 5
	x := make([]float32, 64)
	fill(r, x)
	off := []int{0, 3, 9, 17, 30}
	var sc lutScratch
	v := sc.lutSigns(x)
	for _, nq := range []int{11, 9} { // tails of 3, then of 1 column
		dy := make([]float32, out*nq)
		fill(r, dy)
		dw := make([]float32, k*out)
		lutProduct(&sc, dw, out, x, v, 0, off, dy, nq, nq, 0)
		for kk := range k {
			for o := range out {
				var exact, sum float64
				for q := range nq {
					d := float64(dy[o*nq+q])
					if math.Signbit(float64(x[off[kk]+q])) {
						d = -d
					}
					exact += d
					sum += math.Abs(d)
				}
				if got, tol := float64(dw[kk*out+o]), float64(nq+8)*lutU*sum; math.Abs(got-exact) > tol {
					t.Fatalf("nq=%d: dw[%d][%d] = %v, want %v ± %.3g", nq, kk, o, got, exact, tol)
				}
			}
		}
	}
}
