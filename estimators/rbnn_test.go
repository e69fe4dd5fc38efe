package estimators

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestRBNNFormula pins RBNN's g against the formula of arXiv 2009.13055 as
// its official code computes it, evaluated here in float64: t(p) =
// 10^(-2 + 3p), k = max(1/t, 1), g = k·max(0, √2·t - t²·|x|), at the
// triangle's foot √2/t with its float32 neighbours.
func TestRBNNFormula(t *testing.T) {
	for _, p := range []float64{0, 0.25, 0.5, 0.75, 1} {
		tt := math.Pow(10, -2+3*p)
		k := max(1/tt, 1)
		g := func(x float64) float64 { return k * max(0, math.Sqrt2*tt-tt*tt*math.Abs(x)) }
		pins := append(around(0, float32(math.Sqrt2/tt), float32(0.5*math.Sqrt2/tt), 1, 200), 1e30, float32(math.Inf(1)), float32(math.Inf(-1)))
		checkFormula(t, "rbnn", p, pins, g)
	}
}

func TestRBNNSchedule(t *testing.T) {
	for _, tc := range []struct{ p, t, k float64 }{{0, 0.01, 100}, {1, 10, 1}, {2.0 / 3, 1, 1}} {
		e := &RBNN{}
		e.SetProgress(tc.p)
		if gt, gk := e.tk(); math.Abs(gt-tc.t) > 1e-7*tc.t || math.Abs(gk-tc.k) > 1e-7*tc.k { // Tmin is float32(0.01)
			t.Errorf("RBNN at p=%g: t, k = %g, %g, want %g, %g", tc.p, gt, gk, tc.t, tc.k)
		}
	}
	if _, err := New("rbnn:tmin=5,tmax=1"); err == nil {
		t.Error(`New("rbnn:tmin=5,tmax=1") succeeded, want an error`)
	}
}

func TestRBNNDerivative(t *testing.T) {
	for _, p := range []float64{0, 0.5, 1} {
		e := &RBNN{}
		e.SetProgress(p)
		tt, k := e.tk()
		x0 := math.Sqrt2 / tt
		g := func(x float64) float64 { return rbnnG(tt, k, x) }
		s := func(x float64) float64 {
			c := max(-x0, min(x0, x))
			return k * (math.Sqrt2*tt*c - tt*tt*c*math.Abs(c)/2)
		}
		checkDerivative(t, fmt.Sprintf("rbnn p=%g", p), g, s, -2, 2, -x0, 0, x0)
	}
	checkFastSurrogate(t, "rbnn", -2, 2, 0)
}

func TestRBNNKernels(t *testing.T) { checkKernels(t, "rbnn:tmin=0.5,tmax=50", "rbnn:tmin=3,tmax=3") }

// inForce returns the settings RBNN's kernels use (see TestParamsInForce).
func (e *RBNN) inForce() map[string]float64 {
	lo, hi := e.bounds()
	return map[string]float64{"tmin": lo, "tmax": hi}
}

// TestRBNNLargeT: the fast kernel computes g as A - B·|x| with the slope
// B = k·t² in float32, which overflows past t ≈ 1.84e19; it then gave 0
// over the whole triangle (g(0) = 0, not √2·t), and the spec was accepted
// because 0 is finite. A t whose t² float32 cannot hold is refused; the
// largest one accepted keeps the fast kernel on the reference.
func TestRBNNLargeT(t *testing.T) {
	for _, spec := range []string{"rbnn:tmax=1e20", "rbnn:tmin=1.9e19,tmax=1.9e19", "rbnn:tmax=3e38"} {
		if _, err := New(spec); err == nil || !strings.Contains(err.Error(), "want a number in (0, 1e+19]") {
			t.Errorf("New(%s): %v, want it refused for its t", spec, err)
		}
	}
	e, err := New("rbnn:tmin=1e19,tmax=1e19")
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{0, 1e-38, -1e-38, 1e-20, 1.4e-19, 1e-10}
	fast, ref := make([]float32, len(x)), make([]float32, len(x))
	e.Backward(fast, x, ones(len(x)))
	e.(Referencer).BackwardRef(ref, x, ones(len(x)))
	for i := range x {
		if math.Abs(float64(fast[i])-float64(ref[i])) > 1e-5*float64(ref[0]) {
			t.Errorf("rbnn at t = 1e19: Backward(x=%g) = %g, BackwardRef = %g", x[i], fast[i], ref[i])
		}
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "RBNN.Tmax = 1e+20") {
				t.Errorf("RBNN{Tmax: 1e20}.Backward: recovered %v, want a panic naming Tmax", r)
			}
		}()
		(&RBNN{Tmax: 1e20}).Backward(make([]float32, 1), []float32{0}, []float32{1})
	}()
}
