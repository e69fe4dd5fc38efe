package estimators

import (
	"fmt"
	"math"
	"testing"
)

// Pinned values of g(x) = k·t·(1 - tanh²(tx)) with t(p) = 0.1·100^p and
// k = max(1/t, 1), computed independently with python3 (math.tanh).
func TestEDEPinned(t *testing.T) {
	checkPinned(t, "ede", 0, []pin{{0, 1}, {0.5, 0.997504}, {1, 0.990066}})   // t = 0.1, k = 10
	checkPinned(t, "ede", 0.5, []pin{{0, 1}, {0.5, 0.786448}, {1, 0.419974}}) // t = 1, k = 1
	checkPinned(t, "ede", 1, []pin{{0, 10}, {0.5, 0.001816}, {1e30, 0}})      // t = 10, k = 1
}

func TestEDESchedule(t *testing.T) {
	for _, tc := range []struct{ p, t, k float64 }{{0, 0.1, 10}, {0.5, 1, 1}, {1, 10, 1}, {0.25, math.Sqrt(0.1), math.Sqrt(10)}} {
		e := &EDE{}
		e.SetProgress(tc.p)
		if gt, gk := e.tk(); math.Abs(gt-tc.t) > 1e-6 || math.Abs(gk-tc.k) > 1e-6 {
			t.Errorf("EDE at p=%g: t, k = %g, %g, want %g, %g", tc.p, gt, gk, tc.t, tc.k)
		}
	}
	if _, err := New("ede:tmin=5,tmax=1"); err == nil {
		t.Error(`New("ede:tmin=5,tmax=1") succeeded, want an error`)
	}
}

func TestEDEDerivative(t *testing.T) {
	for _, p := range []float64{0, 0.5, 1} {
		e := &EDE{}
		e.SetProgress(p)
		tt, k := e.tk()
		g := func(x float64) float64 { return edeG(tt, k, x) }
		s := func(x float64) float64 { return k * math.Tanh(tt*x) }
		checkDerivative(t, fmt.Sprintf("ede p=%g", p), g, s, -2, 2)
	}
	checkFastSurrogate(t, "ede", -2, 2)
}

func TestEDEKernels(t *testing.T) {
	// tmax past 2^124: kt beyond what the vector routines take (see
	// ede_amd64.go), at p = 1 only.
	checkKernels(t, "ede:tmin=0.5,tmax=50", "ede:tmin=1e37,tmax=8e37")
}

// inForce returns the settings EDE's kernels use (see TestParamsInForce).
func (e *EDE) inForce() map[string]float64 {
	lo, hi := e.bounds()
	return map[string]float64{"tmin": lo, "tmax": hi}
}
