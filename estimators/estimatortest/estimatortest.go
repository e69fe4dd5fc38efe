// Package estimatortest checks that an estimator behaves as every gradbench
// estimator must, in the style of testing/fstest and gonum's blas/testblas:
// one call runs the whole suite as subtests.
//
//	func TestMyEstimator(t *testing.T) {
//		estimatortest.Run(t, func() estimators.Estimator { return &MyEstimator{} })
//	}
//
// or, for a registered estimator, estimatortest.RunSpec(t, "myest:k=2").
//
// The suite checks:
//   - Forward gives ±1 with sign(±0) = +1 and NaN for NaN, or for an
//     [estimators.Binarizer] (a forward pass other than sign) the values
//     of its Binarize, which must be ±1 for every finite x;
//   - Backward gives dx = 0 where dy = 0, and dx linear in dy;
//   - dx is finite for every finite x, ±1e30 and ±MaxFloat32 included, and
//     for x = ±Inf (the value an estimator documents there must be a number);
//   - no kernel modifies its inputs or writes outside dst (buffers with NaN
//     guard zones before and after), at lengths 0, 1, around SIMD widths and
//     around parallel block sizes;
//   - Forward and Backward allocate nothing, on short and long slices;
//   - for a [estimators.Referencer]: Forward equals ForwardRef, and Backward
//     equals BackwardRef within 1e-5 of the peak |g| on 10^6 random inputs
//     (10^5 with -short) at several scales, plus boundary values: 0, -0, ±1,
//     huge and tiny values, ±Inf, and each jump of g (such as a clip ±c)
//     found by scanning g and bisecting to the adjacent float32 values;
//   - for a [estimators.Scheduler]: all of the above at p = 0, ¼, ½, ¾, 1
//     (0, ½, 1 with -short);
//   - for a [estimators.Learner] with scalars: Backward accumulates a finite
//     gradient, unchanged by dy = 0 and additive over calls; BackwardRef
//     accumulates the same per element, and Backward over a whole slice
//     their sum; with a Smoother, the gradient matches central finite
//     differences of Σ dy·q̃(x) in the scalar. All of this at the scalar's
//     starting value and, for a finite range, near its top,
//     Max - (Max-Min)/100, where gradients are often ill-conditioned;
//   - for a [estimators.Smoother]: the surrogate is finite, and its central
//     finite differences match g away from the jumps of g;
//   - for a [estimators.Splitter] with a kernel of its own
//     ([estimators.KernelOf]): the kernel run on pieces
//     of a long slice that start at multiples of 64, concurrently, sets
//     the bits Backward on the whole slice does.
//
// Nothing beyond the core Estimator interface is required: the checks of
// each optional interface run when the estimator implements it.
package estimatortest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/gradbench/gradbench/estimators"
)

// Run runs the conformance suite on the estimators made by newEstimator,
// which must return a fresh, independent estimator on every call.
func Run(t *testing.T, newEstimator func() estimators.Estimator) {
	t.Helper()
	s := &suite{new: newEstimator}
	e := newEstimator()
	if e == nil {
		t.Fatal("estimatortest: newEstimator returned nil")
	}
	_, s.ref = e.(estimators.Referencer)
	_, s.smooth = e.(estimators.Smoother)
	_, s.sched = e.(estimators.Scheduler)
	if l, ok := e.(estimators.Learner); ok {
		s.learn = len(l.Scalars()) > 0
	}
	s.samples = 1_000_000
	if testing.Short() {
		s.samples = 100_000
	}
	if raceEnabled {
		s.samples = 10_000
	}
	progress := []float64{-1} // -1: leave the schedule alone
	if s.sched {
		progress = []float64{0, 0.25, 0.5, 0.75, 1}
		if testing.Short() {
			progress = []float64{0, 0.5, 1}
		}
	}
	for _, p := range progress {
		s.p = p
		name := "default"
		if p >= 0 {
			name = fmt.Sprintf("p=%g", p)
		}
		t.Run(name, func(t *testing.T) {
			s.jumps, s.peak = s.findJumps()
			t.Run("Forward", s.testForward)
			t.Run("ZeroDy", s.testZeroDy)
			t.Run("Linear", s.testLinear)
			t.Run("Finite", s.testFinite)
			t.Run("Lengths", s.testLengths)
			t.Run("Allocs", s.testAllocs)
			if s.ref {
				t.Run("Reference", s.testReference)
			}
			if s.smooth {
				t.Run("Surrogate", s.testSurrogate)
			}
			if s.learn {
				t.Run("Scalars", s.testScalars)
			}
			if _, ok := e.(estimators.Splitter); ok {
				t.Run("Split", s.testSplit)
			}
		})
	}
}

// RunSpec runs the suite on the estimator that spec names, such as
// "fda:n=9" or a spec of an estimator added with estimators.Register.
func RunSpec(t *testing.T, spec string) {
	t.Helper()
	sp, err := estimators.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	Run(t, func() estimators.Estimator {
		e, err := sp.New()
		if err != nil {
			t.Fatal(err)
		}
		return e
	})
}

