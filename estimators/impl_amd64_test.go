//go:build !purego

package estimators

import (
	"slices"
	"testing"

	"golang.org/x/sys/cpu"

	"github.com/gradbench/gradbench/internal/impl"
)

// TestAssemblyInstalled checks that a CPU with AVX2 and FMA gets the
// "avx2" kernels and one with AVX-512 too the "avx512" ones, by default;
// TestKernelsMatchPortable and TestConformance then check them.
func TestAssemblyInstalled(t *testing.T) {
	have := Impls()
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA && !slices.Contains(have, impl.AVX2) {
		t.Errorf("CPU with AVX2 and FMA, but Impls() = %v lacks %q", have, impl.AVX2)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasAVX512F && Impl() != impl.AVX512 {
		t.Errorf("CPU with AVX-512, but Impl() = %q, want %q", Impl(), impl.AVX512)
	}
}
