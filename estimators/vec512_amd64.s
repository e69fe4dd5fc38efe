//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "vec_amd64.h"

// AVX-512 kernels of the estimators (vec_amd64.go): 16 float32 lanes per
// ZMM register, the last partial vector under a lane mask (K2), so that
// they process every element. Operand order is Go's, as in vec_amd64.s;
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

// POW2Z sets p = 2^z: z = k + f with k = round(z), 2^f by the degree-5
// polynomial, scaled by 2^k (VSCALEFPS), and 0 where k < -125 (Z21 =
// -125), as exp32 does. z is left holding f; k is clobbered.
#define POW2Z(z, k, p) \
	VRNDSCALEPS $0, z, k; \
	VSUBPS      k, z, z; \
	VMOVAPS     Z27, p; \
	VFMADD213PS Z26, z, p; \
	VFMADD213PS Z25, z, p; \
	VFMADD213PS Z24, z, p; \
	VFMADD213PS Z23, z, p; \
	VFMADD213PS Z22, z, p; \
	VCMPPS      $0x1d, Z21, k, K3; \
	VSCALEFPS.Z k, p, K3, p

// POW2N is POW2Z without the flush, for arguments above -125.
#define POW2N(z, k, p) \
	VRNDSCALEPS $0, z, k; \
	VSUBPS      k, z, z; \
	VMOVAPS     Z27, p; \
	VFMADD213PS Z26, z, p; \
	VFMADD213PS Z25, z, p; \
	VFMADD213PS Z24, z, p; \
	VFMADD213PS Z23, z, p; \
	VFMADD213PS Z22, z, p; \
	VSCALEFPS   k, p, p

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

// sign: (x + 0)'s sign bit on 1 (so -0 gives +1), a quiet NaN for NaN.
// Z27 = 0, Z26 = quiet NaN.
#define SIGNZ \
	VADDPS  Z27, Z0, Z2; \
	VPANDD  Z28, Z2, Z2; \
	VPORD   Z30, Z2, Z2; \
	VCMPPS  $3, Z0, Z0, K1; \
	VMOVAPS Z26, K1, Z2

