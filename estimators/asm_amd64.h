// Shared by the estimators' assembly (the *_amd64.s files, each included
// after textflag.h and go_asm.h): the names of the constants, the vector
// building blocks of both instruction sets, and the loop frame of the
// AVX-512 routines. Each estimator's own loop body and routine live in its
// arch file.

// Constants of the assembly kernels (vc in impl_amd64.go), 8 lanes each:
// memory operands of the AVX2 kernels, broadcast to 16 lanes (from the
// first) by the AVX-512 ones.
#define ABSMASK ·vc+vecConsts_absMask(SB)
#define SIGNMASK ·vc+vecConsts_signMask(SB)
#define ONE ·vc+vecConsts_one(SB)
#define TWO ·vc+vecConsts_two(SB)
#define QNAN ·vc+vecConsts_qnan(SB)
#define MAGIC ·vc+vecConsts_magic(SB)
#define EXPMIN ·vc+vecConsts_expMin(SB)
#define M2LOG2E ·vc+vecConsts_m2log2e(SB)
#define SECHMAX ·vc+vecConsts_sechMax(SB)
#define E0 ·vc+vecConsts_exp0(SB)
#define E1 ·vc+vecConsts_exp1(SB)
#define E2 ·vc+vecConsts_exp2(SB)
#define E3 ·vc+vecConsts_exp3(SB)
#define E4 ·vc+vecConsts_exp4(SB)
#define E5 ·vc+vecConsts_exp5(SB)
#define S1 ·vc+vecConsts_sin1(SB)
#define S2 ·vc+vecConsts_sin2(SB)
#define S3 ·vc+vecConsts_sin3(SB)
#define S4 ·vc+vecConsts_sin4(SB)
#define SP0 ·vc+vecConsts_sinPi0(SB)
#define SP1 ·vc+vecConsts_sinPi1(SB)
#define SP2 ·vc+vecConsts_sinPi2(SB)
#define SP3 ·vc+vecConsts_sinPi3(SB)
#define SP4 ·vc+vecConsts_sinPi4(SB)
#define INVPI ·vc+vecConsts_invPi(SB)
#define PIA ·vc+vecConsts_piA(SB)
#define PIB ·vc+vecConsts_piB(SB)
#define MINK ·vc+vecConsts_minK(SB)
#define SR0 ·vc+vecConsts_sinhRem0(SB)
#define SR1 ·vc+vecConsts_sinhRem1(SB)
#define SR2 ·vc+vecConsts_sinhRem2(SB)
#define SR3 ·vc+vecConsts_sinhRem3(SB)
#define SR4 ·vc+vecConsts_sinhRem4(SB)
#define SR5 ·vc+vecConsts_sinhRem5(SB)
#define SR6 ·vc+vecConsts_sinhRem6(SB)
#define SR7 ·vc+vecConsts_sinhRem7(SB)

// # AVX2 (the avx2 routines of the *_amd64.s files)
//
// 8 float32 lanes per YMM register, two vectors per iteration, then one.
// n is a positive multiple of 8. Each loop runs an index AX over the bytes
// of the slices: x at SI, dy at DX, the result at DI. Constants are memory
// operands (the names above).
//
// Operand order is Go's: sources first, destination last, so that
// VSUBPS a, b, c is c = b - a, VFMADD213PS a, b, c is c = b·c + a,
// VFMADD231PS a, b, c is c = b·a + c, VFNMADD… negates the product,
// VPCMPGTD a, b, c is c = b > a (signed; the kernels compare magnitudes'
// bits, below 2^31) and VPANDN a, b, c is c = ^b & a.

// ARGSY loads the slices' addresses, dx to DI, x to SI, dy to DX, and n
// to CX.
#define ARGSY \
	MOVQ dx+0(FP), DI; \
	MOVQ x+8(FP), SI; \
	MOVQ dy+16(FP), DX; \
	MOVQ n+24(FP), CX

