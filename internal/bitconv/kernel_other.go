//go:build !amd64 || purego

package bitconv

// Other architectures (and the purego build tag) have no assembly
// kernels: only the portable implementation, and no simd one either.

const hasAVX512 = false

func vzeroupper() {}
