//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The expr: backward kernel (expr_amd64.go) for tables of one segment a
// side, the vector form of (*exprKernel).backwardGo's loop:
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