// LOOPY runs pair (the body at offsets 0 and 32, on two sets of registers)
// over the pairs of vectors of n (CX) float32s and one (the body at offset
// 0) over the last vector if n/8 is odd, then VZEROUPPER. AX is the byte
// index, BX the bytes in pairs.
#define LOOPY(pair, one) \
	SHLQ $2, CX; \
	XORQ AX, AX; \
	MOVQ CX, BX; \
	ANDQ $-64, BX; \
	JZ   single; \
pairs: \
	pair; \
	ADDQ $64, AX; \
	CMPQ AX, BX; \
	JLT  pairs; \
single: \
	CMPQ AX, CX; \
	JGE  done; \
	one; \
done: \
	VZEROUPPER

// LOOP1Y runs body (at offset 0) over each vector of n (CX) float32s, for
// bodies with too many live registers to unroll.
#define LOOP1Y(body) \
	SHLQ $2, CX; \
	XORQ AX, AX; \
loop: \
	body; \
	ADDQ $32, AX; \
	CMPQ AX, CX; \
	JLT  loop

// EXP2SPLIT splits z = k + f with k = round(z) (by adding and subtracting
// 1.5·2^23): t holds k in its low bits, z is left holding f; p is
// clobbered.
#define EXP2SPLIT(z, t, p) \
	VADDPS MAGIC, z, t; \
	VSUBPS MAGIC, t, p; \
	VSUBPS p, z, z

// EXP2SCALE sets p = 2^f·2^k after EXP2SPLIT: 2^f by the degree-5
// polynomial, k added to the exponent bits (t is clobbered).
#define EXP2SCALE(z, t, p) \
	VPSLLD      $23, t, t; \
	VMOVUPS     E5, p; \
	VFMADD213PS E4, z, p; \
	VFMADD213PS E3, z, p; \
	VFMADD213PS E2, z, p; \
	VFMADD213PS E1, z, p; \
	VFMADD213PS E0, z, p; \
	VPADDD      t, p, p

// POW2 sets p = 2^z as exp32 does after its multiply by log2(e), and 0
// where k < -125. z is left holding f; t and m are clobbered.
#define POW2(z, t, p, m) \
	EXP2SPLIT(z, t, p); \
	VPCMPGTD EXPMIN, t, m; \
	EXP2SCALE(z, t, p); \
	VPAND    m, p, p

// POW2N is POW2 without the flush, for z above -125.
#define POW2N(z, t, p) \
	EXP2SPLIT(z, t, p); \
	EXP2SCALE(z, t, p)

// SINPI sets f = sin(πf) for |f| <= 1/2 (sinPiPoly); t, p are clobbered.
#define SINPI(f, t, p) \
	VMULPS      f, f, t; \
	VMOVUPS     SP4, p; \
	VFMADD213PS SP3, t, p; \
	VFMADD213PS SP2, t, p; \
	VFMADD213PS SP1, t, p; \
	VFMADD213PS SP0, t, p; \
	VMULPS      p, f, f

// SIN sets r = sin(r) for |r| <= π/2 (sinPoly); t, p are clobbered.
#define SIN(r, t, p) \
	VMULPS      r, r, t; \
	VMOVUPS     S4, p; \
	VFMADD213PS S3, t, p; \
	VFMADD213PS S2, t, p; \
	VFMADD213PS S1, t, p; \
	VMULPS      r, t, t; \
	VFMADD231PS p, t, r

// REDUCE sets y = y - qπ with q = round(y/π), and t = the parity of q as
// a sign bit (reducePi, with π in two parts for the fused multiply-adds);
// q is clobbered.
#define REDUCE(y, t, q) \
	VMOVUPS      INVPI, t; \
	VFMADD213PS  MAGIC, y, t; \
	VSUBPS       MAGIC, t, q; \
	VFNMADD231PS PIA, q, y; \
	VFNMADD231PS PIB, q, y; \
	VPSLLD       $31, t, t

