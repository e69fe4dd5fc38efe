package estimators

import "testing"

// Pinned values of g(x) = max(0, 2 - 2|x|) (Bi-Real Net, ECCV 2018, Eq. 8).
func TestApproxSignPinned(t *testing.T) {
	checkPinned(t, "approxsign", -1, []pin{{0, 2}, {0.25, 1.5}, {-0.75, 0.5}, {0.5, 1}, {1, 0}, {3, 0}, {1e30, 0}})
}

func TestApproxSignDerivative(t *testing.T) {
	// The surrogate is C¹ but g has kinks at 0 and ±1.
	checkDerivative(t, "approxsign", approxSignG, approxSignS, -1.5, 1.5, -1, 0, 1)
	checkFastSurrogate(t, "approxsign", -1.5, 1.5, -1, 0, 1)
}
