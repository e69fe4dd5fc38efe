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
#define HALF ·vc+vecConsts_half(SB)
#define QUARTER ·vc+vecConsts_quarter(SB)
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

// # Both instruction sets
//
// The building blocks whose instructions are the same for YMM and ZMM
// registers, written once: the AVX2 and AVX-512 forms (here and in the
// estimators' files) pass their registers and constants (memory operands
// for AVX2, registers for AVX-512) and, where the two instruction sets
// differ, the instruction (mov: VMOVUPS to load a constant from memory,
// VMOVAPS to copy it from a register; the others are named at each
// macro).

// HORNER3 sets p = ((c3·z + c2)·z + c1)·z + c0 (Horner's rule, one fused
// multiply-add a step), the start of the polynomials here and in the
// estimators' files.
#define HORNER3(mov, z, p, c3, c2, c1, c0) \
	mov         c3, p; \
	VFMADD213PS c2, z, p; \
	VFMADD213PS c1, z, p; \
	VFMADD213PS c0, z, p

// EXP2POLY sets p = 2^z for |z| <= 1/2 by the degree-5 polynomial with
// coefficients c5..c0 (exp2Frac).
#define EXP2POLY(mov, z, p, c5, c4, c3, c2, c1, c0) \
	HORNER3(mov, z, p, c5, c4, c3, c2); \
	VFMADD213PS c1, z, p; \
	VFMADD213PS c0, z, p

// SINPIPOLY sets f = sin(πf) for |f| <= 1/2 (sinPiPoly, coefficients
// c4..c0); t, p are clobbered.
#define SINPIPOLY(mov, f, t, p, c4, c3, c2, c1, c0) \
	VMULPS      f, f, t; \
	HORNER3(mov, t, p, c4, c3, c2, c1); \
	VFMADD213PS c0, t, p; \
	VMULPS      p, f, f

// SINPI (AVX2) and SINPIZ (AVX-512, coefficients in Z22-Z26) are
// SINPIPOLY.
#define SINPI(f, t, p) SINPIPOLY(VMOVUPS, f, t, p, SP4, SP3, SP2, SP1, SP0)
#define SINPIZ(f, t, p) SINPIPOLY(VMOVAPS, f, t, p, Z26, Z25, Z24, Z23, Z22)

// SINPOLY sets r = sin(r) for |r| <= π/2 (sinPoly, coefficients c4..c1);
// t, p are clobbered.
#define SINPOLY(mov, r, t, p, c4, c3, c2, c1) \
	VMULPS      r, r, t; \
	HORNER3(mov, t, p, c4, c3, c2, c1); \
	VMULPS      r, t, t; \
	VFMADD231PS p, t, r

// SIN (AVX2) and SINZ (AVX-512, coefficients in Z22-Z25) are SINPOLY.
#define SIN(r, t, p) SINPOLY(VMOVUPS, r, t, p, S4, S3, S2, S1)
#define SINZ(r, t, p) SINPOLY(VMOVAPS, r, t, p, Z25, Z24, Z23, Z22)

// SIGNSIN sets r = (-1)^q·sin(r) (or sin(πr)) for the integer lanes q,
// for both instruction sets: q's parity is shifted to the sign bit, which
// xor applies; sin is one of the macros above (SIN, SINZ, SINPI, SINPIZ);
// q, t and p are clobbered.
#define SIGNSIN(sin, xor, r, q, t, p) \
	VPSLLD $31, q, q; \
	sin(r, t, p); \
	xor    q, r, r

// REMPI finishes a reduction modulo π (reducePi) from t = y/π + 1.5·2^23,
// which holds q = round(y/π) in its low bits: y = y - qπ with π in two
// parts (pia, pib) for the fused multiply-adds, and t = the parity of q as
// a sign bit; q is clobbered.
#define REMPI(y, t, q, magic, pia, pib) \
	VSUBPS       magic, t, q; \
	VFNMADD231PS pia, q, y; \
	VFNMADD231PS pib, q, y; \
	VPSLLD       $31, t, t

// REDUCE (AVX2) and REDUCEZ (AVX-512: Z26 = 1/π, Z27 = 1.5·2^23, π's
// parts in Z21 and Z15) set y = y - qπ with q = round(y/π), and t = the
// parity of q as a sign bit; q is clobbered.
#define REDUCE(y, t, q) \
	VMOVUPS     INVPI, t; \
	VFMADD213PS MAGIC, y, t; \
	REMPI(y, t, q, MAGIC, PIA, PIB)

#define REDUCEZ(y, t, q) \
	VMOVAPS     Z27, t; \
	VFMADD231PS Z26, y, t; \
	REMPI(y, t, q, Z27, Z21, Z15)

