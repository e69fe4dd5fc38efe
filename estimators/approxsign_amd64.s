//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The ApproxSign backward kernels (approxsign_amd64.go), the vector forms
// of approxSignGo:
//
//	a := math.Float32frombits(minBits(v&^signBit, oneBits))
//	dx[i] = dy[i] * (2 - 2*a)
//
// that is dx[i] = dy[i]·max(0, 2 - 2|x[i]|).

// approxsign: dy·(2 - 2·min(|x|, 1)). Y15 = abs mask, Y14 = 1, Y13 = 2.
#define APPROXSIGN(off, a) \
	VPAND        off(SI)(AX*1), Y15, a; \
	VPMINUD      Y14, a, a; \
	VFNMADD213PS Y13, Y13, a; \
	VMULPS       off(DX)(AX*1), a, a; \
	VMOVUPS      a, off(DI)(AX*1)

#define APPROXSIGN_PAIR APPROXSIGN(0, Y0); APPROXSIGN(32, Y1)
#define APPROXSIGN_ONE APPROXSIGN(0, Y0)

// func avx2ApproxSign(dx, x, dy *float32, n int)
TEXT ·avx2ApproxSign(SB), NOSPLIT, $0-32
	ARGSY
	VMOVUPS ABSMASK, Y15
	VMOVUPS ONE, Y14
	VMOVUPS TWO, Y13
	LOOPY(APPROXSIGN_PAIR, APPROXSIGN_ONE)
	RET

// approxsign: dy·(2 - 2·min(|x|, 1)).
#define APPROXSIGNZ \
	VPANDD       Z0, Z31, Z3; \
	VPMINUD      Z30, Z3, Z3; \
	VFNMADD213PS Z29, Z29, Z3; \
	VMULPS       Z1, Z3, Z2

// func avx512ApproxSign(dx, x, dy *float32, n int)
TEXT ·avx512ApproxSign(SB), NOSPLIT, $0-32
	ARGS
	LOOPRET(APPROXSIGNZ)
