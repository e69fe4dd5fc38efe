//go:build !purego

#include "textflag.h"
#include "kernel_amd64.h"

// AVX-512F micro-kernels for the blocked GEMM (kernel_amd64.go), with the
// contract and the order of operations of the AVX2 ones (kernel_amd64.s):
// each multiplies an mr-row A micro-panel by an nr-column B micro-panel
// into 24 accumulators Z8–Z31, one fused multiply-add per element and depth
// step from zero in ascending depth order, then stores the full tile to C
// (row stride ldc floats): C = acc if beta == ±0 (C is not read), else
// C = acc + beta·C, fused (VFMADD231PS), as the AVX2 store does. Every
// element of C thus gets the same sequence of roundings as under the AVX2
// kernels, whatever the tile shape: the results are bit-identical.

// The tile stores of 16-float rows, beta in Z0 (kernel_amd64.h).
#define ZSTORE1(r0) VSTORE1(64, r0)
#define ZUPDATE1(r0) VUPDATE1(64, Z0, r0)
#define ZSTORE2(r0, r1) VSTORE2(64, r0, r1)
#define ZUPDATE2(r0, r1) VUPDATE2(64, Z0, r0, r1)
#define ZSTORE3(r0, r1, r2) VSTORE3(64, r0, r1, r2)
#define ZUPDATE3(r0, r1, r2) VUPDATE3(64, Z0, r0, r1, r2)

// The accumulator rows of the three tile shapes, each row given to OP.
#define ROWS12x32(OP) \
	ROWS2(OP, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19); \
	ROWS2(OP, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31)

#define ROWS12x16(OP) \
	OP(Z8); \
	OP(Z9); \
	OP(Z10); \
	OP(Z11); \
	OP(Z12); \
	OP(Z13); \
	OP(Z14); \
	OP(Z15); \
	OP(Z16); \
	OP(Z17); \
	OP(Z18); \
	OP(Z19)

#define ROWS8x48(OP) \
	ROWS3(OP, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19); \
	ROWS3(OP, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31)

// ZERO12Z clears the 12 accumulators Z8–Z19, ZERO24 the 24 Z8–Z31.
#define ZERO12Z CLEAR12(VPXORD, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19)

#define ZERO24 \
	ZERO12Z; \
	CLEAR12(VPXORD, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31)

// BC2 and BC3 multiply the B row in Z0, Z1 (and Z2) by the A value at addr
// (broadcast into t) into one accumulator row (kernel_amd64.h).
#define BC2(addr, t, r0, r1) BFMA2(Z0, Z1, addr, t, r0, r1)
#define BC3(addr, t, r0, r1, r2) BFMA3(Z0, Z1, Z2, addr, t, r0, r1, r2)

// FMA12x32 multiplies the B row in Z0, Z1 by the twelve A values at the
// addresses a0 to a11 into the accumulators.
#define FMA12x32(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) \
	BC2(a0, Z2, Z8, Z9); \
	BC2(a1, Z3, Z10, Z11); \
	BC2(a2, Z4, Z12, Z13); \
	BC2(a3, Z5, Z14, Z15); \
	BC2(a4, Z2, Z16, Z17); \
	BC2(a5, Z3, Z18, Z19); \
	BC2(a6, Z4, Z20, Z21); \
	BC2(a7, Z5, Z22, Z23); \
	BC2(a8, Z2, Z24, Z25); \
	BC2(a9, Z3, Z26, Z27); \
	BC2(a10, Z4, Z28, Z29); \
	BC2(a11, Z5, Z30, Z31)

// FMA12x16 multiplies the B row in Z0 by the twelve A values at the
// addresses a0 to a11 (broadcast by the FMAs) into the accumulators
// Z8–Z19.
#define FMA12x16(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) \
	VFMADD231PS.BCST a0, Z0, Z8; \
	VFMADD231PS.BCST a1, Z0, Z9; \
	VFMADD231PS.BCST a2, Z0, Z10; \
	VFMADD231PS.BCST a3, Z0, Z11; \
	VFMADD231PS.BCST a4, Z0, Z12; \
	VFMADD231PS.BCST a5, Z0, Z13; \
	VFMADD231PS.BCST a6, Z0, Z14; \
	VFMADD231PS.BCST a7, Z0, Z15; \
	VFMADD231PS.BCST a8, Z0, Z16; \
	VFMADD231PS.BCST a9, Z0, Z17; \
	VFMADD231PS.BCST a10, Z0, Z18; \
	VFMADD231PS.BCST a11, Z0, Z19