// REMPI64 sets th = θ - nπ with n = round(θ/π) on float64 lanes
// (reducePi64), and t = θ/π + 1.5·2^52, which holds n in its low bits; n
// is clobbered. The constants: magic = 1.5·2^52 (mov copies or loads
// it), invpi = 1/π, p1-p3 = π in three parts; |θ| < 2^22 keeps n·p1
// exact.
#define REMPI64(mov, th, t, n, magic, invpi, p1, p2, p3) \
	mov          magic, t; \
	VFMADD231PD  invpi, th, t; \
	VSUBPD       magic, t, n; \
	VFNMADD231PD p1, n, th; \
	VFNMADD231PD p2, n, th; \
	VFNMADD231PD p3, n, th

// NARROW2 sets a = the float64 vectors a and b narrowed by cvt (to float32
// or int32 lanes: ha and hb, their halves' registers) and joined by ins,
// a's lanes low, for both instruction sets.
#define NARROW2(cvt, ins, a, b, ha, hb) \
	cvt a, ha; \
	cvt b, hb; \
	ins $1, hb, a, a

// dy·k4·e/(1+e)², which is dy·(k4/4)·sech²(u) for e = exp(-2u), is
// EDE's and DSQ's gradient. The kernels compute it as (dy·(k4·e))/(1+e)²,
// the order of their first vector forms, except in the lanes where
// |dy| >= 2 (bit 30 of dy set: Inf and NaN too), where both the numerator
// and the denominator are divided by 4: (dy·(ks·e))/((1+e)/2)² with
// ks = k4/4. Dividing by a power of two is exact for normal numbers, and
// there every intermediate is one: ks·e >= e >= 2^-125.5 (or 0), as
// k4 >= 4, and |dy·ks·e| >= 2e. So those lanes give the bits they gave
// before wherever dy·k4·e did not overflow; where it did (dy near
// ±MaxFloat32: it is up to 4 times dy·g, at e = 1), they now give the
// rounded quotient, which overflows only where dy·g does. The other lanes
// cannot overflow, as |dy·k4·e| < 2·k4 <= 2^127 for k4 <= 2^126: a
// caller with a larger k4 (EDE at kt >= 2^124) runs its portable loop
// instead. SECH2Y (AVX2) and SECH2Z (AVX-512) leave the numerator in e and
// the denominator in t, for the caller's divide.
//
// SECH2Y: one = 1, k4 and ks = k4/4 in registers; dy a memory operand
// (read twice); s is clobbered. VPSLLD puts bit 30 of dy in the sign bit,
// which is what VBLENDVPS reads. The denominator is (h + h·e)² with h = 1/2
// or 1, one fused multiply-add: h·(1+e) rounded once, as 1+e was.
#define SECH2Y(e, t, s, one, k4, ks, dy) \
	VMOVUPS     dy, s; \
	VPSLLD      $1, s, s; \
	VBLENDVPS   s, HALF, one, t; \
	VFMADD231PS e, t, t; \
	VMULPS      t, t, t; \
	VBLENDVPS   s, ks, k4, s; \
	VMULPS      s, e, e; \
	VMULPS      dy, e, e

// SECH2Z: Z30 = 1, Z29 = 2 (whose bits are bit 30 alone), quarter = 1/4,
// k4 and ks = k4/4; dy a register; s and K4 are clobbered.
#define SECH2Z(e, t, s, quarter, k4, ks, dy) \
	VPTESTMD  Z29, dy, K4; \
	VADDPS    Z30, e, t; \
	VMULPS    t, t, t; \
	VMULPS    quarter, t, K4, t; \
	VBLENDMPS ks, k4, K4, s; \
	VMULPS    s, e, e; \
	VMULPS    dy, e, e

// ABSMINMUL sets v = s·min(|x|, max) (EDE's and BNN+'s arguments), for
// both instruction sets: abs is the abs mask (and ANDs with it), max the
// bits of the bound (as bits, which order like the values).
#define ABSMINMUL(and, x, abs, max, s, v) \
	and     x, abs, v; \
	VPMINUD max, v, v; \
	VMULPS  s, v, v

// WIDENFMA adds the products of the float32 lanes of v and d, formed in
// float64, to lo (low lanes) and hi (high lanes), for both instruction
// sets: h is v's low half (its X or Y register), ext the instruction that
// extracts the high half, dl and dh d's low and high halves (registers or
// memory operands); v, t and u are clobbered. The product of two float32s
// is exact in float64 and cannot overflow it: a learnable scalar's term,
// dy times a bounded factor, overflows float32 for dy near ±MaxFloat32.
#define WIDENFMA(ext, v, h, t, dl, dh, u, lo, hi) \
	VCVTPS2PD   h, t; \
	ext         $1, v, h; \
	VCVTPS2PD   h, v; \
	VCVTPS2PD   dl, u; \
	VFMADD231PD u, t, lo; \
	VCVTPS2PD   dh, u; \
	VFMADD231PD u, v, hi

