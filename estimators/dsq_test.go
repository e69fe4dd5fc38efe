package estimators

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// Pinned values of g(x) = s·k·(1 - tanh²(kx)), k = ½·ln(2/α - 1),
// s = 1/tanh(k), computed independently with python3 (math.log, math.tanh).
func TestDSQPinned(t *testing.T) {
	checkPinned(t, "dsq", -1, []pin{
		{0, 1.373265}, // α = 0.2: k = ln(9)/2, s = 1.25, g(0) = s·k
		{0.5, 1.029949},
		{-0.5, 1.029949},
		{1, 0.494376},
		{1.01, 0}, // past the quantizer range [-1, 1]
	})
	checkPinned(t, "dsq:alpha=0.4", -1, []pin{{0, 1.155245}, {0.5, 1.026885}, {1, 0.739357}})
}

func TestDSQDerivative(t *testing.T) {
	for _, alpha := range []float64{0.001, 0.05, 0.2, 0.5, 0.9, 0.999} {
		g := func(x float64) float64 { return dsqG(alpha, x) }
		s := func(x float64) float64 { return dsqPhi(alpha, x) }
		checkDerivative(t, fmt.Sprintf("dsq α=%g", alpha), g, s, -1, 1)
	}
	checkFastSurrogate(t, "dsq", -1.5, 1.5, -1, 1)
	checkFastSurrogate(t, "dsq:alpha=0.02", -1.5, 1.5, -1, 1)
}

// TestDSQAlphaGradient checks ∂φ/∂α against central differences in α, and
// the Grad that Backward accumulates against Σ dy·∂φ/∂α.
func TestDSQAlphaGradient(t *testing.T) {
	for _, alpha := range []float64{0.01, 0.2, 0.6, 0.95} {
		for _, x := range []float64{-0.9, -0.3, 0.05, 0.5, 0.99, 1.5} {
			want := fd.Derivative(func(a float64) float64 { return dsqPhi(a, x) }, alpha, &fd.Settings{Formula: fd.Central, Step: 1e-6})
			if got := dsqDAlpha(alpha, x); math.Abs(got-want) > 1e-5*max(1, math.Abs(want)) {
				t.Errorf("∂φ/∂α(α=%g, x=%g) = %.8g, want %.8g (central difference)", alpha, x, got, want)
			}
		}
	}
	e := &DSQ{Alpha: 0.3, Learn: true}
	x := []float32{-1.2, -0.7, -0.1, 0, 0.2, 0.6, 0.95, 3}
	dy := []float32{0.5, -1, 2, 1, -0.25, 1.5, -2, 4}
	var want float64
	for i := range x {
		want += float64(dy[i]) * dsqDAlpha(float64(float32(0.3)), float64(x[i]))
	}
	e.Backward(make([]float32, len(x)), x, dy)
	sc := e.Scalars()[0]
	if math.Abs(float64(sc.Grad)-want) > 1e-5*max(1, math.Abs(want)) {
		t.Errorf("Grad of α after Backward = %g, want %g", sc.Grad, want)
	}
	if sc.Name != "alpha" || sc.Min != 1e-3 || sc.Max != 0.999 || sc.Value != 0.3 {
		t.Errorf("scalar = %+v, want alpha = 0.3 in [1e-3, 0.999]", *sc)
	}
	// The surrogate follows the learned value.
	sc.Value = 0.6
	checkPinnedEstimator(t, e, 0, dsqG(0.6, 0))
	if s := (&DSQ{}).Scalars(); s != nil {
		t.Errorf("DSQ without Learn: Scalars() = %v, want nil", s)
	}
}

// checkPinnedEstimator checks the fast g of e at x.
func checkPinnedEstimator(t *testing.T, e Estimator, x float32, want float64) {
	t.Helper()
	dx := make([]float32, 1)
	e.Backward(dx, []float32{x}, []float32{1})
	if math.Abs(float64(dx[0])-want) > 2e-6*max(1, math.Abs(want)) {
		t.Errorf("Backward(x=%g) = %g, want %g", x, dx[0], want)
	}
}
