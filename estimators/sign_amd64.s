//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The forward kernel of every built-in estimator (sign_amd64.go), the
// vector forms of signFast:
//
//	abs := b &^ signBit
//	neg := b & -abs & signBit
//	nan := uint32(int32(0x7f800000-abs) >> 31)
//	db[i] = neg | oneBits | nan&0x7fc00000
//
// that is dst[i] = +1 for x >= 0 (-0 included), -1 for x < 0, NaN for NaN.

// sign: (x + 0)'s sign bit on 1 (so -0 gives +1), a quiet NaN for NaN.
// Y15 = 0, Y14 = sign mask, Y13 = 1, Y12 = quiet NaN.
#define SIGN(off, a, b, c) \
	VMOVUPS off(SI)(AX*1), a; \
	VADDPS  Y15, a, b; \
	VCMPPS  $3, a, a, c; \
	VANDPS  Y14, b, b; \
	VORPS   Y13, b, b; \
	VANDPS  Y12, c, c; \
	VORPS   c, b, b; \
	VMOVUPS b, off(DI)(AX*1)

#define SIGN_PAIR SIGN(0, Y0, Y1, Y2); SIGN(32, Y3, Y4, Y5)
#define SIGN_ONE SIGN(0, Y0, Y1, Y2)

// func avx2Sign(dst, x *float32, n int)
TEXT ·avx2Sign(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    x+8(FP), SI
	MOVQ    n+16(FP), CX
	VXORPS  Y15, Y15, Y15
	VMOVUPS SIGNMASK, Y14
	VMOVUPS ONE, Y13
	VMOVUPS QNAN, Y12
	LOOPY(SIGN_PAIR, SIGN_ONE)
	RET

// sign: (x + 0)'s sign bit on 1 (so -0 gives +1), a quiet NaN for NaN.
// Z27 = 0, Z26 = quiet NaN.
#define SIGNZ \
	VADDPS  Z27, Z0, Z2; \
	VPANDD  Z28, Z2, Z2; \
	VPORD   Z30, Z2, Z2; \
	VCMPPS  $3, Z0, Z0, K1; \
	VMOVAPS Z26, K1, Z2

// func avx512Sign(dst, x *float32, n int)
TEXT ·avx512Sign(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   n+16(FP), CX
	TAILMASK
	COMMON
	VPXORD Z27, Z27, Z27
	VBROADCASTSS QNAN, Z26
	LOOPZ(LOADX, LOADXTAIL, SIGNZ, NOTHING)
	VZEROUPPER
	RET
