//go:build !purego

package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

// The BNN+ backward in assembly (bnnplus_amd64.s); see impl_amd64.go. The
// routines take β/2, 4β, the bits of vmax = 44/(β/2) (where |x| is
// clamped) and, for the β gradient, 2/β².

func init() {
	bnnPlusKernels.Add(impl.AVX2, func(k *bnnPlusKernel, dx, x, dy []float32) {
		n := vecLen(dx, x, dy)
		if n > 0 {
			avx2BNNPlus(&dx[0], &x[0], &dy[0], n, math.Float32bits(sechMax/k.half), k.half, 4*k.beta)
		}
		k.backwardGo(dx[n:], x[n:], dy[n:])
	})
	bnnPlusKernels.Add(impl.AVX512, func(k *bnnPlusKernel, dx, x, dy []float32) {
		if n := allLen(dx, x, dy); n > 0 {
			avx512BNNPlus(&dx[0], &x[0], &dy[0], n, math.Float32bits(sechMax/k.half), k.half, 4*k.beta)
		}
	})
	bnnPlusGradKernels.Add(impl.AVX2, func(k *bnnPlusKernel, sum float64, dx, x, dy []float32) float64 {
		n := vecLen(dx, x, dy)
		if n > 0 {
			sum += avx2BNNPlusGrad(&dx[0], &x[0], &dy[0], n, k.half, 4*k.beta, 2*k.invBeta*k.invBeta)
		}
		return k.backwardGradGo(sum, dx[n:], x[n:], dy[n:])
	})
	bnnPlusGradKernels.Add(impl.AVX512, func(k *bnnPlusKernel, sum float64, dx, x, dy []float32) float64 {
		if n := allLen(dx, x, dy); n > 0 {
			sum += avx512BNNPlusGrad(&dx[0], &x[0], &dy[0], n, k.half, 4*k.beta, 2*k.invBeta*k.invBeta)
		}
		return sum
	})
}

//go:noescape
func avx2BNNPlus(dx, x, dy *float32, n int, vmax uint32, half, beta4 float32)

//go:noescape
func avx2BNNPlusGrad(dx, x, dy *float32, n int, half, beta4, c float32) float64

//go:noescape
func avx512BNNPlus(dx, x, dy *float32, n int, vmax uint32, half, beta4 float32)

//go:noescape
func avx512BNNPlusGrad(dx, x, dy *float32, n int, half, beta4, c float32) float64