// FMA8x48 multiplies the B row in Z0–Z2 by the eight A values at ao(SI).
#define FMA8x48(ao) \
	BC3((ao)(SI), Z3, Z8, Z9, Z10); \
	BC3((ao+4)(SI), Z4, Z11, Z12, Z13); \
	BC3((ao+8)(SI), Z5, Z14, Z15, Z16); \
	BC3((ao+12)(SI), Z6, Z17, Z18, Z19); \
	BC3((ao+16)(SI), Z3, Z20, Z21, Z22); \
	BC3((ao+20)(SI), Z4, Z23, Z24, Z25); \
	BC3((ao+24)(SI), Z5, Z26, Z27, Z28); \
	BC3((ao+28)(SI), Z6, Z29, Z30, Z31)

// A12 and A12IN give FMA (FMA12x32 or FMA12x16) the twelve A operands of
// a depth step: packed, the twelve floats at ao(SI); read in place, row
// i's float at d(r)(AX*4), r its row pointer (SI, BX, CX, DX, R8–R15, as
// ROWENDS12 sets them).
#define A12(FMA, ao) FMA((ao)(SI), (ao+4)(SI), (ao+8)(SI), (ao+12)(SI), (ao+16)(SI), (ao+20)(SI), (ao+24)(SI), (ao+28)(SI), (ao+32)(SI), (ao+36)(SI), (ao+40)(SI), (ao+44)(SI))
#define A12IN(FMA, d) FMA((d)(SI)(AX*4), (d)(BX)(AX*4), (d)(CX)(AX*4), (d)(DX)(AX*4), (d)(R8)(AX*4), (d)(R9)(AX*4), (d)(R10)(AX*4), (d)(R11)(AX*4), (d)(R12)(AX*4), (d)(R13)(AX*4), (d)(R14)(AX*4), (d)(R15)(AX*4))

// ROWENDS12 loads the arguments (k int, a *float32, aoff *int, b *float32)
// of the 12-row kernels with A read in place: the twelve row pointers SI,
// BX, CX, DX, R8–R15 past the rows' ends, AX = -k, DI = b.
#define ROWENDS12 \
	MOVQ k+0(FP), DI; \
	MOVQ a+8(FP), SI; \
	LEAQ (SI)(DI*4), SI; \
	MOVQ aoff+16(FP), AX; \
	ROWPTR(1, BX); \
	ROWPTR(2, CX); \
	ROWPTR(3, DX); \
	ROWPTR(4, R8); \
	ROWPTR(5, R9); \
	ROWPTR(6, R10); \
	ROWPTR(7, R11); \
	ROWPTR(8, R12); \
	ROWPTR(9, R13); \
	ROWPTR(10, R14); \
	ROWPTR(11, R15); \
	MOVQ 0(AX), AX; \
	LEAQ (SI)(AX*4), SI; \
	MOVQ b+24(FP), DI; \
	MOVQ k+0(FP), AX; \
	NEGQ AX

// DEPTHA runs the depth steps of a kernel with A read in place, AX from -k
// up to 0 in ascending order: four per iteration, STEP(0, 0), STEP(4, b),
// STEP(8, 2b), STEP(12, 3b), then one at a time; DI moves on b bytes per
// step. Its labels are the function's, as DEPTH's.
#define DEPTHA(STEP, b) \
	CMPQ AX, $-4; \
	JGT  tail; \
loop: \
	STEP(0, 0); \
	STEP(4, b); \
	STEP(8, 2*b); \
	STEP(12, 3*b); \
	ADDQ $(4*b), DI; \
	ADDQ $4, AX; \
	CMPQ AX, $-4; \
	JLE  loop; \
tail: \
	TESTQ AX, AX; \
	JZ    done; \
loop1: \
	STEP(0, 0); \
	ADDQ $(b), DI; \
	INCQ AX; \
	JNZ  loop1; \
