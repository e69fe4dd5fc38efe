//go:build !purego

#include "textflag.h"
#include "kernel_amd64.h"

// AVX2+FMA micro-kernels for the blocked GEMM (kernel_amd64.go). Each
// multiplies an mr-row A micro-panel (k×mr, row-interleaved) by an nr-column
// B micro-panel (k×nr) into 12 accumulators Y4–Y15, in ascending depth
// order, then stores the tile to C (row stride ldc floats):
// C = acc if beta == 0 (±0; C is not read), else C = acc + beta·C.

// The tile stores of 8-float rows, beta in Y0 (kernel_amd64.h).
#define STORE2(r0, r1) VSTORE2(32, r0, r1)
#define UPDATE2(r0, r1) VUPDATE2(32, Y0, r0, r1)
#define STORE3(r0, r1, r2) VSTORE3(32, r0, r1, r2)
#define UPDATE3(r0, r1, r2) VUPDATE3(32, Y0, r0, r1, r2)

// The accumulator rows of the two tile shapes, each row given to OP
// (STORE2 or UPDATE2, STORE3 or UPDATE3).
#define ROWS6x16(OP) ROWS2(OP, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
#define ROWS4x24(OP) ROWS3(OP, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)

// ZERO12 clears the 12 accumulators Y4–Y15.
#define ZERO12 CLEAR12(VXORPS, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)

// 6×16 tile: per depth step two 8-float B vectors (Y0, Y1) and six A
// broadcasts (alternating Y2, Y3), 12 FMAs.
#define STEP6x16(ao, bo) \
	BROW2(32, bo, Y0, Y1); \
	FMA6x16((ao)(SI), (ao+4)(SI), (ao+8)(SI), (ao+12)(SI), (ao+16)(SI), (ao+20)(SI))

// BC2 and BC3 multiply the B row in Y0, Y1 (and Y2) by the A value at
// addr (broadcast into t) into one accumulator row (kernel_amd64.h).
#define BC2(addr, t, r0, r1) BFMA2(Y0, Y1, addr, t, r0, r1)
#define BC3(addr, t, r0, r1, r2) BFMA3(Y0, Y1, Y2, addr, t, r0, r1, r2)

// FMA6x16 multiplies the B row in Y0, Y1 by the six A values at the
// addresses a0 to a5 into the accumulators.
#define FMA6x16(a0, a1, a2, a3, a4, a5) \
	BC2(a0, Y2, Y4, Y5); \
	BC2(a1, Y3, Y6, Y7); \
	BC2(a2, Y2, Y8, Y9); \
	BC2(a3, Y3, Y10, Y11); \
	BC2(a4, Y2, Y12, Y13); \
	BC2(a5, Y3, Y14, Y15)

// func kern6x16(k int, a, b, c *float32, ldc int, beta float32)
TEXT ·kern6x16(SB), NOSPLIT, $0-44
	KERNEL(ZERO12, STEP6x16, 24, 64, ROWS6x16, UPDATE2, STORE2, Y0)

// 4×24 tile: per depth step three 8-float B vectors (Y0–Y2) and four A
// broadcasts (Y3), 12 FMAs.
#define STEP4x24(ao, bo) \
	BROW3(32, bo, Y0, Y1, Y2); \
	FMA4x24(ao)

// FMA4x24 multiplies the B row in Y0–Y2 by the four A values at ao(SI)
// into the accumulators.
#define FMA4x24(ao) \
	BC3((ao)(SI), Y3, Y4, Y5, Y6); \
	BC3((ao+4)(SI), Y3, Y7, Y8, Y9); \
	BC3((ao+8)(SI), Y3, Y10, Y11, Y12); \
	BC3((ao+12)(SI), Y3, Y13, Y14, Y15)

// func kern4x24(k int, a, b, c *float32, ldc int, beta float32)
TEXT ·kern4x24(SB), NOSPLIT, $0-44
	KERNEL(ZERO12, STEP4x24, 16, 96, ROWS4x24, UPDATE3, STORE3, Y0)

// 4×24 tile with B read in place: row p of the B micro-panel is the 24
// floats at b + boff[p] (an im2col row of a padded image, say), so the
// panel needs no packing.
#define STEP4x24B(ao, io) \
	BROW3IN(32, io, Y0, Y1, Y2); \
	FMA4x24(ao)

