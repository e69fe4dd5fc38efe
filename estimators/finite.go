package estimators

import (
	"fmt"
	"math"
)

// finiteProbe holds the x at which Parse evaluates a spec's gradient g: 0
// and ± each power of ten from 1e-38 to 1e38, ±1, ±π/2 and the largest
// float32. The conformance contract (g finite for every finite x) holds
// for every estimator at its defaults, but a parameter can break it: FDA's
// g(0) = 4ωN/π overflows for ω near the float32 limit, BiPer's ω·x for x
// past 1. The probe catches such a parameter when the spec is read,
// rather than as NaN weights mid-training or an infinite curve.
var finiteProbe = func() []float32 {
	xs := []float32{0, 1, math.Pi / 2, math.MaxFloat32}
	for e := -38; e <= 38; e++ {
		xs = append(xs, float32(math.Pow(10, float64(e))))
	}
	n := len(xs)
	for _, x := range xs[:n] {
		if x != 0 {
			xs = append(xs, -x)
		}
	}
	return xs
}()

// checkFinite evaluates e's Backward with dy = 1 at finiteProbe, at the
// start and the end of training for an estimator with a schedule, and
// refuses a non-finite g.
func checkFinite(e Estimator) error {
	dx := make([]float32, len(finiteProbe))
	dy := make([]float32, len(finiteProbe))
	for i := range dy {
		dy[i] = 1
	}
	check := func(at string) error {
		e.Backward(dx, finiteProbe, dy)
		for i, g := range dx {
			if math.IsNaN(float64(g)) || math.IsInf(float64(g), 0) {
				return fmt.Errorf("g(x=%g) = %g%s: want a finite gradient for every finite x (a smaller parameter keeps it finite)", finiteProbe[i], g, at)
			}
		}
		return nil
	}
	s, ok := e.(Scheduler)
	if !ok {
		return check("")
	}
	defer s.SetProgress(0)
	for _, p := range []float64{0, 1} {
		s.SetProgress(p)
		if err := check(fmt.Sprintf(" at progress %g", p)); err != nil {
			return err
		}
	}
	return nil
}
