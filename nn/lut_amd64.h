// Shared by the lookup-table assembly of nn (lutgrad_amd64.s,
// lutgrad512_amd64.s, lutweights_amd64.s and lutweights512_amd64.s, each
// included after textflag.h).

// LOAD8 and STORE8 move the eight accumulators Y0..Y7 from and to the 256
// bytes at base: one column block of 64 floats, or 64 output channels.
#define LOAD8(base) \
	VMOVUPS 0(base), Y0; \
	VMOVUPS 32(base), Y1; \
	VMOVUPS 64(base), Y2; \
	VMOVUPS 96(base), Y3; \
	VMOVUPS 128(base), Y4; \
	VMOVUPS 160(base), Y5; \
	VMOVUPS 192(base), Y6; \
	VMOVUPS 224(base), Y7

#define STORE8(base) \
	VMOVUPS Y0, 0(base); \
	VMOVUPS Y1, 32(base); \
	VMOVUPS Y2, 64(base); \
	VMOVUPS Y3, 96(base); \
	VMOVUPS Y4, 128(base); \
	VMOVUPS Y5, 160(base); \
	VMOVUPS Y6, 192(base); \
	VMOVUPS Y7, 224(base)

// LUTENTRIES computes the eight entries of one chunk for the vector at
// byte offset v of the column block, from the terms' float offsets AX,
// BX, R10, R11 (from dyp at DX) and their scales s0..s3, with the scratch
// registers t0..t9, and stores them in the chunk's table at DI (entry m
// at m·256 + v). The registers are ymm for the AVX2 build, zmm for the
// AVX-512 one: the same operations in the same order, lane by lane.
#define LUTENTRIES(v, s0, s1, s2, s3, t0, t1, t2, t3, t4, t5, t6, t7, t8, t9) \
	VMULPS  v(DX)(AX*4), s0, t0; \
	VMULPS  v(DX)(BX*4), s1, t1; \
	VMULPS  v(DX)(R10*4), s2, t2; \
	VMULPS  v(DX)(R11*4), s3, t3; \
	VADDPS  t1, t0, t4; \
	VSUBPS  t1, t0, t5; \
	VADDPS  t2, t4, t6; \
	VADDPS  t2, t5, t7; \
	VSUBPS  t2, t4, t8; \
	VSUBPS  t2, t5, t9; \
	VADDPS  t3, t6, t0; \
	VADDPS  t3, t7, t1; \
	VADDPS  t3, t8, t2; \
	VADDPS  t3, t9, t4; \
	VSUBPS  t3, t6, t5; \
	VSUBPS  t3, t7, t6; \
	VSUBPS  t3, t8, t7; \
	VSUBPS  t3, t9, t8; \
	VMOVUPS t0, (0*256+v)(DI); \
	VMOVUPS t1, (1*256+v)(DI); \
	VMOVUPS t2, (2*256+v)(DI); \
	VMOVUPS t4, (3*256+v)(DI); \
	VMOVUPS t5, (4*256+v)(DI); \
	VMOVUPS t6, (5*256+v)(DI); \
	VMOVUPS t7, (6*256+v)(DI); \
	VMOVUPS t8, (7*256+v)(DI)

// LUTBUILD is the body of lutBuildAVX2 and lutBuildAVX512 (tab, dyp
// *float32, off4 *int32, sc4 *float32, n int; lutBuildAsm takes either,
// so their declarations stay the same, and go vet, which reads no header,
// checks only the frame size of each TEXT line). For each of the n
// chunks: its four terms' offsets into AX, BX, R10, R11 and their scales
// broadcast into s0..s3, then ENTRIES (LUTENTRIES for each vector of the
// column block), then on to the next chunk's terms and table (2048
// bytes).
#define LUTBUILD(ENTRIES, s0, s1, s2, s3) \
	MOVQ tab+0(FP), DI; \
	MOVQ dyp+8(FP), DX; \
	MOVQ off4+16(FP), SI; \
	MOVQ sc4+24(FP), R8; \
	MOVQ n+32(FP), CX; \
