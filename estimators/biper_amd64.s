//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The BiPer backward kernels (biper_amd64.go), the vector forms of
// (*biperKernel).backwardGo, in float64 lanes (eight or four) for the
// product and its reduction:
//
//	th := w * float64(v)                      // exact
//	r, odd := reducePi64(th)                  // r = th - nπ, π in three parts
//	c := sinPoly(float32(math.Pi/2 - math.Abs(r)))
//	if odd { c = -c }
//	dx[i] = dy[i] * (k.omega * c)
//
// A vector with a lane where |θ| >= 2^22 (or NaN) is left to the portable
// loop: the routine returns the index of its first element.

#define B_PI2 ·biperVC+biperConsts_halfPi(SB)
#define B_P1 ·biperVC+biperConsts_pi1(SB)
#define B_P2 ·biperVC+biperConsts_pi2(SB)
#define B_P3 ·biperVC+biperConsts_pi3(SB)
#define B_ABS ·biperVC+biperConsts_abs(SB)
#define B_MAX ·biperVC+biperConsts_maxTheta(SB)
#define B_MAGIC ·biperVC+biperConsts_magic(SB)
#define B_INVPI ·biperVC+biperConsts_invPi(SB)

// REDPI64 sets th = π/2 - |θ - nπ| (n = round(θ/π)) and t = θ/π +
// 1.5·2^52, which holds n in its low bits (REMPI64); n is clobbered.
// The constants: magic = 1.5·2^52, invpi = 1/π, p1-p3 = π in three parts,
// abs = the float64 abs mask (and ANDs with it), halfpi = π/2.
#define REDPI64(and, th, t, n, magic, invpi, p1, p2, p3, abs, halfpi) \
	REMPI64(VMOVAPD, th, t, n, magic, invpi, p1, p2, p3); \
	and          abs, th, th; \
	VSUBPD       th, halfpi, th

// REDPDY is REDPI64 on four lanes: Y10 = π/2, Y11 = 1/π, Y12 = 1.5·2^52,
// Y14 = float64 abs mask, π's parts from memory.
#define REDPDY(th, t, n) REDPI64(VANDPD, th, t, n, Y12, Y11, B_P1, B_P2, B_P3, Y14, Y10)

// biper: dy·ω·cos(ω·x) on 8 lanes as two halves of 4 float64. Y9 = ω,
// Y15 = ω in float64, Y13 = 2^22; jumps to bail if a lane has
// |θ| >= 2^22 or NaN.
#define BIPERY \
	VCVTPS2PD  (SI)(AX*1), Y3; \
	VCVTPS2PD  16(SI)(AX*1), Y4; \
	VMULPD     Y15, Y3, Y3; \
	VMULPD     Y15, Y4, Y4; \
	VANDPD     Y14, Y3, Y5; \
	VCMPPD     $1, Y13, Y5, Y5; \
	VANDPD     Y14, Y4, Y6; \
	VCMPPD     $1, Y13, Y6, Y6; \
	VANDPD     Y6, Y5, Y5; \
	VMOVMSKPD  Y5, R10; \
	CMPQ       R10, $15; \
	JNE        bail; \
	REDPDY(Y3, Y5, Y6); \
	REDPDY(Y4, Y7, Y8); \
	NARROW2(VCVTPD2PSY, VINSERTF128, Y3, Y4, X3, X4); \
	NARROW2(VCVTPD2DQY, VINSERTI128, Y6, Y8, X6, X8); \
	SIGNSIN(SIN, VXORPS, Y3, Y6, Y7, Y8); \
	VMULPS     Y9, Y3, Y3; \
	VMULPS     (DX)(AX*1), Y3, Y3; \
	VMOVUPS    Y3, (DI)(AX*1)

// func avx2BiPer(dx, x, dy *float32, n int, omega float32) int
TEXT ·avx2BiPer(SB), NOSPLIT, $0-48
	ARGSY
	VBROADCASTSS omega+32(FP), Y9
	VCVTPS2PD    X9, Y15
	VMOVUPD      B_ABS, Y14
	VMOVUPD      B_MAX, Y13
	VMOVUPD      B_MAGIC, Y12
	VMOVUPD      B_INVPI, Y11
	VMOVUPD      B_PI2, Y10
	LOOP1Y(BIPERY)
	JMP          donebail

bail:
	MOVQ AX, CX

donebail:
	SHRQ       $2, CX
	MOVQ       CX, ret+40(FP)
	VZEROUPPER
	RET

// REDPD is REDPI64 on eight lanes: Z12 = π/2, Z13-Z15 = π in three
// parts, Z18 = float64 abs mask, Z20 = 1.5·2^52, Z21 = 1/π.
#define REDPD(th, t, n) REDPI64(VPANDQ, th, t, n, Z20, Z21, Z13, Z14, Z15, Z18, Z12)

// biper: dy·ω·cos(ω·x). Z16 = ω, Z17 = ω in float64, Z19 = 2^22; jumps to
// bail if a lane has |θ| >= 2^22 or NaN.
#define BIPERZ \
	WIDENMUL(VEXTRACTF64X4, Z0, Y0, Z17, Z3, Z4, Y4); \
	VPANDQ        Z18, Z3, Z5; \
	VCMPPD        $1, Z19, Z5, K1; \
	VPANDQ        Z18, Z4, Z6; \
	VCMPPD        $1, Z19, Z6, K3; \
	KSHIFTLW      $8, K3, K3; \
	KORW          K1, K3, K1; \
	KORTESTW      K1, K1; \
	JCC           bail; \
	REDPD(Z3, Z5, Z6); \
	REDPD(Z4, Z7, Z8); \
	NARROW2(VCVTPD2PS, VINSERTF64X4, Z3, Z4, Y3, Y4); \
	NARROW2(VPMOVQD, VINSERTI64X4, Z5, Z7, Y5, Y7); \
	SIGNSIN(SINZ, VPXORD, Z3, Z5, Z6, Z7); \
	VMULPS        Z16, Z3, Z3; \
	VMULPS        Z1, Z3, Z2

// ALLDONE sets AX to the bytes of n after the tail: no lane bailed.
#define ALLDONE MOVQ CX, AX

// func avx512BiPer(dx, x, dy *float32, n int, omega float32) int
TEXT ·avx512BiPer(SB), NOSPLIT, $0-48
	ARGS
	SINCONSTS
	VBROADCASTSS omega+32(FP), Z16
	VCVTPS2PD    Y16, Z17
	VBROADCASTSD B_PI2, Z12
	VBROADCASTSD B_P1, Z13
	VBROADCASTSD B_P2, Z14
	VBROADCASTSD B_P3, Z15
	VBROADCASTSD B_ABS, Z18
	VBROADCASTSD B_MAX, Z19
	VBROADCASTSD B_MAGIC, Z20
	VBROADCASTSD B_INVPI, Z21
	LOOPZ(LOADXDY, LOADXDYTAIL, BIPERZ, ALLDONE)

bail:
	SHRQ       $2, AX
	MOVQ       AX, ret+40(FP)
	VZEROUPPER
	RET
