//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The ReSTE backward kernels (reste_amd64.go), the vector forms of
// (*resteKernel).backwardGo: |x| clamped to [m, T] on its bits, then
//
//	k := (int32(b) - sqrtHalfBits) >> 23; m := b - k<<23  (bits)
//	s := (m - 1) / (m + 1)
//	y := e * (float32(k) + s*log2Poly(s*s))
//	pw := scale * 2^y
//
// and dx = dy·inner where |x| <= m, dy·pw where m < |x| <= T, else 0.

#define LOG2C0 ·resteVC+resteConsts_log2c0(SB)
#define LOG2C1 ·resteVC+resteConsts_log2c1(SB)
#define LOG2C2 ·resteVC+resteConsts_log2c2(SB)
#define LOG2C3 ·resteVC+resteConsts_log2c3(SB)
#define SQRTHALF ·resteVC+resteConsts_sqrtHalf(SB)

// ELOG2 sets p = e·log2(b) for the bits b of a positive normal float32,
// as backwardGo does, for both instruction sets: b = 2^k·m with m in
// [√½, √2) (sqrthalf: the bits of √½), s = (m-1)/(m+1), log2(b) =
// k + s·log2Poly(s²) (coefficients c3..c0, mov loads c3; one = 1);
// k, m, s and s2 are clobbered.
#define ELOG2(mov, one, sqrthalf, c3, c2, c1, c0, e, b, k, m, s, s2, p) \
	VPSUBD      sqrthalf, b, k; \
	VPSRAD      $23, k, k; \
	VPSLLD      $23, k, m; \
	VPSUBD      m, b, m; \
	VCVTDQ2PS   k, k; \
	VSUBPS      one, m, s; \
	VADDPS      one, m, s2; \
	VDIVPS      s2, s, s; \
	VMULPS      s, s, s2; \
	HORNER3(mov, s2, p, c3, c2, c1, c0); \
	VFMADD213PS k, s, p; \
	VMULPS      e, p, p

// reste: Y2 = inner, Y10 = scale, Y11 = e, Y12 = bits of √½, Y13 = bits
// of m's float32 below, Y14 = bits of T, Y15 = abs mask.
#define RESTEY \
	VPAND       (SI)(AX*1), Y15, Y3; \
	VPMINUD     Y14, Y3, Y4; \
	VPMAXUD     Y13, Y4, Y4; \
	ELOG2(VMOVUPS, ONE, Y12, LOG2C3, LOG2C2, LOG2C1, LOG2C0, Y11, Y4, Y5, Y6, Y7, Y8, Y9); \
	POW2N(Y9, Y5, Y6); \
	VMULPS      Y10, Y6, Y6; \
	VPCMPGTD    Y13, Y3, Y7; \
	VBLENDVPS   Y7, Y6, Y2, Y8; \
	VPCMPGTD    Y14, Y3, Y7; \
	VPANDN      Y8, Y7, Y8; \
	VMULPS      (DX)(AX*1), Y8, Y8; \
	VMOVUPS     Y8, (DI)(AX*1)

// func avx2ReSTE(dx, x, dy *float32, n int, inner, scale, e float32, mb, tb uint32)
TEXT ·avx2ReSTE(SB), NOSPLIT, $0-52
	ARGSY
	VBROADCASTSS inner+32(FP), Y2
	VBROADCASTSS scale+36(FP), Y10
	VBROADCASTSS e+40(FP), Y11
	VBROADCASTSS mb+44(FP), Y13
	VBROADCASTSS tb+48(FP), Y14
	VMOVUPS      SQRTHALF, Y12
	VMOVUPS      ABSMASK, Y15
	LOOP1YRET(RESTEY)

// reste: Z16 = inner, Z17 = scale, Z18 = e, Z19 = bits of m's float32
// below, Z20 = bits of T, Z21 = bits of √½, Z12-Z15 = log2Poly's
// coefficients, Z22-Z27 = 2^f's.
#define RESTEZ \
	VPANDD      Z0, Z31, Z3; \
	VPMINUD     Z20, Z3, Z4; \
	VPMAXUD     Z19, Z4, Z4; \
	ELOG2(VMOVAPS, Z30, Z21, Z15, Z14, Z13, Z12, Z18, Z4, Z5, Z6, Z7, Z8, Z9); \
	POW2NZ(Z9, Z5, Z6); \
	VMULPS      Z17, Z6, Z6; \
	VPCMPUD     $2, Z19, Z3, K1; \
	VMOVAPS     Z16, K1, Z6; \
	VPCMPUD     $2, Z20, Z3, K1; \
	VMOVAPS.Z   Z6, K1, Z6; \
	VMULPS      Z1, Z6, Z2

// func avx512ReSTE(dx, x, dy *float32, n int, inner, scale, e float32, mb, tb uint32)
TEXT ·avx512ReSTE(SB), NOSPLIT, $0-52
	ARGS
	EXPCONSTS
	VBROADCASTSS inner+32(FP), Z16
	VBROADCASTSS scale+36(FP), Z17
	VBROADCASTSS e+40(FP), Z18
	VBROADCASTSS mb+44(FP), Z19
	VBROADCASTSS tb+48(FP), Z20
	VBROADCASTSS SQRTHALF, Z21
	VBROADCASTSS LOG2C0, Z12
	VBROADCASTSS LOG2C1, Z13
	VBROADCASTSS LOG2C2, Z14
	VBROADCASTSS LOG2C3, Z15
	LOOPRET(RESTEZ)