// func avx512Sign(dst, x *float32, n int)
TEXT ·avx512Sign(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   n+16(FP), CX
	TAILMASK
	COMMON
	VPXORD Z27, Z27, Z27
	VBROADCASTSS QNAN, Z26
	CMPQ   AX, BX
	JGE    tail

loop:
	VMOVUPS (SI)(AX*1), Z0
	SIGNZ
	VMOVUPS Z2, (DI)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, BX
	JLT     loop

tail:
	CMPQ      AX, CX
	JGE       done
	VMOVUPS.Z (SI)(AX*1), K2, Z0
	SIGNZ
	VMOVUPS   Z2, K2, (DI)(AX*1)

done:
	VZEROUPPER
	RET

// ste: dy where |x| <= c. Z16 = bits of c.
#define STEZ \
	VPANDD    Z0, Z31, Z3; \
	VPCMPUD   $2, Z16, Z3, K1; \
	VMOVAPS.Z Z1, K1, Z2

// func avx512STE(dx, x, dy *float32, n int, cb uint32)
TEXT ·avx512STE(SB), NOSPLIT, $0-36
	ARGS
	COMMON
	VBROADCASTSS cb+32(FP), Z16
	LOOP(STEZ)
	VZEROUPPER
	RET

// approxsign: dy·(2 - 2·min(|x|, 1)).
#define APPROXSIGNZ \
	VPANDD       Z0, Z31, Z3; \
	VPMINUD      Z30, Z3, Z3; \
	VFNMADD213PS Z29, Z29, Z3; \
	VMULPS       Z1, Z3, Z2

// func avx512ApproxSign(dx, x, dy *float32, n int)
TEXT ·avx512ApproxSign(SB), NOSPLIT, $0-32
	ARGS
	COMMON
	LOOP(APPROXSIGNZ)
	VZEROUPPER
	RET

// dsq: dy·4sk·e/(1+e)² with e = 2^(kk·min(|x|, 1)), 0 where |x| > 1;
// kk·|x| >= -11 for α >= 1e-3, so 2^z needs no flush. Z16 = kk, Z17 = 4sk.
#define DSQZ \
	VPANDD   Z0, Z31, Z3; \
	VPCMPUD  $2, Z30, Z3, K1; \
	VPMINUD  Z30, Z3, Z3; \
	VMULPS   Z16, Z3, Z3; \
	POW2N(Z3, Z4, Z5); \
	VADDPS   Z30, Z5, Z6; \
	VMULPS   Z6, Z6, Z6; \
	VMULPS   Z17, Z5, Z5; \
	VMULPS   Z1, Z5, Z5; \
	VDIVPS.Z Z6, Z5, K1, Z2

// func avx512DSQ(dx, x, dy *float32, n int, kk, sk4 float32)
TEXT ·avx512DSQ(SB), NOSPLIT, $0-40
	ARGS
	COMMON
	EXPCONSTS
	VBROADCASTSS kk+32(FP), Z16
	VBROADCASTSS sk4+36(FP), Z17
	LOOP(DSQZ)
	VZEROUPPER
	RET

// ede: dy·4kt·e/(1+e)² with e = 2^(t2·min(|x|, xmax)). Z16 = t2,
// Z17 = 4kt, Z18 = bits of xmax, Z21 = -125.
#define EDEZ \
	VPANDD  Z0, Z31, Z3; \
	VPMINUD Z18, Z3, Z3; \
	VMULPS  Z16, Z3, Z3; \
	POW2Z(Z3, Z4, Z5); \
	VADDPS  Z30, Z5, Z6; \
	VMULPS  Z6, Z6, Z6; \
	VMULPS  Z17, Z5, Z5; \
	VMULPS  Z1, Z5, Z5; \
	VDIVPS  Z6, Z5, Z2

// func avx512EDE(dx, x, dy *float32, n int, xmax uint32, t2, kt4 float32)
TEXT ·avx512EDE(SB), NOSPLIT, $0-44
	ARGS
	COMMON
	EXPCONSTS
	VBROADCASTSS MINK, Z21
	VBROADCASTSS xmax+32(FP), Z18
	VBROADCASTSS t2+36(FP), Z16
	VBROADCASTSS kt4+40(FP), Z17
	LOOP(EDEZ)
	VZEROUPPER
	RET

// bnnplus: with v = half·min(|x|, vmax) and e = exp(-2v),
// dy·4β·e·((1+e) - v·(1-e))/(1+e)³ (vec_amd64.s). Z16 = half, Z17 = 4β,
// Z18 = bits of vmax, Z19 = -2·log2(e), Z21 = -125.
#define BNNPLUSZ \
	VPANDD       Z0, Z31, Z3; \
	VPMINUD      Z18, Z3, Z3; \
	VMULPS       Z16, Z3, Z3; \
	VMULPS       Z19, Z3, Z7; \
	POW2Z(Z7, Z4, Z5); \
	BNNPLUSGZ(Z3, Z5, Z6, Z7); \
	VMULPS       Z1, Z5, Z2

// BNNPLUSGZ sets e = g from v and e = exp(-2v); t, q are clobbered.
#define BNNPLUSGZ(v, e, t, q) \
	VADDPS       Z30, e, t; \
	VSUBPS       e, Z30, q; \
	VFNMADD213PS t, v, q; \
	VMULPS       Z17, e, e; \
	VMULPS       q, e, e; \
	VMULPS       t, t, q; \
	VMULPS       t, q, q; \
	VDIVPS       q, e, e

// func avx512BNNPlus(dx, x, dy *float32, n int, vmax uint32, half, beta4 float32)
TEXT ·avx512BNNPlus(SB), NOSPLIT, $0-44
	ARGS
	COMMON
	EXPCONSTS
	VBROADCASTSS MINK, Z21
	VBROADCASTSS M2LOG2E, Z19
	VBROADCASTSS vmax+32(FP), Z18
	VBROADCASTSS half+36(FP), Z16
	VBROADCASTSS beta4+40(FP), Z17
	LOOP(BNNPLUSZ)
	VZEROUPPER
	RET

// fda, ω·C <= π/2, as in vec_amd64.s: a = max(ω/π·min(|x|, C), ε/π),
// 2N·a = q + f, g = scale·(-1)^q·sinπ(f)/sinπ(a), 0 where |x| > C.
// Z16 = bits of C, Z17 = bits of ε/π, Z18 = ω/π, Z19 = 2N, Z20 = scale.
#define FDAZ \
	VPANDD      Z0, Z31, Z3; \
	VPCMPUD     $2, Z16, Z3, K1; \
	VPMINUD     Z16, Z3, Z3; \
	VMULPS      Z18, Z3, Z3; \
	VPMAXUD     Z17, Z3, Z3; \
	VMULPS      Z19, Z3, Z4; \
	VRNDSCALEPS $0, Z4, Z5; \
	VSUBPS      Z5, Z4, Z4; \
	VCVTPS2DQ   Z5, Z5; \
	VPSLLD      $31, Z5, Z5; \
	SINPIZ(Z4, Z6, Z7); \
	VPXORD      Z5, Z4, Z4; \
	SINPIZ(Z3, Z6, Z7); \
	VDIVPS      Z3, Z4, Z4; \
	VMULPS      Z20, Z4, Z4; \
	VMULPS.Z    Z1, Z4, K1, Z2

// func avx512FDA(dx, x, dy *float32, n int, cb, epsPi uint32, omegaPi, twoN, scale float32)
TEXT ·avx512FDA(SB), NOSPLIT, $0-52
	ARGS
	COMMON
	VBROADCASTSS SP0, Z22
	VBROADCASTSS SP1, Z23
	VBROADCASTSS SP2, Z24
	VBROADCASTSS SP3, Z25
	VBROADCASTSS SP4, Z26
	VBROADCASTSS cb+32(FP), Z16
	VBROADCASTSS epsPi+36(FP), Z17
	VBROADCASTSS omegaPi+40(FP), Z18
	VBROADCASTSS twoN+44(FP), Z19
	VBROADCASTSS scale+48(FP), Z20
	LOOP(FDAZ)
	VZEROUPPER
	RET

// fda, ω·C > π/2 (backwardFar), as in vec_amd64.s. Z16 = bits of C,
// Z17 = bits of ε, Z18 = ω, Z19 = 2N, Z20 = scale.
#define FDAFARZ \
	VPANDD   Z0, Z31, Z3; \
	VPCMPUD  $2, Z16, Z3, K1; \
	VPMINUD  Z16, Z3, Z3; \
	VMULPS   Z18, Z3, Z3; \
	REDUCEZ(Z3, Z4, Z5); \
	VPANDD   Z31, Z3, Z3; \
	VPMAXUD  Z17, Z3, Z3; \
	VMULPS   Z19, Z3, Z6; \
	REDUCEZ(Z6, Z7, Z5); \
	VPXORD   Z7, Z4, Z4; \
	SINZ(Z6, Z5, Z7); \
	VPXORD   Z4, Z6, Z6; \
	SINZ(Z3, Z5, Z7); \
	VMULPS   Z20, Z6, Z6; \
	VDIVPS   Z3, Z6, Z6; \
	VMULPS.Z Z1, Z6, K1, Z2

// func avx512FDAFar(dx, x, dy *float32, n int, cb, eps uint32, omega, twoN, scale float32)
TEXT ·avx512FDAFar(SB), NOSPLIT, $0-52
	ARGS
	COMMON
	VBROADCASTSS S1, Z22
	VBROADCASTSS S2, Z23
	VBROADCASTSS S3, Z24
	VBROADCASTSS S4, Z25
	VBROADCASTSS INVPI, Z26
	VBROADCASTSS MAGIC, Z27
	VBROADCASTSS PIA, Z21
	VBROADCASTSS PIB, Z15
	VBROADCASTSS cb+32(FP), Z16
	VBROADCASTSS eps+36(FP), Z17
	VBROADCASTSS omega+40(FP), Z18
	VBROADCASTSS twoN+44(FP), Z19
	VBROADCASTSS scale+48(FP), Z20
	LOOP(FDAFARZ)
	VZEROUPPER
	RET

// dsq with learn=true: DSQZ, and the sum of dy·e·r²·t·(c + m·y·S(y))
// with t = k2·x, |x| clamped to 1 (0 where |x| > 1), r = 1/(1+e),
// y = t², S = sinhRemPoly. Z16 = kk, Z17 = 4sk, Z20 = k2 = 2k, Z21 = c,
// Z29 = m (2 is not needed); S's coefficients sinhRem0-sinhRem7 in Z8, Z9,
// Z12-Z15, Z18, Z19.
#define DSQGRADZ \
	VPANDD       Z0, Z31, Z3; \
	VPCMPUD      $2, Z30, Z3, K1; \
	VPMINUD      Z30, Z3, Z3; \
	VMULPS       Z16, Z3, Z4; \
	VMULPS       Z20, Z3, Z3; \
	VPANDD       Z0, Z28, Z7; \
	VPORD        Z7, Z3, Z3; \
	POW2N(Z4, Z5, Z6); \
	VADDPS       Z30, Z6, Z5; \
	VDIVPS       Z5, Z30, Z5; \
	VMULPS       Z5, Z6, Z6; \
	VMULPS       Z5, Z6, Z6; \
	VMULPS       Z1, Z6, Z6; \
	VMULPS.Z     Z17, Z6, K1, Z2; \
	VMULPS       Z3, Z3, Z4; \
	VMOVAPS      Z19, Z5; \
	VFMADD213PS  Z18, Z4, Z5; \
	VFMADD213PS  Z15, Z4, Z5; \
	VFMADD213PS  Z14, Z4, Z5; \
	VFMADD213PS  Z13, Z4, Z5; \
	VFMADD213PS  Z12, Z4, Z5; \
	VFMADD213PS  Z9, Z4, Z5; \
	VFMADD213PS  Z8, Z4, Z5; \
	VMULPS       Z4, Z5, Z5; \
	VFMADD213PS  Z21, Z29, Z5; \
	VMULPS       Z3, Z6, Z6; \
	VMULPS.Z     Z5, Z6, K1, Z3; \
	ACCZ(Z3, Y3, Z4)

// func avx512DSQGrad(dx, x, dy *float32, n int, kk, sk4, k2, c, m float32) float64
TEXT ·avx512DSQGrad(SB), NOSPLIT, $0-64
	ARGS
	COMMON
	EXPCONSTS
	VBROADCASTSS SR0, Z8
	VBROADCASTSS SR1, Z9
	VBROADCASTSS SR2, Z12
	VBROADCASTSS SR3, Z13
	VBROADCASTSS SR4, Z14
	VBROADCASTSS SR5, Z15
	VBROADCASTSS SR6, Z18
	VBROADCASTSS SR7, Z19
	VBROADCASTSS kk+32(FP), Z16
	VBROADCASTSS sk4+36(FP), Z17
	VBROADCASTSS k2+40(FP), Z20
	VBROADCASTSS c+44(FP), Z21
	VBROADCASTSS m+48(FP), Z29
	VPXORQ       Z10, Z10, Z10
	VPXORQ       Z11, Z11, Z11
	LOOP(DSQGRADZ)
	HSUMZ(ret+56(FP))
	VZEROUPPER
	RET

// bnnplus with learn=true: BNNPLUSZ with v = min(|half·x|, 44), and the
// sum of dy·g·(2v/β²) with x's sign. Z16 = half, Z17 = 4β, Z18 = bits of
// 44, Z19 = -2·log2(e), Z20 = 2/β², Z21 = -125.
#define BNNPLUSGRADZ \
	VMULPS       Z16, Z0, Z3; \
	VPANDD       Z3, Z31, Z4; \
	VPMINUD      Z18, Z4, Z4; \
	VPANDD       Z3, Z28, Z3; \
	VMULPS       Z19, Z4, Z7; \
	POW2Z(Z7, Z5, Z6); \
	BNNPLUSGZ(Z4, Z6, Z5, Z7); \
	VMULPS       Z1, Z6, Z2; \
	VMULPS       Z20, Z4, Z4; \
	VPXORD       Z3, Z4, Z4; \
	VMULPS       Z2, Z4, Z4; \
	ACCZ(Z4, Y4, Z5)

// func avx512BNNPlusGrad(dx, x, dy *float32, n int, half, beta4, c float32) float64
TEXT ·avx512BNNPlusGrad(SB), NOSPLIT, $0-56
	ARGS
	COMMON
	EXPCONSTS
	VBROADCASTSS MINK, Z21
	VBROADCASTSS M2LOG2E, Z19
	VBROADCASTSS SECHMAX, Z18
	VBROADCASTSS half+32(FP), Z16
	VBROADCASTSS beta4+36(FP), Z17
	VBROADCASTSS c+40(FP), Z20
	VPXORQ       Z10, Z10, Z10
	VPXORQ       Z11, Z11, Z11
	LOOP(BNNPLUSGRADZ)
	HSUMZ(ret+48(FP))
	VZEROUPPER
	RET
