//go:build !purego

package estimators

import (
	"math"

	"golang.org/x/sys/cpu"
)

// Go-assembly kernels, selected at start-up with golang.org/x/sys/cpu, so
// that the default build needs no cgo and no GOEXPERIMENT for them:
//
//   - "go-avx512" (vec512_amd64.s), on CPUs with AVX-512 F: 16 lanes per
//     ZMM register, every constant in a register, 2^k by VSCALEFPS, the
//     clip tests as lane masks and the last partial vector under a mask,
//     so the portable loop never runs;
//   - "go-avx2" (vec_amd64.s), on CPUs with AVX2 and FMA: 8 lanes per YMM
//     register, constants as memory operands; the portable loop does the
//     last len%8 elements.
//
// Each computes what the portable loop of the same estimator computes,
// with the same branchless masks and the polynomials of fastmath.go, with
// fused multiply-adds and a few algebraic rearrangements (DSQ and EDE
// divide by (1+e)² once, BNN+ by (1+e)³); FDA works with θ/π (sinPiPoly),
// like the archsimd kernel. Both sets sum the learnable scalars' gradients
// in float64 lanes, in a fixed order within the chunk they are given.
// TestVecMatchesPortable and TestConformance check both.

func init() {
	if !(cpu.X86.HasAVX2 && cpu.X86.HasFMA) {
		return
	}
	addImpl(&vecImpl{
		name:        "go-avx2",
		rank:        rankAVX2,
		sign:        signAVX2,
		ste:         steAVX2,
		approxSign:  approxSignAVX2,
		dsq:         dsqAVX2,
		bnnPlus:     bnnPlusAVX2,
		ede:         edeAVX2,
		fda:         fdaAVX2,
		dsqGrad:     dsqGradAVX2,
		bnnPlusGrad: bnnPlusGradAVX2,
	})
	if !cpu.X86.HasAVX512F {
		return
	}
	addImpl(&vecImpl{
		name:        "go-avx512",
		rank:        rankAVX512,
		sign:        signAVX512asm,
		ste:         steAVX512asm,
		approxSign:  approxSignAVX512asm,
		dsq:         dsqAVX512asm,
		bnnPlus:     bnnPlusAVX512asm,
		ede:         edeAVX512asm,
		fda:         fdaAVX512asm,
		dsqGrad:     dsqGradAVX512asm,
		bnnPlusGrad: bnnPlusGradAVX512asm,
	})
}

// vecConsts holds the constants that the assembly reads as memory
// operands, each repeated in the 8 lanes of a YMM register; go_asm.h gives
// the assembly the field offsets by name. The coefficients are those of
// fastmath.go.
type vecConsts struct {
	absMask, signMask, one, two, qnan y8
	magic, expMin, m2log2e, sechMax   y8
	minK                              y8
	exp0, exp1, exp2, exp3, exp4      y8
	exp5, sin1, sin2, sin3, sin4      y8
	sinPi0, sinPi1, sinPi2, sinPi3    y8
	sinPi4, invPi, piA, piB           y8
	sinhRem0, sinhRem1, sinhRem2      y8
	sinhRem3, sinhRem4, sinhRem5      y8
	sinhRem6, sinhRem7                y8
}

// y8 is the bits of 8 float32 lanes.
type y8 [8]uint32

func bcast(f float32) y8    { return bcastBits(math.Float32bits(f)) }
func bcastBits(b uint32) y8 { return y8{b, b, b, b, b, b, b, b} }

var vc = vecConsts{
	absMask:  bcastBits(^uint32(signBit)),
	signMask: bcastBits(signBit),
	one:      bcast(1),
	two:      bcast(2),
	qnan:     bcastBits(0x7fc00000),
	magic:    bcast(magicRound),
	// 2^k with k = bits(z + magicRound) - bits(magicRound) is flushed to
	// 0 below k = -125 (see scaleFlush).
	expMin:  bcastBits(math.Float32bits(magicRound) - 126),
	m2log2e: bcast(-2 * log2e),
	minK:    bcast(-125),
	sechMax: bcastBits(sechMaxBits),
	exp0:    bcast(exp0),
	exp1:    bcast(exp1),
	exp2:    bcast(exp2),
	exp3:    bcast(exp3),
	exp4:    bcast(exp4),
	exp5:    bcast(exp5),
	sin1:    bcast(sin1),
	sin2:    bcast(sin2),
	sin3:    bcast(sin3),
	sin4:    bcast(sin4),
	sinPi0:  bcast(sinPi0),
	sinPi1:  bcast(sinPi1),
	sinPi2:  bcast(sinPi2),
	sinPi3:  bcast(sinPi3),
	sinPi4:  bcast(sinPi4),
	invPi:   bcast(invPi),
	piA:     bcast(fmaPiA),
	piB:     bcast(fmaPiB),

	sinhRem0: bcast(sinhRem0),
	sinhRem1: bcast(sinhRem1),
	sinhRem2: bcast(sinhRem2),
	sinhRem3: bcast(sinhRem3),
	sinhRem4: bcast(sinhRem4),
	sinhRem5: bcast(sinhRem5),
	sinhRem6: bcast(sinhRem6),
	sinhRem7: bcast(sinhRem7),
}

