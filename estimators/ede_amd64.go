//go:build !purego

package estimators

import "github.com/gradbench/gradbench/internal/impl"

// The EDE backward in assembly (ede_amd64.s); see impl_amd64.go. The
// routines take the bits of xmax = 44/t (where |x| is clamped),
// t2 = -2t·log2(e) (so that e = 2^(t2·|x|)), 4kt and kt. Their order of
// operations (SECH2Y in asm_amd64.h) is shown not to overflow where dy·g
// does not for 4kt < 2^126, so an EDE whose kt is larger (t >= 2^124,
// some 2e37, which a spec accepts up to 8.5e37) runs the portable loop.

// edeVecMaxKT bounds the kt the vector routines take (4kt < 2^126).
const edeVecMaxKT = 0x1p124

func init() {
	edeKernels.Add(impl.AVX2, func(k *edeKernel, dx, x, dy []float32) {
		if !(k.kt < edeVecMaxKT) {
			k.backwardGo(dx, x, dy)
			return
		}
		n := vecLen(dx, x, dy)
		if n > 0 {
			avx2EDE(&dx[0], &x[0], &dy[0], n, k.xmax, -2*k.t*log2e, 4*k.kt, k.kt)
		}
		k.backwardGo(dx[n:], x[n:], dy[n:])
	})
	edeKernels.Add(impl.AVX512, func(k *edeKernel, dx, x, dy []float32) {
		if !(k.kt < edeVecMaxKT) {
			k.backwardGo(dx, x, dy)
			return
		}
		if n := allLen(dx, x, dy); n > 0 {
			avx512EDE(&dx[0], &x[0], &dy[0], n, k.xmax, -2*k.t*log2e, 4*k.kt, k.kt)
		}
	})
}

//go:noescape
func avx2EDE(dx, x, dy *float32, n int, xmax uint32, t2, kt4, kt float32)

//go:noescape
func avx512EDE(dx, x, dy *float32, n int, xmax uint32, t2, kt4, kt float32)
