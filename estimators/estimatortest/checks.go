package estimatortest

import (
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/racebuild"
)

// The checks of every estimator: its forward and backward passes, kernels,
// allocations, reference and surrogate.

func (s *suite) testForward(t *testing.T) {
	e := s.fresh()
	x := append(s.boundary(), float32(math.NaN()))
	x = append(x, random(newRand(1), 10000)...)
	dst := make([]float32, len(x))
	e.Forward(dst, x)
	er := &errs{t: t, limit: 5}
	b, isBinarizer := e.(estimators.Binarizer)
	check := func(name string, dst []float32) {
		for i, v := range x {
			want := float32(1)
			switch {
			case isBinarizer:
				want = float32(b.Binarize(float64(v)))
				if finite(v) && want != 1 && want != -1 {
					er.add("Binarize(x=%g) = %g, want ±1 for a finite x", v, want)
				}
			case math.IsNaN(float64(v)):
				want = float32(math.NaN())
			case v < 0:
				want = -1
			}
			if !(dst[i] == want || math.IsNaN(float64(want)) && math.IsNaN(float64(dst[i]))) {
				er.add("%s(x=%g) = %g, want %g", name, v, dst[i], want)
			}
		}
	}
	check("Forward", dst)
	if r, ok := e.(estimators.Referencer); ok {
		r.ForwardRef(dst, x)
		check("ForwardRef", dst)
	}
	er.done()
}

func (s *suite) testZeroDy(t *testing.T) {
	e := s.fresh()
	x := append(s.boundary(), random(newRand(2), 10000)...)
	dy := make([]float32, len(x))
	for i := range dy {
		if i%2 == 1 {
			dy[i] = float32(math.Copysign(0, -1))
		}
	}
	before := scalarGrads(e)
	er := &errs{t: t, limit: 5}
	for _, k := range s.backwards(e) {
		dx := make([]float32, len(x))
		for i := range dx {
			dx[i] = 7
		}
		k.f(dx, x, dy)
		for i, v := range dx {
			if v != 0 {
				er.add("%s(x=%g, dy=%g) = %g, want 0", k.name, x[i], dy[i], v)
			}
		}
	}
	if after := scalarGrads(e); !slices.Equal(before, after) {
		er.add("scalar gradients changed from %v to %v with dy = 0", before, after)
	}
	er.done()
}

