//go:build !purego

package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

// The BiPer backward in assembly (biper_amd64.s), AVX2 and AVX-512; see
// impl_amd64.go. The routines stop at a vector with |ω·x| >= 2^22 (or
// NaN), which the portable loop does, and are called again for the rest.

func init() {
	biperKernels.Add(impl.AVX2, func(k *biperKernel, dx, x, dy []float32) {
		n := vecLen(dx, x, dy)
		for n > 0 {
			i := avx2BiPer(&dx[0], &x[0], &dy[0], n, k.omega)
			if i >= n {
				break
			}
			m := i + 8
			k.backwardGo(dx[i:m], x[i:m], dy[i:m])
			dx, x, dy, n = dx[m:], x[m:], dy[m:], n-m
		}
		k.backwardGo(dx[n:], x[n:], dy[n:])
	})
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

// biperConsts are the float64 constants of biper_amd64.s, 4 lanes each
// (go_asm.h gives the field offsets; the AVX-512 routine broadcasts the
// first lane).
type biperConsts struct {
	halfPi, pi1, pi2, pi3  f4
	abs                    [4]uint64
	maxTheta, magic, invPi f4
}

// f4 is 4 float64 lanes.
type f4 [4]float64

func bcast64(v float64) f4 { return f4{v, v, v, v} }

var biperVC = biperConsts{
	halfPi: bcast64(math.Pi / 2), pi1: bcast64(pi64A), pi2: bcast64(pi64B), pi3: bcast64(pi64C),
	abs:      [4]uint64{1<<63 - 1, 1<<63 - 1, 1<<63 - 1, 1<<63 - 1},
	maxTheta: bcast64(biperMaxTheta), magic: bcast64(magicRound64), invPi: bcast64(invPi64),
}

//go:noescape
func avx2BiPer(dx, x, dy *float32, n int, omega float32) int

//go:noescape
func avx512BiPer(dx, x, dy *float32, n int, omega float32) int
