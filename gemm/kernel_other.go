//go:build !amd64 || purego

package gemm

// archKernels returns no assembly kernels: other architectures (and the
// purego build tag) use the portable kernel alone.
func archKernels() []kernel { return nil }
