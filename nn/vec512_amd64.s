//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// AVX-512 variants of the noise adaptation's sine and cosine loops and of
// axpy of vec_amd64.s (vec512_amd64.go): the same operations on each value, in
// the same order, with the same fused multiply-adds, on 16 values per
// zmm vector instead of 8 per ymm one, so the results are bit for bit
// those of the AVX2 loops. Each routine takes n a multiple of 8, as its
// AVX2 twin does: vectors of 16, then, if 8 values are left, one vector
// under the mask K1 = 0x00ff (the lanes it masks off are neither loaded
// nor stored). The loads of every vector go through K1 (all ones for the
// whole vectors), so one body serves both. The constants of the
// polynomials (vec_amd64.s) are broadcast once into Z16 to Z29.

// NACONSTS broadcasts the constants of REDUCE16, SINPOLY16 and COSPOLY16.
#define NACONSTS \
	VBROADCASTSS ·naInvPi(SB), Z16; \
	VBROADCASTSS ·naMagic(SB), Z17; \
	VBROADCASTSS ·naPi1(SB), Z18; \
	VBROADCASTSS ·naPi2(SB), Z19; \
	VBROADCASTSS ·naOne(SB), Z20; \
	VBROADCASTSS ·naS3(SB), Z21; \
	VBROADCASTSS ·naS5(SB), Z22; \
	VBROADCASTSS ·naS7(SB), Z23; \
	VBROADCASTSS ·naS9(SB), Z24; \
	VBROADCASTSS ·naC2(SB), Z25; \
	VBROADCASTSS ·naC4(SB), Z26; \
	VBROADCASTSS ·naC6(SB), Z27; \
	VBROADCASTSS ·naC8(SB), Z28; \
	VBROADCASTSS ·naC10(SB), Z29

// REDUCE16, SINPOLY16 and COSPOLY16 are NAREDUCE, NASIN and NACOS on
// zmm, the constants as NACONSTS broadcast them: x in Z0, r in Z1, r² in
// Z2, the sign mask in Z3, sin32 or cos32 into Z4.
#define REDUCE16 NAREDUCE(Z16, Z17, Z18, Z19, Z0, Z1, Z2, Z3)
#define SINPOLY16 NASIN(VPXORD, Z20, Z21, Z22, Z23, Z24, Z1, Z2, Z3, Z4)
#define COSPOLY16 NACOS(VPXORD, Z20, Z25, Z26, Z27, Z28, Z29, Z2, Z3, Z4)

// MASKED2 runs body16 (one vector of 16 under K1, followed by STEP($64))
// while CX >= 16, then body8 once under K1 = 0x00ff if 8 values are left
// (CX a multiple of 8). MASKED runs body as both.
#define MASKED2(body16, body8, STEP) \
	MOVL  $0xffff, AX; \
	KMOVW AX, K1; \
	CMPQ  CX, $16; \
	JLT   vec8; \
vec16: \
	body16; \
	STEP($64); \
	SUBQ  $16, CX; \
	CMPQ  CX, $16; \
	JGE   vec16; \
vec8: \
	TESTQ CX, CX; \
	JZ    vecd; \
	MOVL  $0xff, AX; \
	KMOVW AX, K1; \
	body8; \
vecd:

#define MASKED(body, STEP) MASKED2(body, body, STEP)

// func addCosMulAVX512(dt, t, dy *float32, n int, k float32)
// ADDCOSMUL8 on 16 values: dt[i] += (k·dy[i])·cos32(t[i]).
#define ADDCOSMUL16 \
	VMOVUPS.Z   (SI), K1, Z0; \
	REDUCE16; \
	COSPOLY16; \
	VMOVUPS.Z   (DX), K1, Z7; \
	VMULPS      Z7, Z15, Z5; \
	VMOVUPS.Z   (DI), K1, Z6; \
	VFMADD231PS Z5, Z4, Z6; \
	VMOVUPS     Z6, K1, (DI)

TEXT ·addCosMulAVX512(SB), NOSPLIT, $0-36
	ADDCOSMULARGS(Z15)
	NACONSTS
	MASKED(ADDCOSMUL16, STEP_SI_DX_DI)
	VZEROUPPER
	RET

// func addNASinAVX512(dst, t, hid *float32, n int, a, k float32)
// ADDNASIN8 on 16 values: dst[i] += a·hid[i], then += k·sin32(t[i]).
#define ADDNASIN16 \
	VMOVUPS.Z   (SI), K1, Z0; \
	REDUCE16; \
	SINPOLY16; \
	VMOVUPS.Z   (DI), K1, Z5; \
	VMOVUPS.Z   (DX), K1, Z7; \
	VFMADD231PS Z7, Z14, Z5; \
	VFMADD231PS Z15, Z4, Z5; \
	VMOVUPS     Z5, K1, (DI)

TEXT ·addNASinAVX512(SB), NOSPLIT, $0-40
	ADDNASINARGS(Z14, Z15)
	NACONSTS
	MASKED(ADDNASIN16, STEP_SI_DX_DI)
	VZEROUPPER
	RET

// func dotAxpyCosAVX512(x, y, z, dy *float32, n int, a, k float32) float32
// DOTAXPYCOS8 on 16 values. The sum Σ x[i]·y[i] keeps the 8 lanes of the
// AVX2 loop, in Y8: the low 8 values of a vector are added first, then
// the high 8 (DOT16), as the AVX2 loop adds two vectors of 8 in turn;
// the vector under the mask adds its 8 values only (DOT8).
#define DOT16 \
	VFMADD231PS   Y0, Y6, Y8; \
	VEXTRACTF64X4 $1, Z0, Y10; \
	VEXTRACTF64X4 $1, Z6, Y11; \
	VFMADD231PS   Y10, Y11, Y8

#define DOT8 VFMADD231PS Y0, Y6, Y8

#define DOTAXPYCOS16(DOT) \
	VMOVUPS.Z   (SI), K1, Z0; \
	VMOVUPS.Z   (DI), K1, Z6; \
	DOT; \
	REDUCE16; \
	COSPOLY16; \
	VMOVUPS.Z   (DX), K1, Z7; \
	VFMADD231PS Z6, Z15, Z7; \
	VMOVUPS.Z   (R8), K1, Z9; \
	VMULPS      Z9, Z14, Z5; \
	VFMADD231PS Z5, Z4, Z7; \
	VMOVUPS     Z7, K1, (DX)

TEXT ·dotAxpyCosAVX512(SB), NOSPLIT, $0-52
	DOTAXPYCOSARGS(Z15, Z14)
	NACONSTS
	VXORPS       Y8, Y8, Y8
	MASKED2(DOTAXPYCOS16(DOT16), DOTAXPYCOS16(DOT8), STEP_SI_DI_DX_R8)
	VXORPS       Y9, Y9, Y9     // HSUM2 with a zero second vector
	HSUM2(Y8, Y9, X8, X9)
	VMOVSS       X8, ret+48(FP)
	VZEROUPPER
	RET

// func axpyAVX512(y, x *float32, n int, a float32)
// AXPY8 on 16 values: y[i] += a·x[i], for i < n, n a multiple of 8.
#define AXPY16 \
	VMOVUPS.Z   (DI), K1, Z0; \
	VMOVUPS.Z   (SI), K1, Z1; \
	VFMADD231PS Z1, Z15, Z0; \
	VMOVUPS     Z0, K1, (DI)

TEXT ·axpyAVX512(SB), NOSPLIT, $0-28
	AXPYARGS(Z15)
	MASKED(AXPY16, STEP_SI_DI)
	VZEROUPPER
	RET
