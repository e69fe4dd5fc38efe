//go:build !purego

#include "textflag.h"
#include "lut_amd64.h"

// The table-lookup input gradient (lutgrad.go) in AVX-512: a column block
// of 64 positions is four vectors, at 0, 64, 128 and 192 bytes of each
// table entry (256 bytes; a chunk's table is 2048). Each lane goes through
// the operations of lutBuildGo and lutLookupGo in their order, as in
// lutgrad_amd64.s.

// BUILD4Z(v) is LUTENTRIES for the vector at byte offset v, in zmm
// registers: the scales in Z12-Z15, scratch Z0-Z9.
#define BUILD4Z(v) LUTENTRIES(v, Z12, Z13, Z14, Z15, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)

#define BUILDBLOCKZ BUILD4Z(0); BUILD4Z(64); BUILD4Z(128); BUILD4Z(192)

// func lutBuildAVX512(tab, dyp *float32, off4 *int32, sc4 *float32, n int)
TEXT ·lutBuildAVX512(SB), NOSPLIT, $0-40
	LUTBUILD(BUILDBLOCKZ, Z12, Z13, Z14, Z15)

// LOOKZ adds sign (±1 in every lane) times the four vectors of the entry
// at byte offset off of the table (DX) to a0..a3: one rounding each,
// acc ± entry.
#define LOOKZ(off, sign, a0, a1, a2, a3) \
	VFMADD231PS 0(DX)(off*1), sign, a0; \
	VFMADD231PS 64(DX)(off*1), sign, a1; \
	VFMADD231PS 128(DX)(off*1), sign, a2; \
	VFMADD231PS 192(DX)(off*1), sign, a3

// ZERO4 and LOAD4 set a0..a3 to zero and to the 64 floats at m (an
// address without offset, as (DI) or (DI)(R8*1)); STORE4 stores them
// there. ZERO4 takes m, which it does not use, to go where the other two
// go.
#define ZERO4(m, a0, a1, a2, a3) \
	VPXORD a0, a0, a0; \
	VPXORD a1, a1, a1; \
	VPXORD a2, a2, a2; \
	VPXORD a3, a3, a3

#define LOAD4(m, a0, a1, a2, a3) \
	VMOVUPS m, a0; \
	VMOVUPS 64 m, a1; \
	VMOVUPS 128 m, a2; \
	VMOVUPS 192 m, a3

#define STORE4(m, a0, a1, a2, a3) \
	VMOVUPS a0, m; \
	VMOVUPS a1, 64 m; \
	VMOVUPS a2, 128 m; \
	VMOVUPS a3, 192 m

// ROWS1, ROWS2 and ROWS4 apply OP (ZERO4, LOAD4 or STORE4) to the rows
// of one, two and four channels and their accumulators: Z0-Z3 for the
// row at DI, Z4-Z7 at DI + R8, Z8-Z11 at BX (DI + 2·R8), Z12-Z15 at BX +
// R8.
#define ROWS1(OP) OP((DI), Z0, Z1, Z2, Z3)
#define ROWS2(OP) ROWS1(OP); OP((DI)(R8*1), Z4, Z5, Z6, Z7)
#define ROWS4(OP) ROWS2(OP); OP((BX), Z8, Z9, Z10, Z11); OP((BX)(R8*1), Z12, Z13, Z14, Z15)

// START(first, ROWS, carry, terms) sets the accumulators of ROWS to zero
// if the byte first is set, else to the rows' sums so far (at carry),
// and then (at terms) AX to the n (R12) chunks.
#define START(first, ROWS, carry, terms) \
	CMPB first, $0; \
	JEQ  carry; \
	ROWS(ZERO4); \
	JMP  terms; \
carry: \
	ROWS(LOAD4); \
terms: \
	MOVQ R12, AX

// NEXTTERM2 moves the pair pointers SI and R15 on to the next chunk's
// pairs and loops to term while chunks are left (AX counts them down).
#define NEXTTERM2(term) \
	ADDQ $8, SI; \
	ADDQ $8, R15; \
	DECQ AX; \
	JNZ  term

// func lutLookupAVX512(xg *float32, ldx, in, n int, idx *int32, tab *float32, first bool)
// Four channels at a time, so that sixteen accumulators Z0-Z15 carry
// independent sums (the multiply-add's latency is four cycles, and two
// issue per cycle), then two, then one. Channel c+k's row is at DI +
// k·R8, its pairs at SI + k·R13 (SI + R13 in R15 for c+3).
TEXT ·lutLookupAVX512(SB), NOSPLIT, $0-49
	MOVQ    xg+0(FP), DI
	MOVQ    ldx+8(FP), R8
	SHLQ    $2, R8                 // xg row stride, bytes
	MOVQ    n+24(FP), R12
	MOVQ    idx+32(FP), SI
	MOVQ    tab+40(FP), DX
	MOVQ    R12, R13
	SHLQ    $3, R13                // a channel's pairs, bytes
	MOVQ    in+16(FP), CX
	SHRQ    $2, CX
	JZ      pair

quad:
	LEAQ    (SI)(R13*1), R15
	LEAQ    (DI)(R8*2), BX         // rows c+2, c+3
	START(first+48(FP), ROWS4, qcarry, qterms)

qterm:
	MOVLQSX      0(SI), R10
	MOVLQSX      0(SI)(R13*1), R14
	MOVLQSX      0(SI)(R13*2), R11
	MOVLQSX      0(R15)(R13*2), R9
	VBROADCASTSS 4(SI), Z16
	VBROADCASTSS 4(SI)(R13*1), Z17
	VBROADCASTSS 4(SI)(R13*2), Z18
	VBROADCASTSS 4(R15)(R13*2), Z19
	LOOKZ(R10, Z16, Z0, Z1, Z2, Z3)
	LOOKZ(R14, Z17, Z4, Z5, Z6, Z7)
	LOOKZ(R11, Z18, Z8, Z9, Z10, Z11)
	LOOKZ(R9, Z19, Z12, Z13, Z14, Z15)
	NEXTTERM2(qterm)

	LEAQ    (DI)(R8*2), BX
	ROWS4(STORE4)
	LEAQ    (BX)(R8*2), DI
	LEAQ    (R15)(R13*2), SI       // past channel c+3's pairs
	DECQ    CX
	JNZ     quad

pair:
	TESTQ   $2, in+16(FP)
	JZ      single
	LEAQ    (SI)(R13*1), R15
	START(first+48(FP), ROWS2, pcarry, pterms)

pterm:
	MOVLQSX      0(SI), R10
	MOVLQSX      0(R15), R14
	VBROADCASTSS 4(SI), Z16
	VBROADCASTSS 4(R15), Z17
	LOOKZ(R10, Z16, Z0, Z1, Z2, Z3)
	LOOKZ(R14, Z17, Z4, Z5, Z6, Z7)
	NEXTTERM2(pterm)

	ROWS2(STORE4)
	LEAQ    (DI)(R8*2), DI
	MOVQ    R15, SI                // past channel c+1's pairs

single:
	TESTQ   $1, in+16(FP)
	JZ      done
	START(first+48(FP), ROWS1, scarry, sterms)

sterm:
	MOVLQSX      0(SI), R10
	VBROADCASTSS 4(SI), Z16
	LOOKZ(R10, Z16, Z0, Z1, Z2, Z3)
	ADDQ         $8, SI
	DECQ         AX
	JNZ          sterm

	ROWS1(STORE4)

done:
	VZEROUPPER
	RET
