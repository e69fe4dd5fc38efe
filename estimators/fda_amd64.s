//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The FDA backward kernels (fda_amd64.go), the vector forms of
// (*fdaKernel).backwardGo and backwardFar:
//
//	θ := max(ω·min(|x|, C), ε)
//	g := (2ω/π)·sin(2Nθ)/sin(θ)
//	dx[i] = dy[i]*g where |x| <= C, else 0
//
// the closed form of (4ω/π)·Σ_{i=0..n} cos((2i+1)ωx), N = n+1; for
// ω·C > π/2 θ is first reduced modulo π, in float64 lanes (see
// backwardFar).

// FDAG sets w = g = scale·(-1)^q·sinπ(f)/sinπ(a) from a = the bits of
// min(|x|, C), for both instruction sets: a = max(ω/π·a, ε/π) (omegapi,
// epspi: the bits of ε/π), 2N·a = q + f (q = round(2N·a): round rounds,
// xor flips the sign by q's parity, sinpi is SINPI or SINPIZ); q, t and
// p are clobbered.
#define FDAG(round, xor, sinpi, omegapi, epspi, twoN, scale, a, w, q, t, p) \
	VMULPS    omegapi, a, a; \
	VPMAXUD   epspi, a, a; \
	VMULPS    twoN, a, w; \
	round     $0, w, q; \
	VSUBPS    q, w, w; \
	VCVTPS2DQ q, q; \
	SIGNSIN(sinpi, xor, w, q, t, p); \
	sinpi(a, t, p); \
	VDIVPS    a, w, w; \
	VMULPS    scale, w, w

// The float64 constants of the far kernels' first reduction, θ = mπ + φ,
// shared with BiPer's (biperVC): 1.5·2^52, 1/π and π in three parts.
#define F_MAGIC ·biperVC+biperConsts_magic(SB)
#define F_INVPI ·biperVC+biperConsts_invPi(SB)
#define F_P1 ·biperVC+biperConsts_pi1(SB)
#define F_P2 ·biperVC+biperConsts_pi2(SB)
#define F_P3 ·biperVC+biperConsts_pi3(SB)

// FDAFARG sets r = g = scale·(-1)^(m+q)·sin(r)/sin(θ) from th = φ and
// par = (-1)^m as a sign bit, after FDAREDY or FDAREDZ reduced
// ω·min(|x|, C) = mπ + φ in float64: θ = max(|φ|, ε) (abs: the abs mask,
// and ANDs with it; eps: the bits of ε), 2Nθ = qπ + r (reduce is REDUCE or
// REDUCEZ, sin SIN or SINZ, xor flips signs); par, q and t are clobbered.
#define FDAFARG(and, xor, reduce, sin, abs, eps, twoN, scale, th, par, q, r, t) \
	and     abs, th, th; \
	VPMAXUD eps, th, th; \
	VMULPS  twoN, th, r; \
	reduce(r, t, q); \
	xor     t, par, par; \
	sin(r, q, t); \
	xor     par, r, r; \
	sin(th, q, t); \
	VMULPS  scale, r, r; \
	VDIVPS  th, r, r

// FDADX stores dx = dy·g at off, 0 in the lanes of m (where |x| > C); g
// is clobbered.
#define FDADX(off, g, m) \
	VMULPS  off(DX)(AX*1), g, g; \
	VPANDN  g, m, g; \
	VMOVUPS g, off(DI)(AX*1)

// fda, ω·C <= π/2: with a = θ/π = max(ω/π·min(|x|, C), ε/π) and
// w = 2N·a = q + f (q = round(w)), sin(2Nθ) = (-1)^q·sin(πf), so
// g = scale·(-1)^q·sinπ(f)/sinπ(a), and 0 where |x| > C. Y15 = abs mask,
// Y14 = bits of C, Y13 = ω/π, Y12 = bits of ε/π, Y11 = 2N, Y10 = scale;
// Y8 and Y9 are SINPI's scratch registers.
#define FDA(off, a, m, w, q) \
	CLIPY(off(SI)(AX*1), Y15, Y14, a, m, a); \
	FDAG(VROUNDPS, VPXOR, SINPI, Y13, Y12, Y11, Y10, a, w, q, Y8, Y9); \
	FDADX(off, w, m)

#define FDA_PAIR FDA(0, Y0, Y1, Y2, Y3); FDA(32, Y4, Y5, Y6, Y7)
#define FDA_ONE FDA(0, Y0, Y1, Y2, Y3)

// func avx2FDA(dx, x, dy *float32, n int, cb, epsPi uint32, omegaPi, twoN, scale float32)
TEXT ·avx2FDA(SB), NOSPLIT, $0-52
	ARGSY
	VBROADCASTSS cb+32(FP), Y14
	VBROADCASTSS epsPi+36(FP), Y12
	VBROADCASTSS omegaPi+40(FP), Y13
	VBROADCASTSS twoN+44(FP), Y11
	VBROADCASTSS scale+48(FP), Y10
	VMOVUPS      ABSMASK, Y15
	LOOPY(FDA_PAIR, FDA_ONE)
	RET

