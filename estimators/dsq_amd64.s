//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The DSQ backward kernels (dsq_amd64.go), the vector forms of
// (*dsqKernel).backwardGo and backwardGradGo:
//
//	e := exp(-2k·min(|x|, 1))
//	r := 1 / (1 + e)
//	dx[i] = dy[i]*(4sk·e·r·r) where |x| <= 1, else 0
//
// and, with learn=true, the sum of dy·∂φ/∂α = dy·e·r²·t·(c + m·t²·S(t²)),
// t = 2k·x (x clamped to ±1), S = sinhRemPoly (see DSQ), dy times the
// rest formed in float64 (WIDENFMA in asm_amd64.h). Without it, dx
// is (dy·4sk·e)/(1+e)², both scaled by 1/4 where |dy| >= 2 (SECH2Y in
// asm_amd64.h); with it, 4sk·(dy·e·r·r), which cannot overflow where
// dy·g does not.

// dsq: dy·4sk·e/(1+e)² with e = 2^(kk·min(|x|, 1)), kk = -2k·log2(e),
// and 0 where |x| > 1; kk·|x| >= -11 for α >= 1e-3, so 2^z needs no
// flush. Y15 = kk, Y14 = 4sk, Y13 = abs mask, Y12 = 1, Y10 = sk (SECH2Y;
// 4sk < 16 for α >= 1e-3).
#define DSQ(off, a, m, t, e) \
	CLIPY(off(SI)(AX*1), Y13, Y12, a, m, a); \
	VMULPS   Y15, a, a; \
	POW2N(a, t, e); \
	SECH2Y(e, t, a, Y12, Y14, Y10, off(DX)(AX*1)); \
	VDIVPS   t, e, e; \
	VPANDN   e, m, e; \
	VMOVUPS  e, off(DI)(AX*1)

#define DSQ_PAIR DSQ(0, Y0, Y1, Y2, Y3); DSQ(32, Y5, Y6, Y7, Y8)
#define DSQ_ONE DSQ(0, Y0, Y1, Y2, Y3)

// func avx2DSQ(dx, x, dy *float32, n int, kk, sk4, sk float32)
TEXT ·avx2DSQ(SB), NOSPLIT, $0-44
	ARGSY
	VBROADCASTSS kk+32(FP), Y15
	VBROADCASTSS sk4+36(FP), Y14
	VBROADCASTSS sk+40(FP), Y10
	VMOVUPS      ABSMASK, Y13
	VMOVUPS      ONE, Y12
	LOOPY(DSQ_PAIR, DSQ_ONE)
	RET

// DSQER sets e = e·r² with e = 2^z (pow2: POW2N or POW2NZ) and
// r = 1/(1+e) in t, for both instruction sets; one = 1, z is clobbered.
#define DSQER(pow2, z, t, e, one) \
	pow2(z, t, e); \
	VADDPS one, e, t; \
	VDIVPS t, one, t; \
	VMULPS t, e, e; \
	VMULPS t, e, e

// DSQDPHI sets s = c + m·y·S(y) with y = t² (S = sinhRemPoly,
// coefficients c7..c0, mov loads c7), for both instruction sets.
#define DSQDPHI(mov, t, y, s, c, m, c7, c6, c5, c4, c3, c2, c1, c0) \
	VMULPS      t, t, y; \
	HORNER3(mov, y, s, c7, c6, c5, c4); \
	VFMADD213PS c3, y, s; \
	VFMADD213PS c2, y, s; \
	VFMADD213PS c1, y, s; \
	VFMADD213PS c0, y, s; \
	VMULPS      y, s, s; \
	VFMADD213PS c, m, s

// dsq with learn=true: DSQ, and the sum over the lanes of
// dy·∂φ/∂α = dy·e·r²·t·(c + m·y·S(y)) with t = k2·x, |x| clamped to 1
// (0 where |x| > 1), r = 1/(1+e), y = t², S = sinhRemPoly (SR0-SR7).
// Y15 = kk, Y14 = 4sk, Y13 = k2 = 2k, Y12 = c, Y10 = m, Y11 = 1; Y9 and
// Y8 accumulate.
#define DSQGRAD(off) \
	VMOVUPS      off(SI)(AX*1), Y0; \
	VANDPS       ABSMASK, Y0, Y1; \
	VPCMPGTD     Y11, Y1, Y2; \
	VPMINUD      Y11, Y1, Y1; \
	VANDPS       SIGNMASK, Y0, Y0; \
	VMULPS       Y15, Y1, Y3; \
	VMULPS       Y13, Y1, Y1; \
	VORPS        Y0, Y1, Y1; \
	DSQER(POW2N, Y3, Y4, Y5, Y11); \
	VMULPS       off(DX)(AX*1), Y5, Y6; \
	VMULPS       Y14, Y6, Y6; \
	VPANDN       Y6, Y2, Y6; \
	VMOVUPS      Y6, off(DI)(AX*1); \
	DSQDPHI(VMOVUPS, Y1, Y3, Y4, Y12, Y10, SR7, SR6, SR5, SR4, SR3, SR2, SR1, SR0); \
	VMULPS       Y1, Y5, Y5; \
	VMULPS       Y4, Y5, Y5; \
	VPANDN       Y5, Y2, Y5; \
	ACCUMULATE(Y5, X5, Y3, off, Y6)

