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
//   - dx is dy·g(x), within 1e-5 of peak|g|·|dy|, for dy near ±MaxFloat32
//     and for tiny and subnormal dy, and ±Inf only where that product is
//     within the tolerance of overflowing float32 (g from the reference
//     kernel if there is one);
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
//     (0, ½, 1 with -short; ½ alone under the race detector);
//   - for a [estimators.Learner] with scalars: Backward accumulates a finite
//     gradient, unchanged by dy = 0 and additive over calls; BackwardRef
//     accumulates the same per element, and Backward over a whole slice
//     their sum; with a Smoother, the gradient matches central finite
//     differences of Σ dy·q̃(x) in the scalar; with dy near ±MaxFloat32,
//     the gradient over a whole slice is the float64 sum of the terms, or
//     ±Inf only where that sum overflows float32. All of this at the scalar's
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
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/racebuild"
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
	if racebuild.Enabled {
		// The race detector slows every memory access about tenfold;
		// the other builds compare with the reference in full.
		s.samples = 10_000
	}
	progress := []float64{-1} // -1: leave the schedule alone
	if s.sched {
		progress = []float64{0, 0.25, 0.5, 0.75, 1}
		if testing.Short() {
			progress = []float64{0, 0.5, 1}
		}
		// The schedule changes what the kernels compute, not how they
		// split over the pool: one point of it under the race detector.
		if racebuild.Enabled {
			progress = []float64{0.5}
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
			t.Run("DyRange", s.testDyRange)
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