type suite struct {
	new                       func() estimators.Estimator
	ref, smooth, sched, learn bool
	samples                   int
	p                         float64   // progress, or -1
	jumps                     []float32 // x just below and above each jump of g (x > 0)
	peak                      float64   // max |g| on a grid of [0, 8] and random inputs
}

// fresh returns a new estimator at the suite's progress.
func (s *suite) fresh() estimators.Estimator {
	e := s.new()
	if s.p >= 0 {
		e.(estimators.Scheduler).SetProgress(s.p)
	}
	return e
}

// gradient returns g(xs) (dy = 1) from the reference kernel if there is
// one, else from Backward.
func (s *suite) gradient(e estimators.Estimator, xs []float32) []float32 {
	g := make([]float32, len(xs))
	if r, ok := e.(estimators.Referencer); ok {
		r.BackwardRef(g, xs, ones(len(xs)))
	} else {
		e.Backward(g, xs, ones(len(xs)))
	}
	return g
}

func ones(n int) []float32 {
	o := make([]float32, n)
	for i := range o {
		o[i] = 1
	}
	return o
}

// findJumps scans g on [0, 8] and returns, for each jump, the float32
// values around it, found by bisection down to adjacent floats, and the
// peak |g| on the grid and on random inputs.
func (s *suite) findJumps() ([]float32, float64) {
	e := s.fresh()
	const steps, hi = 8000, 8
	xs := make([]float32, steps+1)
	for i := range xs {
		xs[i] = float32(hi * float64(i) / steps)
	}
	g := s.gradient(e, xs)
	peak := 0.0
	for _, v := range append(s.gradient(e, random(newRand(0), 10000)), g...) {
		peak = max(peak, math.Abs(float64(v)))
	}
	at := func(x float32) float64 { return float64(s.gradient(e, []float32{x})[0]) }
	var out []float32
	for i := 1; i < len(xs); i++ {
		if !(math.Abs(float64(g[i]-g[i-1])) > 0.05*peak) {
			continue
		}
		lo, hi := xs[i-1], xs[i]
		glo, ghi := float64(g[i-1]), float64(g[i])
		for math.Nextafter32(lo, hi) < hi {
			mid := lo + (hi-lo)/2
			if mid <= lo || mid >= hi {
				break
			}
			if gm := at(mid); math.Abs(gm-glo) < math.Abs(gm-ghi) {
				lo, glo = mid, gm
			} else {
				hi, ghi = mid, gm
			}
		}
		out = append(out, math.Nextafter32(lo, 0), lo, hi, math.Nextafter32(hi, hi+1))
	}
	return out, peak
}

// boundary returns the special inputs every kernel is checked at.
func (s *suite) boundary() []float32 {
	inf := float32(math.Inf(1))
	pos := []float32{0, 1e-45, 1e-38, 1e-30, 1e-7, 0.25, 0.5, 1, 2, 4, 10, 100, 1e4, 1e10, 1e30, math.MaxFloat32, inf}
	for _, v := range []float32{0.5, 1, 2} {
		pos = append(pos, math.Nextafter32(v, 0), math.Nextafter32(v, 10))
	}
	pos = append(pos, s.jumps...)
	var out []float32
	for _, v := range pos {
		out = append(out, v, -v)
	}
	return out
}

// random returns n inputs drawn where surrogates live, at several scales:
// N(0,1), N(0,0.1²), U(-2,2), N(0,3²) and log-uniform magnitudes from 1e-8
// to 1e8 with random sign.
func random(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch u := rng.IntN(10); {
		case u < 4:
			x[i] = float32(rng.NormFloat64())
		case u < 6:
			x[i] = float32(0.1 * rng.NormFloat64())
		case u < 8:
			x[i] = float32(4*rng.Float64() - 2)
		case u < 9:
			x[i] = float32(3 * rng.NormFloat64())
		default:
			m := math.Pow(10, 16*rng.Float64()-8)
			if rng.IntN(2) == 0 {
				m = -m
			}
			x[i] = float32(m)
		}
	}
	return x
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

func finite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

// errs collects failures and reports the first few.
type errs struct {
	t     *testing.T
	n     int
	limit int
}

func (e *errs) add(format string, args ...any) {
	e.t.Helper()
	e.n++
	if e.n <= e.limit {
		e.t.Errorf(format, args...)
	}
}

