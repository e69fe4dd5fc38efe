// Shared by the elementwise assembly of nn (vec_amd64.s, AVX2, and
// vec512_amd64.s, AVX-512, each included after textflag.h): the pointer
// steps, the horizontal sum, and the reduction and polynomials of the
// noise adaptation's sine and cosine, written once so that the AVX-512
// loops go through the AVX2 loops' operations in their order.

// HSUM2 reduces Y(a)+Y(b) to the low lane of X(a) (clobbers X(b), X(t)).
#define HSUM2(a, b, xa, xb) \
	VADDPS       b, a, a; \
	VEXTRACTF128 $1, a, xb; \
	VADDPS       xb, xa, xa; \
	VHADDPS      xa, xa, xa; \
	VHADDPS      xa, xa, xa

// The pointer steps after a body, by n bytes, in the order each routine
// has always stepped its pointers.
#define STEP_SI(n) ADDQ n, SI
#define STEP_SI_DI(n) ADDQ n, SI; ADDQ n, DI
#define STEP_DX_SI_DI(n) ADDQ n, DX; ADDQ n, SI; ADDQ n, DI
#define STEP_SI_DX_DI(n) ADDQ n, SI; ADDQ n, DX; ADDQ n, DI
#define STEP_SI_DI_DX_R8(n) ADDQ n, SI; ADDQ n, DI; ADDQ n, DX; ADDQ n, R8

// The η = sin shortcut (noise.go: reducePi, sin32, cos32) on a vector, in
// ymm or zmm registers. The constants are operands: the 8-lane tables of
// vec_amd64.s in memory (AVX2), or registers they were broadcast into
// (AVX-512); XOR is VXORPS or VPXORD (AVX-512F has no VXORPS on zmm).

// NAREDUCE sets r = x - kπ (|r| <= π/2, k = round(x/π)), r2 = r², and
// sgn = the sign mask of (-1)^k, for x in x (clobbers nothing else).
#define NAREDUCE(invpi, magic, pi1, pi2, x, r, r2, sgn) \
	VMOVUPS      magic, sgn; \
	VFMADD231PS  invpi, x, sgn; \
	VSUBPS       magic, sgn, r; \
	VMOVUPS      x, r2; \
	VFNMADD231PS pi1, r, r2; \
	VFNMADD231PS pi2, r, r2; \
	VMOVUPS      r2, r; \
	VMULPS       r, r, r2; \
	VPSLLD       $31, sgn, sgn

// NASIN sets dst = sin32 of the x that NAREDUCE reduced to r, r2 and sgn:
// the odd polynomial r·(1 + r²·(S3 + r²·(S5 + r²·(S7 + r²·S9)))), signed
// by (-1)^k.
#define NASIN(XOR, one, s3, s5, s7, s9, r, r2, sgn, dst) \
	VMOVUPS     s9, dst; \
	VFMADD213PS s7, r2, dst; \
	VFMADD213PS s5, r2, dst; \
	VFMADD213PS s3, r2, dst; \
	VFMADD213PS one, r2, dst; \
	VMULPS      r, dst, dst; \
	XOR         sgn, dst, dst

// NACOS sets dst = cos32 of the x that NAREDUCE reduced to r2 and sgn:
// the even polynomial 1 + r²·(C2 + r²·(C4 + … + r²·C10)), signed by
// (-1)^k.
#define NACOS(XOR, one, c2, c4, c6, c8, c10, r2, sgn, dst) \
	VMOVUPS     c10, dst; \
	VFMADD213PS c8, r2, dst; \
	VFMADD213PS c6, r2, dst; \
	VFMADD213PS c4, r2, dst; \
	VFMADD213PS c2, r2, dst; \
	VFMADD213PS one, r2, dst; \
	XOR         sgn, dst, dst

// The argument loads of the loops that have an AVX-512 twin
// (vec512_amd64.s), which takes the same arguments (vec512_amd64.go
// holds the two declarations to one type; go vet, which reads no header,
// checks only the frame size on each TEXT line): the pointers and n into
// the registers the bodies use, the float scalars broadcast into the
// vector registers named, ymm or zmm.
#define ADDCOSMULARGS(kv) \
	MOVQ         dt+0(FP), DI; \
	MOVQ         t+8(FP), SI; \
	MOVQ         dy+16(FP), DX; \
	MOVQ         n+24(FP), CX; \
	VBROADCASTSS k+32(FP), kv

#define ADDNASINARGS(av, kv) \
	MOVQ         dst+0(FP), DI; \
	MOVQ         t+8(FP), SI; \
	MOVQ         hid+16(FP), DX; \
	MOVQ         n+24(FP), CX; \
	VBROADCASTSS a+32(FP), av; \
	VBROADCASTSS k+36(FP), kv

#define DOTAXPYCOSARGS(av, kv) \
	MOVQ         x+0(FP), SI; \
	MOVQ         y+8(FP), DI; \
	MOVQ         z+16(FP), DX; \
	MOVQ         dy+24(FP), R8; \
	MOVQ         n+32(FP), CX; \
	VBROADCASTSS a+40(FP), av; \
	VBROADCASTSS k+44(FP), kv

#define AXPYARGS(av) \
	MOVQ         y+0(FP), DI; \
	MOVQ         x+8(FP), SI; \
	MOVQ         n+16(FP), CX; \
	VBROADCASTSS a+24(FP), av

// The argument loads of the row routines of vec_amd64.s, two of each
// signature (declared alike in vec_amd64.go): ROWSARGS those of ROWS
// (copyRowsAVX2, signRowsAVX2), HALVESARGS those of HALVES that split a
// row (splitRowsAVX2, splitSignRowsAVX2), into the registers their
// macros name.
#define ROWSARGS \
	MOVQ dst+0(FP), DI; \
	MOVQ ld+8(FP), R8; \
	MOVQ src+16(FP), SI; \
	MOVQ ls+24(FP), R9; \
	MOVQ rows+32(FP), BX; \
	MOVQ w+40(FP), DX

#define HALVESARGS \
	MOVQ even+0(FP), DI; \
	MOVQ odd+8(FP), R11; \
	MOVQ ld+16(FP), R8; \
	MOVQ src+24(FP), SI; \
	MOVQ ls+32(FP), R9; \
	MOVQ rows+40(FP), BX; \
	MOVQ w+48(FP), DX
