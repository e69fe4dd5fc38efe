//go:build !purego

package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

// The FDA backward in assembly (fda_amd64.s); see impl_amd64.go. For
// ω·C <= π/2 the routines work with θ/π (sinPiPoly) and take ω/π and the
// bits of ε/π; for ω·C > π/2 (backwardFar) ω and ε.

func init() {
	fdaKernels.Add(impl.AVX2, func(k *fdaKernel, dx, x, dy []float32) {
		n := vecLen(dx, x, dy)
		if n > 0 {
			k.asm(avx2FDA, avx2FDAFar, dx[:n], x[:n], dy[:n])
		}
		k.backwardGo(dx[n:], x[n:], dy[n:])
	})
	fdaKernels.Add(impl.AVX512, func(k *fdaKernel, dx, x, dy []float32) {
		if n := allLen(dx, x, dy); n > 0 {
			k.asm(avx512FDA, avx512FDAFar, dx, x, dy)
		}
	})
}

// asm runs near or, when ω·C > π/2, far over the non-empty slices.
func (k *fdaKernel) asm(near, far func(dx, x, dy *float32, n int, cb, eps uint32, omega, twoN, scale float32), dx, x, dy []float32) {
	if k.far {
		far(&dx[0], &x[0], &dy[0], len(x), k.cb, k.eps, k.omega, k.twoN, k.scale)
		return
	}
	epsPi := math.Float32bits(float32(float64(math.Float32frombits(k.eps)) / math.Pi))
	near(&dx[0], &x[0], &dy[0], len(x), k.cb, epsPi, float32(float64(k.omega)/math.Pi), k.twoN, k.scale)
}

//go:noescape
func avx2FDA(dx, x, dy *float32, n int, cb, epsPi uint32, omegaPi, twoN, scale float32)

//go:noescape
func avx2FDAFar(dx, x, dy *float32, n int, cb, eps uint32, omega, twoN, scale float32)

//go:noescape
func avx512FDA(dx, x, dy *float32, n int, cb, epsPi uint32, omegaPi, twoN, scale float32)

//go:noescape
func avx512FDAFar(dx, x, dy *float32, n int, cb, eps uint32, omega, twoN, scale float32)