// func avx2DSQGrad(dx, x, dy *float32, n int, kk, sk4, k2, c, m float32) float64
TEXT ·avx2DSQGrad(SB), NOSPLIT, $0-64
	ARGSY
	VBROADCASTSS kk+32(FP), Y15
	VBROADCASTSS sk4+36(FP), Y14
	VBROADCASTSS k2+40(FP), Y13
	VBROADCASTSS c+44(FP), Y12
	VBROADCASTSS m+48(FP), Y10
	VMOVUPS      ONE, Y11
	LOOPSUMY(DSQGRAD(0), ret+56(FP))
	VZEROUPPER
	RET

// dsq: dy·4sk·e/(1+e)² with e = 2^(kk·min(|x|, 1)), 0 where |x| > 1;
// kk·|x| >= -11 for α >= 1e-3, so 2^z needs no flush. Z16 = kk, Z17 = 4sk,
// Z15 = 1/4, Z20 = sk (SECH2Z).
#define DSQZ \
	CLIPZ(Z30, Z3, Z3); \
	VMULPS   Z16, Z3, Z3; \
	POW2NZ(Z3, Z4, Z5); \
	SECH2Z(Z5, Z6, Z7, Z15, Z17, Z20, Z1); \
	VDIVPS.Z Z6, Z5, K1, Z2

// func avx512DSQ(dx, x, dy *float32, n int, kk, sk4, sk float32)
TEXT ·avx512DSQ(SB), NOSPLIT, $0-44
	ARGS
	EXPCONSTS
	VBROADCASTSS kk+32(FP), Z16
	VBROADCASTSS sk4+36(FP), Z17
	VBROADCASTSS sk+40(FP), Z20
	VBROADCASTSS QUARTER, Z15
	LOOPRET(DSQZ)

// dsq with learn=true: DSQZ, and the sum of dy·e·r²·t·(c + m·y·S(y))
// with t = k2·x, |x| clamped to 1 (0 where |x| > 1), r = 1/(1+e),
// y = t², S = sinhRemPoly. Z16 = kk, Z17 = 4sk, Z20 = k2 = 2k, Z21 = c,
// Z29 = m (2 is not needed); S's coefficients sinhRem0-sinhRem7 in Z8, Z9,
// Z12-Z15, Z18, Z19.
#define DSQGRADZ \
	CLIPZ(Z30, Z3, Z3); \
	VMULPS       Z16, Z3, Z4; \
	VMULPS       Z20, Z3, Z3; \
	VPANDD       Z0, Z28, Z7; \
	VPORD        Z7, Z3, Z3; \
	DSQER(POW2NZ, Z4, Z5, Z6, Z30); \
	VMULPS       Z1, Z6, Z2; \
	VMULPS.Z     Z17, Z2, K1, Z2; \
	DSQDPHI(VMOVAPS, Z3, Z4, Z5, Z21, Z29, Z19, Z18, Z15, Z14, Z13, Z12, Z9, Z8); \
	VMULPS       Z3, Z6, Z6; \
	VMULPS.Z     Z5, Z6, K1, Z3; \
	ACCZ(Z3, Y3, Z4, Z5, Y6)

// func avx512DSQGrad(dx, x, dy *float32, n int, kk, sk4, k2, c, m float32) float64
TEXT ·avx512DSQGrad(SB), NOSPLIT, $0-64
	ARGS
	EXPCONSTS
	VBROADCASTSS SR0, Z8
	VBROADCASTSS SR1, Z9
	VBROADCASTSS SR2, Z12
	VBROADCASTSS SR3, Z13
	VBROADCASTSS SR4, Z14
	VBROADCASTSS SR5, Z15
	VBROADCASTSS SR6, Z18
	VBROADCASTSS SR7, Z19
	VBROADCASTSS kk+32(FP), Z16
	VBROADCASTSS sk4+36(FP), Z17
	VBROADCASTSS k2+40(FP), Z20
	VBROADCASTSS c+44(FP), Z21
	VBROADCASTSS m+48(FP), Z29
	LOOPSUMZ(DSQGRADZ, ret+56(FP))
	VZEROUPPER
	RET
