//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The expr: backward kernels (expr_amd64.go) for tables of one segment a
// side, the vector forms of (*exprKernel).backwardGo's loop:
//
//	a := b &^ signBit
//	m := leMask(a, cb)
//	neg := int32(b&-a) >> 31 // all ones if x < 0
//	off := offP ^ (offP^offN)&neg
//	u := math.Float32frombits(minBits(a, cb)) * invh
//	n := int32(u)
//	f := u - float32(n)
//	j := 2 * uint(n+off)
//	g := tab[j] + f*tab[j+1]
//	dx[i] = dy[i] * math.Float32frombits(math.Float32bits(g)&m)
//
// with the table's pairs read by two gathers and a fused multiply-add.
// (The AVX2 one compares the bits of |x| and c as signed integers, which
// order like the values for every |x|, below 2^31: NaN sorts above +Inf,
// so it is outside, and the clamp to c keeps its index in the table.)

// expr: Y11 = offP, Y12 = offN, Y13 = 1/h, Y14 = bits of c, Y15 = abs
// mask, R8 = &tab[0].
#define EXPRY \
	VMOVUPS     (SI)(AX*1), Y0; \
	VPAND       Y0, Y15, Y3; \
	VPCMPGTD    Y14, Y3, Y4; \
	VPMINUD     Y14, Y3, Y5; \
	VMULPS      Y13, Y5, Y5; \
	VCVTTPS2DQ  Y5, Y6; \
	VCVTDQ2PS   Y6, Y7; \
	VSUBPS      Y7, Y5, Y5; \
	VPSRAD      $31, Y0, Y7; \
	VPXOR       Y8, Y8, Y8; \
	VPCMPEQD    Y8, Y3, Y8; \
	VPANDN      Y7, Y8, Y7; \
	VBLENDVPS   Y7, Y12, Y11, Y8; \
	VPADDD      Y8, Y6, Y6; \
	VPADDD      Y6, Y6, Y6; \
	VPCMPEQD    Y9, Y9, Y9; \
	VGATHERDPS  Y9, (R8)(Y6*4), Y10; \
	VPCMPEQD    Y9, Y9, Y9; \
	VGATHERDPS  Y9, 4(R8)(Y6*4), Y7; \
	VFMADD213PS Y10, Y5, Y7; \
	VPANDN      Y7, Y4, Y7; \
	VMULPS      (DX)(AX*1), Y7, Y7; \
	VMOVUPS     Y7, (DI)(AX*1)

// func avx2Expr(dx, x, dy *float32, n int, tab *float32, cb uint32, invh float32, offP, offN int32)
TEXT ·avx2Expr(SB), NOSPLIT, $0-56
	ARGSY
	MOVQ         tab+32(FP), R8
	VBROADCASTSS cb+40(FP), Y14
	VBROADCASTSS invh+44(FP), Y13
	VBROADCASTSS offP+48(FP), Y11
	VBROADCASTSS offN+52(FP), Y12
	VMOVUPS      ABSMASK, Y15
	LOOP1Y(EXPRY)
	VZEROUPPER
	RET

// expr: Z16 = bits of c, Z17 = 1/h, Z18 = offP, Z19 = offN, R8 = &tab[0].
#define EXPRZ \
	VPANDD      Z0, Z31, Z3; \
	VPCMPUD     $2, Z16, Z3, K1; \
	VPMINUD     Z16, Z3, Z4; \
	VMULPS      Z17, Z4, Z4; \
	VCVTTPS2DQ  Z4, Z5; \
	VCVTDQ2PS   Z5, Z6; \
	VSUBPS      Z6, Z4, Z4; \
	VPTESTMD    Z28, Z0, K3; \
	VPTESTMD    Z3, Z3, K4; \
	KANDW       K3, K4, K3; \
	VMOVDQA32   Z18, Z7; \
	VMOVDQA32   Z19, K3, Z7; \
	VPADDD      Z7, Z5, Z5; \
	VPADDD      Z5, Z5, Z5; \
	KXNORW      K5, K5, K5; \
	VGATHERDPS  (R8)(Z5*4), K5, Z8; \
	KXNORW      K6, K6, K6; \
	VGATHERDPS  4(R8)(Z5*4), K6, Z9; \
	VFMADD231PS Z9, Z4, Z8; \
	VMOVAPS.Z   Z8, K1, Z8; \
	VMULPS      Z1, Z8, Z2

// func avx512Expr(dx, x, dy *float32, n int, tab *float32, cb uint32, invh float32, offP, offN int32)
TEXT ·avx512Expr(SB), NOSPLIT, $0-56
	ARGS
	COMMON
	MOVQ         tab+32(FP), R8
	VBROADCASTSS cb+40(FP), Z16
	VBROADCASTSS invh+44(FP), Z17
	VBROADCASTSS offP+48(FP), Z18
	VBROADCASTSS offN+52(FP), Z19
	LOOP(EXPRZ)
	VZEROUPPER
	RET
