//go:build !purego

#include "textflag.h"
#include "lut_amd64.h"

// The table-lookup input gradient (lutgrad.go) in AVX2: a column block of
// 64 positions is eight vectors, at 0, 32, ..., 224 bytes of each table
// entry (256 bytes; a chunk's table is 2048). Same operations in the same order as lutBuildGo and lutLookupGo.

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
	VMOVUPS Y0, (0*256+v)(DI); \
	VMOVUPS Y1, (1*256+v)(DI); \
	VMOVUPS Y2, (2*256+v)(DI); \
	VMOVUPS Y4, (3*256+v)(DI); \
	VMOVUPS Y5, (4*256+v)(DI); \
	VMOVUPS Y6, (5*256+v)(DI); \
	VMOVUPS Y7, (6*256+v)(DI); \
	VMOVUPS Y8, (7*256+v)(DI)

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
	BUILD4(128)
	BUILD4(160)
	BUILD4(192)
	BUILD4(224)
	ADDQ         $16, SI
	ADDQ         $16, R8
	ADDQ         $2048, DI
	DECQ         CX
	JNZ          chunk
	VZEROUPPER
	RET

// LOOK adds Y8 (±1 in every lane) times the entry at byte offset R10 of
// the table (DX) to the accumulators Y0-Y7: one rounding, acc ± entry.
#define LOOK(v, acc) VFMADD231PS v(DX)(R10*1), Y8, acc

// func lutLookupAVX2(xg *float32, ldx, in, n int, idx *int32, tab *float32, first bool)
TEXT ·lutLookupAVX2(SB), NOSPLIT, $0-49
	MOVQ    xg+0(FP), DI
	MOVQ    ldx+8(FP), R8
	SHLQ    $2, R8
	MOVQ    in+16(FP), CX
	MOVQ    n+24(FP), R12
	MOVQ    idx+32(FP), SI
	MOVQ    tab+40(FP), DX
	MOVBLZX first+48(FP), R9

channel:
	TESTQ   R9, R9
	JZ      carry
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	VXORPS  Y2, Y2, Y2
	VXORPS  Y3, Y3, Y3
	VXORPS  Y4, Y4, Y4
	VXORPS  Y5, Y5, Y5
	VXORPS  Y6, Y6, Y6
	VXORPS  Y7, Y7, Y7
	JMP     terms

carry:
	LOAD8(DI)

terms:
	MOVQ R12, AX

term:
	MOVLQSX      0(SI), R10
	VBROADCASTSS 4(SI), Y8
	LOOK(0, Y0)
	LOOK(32, Y1)
	LOOK(64, Y2)
	LOOK(96, Y3)
	LOOK(128, Y4)
	LOOK(160, Y5)
	LOOK(192, Y6)
	LOOK(224, Y7)
	ADDQ         $8, SI
	DECQ         AX
	JNZ          term

	STORE8(DI)
	ADDQ    R8, DI
	DECQ    CX
	JNZ     channel
	VZEROUPPER
	RET
