// Macros shared by the micro-kernels of kernel_amd64.s (AVX2) and
// kernel512_amd64.s (AVX-512).

// Tile stores: rows of one, two or three vectors of w bytes at DX, then
// DX += ldc bytes (R8); VUPDATE adds beta (broadcast in the register breg)
// times C first, fused.
#define VSTORE1(w, r0) \
	VMOVUPS r0, (DX); \
	ADDQ    R8, DX

#define VSTORE2(w, r0, r1) \
	VMOVUPS r0, (DX); \
	VMOVUPS r1, w(DX); \
	ADDQ    R8, DX

#define VSTORE3(w, r0, r1, r2) \
	VMOVUPS r0, (DX); \
	VMOVUPS r1, w(DX); \
	VMOVUPS r2, (2*w)(DX); \
	ADDQ    R8, DX

#define VUPDATE1(w, breg, r0) \
	VFMADD231PS (DX), breg, r0; \
	VSTORE1(w, r0)

#define VUPDATE2(w, breg, r0, r1) \
	VFMADD231PS (DX), breg, r0; \
	VFMADD231PS w(DX), breg, r1; \
	VSTORE2(w, r0, r1)

#define VUPDATE3(w, breg, r0, r1, r2) \
	VFMADD231PS (DX), breg, r0; \
	VFMADD231PS w(DX), breg, r1; \
	VFMADD231PS (2*w)(DX), breg, r2; \
	VSTORE3(w, r0, r1, r2)

// CLEAR4 and CLEAR12 clear the four or twelve registers r0–r3 or
// r0–r11 with op: VXORPS for YMM, VPXORD for ZMM (AVX-512F has no VXORPS
// on them).
#define CLEAR4(op, r0, r1, r2, r3) \
	op r0, r0, r0; \
	op r1, r1, r1; \
	op r2, r2, r2; \
	op r3, r3, r3

#define CLEAR12(op, r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11) \
	CLEAR4(op, r0, r1, r2, r3); \
	CLEAR4(op, r4, r5, r6, r7); \
	CLEAR4(op, r8, r9, r10, r11)

// ROWS2 and ROWS3 give OP twelve accumulators r0–r11, in order, as six
// rows of two vectors or four rows of three: a tile's rows for its stores.
#define ROWS2(OP, r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11) \
	OP(r0, r1); \
	OP(r2, r3); \
	OP(r4, r5); \
	OP(r6, r7); \
	OP(r8, r9); \
	OP(r10, r11)

#define ROWS3(OP, r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11) \
	OP(r0, r1, r2); \
	OP(r3, r4, r5); \
	OP(r6, r7, r8); \
	OP(r9, r10, r11)

// BFMA2 and BFMA3 multiply the B row in the vector registers b0, b1 (and
// b2) by the A value at addr, broadcast into t, into one accumulator row
// r0, r1 (and r2).
#define BFMA2(b0, b1, addr, t, r0, r1) \
	VBROADCASTSS addr, t; \
	VFMADD231PS  b0, t, r0; \
	VFMADD231PS  b1, t, r1

#define BFMA3(b0, b1, b2, addr, t, r0, r1, r2) \
	BFMA2(b0, b1, addr, t, r0, r1); \
	VFMADD231PS  b2, t, r2

// BROW2 and BROW3 load a row of the packed B panel, two or three vectors
// of w bytes at bo(DI), into b0, b1 (and b2).
#define BROW2(w, bo, b0, b1) \
	VMOVUPS (bo)(DI), b0; \
	VMOVUPS (bo+w)(DI), b1

#define BROW3(w, bo, b0, b1, b2) \
	BROW2(w, bo, b0, b1); \
	VMOVUPS (bo+2*w)(DI), b2

// BROW3IN loads a B row of three vectors of w bytes read in place into
// b0, b1, b2: the row at DI + 4·off, its offset off read at io(R9) (R10
// is clobbered).
#define BROW3IN(w, io, b0, b1, b2) \
	MOVQ    (io)(R9), R10; \
	VMOVUPS (DI)(R10*4), b0; \
	VMOVUPS w(DI)(R10*4), b1; \
	VMOVUPS (2*w)(DI)(R10*4), b2

// STRIDE loads the row stride at arg, counted in floats, into r in bytes.
#define STRIDE(arg, r) \
	MOVQ arg, r; \
	SHLQ $2, r

