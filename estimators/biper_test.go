package estimators

import (
	"math"
	"testing"
)

// TestBiPerFormula pins BiPer's g(w) = ω·cos(ω·w) (arXiv 2404.01278) at
// ω = 20 and ω = 30 (the code's default), evaluated here in float64, at
// the zeros and extrema of the cosine with their float32 neighbours and at
// large |w|, past where the kernels switch from their own reduction to
// math.Cos.
func TestBiPerFormula(t *testing.T) {
	for _, omega := range []float64{20, 30} {
		w := float64(float32(omega))
		g := func(x float64) float64 {
			if math.IsInf(x, 0) {
				return 0
			}
			return w * math.Cos(w*x)
		}
		var pins []float32
		for k := range 8 {
			pins = append(pins, around(float32(float64(k)*math.Pi/(2*w)))...)
		}
		pins = append(pins, 0.3, -1.7, 12.5, 1e3, 2e5, 3e5, 1e10, 1e30, math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)))
		spec := "biper"
		if omega != 20 {
			spec = "biper:omega=30"
		}
		checkFormula(t, spec, -1, pins, g)
	}
}

// TestBiPerForward checks q(w) = sign(sin(ω·w)) (sign(0) = +1) against
// math.Sin in float64 on the float32 values next to every sign change in
// [-50, 50] and at large |w|, and NaN for NaN and ±Inf.
func TestBiPerForward(t *testing.T) {
	e := &BiPer{}
	w := 20.0
	var xs []float32
	for k := -320; k <= 320; k++ {
		xs = append(xs, around(float32(float64(k)*math.Pi/w))...)
	}
	xs = append(xs, 1e3, -2e5, 3e5, 1e10, -1e30, math.MaxFloat32)
	got := make([]float32, len(xs))
	e.Forward(got, xs)
	for i, x := range xs {
		s := math.Sin(w * float64(x))
		want := float32(1)
		if s < 0 {
			want = -1
		}
		if got[i] != want {
			t.Errorf("Forward(w=%g) = %g, want %g (sin(ω·w) = %g)", x, got[i], want, s)
		}
	}
	for _, x := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		q := []float32{7}
		e.Forward(q, []float32{x})
		if !math.IsNaN(float64(q[0])) {
			t.Errorf("Forward(w=%g) = %g, want NaN", x, q[0])
		}
	}
}

// TestBiPerKernels cross-checks the kernels at other ω, and on inputs
// large enough that the vector routine hands vectors to the portable loop.
func TestBiPerKernels(t *testing.T) {
	checkKernels(t, "biper:omega=1", "biper:omega=300", "biper:omega=3e6")
}

// inForce returns the settings BiPer's kernels use (see TestParamsInForce).
func (e *BiPer) inForce() map[string]float64 { return map[string]float64{"omega": float64(e.omega())} }