// The AVX2 loops (vec_amd64.s) take n > 0, a multiple of 8.

//go:noescape
func avx2Sign(dst, x *float32, n int)

//go:noescape
func avx2STE(dx, x, dy *float32, n int, cb uint32)

//go:noescape
func avx2ApproxSign(dx, x, dy *float32, n int)

//go:noescape
func avx2DSQ(dx, x, dy *float32, n int, kk, sk4 float32)

//go:noescape
func avx2EDE(dx, x, dy *float32, n int, xmax uint32, t2, kt4 float32)

//go:noescape
func avx2BNNPlus(dx, x, dy *float32, n int, vmax uint32, half, beta4 float32)

//go:noescape
func avx2FDA(dx, x, dy *float32, n int, cb, epsPi uint32, omegaPi, twoN, scale float32)

//go:noescape
func avx2FDAFar(dx, x, dy *float32, n int, cb, eps uint32, omega, twoN, scale float32)

//go:noescape
func avx2DSQGrad(dx, x, dy *float32, n int, kk, sk4, k2, c, m float32) float64

//go:noescape
func avx2BNNPlusGrad(dx, x, dy *float32, n int, half, beta4, c float32) float64

func signAVX2(dst, x []float32) int {
	n := len(x) &^ 7
	if n == 0 {
		return 0
	}
	dst = dst[:n]
	avx2Sign(&dst[0], &x[0], n)
	return n
}

// vecLen returns the number of whole vectors' elements in x, and checks
// that dx and dy hold as many.
func vecLen(dx, x, dy []float32) int {
	n := len(x) &^ 7
	if n > 0 {
		_, _ = dx[n-1], dy[n-1]
	}
	return n
}

func steAVX2(k *steKernel, dx, x, dy []float32) int {
	n := vecLen(dx, x, dy)
	if n > 0 {
		avx2STE(&dx[0], &x[0], &dy[0], n, k.cb)
	}
	return n
}

func approxSignAVX2(dx, x, dy []float32) int {
	n := vecLen(dx, x, dy)
	if n > 0 {
		avx2ApproxSign(&dx[0], &x[0], &dy[0], n)
	}
	return n
}

func dsqAVX2(k *dsqKernel, dx, x, dy []float32) int {
	n := vecLen(dx, x, dy)
	if n > 0 {
		avx2DSQ(&dx[0], &x[0], &dy[0], n, -2*k.k*log2e, 4*k.sk)
	}
	return n
}

func edeAVX2(k *edeKernel, dx, x, dy []float32) int {
	n := vecLen(dx, x, dy)
	if n > 0 {
		avx2EDE(&dx[0], &x[0], &dy[0], n, k.xmax, -2*k.t*log2e, 4*k.kt)
	}
	return n
}

func bnnPlusAVX2(k *bnnPlusKernel, dx, x, dy []float32) int {
	n := vecLen(dx, x, dy)
	if n > 0 {
		avx2BNNPlus(&dx[0], &x[0], &dy[0], n, math.Float32bits(sechMax/k.half), k.half, 4*k.beta)
	}
	return n
}

func fdaAVX2(k *fdaKernel, dx, x, dy []float32) int {
	n := vecLen(dx, x, dy)
	switch {
	case n == 0:
	case k.far:
		avx2FDAFar(&dx[0], &x[0], &dy[0], n, k.cb, k.eps, k.omega, k.twoN, k.scale)
	default:
		epsPi := math.Float32bits(float32(float64(math.Float32frombits(k.eps)) / math.Pi))
		avx2FDA(&dx[0], &x[0], &dy[0], n, k.cb, epsPi, float32(float64(k.omega)/math.Pi), k.twoN, k.scale)
	}
	return n
}

func dsqGradAVX2(k *dsqKernel, dx, x, dy []float32) (int, float64) {
	n := vecLen(dx, x, dy)
	if n == 0 {
		return 0, 0
	}
	return n, avx2DSQGrad(&dx[0], &x[0], &dy[0], n, -2*k.k*log2e, 4*k.sk, 2*k.k, k.c, k.m)
}