// WIDENMUL sets lo and hi to the low and high float32 lanes of x, as
// float64, times the float64 lanes of w (exact products), for both
// instruction sets: h is x's low half (its X or Y register), ext the
// instruction that extracts the high half into hh, hi's low half.
#define WIDENMUL(ext, x, h, w, lo, hi, hh) \
	VCVTPS2PD h, lo; \
	ext       $1, x, hh; \
	VCVTPS2PD hh, hi; \
	VMULPD    w, lo, lo; \
	VMULPD    w, hi, hi

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

// LOOP1YRET is LOOP1Y(body), then VZEROUPPER and RET: the end of most
// AVX2 kernels that do not unroll.
#define LOOP1YRET(body) \
	LOOP1Y(body); \
	VZEROUPPER; \
	RET

// ABSMINARGSY loads the arguments of the AVX2 kernels of ABSMINMUL (EDE's
// and BNN+'s dx, x, dy *float32, n int, max uint32, s, k float32, whose
// names are passed): ARGSY, Y11 = bits of max, Y15 = s, Y14 = k, and
// Y13 = abs mask, Y12 = 1.
#define ABSMINARGSY(max, s, k) \
	ARGSY; \
	VBROADCASTSS max+32(FP), Y11; \
	VBROADCASTSS s+36(FP), Y15; \
	VBROADCASTSS k+40(FP), Y14; \
	VMOVUPS      ABSMASK, Y13; \
	VMOVUPS      ONE, Y12

// CLIPY sets a = |x| (abs: the abs mask), c = min(|x|, C) (cb: the bits
// of C; as bits, which order like the values) and m = all ones where
// |x| > C, NaN included.
#define CLIPY(x, abs, cb, a, m, c) \
	VPAND    x, abs, a; \
	VPCMPGTD cb, a, m; \
	VPMINUD  cb, a, c

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
	VPSLLD $23, t, t; \
	EXP2POLY(VMOVUPS, z, p, E5, E4, E3, E2, E1, E0); \
	VPADDD t, p, p

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

// LOOPSUMY runs LOOP1Y(body) for a kernel that also sums into the float64
// accumulators Y9 and Y8 (ACCUMULATE): it zeroes them first and stores
// their total at ret (HSUMPD).
#define LOOPSUMY(body, ret) \
	VXORPD Y9, Y9, Y9; \
	VXORPD Y8, Y8, Y8; \
	LOOP1Y(body); \
	HSUMPD(Y9, Y8, X9, X8, ret)

// HSUMPD returns the lanes of the float64 accumulators a and b, added in a
// fixed order, at ret (clobbers both).
#define HSUMPD(a, b, xa, xb, ret) \
	VADDPD       b, a, a; \
	VEXTRACTF128 $1, a, xb; \
	VADDPD       xb, xa, xa; \
	VHADDPD      xa, xa, xa; \
	VMOVSD       xa, ret

// ACCUMULATE adds the products of the 8 float32 lanes of v and of dy at
// the byte offset off of DX (AX the index), formed in float64, to the
// accumulators Y9 (low lanes) and Y8 (high lanes); v, t and u are
// clobbered.
#define ACCUMULATE(v, xv, t, off, u) WIDENFMA(VEXTRACTF128, v, xv, t, off(DX)(AX*1), 16+off(DX)(AX*1), u, Y9, Y8)

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

// EXPCONSTS loads the coefficients of 2^f for POW2NZ, POW2CONSTS also
// Z21 = -125 for POW2Z's flush.
#define EXPCONSTS \
	VBROADCASTSS E0, Z22; \
	VBROADCASTSS E1, Z23; \
	VBROADCASTSS E2, Z24; \
	VBROADCASTSS E3, Z25; \
	VBROADCASTSS E4, Z26; \
	VBROADCASTSS E5, Z27

#define POW2CONSTS \
	EXPCONSTS; \
	VBROADCASTSS MINK, Z21

// SINPICONSTS loads the coefficients of sin(πf) for SINPIZ.
#define SINPICONSTS \
	VBROADCASTSS SP0, Z22; \
	VBROADCASTSS SP1, Z23; \
	VBROADCASTSS SP2, Z24; \
	VBROADCASTSS SP3, Z25; \
	VBROADCASTSS SP4, Z26

// SINCONSTS loads the coefficients of sin for SINZ.
#define SINCONSTS \
	VBROADCASTSS S1, Z22; \
	VBROADCASTSS S2, Z23; \
	VBROADCASTSS S3, Z24; \
	VBROADCASTSS S4, Z25

