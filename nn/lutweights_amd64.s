//go:build !purego

#include "textflag.h"
#include "lut_amd64.h"

// AVX2 kernels of the weight gradient by tables (lutweights.go). They do
// the operations of lutTablesGo and lutRowsGo in the same order, so they
// agree with them bit for bit.

// TABQUAD stores the four table entries p01 + x (p01: Y4, Y9, Y5, Y8) at
// R14, R14 + S, R14 + 2·S and R14 + 3·S (S in R12, 3·S in R13), and moves
// R14 on by 4·S to the next four.
#define TABQUAD(x) \
	VADDPS  x, Y4, Y12; \
	VADDPS  x, Y9, Y13; \
	VMOVUPS Y12, (R14); \
	VMOVUPS Y13, (R14)(R12*1); \
	VADDPS  x, Y5, Y12; \
	VADDPS  x, Y8, Y13; \
	VMOVUPS Y12, (R14)(R12*2); \
	VMOVUPS Y13, (R14)(R13*1); \
	LEAQ    (R14)(R12*4), R14

// ROWSLOOP(shift, loop, PTRS) starts lutRows16AVX2 and lutRows32AVX2:
// LUTROWSARGS(shift), tab (DX) and a chunk's 16 table rows in bytes
// (R9); then, at the head of the row loop (the label loop, which the
// routine closes), PTRS (ROWPTR4 or ROWPTR2) for the rows of the pass,
// and sh in SI. (Before the first TEXT line, where go vet does not
// check its operands against another routine's arguments.)
#define ROWSLOOP(shift, loop, PTRS) \
	LUTROWSARGS(shift); \
	MOVQ tab+40(FP), DX; \
	MOVQ BX, R9; \
	SHLQ $4, R9; \
loop: \
	MOVQ pat+16(FP), SI; \
	PTRS; \
	MOVQ sh+56(FP), SI

// func lutTablesAVX2(tab, dy *float32, ldy, out, o8, chunks int)
// Channels o < o8 (a positive multiple of 8) of tables of out channels,
// chunks >= 1. For each chunk h and each group of
// 8 channels, the 4 values of each channel (dy[o·ldy + 4h : +4]) are
// transposed to v0..v3 (lane 0 channels o..o+3, lane 1 o+4..o+7), and
// T[m] = p01[m&3] + p23[m>>2] is stored for the 16 patterns m.
TEXT ·lutTablesAVX2(SB), NOSPLIT, $0-48
	MOVQ tab+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ ldy+16(FP), BX
	SHLQ $2, BX                 // dy row stride, bytes
	MOVQ out+24(FP), DX
	MOVQ o8+32(FP), R15
	MOVQ chunks+40(FP), CX
	LEAQ (BX)(BX*2), R9         // 3 rows
	MOVQ DX, R12
	SHLQ $2, R12                // table row stride S, bytes
	LEAQ (R12)(R12*2), R13      // 3·S
	VPCMPEQD Y15, Y15, Y15
	VPSLLD   $31, Y15, Y15      // the sign bit

tchunk:
	MOVQ SI, R8                 // channel o's values of this chunk
	MOVQ DI, R11                // T[h][0][o]
	MOVQ R15, AX

