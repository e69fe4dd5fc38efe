//go:build !purego

#include "textflag.h"
#include "lut_amd64.h"

// The table-lookup input gradient (lutgrad.go) in AVX2: a column block of
// 64 positions is eight vectors, at 0, 32, ..., 224 bytes of each table
// entry (256 bytes; a chunk's table is 2048). Same operations in the same order as lutBuildGo and lutLookupGo.

// BUILD4(v) is LUTENTRIES for the vector at byte offset v, in ymm
// registers: the scales in Y12-Y15, scratch Y0-Y9.
#define BUILD4(v) LUTENTRIES(v, Y12, Y13, Y14, Y15, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9)

#define BUILDBLOCK \
	BUILD4(0); \
	BUILD4(32); \
	BUILD4(64); \
	BUILD4(96); \
	BUILD4(128); \
	BUILD4(160); \
	BUILD4(192); \
	BUILD4(224)

// func lutBuildAVX2(tab, dyp *float32, off4 *int32, sc4 *float32, n int)
TEXT ·lutBuildAVX2(SB), NOSPLIT, $0-40
	LUTBUILD(BUILDBLOCK, Y12, Y13, Y14, Y15)

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
