//go:build !purego

package estimators

import (
	"slices"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestAVX2Installed checks that a CPU with AVX2 and FMA gets the assembly
// kernels, which TestVecMatchesPortable and TestConformance then check.
func TestAVX2Installed(t *testing.T) {
	if !(cpu.X86.HasAVX2 && cpu.X86.HasFMA) {
		t.Skip("the CPU lacks AVX2 or FMA")
	}
	if !slices.Contains(Impls(), "go-avx2") {
		t.Errorf("CPU with AVX2 and FMA, but Impls() = %v lacks \"go-avx2\"", Impls())
	}
}

// TestAVX512Installed checks that a CPU with AVX-512 gets the AVX-512
// assembly kernels, and uses them by default.
func TestAVX512Installed(t *testing.T) {
	if !(cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasAVX512F) {
		t.Skip("the CPU lacks AVX-512")
	}
	if impls := Impls(); impls[len(impls)-1] != "go-avx512" {
		t.Errorf("CPU with AVX-512, but Impls() = %v does not end with \"go-avx512\"", impls)
	}
}
