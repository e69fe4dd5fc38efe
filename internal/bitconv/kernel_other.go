//go:build !amd64 || purego

package bitconv

import "github.com/gradbench/gradbench/internal/impl"

// Other architectures (and the purego build tag) have no assembly
// kernels: only the portable implementation, and no simd one either.

const hasAVX512 = false

func vzeroupper() {}

// The assembly implementations are recorded as not available, saying what
// they need, as for "simd" (simd_other.go).
func init() {
	impls.Add(impl.AVX2, false, "a build on amd64 without the purego build tag, and a CPU with AVX2")
	impls.Add(impl.AVX512, false, "a build on amd64 without the purego build tag, and a CPU with AVX-512 F, DQ, VL and VPOPCNTDQ")
}