// ARGS loads the slices' addresses, dx to DI, x to SI, dy to DX, sets up
// the loop: CX = n·4 bytes, BX = the bytes in whole vectors, K2 = the
// lanes of the last partial vector, AX = 0, and loads COMMON.
#define ARGS \
	ARGSY; \
	TAILMASK; \
	COMMON

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

// LOOPZ runs body over whole vectors, then over the masked tail, and
// stores Z2 at DI: load (loadtail for the tail) loads the inputs, last
// runs after the tail (NOTHING, or a macro of the routine). It leaves the
// ZMM registers dirty: end with VZEROUPPER.
#define LOOPZ(load, loadtail, body, last) \
	CMPQ    AX, BX; \
	JGE     tail; \
loop: \
	load; \
	body; \
	VMOVUPS Z2, (DI)(AX*1); \
	ADDQ    $64, AX; \
	CMPQ    AX, BX; \
	JLT     loop; \
tail: \
	CMPQ    AX, CX; \
	JGE     done; \
	loadtail; \
	body; \
	VMOVUPS Z2, K2, (DI)(AX*1); \
	last; \
done:

#define NOTHING

// LOADX loads x to Z0; LOADXDY x to Z0 and dy to Z1; their TAIL forms
// the lanes of K2, zeroing the others.
#define LOADX VMOVUPS (SI)(AX*1), Z0
#define LOADXTAIL VMOVUPS.Z (SI)(AX*1), K2, Z0
#define LOADXDY LOADX; VMOVUPS (DX)(AX*1), Z1
#define LOADXDYTAIL LOADXTAIL; VMOVUPS.Z (DX)(AX*1), K2, Z1

// LOOP runs a backward kernel's body (x in Z0, dy in Z1, dx from Z2) over
// whole vectors, then over the masked tail. It leaves the ZMM registers
// dirty: end with VZEROUPPER.
#define LOOP(body) LOOPZ(LOADXDY, LOADXDYTAIL, body, NOTHING)

// LOOPRET is LOOP(body), then VZEROUPPER and RET: the end of most AVX-512
// kernels.
#define LOOPRET(body) \
	LOOP(body); \
	VZEROUPPER; \
	RET

// ABSMINARGS loads the arguments of the AVX-512 kernels of ABSMINMUL
// after ARGS (EDE's and BNN+'s max uint32, s, k float32, whose names are
// passed): Z18 = bits of max, Z16 = s, Z17 = k.
#define ABSMINARGS(max, s, k) \
	VBROADCASTSS max+32(FP), Z18; \
	VBROADCASTSS s+36(FP), Z16; \
	VBROADCASTSS k+40(FP), Z17

// CLIPZ sets a = |x| (x in Z0), c = min(|x|, C) (cb: the bits of C) and
// K1 = the lanes where |x| <= C.
#define CLIPZ(cb, a, c) \
	VPANDD  Z0, Z31, a; \
	VPCMPUD $2, cb, a, K1; \
	VPMINUD cb, a, c

// EXP2FRACZ splits z = k + f with k = round(z) and sets p = 2^f by the
// degree-5 polynomial; z is left holding f.
#define EXP2FRACZ(z, k, p) \
	VRNDSCALEPS $0, z, k; \
	VSUBPS      k, z, z; \
	EXP2POLY(VMOVAPS, z, p, Z27, Z26, Z25, Z24, Z23, Z22)

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

// ACCZ adds the products of the 16 float32 lanes of v and of dy (Z1),
// formed in float64, to Z10 (low lanes) and Z11 (high lanes); v, t, u and
// yd (a Y register, not u's low half) are clobbered.
#define ACCZ(v, yv, t, u, yd) \
	VEXTRACTF64X4 $1, Z1, yd; \
	WIDENFMA(VEXTRACTF64X4, v, yv, t, Y1, yd, u, Z10, Z11)

// LOOPSUMZ is LOOPSUMY for AVX-512: LOOP(body) with the accumulators Z10
// and Z11 (ACCZ) zeroed first, their total stored at ret (HSUMZ).
#define LOOPSUMZ(body, ret) \
	VPXORQ Z10, Z10, Z10; \
	VPXORQ Z11, Z11, Z11; \
	LOOP(body); \
	HSUMZ(ret)

// HSUMZ stores the lanes of Z10 and Z11, added in a fixed order, at ret:
// the halves of their sum, then HSUMPD.
#define HSUMZ(ret) \
	VADDPD        Z11, Z10, Z10; \
	VEXTRACTF64X4 $1, Z10, Y11; \
	HSUMPD(Y10, Y11, X10, X11, ret)
