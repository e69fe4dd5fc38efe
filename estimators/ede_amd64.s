//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The EDE backward kernels (ede_amd64.go), the vector forms of
// (*edeKernel).backwardGo:
//
//	e := exp(-2t·min(|x|, xmax))
//	r := 1 / (1 + e)
//	dx[i] = dy[i] * (4kt·e·r·r)
//
// that is dy·k·t·sech²(t·x), t|x| clamped to 44 (xmax = 44/t), where e
// flushes to 0, computed as (dy·4kt·e)/(1+e)², both scaled by 1/4 where
// |dy| >= 2 (SECH2Y in asm_amd64.h; ede_amd64.go runs the portable loop
// for kt >= 2^124).

// ede: dy·4kt·e/(1+e)² with e = 2^(t2·min(|x|, xmax)), t2 = -2t·log2(e).
// Y15 = t2, Y14 = 4kt, Y13 = abs mask, Y12 = 1, Y11 = bits of xmax,
// Y9 = kt (SECH2Y).
#define EDE(off, a, t, e, q) \
	ABSMINMUL(VPAND, off(SI)(AX*1), Y13, Y11, Y15, a); \
	POW2(a, t, e, q); \
	SECH2Y(e, t, a, Y12, Y14, Y9, off(DX)(AX*1)); \
	VDIVPS  t, e, e; \
	VMOVUPS e, off(DI)(AX*1)

#define EDE_PAIR EDE(0, Y0, Y1, Y2, Y3); EDE(32, Y4, Y5, Y6, Y7)
#define EDE_ONE EDE(0, Y0, Y1, Y2, Y3)

// func avx2EDE(dx, x, dy *float32, n int, xmax uint32, t2, kt4, kt float32)
TEXT ·avx2EDE(SB), NOSPLIT, $0-48
	ABSMINARGSY(xmax, t2, kt4)
	VBROADCASTSS kt+44(FP), Y9
	LOOPY(EDE_PAIR, EDE_ONE)
	RET

// ede: dy·4kt·e/(1+e)² with e = 2^(t2·min(|x|, xmax)). Z16 = t2,
// Z17 = 4kt, Z18 = bits of xmax, Z21 = -125, Z15 = 1/4, Z20 = kt (SECH2Z).
#define EDEZ \
	ABSMINMUL(VPANDD, Z0, Z31, Z18, Z16, Z3); \
	POW2Z(Z3, Z4, Z5); \
	SECH2Z(Z5, Z6, Z7, Z15, Z17, Z20, Z1); \
	VDIVPS Z6, Z5, Z2

// func avx512EDE(dx, x, dy *float32, n int, xmax uint32, t2, kt4, kt float32)
TEXT ·avx512EDE(SB), NOSPLIT, $0-48
	ARGS
	POW2CONSTS
	ABSMINARGS(xmax, t2, kt4)
	VBROADCASTSS kt+44(FP), Z20
	VBROADCASTSS QUARTER, Z15
	LOOPRET(EDEZ)
