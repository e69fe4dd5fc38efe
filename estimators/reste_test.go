package estimators

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestReSTEFormula pins ReSTE's g against the formula of arXiv 2308.06689
// as its official code computes it, evaluated here in float64: at the
// defaults O = 3, T = 1.5, o(p) = 1 + 2·(1 - cos(πp/2)), and g = 0.1^(1/o)/0.1
// on |x| <= 0.1, (1/o)·|x|^((1-o)/o) on 0.1 < |x| <= 1.5, 0 beyond; at the
// boundaries 0.1 and 1.5 with their float32 neighbours.
func TestReSTEFormula(t *testing.T) {
	pins := append(around(0, 0.05, 0.1, 0.3, 1, 1.5, 2), 0.7, -0.9, 1e-30, 1e30, float32(math.Inf(1)), float32(math.Inf(-1)))
	for _, p := range []float64{0, 0.25, 0.5, 1} {
		o := 1 + 2*(1-math.Cos(math.Pi*p/2))
		g := func(x float64) float64 {
			a := math.Abs(x)
			switch {
			case a <= 0.1:
				return math.Pow(0.1, 1/o) / 0.1
			case a <= 1.5:
				return (1 / o) * math.Pow(a, (1-o)/o)
			}
			return 0
		}
		checkFormula(t, "reste", p, pins, g)
	}
	// At o = 1 it is STE clipped at T.
	checkFormula(t, "reste:t=1.25", 0, around(0.5, 1.25), func(x float64) float64 {
		if math.Abs(x) <= 1.25 {
			return 1
		}
		return 0
	})
	checkFormula(t, "reste:o=2,t=0.5", 1, around(0.1, 0.2, 0.5), func(x float64) float64 {
		a := math.Abs(x)
		switch {
		case a <= 0.1:
			return math.Sqrt(0.1) / 0.1
		case a <= 0.5:
			return 0.5 / math.Sqrt(a)
		}
		return 0
	})
}

func TestReSTESchedule(t *testing.T) {
	for _, tc := range []struct{ p, o float64 }{{0, 1}, {1, 3}, {0.5, 1 + 2*(1-math.Sqrt(0.5))}} {
		e := &ReSTE{}
		e.SetProgress(tc.p)
		if _, _, o := e.params(); math.Abs(o-tc.o) > 1e-12 {
			t.Errorf("ReSTE at p=%g: o = %g, want %g", tc.p, o, tc.o)
		}
	}
	for _, spec := range []string{"reste:o=0.5", "reste:t=0.1", "reste:t=0.05"} {
		if _, err := New(spec); err == nil {
			t.Errorf("New(%q) succeeded, want an error", spec)
		}
	}
}

func TestReSTEDerivative(t *testing.T) {
	for _, p := range []float64{0, 0.5, 1} {
		e := &ReSTE{}
		e.SetProgress(p)
		_, tt, o := e.params()
		g := func(x float64) float64 { return resteG(o, tt, x) }
		s := func(x float64) float64 {
			a := math.Abs(x)
			if a <= 0.1 {
				return math.Pow(0.1, 1/o) / 0.1 * x
			}
			return math.Copysign(math.Pow(min(a, tt), 1/o), x)
		}
		checkDerivative(t, fmt.Sprintf("reste p=%g", p), g, s, -2, 2, -1.5, -0.1, 0.1, 1.5)
	}
	checkFastSurrogate(t, "reste", -2, 2, -1.5, -0.1, 0.1, 1.5)
}

// TestReSTEIndicator checks the estimating error against its definition,
// ‖sign(w)·|w|^(1/3) - sign(w)‖₂, on values whose cube roots are exact.
func TestReSTEIndicator(t *testing.T) {
	e, _ := New("reste")
	name, v := e.(Indicator).Indicator([]float32{0.125, -0.125, 1, -8, 0})
	// |w|^(1/3) - 1: -0.5, -0.5, 0, 1, -1 (sign(0) = +1).
	if want := math.Sqrt(0.25 + 0.25 + 0 + 1 + 1); name != "estimating_error" || math.Abs(v-want) > 1e-12 {
		t.Errorf("Indicator = %s %g, want estimating_error %g", name, v, want)
	}
}

// TestLog2Bits checks log2Bits against math.Log2 over every binade a
// kernel meets and random normal floats.
func TestLog2Bits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	worst := 0.0
	for i := 0; i < 1_000_000; i++ {
		x := float32(math.Ldexp(1+rng.Float64(), rng.IntN(60)-30))
		if i < 100_000 {
			x = float32(0.1 + 1.5*rng.Float64())
		}
		got := float64(log2Bits(math.Float32bits(x)))
		want := math.Log2(float64(x))
		k := math.Abs(math.Floor(want + 0.5))
		if d := math.Abs(got - want); d > 2.5e-7*(1+k) {
			t.Fatalf("log2Bits(%g) = %.9g, want %.9g", x, got, want)
		}
		worst = max(worst, math.Abs(got-want)/(1+k))
	}
	t.Logf("max |log2Bits - log2|/(1+|k|) = %.3g", worst)
}

func TestReSTEKernels(t *testing.T) { checkKernels(t, "reste:o=1", "reste:o=10,t=4", "reste:t=0.2") }

// inForce returns the settings ReSTE's kernels use (see TestParamsInForce).
func (e *ReSTE) inForce() map[string]float64 {
	o, t, _ := e.params()
	return map[string]float64{"o": o, "t": t}
}
