//go:build !purego

package estimators

import "github.com/gradbench/gradbench/internal/impl"

// The ReSTE backward in assembly (reste_amd64.s), AVX2 and AVX-512; see
// impl_amd64.go.

func init() {
	resteKernels.Add(impl.AVX2, func(k *resteKernel, dx, x, dy []float32) {
		n := vecLen(dx, x, dy)
		if n > 0 {
			avx2ReSTE(&dx[0], &x[0], &dy[0], n, k.inner, k.scale, k.exp, k.mb, k.tb)
		}
		k.backwardGo(dx[n:], x[n:], dy[n:])
	})
	resteKernels.Add(impl.AVX512, func(k *resteKernel, dx, x, dy []float32) {
		if n := allLen(dx, x, dy); n > 0 {
			avx512ReSTE(&dx[0], &x[0], &dy[0], n, k.inner, k.scale, k.exp, k.mb, k.tb)
		}
	})
}

// resteConsts are the constants of log2Bits for reste_amd64.s, 8 lanes
// each (go_asm.h gives the field offsets; the AVX-512 routine broadcasts
// the first lane).
type resteConsts struct {
	log2c0, log2c1, log2c2, log2c3, sqrtHalf y8
}

var resteVC = resteConsts{bcast(log2c0), bcast(log2c1), bcast(log2c2), bcast(log2c3), bcastBits(sqrtHalfBits)}

//go:noescape
func avx2ReSTE(dx, x, dy *float32, n int, inner, scale, e float32, mb, tb uint32)

//go:noescape
func avx512ReSTE(dx, x, dy *float32, n int, inner, scale, e float32, mb, tb uint32)