// func kern4x24B(k int, a, b *float32, boff *int, c *float32, ldc int, beta float32)
TEXT ·kern4x24B(SB), NOSPLIT, $0-52
	KERNELB(ZERO12, STEP4x24B, 16, ROWS4x24, UPDATE3, STORE3, Y0)

// 6×16 tile with A read in place: row i of the A micro-panel is the k
// floats at a + aoff[i] (six row pointers SI, R9–R13, indexed by the depth
// AX), so the rows need no packing.
#define STEP6x16A(d, bo) \
	BROW2(32, bo, Y0, Y1); \
	FMA6x16((d)(SI)(AX*4), (d)(R9)(AX*4), (d)(R10)(AX*4), (d)(R11)(AX*4), (d)(R12)(AX*4), (d)(R13)(AX*4))

// func kern6x16A(k int, a *float32, aoff *int, b, c *float32, ldc int, beta float32)
TEXT ·kern6x16A(SB), NOSPLIT, $0-52
	MOVQ a+8(FP), SI
	MOVQ aoff+16(FP), AX
	ROWPTR(1, R9)
	ROWPTR(2, R10)
	ROWPTR(3, R11)
	ROWPTR(4, R12)
	ROWPTR(5, R13)
	MOVQ 0(AX), AX
	LEAQ (SI)(AX*4), SI
	MOVQ k+0(FP), CX
	MOVQ b+24(FP), DI
	CTILE(c+32(FP), ldc+40(FP))
	XORQ AX, AX
	ZERO12
	DEPTH(STEP6x16A, 4, 64, AX, 1, DI, 64)
	OUT(ROWS6x16, UPDATE2, STORE2, beta+48(FP), Y0)

// The stages of transpose8's 8×8 block transpose, from the rows in Y0–Y7.
//
// UNPACK interleaves the rows a and b: lo gets the low two floats of each
// 128-bit lane of both, alternately a's and b's, hi the high two.
#define UNPACK(a, b, lo, hi) \
	VUNPCKLPS b, a, lo; \
	VUNPCKHPS b, a, hi

// SHUFFLE takes the low (lo) and the high (hi) pair of floats of each
// 128-bit lane of a and b, a's first.
#define SHUFFLE(a, b, lo, hi) \
	VSHUFPS $0x44, b, a, lo; \
	VSHUFPS $0xEE, b, a, hi

// PERMUTE4 sets d0–d3 to the 128-bit lanes of Y0–Y3 and Y4–Y7 that imm
// selects: $0x20 the low lanes of both, $0x31 the high ones.
#define PERMUTE4(imm, d0, d1, d2, d3) \
	VPERM2F128 imm, Y4, Y0, d0; \
	VPERM2F128 imm, Y5, Y1, d1; \
	VPERM2F128 imm, Y6, Y2, d2; \
	VPERM2F128 imm, Y7, Y3, d3

// STOREROWS4 stores r0–r3 to four rows of the panel at DI, DX bytes apart
// (R8 = 3·DX), and moves DI on by the four rows.
#define STOREROWS4(r0, r1, r2, r3) \
	VMOVUPS r0, (DI); \
	VMOVUPS r1, (DI)(DX*1); \
	VMOVUPS r2, (DI)(DX*2); \
	VMOVUPS r3, (DI)(R8*1); \
	LEAQ    (DI)(DX*4), DI

// SRCROWS sets BX and R9–R14 to rows 1 to 7 of the source, from row 0 at
// SI and the row stride AX (bytes).
#define SRCROWS \
	LEAQ (SI)(AX*1), BX; \
	LEAQ (BX)(AX*1), R9; \
	LEAQ (R9)(AX*1), R10; \
	LEAQ (R10)(AX*1), R11; \
	LEAQ (R11)(AX*1), R12; \
	LEAQ (R12)(AX*1), R13; \
	LEAQ (R13)(AX*1), R14

