//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The BNN+ backward kernels (bnnplus_amd64.go), the vector forms of
// (*bnnPlusKernel).backwardGo and backwardGradGo:
//
//	v := β/2·min(|x|, vmax)
//	e := exp(-2v)
//	r := 1 / (1 + e)
//	dx[i] = dy[i] * (4β·e·r·r·(1 - v·(2r-1)))
//
// that is dy·β·sech²(v)·(1 - v·tanh v), and, with learn=true, the sum of
// dy·(x/β)·g, x clamped like v, dy times (x/β)·g formed in float64
// (WIDENFMA in asm_amd64.h).

// bnnplus: with v = half·min(|x|, vmax) and e = exp(-2v), g =
// 4β·sech²(v)·(1 - v·tanh v) = 4β·e·((1+e) - v·(1-e))/(1+e)³.
// Y15 = half, Y14 = 4β, Y13 = abs mask, Y12 = 1, Y11 = bits of vmax.
#define BNNPLUS(off, v, z, t, e, q) \
	ABSMINMUL(VPAND, off(SI)(AX*1), Y13, Y11, Y15, v); \
	VMULPS       M2LOG2E, v, z; \
	POW2(z, t, e, q); \
	BNNPLUSG(v, e, t, q); \
	VMULPS       off(DX)(AX*1), e, e; \
	VMOVUPS      e, off(DI)(AX*1)

// SIGNSWISHG sets e = g = 4β·e·((1+e) - v·(1-e))/(1+e)³ from v and
// e = exp(-2v), for both instruction sets: one = 1, beta4 = 4β; t, q are
// clobbered.
#define SIGNSWISHG(v, e, t, q, one, beta4) \
	VADDPS       one, e, t; \
	VSUBPS       e, one, q; \
	VFNMADD213PS t, v, q; \
	VMULPS       beta4, e, e; \
	VMULPS       q, e, e; \
	VMULPS       t, t, q; \
	VMULPS       t, q, q; \
	VDIVPS       q, e, e

// BNNPLUSG is SIGNSWISHG with Y12 = 1, Y14 = 4β.
#define BNNPLUSG(v, e, t, q) SIGNSWISHG(v, e, t, q, Y12, Y14)

#define BNNPLUS_PAIR BNNPLUS(0, Y0, Y1, Y2, Y3, Y4); BNNPLUS(32, Y5, Y6, Y7, Y8, Y9)
#define BNNPLUS_ONE BNNPLUS(0, Y0, Y1, Y2, Y3, Y4)

// func avx2BNNPlus(dx, x, dy *float32, n int, vmax uint32, half, beta4 float32)
TEXT ·avx2BNNPlus(SB), NOSPLIT, $0-44
	ABSMINARGSY(vmax, half, beta4)
	LOOPY(BNNPLUS_PAIR, BNNPLUS_ONE)
	RET

// BETAGRAD sets v = g·(2v/β²) with x's sign, ∂SS/∂β, which β's gradient
// term is dy times (formed in float64 by ACCUMULATE or ACCZ), for both
// instruction sets: c = 2/β², sgn = x's sign bit; xor applies the sign.
#define BETAGRAD(xor, c, sgn, g, v) \
	VMULPS c, v, v; \
	xor    sgn, v, v; \
	VMULPS g, v, v

// bnnplus with learn=true: BNNPLUS with v = min(|half·x|, 44), and the sum
// over the lanes of dy·g·(2v/β²) with x's sign (x/β²·g, x clamped like v).
// Y15 = half, Y14 = 4β, Y13 = 2/β², Y12 = 1, Y10 = bits of 44; Y9 and Y8
// accumulate.
#define BNNPLUSGRAD(off) \
	VMULPS       off(SI)(AX*1), Y15, Y0; \
	VANDPS       ABSMASK, Y0, Y1; \
	VPMINUD      Y10, Y1, Y1; \
	VANDPS       SIGNMASK, Y0, Y0; \
	VMULPS       M2LOG2E, Y1, Y2; \
	POW2(Y2, Y3, Y4, Y5); \
	BNNPLUSG(Y1, Y4, Y3, Y5); \
	VMULPS       off(DX)(AX*1), Y4, Y5; \
	VMOVUPS      Y5, off(DI)(AX*1); \
	BETAGRAD(VXORPS, Y13, Y0, Y4, Y1); \
	ACCUMULATE(Y1, X1, Y2, off, Y3)