tgroup:
	LEAQ        (R8)(BX*4), R10
	VMOVUPS     (R8), X0
	VINSERTF128 $1, (R10), Y0, Y0
	VMOVUPS     (R8)(BX*1), X1
	VINSERTF128 $1, (R10)(BX*1), Y1, Y1
	VMOVUPS     (R8)(BX*2), X2
	VINSERTF128 $1, (R10)(BX*2), Y2, Y2
	VMOVUPS     (R8)(R9*1), X3
	VINSERTF128 $1, (R10)(R9*1), Y3, Y3
	VUNPCKLPS   Y1, Y0, Y4      // a0 b0 a1 b1
	VUNPCKHPS   Y1, Y0, Y5      // a2 b2 a3 b3
	VUNPCKLPS   Y3, Y2, Y6      // c0 d0 c1 d1
	VUNPCKHPS   Y3, Y2, Y7      // c2 d2 c3 d3
	VUNPCKLPD   Y6, Y4, Y0      // v0
	VUNPCKHPD   Y6, Y4, Y1      // v1
	VUNPCKLPD   Y7, Y5, Y2      // v2
	VUNPCKHPD   Y7, Y5, Y3      // v3
	VADDPS      Y1, Y0, Y4      // a = v0 + v1
	VSUBPS      Y1, Y0, Y5      // b = v0 - v1
	VADDPS      Y3, Y2, Y6      // c = v2 + v3
	VSUBPS      Y3, Y2, Y7      // d = v2 - v3
	VXORPS      Y15, Y4, Y8     // -a
	VXORPS      Y15, Y5, Y9     // -b
	VXORPS      Y15, Y6, Y10    // -c
	VXORPS      Y15, Y7, Y11    // -d

	// p01 = a, -b, b, -a (Y4, Y9, Y5, Y8); p23 = c, -d, d, -c (Y6, Y11, Y7, Y10)
	MOVQ   R11, R14
	TABQUAD(Y6)
	TABQUAD(Y11)
	TABQUAD(Y7)
	TABQUAD(Y10)

	ADDQ $32, R11
	LEAQ (R8)(BX*8), R8
	SUBQ $8, AX
	JNZ  tgroup

	ADDQ $16, SI
	MOVQ R12, AX
	SHLQ $4, AX
	ADDQ AX, DI                 // the next chunk's tables
	DECQ CX
	JNZ  tchunk
	VZEROUPPER
	RET

// LOADROW16 and STOREROW16 move the accumulators a0, a1 from and to the
// 16 floats of a dw row at m (an address without offset, as (DI) or
// (DI)(BX*1)), LOADROW32 and STOREROW32 a0..a3 from and to its 32.
#define LOADROW16(m, a0, a1) \
	VMOVUPS m, a0; \
	VMOVUPS 32 m, a1

#define STOREROW16(m, a0, a1) \
	VMOVUPS a0, m; \
	VMOVUPS a1, 32 m

#define LOADROW32(m, a0, a1, a2, a3) \
	VMOVUPS m, a0; \
	VMOVUPS 32 m, a1; \
	VMOVUPS 64 m, a2; \
	VMOVUPS 96 m, a3

#define STOREROW32(m, a0, a1, a2, a3) \
	VMOVUPS a0, m; \
	VMOVUPS a1, 32 m; \
	VMOVUPS a2, 64 m; \
	VMOVUPS a3, 96 m

// LUTROW16 adds to acc0, acc1 the 16 floats at (R14) + m<<SI, m the sign
// pattern at (xp).
#define LUTROW16(xp, acc0, acc1) \
	MOVBQZX   (xp), AX; \
	SHLXQ     SI, AX, AX; \
	VADDPS    (R14)(AX*1), acc0, acc0; \
	VADDPS    32(R14)(AX*1), acc1, acc1