chunk: \
	MOVLQSX      0(SI), AX; \
	MOVLQSX      4(SI), BX; \
	MOVLQSX      8(SI), R10; \
	MOVLQSX      12(SI), R11; \
	VBROADCASTSS 0(R8), s0; \
	VBROADCASTSS 4(R8), s1; \
	VBROADCASTSS 8(R8), s2; \
	VBROADCASTSS 12(R8), s3; \
	ENTRIES; \
	ADDQ         $16, SI; \
	ADDQ         $16, R8; \
	ADDQ         $2048, DI; \
	DECQ         CX; \
	JNZ          chunk; \
	VZEROUPPER; \
	RET

// LUTROWSARGS(shift) loads what lutRows16AVX2, lutRows32AVX2 and
// lutRows32AVX512 (dw *float32, ld int, pat *uint8, poff *int, rows int,
// tab *float32, chunks, sh int; lutRowsPanel holds any of them, so their
// declarations stay the same) take first: dw (DI), ld·4, dw's row stride
// in bytes (BX), poff (R8) and rows>>shift, the count of row groups
// (R10).
#define LUTROWSARGS(shift) \
	MOVQ dw+0(FP), DI; \
	MOVQ ld+8(FP), BX; \
	SHLQ $2, BX; \
	MOVQ poff+24(FP), R8; \
	MOVQ rows+32(FP), R10; \
	SHRQ shift, R10

// ROWPTR sets reg to SI + poff[row], the row's offset poff[row] at
// off(R8): with SI = pat, the row's sign patterns (AVX2); with SI = pat +
// chunks, their end (AVX-512). AX is clobbered. ROWPTR2 and ROWPTR4 do
// it for the first two and four rows at R8, into R11, R12 (, R13, R15).
#define ROWPTR(off, reg) \
	MOVQ off(R8), AX; \
	LEAQ (SI)(AX*1), reg

#define ROWPTR2 ROWPTR(0, R11); ROWPTR(8, R12)
#define ROWPTR4 ROWPTR2; ROWPTR(16, R13); ROWPTR(24, R15)

// PATS4 runs OP(xp, acc0, acc1), a chunk's sums into a row's
// accumulators, on the four rows of ROWPTR4: their sign patterns at R11,
// R12, R13 and R15, their accumulators a0, a1 to a6, a7.
#define PATS4(OP, a0, a1, a2, a3, a4, a5, a6, a7) \
	OP(R11, a0, a1); \
	OP(R12, a2, a3); \
	OP(R13, a4, a5); \
	OP(R15, a6, a7)

// DW4 runs OP(m, a0, a1), a load or store of a row's accumulators, on the
// four rows of dw at DI, DI+BX, AX and AX+BX (AX = DI + 2·BX, the caller
// sets it): their accumulators a0, a1 to a6, a7.
#define DW4(OP, a0, a1, a2, a3, a4, a5, a6, a7) \
	OP((DI), a0, a1); \
	OP((DI)(BX*1), a2, a3); \
	OP((AX), a4, a5); \
	OP((AX)(BX*1), a6, a7)

// GROUP4END ends a group of four rows: it stores their accumulators a0
// to a7 with STORE (DW4), moves DI and the row offsets (R8) on to the
// next four rows and loops to group while groups are left (R10 counts
// them down), then returns. AX is clobbered.
#define GROUP4END(STORE, a0, a1, a2, a3, a4, a5, a6, a7, group) \
	LEAQ (DI)(BX*2), AX; \
	DW4(STORE, a0, a1, a2, a3, a4, a5, a6, a7); \
	LEAQ (AX)(BX*2), DI; \
	ADDQ $32, R8; \
	DECQ R10; \
	JNZ  group; \
	VZEROUPPER; \
	RET