done:

// KERNEL12A is the body of a 12-row kernel with A read in place
// (ROWENDS12): as KERNEL, with the depth steps of DEPTHA, B moving on sb
// bytes a step, and beta in Z0.
#define KERNEL12A(ZERO, STEP, sb, ROWS, UPDATE, STORE) \
	ROWENDS12; \
	ZERO; \
	DEPTHA(STEP, sb); \
	CTILE(c+32(FP), ldc+40(FP)); \
	OUT(ROWS, UPDATE, STORE, beta+48(FP), Z0)

// 12×32 tile: per depth step two 16-float B vectors (Z0, Z1) and twelve A
// broadcasts, 24 FMAs.
#define STEP12x32(ao, bo) \
	BROW2(64, bo, Z0, Z1); \
	A12(FMA12x32, ao)

// func kern12x32(k int, a, b, c *float32, ldc int, beta float32)
TEXT ·kern12x32(SB), NOSPLIT, $0-44
	KERNEL(ZERO24, STEP12x32, 48, 128, ROWS12x32, ZUPDATE2, ZSTORE2, Z0)

// 8×48 tile: per depth step three 16-float B vectors (Z0–Z2) and eight A
// broadcasts, 24 FMAs.
#define STEP8x48(ao, bo) \
	BROW3(64, bo, Z0, Z1, Z2); \
	FMA8x48(ao)

// func kern8x48(k int, a, b, c *float32, ldc int, beta float32)
TEXT ·kern8x48(SB), NOSPLIT, $0-44
	KERNEL(ZERO24, STEP8x48, 32, 192, ROWS8x48, ZUPDATE3, ZSTORE3, Z0)

// 8×48 tile with B read in place: row p of the B micro-panel is the 48
// floats at b + boff[p].
#define STEP8x48B(ao, io) \
	BROW3IN(64, io, Z0, Z1, Z2); \
	FMA8x48(ao)

// func kern8x48B(k int, a, b *float32, boff *int, c *float32, ldc int, beta float32)
TEXT ·kern8x48B(SB), NOSPLIT, $0-52
	KERNELB(ZERO24, STEP8x48B, 32, ROWS8x48, ZUPDATE3, ZSTORE3, Z0)

// 12×32 tile with A read in place: row i of the A micro-panel is the k
// floats at a + aoff[i]. Twelve row pointers (SI, BX, CX, DX, R8–R15) point
// past the rows' ends and AX runs from -k up to 0, so that the depth loop
// needs no counter of its own; DI walks the packed B panel.
#define STEP12x32A(d, bo) \
	BROW2(64, bo, Z0, Z1); \
	A12IN(FMA12x32, d)

// func kern12x32A(k int, a *float32, aoff *int, b, c *float32, ldc int, beta float32)
TEXT ·kern12x32A(SB), NOSPLIT, $0-52
	KERNEL12A(ZERO24, STEP12x32A, 128, ROWS12x32, ZUPDATE2, ZSTORE2)

// 12×16 tile, for products 16 columns wide (a convolution's weight
// gradient with 16 output channels): per depth step one 16-float B vector
// (Z0) and twelve A values broadcast by the FMAs into the 12 accumulators
// Z8–Z19.
#define STEP12x16(ao, bo) \
	VMOVUPS (bo)(DI), Z0; \
	A12(FMA12x16, ao)

// func kern12x16(k int, a, b, c *float32, ldc int, beta float32)
TEXT ·kern12x16(SB), NOSPLIT, $0-44
	KERNEL(ZERO12Z, STEP12x16, 48, 64, ROWS12x16, ZUPDATE1, ZSTORE1, Z0)

// 12×16 tile with A read in place, as kern12x32A.
#define STEP12x16A(d, bo) \
	VMOVUPS (bo)(DI), Z0; \
	A12IN(FMA12x16, d)

// func kern12x16A(k int, a *float32, aoff *int, b, c *float32, ldc int, beta float32)
TEXT ·kern12x16A(SB), NOSPLIT, $0-52
	KERNEL12A(ZERO12Z, STEP12x16A, 64, ROWS12x16, ZUPDATE1, ZSTORE1)