func (e *errs) done() {
	e.t.Helper()
	if e.n > e.limit {
		e.t.Errorf("... %d failures in all", e.n)
	}
}

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
		if testing.Short() && n > 1<<16+1 || raceEnabled && n > 1<<10+1 && n != 1<<15 && n != 1<<16+1 {
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
	if raceEnabled {
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

func scalarGrads(e estimators.Estimator) []float32 {
	l, ok := e.(estimators.Learner)
	if !ok {
		return nil
	}
	var g []float32
	for _, s := range l.Scalars() {
		g = append(g, s.Grad)
	}
	return g
}

func (s *suite) testScalars(t *testing.T) {
	e := s.fresh()
	for _, sc := range e.(estimators.Learner).Scalars() {
		if !(sc.Value >= sc.Min && sc.Value <= sc.Max) {
			t.Errorf("scalar %s = %g, want it in [Min, Max] = [%g, %g]", sc.Name, sc.Value, sc.Min, sc.Max)
		}
		values := []float32{sc.Value}
		if top, ok := nearTop(sc); ok && top != sc.Value {
			values = append(values, top)
		}
		start := sc.Value
		for _, v := range values {
			t.Run(fmt.Sprintf("%s=%g", sc.Name, v), func(t *testing.T) {
				sc.Value = v
				s.checkScalar(t, e, sc)
			})
		}
		sc.Value, sc.Grad = start, 0
	}
}

// nearTop returns a value near the top of sc's range, Max - (Max-Min)/100,
// if the range is finite and not empty: where a scalar's gradient is most
// often ill-conditioned (DSQ's α near 1, BNN+'s large β), yet far enough
// below Max for central differences with a step of (Max-Min)/200.
func nearTop(sc *estimators.Scalar) (float32, bool) {
	lo, hi := float64(sc.Min), float64(sc.Max)
	if !(lo < hi) || math.IsInf(hi-lo, 0) {
		return 0, false
	}
	return float32(hi - (hi-lo)/100), true
}

// checkScalar checks the gradient e's Backward accumulates in sc at its
// current value.
func (s *suite) checkScalar(t *testing.T, e estimators.Estimator, sc *estimators.Scalar) {
	rng := newRand(11)
	x := random(rng, 500)
	dy := make([]float32, len(x))
	for i := range dy {
		dy[i] = float32(rng.NormFloat64())
	}
	er := &errs{t: t, limit: 5}
	dx := make([]float32, len(x))
	// Additive over calls.
	sc.Grad = 0
	e.Backward(dx, x, dy)
	one := sc.Grad
	e.Backward(dx, x, dy)
	if two := sc.Grad; math.Abs(float64(two-2*one)) > 1e-5*math.Abs(float64(one))+1e-30 || !finite(two) {
		er.add("scalar %s: Grad after two Backward calls = %g, want 2·%g", sc.Name, two, one)
	}
	// Per element: Backward against BackwardRef and finite differences.
	per := func(f func(dx, x, dy []float32), i int) float64 {
		sc.Grad = 0
		f(dx[i:i+1], x[i:i+1], dy[i:i+1])
		return float64(sc.Grad)
	}
	v := sc.Value
	// The step: relative to the value, within the range; near the top of
	// the range (nearTop) a larger one, so that the float32 rounding of the
	// surrogate stays small against the difference.
	h := min(1e-3*max(float32(math.Abs(float64(v))), 1e-3), (sc.Max-sc.Min)/4)
	if top, ok := nearTop(sc); ok && v == top {
		h = (sc.Max - sc.Min) / 200
	}
	lo, hi := max(v-h, sc.Min), min(v+h, sc.Max)
	var fast, ref, fd, fdTol []float64
	sm, smooth := e.(estimators.Smoother)
	r, hasRef := e.(estimators.Referencer)
	q := make([]float32, 1)
	for i := range x {
		fast = append(fast, per(e.Backward, i))
		if hasRef {
			ref = append(ref, per(r.BackwardRef, i))
		}
		if smooth {
			sc.Value = hi
			sm.Surrogate(q, x[i:i+1])
			qh := float64(q[0])
			sc.Value = lo
			sm.Surrogate(q, x[i:i+1])
			ql := float64(q[0])
			sc.Value = v
			fd = append(fd, float64(dy[i])*(qh-ql)/float64(hi-lo))
			// Up to 2 ulps of float32 rounding in each surrogate value.
			fdTol = append(fdTol, math.Abs(float64(dy[i]))*0x1p-22*(math.Abs(qh)+math.Abs(ql))/float64(hi-lo))
		}
	}
	sc.Grad = 0
	peak := 0.0
	for _, v := range fast {
		peak = max(peak, math.Abs(v))
	}
	for i := range x {
		if hasRef && math.Abs(fast[i]-ref[i]) > 1e-5*peak {
			er.add("scalar %s = %g: Backward(x=%g, dy=%g) adds %g to Grad, BackwardRef adds %g", sc.Name, v, x[i], dy[i], fast[i], ref[i])
		}
		if smooth && math.Abs(fast[i]-fd[i]) > 1e-2*peak+fdTol[i] {
			er.add("scalar %s = %g: Backward(x=%g, dy=%g) adds %g to Grad, want %g (central difference of dy·Surrogate in %s, step %g)", sc.Name, v, x[i], dy[i], fast[i], fd[i], sc.Name, h)
		}
	}
	// The whole slice at once, where vector kernels run: the sum of the
	// per-element terms, within the rounding their magnitudes allow.
	if hasRef {
		var want, scale float64
		for _, v := range ref {
			want += v
			scale += math.Abs(v)
		}
		sc.Grad = 0
		e.Backward(dx, x, dy)
		if got := float64(sc.Grad); !(math.Abs(got-want) <= 1e-5*scale+1e-30) {
			er.add("scalar %s = %g: Backward of %d elements adds %g to Grad, want %g (the sum of BackwardRef's per element)", sc.Name, v, len(x), got, want)
		}
		sc.Grad = 0
	}
	er.done()
}
