//go:build !purego

package estimators

import "github.com/gradbench/gradbench/internal/impl"

// The DSQ backward in assembly (dsq_amd64.s); see impl_amd64.go. The
// routines take kk = -2k·log2(e) (so that e = 2^(kk·|x|)), 4sk and sk
// (see SECH2Y in asm_amd64.h) and, for the α gradient, kk, 4sk, 2k, c and
// m.

func init() {
	dsqKernels.Add(impl.AVX2, func(k *dsqKernel, dx, x, dy []float32) {
		n := vecLen(dx, x, dy)
		if n > 0 {
			avx2DSQ(&dx[0], &x[0], &dy[0], n, -2*k.k*log2e, 4*k.sk, k.sk)
		}
		k.backwardGo(dx[n:], x[n:], dy[n:])
	})
	dsqKernels.Add(impl.AVX512, func(k *dsqKernel, dx, x, dy []float32) {
		if n := allLen(dx, x, dy); n > 0 {
			avx512DSQ(&dx[0], &x[0], &dy[0], n, -2*k.k*log2e, 4*k.sk, k.sk)
		}
	})
	dsqGradKernels.Add(impl.AVX2, func(k *dsqKernel, sum float64, dx, x, dy []float32) float64 {
		n := vecLen(dx, x, dy)
		if n > 0 {
			sum += avx2DSQGrad(&dx[0], &x[0], &dy[0], n, -2*k.k*log2e, 4*k.sk, 2*k.k, k.c, k.m)
		}
		return k.backwardGradGo(sum, dx[n:], x[n:], dy[n:])
	})
	dsqGradKernels.Add(impl.AVX512, func(k *dsqKernel, sum float64, dx, x, dy []float32) float64 {
		if n := allLen(dx, x, dy); n > 0 {
			sum += avx512DSQGrad(&dx[0], &x[0], &dy[0], n, -2*k.k*log2e, 4*k.sk, 2*k.k, k.c, k.m)
		}
		return sum
	})
}

//go:noescape
func avx2DSQ(dx, x, dy *float32, n int, kk, sk4, sk float32)

//go:noescape
func avx2DSQGrad(dx, x, dy *float32, n int, kk, sk4, k2, c, m float32) float64

//go:noescape
func avx512DSQ(dx, x, dy *float32, n int, kk, sk4, sk float32)

//go:noescape
func avx512DSQGrad(dx, x, dy *float32, n int, kk, sk4, k2, c, m float32) float64
