//go:build !purego

package estimators

import "github.com/gradbench/gradbench/internal/impl"

// The ApproxSign backward in assembly (approxsign_amd64.s); see
// impl_amd64.go.

func init() {
	approxSignKernels.Add(impl.AVX2, func(dx, x, dy []float32) {
		n := vecLen(dx, x, dy)
		if n > 0 {
			avx2ApproxSign(&dx[0], &x[0], &dy[0], n)
		}
		approxSignGo(dx[n:], x[n:], dy[n:])
	})
	approxSignKernels.Add(impl.AVX512, func(dx, x, dy []float32) {
		if n := allLen(dx, x, dy); n > 0 {
			avx512ApproxSign(&dx[0], &x[0], &dy[0], n)
		}
	})
}

//go:noescape
func avx2ApproxSign(dx, x, dy *float32, n int)

//go:noescape
func avx512ApproxSign(dx, x, dy *float32, n int)
