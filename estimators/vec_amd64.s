//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "vec_amd64.h"

// AVX2+FMA kernels of the estimators (vec_amd64.go): 8 float32 lanes per
// YMM register, two vectors per iteration, then one. n is a positive
// multiple of 8. Each loop runs an index AX over the bytes of the slices:
// x at SI, dy at DX, the result at DI.
//
// Operand order is Go's: sources first, destination last, so that
// VSUBPS a, b, c is c = b - a, VFMADD213PS a, b, c is c = b·c + a,
// VFMADD231PS a, b, c is c = b·a + c, VFNMADD… negates the product,
// VPCMPGTD a, b, c is c = b > a (signed; the kernels compare magnitudes'
// bits, below 2^31) and VPANDN a, b, c is c = ^b & a.

// POW2 sets p = 2^z as exp32 does after its multiply by log2(e): z = k + f
// with k = round(z) (by adding and subtracting 1.5·2^23), 2^f by the
// degree-5 polynomial, k added to the exponent bits, and 0 where k < -125.
// z is left holding f; t and m are clobbered.
#define POW2(z, t, p, m) \
	VADDPS      MAGIC, z, t; \
	VSUBPS      MAGIC, t, p; \
	VSUBPS      p, z, z; \
	VPCMPGTD    EXPMIN, t, m; \
	VPSLLD      $23, t, t; \
	VMOVUPS     E5, p; \
	VFMADD213PS E4, z, p; \
	VFMADD213PS E3, z, p; \
	VFMADD213PS E2, z, p; \
	VFMADD213PS E1, z, p; \
	VFMADD213PS E0, z, p; \
	VPADDD      t, p, p; \
	VPAND       m, p, p

// POW2N is POW2 without the flush, for z above -125.
#define POW2N(z, t, p) \
	VADDPS      MAGIC, z, t; \
	VSUBPS      MAGIC, t, p; \
	VSUBPS      p, z, z; \
	VPSLLD      $23, t, t; \
	VMOVUPS     E5, p; \
	VFMADD213PS E4, z, p; \
	VFMADD213PS E3, z, p; \
	VFMADD213PS E2, z, p; \
	VFMADD213PS E1, z, p; \
	VFMADD213PS E0, z, p; \
	VPADDD      t, p, p

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

// sign: (x + 0)'s sign bit on 1 (so -0 gives +1), a quiet NaN for NaN.
// Y15 = 0, Y14 = sign mask, Y13 = 1, Y12 = quiet NaN.
#define SIGN(off, a, b, c) \
	VMOVUPS off(SI)(AX*1), a; \
	VADDPS  Y15, a, b; \
	VCMPPS  $3, a, a, c; \
	VANDPS  Y14, b, b; \
	VORPS   Y13, b, b; \
	VANDPS  Y12, c, c; \
	VORPS   c, b, b; \
	VMOVUPS b, off(DI)(AX*1)

