package estimators

import (
	"math"
	"testing"
)

// TestIdentityFormula pins g = 1 everywhere (arXiv 1903.05662's identity
// STE), ±Inf included.
func TestIdentityFormula(t *testing.T) {
	pins := append(around(0, 1, 1e30), float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32)
	checkFormula(t, "identity", -1, pins, func(float64) float64 { return 1 })
}
