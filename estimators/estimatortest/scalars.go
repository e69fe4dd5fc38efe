package estimatortest

import (
	"fmt"
	"math"
	"testing"

	"github.com/gradbench/gradbench/estimators"
)

// The checks of an estimator's learnable scalars (estimators.Learner).

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
		s.checkHugeScalar(er, e, sc, r, append(s.boundary(), x...))
	}
	er.done()
}

// checkHugeScalar checks the gradient Backward accumulates in sc over x
// (boundary values and random ones) with dy near ±MaxFloat32 on every element, all of one
// sign and of mixed signs: it must be the float64 sum of the terms
// within 1e-5 of their magnitudes' sum, and ±Inf only where that sum is
// within the tolerance of overflowing float32. The terms are those
// BackwardRef adds per element at dy = 1, times dy: each is linear in dy.
// A kernel that forms dy·g first, or any product that overflows before
// the term does, gives ±Inf or NaN (Inf·0, Inf - Inf) instead.
func (s *suite) checkHugeScalar(er *errs, e estimators.Estimator, sc *estimators.Scalar, r estimators.Referencer, x []float32) {
	const maxF = math.MaxFloat32
	unit := make([]float64, len(x))
	dx, dy := make([]float32, len(x)), make([]float32, len(x))
	for i := range x {
		sc.Grad = 0
		dy[0] = 1
		r.BackwardRef(dx[:1], x[i:i+1], dy[:1])
		unit[i] = float64(sc.Grad)
	}
	rng := newRand(12)
	for _, d := range []float64{1e38, -maxF, maxF / 3} {
		for _, mixed := range []bool{false, true} {
			var want, scale float64
			for i := range dy {
				dy[i] = float32(d)
				if mixed && rng.IntN(2) == 0 {
					dy[i] = -dy[i]
				}
				want += float64(dy[i]) * unit[i]
				scale += math.Abs(float64(dy[i]) * unit[i])
			}
			sc.Grad = 0
			e.Backward(dx, x, dy)
			got := float64(sc.Grad)
			tol := 1e-5*scale + 1e-30
			if math.Abs(got-want) <= tol || math.IsInf(got, 0) && got*want > 0 && math.Abs(want) >= maxF-tol {
				continue
			}
			er.add("scalar %s = %g: Backward of %d elements with dy = ±%g (mixed signs: %v) adds %g to Grad, want %g (the float64 sum of its terms; tolerance %g)",
				sc.Name, sc.Value, len(x), math.Abs(d), mixed, got, want, tol)
		}
	}
	sc.Grad = 0
}
