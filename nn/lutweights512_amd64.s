//go:build !purego

#include "textflag.h"
#include "lut_amd64.h"

// AVX-512 kernels of the weight gradient by tables (lutweights.go): the
// rows' additions of lutRowsGo, each lane through the same additions in
// the same order as there and in lutweights_amd64.s.

// ROWENDS(PTRS) sets CX to -chunks, the index that the loops count up to
// 0, and by PTRS (ROWPTR for each row of the pass, with SI = pat +
// chunks) the rows' pointers to the ends of their sign patterns. (Before
// the first TEXT line, where go vet does not check its operands against
// another routine's arguments; both routines take the same.)
#define ROWENDS(PTRS) \
	MOVQ chunks+48(FP), CX; \
	MOVQ pat+16(FP), SI; \
	ADDQ CX, SI; \
	NEGQ CX; \
	PTRS

#define ROWPTR8 ROWPTR4; ROWPTR(32, BX); ROWPTR(40, DX); ROWPTR(48, R9); ROWPTR(56, R10)

// ROWS8Z(MOVE) sets SI to dw's row stride in bytes (ld·4, read again
// from the frame), AX to three rows and R14 to the fifth of the eight
// rows at DI, then MOVEs (LOADZ or STOREZ) each row's 16 sums between the
// row and its register, Z0..Z7. (Before the first TEXT line, as ROWENDS.)
#define ROWS8Z(MOVE) \
	MOVQ ld+8(FP), SI; \
	SHLQ $2, SI; \
	LEAQ (SI)(SI*2), AX; \
	LEAQ (DI)(SI*4), R14; \
	MOVE((DI), Z0); \
	MOVE((DI)(SI*1), Z1); \
	MOVE((DI)(SI*2), Z2); \
	MOVE((DI)(AX*1), Z3); \
	MOVE((R14), Z4); \
	MOVE((R14)(SI*1), Z5); \
	MOVE((R14)(SI*2), Z6); \
	MOVE((R14)(AX*1), Z7)

#define LOADZ(m, a) VMOVUPS m, a
#define STOREZ(m, a) VMOVUPS a, m

// LUTROWZ1 adds to acc the 16 floats at (R14) + m<<SI, m the sign pattern
// at (xp)(CX*1); LUTROWZ2 adds to acc0, acc1 the 32 floats there.
#define LUTROWZ1(xp, acc) \
	MOVBQZX (xp)(CX*1), AX; \
	SHLXQ   SI, AX, AX; \
	VADDPS  (R14)(AX*1), acc, acc

#define LUTROWZ2(xp, acc0, acc1) \
	MOVBQZX (xp)(CX*1), AX; \
	SHLXQ   SI, AX, AX; \
	VADDPS  (R14)(AX*1), acc0, acc0; \
	VADDPS  64(R14)(AX*1), acc1, acc1

// func lutRows16AVX512(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)
// lutRowsGo for width 16, ld·4 = 1<<sh and rows a multiple of 8: eight
// rows at a time, a row's 16 sums in one of Z0..Z7. Every register holds
// a row's patterns in the loop, so the chunk stride and the count of row
// groups are in the frame.
TEXT ·lutRows16AVX512(SB), NOSPLIT, $16-64
	MOVQ dw+0(FP), DI
	MOVQ poff+24(FP), R8
	MOVQ ld+8(FP), AX
	SHLQ $6, AX                 // a chunk's 16 table rows, bytes
	MOVQ AX, cstride-8(SP)
	MOVQ rows+32(FP), AX
	SHRQ $3, AX
	MOVQ AX, groups-16(SP)

r16:
	ROWENDS(ROWPTR8)
	ROWS8Z(LOADZ)
	MOVQ sh+56(FP), SI
	MOVQ tab+40(FP), R14

c16:
	LUTROWZ1(R11, Z0)
	LUTROWZ1(R12, Z1)
	LUTROWZ1(R13, Z2)
	LUTROWZ1(R15, Z3)
	LUTROWZ1(BX, Z4)
	LUTROWZ1(DX, Z5)
	LUTROWZ1(R9, Z6)
	LUTROWZ1(R10, Z7)
	ADDQ cstride-8(SP), R14
	INCQ CX
	JNZ  c16

	ROWS8Z(STOREZ)
	LEAQ (R14)(SI*4), DI
	ADDQ $64, R8
	DECQ groups-16(SP)
	JNZ  r16
	VZEROUPPER
	RET

// LOADROWZ2 and STOREROWZ2 move a row's 32 sums a0, a1 from and to the
// row at m.
#define LOADROWZ2(m, a0, a1) \
	VMOVUPS m, a0; \
	VMOVUPS 64 m, a1

#define STOREROWZ2(m, a0, a1) \
	VMOVUPS a0, m; \
	VMOVUPS a1, 64 m

// func lutRows32AVX512(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)
// lutRowsGo for width 32, ld·4 = 1<<sh and rows a multiple of 4: four
// rows at a time, a row's 32 sums in two of Z0..Z7.
TEXT ·lutRows32AVX512(SB), NOSPLIT, $0-64
	LUTROWSARGS($2)
	MOVQ BX, R9
	SHLQ $4, R9                 // a chunk's 16 table rows, bytes

r32:
	ROWENDS(ROWPTR4)
	MOVQ    sh+56(FP), SI
	LEAQ    (DI)(BX*2), AX      // rows 2 and 3
	DW4(LOADROWZ2, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	MOVQ    tab+40(FP), R14

c32:
	PATS4(LUTROWZ2, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	ADDQ R9, R14
	INCQ CX
	JNZ  c32

	GROUP4END(STOREROWZ2, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, r32)