func bnnPlusGradAVX2(k *bnnPlusKernel, dx, x, dy []float32) (int, float64) {
	n := vecLen(dx, x, dy)
	if n == 0 {
		return 0, 0
	}
	return n, avx2BNNPlusGrad(&dx[0], &x[0], &dy[0], n, k.half, 4*k.beta, 2*k.invBeta*k.invBeta)
}

// The AVX-512 loops (vec512_amd64.s) take any n > 0.

//go:noescape
func avx512Sign(dst, x *float32, n int)

//go:noescape
func avx512STE(dx, x, dy *float32, n int, cb uint32)

//go:noescape
func avx512ApproxSign(dx, x, dy *float32, n int)

//go:noescape
func avx512DSQ(dx, x, dy *float32, n int, kk, sk4 float32)

//go:noescape
func avx512EDE(dx, x, dy *float32, n int, xmax uint32, t2, kt4 float32)

//go:noescape
func avx512BNNPlus(dx, x, dy *float32, n int, vmax uint32, half, beta4 float32)

//go:noescape
func avx512FDA(dx, x, dy *float32, n int, cb, epsPi uint32, omegaPi, twoN, scale float32)

//go:noescape
func avx512FDAFar(dx, x, dy *float32, n int, cb, eps uint32, omega, twoN, scale float32)

//go:noescape
func avx512DSQGrad(dx, x, dy *float32, n int, kk, sk4, k2, c, m float32) float64

//go:noescape
func avx512BNNPlusGrad(dx, x, dy *float32, n int, half, beta4, c float32) float64

func signAVX512asm(dst, x []float32) int {
	n := len(x)
	if n > 0 {
		_ = dst[n-1]
		avx512Sign(&dst[0], &x[0], n)
	}
	return n
}

// allLen returns len(x) and checks that dx and dy hold as many.
func allLen(dx, x, dy []float32) int {
	n := len(x)
	if n > 0 {
		_, _ = dx[n-1], dy[n-1]
	}
	return n
}

func steAVX512asm(k *steKernel, dx, x, dy []float32) int {
	n := allLen(dx, x, dy)
	if n > 0 {
		avx512STE(&dx[0], &x[0], &dy[0], n, k.cb)
	}
	return n
}

func approxSignAVX512asm(dx, x, dy []float32) int {
	n := allLen(dx, x, dy)
	if n > 0 {
		avx512ApproxSign(&dx[0], &x[0], &dy[0], n)
	}
	return n
}

func dsqAVX512asm(k *dsqKernel, dx, x, dy []float32) int {
	n := allLen(dx, x, dy)
	if n > 0 {
		avx512DSQ(&dx[0], &x[0], &dy[0], n, -2*k.k*log2e, 4*k.sk)
	}
	return n
}

func edeAVX512asm(k *edeKernel, dx, x, dy []float32) int {
	n := allLen(dx, x, dy)
	if n > 0 {
		avx512EDE(&dx[0], &x[0], &dy[0], n, k.xmax, -2*k.t*log2e, 4*k.kt)
	}
	return n
}

func bnnPlusAVX512asm(k *bnnPlusKernel, dx, x, dy []float32) int {
	n := allLen(dx, x, dy)
	if n > 0 {
		avx512BNNPlus(&dx[0], &x[0], &dy[0], n, math.Float32bits(sechMax/k.half), k.half, 4*k.beta)
	}
	return n
}

func fdaAVX512asm(k *fdaKernel, dx, x, dy []float32) int {
	n := allLen(dx, x, dy)
	switch {
	case n == 0:
	case k.far:
		avx512FDAFar(&dx[0], &x[0], &dy[0], n, k.cb, k.eps, k.omega, k.twoN, k.scale)
	default:
		epsPi := math.Float32bits(float32(float64(math.Float32frombits(k.eps)) / math.Pi))
		avx512FDA(&dx[0], &x[0], &dy[0], n, k.cb, epsPi, float32(float64(k.omega)/math.Pi), k.twoN, k.scale)
	}
	return n
}

func dsqGradAVX512asm(k *dsqKernel, dx, x, dy []float32) (int, float64) {
	n := allLen(dx, x, dy)
	if n == 0 {
		return 0, 0
	}
	return n, avx512DSQGrad(&dx[0], &x[0], &dy[0], n, -2*k.k*log2e, 4*k.sk, 2*k.k, k.c, k.m)
}

func bnnPlusGradAVX512asm(k *bnnPlusKernel, dx, x, dy []float32) (int, float64) {
	n := allLen(dx, x, dy)
	if n == 0 {
		return 0, 0
	}
	return n, avx512BNNPlusGrad(&dx[0], &x[0], &dy[0], n, k.half, 4*k.beta, 2*k.invBeta*k.invBeta)
}
