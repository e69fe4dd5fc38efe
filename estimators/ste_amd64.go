//go:build !purego

package estimators

import "github.com/gradbench/gradbench/internal/impl"

// The STE backward in assembly (ste_amd64.s); see impl_amd64.go.

func init() {
	steKernels.Add(impl.AVX2, func(k *steKernel, dx, x, dy []float32) {
		n := vecLen(dx, x, dy)
		if n > 0 {
			avx2STE(&dx[0], &x[0], &dy[0], n, k.cb)
		}
		k.backwardGo(dx[n:], x[n:], dy[n:])
	})
	steKernels.Add(impl.AVX512, func(k *steKernel, dx, x, dy []float32) {
		if n := allLen(dx, x, dy); n > 0 {
			avx512STE(&dx[0], &x[0], &dy[0], n, k.cb)
		}
	})
}

//go:noescape
func avx2STE(dx, x, dy *float32, n int, cb uint32)

//go:noescape
func avx512STE(dx, x, dy *float32, n int, cb uint32)