// fda, ω·C > π/2 (backwardFar): ω·min(|x|, C) = mπ + φ in float64 (the
// product exact, the reduction REMPI64's), θ = max(|φ|, ε), 2Nθ = qπ + r,
// g = scale·(-1)^(m+q)·sin(r)/sin(θ), 0 where |x| > C. Y15 = abs mask,
// Y14 = bits of C, Y13 = bits of ε, Y12 = ω in float64, Y11 = 2N,
// Y10 = scale.
//
// FDAREDY sets Y6 = φ and Y2 = m as int32 lanes from Y0 = min(|x|, C),
// in two halves of 4 float64 lanes; Y3, Y7-Y9 are clobbered.
#define FDAREDY \
	WIDENMUL(VEXTRACTF128, Y0, X0, Y12, Y6, Y7, X7); \
	REMPI64(VMOVUPD, Y6, Y8, Y2, F_MAGIC, F_INVPI, F_P1, F_P2, F_P3); \
	REMPI64(VMOVUPD, Y7, Y9, Y3, F_MAGIC, F_INVPI, F_P1, F_P2, F_P3); \
	NARROW2(VCVTPD2PSY, VINSERTF128, Y6, Y7, X6, X7); \
	NARROW2(VCVTPD2DQY, VINSERTI128, Y2, Y3, X2, X3)

#define FDAFAR(off) \
	CLIPY(off(SI)(AX*1), Y15, Y14, Y0, Y1, Y0); \
	FDAREDY; \
	VPSLLD $31, Y2, Y2; \
	FDAFARG(VPAND, VPXOR, REDUCE, SIN, Y15, Y13, Y11, Y10, Y6, Y2, Y3, Y4, Y5); \
	FDADX(off, Y4, Y1)

// func avx2FDAFar(dx, x, dy *float32, n int, cb, eps uint32, omega, twoN, scale float32)
TEXT ·avx2FDAFar(SB), NOSPLIT, $0-52
	ARGSY
	VBROADCASTSS cb+32(FP), Y14
	VBROADCASTSS eps+36(FP), Y13
	VBROADCASTSS omega+40(FP), Y12
	VCVTPS2PD    X12, Y12
	VBROADCASTSS twoN+44(FP), Y11
	VBROADCASTSS scale+48(FP), Y10
	VMOVUPS      ABSMASK, Y15
	LOOP1YRET(FDAFAR(0))

// fda, ω·C <= π/2, as for AVX2: a = max(ω/π·min(|x|, C), ε/π),
// 2N·a = q + f, g = scale·(-1)^q·sinπ(f)/sinπ(a), 0 where |x| > C.
// Z16 = bits of C, Z17 = bits of ε/π, Z18 = ω/π, Z19 = 2N, Z20 = scale.
#define FDAZ \
	CLIPZ(Z16, Z3, Z3); \
	FDAG(VRNDSCALEPS, VPXORD, SINPIZ, Z18, Z17, Z19, Z20, Z3, Z4, Z5, Z6, Z7); \
	VMULPS.Z Z1, Z4, K1, Z2

// func avx512FDA(dx, x, dy *float32, n int, cb, epsPi uint32, omegaPi, twoN, scale float32)
TEXT ·avx512FDA(SB), NOSPLIT, $0-52
	ARGS
	SINPICONSTS
	VBROADCASTSS cb+32(FP), Z16
	VBROADCASTSS epsPi+36(FP), Z17
	VBROADCASTSS omegaPi+40(FP), Z18
	VBROADCASTSS twoN+44(FP), Z19
	VBROADCASTSS scale+48(FP), Z20
	LOOPRET(FDAZ)

// fda, ω·C > π/2 (backwardFar), as for AVX2. Z16 = bits of C,
// Z17 = bits of ε, Z18 = ω in float64, Z19 = 2N, Z20 = scale; Z10 =
// 1.5·2^52, Z11 = 1/π and Z12-Z14 = π in three parts for REMPI64.
//
// FDAREDZ sets Z8 = φ and Z4 = m's low bits as int32 lanes from Z3 =
// min(|x|, C), in two halves of 8 float64 lanes; Z5-Z7 and Z9 are
// clobbered.
#define FDAREDZ \
	WIDENMUL(VEXTRACTF64X4, Z3, Y3, Z18, Z8, Z9, Y9); \
	REMPI64(VMOVAPD, Z8, Z4, Z5, Z10, Z11, Z12, Z13, Z14); \
	REMPI64(VMOVAPD, Z9, Z6, Z7, Z10, Z11, Z12, Z13, Z14); \
	NARROW2(VCVTPD2PS, VINSERTF64X4, Z8, Z9, Y8, Y9); \
	NARROW2(VPMOVQD, VINSERTI64X4, Z4, Z6, Y4, Y6)

#define FDAFARZ \
	CLIPZ(Z16, Z3, Z3); \
	FDAREDZ; \
	VPSLLD   $31, Z4, Z4; \
	FDAFARG(VPANDD, VPXORD, REDUCEZ, SINZ, Z31, Z17, Z19, Z20, Z8, Z4, Z5, Z6, Z7); \
	VMULPS.Z Z1, Z6, K1, Z2

// func avx512FDAFar(dx, x, dy *float32, n int, cb, eps uint32, omega, twoN, scale float32)
TEXT ·avx512FDAFar(SB), NOSPLIT, $0-52
	ARGS
	SINCONSTS
	VBROADCASTSS INVPI, Z26
	VBROADCASTSS MAGIC, Z27
	VBROADCASTSS PIA, Z21
	VBROADCASTSS PIB, Z15
	VBROADCASTSS cb+32(FP), Z16
	VBROADCASTSS eps+36(FP), Z17
	VBROADCASTSS omega+40(FP), Z18
	VCVTPS2PD    Y18, Z18
	VBROADCASTSD F_MAGIC, Z10
	VBROADCASTSD F_INVPI, Z11
	VBROADCASTSD F_P1, Z12
	VBROADCASTSD F_P2, Z13
	VBROADCASTSD F_P3, Z14
	VBROADCASTSS twoN+44(FP), Z19
	VBROADCASTSS scale+48(FP), Z20
	LOOPRET(FDAFARZ)
