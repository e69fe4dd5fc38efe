//go:build !purego

package estimators

import (
	"math"

	"golang.org/x/sys/cpu"

	"github.com/gradbench/gradbench/internal/impl"
)

// The Go-assembly kernels, found at start-up with golang.org/x/sys/cpu, so
// that the default build needs no cgo and no GOEXPERIMENT for them:
//
//   - "avx512", on CPUs with AVX-512 F (and AVX2 and FMA): 16 lanes per
//     ZMM register, every constant in a register, 2^k by VSCALEFPS, the
//     clip tests as lane masks and the last partial vector under a mask,
//     so the portable loop never runs;
//   - "avx2", on CPUs with AVX2 and FMA: 8 lanes per YMM register,
//     constants as memory operands; the portable loop does the last len%8
//     elements.
//
// Each estimator's arch file (ste_amd64.go and ste_amd64.s, ...) holds its
// routines and registers them as variants of its kernels. Each computes
// what the portable loop of the same estimator computes, with the same
// branchless masks and the polynomials of fastmath.go, with fused
// multiply-adds and a few algebraic rearrangements (DSQ and EDE divide by
// (1+e)² once, BNN+ by (1+e)³; FDA works with θ/π, sinPiPoly). Both sum
// the learnable scalars' gradients in float64 lanes, in a fixed order
// within the chunk they are given. The shared assembly macros and the
// constants' names are in asm_amd64.h. TestKernelsMatchPortable and
// TestConformance check every routine against the portable loops.

func init() {
	avx2 := cpu.X86.HasAVX2 && cpu.X86.HasFMA
	impls.Add(impl.AVX2, avx2, "an amd64 CPU with AVX2 and FMA")
	impls.Add(impl.AVX512, avx2 && cpu.X86.HasAVX512F, "an amd64 CPU with AVX-512 F")
}

// vecConsts holds the constants that the assembly reads as memory
// operands, each repeated in the 8 lanes of a YMM register; go_asm.h gives
// the assembly the field offsets by name and asm_amd64.h names them. The
// coefficients are those of fastmath.go. An estimator whose routines need
// constants of their own declares its own struct the same way in its arch
// file.
type vecConsts struct {
	absMask, signMask, one, two, qnan y8
	half, quarter                     y8
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
	half:     bcast(0.5),
	quarter:  bcast(0.25),
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

// vecLen returns the number of elements in whole 8-lane vectors of x, for
// the AVX2 routines, and checks that dx and dy hold as many.
func vecLen(dx, x, dy []float32) int {
	n := len(x) &^ 7
	if n > 0 {
		_, _ = dx[n-1], dy[n-1]
	}
	return n
}

// allLen returns len(x), for the AVX-512 routines, which take any length,
// and checks that dx and dy hold as many.
func allLen(dx, x, dy []float32) int {
	n := len(x)
	if n > 0 {
		_, _ = dx[n-1], dy[n-1]
	}
	return n
}
