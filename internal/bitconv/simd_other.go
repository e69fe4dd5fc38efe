//go:build !(goexperiment.simd && amd64) || purego

package bitconv

import "github.com/gradbench/gradbench/internal/impl"

// The "simd" implementation (simd_amd64.go) exists only in a build with
// GOEXPERIMENT=simd on amd64 without the purego build tag (it runs the
// assembly kernels); in any other build it is recorded as not
// available, so that asking for it (gradbench eval --impl simd) names
// what it needs instead of only that this build lacks it.
func init() {
	impls.Add(impl.SIMD, false,
		"a build with GOEXPERIMENT=simd (for example GOEXPERIMENT=simd go run ./cmd/gradbench ...) on amd64 without the purego build tag, and a CPU with AVX-512 F, DQ, VL and VPOPCNTDQ")
}