// LOADROWS8 loads the 8 floats at byte AX of each of the eight source
// rows (SI, BX, R9–R14, as SRCROWS sets them) into Y0–Y7.
#define LOADROWS8 \
	VMOVUPS (SI)(AX*1), Y0; \
	VMOVUPS (BX)(AX*1), Y1; \
	VMOVUPS (R9)(AX*1), Y2; \
	VMOVUPS (R10)(AX*1), Y3; \
	VMOVUPS (R11)(AX*1), Y4; \
	VMOVUPS (R12)(AX*1), Y5; \
	VMOVUPS (R13)(AX*1), Y6; \
	VMOVUPS (R14)(AX*1), Y7

// func transpose8(dst *float32, ldd int, src *float32, lds int, k int)
// dst[p·ldd + j] = src[j·lds + p] for j < 8, p < k (k a multiple of 8):
// eight rows of op(B)ᵀ into eight columns of a packed B panel, an 8×8
// block at a time (unpack, shuffle, 128-bit lane permute).
TEXT ·transpose8(SB), NOSPLIT, $0-40
	MOVQ   dst+0(FP), DI
	STRIDE(ldd+8(FP), DX)
	LEAQ   (DX)(DX*2), R8
	MOVQ   src+16(FP), SI
	STRIDE(lds+24(FP), AX)
	SRCROWS
	MOVQ   k+32(FP), CX
	XORQ   AX, AX

tr8:
	LOADROWS8
	UNPACK(Y0, Y1, Y8, Y9)
	UNPACK(Y2, Y3, Y10, Y11)
	UNPACK(Y4, Y5, Y12, Y13)
	UNPACK(Y6, Y7, Y14, Y15)
	SHUFFLE(Y8, Y10, Y0, Y1)
	SHUFFLE(Y9, Y11, Y2, Y3)
	SHUFFLE(Y12, Y14, Y4, Y5)
	SHUFFLE(Y13, Y15, Y6, Y7)
	PERMUTE4($0x20, Y8, Y9, Y10, Y11)
	PERMUTE4($0x31, Y12, Y13, Y14, Y15)
	STOREROWS4(Y8, Y9, Y10, Y11)
	STOREROWS4(Y12, Y13, Y14, Y15)
	ADDQ    $32, AX
	SUBQ    $8, CX
	JNZ     tr8
	VZEROUPPER
	RET

// CORNER runs body on each float of the m×n corner: the rows (CX) of
// the source at SI (row stride R8 bytes) and of C at DI (R9), the columns
// (DX) by the index BX, then returns; row and col are its labels. It
// clobbers SI, DI, CX and BX.
#define CORNER(body, row, col) \
row: \
	XORQ BX, BX; \
col: \
	body; \
	INCQ BX; \
	CMPQ BX, DX; \
	JLT  col; \
	ADDQ R8, SI; \
	ADDQ R9, DI; \
	DECQ CX; \
	JNZ  row; \
	RET

// FMA1 sets C = acc + beta·C (beta in X0) for the float at column BX;
// COPY1 sets C = acc (through AX).
#define FMA1 \
	VMOVSS      (SI)(BX*4), X1; \
	VFMADD231SS (DI)(BX*4), X0, X1; \
	VMOVSS      X1, (DI)(BX*4)

#define COPY1 \
	MOVL (SI)(BX*4), AX; \
	MOVL AX, (DI)(BX*4)

// func storeFMA(acc *float32, nr int, beta float32, c *float32, ldc, m, n int)
// The m×n corner (m, n >= 1) of an accumulator tile with row stride nr
// into C (row stride ldc): C = acc + beta·C fused (VFMADD231SS), as the
// kernels' full-tile stores compute it, or C = acc for beta = ±0 (C is
// not read). The edge tiles of the assembly kernels go through it, so
// that every element of C is stored alike whatever the tile shape.
TEXT ·storeFMA(SB), NOSPLIT, $0-56
	MOVQ   acc+0(FP), SI
	STRIDE(nr+8(FP), R8)
	MOVQ   c+24(FP), DI
	STRIDE(ldc+32(FP), R9)
	MOVQ   m+40(FP), CX
	MOVQ   n+48(FP), DX
	VMOVSS beta+16(FP), X0
	IFZERO(beta+16(FP), copyrow)

	CORNER(FMA1, fmarow, fmacol)

	// beta = ±0 (IFZERO): C = acc, C not read.
	CORNER(COPY1, copyrow, copycol)
