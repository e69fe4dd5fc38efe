//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// AVX2+FMA loops of the elementwise layers (vec_amd64.go): 16 floats per
// iteration in two vectors, then one vector of 8, then scalars. Sums keep
// 16 partial sums per quantity, added in a fixed order at the end, so the
// result is deterministic.

// STRIDES16 runs body16 (16 floats: the vectors at 0 and 32) while CX >=
// 16, then body8 (one vector) once if CX >= 8, each followed by STEP of
// the bytes it read; it leaves CX < 8 floats to SCALARS.
#define STRIDES16(body16, body8, STEP) \
	CMPQ CX, $16; \
	JLT  stride8; \
stride16: \
	body16; \
	STEP($64); \
	SUBQ $16, CX; \
	CMPQ CX, $16; \
	JGE  stride16; \
stride8: \
	CMPQ CX, $8; \
	JLT  strided; \
	body8; \
	STEP($32); \
	SUBQ $8, CX; \
strided:

// ELEMWISE runs body16, body8 and body1 over all n (CX) floats
// (STRIDES16, then SCALARS), each followed by STEP of the bytes it read,
// and returns.
#define ELEMWISE(body16, body8, body1, STEP) \
	STRIDES16(body16, body8, STEP); \
	SCALARS(body1, STEP); \
	VZEROUPPER; \
	RET

// SCALARS runs body1 (one float, in the low lane) on each of the CX
// floats left, each followed by STEP($4).
#define SCALARS(body1, STEP) \
	TESTQ CX, CX; \
	JZ    scalard; \
scalar: \
	body1; \
	STEP($4); \
	DECQ  CX; \
	JNZ   scalar; \
scalard:

// VECTORS runs body on each vector of 8 floats of n (CX, a multiple of
// 8), each followed by STEP($32).
#define VECTORS(body, STEP) \
	SHRQ $3, CX; \
	JZ   vectord; \
vector: \
	body; \
	STEP($32); \
	DECQ CX; \
	JNZ  vector; \
vectord:

// VECSUM runs body, which adds into the 8 lanes of a (and of b), on each
// vector of n (CX) as VECTORS does, with a and b zeroed first, then
// reduces a+b to the low lane of xa (HSUM2; clobbers xb).
#define VECSUM(body, STEP, a, b, xa, xb) \
	VXORPS a, a, a; \
	VXORPS b, b, b; \
	VECTORS(body, STEP); \
	HSUM2(a, b, xa, xb)

// TWOSUMS runs the bodies of two sums over n (CX) floats: body16 and
// body8 add into the partial sums Y0, Y1 (the first sum) and Y2, Y3 (the
// second), which are then reduced to X0 and X2, to which body1 adds the
// last n%8 floats one by one.
#define TWOSUMS(body16, body8, body1, STEP) \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3; \
	STRIDES16(body16, body8, STEP); \
	HSUM2(Y0, Y1, X0, X1); \
	HSUM2(Y2, Y3, X2, X3); \
	SCALARS(body1, STEP)

// LESS16 loads the 16 floats at (p) less c into a and b; LESS8 the 8
// floats at (p) less c into a, LESS1 the float at (p) less the low lane
// of c into a.
#define LESS16(p, c, a, b) \
	VMOVUPS (p), a; \
	VMOVUPS 32(p), b; \
	VSUBPS  c, a, a; \
	VSUBPS  c, b, b

#define LESS8(p, c, a) \
	VMOVUPS (p), a; \
	VSUBPS  c, a, a

#define LESS1(p, c, a) \
	VMOVSS (p), a; \
	VSUBSS c, a, a

// CENTER16, CENTER8 and CENTER1 load 16 (8, 1) floats at SI less the
// centre Y8 (X8) into Y4 and Y5 (Y4, X4).
#define CENTER16 LESS16(SI, Y8, Y4, Y5)
#define CENTER8 LESS8(SI, Y8, Y4)
#define CENTER1 LESS1(SI, X8, X4)

