//go:build !purego

#include "textflag.h"

// The table-lookup input gradient (lutgrad.go) in AVX2: a column block of
// 32 positions is four vectors, at 0, 32, 64 and 96 bytes of each table
// entry. Same operations in the same order as lutBuildGo and lutLookupGo.

// BUILD4(v) computes the eight entries of one chunk for vector v (byte
// offset v of the column block) from the terms' float offsets AX, BX,
// R10, R11 (from dyp at DX) and their scales Y12-Y15, and stores them in
// the chunk's table at DI.
#define BUILD4(v) \
	VMULPS  v(DX)(AX*4), Y12, Y0; \
	VMULPS  v(DX)(BX*4), Y13, Y1; \
	VMULPS  v(DX)(R10*4), Y14, Y2; \
	VMULPS  v(DX)(R11*4), Y15, Y3; \
	VADDPS  Y1, Y0, Y4; \
	VSUBPS  Y1, Y0, Y5; \
	VADDPS  Y2, Y4, Y6; \
	VADDPS  Y2, Y5, Y7; \
	VSUBPS  Y2, Y4, Y8; \
	VSUBPS  Y2, Y5, Y9; \
	VADDPS  Y3, Y6, Y0; \
	VADDPS  Y3, Y7, Y1; \
	VADDPS  Y3, Y8, Y2; \
	VADDPS  Y3, Y9, Y4; \
	VSUBPS  Y3, Y6, Y5; \
	VSUBPS  Y3, Y7, Y6; \
	VSUBPS  Y3, Y8, Y7; \
	VSUBPS  Y3, Y9, Y8; \
	VMOVUPS Y0, (0*128+v)(DI); \
	VMOVUPS Y1, (1*128+v)(DI); \
	VMOVUPS Y2, (2*128+v)(DI); \
	VMOVUPS Y4, (3*128+v)(DI); \
	VMOVUPS Y5, (4*128+v)(DI); \
	VMOVUPS Y6, (5*128+v)(DI); \
	VMOVUPS Y7, (6*128+v)(DI); \
	VMOVUPS Y8, (7*128+v)(DI)

// func lutBuildAVX2(tab, dyp *float32, off4 *int32, sc4 *float32, n int)
TEXT ·lutBuildAVX2(SB), NOSPLIT, $0-40
	MOVQ tab+0(FP), DI
	MOVQ dyp+8(FP), DX
	MOVQ off4+16(FP), SI
	MOVQ sc4+24(FP), R8
	MOVQ n+32(FP), CX

chunk:
	MOVLQSX      0(SI), AX
	MOVLQSX      4(SI), BX
	MOVLQSX      8(SI), R10
	MOVLQSX      12(SI), R11
	VBROADCASTSS 0(R8), Y12
	VBROADCASTSS 4(R8), Y13
	VBROADCASTSS 8(R8), Y14
	VBROADCASTSS 12(R8), Y15
	BUILD4(0)
	BUILD4(32)
	BUILD4(64)
	BUILD4(96)
	ADDQ         $16, SI
	ADDQ         $16, R8
	ADDQ         $1024, DI
	DECQ         CX
	JNZ          chunk
	VZEROUPPER
	RET

// LOOK(op, off, a0, a1, a2, a3) applies op (VADDPS or VSUBPS) of the
// entry at byte offset off of the table (DX) to four accumulators.
#define LOOK(op, off, a0, a1, a2, a3) \
	op 0(DX)(off*1), a0, a0; \
	op 32(DX)(off*1), a1, a1; \
	op 64(DX)(off*1), a2, a2; \
	op 96(DX)(off*1), a3, a3

// TERMS(op, n, pairs, single, done) applies op to the n (a register)
// entries listed from SI on, alternately into Y0-Y3 and Y4-Y7, and steps
// SI past them.
#define TERMS(op, n, pairs, single, done) \
	SUBQ    $2, n; \
	JLT     single; \
pairs: \
	MOVLQSX 0(SI), R10; \
	MOVLQSX 4(SI), R11; \
	LOOK(op, R10, Y0, Y1, Y2, Y3); \
	LOOK(op, R11, Y4, Y5, Y6, Y7); \
	ADDQ    $8, SI; \
	SUBQ    $2, n; \
	JGE     pairs; \
single: \
	CMPQ    n, $-1; \
	JNE     done; \
	MOVLQSX 0(SI), R10; \
	LOOK(op, R10, Y0, Y1, Y2, Y3); \
	ADDQ    $4, SI; \
done:

// func lutLookupAVX2(xg *float32, ldx, in int, idx *int32, tab *float32, first bool)
TEXT ·lutLookupAVX2(SB), NOSPLIT, $0-41
	MOVQ    xg+0(FP), DI
	MOVQ    ldx+8(FP), R8
	SHLQ    $2, R8
	MOVQ    in+16(FP), CX
	MOVQ    idx+24(FP), SI
	MOVQ    tab+32(FP), DX
	MOVBLZX first+40(FP), R9

channel:
	TESTQ   R9, R9
	JZ      carry
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	VXORPS  Y2, Y2, Y2
	VXORPS  Y3, Y3, Y3
	JMP     second

carry:
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3

second:
	VXORPS  Y4, Y4, Y4
	VXORPS  Y5, Y5, Y5
	VXORPS  Y6, Y6, Y6
	VXORPS  Y7, Y7, Y7
	MOVLQSX 0(SI), AX
	MOVLQSX 4(SI), BX
	ADDQ    $8, SI
	TERMS(VADDPS, AX, pospairs, possingle, posdone)
	TERMS(VSUBPS, BX, negpairs, negsingle, negdone)
	VADDPS  Y4, Y0, Y0
	VADDPS  Y5, Y1, Y1
	VADDPS  Y6, Y2, Y2
	VADDPS  Y7, Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    R8, DI
	DECQ    CX
	JNZ     channel
	VZEROUPPER
	RET
