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

// fda, ω·C <= π/2: with a = θ/π = max(ω/π·min(|x|, C), ε/π) and
// w = 2N·a = q + f (q = round(w)), sin(2Nθ) = (-1)^q·sin(πf), so
// g = scale·(-1)^q·sinπ(f)/sinπ(a), and 0 where |x| > C. Y15 = abs mask,
// Y14 = bits of C, Y13 = ω/π, Y12 = bits of ε/π, Y11 = 2N, Y10 = scale;
// Y8 and Y9 are SINPI's scratch registers.
#define FDA(off, a, m, w, q) \
	CLIPY(off(SI)(AX*1), Y15, Y14, a, m, a); \
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
	ARGSY
	VBROADCASTSS cb+32(FP), Y14
	VBROADCASTSS eps+36(FP), Y13
	VBROADCASTSS omega+40(FP), Y12
	VBROADCASTSS twoN+44(FP), Y11
	VBROADCASTSS scale+48(FP), Y10
	VMOVUPS      ABSMASK, Y15
	LOOP1Y(FDAFAR(0))
	VZEROUPPER
	RET

// fda, ω·C <= π/2, as for AVX2: a = max(ω/π·min(|x|, C), ε/π),
// 2N·a = q + f, g = scale·(-1)^q·sinπ(f)/sinπ(a), 0 where |x| > C.
// Z16 = bits of C, Z17 = bits of ε/π, Z18 = ω/π, Z19 = 2N, Z20 = scale.
#define FDAZ \
	CLIPZ(Z16, Z3, Z3); \
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

// fda, ω·C > π/2 (backwardFar), as for AVX2. Z16 = bits of C,
// Z17 = bits of ε, Z18 = ω, Z19 = 2N, Z20 = scale.
#define FDAFARZ \
	CLIPZ(Z16, Z3, Z3); \
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
	LOOP(FDAFARZ)
	VZEROUPPER
	RET