func (s *suite) testLinear(t *testing.T) {
	e := s.fresh()
	rng := newRand(3)
	x := append(s.boundary()[:0:0], random(rng, 10000)...)
	n := len(x)
	dy1, dy2, dy3 := make([]float32, n), make([]float32, n), make([]float32, n)
	const a, b = 0.75, -1.5
	for i := range x {
		dy1[i], dy2[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		dy3[i] = a*dy1[i] + b*dy2[i]
	}
	er := &errs{t: t, limit: 5}
	for _, k := range s.backwards(e) {
		d1, d2, d3 := make([]float32, n), make([]float32, n), make([]float32, n)
		k.f(d1, x, dy1)
		k.f(d2, x, dy2)
		k.f(d3, x, dy3)
		for i := range x {
			want := a*float64(d1[i]) + b*float64(d2[i])
			tol := 1e-5*(math.Abs(a*float64(d1[i]))+math.Abs(b*float64(d2[i]))) + 1e-30
			if math.Abs(float64(d3[i])-want) > tol {
				er.add("%s(x=%g, dy=%g) = %g, want %g = %g·dx(dy1) + %g·dx(dy2)", k.name, x[i], dy3[i], d3[i], want, a, b)
			}
		}
	}
	er.done()
}

func (s *suite) testFinite(t *testing.T) {
	e := s.fresh()
	x := append(s.boundary(), random(newRand(4), 10000)...)
	rng := newRand(5)
	dy := make([]float32, len(x))
	for i := range dy {
		dy[i] = float32(rng.NormFloat64())
	}
	er := &errs{t: t, limit: 5}
	for _, k := range s.backwards(e) {
		for _, d := range [][]float32{ones(len(x)), dy} {
			dx := make([]float32, len(x))
			k.f(dx, x, d)
			for i, v := range dx {
				if !finite(v) {
					er.add("%s(x=%g, dy=%g) = %g, want a finite number", k.name, x[i], d[i], v)
				}
			}
		}
	}
	for i, g := range scalarGrads(e) {
		if !finite(g) {
			er.add("scalar %d: gradient %g after Backward, want a finite number", i, g)
		}
	}
	er.done()
}

// testDyRange checks dx at upstream gradients far from 1: near ±MaxFloat32,
// where dy·g(x) is finite for some x and overflows for others, and tiny or
// subnormal. Every kernel must give dy·g(x), with g from the reference
// kernel if there is one (else from Backward with dy = 1), within 1e-5 of
// peak|g|·|dy| (the tolerance of Backward against BackwardRef, for dy = 1)
// plus a few steps of the subnormals, or ±Inf of its sign where that
// product is within the tolerance of overflowing float32: an order of
// operations whose intermediate overflows where the product does not
// fails here.
func (s *suite) testDyRange(t *testing.T) {
	e := s.fresh()
	x := append(s.boundary(), random(newRand(11), 10000)...)
	g := s.gradient(e, x)
	peak := s.peak
	for _, v := range g {
		if finite(v) {
			peak = max(peak, math.Abs(float64(v)))
		}
	}
	const maxF = math.MaxFloat32
	dys := []float64{maxF, -maxF, 0x1p127, maxF / 2, -maxF / 3, 1e38, 1e30, 1e-30, 1e-38, -1e-40, 1e-45}
	// dy at which dy·g reaches float32's largest value at the peak of |g|,
	// and just below.
	for _, f := range []float64{1, 0.999, 0.5} {
		if d := f * maxF / peak; d <= maxF {
			dys = append(dys, d, -d)
		}
	}
	er := &errs{t: t, limit: 5}
	for _, k := range s.backwards(e) {
		dx, dy := make([]float32, len(x)), make([]float32, len(x))
		for _, d := range dys {
			for i := range dy {
				dy[i] = float32(d)
			}
			k.f(dx, x, dy)
			for i, got := range dx {
				if !finite(g[i]) {
					continue // Finite reports it
				}
				w := float64(dy[i]) * float64(g[i])
				tol := 1e-5*peak*math.Abs(float64(dy[i])) + 0x1p-146
				sign := 1
				if w < 0 {
					sign = -1
				}
				if finite(got) && math.Abs(float64(got)-w) <= tol ||
					math.IsInf(float64(got), sign) && math.Abs(w) >= maxF-tol {
					continue
				}
				er.add("%s(x=%g, dy=%g) = %g, want %g = dy·g(x) (tolerance %g)", k.name, x[i], dy[i], got, w, tol)
			}
		}
	}
	er.done()
}

// kern is one kernel of an estimator, named for messages.
type kern struct {
	name string
	f    func(dst, x, dy []float32)
}

func (s *suite) backwards(e estimators.Estimator) []kern {
	ks := []kern{{"Backward", e.Backward}}
	if r, ok := e.(estimators.Referencer); ok {
		ks = append(ks, kern{"BackwardRef", r.BackwardRef})
	}
	return ks
}

// all returns every kernel, unary ones ignoring dy.
func (s *suite) all(e estimators.Estimator) []kern {
	unary := func(f func(dst, x []float32)) func(dst, x, dy []float32) {
		return func(dst, x, _ []float32) { f(dst, x) }
	}
	ks := []kern{{"Forward", unary(e.Forward)}}
	ks = append(ks, s.backwards(e)...)
	if r, ok := e.(estimators.Referencer); ok {
		ks = append(ks, kern{"ForwardRef", unary(r.ForwardRef)})
	}
	if sm, ok := e.(estimators.Smoother); ok {
		ks = append(ks, kern{"Surrogate", unary(sm.Surrogate)})
	}
	return ks
}

// lengths are the slice lengths every kernel is run at: short ones, around
// SIMD widths (4, 8, 16 lanes, unrolled) and around the block sizes at
// which kernels split work over cores. With -short the list stops at
// 2^16+1; under the race detector it keeps the short ones, 2^15 and 2^16+1
// (long enough for every kernel to run on several goroutines).
var lengths = func() []int {
	var ls []int
	for n := 0; n <= 34; n++ {
		ls = append(ls, n)
	}
	for _, p := range []int{6, 7, 8, 10, 12, 13, 14, 15, 16, 17} {
		ls = append(ls, 1<<p-1, 1<<p, 1<<p+1)
	}
	return append(ls, 3*(1<<15)+7, 100_003) // -short stops at 2^16+1
}()

const guard = 64

var guardBits = uint32(0x7fc5a5a5) // a quiet NaN with a recognizable payload

func (s *suite) testLengths(t *testing.T) {
	e := s.fresh()
	rng := newRand(6)
	special := s.boundary()
	er := &errs{t: t, limit: 5}
	for _, n := range lengths {
		if testing.Short() && n > 1<<16+1 || racebuild.Enabled && n > 1<<10+1 && n != 1<<15 && n != 1<<16+1 {
			continue
		}
		x := random(rng, n)
		// Put special values at both ends, where vector tails are.
		for i := 0; i < min(n, 8); i++ {
			x[i] = special[rng.IntN(len(special))]
			x[n-1-i] = special[rng.IntN(len(special))]
		}
		dy := random(rng, n)
		for i := range dy {
			dy[i] = float32(rng.NormFloat64())
		}
		x0, dy0 := slices.Clone(x), slices.Clone(dy)
		var fast, ref []float32
		for _, k := range s.all(e) {
			if k.name == "Surrogate" && n > 1<<12+1 {
				continue // not a fast kernel: no blocks to get wrong
			}
			buf := make([]float32, n+2*guard)
			for i := range buf {
				buf[i] = math.Float32frombits(guardBits)
			}
			dst := buf[guard : guard+n]
			k.f(dst, x, dy)
			for i, v := range buf {
				if (i < guard || i >= guard+n) && math.Float32bits(v) != guardBits {
					er.add("%s at length %d wrote %g at index %d outside dst", k.name, n, v, i-guard)
				}
			}
			if !eqBits(x, x0) || !eqBits(dy, dy0) {
				er.add("%s at length %d modified its input", k.name, n)
				copy(x, x0)
				copy(dy, dy0)
			}
			switch k.name {
			case "Backward":
				fast = slices.Clone(dst)
			case "BackwardRef":
				ref = slices.Clone(dst)
			}
		}
		if ref != nil {
			for i := range x {
				if d := math.Abs(float64(fast[i]) - float64(ref[i])); !(d <= 1e-5*s.peak*math.Abs(float64(dy[i]))+1e-30) {
					er.add("Backward(x=%g, dy=%g) at index %d of length %d = %g, BackwardRef = %g", x[i], dy[i], i, n, fast[i], ref[i])
				}
			}
		}
	}
	er.done()
}

// testSplit runs a Splitter's kernel on pieces of a slice long enough for
// Backward to split it over the worker pool, with special values at the
// pieces' ends, all pieces at once, and compares with Backward bit for bit.
func (s *suite) testSplit(t *testing.T) {
	e := s.fresh()
	rng := newRand(8)
	special := s.boundary()
	n := 3*(1<<15) + 7
	x, dy := random(rng, n), random(rng, n)
	for i := range dy {
		dy[i] = float32(rng.NormFloat64())
	}
	// Pieces of 64·k elements, k from 1 to 99, the last one to the end.
	var bounds []int
	for b := 0; b < n; b += 64 * (1 + rng.IntN(99)) {
		bounds = append(bounds, b)
	}
	bounds = append(bounds, n)
	for _, b := range bounds[1 : len(bounds)-1] {
		x[b-1], x[b] = special[rng.IntN(len(special))], special[rng.IntN(len(special))]
	}
	want := make([]float32, n)
	e.Backward(want, x, dy)
	k, ok := estimators.KernelOf(e)
	if _, made := e.(estimators.Splitter).BackwardKernel(); !ok && made {
		t.Skip("BackwardKernel returns the kernel of another estimator (an embedded one), which no consumer uses: see estimators.KernelOf")
	}
	if !ok {
		if !s.learn {
			t.Error("BackwardKernel: no kernel, but the estimator has no learnable scalars")
		}
		return
	}
	got := make([]float32, n)
	var wg sync.WaitGroup
	for i := range len(bounds) - 1 {
		a, b := bounds[i], bounds[i+1]
		wg.Go(func() { k.Backward(got[a:b], x[a:b], dy[a:b]) })
	}
	wg.Wait()
	er := &errs{t: t, limit: 5}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			er.add("kernel on pieces: dx[%d] = %g for x = %g, Backward %g", i, got[i], x[i], want[i])
		}
	}
	er.done()
}

