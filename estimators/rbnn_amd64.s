//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The RBNN backward kernels (rbnn_amd64.go), the vector forms of
// (*rbnnKernel).backwardGo:
//
//	g := math.Float32bits(a - b*math.Float32frombits(minBits(v&^signBit, xmax)))
//	g &^= uint32(int32(g) >> 31) // 0 where negative
//	dx[i] = dy[i] * math.Float32frombits(g)
//
// that is dx[i] = dy[i]·max(0, A - B·|x[i]|), with a fused multiply-add.

// rbnn: dy·max(0, A - B·min(|x|, xmax)). Y15 = abs mask, Y14 = bits of
// xmax, Y13 = A, Y12 = B.
#define RBNN(off, a, t) \
	VPAND        off(SI)(AX*1), Y15, a; \
	VPMINUD      Y14, a, a; \
	VMOVAPS      Y13, t; \
	VFNMADD231PS Y12, a, t; \
	VPSRAD       $31, t, a; \
	VPANDN       t, a, a; \
	VMULPS       off(DX)(AX*1), a, a; \
	VMOVUPS      a, off(DI)(AX*1)

#define RBNN_PAIR RBNN(0, Y0, Y2); RBNN(32, Y1, Y3)
#define RBNN_ONE RBNN(0, Y0, Y2)

// func avx2RBNN(dx, x, dy *float32, n int, xmax uint32, a, b float32)
TEXT ·avx2RBNN(SB), NOSPLIT, $0-44
	ARGSY
	VMOVUPS      ABSMASK, Y15
	VBROADCASTSS xmax+32(FP), Y14
	VBROADCASTSS a+36(FP), Y13
	VBROADCASTSS b+40(FP), Y12
	LOOPY(RBNN_PAIR, RBNN_ONE)
	RET

// rbnn: dy·max(0, A - B·min(|x|, xmax)). Z16 = A, Z17 = B, Z18 = bits of
// xmax.
#define RBNNZ \
	VPANDD       Z0, Z31, Z3; \
	VPMINUD      Z18, Z3, Z3; \
	VMOVAPS      Z16, Z4; \
	VFNMADD231PS Z17, Z3, Z4; \
	VPSRAD       $31, Z4, Z5; \
	VPANDND      Z4, Z5, Z4; \
	VMULPS       Z1, Z4, Z2

// func avx512RBNN(dx, x, dy *float32, n int, xmax uint32, a, b float32)
TEXT ·avx512RBNN(SB), NOSPLIT, $0-44
	ARGS
	VBROADCASTSS xmax+32(FP), Z18
	VBROADCASTSS a+36(FP), Z16
	VBROADCASTSS b+40(FP), Z17
	LOOPRET(RBNNZ)