// CTILE loads the address of the C tile into DX and its row stride ldc,
// in bytes, into R8, as the stores want them.
#define CTILE(c, ldc) \
	MOVQ c, DX; \
	STRIDE(ldc, R8)

// PANELS loads the arguments (k int, a, b, c *float32, ldc int) of the
// kernels on packed panels: CX = k, SI = a, DI = b, DX = c, R8 = ldc in
// bytes.
#define PANELS \
	MOVQ k+0(FP), CX; \
	MOVQ a+8(FP), SI; \
	MOVQ b+16(FP), DI; \
	CTILE(c+24(FP), ldc+32(FP))

// PANELSB loads the arguments (k int, a, b *float32, boff *int, c
// *float32, ldc int) of the kernels with B read in place: as PANELS, and
// R9 = boff.
#define PANELSB \
	MOVQ k+0(FP), CX; \
	MOVQ a+8(FP), SI; \
	MOVQ b+16(FP), DI; \
	MOVQ boff+24(FP), R9; \
	CTILE(c+32(FP), ldc+40(FP))

// DEPTH runs the CX depth steps of a tile in ascending order: four per
// iteration while BX counts them, STEP(0, 0), STEP(a, b), STEP(2a, 2b),
// STEP(3a, 3b), then one at a time, STEP(0, 0); after each, the A operand
// register ra moves on by sa and the B operand register rb by sb per step.
// Its labels (loop, tail, loop1, done) are the function's: one DEPTH a
// function.
#define DEPTH(STEP, a, b, ra, sa, rb, sb) \
	MOVQ CX, BX; \
	SHRQ $2, BX; \
	JZ   tail; \
loop: \
	STEP(0, 0); \
	STEP(a, b); \
	STEP(2*a, 2*b); \
	STEP(3*a, 3*b); \
	ADDQ $(sa*4), ra; \
	ADDQ $(sb*4), rb; \
	DECQ BX; \
	JNZ  loop; \
tail: \
	ANDQ $3, CX; \
	JZ   done; \
loop1: \
	STEP(0, 0); \
	ADDQ $(sa), ra; \
	ADDQ $(sb), rb; \
	DECQ CX; \
	JNZ  loop1; \
done:

// OUT stores the tile to C and returns: C = acc + beta·C, or C = acc for
// beta = ±0 (C is not read), with ROWS and the UPDATE and STORE macros of
// its shape; UPDATE finds beta broadcast in the vector register breg. Its
// label (zero) is the function's: one OUT a function.
#define OUT(ROWS, UPDATE, STORE, beta, breg) \
	IFZERO(beta, zero); \
	VBROADCASTSS beta, breg; \
	ROWS(UPDATE); \
	VZEROUPPER; \
	RET; \
zero: \
	ROWS(STORE); \
	VZEROUPPER; \
	RET

// IFZERO jumps to label if the float32 at beta is +0 or -0 (AX is
// clobbered).
#define IFZERO(beta, label) \
	MOVL beta, AX; \
	ANDL $0x7fffffff, AX; \
	JZ   label

// KERNEL is the body of a kernel on packed panels (PANELS): the
// accumulators cleared by ZERO, the depth steps STEP with A moving on sa
// and B sb bytes a step (DEPTH), the tile stored by OUT with ROWS, UPDATE,
// STORE and breg. KERNELB is the same for a kernel with B read in place
// (PANELSB), its steps moving on one row offset of B a step.
#define KERNEL(ZERO, STEP, sa, sb, ROWS, UPDATE, STORE, breg) \
	PANELS; \
	ZERO; \
	DEPTH(STEP, sa, sb, SI, sa, DI, sb); \
	OUT(ROWS, UPDATE, STORE, beta+40(FP), breg)

#define KERNELB(ZERO, STEP, sa, ROWS, UPDATE, STORE, breg) \
	PANELSB; \
	ZERO; \
	DEPTH(STEP, sa, 8, SI, sa, R9, 8); \
	OUT(ROWS, UPDATE, STORE, beta+48(FP), breg)

// ROWPTR sets r to the address of row i of an operand given by row
// offsets: SI + 4·off[i], with the offsets at AX.
#define ROWPTR(i, r) \
	MOVQ (8*i)(AX), r; \
	LEAQ (SI)(r*4), r
