//go:build !amd64 || purego

package gemm

// archKernels returns no assembly kernels: other architectures (and the
// purego build tag) use the portable kernel alone.
func archKernels() []kernel { return nil }

const hasAVX2FMA = false

func transpose8(dst *float32, ldd int, src *float32, lds int, k int) { panic("gemm: no AVX2") }