// func lutRows16AVX2(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)
// lutRowsGo for width 16, ld·4 = 1<<sh and rows a multiple of 4: four
// rows at a time, their 16 sums in Y0..Y7.
TEXT ·lutRows16AVX2(SB), NOSPLIT, $0-64
	ROWSLOOP($2, r16, ROWPTR4)
	LEAQ (DI)(BX*2), AX         // rows 2 and 3
	DW4(LOADROW16, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	MOVQ DX, R14
	MOVQ chunks+48(FP), CX

c16:
	PATS4(LUTROW16, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	INCQ R11
	INCQ R12
	INCQ R13
	INCQ R15
	ADDQ R9, R14
	DECQ CX
	JNZ  c16

	GROUP4END(STOREROW16, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, r16)

#define LUTROW32(xp, acc0, acc1, acc2, acc3) \
	MOVBQZX   (xp), AX; \
	SHLXQ     SI, AX, AX; \
	VADDPS    (R14)(AX*1), acc0, acc0; \
	VADDPS    32(R14)(AX*1), acc1, acc1; \
	VADDPS    64(R14)(AX*1), acc2, acc2; \
	VADDPS    96(R14)(AX*1), acc3, acc3

// func lutRows32AVX2(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)
// lutRowsGo for width 32, ld·4 = 1<<sh and rows even: two rows at a time.
TEXT ·lutRows32AVX2(SB), NOSPLIT, $0-64
	ROWSLOOP($1, r32, ROWPTR2)
	LOADROW32((DI), Y0, Y1, Y2, Y3)
	LOADROW32((DI)(BX*1), Y4, Y5, Y6, Y7)
	MOVQ DX, R14
	MOVQ chunks+48(FP), CX

c32:
	LUTROW32(R11, Y0, Y1, Y2, Y3)
	LUTROW32(R12, Y4, Y5, Y6, Y7)
	INCQ R11
	INCQ R12
	ADDQ R9, R14
	DECQ CX
	JNZ  c32

	STOREROW32((DI), Y0, Y1, Y2, Y3)
	STOREROW32((DI)(BX*1), Y4, Y5, Y6, Y7)
	LEAQ (DI)(BX*2), DI
	ADDQ $16, R8
	DECQ R10
	JNZ  r32
	VZEROUPPER
	RET

// func lutRows64AVX2(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)
// lutRowsGo for width 64 and ld·4 = 1<<sh: one row at a time, its 64
// sums in Y0..Y7.
TEXT ·lutRows64AVX2(SB), NOSPLIT, $0-64
	MOVQ dw+0(FP), DI
	MOVQ ld+8(FP), BX
	SHLQ $2, BX                 // dw row stride, bytes
	MOVQ pat+16(FP), SI
	MOVQ poff+24(FP), R8
	MOVQ rows+32(FP), R10
	MOVQ tab+40(FP), DX
	MOVQ chunks+48(FP), R9
	MOVQ sh+56(FP), R12
	MOVQ BX, R13
	SHLQ $4, R13                // 16 patterns

r64:
	ROWPTR(0, R11)
	LOAD8(DI)
	MOVQ DX, R14
	MOVQ R9, CX

c64:
	MOVBQZX   (R11), AX
	SHLXQ     R12, AX, AX
	ADDQ      R14, AX
	VADDPS    (AX), Y0, Y0
	VADDPS    32(AX), Y1, Y1
	VADDPS    64(AX), Y2, Y2
	VADDPS    96(AX), Y3, Y3
	VADDPS    128(AX), Y4, Y4
	VADDPS    160(AX), Y5, Y5
	VADDPS    192(AX), Y6, Y6
	VADDPS    224(AX), Y7, Y7
	INCQ      R11
	ADDQ      R13, R14
	DECQ      CX
	JNZ       c64

	STORE8(DI)
	ADDQ    BX, DI
	ADDQ    $8, R8
	DECQ    R10
	JNZ     r64
	VZEROUPPER
	RET

// func lutSignBytesAVX2(sb *uint8, x *float32, n int)
// sb[i] = the sign bits of x[8i : 8i+8], for i < n (n >= 1).
TEXT ·lutSignBytesAVX2(SB), NOSPLIT, $0-24
	MOVQ sb+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX

sbytes:
	VMOVUPS   (SI), Y0
	VMOVMSKPS Y0, AX
	MOVB      AX, (DI)
	ADDQ      $32, SI
	INCQ      DI
	DECQ      CX
	JNZ       sbytes
	VZEROUPPER
	RET

// func lutNibblesAVX2(pat, sb *uint8, v int)
// lutNibblesGo with v >= 8: for each phase φ and each 8 patterns j..j+7,
// the 32 bits of sb from bit 4j + φ spread by PDEP into the low nibbles
// of 8 bytes.
TEXT ·lutNibblesAVX2(SB), NOSPLIT, $0-24
	MOVQ pat+0(FP), DI
	MOVQ v+16(FP), DX
	MOVQ $0x0f0f0f0f0f0f0f0f, R9
	XORQ CX, CX                 // φ

nphase:
	MOVQ sb+8(FP), SI
	MOVQ DX, R8
	SHRQ $3, R8                 // 8 patterns at a time

nblock:
	MOVQ  (SI), AX
	SHRXQ CX, AX, AX
	PDEPQ R9, AX, BX
	MOVQ  BX, (DI)
	ADDQ  $4, SI
	ADDQ  $8, DI
	DECQ  R8
	JNZ   nblock

	INCQ CX
	CMPQ CX, $4
	JLT  nphase
	RET
