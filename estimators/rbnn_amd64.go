//go:build !purego

package estimators

import "github.com/gradbench/gradbench/internal/impl"

// The RBNN backward in assembly (rbnn_amd64.s); see impl_amd64.go.

func init() {
	rbnnKernels.Add(impl.AVX2, func(k *rbnnKernel, dx, x, dy []float32) {
		n := vecLen(dx, x, dy)
		if n > 0 {
			avx2RBNN(&dx[0], &x[0], &dy[0], n, k.xmax, k.a, k.b)
		}
		k.backwardGo(dx[n:], x[n:], dy[n:])
	})
	rbnnKernels.Add(impl.AVX512, func(k *rbnnKernel, dx, x, dy []float32) {
		if n := allLen(dx, x, dy); n > 0 {
			avx512RBNN(&dx[0], &x[0], &dy[0], n, k.xmax, k.a, k.b)
		}
	})
}

//go:noescape
func avx2RBNN(dx, x, dy *float32, n int, xmax uint32, a, b float32)

//go:noescape
func avx512RBNN(dx, x, dy *float32, n int, xmax uint32, a, b float32)
