package estimators

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// Pinned values of g(x) = β(2 - βx·tanh(βx/2))/(1 + cosh(βx)), computed
// independently with python3 (math.tanh, math.cosh).
func TestBNNPlusPinned(t *testing.T) {
	checkPinned(t, "bnnplus", -1, []pin{
		{0, 5}, // g(0) = β
		{0.2, 3.023661},
		{0.5, -0.084622}, // negative past |βx| ≈ 2.3994: the method, not a bug
		{-0.5, -0.084622},
		{1, -0.194992},
		{20, 0}, // |βx| = 100 > 88: cosh overflows float32, g = 0
		{1e30, 0},
	})
	checkPinned(t, "bnnplus:beta=10", -1, []pin{{0, 10}, {0.1, 6.047322}})
}

func TestBNNPlusDerivative(t *testing.T) {
	for _, beta := range []float64{0.5, 5, 20} {
		g := func(x float64) float64 { return bnnPlusG(beta, x) }
		s := func(x float64) float64 { return bnnPlusS(beta, x) }
		checkDerivative(t, fmt.Sprintf("bnnplus β=%g", beta), g, s, -3, 3)
	}
	checkFastSurrogate(t, "bnnplus", -2, 2)
}

// TestBNNPlusBetaGradient checks ∂SS/∂β = (x/β)·g against central
// differences in β, and the Grad that Backward accumulates against its sum.
// (x/β)·g = x·(2 - βx·tanh(βx/2))/(1 + cosh βx) is a product of terms that
// do not cancel, at any β: unlike DSQ's ∂φ/∂α it needs no rearranging
// (TestBNNPlusBetaGradientSum measures it from β = 1e-3 to 1e3).
func TestBNNPlusBetaGradient(t *testing.T) {
	for _, beta := range []float64{0.001, 0.5, 5, 20, 1000} {
		for _, x := range []float64{-0.9, -0.3, -0.003, 0.0005, 0.05, 0.5, 2} {
			want := fd.Derivative(func(b float64) float64 { return bnnPlusS(b, x) }, beta, &fd.Settings{Formula: fd.Central, Step: 1e-6 * max(1, beta)})
			if got := x / beta * bnnPlusG(beta, x); math.Abs(got-want) > 1e-6*math.Abs(want)+1e-8 {
				t.Errorf("∂SS/∂β(β=%g, x=%g) = %.8g, want %.8g (central difference)", beta, x, got, want)
			}
		}
	}
	e := &BNNPlus{Learn: true}
	x := []float32{-1e30, -0.7, -0.1, 0, 0.2, 0.6, 30, float32(math.Inf(1))}
	dy := []float32{0.5, -1, 2, 1, -0.25, 1.5, -2, 4}
	var want float64
	for i := range x {
		if g := bnnPlusG(5, float64(x[i])); g != 0 {
			want += float64(dy[i]) * float64(x[i]) / 5 * g
		}
	}
	e.Backward(make([]float32, len(x)), x, dy)
	if sc := e.Scalars()[0]; math.Abs(float64(sc.Grad)-want) > 1e-5*max(1, math.Abs(want)) {
		t.Errorf("Grad of β after Backward = %g, want %g", sc.Grad, want)
	}
}

// TestBNNPlusBetaGradientSum checks the Grad that Backward accumulates on
// many inputs, with each set of kernels, against the float64 reference
// across β's range [1e-3, 1e3].
func TestBNNPlusBetaGradientSum(t *testing.T) {
	x, dy := kernelInputs(5, 3*sumBlock+77)
	for i := range x {
		if i%3 == 0 {
			x[i] *= 1e-3 // where βx is of order 1 for a large β
		}
	}
	for _, beta := range []float32{0.001, 0.01, 0.5, 5, 30, 1000} {
		e := &BNNPlus{Beta: beta, Learn: true}
		b := e.value()
		checkGradSum(t, e, x, dy, func(x float64) float64 {
			if g := bnnPlusG(b, x); g != 0 {
				return x / b * g
			}
			return 0
		})
	}
}

// TestBNNPlusKernels cross-checks the vector kernels across β's range,
// with and without its gradient.
func TestBNNPlusKernels(t *testing.T) {
	checkKernels(t, "bnnplus:beta=30", "bnnplus:beta=0.01",
		"bnnplus:learn=true,beta=0.001", "bnnplus:learn=true,beta=0.01", "bnnplus:learn=true",
		"bnnplus:learn=true,beta=30", "bnnplus:learn=true,beta=1000")
}

// inForce returns the settings BNN+'s kernels use (see TestParamsInForce).
func (e *BNNPlus) inForce() map[string]float64 {
	return map[string]float64{"beta": e.value(), "learn": b2f(e.Learn)}
}
