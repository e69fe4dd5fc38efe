//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The STE backward kernels (ste_amd64.go), the vector forms of
// (*steKernel).backwardGo:
//
//	for i, v := range xb { dxb[i] = dyb[i] & leMask(v&^signBit, cb) }
//
// that is dx[i] = dy[i] where |x[i]| <= c, else 0.

// ste: dy where |x| <= c. Y15 = abs mask, Y14 = bits of c.
#define STE(off, a) \
	VPAND    off(SI)(AX*1), Y15, a; \
	VPCMPGTD Y14, a, a; \
	VPANDN   off(DX)(AX*1), a, a; \
	VMOVUPS  a, off(DI)(AX*1)

#define STE_PAIR STE(0, Y0); STE(32, Y1)
#define STE_ONE STE(0, Y0)

// func avx2STE(dx, x, dy *float32, n int, cb uint32)
TEXT ·avx2STE(SB), NOSPLIT, $0-36
	ARGSY
	VBROADCASTSS cb+32(FP), Y14
	VMOVUPS      ABSMASK, Y15
	LOOPY(STE_PAIR, STE_ONE)
	RET

// ste: dy where |x| <= c. Z16 = bits of c.
#define STEZ \
	VPANDD    Z0, Z31, Z3; \
	VPCMPUD   $2, Z16, Z3, K1; \
	VMOVAPS.Z Z1, K1, Z2

// func avx512STE(dx, x, dy *float32, n int, cb uint32)
TEXT ·avx512STE(SB), NOSPLIT, $0-36
	ARGS
	VBROADCASTSS cb+32(FP), Z16
	LOOPRET(STEZ)
