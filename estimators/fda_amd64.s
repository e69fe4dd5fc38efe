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
// ω·C > π/2 θ is first reduced modulo π.

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

// FDAFARG sets r = g = scale·(-1)^(m+q)·sin(r)/sin(θ) from th = the bits
// of min(|x|, C), for both instruction sets: ω·th = mπ + φ, th = θ =
// max(|φ|, ε) (abs: the abs mask, and ANDs with it; eps: the bits of ε),
// 2Nθ = qπ + r (reduce is REDUCE or REDUCEZ, sin SIN or SINZ, xor flips
// signs); par, q and t are clobbered.
#define FDAFARG(and, xor, reduce, sin, omega, abs, eps, twoN, scale, th, par, q, r, t) \
	VMULPS  omega, th, th; \
	reduce(th, par, q); \
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

// fda, ω·C > π/2 (backwardFar): ω·min(|x|, C) = mπ + φ, θ = max(|φ|, ε),
// 2Nθ = qπ + r, g = scale·(-1)^(m+q)·sin(r)/sin(θ), 0 where |x| > C.
// Y15 = abs mask, Y14 = bits of C, Y13 = bits of ε, Y12 = ω, Y11 = 2N,
// Y10 = scale.
#define FDAFAR(off) \
	CLIPY(off(SI)(AX*1), Y15, Y14, Y0, Y1, Y0); \
	FDAFARG(VPAND, VPXOR, REDUCE, SIN, Y12, Y15, Y13, Y11, Y10, Y0, Y2, Y3, Y4, Y5); \
	FDADX(off, Y4, Y1)

// func avx2FDAFar(dx, x, dy *float32, n int, cb, eps uint32, omega, twoN, scale float32)
TEXT ·avx2FDAFar(SB), NOSPLIT, $0-52
	ARGSY
	VBROADCASTSS cb+32(FP), Y14
	VBROADCASTSS eps+36(FP), Y13
	VBROADCASTSS omega+40(FP), Y12
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
// Z17 = bits of ε, Z18 = ω, Z19 = 2N, Z20 = scale.
#define FDAFARZ \
	CLIPZ(Z16, Z3, Z3); \
	FDAFARG(VPANDD, VPXORD, REDUCEZ, SINZ, Z18, Z31, Z17, Z19, Z20, Z3, Z4, Z5, Z6, Z7); \
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
	VBROADCASTSS twoN+44(FP), Z19
	VBROADCASTSS scale+48(FP), Z20
	LOOPRET(FDAFARZ)
