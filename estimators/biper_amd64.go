//go:build !purego

package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

// The BiPer backward in assembly (biper_amd64.s), AVX-512 only (on AVX2
// CPUs the portable loop runs); see impl_amd64.go. The routine stops at a
// vector with |ω·x| >= 2^22 (or NaN), which the portable loop does, and is
// called again for the rest.

func init() {
	biperKernels.Add(impl.AVX512, func(k *biperKernel, dx, x, dy []float32) {
		n := allLen(dx, x, dy)
		for n > 0 {
			i := avx512BiPer(&dx[0], &x[0], &dy[0], n, k.omega)
			if i >= n {
				return
			}
			m := min(i+16, n)
			k.backwardGo(dx[i:m], x[i:m], dy[i:m])
			dx, x, dy, n = dx[m:], x[m:], dy[m:], n-m
		}
	})
}

// biperConsts are the float64 constants of biper_amd64.s (go_asm.h gives
// the field offsets).
type biperConsts struct {
	halfPi, pi1, pi2, pi3  float64
	abs                    uint64
	maxTheta, magic, invPi float64
}

var biperVC = biperConsts{
	halfPi: math.Pi / 2, pi1: pi64A, pi2: pi64B, pi3: pi64C,
	abs: 1<<63 - 1, maxTheta: biperMaxTheta, magic: magicRound64, invPi: invPi64,
}

//go:noescape
func avx512BiPer(dx, x, dy *float32, n int, omega float32) int
