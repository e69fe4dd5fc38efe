package estimators

import "testing"

// Pinned values of g(x) = 1 if |x| <= c else 0 ("Binarized Neural Networks", NeurIPS 2016).
func TestSTEPinned(t *testing.T) {
	checkPinned(t, "ste", -1, []pin{{0, 1}, {-1, 1}, {1, 1}, {1.0000001, 0}, {-1.0000001, 0}, {1e30, 0}})
	checkPinned(t, "ste:c=0.5", -1, []pin{{0.5, 1}, {0.50000006, 0}})
}

func TestSTEDerivative(t *testing.T) {
	checkFastSurrogate(t, "ste", -1.5, 1.5, -1, 1)
	checkFastSurrogate(t, "ste:c=0.5", -1.5, 1.5, -0.5, 0.5)
}

func TestSTEKernels(t *testing.T) { checkKernels(t, "ste:c=0.3") }

// inForce returns the settings STE's kernels use (see TestParamsInForce).
func (e *STE) inForce() map[string]float64 { return map[string]float64{"c": float64(e.clip())} }
