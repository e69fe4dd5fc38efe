//go:build goexperiment.simd && amd64

package estimators

import (
	"slices"
	"testing"

	"simd/archsimd"
)

// TestSIMDInstalled checks that a GOEXPERIMENT=simd build on a CPU with
// AVX-512 offers the archsimd kernels, which TestVecMatchesPortable and
// TestConformance then check.
func TestSIMDInstalled(t *testing.T) {
	if !archsimd.X86.AVX512() {
		t.Skip("the CPU has no AVX-512")
	}
	if !slices.Contains(Impls(), "simd") {
		t.Errorf("AVX-512 CPU, but Impls() = %v lacks \"simd\"", Impls())
	}
}