// func avx2BNNPlusGrad(dx, x, dy *float32, n int, half, beta4, c float32) float64
TEXT ·avx2BNNPlusGrad(SB), NOSPLIT, $0-56
	ARGSY
	VBROADCASTSS half+32(FP), Y15
	VBROADCASTSS beta4+36(FP), Y14
	VBROADCASTSS c+40(FP), Y13
	VMOVUPS      ONE, Y12
	VMOVUPS      SECHMAX, Y10
	LOOPSUMY(BNNPLUSGRAD(0), ret+48(FP))
	VZEROUPPER
	RET

// bnnplus: with v = half·min(|x|, vmax) and e = exp(-2v),
// dy·4β·e·((1+e) - v·(1-e))/(1+e)³ (as for AVX2). Z16 = half, Z17 = 4β,
// Z18 = bits of vmax, Z19 = -2·log2(e), Z21 = -125.
#define BNNPLUSZ \
	ABSMINMUL(VPANDD, Z0, Z31, Z18, Z16, Z3); \
	VMULPS       Z19, Z3, Z7; \
	POW2Z(Z7, Z4, Z5); \
	BNNPLUSGZ(Z3, Z5, Z6, Z7); \
	VMULPS       Z1, Z5, Z2

// BNNPLUSGZ is SIGNSWISHG with Z30 = 1, Z17 = 4β.
#define BNNPLUSGZ(v, e, t, q) SIGNSWISHG(v, e, t, q, Z30, Z17)

// func avx512BNNPlus(dx, x, dy *float32, n int, vmax uint32, half, beta4 float32)
TEXT ·avx512BNNPlus(SB), NOSPLIT, $0-44
	ARGS
	POW2CONSTS
	VBROADCASTSS M2LOG2E, Z19
	ABSMINARGS(vmax, half, beta4)
	LOOPRET(BNNPLUSZ)

// bnnplus with learn=true: BNNPLUSZ with v = min(|half·x|, 44), and the
// sum of dy·g·(2v/β²) with x's sign. Z16 = half, Z17 = 4β, Z18 = bits of
// 44, Z19 = -2·log2(e), Z20 = 2/β², Z21 = -125.
#define BNNPLUSGRADZ \
	VMULPS       Z16, Z0, Z3; \
	VPANDD       Z3, Z31, Z4; \
	VPMINUD      Z18, Z4, Z4; \
	VPANDD       Z3, Z28, Z3; \
	VMULPS       Z19, Z4, Z7; \
	POW2Z(Z7, Z5, Z6); \
	BNNPLUSGZ(Z4, Z6, Z5, Z7); \
	VMULPS       Z1, Z6, Z2; \
	BETAGRAD(VPXORD, Z20, Z3, Z6, Z4); \
	ACCZ(Z4, Y4, Z5, Z6, Y7)

// func avx512BNNPlusGrad(dx, x, dy *float32, n int, half, beta4, c float32) float64
TEXT ·avx512BNNPlusGrad(SB), NOSPLIT, $0-56
	ARGS
	POW2CONSTS
	VBROADCASTSS M2LOG2E, Z19
	VBROADCASTSS SECHMAX, Z18
	VBROADCASTSS half+32(FP), Z16
	VBROADCASTSS beta4+36(FP), Z17
	VBROADCASTSS c+40(FP), Z20
	LOOPSUMZ(BNNPLUSGRADZ, ret+48(FP))
	VZEROUPPER
	RET