// HSUMPD returns the lanes of the float64 accumulators a and b, added in a
// fixed order, at ret (clobbers both).
#define HSUMPD(a, b, xa, xb, ret) \
	VADDPD       b, a, a; \
	VEXTRACTF128 $1, a, xb; \
	VADDPD       xb, xa, xa; \
	VHADDPD      xa, xa, xa; \
	VMOVSD       xa, ret

// ACCUMULATE adds the 8 float32 lanes of v, as float64, to the
// accumulators Y9 (low lanes) and Y8 (high lanes); v and t are clobbered.
#define ACCUMULATE(v, xv, t) \
	VCVTPS2PD    xv, t; \
	VEXTRACTF128 $1, v, xv; \
	VCVTPS2PD    xv, v; \
	VADDPD       t, Y9, Y9; \
	VADDPD       v, Y8, Y8

// # AVX-512 (the avx512 routines of the *_amd64.s files)
//
// 16 float32 lanes per ZMM register, the last partial vector under a lane
// mask (K2), so that they process every element, for any n > 0. Operand
// order is Go's, as for AVX2;
// masked forms put the mask before the destination (VMULPS.Z a, b, K1, c
// is c = b·a where K1 is set, else 0).
//
// Register use: each kernel's body reads x from Z0 and dy from Z1 and
// leaves dx in Z2; Z3-Z9 are scratch, Z10 and Z11 the float64 sums of the
// learnable kernels; constants live in Z15-Z31 for the whole call (and in
// Z8, Z9 and Z12-Z14 for DSQ's α gradient):
//
//	Z31 abs mask  Z30 1  Z29 2  Z28 sign mask
//	Z22-Z27       2^f coefficients exp0-exp5 (POW2Z), or sinπ coefficients
//	              sinPi0-sinPi4 in Z22-Z26 (SINPIZ), or sin1-sin4 in Z22-Z25,
//	              1/π in Z26 and 1.5·2^23 in Z27 (SINZ, REDUCEZ)
//	Z16-Z21, Z15  the kernel's parameters

// COMMON loads Z31-Z28.
#define COMMON \
	VBROADCASTSS ABSMASK, Z31; \
	VBROADCASTSS ONE, Z30; \
	VBROADCASTSS TWO, Z29; \
	VBROADCASTSS SIGNMASK, Z28

#define EXPCONSTS \
	VBROADCASTSS E0, Z22; \
	VBROADCASTSS E1, Z23; \
	VBROADCASTSS E2, Z24; \
	VBROADCASTSS E3, Z25; \
	VBROADCASTSS E4, Z26; \
	VBROADCASTSS E5, Z27

// ARGS loads the slices' addresses, dx to DI, x to SI, dy to DX, and sets
// up the loop: CX = n·4 bytes, BX = the bytes in whole vectors, K2 = the
// lanes of the last partial vector, AX = 0.
#define ARGS \
	MOVQ  dx+0(FP), DI; \
	MOVQ  x+8(FP), SI; \
	MOVQ  dy+16(FP), DX; \
	MOVQ  n+24(FP), CX; \
	TAILMASK

#define TAILMASK \
	MOVQ  CX, R8; \
	ANDQ  $15, CX; \
	MOVL  $1, R9; \
	SHLL  CX, R9; \
	DECL  R9; \
	KMOVW R9, K2; \
	MOVQ  R8, CX; \
	SHLQ  $2, CX; \
	MOVQ  CX, BX; \
	ANDQ  $-64, BX; \
	XORQ  AX, AX

// LOOP runs body over whole vectors, then over the masked tail. It leaves
// the ZMM registers dirty: end with VZEROUPPER.
#define LOOP(body) \
	CMPQ      AX, BX; \
	JGE       tail; \
loop: \
	VMOVUPS   (SI)(AX*1), Z0; \
	VMOVUPS   (DX)(AX*1), Z1; \
	body; \
	VMOVUPS   Z2, (DI)(AX*1); \
	ADDQ      $64, AX; \
	CMPQ      AX, BX; \
	JLT       loop; \
