//go:build !purego

package estimators

import "github.com/gradbench/gradbench/internal/impl"

// The forward kernel in assembly (sign_amd64.s); see impl_amd64.go.

func init() {
	signKernels.Add(impl.AVX2, func(dst, x []float32) {
		n := len(x) &^ 7
		if n > 0 {
			_ = dst[n-1]
			avx2Sign(&dst[0], &x[0], n)
		}
		signFast(dst[n:], x[n:])
	})
	signKernels.Add(impl.AVX512, func(dst, x []float32) {
		if n := len(x); n > 0 {
			_ = dst[n-1]
			avx512Sign(&dst[0], &x[0], n)
		}
	})
}

// avx2Sign sets dst[i] = sign(x[i]) for n > 0, a multiple of 8.
//
//go:noescape
func avx2Sign(dst, x *float32, n int)

// avx512Sign sets dst[i] = sign(x[i]) for any n > 0.
//
//go:noescape
func avx512Sign(dst, x *float32, n int)
