//go:build !purego

#include "textflag.h"

// The table-lookup input gradient (lutgrad.go) in AVX-512: a column block
// of 64 positions is four vectors, at 0, 64, 128 and 192 bytes of each
// table entry (256 bytes; a chunk's table is 2048). Each lane goes through
// the operations of lutBuildGo and lutLookupGo in their order, as in
// lutgrad_amd64.s.

// BUILD4Z(v) computes the eight entries of one chunk for vector v (byte
// offset v of the column block) from the terms' float offsets AX, BX,
// R10, R11 (from dyp at DX) and their scales Z12-Z15, and stores them in
// the chunk's table at DI.
#define BUILD4Z(v) \
	VMULPS  v(DX)(AX*4), Z12, Z0; \
	VMULPS  v(DX)(BX*4), Z13, Z1; \
	VMULPS  v(DX)(R10*4), Z14, Z2; \
	VMULPS  v(DX)(R11*4), Z15, Z3; \
	VADDPS  Z1, Z0, Z4; \
	VSUBPS  Z1, Z0, Z5; \
	VADDPS  Z2, Z4, Z6; \
	VADDPS  Z2, Z5, Z7; \
	VSUBPS  Z2, Z4, Z8; \
	VSUBPS  Z2, Z5, Z9; \
	VADDPS  Z3, Z6, Z0; \
	VADDPS  Z3, Z7, Z1; \
	VADDPS  Z3, Z8, Z2; \
	VADDPS  Z3, Z9, Z4; \
	VSUBPS  Z3, Z6, Z5; \
	VSUBPS  Z3, Z7, Z6; \
	VSUBPS  Z3, Z8, Z7; \
	VSUBPS  Z3, Z9, Z8; \
	VMOVUPS Z0, (0*256+v)(DI); \
	VMOVUPS Z1, (1*256+v)(DI); \
	VMOVUPS Z2, (2*256+v)(DI); \
	VMOVUPS Z4, (3*256+v)(DI); \
	VMOVUPS Z5, (4*256+v)(DI); \
	VMOVUPS Z6, (5*256+v)(DI); \
	VMOVUPS Z7, (6*256+v)(DI); \
	VMOVUPS Z8, (7*256+v)(DI)

// func lutBuildAVX512(tab, dyp *float32, off4 *int32, sc4 *float32, n int)
TEXT ·lutBuildAVX512(SB), NOSPLIT, $0-40
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
	VBROADCASTSS 0(R8), Z12
	VBROADCASTSS 4(R8), Z13
	VBROADCASTSS 8(R8), Z14
	VBROADCASTSS 12(R8), Z15
	BUILD4Z(0)
	BUILD4Z(64)
	BUILD4Z(128)
	BUILD4Z(192)
	ADDQ         $16, SI
	ADDQ         $16, R8
	ADDQ         $2048, DI
	DECQ         CX
	JNZ          chunk
	VZEROUPPER
	RET

// LOOKZ adds sign (±1 in every lane) times the four vectors of the entry
// at byte offset off of the table (DX) to a0..a3: one rounding each,
// acc ± entry.
#define LOOKZ(off, sign, a0, a1, a2, a3) \
	VFMADD231PS 0(DX)(off*1), sign, a0; \
	VFMADD231PS 64(DX)(off*1), sign, a1; \
	VFMADD231PS 128(DX)(off*1), sign, a2; \
	VFMADD231PS 192(DX)(off*1), sign, a3

// ZERO4 and LOAD4 set a0..a3 to zero and to the 64 floats at m (an
// address without offset, as (DI) or (DI)(R8*1)); STORE4 stores them there.
#define ZERO4(a0, a1, a2, a3) \
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
	CMPB    first+48(FP), $0
	JEQ     qcarry
	ZERO4(Z0, Z1, Z2, Z3)
	ZERO4(Z4, Z5, Z6, Z7)
	ZERO4(Z8, Z9, Z10, Z11)
	ZERO4(Z12, Z13, Z14, Z15)
	JMP     qterms

qcarry:
	LOAD4((DI), Z0, Z1, Z2, Z3)
	LOAD4((DI)(R8*1), Z4, Z5, Z6, Z7)
	LOAD4((BX), Z8, Z9, Z10, Z11)
	LOAD4((BX)(R8*1), Z12, Z13, Z14, Z15)

qterms:
	MOVQ R12, AX

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
	ADDQ         $8, SI
	ADDQ         $8, R15
	DECQ         AX
	JNZ          qterm

	LEAQ    (DI)(R8*2), BX
	STORE4((DI), Z0, Z1, Z2, Z3)
	STORE4((DI)(R8*1), Z4, Z5, Z6, Z7)
	STORE4((BX), Z8, Z9, Z10, Z11)
	STORE4((BX)(R8*1), Z12, Z13, Z14, Z15)
	LEAQ    (BX)(R8*2), DI
	LEAQ    (R15)(R13*2), SI       // past channel c+3's pairs
	DECQ    CX
	JNZ     quad

pair:
	TESTQ   $2, in+16(FP)
	JZ      single
	LEAQ    (SI)(R13*1), R15
	CMPB    first+48(FP), $0
	JEQ     pcarry
	ZERO4(Z0, Z1, Z2, Z3)
	ZERO4(Z4, Z5, Z6, Z7)
	JMP     pterms

pcarry:
	LOAD4((DI), Z0, Z1, Z2, Z3)
	LOAD4((DI)(R8*1), Z4, Z5, Z6, Z7)

pterms:
	MOVQ R12, AX

pterm:
	MOVLQSX      0(SI), R10
	MOVLQSX      0(R15), R14
	VBROADCASTSS 4(SI), Z16
	VBROADCASTSS 4(R15), Z17
	LOOKZ(R10, Z16, Z0, Z1, Z2, Z3)
	LOOKZ(R14, Z17, Z4, Z5, Z6, Z7)
	ADDQ         $8, SI
	ADDQ         $8, R15
	DECQ         AX
	JNZ          pterm

	STORE4((DI), Z0, Z1, Z2, Z3)
	STORE4((DI)(R8*1), Z4, Z5, Z6, Z7)
	LEAQ    (DI)(R8*2), DI
	MOVQ    R15, SI                // past channel c+1's pairs

single:
	TESTQ   $1, in+16(FP)
	JZ      done
	CMPB    first+48(FP), $0
	JEQ     scarry
	ZERO4(Z0, Z1, Z2, Z3)
	JMP     sterms

scarry:
	LOAD4((DI), Z0, Z1, Z2, Z3)

sterms:
	MOVQ R12, AX

sterm:
	MOVLQSX      0(SI), R10
	VBROADCASTSS 4(SI), Z16
	LOOKZ(R10, Z16, Z0, Z1, Z2, Z3)
	ADDQ         $8, SI
	DECQ         AX
	JNZ          sterm

	STORE4((DI), Z0, Z1, Z2, Z3)

done:
	VZEROUPPER
	RET