tail: \
	CMPQ      AX, CX; \
	JGE       done; \
	VMOVUPS.Z (SI)(AX*1), K2, Z0; \
	VMOVUPS.Z (DX)(AX*1), K2, Z1; \
	body; \
	VMOVUPS   Z2, K2, (DI)(AX*1); \
done:

// EXP2FRACZ splits z = k + f with k = round(z) and sets p = 2^f by the
// degree-5 polynomial; z is left holding f.
#define EXP2FRACZ(z, k, p) \
	VRNDSCALEPS $0, z, k; \
	VSUBPS      k, z, z; \
	VMOVAPS     Z27, p; \
	VFMADD213PS Z26, z, p; \
	VFMADD213PS Z25, z, p; \
	VFMADD213PS Z24, z, p; \
	VFMADD213PS Z23, z, p; \
	VFMADD213PS Z22, z, p

// POW2Z sets p = 2^z: 2^f (EXP2FRACZ) scaled by 2^k (VSCALEFPS), and 0
// where k < -125 (Z21 = -125), as exp32 does. z is left holding f; k is
// clobbered.
#define POW2Z(z, k, p) \
	EXP2FRACZ(z, k, p); \
	VCMPPS    $0x1d, Z21, k, K3; \
	VSCALEFPS.Z k, p, K3, p

// POW2NZ is POW2Z without the flush, for arguments above -125.
#define POW2NZ(z, k, p) \
	EXP2FRACZ(z, k, p); \
	VSCALEFPS k, p, p

// SINPIZ sets f = sin(πf) for |f| <= 1/2 (sinPiPoly); t, p clobbered.
#define SINPIZ(f, t, p) \
	VMULPS      f, f, t; \
	VMOVAPS     Z26, p; \
	VFMADD213PS Z25, t, p; \
	VFMADD213PS Z24, t, p; \
	VFMADD213PS Z23, t, p; \
	VFMADD213PS Z22, t, p; \
	VMULPS      p, f, f

// SINZ sets r = sin(r) for |r| <= π/2 (sinPoly); t, p clobbered.
#define SINZ(r, t, p) \
	VMULPS      r, r, t; \
	VMOVAPS     Z25, p; \
	VFMADD213PS Z24, t, p; \
	VFMADD213PS Z23, t, p; \
	VFMADD213PS Z22, t, p; \
	VMULPS      r, t, t; \
	VFMADD231PS p, t, r

// REDUCEZ sets y = y - qπ with q = round(y/π) and t = the parity of q as
// a sign bit (π in two parts: Z21, Z15); q is clobbered.
#define REDUCEZ(y, t, q) \
	VMOVAPS      Z27, t; \
	VFMADD231PS  Z26, y, t; \
	VSUBPS       Z27, t, q; \
	VFNMADD231PS Z21, q, y; \
	VFNMADD231PS Z15, q, y; \
	VPSLLD       $31, t, t

// ACCZ adds the 16 float32 lanes of v, as float64, to Z10 (low lanes) and
// Z11 (high lanes); v and t are clobbered.
#define ACCZ(v, yv, t) \
	VCVTPS2PD     yv, t; \
	VEXTRACTF64X4 $1, v, yv; \
	VCVTPS2PD     yv, v; \
	VADDPD        t, Z10, Z10; \
	VADDPD        v, Z11, Z11

// HSUMZ stores the lanes of Z10 and Z11, added in a fixed order, at ret.
#define HSUMZ(ret) \
	VADDPD        Z11, Z10, Z10; \
	VEXTRACTF64X4 $1, Z10, Y11; \
	VADDPD        Y11, Y10, Y10; \
	VEXTRACTF128  $1, Y10, X11; \
	VADDPD        X11, X10, X10; \
	VHADDPD       X10, X10, X10; \
	VMOVSD        X10, ret
