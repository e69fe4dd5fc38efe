package estimators

import (
	"math"
	"testing"
)

// TestExprFunctionOfInteger: a function of the formula language takes a
// number however the language typed it. min, max and abs keep an
// integer an integer, and so do a conditional's and a let binding's
// integer constants, so exp(max(0, x)) hands exp the integer 0 where
// x < 0; each such formula is used as written, at every x.
func TestExprFunctionOfInteger(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want func(x float64) float64
	}{
		{"expr:g=exp(max(0, x)),c=1.5", func(x float64) float64 { return math.Exp(max(0, x)) }},
		{"expr:g=sin(max(0, 1 - abs(x))),c=1.5", func(x float64) float64 { return math.Sin(max(0, 1-math.Abs(x))) }},
		{"expr:g=exp(min(x, 0)),c=1.5", func(x float64) float64 { return math.Exp(min(x, 0)) }},
		{"expr:g=cosh(abs(-1)) + x*x,c=1.5", func(x float64) float64 { return math.Cosh(1) + x*x }},
		{"expr:g=exp(x >= 0 ? 1 : 2),knots=0,c=1.5", func(x float64) float64 {
			if x >= 0 {
				return math.E
			}
			return math.Exp(2)
		}},
		{"expr:g=let a = 2; exp(a) - x,c=1.5", func(x float64) float64 { return math.Exp(2) - x }},
	} {
		e, err := New(tc.spec)
		if err != nil {
			t.Errorf("New(%s): %v, want it accepted", tc.spec, err)
			continue
		}
		for _, x := range []float32{-1.25, -0.5, 0, 0.5, 1.25} {
			dx := []float32{0}
			e.(*Expr).BackwardRef(dx, []float32{x}, []float32{1})
			if want := float32(tc.want(float64(x))); dx[0] != want {
				t.Errorf("%s: g(%g) = %g, want %g", tc.spec, x, dx[0], want)
			}
		}
	}
}