// func avx2Sign(dst, x *float32, n int)
TEXT ·avx2Sign(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    x+8(FP), SI
	MOVQ    n+16(FP), CX
	SHLQ    $2, CX
	XORQ    AX, AX
	MOVQ    CX, BX
	ANDQ    $-64, BX
	VXORPS  Y15, Y15, Y15
	VMOVUPS SIGNMASK, Y14
	VMOVUPS ONE, Y13
	VMOVUPS QNAN, Y12
	JZ      one

two:
	SIGN(0, Y0, Y1, Y2)
	SIGN(32, Y3, Y4, Y5)
	ADDQ $64, AX
	CMPQ AX, BX
	JLT  two

one:
	CMPQ AX, CX
	JGE  done
	SIGN(0, Y0, Y1, Y2)

done:
	VZEROUPPER
	RET

// ste: dy where |x| <= c. Y15 = abs mask, Y14 = bits of c.
#define STE(off, a) \
	VPAND    off(SI)(AX*1), Y15, a; \
	VPCMPGTD Y14, a, a; \
	VPANDN   off(DX)(AX*1), a, a; \
	VMOVUPS  a, off(DI)(AX*1)

// func avx2STE(dx, x, dy *float32, n int, cb uint32)
TEXT ·avx2STE(SB), NOSPLIT, $0-36
	MOVQ         dx+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         dy+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS cb+32(FP), Y14
	VMOVUPS      ABSMASK, Y15
	SHLQ         $2, CX
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-64, BX
	JZ           one

two:
	STE(0, Y0)
	STE(32, Y1)
	ADDQ $64, AX
	CMPQ AX, BX
	JLT  two

one:
	CMPQ AX, CX
	JGE  done
	STE(0, Y0)

done:
	VZEROUPPER
	RET

// approxsign: dy·(2 - 2·min(|x|, 1)). Y15 = abs mask, Y14 = 1, Y13 = 2.
#define APPROXSIGN(off, a) \
	VPAND        off(SI)(AX*1), Y15, a; \
	VPMINUD      Y14, a, a; \
	VFNMADD213PS Y13, Y13, a; \
	VMULPS       off(DX)(AX*1), a, a; \
	VMOVUPS      a, off(DI)(AX*1)

// func avx2ApproxSign(dx, x, dy *float32, n int)
TEXT ·avx2ApproxSign(SB), NOSPLIT, $0-32
	MOVQ    dx+0(FP), DI
	MOVQ    x+8(FP), SI
	MOVQ    dy+16(FP), DX
	MOVQ    n+24(FP), CX
	VMOVUPS ABSMASK, Y15
	VMOVUPS ONE, Y14
	VMOVUPS TWO, Y13
	SHLQ    $2, CX
	XORQ    AX, AX
	MOVQ    CX, BX
	ANDQ    $-64, BX
	JZ      one

two:
	APPROXSIGN(0, Y0)
	APPROXSIGN(32, Y1)
	ADDQ $64, AX
	CMPQ AX, BX
	JLT  two

one:
	CMPQ AX, CX
	JGE  done
	APPROXSIGN(0, Y0)

done:
	VZEROUPPER
	RET

// dsq: dy·4sk·e/(1+e)² with e = 2^(kk·min(|x|, 1)), kk = -2k·log2(e),
// and 0 where |x| > 1; kk·|x| >= -11 for α >= 1e-3, so 2^z needs no
// flush. Y15 = kk, Y14 = 4sk, Y13 = abs mask, Y12 = 1.
#define DSQ(off, a, m, t, e) \
	VPAND    off(SI)(AX*1), Y13, a; \
	VPCMPGTD Y12, a, m; \
	VPMINUD  Y12, a, a; \
	VMULPS   Y15, a, a; \
	POW2N(a, t, e); \
	VADDPS   Y12, e, t; \
	VMULPS   t, t, t; \
	VMULPS   Y14, e, e; \
	VMULPS   off(DX)(AX*1), e, e; \
	VDIVPS   t, e, e; \
	VPANDN   e, m, e; \
	VMOVUPS  e, off(DI)(AX*1)

// func avx2DSQ(dx, x, dy *float32, n int, kk, sk4 float32)
TEXT ·avx2DSQ(SB), NOSPLIT, $0-40
	MOVQ         dx+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         dy+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS kk+32(FP), Y15
	VBROADCASTSS sk4+36(FP), Y14
	VMOVUPS      ABSMASK, Y13
	VMOVUPS      ONE, Y12
	SHLQ         $2, CX
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-64, BX
	JZ           one

two:
	DSQ(0, Y0, Y1, Y2, Y3)
	DSQ(32, Y5, Y6, Y7, Y8)
	ADDQ $64, AX
	CMPQ AX, BX
	JLT  two

one:
	CMPQ AX, CX
	JGE  done
	DSQ(0, Y0, Y1, Y2, Y3)

done:
	VZEROUPPER
	RET

// ede: dy·4kt·e/(1+e)² with e = 2^(t2·min(|x|, xmax)), t2 = -2t·log2(e).
// Y15 = t2, Y14 = 4kt, Y13 = abs mask, Y12 = 1, Y11 = bits of xmax.
#define EDE(off, a, t, e, q) \
	VPAND   off(SI)(AX*1), Y13, a; \
	VPMINUD Y11, a, a; \
	VMULPS  Y15, a, a; \
	POW2(a, t, e, q); \
	VADDPS  Y12, e, t; \
	VMULPS  t, t, t; \
	VMULPS  Y14, e, e; \
	VMULPS  off(DX)(AX*1), e, e; \
	VDIVPS  t, e, e; \
	VMOVUPS e, off(DI)(AX*1)

// func avx2EDE(dx, x, dy *float32, n int, xmax uint32, t2, kt4 float32)
TEXT ·avx2EDE(SB), NOSPLIT, $0-44
	MOVQ         dx+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         dy+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS xmax+32(FP), Y11
	VBROADCASTSS t2+36(FP), Y15
	VBROADCASTSS kt4+40(FP), Y14
	VMOVUPS      ABSMASK, Y13
	VMOVUPS      ONE, Y12
	SHLQ         $2, CX
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-64, BX
	JZ           one

two:
	EDE(0, Y0, Y1, Y2, Y3)
	EDE(32, Y4, Y5, Y6, Y7)
	ADDQ $64, AX
	CMPQ AX, BX
	JLT  two

one:
	CMPQ AX, CX
	JGE  done
	EDE(0, Y0, Y1, Y2, Y3)

done:
	VZEROUPPER
	RET

// bnnplus: with v = half·min(|x|, vmax) and e = exp(-2v), g =
// 4β·sech²(v)·(1 - v·tanh v) = 4β·e·((1+e) - v·(1-e))/(1+e)³.
// Y15 = half, Y14 = 4β, Y13 = abs mask, Y12 = 1, Y11 = bits of vmax.
#define BNNPLUS(off, v, z, t, e, q) \
	VPAND        off(SI)(AX*1), Y13, v; \
	VPMINUD      Y11, v, v; \
	VMULPS       Y15, v, v; \
	VMULPS       M2LOG2E, v, z; \
	POW2(z, t, e, q); \
	BNNPLUSG(v, e, t, q); \
	VMULPS       off(DX)(AX*1), e, e; \
	VMOVUPS      e, off(DI)(AX*1)

// BNNPLUSG sets e = g from v and e = exp(-2v); t, q are clobbered.
// Y14 = 4β, Y12 = 1.
#define BNNPLUSG(v, e, t, q) \
	VADDPS       Y12, e, t; \
	VSUBPS       e, Y12, q; \
	VFNMADD213PS t, v, q; \
	VMULPS       Y14, e, e; \
	VMULPS       q, e, e; \
	VMULPS       t, t, q; \
	VMULPS       t, q, q; \
	VDIVPS       q, e, e

// func avx2BNNPlus(dx, x, dy *float32, n int, vmax uint32, half, beta4 float32)
TEXT ·avx2BNNPlus(SB), NOSPLIT, $0-44
	MOVQ         dx+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         dy+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS vmax+32(FP), Y11
	VBROADCASTSS half+36(FP), Y15
	VBROADCASTSS beta4+40(FP), Y14
	VMOVUPS      ABSMASK, Y13
	VMOVUPS      ONE, Y12
	SHLQ         $2, CX
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-64, BX
	JZ           one

two:
	BNNPLUS(0, Y0, Y1, Y2, Y3, Y4)
	BNNPLUS(32, Y5, Y6, Y7, Y8, Y9)
	ADDQ $64, AX
	CMPQ AX, BX
	JLT  two

one:
	CMPQ AX, CX
	JGE  done
	BNNPLUS(0, Y0, Y1, Y2, Y3, Y4)

done:
	VZEROUPPER
	RET

// fda, ω·C <= π/2: with a = θ/π = max(ω/π·min(|x|, C), ε/π) and
// w = 2N·a = q + f (q = round(w)), sin(2Nθ) = (-1)^q·sin(πf), so
// g = scale·(-1)^q·sinπ(f)/sinπ(a), and 0 where |x| > C. Y15 = abs mask,
// Y14 = bits of C, Y13 = ω/π, Y12 = bits of ε/π, Y11 = 2N, Y10 = scale;
// Y8 and Y9 are SINPI's scratch registers.
#define FDA(off, a, m, w, q) \
	VPAND     off(SI)(AX*1), Y15, a; \
	VPCMPGTD  Y14, a, m; \
	VPMINUD   Y14, a, a; \
	VMULPS    Y13, a, a; \
	VPMAXUD   Y12, a, a; \
	VMULPS    Y11, a, w; \
	VROUNDPS  $0, w, q; \
	VSUBPS    q, w, w; \
	VCVTPS2DQ q, q; \
	VPSLLD    $31, q, q; \
	SINPI(w, Y8, Y9); \
	VPXOR     q, w, w; \
	SINPI(a, Y8, Y9); \
	VDIVPS    a, w, w; \
	VMULPS    Y10, w, w; \
	VMULPS    off(DX)(AX*1), w, w; \
	VPANDN    w, m, w; \
	VMOVUPS   w, off(DI)(AX*1)

// func avx2FDA(dx, x, dy *float32, n int, cb, epsPi uint32, omegaPi, twoN, scale float32)
TEXT ·avx2FDA(SB), NOSPLIT, $0-52
	MOVQ         dx+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         dy+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS cb+32(FP), Y14
	VBROADCASTSS epsPi+36(FP), Y12
	VBROADCASTSS omegaPi+40(FP), Y13
	VBROADCASTSS twoN+44(FP), Y11
	VBROADCASTSS scale+48(FP), Y10
	VMOVUPS      ABSMASK, Y15
	SHLQ         $2, CX
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-64, BX
	JZ           one

two:
	FDA(0, Y0, Y1, Y2, Y3)
	FDA(32, Y4, Y5, Y6, Y7)
	ADDQ $64, AX
	CMPQ AX, BX
	JLT  two

one:
	CMPQ AX, CX
	JGE  done
	FDA(0, Y0, Y1, Y2, Y3)

done:
	VZEROUPPER
	RET

// fda, ω·C > π/2 (backwardFar): ω·min(|x|, C) = mπ + φ, θ = max(|φ|, ε),
// 2Nθ = qπ + r, g = scale·(-1)^(m+q)·sin(r)/sin(θ), 0 where |x| > C.
// Y15 = abs mask, Y14 = bits of C, Y13 = bits of ε, Y12 = ω, Y11 = 2N,
// Y10 = scale.
#define FDAFAR(off) \
	VPAND    off(SI)(AX*1), Y15, Y0; \
	VPCMPGTD Y14, Y0, Y1; \
	VPMINUD  Y14, Y0, Y0; \
	VMULPS   Y12, Y0, Y0; \
	REDUCE(Y0, Y2, Y3); \
	VPAND    Y15, Y0, Y0; \
	VPMAXUD  Y13, Y0, Y0; \
	VMULPS   Y11, Y0, Y4; \
	REDUCE(Y4, Y5, Y3); \
	VPXOR    Y5, Y2, Y2; \
	SIN(Y4, Y3, Y5); \
	VPXOR    Y2, Y4, Y4; \
	SIN(Y0, Y3, Y5); \
	VMULPS   Y10, Y4, Y4; \
	VDIVPS   Y0, Y4, Y4; \
	VMULPS   off(DX)(AX*1), Y4, Y4; \
	VPANDN   Y4, Y1, Y4; \
	VMOVUPS  Y4, off(DI)(AX*1)

// func avx2FDAFar(dx, x, dy *float32, n int, cb, eps uint32, omega, twoN, scale float32)
TEXT ·avx2FDAFar(SB), NOSPLIT, $0-52
	MOVQ         dx+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         dy+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS cb+32(FP), Y14
	VBROADCASTSS eps+36(FP), Y13
	VBROADCASTSS omega+40(FP), Y12
	VBROADCASTSS twoN+44(FP), Y11
	VBROADCASTSS scale+48(FP), Y10
	VMOVUPS      ABSMASK, Y15
	SHLQ         $2, CX
	XORQ         AX, AX

loop:
	FDAFAR(0)
	ADDQ $32, AX
	CMPQ AX, CX
	JLT  loop
	VZEROUPPER
	RET

// dsq with learn=true: DSQ, and the sum over the lanes of
// dy·∂φ/∂α = dy·e·r²·t·(c + m·y·S(y)) with t = k2·x, |x| clamped to 1
// (0 where |x| > 1), r = 1/(1+e), y = t², S = sinhRemPoly (SR0-SR7).
// Y15 = kk, Y14 = 4sk, Y13 = k2 = 2k, Y12 = c, Y10 = m, Y11 = 1; Y9 and
// Y8 accumulate.
#define DSQGRAD(off) \
	VMOVUPS      off(SI)(AX*1), Y0; \
	VANDPS       ABSMASK, Y0, Y1; \
	VPCMPGTD     Y11, Y1, Y2; \
	VPMINUD      Y11, Y1, Y1; \
	VANDPS       SIGNMASK, Y0, Y0; \
	VMULPS       Y15, Y1, Y3; \
	VMULPS       Y13, Y1, Y1; \
	VORPS        Y0, Y1, Y1; \
	POW2N(Y3, Y4, Y5); \
	VADDPS       Y11, Y5, Y4; \
	VDIVPS       Y4, Y11, Y4; \
	VMULPS       Y4, Y5, Y5; \
	VMULPS       Y4, Y5, Y5; \
	VMULPS       off(DX)(AX*1), Y5, Y5; \
	VMULPS       Y14, Y5, Y6; \
	VPANDN       Y6, Y2, Y6; \
	VMOVUPS      Y6, off(DI)(AX*1); \
	VMULPS       Y1, Y1, Y3; \
	VMOVUPS      SR7, Y4; \
	VFMADD213PS  SR6, Y3, Y4; \
	VFMADD213PS  SR5, Y3, Y4; \
	VFMADD213PS  SR4, Y3, Y4; \
	VFMADD213PS  SR3, Y3, Y4; \
	VFMADD213PS  SR2, Y3, Y4; \
	VFMADD213PS  SR1, Y3, Y4; \
	VFMADD213PS  SR0, Y3, Y4; \
	VMULPS       Y3, Y4, Y4; \
	VFMADD213PS  Y12, Y10, Y4; \
	VMULPS       Y1, Y5, Y5; \
	VMULPS       Y4, Y5, Y5; \
	VPANDN       Y5, Y2, Y5; \
	ACCUMULATE(Y5, X5, Y3)

// func avx2DSQGrad(dx, x, dy *float32, n int, kk, sk4, k2, c, m float32) float64
TEXT ·avx2DSQGrad(SB), NOSPLIT, $0-64
	MOVQ         dx+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         dy+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS kk+32(FP), Y15
	VBROADCASTSS sk4+36(FP), Y14
	VBROADCASTSS k2+40(FP), Y13
	VBROADCASTSS c+44(FP), Y12
	VBROADCASTSS m+48(FP), Y10
	VMOVUPS      ONE, Y11
	VXORPD       Y9, Y9, Y9
	VXORPD       Y8, Y8, Y8
	SHLQ         $2, CX
	XORQ         AX, AX

loop:
	DSQGRAD(0)
	ADDQ $32, AX
	CMPQ AX, CX
	JLT  loop
	HSUMPD(Y9, Y8, X9, X8, ret+56(FP))
	VZEROUPPER
	RET

// bnnplus with learn=true: BNNPLUS with v = min(|half·x|, 44), and the sum
// over the lanes of dy·g·(2v/β²) with x's sign (x/β²·g, x clamped like v).
// Y15 = half, Y14 = 4β, Y13 = 2/β², Y12 = 1, Y10 = bits of 44; Y9 and Y8
// accumulate.
#define BNNPLUSGRAD(off) \
	VMULPS       off(SI)(AX*1), Y15, Y0; \
	VANDPS       ABSMASK, Y0, Y1; \
	VPMINUD      Y10, Y1, Y1; \
	VANDPS       SIGNMASK, Y0, Y0; \
	VMULPS       M2LOG2E, Y1, Y2; \
	POW2(Y2, Y3, Y4, Y5); \
	BNNPLUSG(Y1, Y4, Y3, Y5); \
	VMULPS       off(DX)(AX*1), Y4, Y4; \
	VMOVUPS      Y4, off(DI)(AX*1); \
	VMULPS       Y13, Y1, Y1; \
	VXORPS       Y0, Y1, Y1; \
	VMULPS       Y4, Y1, Y1; \
	ACCUMULATE(Y1, X1, Y2)

// func avx2BNNPlusGrad(dx, x, dy *float32, n int, half, beta4, c float32) float64
TEXT ·avx2BNNPlusGrad(SB), NOSPLIT, $0-56
	MOVQ         dx+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         dy+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS half+32(FP), Y15
	VBROADCASTSS beta4+36(FP), Y14
	VBROADCASTSS c+40(FP), Y13
	VMOVUPS      ONE, Y12
	VMOVUPS      SECHMAX, Y10
	VXORPD       Y9, Y9, Y9
	VXORPD       Y8, Y8, Y8
	SHLQ         $2, CX
	XORQ         AX, AX

loop:
	BNNPLUSGRAD(0)
	ADDQ $32, AX
	CMPQ AX, CX
	JLT  loop
	HSUMPD(Y9, Y8, X9, X8, ret+48(FP))
	VZEROUPPER
	RET