func eqBits(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func (s *suite) testAllocs(t *testing.T) {
	e := s.fresh()
	runs := 10
	if racebuild.Enabled {
		runs = 2
	}
	for _, n := range []int{1000, 1 << 16} {
		x := random(newRand(7), n)
		dst, dy := make([]float32, n), ones(n)
		e.Forward(dst, x) // let lazily set up state settle
		e.Backward(dst, x, dy)
		if a := testing.AllocsPerRun(runs, func() { e.Forward(dst, x) }); a != 0 {
			t.Errorf("Forward of %d elements: %v allocations, want 0", n, a)
		}
		if a := testing.AllocsPerRun(runs, func() { e.Backward(dst, x, dy) }); a != 0 {
			t.Errorf("Backward of %d elements: %v allocations, want 0", n, a)
		}
	}
}

func (s *suite) testReference(t *testing.T) {
	e := s.fresh()
	r := e.(estimators.Referencer)
	x := append(s.boundary(), random(newRand(8), s.samples)...)
	n := len(x)
	fast, ref := make([]float32, n), make([]float32, n)
	e.Backward(fast, x, ones(n))
	r.BackwardRef(ref, x, ones(n))
	peak := s.peak
	for _, v := range ref {
		peak = max(peak, math.Abs(float64(v)))
	}
	er := &errs{t: t, limit: 5}
	worst, at := 0.0, float32(0)
	for i := range x {
		d := math.Abs(float64(fast[i]) - float64(ref[i]))
		if !(d <= 1e-5*peak) {
			er.add("Backward(x=%g) = %g, want %g (BackwardRef; tolerance 1e-5 of peak |g| %g)", x[i], fast[i], ref[i], peak)
		}
		if d > worst {
			worst, at = d, x[i]
		}
	}
	t.Logf("%d inputs: max |Backward - BackwardRef| = %.3g·peak at x=%g (peak |g| = %g)", n, worst/peak, at, peak)
	er.done()
}

func (s *suite) testSurrogate(t *testing.T) {
	e := s.fresh()
	sm := e.(estimators.Smoother)
	x := append(s.boundary(), random(newRand(9), 10000)...)
	q := make([]float32, len(x))
	sm.Surrogate(q, x)
	er := &errs{t: t, limit: 5}
	for i, v := range q {
		if finite(x[i]) && !finite(v) {
			er.add("Surrogate(x=%g) = %g, want a finite number", x[i], v)
		}
	}
	// Central differences of the surrogate against g, away from jumps.
	rng := newRand(10)
	const h = 1e-3
	var pts []float32
	// At most 10^5 draws: a g that oscillates faster than the scan of
	// findJumps sees jumps everywhere, and then no point is far from one.
	for try := 0; len(pts) < 400 && try < 100_000; try++ {
		v := float32(rng.NormFloat64())
		if len(pts)%2 == 1 {
			v = float32(4*rng.Float64() - 2)
		}
		near := false
		for _, j := range s.jumps {
			near = near || math.Abs(math.Abs(float64(v))-float64(j)) < 3*h
		}
		if !near {
			pts = append(pts, v)
		}
	}
	g := make([]float32, len(pts))
	e.Backward(g, pts, ones(len(pts)))
	peak := s.peak
	for i, v := range pts {
		qq := make([]float32, 2)
		sm.Surrogate(qq, []float32{v + h, v - h})
		fd := (float64(qq[0]) - float64(qq[1])) / (float64(v+h) - float64(v-h))
		if math.Abs(fd-float64(g[i])) > 1e-2*peak {
			er.add("Backward(x=%g) = %g, want %g (central difference of Surrogate, step %g)", v, g[i], fd, h)
		}
	}
	er.done()
}
