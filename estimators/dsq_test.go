package estimators

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/gradbench/gradbench/internal/impl/impltest"
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

// TestDSQAlphaGradient checks ∂φ/∂α against central differences in α
// across α's range, up to 0.999 where the formula cancels (see DSQ), and
// the Grad that Backward accumulates against Σ dy·∂φ/∂α.
func TestDSQAlphaGradient(t *testing.T) {
	for _, alpha := range []float64{0.001, 0.01, 0.2, 0.6, 0.9, 0.95, 0.99, 0.999} {
		for _, x := range []float64{-0.9, -0.3, 0.05, 0.5, 0.99, 1.5} {
			want := fd.Derivative(func(a float64) float64 { return dsqPhi(a, x) }, alpha, &fd.Settings{Formula: fd.Central, Step: 1e-6})
			if got := dsqDAlpha(alpha, x); math.Abs(got-want) > 1e-5*max(1e-3, math.Abs(want)) {
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

// TestDSQAlphaPinned checks ∂φ/∂α, from the reference (dsqDAlpha, in
// float64) and from Backward with each set of kernels, against values
// computed with 50-digit arithmetic (python3, mpmath, the formula of DSQ's
// doc comment) at the α in force, the float32 α (at the top of its range
// float32(0.999) = 0.999000012874603271484375), from the bottom to the top
// of its range.
func TestDSQAlphaPinned(t *testing.T) {
	xs := []float32{-1, -0.75, -0.3125, 0.0009765625, 0.5, 0.90625, 1}
	for _, tc := range []struct {
		alpha float32
		want  []float64 // at xs
	}{
		{0.001, []float64{0, 3.99619810465, 47.8972552814, -0.485289218919, -20.4723373084, -0.847956536437, 0}},
		{0.2, []float64{0, 0.35167431676, 0.450289269798, -0.00171448940452, -0.520833325357, -0.143269216199, 0}},
		{0.6, []float64{0, 0.0995173230564, 0.0913080481356, -0.000320687769239, -0.118821711702, -0.0474064778852, 0}},
		{0.9, []float64{0, 0.0220403639155, 0.0190119014064, -0.0000658938276482, -0.0252523719741, -0.0108561489424, 0}},
		{0.99, []float64{0, 0.00218766198872, 0.00188009193993, -0.00000651118557927, -0.00250024763854, -0.00107976951318, 0}},
		{0.999, []float64{0, 0.000218747347737, 0.000187986071867, -0.000000651033445109, -0.00024999703134, -0.000107969859943, 0}},
	} {
		peak := 0.0
		for _, w := range tc.want {
			peak = max(peak, math.Abs(w))
		}
		e := &DSQ{Alpha: tc.alpha, Learn: true}
		alpha := e.value()
		for i, x := range xs {
			if got := dsqDAlpha(alpha, float64(x)); !(math.Abs(got-tc.want[i]) <= 1e-9*peak) {
				t.Errorf("dsqDAlpha(α=%g, x=%g) = %.12g, want %.12g", alpha, x, got, tc.want[i])
			}
		}
		// 37 copies of one x with dy = 1, so that the vector kernels run
		// on it, whole vectors and a tail.
		const copies = 37
		impltest.Each(t, impls, func(t *testing.T) {
			xv, dy, dx := make([]float32, copies), ones(copies), make([]float32, copies)
			for i, x := range xs {
				for j := range xv {
					xv[j] = x
				}
				e.Scalars()[0].Grad = 0
				e.Backward(dx, xv, dy)
				if got := float64(e.Scalars()[0].Grad) / copies; !(math.Abs(got-tc.want[i]) <= 1e-6*peak) {
					t.Errorf("Backward(α=%g, x=%g) adds %.9g to Grad per element, want %.9g", alpha, x, got, tc.want[i])
				}
			}
		})
	}
}

// TestDSQAlphaGradientSum checks the Grad that Backward accumulates on
// many inputs, with each set of kernels, against the float64 reference
// across α's range: within 1e-6 of the sum of the terms' magnitudes (the
// float32 kernels measure ~1e-8; the cancelling formula gave 1e-5 at
// α = 0.9 and nothing useful at 0.999).
func TestDSQAlphaGradientSum(t *testing.T) {
	x, dy := kernelInputs(5, 3*sumBlock+77)
	for _, alpha := range []float32{0.001, 0.2, 0.6, 0.9, 0.99, 0.999} {
		e := &DSQ{Alpha: alpha, Learn: true}
		a := e.value()
		checkGradSum(t, e, x, dy, func(x float64) float64 { return dsqDAlpha(a, x) })
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

// TestDSQKernels cross-checks the vector kernels across α's range, with
// and without its gradient: up to α = 0.999, where the obvious formula for
// ∂φ/∂α cancels (see DSQ).
func TestDSQKernels(t *testing.T) {
	checkKernels(t, "dsq:alpha=0.01", "dsq:alpha=0.9",
		"dsq:learn=true,alpha=0.001", "dsq:learn=true", "dsq:learn=true,alpha=0.6",
		"dsq:learn=true,alpha=0.9", "dsq:learn=true,alpha=0.99", "dsq:learn=true,alpha=0.999")
}

// inForce returns the settings DSQ's kernels use (see TestParamsInForce).
func (e *DSQ) inForce() map[string]float64 {
	return map[string]float64{"alpha": e.value(), "learn": b2f(e.Learn)}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
