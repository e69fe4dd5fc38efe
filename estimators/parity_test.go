package estimators

import (
	"math"
	"testing"
)

// checkFormula is the level-1 parity check of an estimator against its
// formula: at each pinned float32 x, with the formula evaluated in float64
// at that x by the test (independently of the package's code), Backward
// under every implementation and BackwardRef must give g(x) within 2e-6 of
// max(1, |g(x)|), at progress p (p < 0: no SetProgress).
func checkFormula(t *testing.T, spec string, p float64, xs []float32, g func(x float64) float64) {
	t.Helper()
	saved := Impl()
	defer SetImpl(saved)
	for _, impl := range Impls() {
		if err := SetImpl(impl); err != nil {
			t.Fatal(err)
		}
		e, err := New(spec)
		if err != nil {
			t.Fatal(err)
		}
		if p >= 0 {
			e.(Scheduler).SetProgress(p)
		}
		for _, x := range xs {
			want := g(float64(x))
			in, dy := []float32{x}, []float32{1}
			fast, ref := make([]float32, 1), make([]float32, 1)
			e.Backward(fast, in, dy)
			e.(Referencer).BackwardRef(ref, in, dy)
			tol := 2e-6 * max(1, math.Abs(want))
			if d := math.Abs(float64(fast[0]) - want); !(d <= tol) {
				t.Errorf("%s p=%g impl=%s: Backward(x=%g) = %.9g, want %.9g", spec, p, impl, x, fast[0], want)
			}
			if d := math.Abs(float64(ref[0]) - want); !(d <= tol) {
				t.Errorf("%s p=%g: BackwardRef(x=%g) = %.9g, want %.9g", spec, p, x, ref[0], want)
			}
		}
	}
}

// around returns x and its float32 neighbours, for pins at segment
// boundaries: both signs of each.
func around(xs ...float32) []float32 {
	var out []float32
	inf := float32(math.Inf(1))
	for _, x := range xs {
		for _, v := range []float32{math.Nextafter32(x, 0), x, math.Nextafter32(x, inf)} {
			out = append(out, v, -v)
		}
	}
	return out
}
