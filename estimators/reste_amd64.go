//go:build !purego

package estimators

import "github.com/gradbench/gradbench/internal/impl"

// The ReSTE backward in assembly (reste_amd64.s), AVX-512 only (on AVX2
// CPUs the portable loop runs); see impl_amd64.go.

func init() {
	resteKernels.Add(impl.AVX512, func(k *resteKernel, dx, x, dy []float32) {
		if n := allLen(dx, x, dy); n > 0 {
			avx512ReSTE(&dx[0], &x[0], &dy[0], n, k.inner, k.scale, k.exp, k.mb, k.tb)
		}
	})
}

// resteConsts are the constants of log2Bits for reste_amd64.s (go_asm.h
// gives the field offsets).
type resteConsts struct {
	log2c0, log2c1, log2c2, log2c3 float32
	sqrtHalf                       uint32
}

var resteVC = resteConsts{log2c0, log2c1, log2c2, log2c3, sqrtHalfBits}

//go:noescape
func avx512ReSTE(dx, x, dy *float32, n int, inner, scale, e float32, mb, tb uint32)