// MOMENTS16(a, b), MOMENTS8(a) and MOMENTS1(a) add the weights a (and b)
// to the first sum (Y0, Y1; X0 for one float) and their products with
// the centred values Y4 (and Y5) to the second (Y2, Y3; X2).
#define MOMENTS16(a, b) \
	VADDPS      a, Y0, Y0; \
	VADDPS      b, Y1, Y1; \
	VFMADD231PS Y4, a, Y2; \
	VFMADD231PS Y5, b, Y3

#define MOMENTS8(a) \
	VADDPS      a, Y0, Y0; \
	VFMADD231PS Y4, a, Y2

#define MOMENTS1(a) \
	VADDSS      a, X0, X0; \
	VFMADD231SS X4, a, X2

// func sumSqAVX2(x *float32, n int, k float32) (s1, s2 float32)
// s1 = Σ (x-k), s2 = Σ (x-k)²: the centred values weigh themselves.
#define SUMSQ16 CENTER16; MOMENTS16(Y4, Y5)
#define SUMSQ8 CENTER8; MOMENTS8(Y4)
#define SUMSQ1 CENTER1; MOMENTS1(X4)

TEXT ·sumSqAVX2(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS k+16(FP), Y8
	TWOSUMS(SUMSQ16, SUMSQ8, SUMSQ1, STEP_SI)
	VMOVSS X0, s1+24(FP)
	VMOVSS X2, s2+28(FP)
	VZEROUPPER
	RET

// func sumDotAVX2(dy, x *float32, n int, mu float32) (s1, s2 float32)
// s1 = Σ dy, s2 = Σ dy·(x-mu): dy at DI weighs the centred values.
#define SUMDOT16 \
	VMOVUPS (DI), Y6; \
	VMOVUPS 32(DI), Y7; \
	CENTER16; \
	MOMENTS16(Y6, Y7)

#define SUMDOT8 VMOVUPS (DI), Y6; CENTER8; MOMENTS8(Y6)
#define SUMDOT1 VMOVSS (DI), X6; CENTER1; MOMENTS1(X6)

TEXT ·sumDotAVX2(SB), NOSPLIT, $0-40
	MOVQ         dy+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS mu+24(FP), Y8
	TWOSUMS(SUMDOT16, SUMDOT8, SUMDOT1, STEP_SI_DI)
	VMOVSS X0, s1+32(FP)
	VMOVSS X2, s2+36(FP)
	VZEROUPPER
	RET

// func normalizeAVX2(dst, x *float32, n int, mean, scale, beta float32)
// dst = (x - mean)·scale + beta.
// NORM16, NORM8 and NORM1 leave (x - mean)·scale + beta in Y0 (and Y1),
// X0 for one float.
#define NORM16 \
	LESS16(SI, Y7, Y0, Y1); \
	VFMADD213PS Y9, Y8, Y0; \
	VFMADD213PS Y9, Y8, Y1

#define NORM8 \
	LESS8(SI, Y7, Y0); \
	VFMADD213PS Y9, Y8, Y0

#define NORM1 \
	LESS1(SI, X7, X0); \
	VFMADD213SS X9, X8, X0

#define NORMALIZE16 \
	NORM16; \
	VMOVUPS Y0, (DI); \
	VMOVUPS Y1, 32(DI)

#define NORMALIZE8 \
	NORM8; \
	VMOVUPS Y0, (DI)

#define NORMALIZE1 \
	NORM1; \
	VMOVSS X0, (DI)

TEXT ·normalizeAVX2(SB), NOSPLIT, $0-36
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS mean+24(FP), Y7
	VBROADCASTSS scale+28(FP), Y8
	VBROADCASTSS beta+32(FP), Y9
	ELEMWISE(NORMALIZE16, NORMALIZE8, NORMALIZE1, STEP_SI_DI)

// func normalizeAddAVX2(dst, x, add *float32, n int, mean, scale, beta float32)
// dst = ((x - mean)·scale + beta) + add: normalizeAVX2's value, rounded,
// then the addition, so bit for bit normalizeAVX2 followed by addAVX2.
#define NORMALIZEADD16 \
	NORM16; \
	VADDPS  (DX), Y0, Y0; \
	VADDPS  32(DX), Y1, Y1; \
	VMOVUPS Y0, (DI); \
	VMOVUPS Y1, 32(DI)

#define NORMALIZEADD8 \
	NORM8; \
	VADDPS  (DX), Y0, Y0; \
	VMOVUPS Y0, (DI)

#define NORMALIZEADD1 \
	NORM1; \
	VADDSS (DX), X0, X0; \
	VMOVSS X0, (DI)

TEXT ·normalizeAddAVX2(SB), NOSPLIT, $0-44
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         add+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS mean+32(FP), Y7
	VBROADCASTSS scale+36(FP), Y8
	VBROADCASTSS beta+40(FP), Y9
	ELEMWISE(NORMALIZEADD16, NORMALIZEADD8, NORMALIZEADD1, STEP_SI_DX_DI)

// func bnGradAVX2(dst, dy, x *float32, n int, k, c1, kc2, mean float32)
// dst = k·(dy - c1) - kc2·(x - mean).
#define BNGRAD16 \
	LESS16(DX, Y9, Y0, Y1); \
	VMULPS       Y8, Y0, Y0; \
	VMULPS       Y8, Y1, Y1; \
	LESS16(SI, Y11, Y2, Y3); \
	VFNMADD231PS Y10, Y2, Y0; \
	VFNMADD231PS Y10, Y3, Y1; \
	VMOVUPS      Y0, (DI); \
	VMOVUPS      Y1, 32(DI)

#define BNGRAD8 \
	LESS8(DX, Y9, Y0); \
	VMULPS       Y8, Y0, Y0; \
	LESS8(SI, Y11, Y2); \
	VFNMADD231PS Y10, Y2, Y0; \
	VMOVUPS      Y0, (DI)

#define BNGRAD1 \
	LESS1(DX, X9, X0); \
	VMULSS       X8, X0, X0; \
	LESS1(SI, X11, X2); \
	VFNMADD231SS X10, X2, X0; \
	VMOVSS       X0, (DI)

TEXT ·bnGradAVX2(SB), NOSPLIT, $0-48
	MOVQ         dst+0(FP), DI
	MOVQ         dy+8(FP), DX
	MOVQ         x+16(FP), SI
	MOVQ         n+24(FP), CX
	VBROADCASTSS k+32(FP), Y8
	VBROADCASTSS c1+36(FP), Y9
	VBROADCASTSS kc2+40(FP), Y10
	VBROADCASTSS mean+44(FP), Y11
	ELEMWISE(BNGRAD16, BNGRAD8, BNGRAD1, STEP_DX_SI_DI)

// func addAVX2(dst, a, b *float32, n int)
// dst = a + b.
#define ADD1 \
	VMOVSS (SI), X0; \
	VADDSS (DX), X0, X0; \
	VMOVSS X0, (DI)

TEXT ·addAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	CMPQ CX, $32
	JLT  add8

add32:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPS  (DX), Y0, Y0
	VADDPS  32(DX), Y1, Y1
	VADDPS  64(DX), Y2, Y2
	VADDPS  96(DX), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	STEP_SI_DX_DI($128)
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     add32

add8:
	CMPQ    CX, $8
	JLT     add1s
	VMOVUPS (SI), Y0
	VADDPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	STEP_SI_DX_DI($32)
	SUBQ    $8, CX
	JMP     add8

add1s:
	SCALARS(ADD1, STEP_SI_DX_DI)
	VZEROUPPER
	RET

// Constants of the η = sin shortcut (noise.go: reducePi, sin32, cos32),
// each repeated in 8 lanes so that instructions can take them from memory.

// LANES8 defines name as the 32-bit pattern bits in 8 lanes.
#define LANES8(name, bits) \
	DATA name+0(SB)/4, bits; \
	DATA name+4(SB)/4, bits; \
	DATA name+8(SB)/4, bits; \
	DATA name+12(SB)/4, bits; \
	DATA name+16(SB)/4, bits; \
	DATA name+20(SB)/4, bits; \
	DATA name+24(SB)/4, bits; \
	DATA name+28(SB)/4, bits; \
	GLOBL name(SB), RODATA|NOPTR, $32

LANES8(·naInvPi, $0x3ea2f983)
LANES8(·naMagic, $0x4b400000)
LANES8(·naPi1, $0x40490000)
LANES8(·naPi2, $0x3a7daa22)
LANES8(·naOne, $0x3f800000)
LANES8(·naS3, $0xbe2aaaab)
LANES8(·naS5, $0x3c088889)
LANES8(·naS7, $0xb9500d01)
LANES8(·naS9, $0x3638ef1d)
LANES8(·naC2, $0xbf000000)
LANES8(·naC4, $0x3d2aaaab)
LANES8(·naC6, $0xbab60b61)
LANES8(·naC8, $0x37d00d01)
LANES8(·naC10, $0xb493f27e)

// REDUCE, SINPOLY and COSPOLY are NAREDUCE, NASIN and NACOS on ymm, the
// constants from the tables above: x in Y0, r in Y1, r² in Y2, the sign
// mask in Y3, sin32 or cos32 into Y4.
#define REDUCE NAREDUCE(·naInvPi(SB), ·naMagic(SB), ·naPi1(SB), ·naPi2(SB), Y0, Y1, Y2, Y3)
#define SINPOLY NASIN(VXORPS, ·naOne(SB), ·naS3(SB), ·naS5(SB), ·naS7(SB), ·naS9(SB), Y1, Y2, Y3, Y4)
#define COSPOLY NACOS(VXORPS, ·naOne(SB), ·naC2(SB), ·naC4(SB), ·naC6(SB), ·naC8(SB), ·naC10(SB), Y2, Y3, Y4)

// func addCosMulAVX2(dt, t, dy *float32, n int, k float32)
// dt[i] += k·dy[i]·cos32(t[i]) for i < n, n a multiple of 8.
#define ADDCOSMUL8 \
	VMOVUPS     (SI), Y0; \
	REDUCE; \
	COSPOLY; \
	VMULPS      (DX), Y15, Y5; \
	VMOVUPS     (DI), Y6; \
	VFMADD231PS Y5, Y4, Y6; \
	VMOVUPS     Y6, (DI)

TEXT ·addCosMulAVX2(SB), NOSPLIT, $0-36
	ADDCOSMULARGS(Y15)
	VECTORS(ADDCOSMUL8, STEP_SI_DX_DI)
	VZEROUPPER
	RET

// func addNASinAVX2(dst, t, hid *float32, n int, a, k float32)
// dst[i] += a·hid[i] (as AXPY8), then += k·sin32(t[i]), for i < n, n a
// multiple of 8.
#define ADDNASIN8 \
	VMOVUPS     (SI), Y0; \
	REDUCE; \
	SINPOLY; \
	VMOVUPS     (DI), Y5; \
	VFMADD231PS (DX), Y14, Y5; \
	VFMADD231PS Y15, Y4, Y5; \
	VMOVUPS     Y5, (DI)

TEXT ·addNASinAVX2(SB), NOSPLIT, $0-40
	ADDNASINARGS(Y14, Y15)
	VECTORS(ADDNASIN8, STEP_SI_DX_DI)
	VZEROUPPER
	RET

// func dotAxpyAVX2(x, y, z *float32, n int, a float32) float32
// Σ x[i]·y[i] in 8 lanes, and z[i] += a·y[i] as AXPY8, for i < n, n a
// multiple of 8.
#define DOTAXPY8 \
	VMOVUPS     (DI), Y2; \
	VFMADD231PS (SI), Y2, Y0; \
	VMOVUPS     (DX), Y3; \
	VFMADD231PS Y2, Y15, Y3; \
	VMOVUPS     Y3, (DX)

TEXT ·dotAxpyAVX2(SB), NOSPLIT, $0-44
	MOVQ         x+0(FP), SI
	MOVQ         y+8(FP), DI
	MOVQ         z+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS a+32(FP), Y15
	VECSUM(DOTAXPY8, STEP_SI_DX_DI, Y0, Y1, X0, X1)
	VMOVSS       X0, ret+40(FP)
	VZEROUPPER
	RET

// func dotAxpyCosAVX2(x, y, z, dy *float32, n int, a, k float32) float32
// DOTAXPY8 then ADDCOSMUL8 (z, x, dy) in one pass, with the same
// operations: Σ x[i]·y[i] in 8 lanes (Y8), z[i] += a·y[i], then z[i] +=
// (k·dy[i])·cos32(x[i]), for i < n, n a multiple of 8.
#define DOTAXPYCOS8 \
	VMOVUPS     (SI), Y0; \
	VMOVUPS     (DI), Y6; \
	VFMADD231PS Y0, Y6, Y8; \
	REDUCE; \
	COSPOLY; \
	VMOVUPS     (DX), Y7; \
	VFMADD231PS Y6, Y15, Y7; \
	VMULPS      (R8), Y14, Y5; \
	VFMADD231PS Y5, Y4, Y7; \
	VMOVUPS     Y7, (DX)

TEXT ·dotAxpyCosAVX2(SB), NOSPLIT, $0-52
	DOTAXPYCOSARGS(Y15, Y14)
	VECSUM(DOTAXPYCOS8, STEP_SI_DI_DX_R8, Y8, Y9, X8, X9)
	VMOVSS       X8, ret+48(FP)
	VZEROUPPER
	RET

// func axpyAVX2(y, x *float32, n int, a float32)
// y[i] += a·x[i] for i < n, n a multiple of 8.
#define AXPY8 \
	VMOVUPS     (DI), Y0; \
	VFMADD231PS (SI), Y15, Y0; \
	VMOVUPS     Y0, (DI)

TEXT ·axpyAVX2(SB), NOSPLIT, $0-28
	AXPYARGS(Y15)
	VECTORS(AXPY8, STEP_SI_DI)
	VZEROUPPER
	RET


// ROWS runs V8 and V4 (macros of a source and a destination address)
// over rows (BX) of w (DX) >= 4 values from SI (row stride R9 values) to
// DI (row stride R8 values), loaded by the routine (go vet checks the
// argument offsets in TEXT blocks only): per row, V8 on vectors of 8 from the start
// and on the last 8 values, overlapping the vector before (w >= 8), or V4
// on the first and the last 4 (4 <= w < 8). Writing a value twice does no
// harm: the routines are elementwise.
#define ROWS(V8, V4) \
	SHLQ $2, R8; \
	SHLQ $2, R9; \
	CMPQ DX, $8; \
	JLT  short; \
	LEAQ -32(DX*4), R10; \
row8: \
	XORQ AX, AX; \
vec8: \
	CMPQ AX, R10; \
	JGE  last8; \
	V8((SI)(AX*1), (DI)(AX*1)); \
	ADDQ $32, AX; \
	JMP  vec8; \
last8: \
	V8((SI)(R10*1), (DI)(R10*1)); \
	ADDQ R9, SI; \
	ADDQ R8, DI; \
	DECQ BX; \
	JNZ  row8; \
	VZEROUPPER; \
	RET; \
short: \
	LEAQ -16(DX*4), R10; \
row4: \
	V4((SI), (DI)); \
	V4((SI)(R10*1), (DI)(R10*1)); \
	ADDQ R9, SI; \
	ADDQ R8, DI; \
	DECQ BX; \
	JNZ  row4; \
	VZEROUPPER; \
	RET

// func copyRowsAVX2(dst *float32, ld int, src *float32, ls int, rows, w int)
#define COPY8(src, dst) VMOVUPS src, Y0; VMOVUPS Y0, dst
#define COPY4(src, dst) VMOVUPS src, X0; VMOVUPS X0, dst

TEXT ·copyRowsAVX2(SB), NOSPLIT, $0-48
	ROWSARGS
	ROWS(COPY8, COPY4)

// func signRowsAVX2(dst *float32, ld int, src *float32, ls int, rows, w int)
//
// The codes of the values: (0 > v ? sign bit : 0) | 1.0, from VCMPPS's
// mask, so −0 and NaN give +1, as Go's v < 0 does. The constants are set
// with VEX moves only: a legacy-SSE move after 256-bit code costs a state
// transition on every call.
#define SIGN8(src, dst) \
	VCMPPS  $0x1e, src, Y15, Y0; \
	VANDPS  Y14, Y0, Y0; \
	VORPS   Y13, Y0, Y0; \
	VMOVUPS Y0, dst

#define SIGN4(src, dst) \
	VCMPPS  $0x1e, src, X15, X0; \
	VANDPS  X14, X0, X0; \
	VORPS   X13, X0, X0; \
	VMOVUPS X0, dst

// SIGNCONSTS sets the constants of SIGN8, SIGN4, CODES16 and CODES8: Y15
// zero, Y14 the sign bit and Y13 +1 in every lane.
#define SIGNCONSTS \
	VXORPS       Y15, Y15, Y15; \
	MOVL         $0x80000000, AX; \
	VMOVD        AX, X14; \
	VPBROADCASTD X14, Y14; \
	MOVL         $0x3f800000, AX; \
	VMOVD        AX, X13; \
	VPBROADCASTD X13, Y13

TEXT ·signRowsAVX2(SB), NOSPLIT, $0-48
	ROWSARGS
	SIGNCONSTS
	ROWS(SIGN8, SIGN4)

// HALVES runs B16 and B8 (macros of an index register: a byte offset in
// the half rows) over rows (BX) of w (DX) values, w even and >= 8, of a
// full row at SI (row stride R9 values) and its halves of w/2 values at
// DI and R11 (row stride R8 values), their even and odd columns: per row,
// B16 on the blocks of 16 values of the full row (8 of each half) from
// the start and on the last 16, overlapping the block before (w >= 16),
// or B8 on the first and the last 8 (8 <= w < 16). The routines load the
// registers (go vet checks the argument offsets in TEXT blocks only).
// Writing a value twice does no harm: the routines move values.
#define HALVES(B16, B8) \
	SHLQ $2, R8; \
	SHLQ $2, R9; \
	CMPQ DX, $16; \
	JLT  hshort; \
	LEAQ -32(DX*2), R10; \
hrow16: \
	XORQ AX, AX; \
hvec16: \
	CMPQ AX, R10; \
	JGE  hlast16; \
	B16(AX); \
	ADDQ $32, AX; \
	JMP  hvec16; \
hlast16: \
	B16(R10); \
	ADDQ R9, SI; \
	ADDQ R8, DI; \
	ADDQ R8, R11; \
	DECQ BX; \
	JNZ  hrow16; \
	VZEROUPPER; \
	RET; \
hshort: \
	XORQ AX, AX; \
	LEAQ -16(DX*2), R10; \
hrow8: \
	B8(AX); \
	B8(R10); \
	ADDQ R9, SI; \
	ADDQ R8, DI; \
	ADDQ R8, R11; \
	DECQ BX; \
	JNZ  hrow8; \
	VZEROUPPER; \
	RET

// SPLIT16 and SPLIT8 leave the even values of 16 (8) values at SI in Y2
// (X2), the odd ones in Y3 (X3): VSHUFPS picks them within each 128-bit
// lane, VPERMPD puts the lanes' pairs in order.
#define SPLIT16(i) \
	VMOVUPS (SI)(i*2), Y0; \
	VMOVUPS 32(SI)(i*2), Y1; \
	VSHUFPS $0x88, Y1, Y0, Y2; \
	VSHUFPS $0xdd, Y1, Y0, Y3; \
	VPERMPD $0xd8, Y2, Y2; \
	VPERMPD $0xd8, Y3, Y3

#define SPLIT8(i) \
	VMOVUPS (SI)(i*2), X0; \
	VMOVUPS 16(SI)(i*2), X1; \
	VSHUFPS $0x88, X1, X0, X2; \
	VSHUFPS $0xdd, X1, X0, X3

#define STORE16(i) VMOVUPS Y2, (DI)(i*1); VMOVUPS Y3, (R11)(i*1)
#define STORE8(i) VMOVUPS X2, (DI)(i*1); VMOVUPS X3, (R11)(i*1)
#define COPYSPLIT16(i) SPLIT16(i); STORE16(i)
#define COPYSPLIT8(i) SPLIT8(i); STORE8(i)

// func splitRowsAVX2(even, odd *float32, ld int, src *float32, ls int, rows, w int)
TEXT ·splitRowsAVX2(SB), NOSPLIT, $0-56
	HALVESARGS
	HALVES(COPYSPLIT16, COPYSPLIT8)

// CODES sets a and b to their codes in place, from zero, sign (the sign
// bit) and one (+1) in every lane, as SIGN8 does; the ymm or xmm forms.
#define CODES(a, b, zero, sign, one) \
	VCMPPS $0x1e, a, zero, a; \
	VCMPPS $0x1e, b, zero, b; \
	VANDPS sign, a, a; \
	VANDPS sign, b, b; \
	VORPS  one, a, a; \
	VORPS  one, b, b

// The codes of Y2 and Y3 (X2, X3), as signRowsAVX2 computes them from
// the constants Y13 to Y15 it sets.
#define CODES16 CODES(Y2, Y3, Y15, Y14, Y13)
#define CODES8 CODES(X2, X3, X15, X14, X13)

#define SIGNSPLIT16(i) SPLIT16(i); CODES16; STORE16(i)
#define SIGNSPLIT8(i) SPLIT8(i); CODES8; STORE8(i)

// func splitSignRowsAVX2(even, odd *float32, ld int, src *float32, ls int, rows, w int)
TEXT ·splitSignRowsAVX2(SB), NOSPLIT, $0-56
	HALVESARGS
	SIGNCONSTS
	HALVES(SIGNSPLIT16, SIGNSPLIT8)

// MERGE16 and MERGE8 interleave 8 (4) even values at DI with as many odd
// ones at R11 into 16 (8) values at SI: VUNPCKLPS and VUNPCKHPS pair them
// within each 128-bit lane, VPERM2F128 puts the lanes in order.
#define MERGE16(i) \
	VMOVUPS    (DI)(i*1), Y0; \
	VMOVUPS    (R11)(i*1), Y1; \
	VUNPCKLPS  Y1, Y0, Y2; \
	VUNPCKHPS  Y1, Y0, Y3; \
	VPERM2F128 $0x20, Y3, Y2, Y0; \
	VPERM2F128 $0x31, Y3, Y2, Y1; \
	VMOVUPS    Y0, (SI)(i*2); \
	VMOVUPS    Y1, 32(SI)(i*2)

#define MERGE8(i) \
	VMOVUPS   (DI)(i*1), X0; \
	VMOVUPS   (R11)(i*1), X1; \
	VUNPCKLPS X1, X0, X2; \
	VUNPCKHPS X1, X0, X3; \
	VMOVUPS   X2, (SI)(i*2); \
	VMOVUPS   X3, 16(SI)(i*2)

// func mergeRowsAVX2(dst *float32, ld int, even, odd *float32, ls int, rows, w int)
TEXT ·mergeRowsAVX2(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), SI
	MOVQ ld+8(FP), R9
	MOVQ even+16(FP), DI
	MOVQ odd+24(FP), R11
	MOVQ ls+32(FP), R8
	MOVQ rows+40(FP), BX
	MOVQ w+48(FP), DX
	HALVES(MERGE16, MERGE8)
