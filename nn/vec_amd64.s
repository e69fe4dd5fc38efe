//go:build !purego

#include "textflag.h"

// AVX2+FMA loops of the elementwise layers (vec_amd64.go): 16 floats per
// iteration in two vectors, then one vector of 8, then scalars. Sums keep
// 16 partial sums per quantity, added in a fixed order at the end, so the
// result is deterministic.

// HSUM2 reduces Y(a)+Y(b) to the low lane of X(a) (clobbers X(b), X(t)).
#define HSUM2(a, b, xa, xb) \
	VADDPS       b, a, a; \
	VEXTRACTF128 $1, a, xb; \
	VADDPS       xb, xa, xa; \
	VHADDPS      xa, xa, xa; \
	VHADDPS      xa, xa, xa

// func sumSqAVX2(x *float32, n int, k float32) (s1, s2 float32)
// s1 = Σ (x-k), s2 = Σ (x-k)².
TEXT ·sumSqAVX2(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS k+16(FP), Y8
	VXORPS       Y0, Y0, Y0
	VXORPS       Y1, Y1, Y1
	VXORPS       Y2, Y2, Y2
	VXORPS       Y3, Y3, Y3
	CMPQ         CX, $16
	JLT          sq8

sq16:
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VSUBPS      Y8, Y4, Y4
	VSUBPS      Y8, Y5, Y5
	VADDPS      Y4, Y0, Y0
	VADDPS      Y5, Y1, Y1
	VFMADD231PS Y4, Y4, Y2
	VFMADD231PS Y5, Y5, Y3
	ADDQ        $64, SI
	SUBQ        $16, CX
	CMPQ        CX, $16
	JGE         sq16

sq8:
	CMPQ        CX, $8
	JLT         sqsum
	VMOVUPS     (SI), Y4
	VSUBPS      Y8, Y4, Y4
	VADDPS      Y4, Y0, Y0
	VFMADD231PS Y4, Y4, Y2
	ADDQ        $32, SI
	SUBQ        $8, CX

sqsum:
	HSUM2(Y0, Y1, X0, X1)
	HSUM2(Y2, Y3, X2, X3)
	TESTQ CX, CX
	JZ    sqdone

sq1:
	VMOVSS      (SI), X4
	VSUBSS      X8, X4, X4
	VADDSS      X4, X0, X0
	VFMADD231SS X4, X4, X2
	ADDQ        $4, SI
	DECQ        CX
	JNZ         sq1

sqdone:
	VMOVSS X0, s1+24(FP)
	VMOVSS X2, s2+28(FP)
	VZEROUPPER
	RET

// func sumDotAVX2(dy, x *float32, n int, mu float32) (s1, s2 float32)
// s1 = Σ dy, s2 = Σ dy·(x-mu).
TEXT ·sumDotAVX2(SB), NOSPLIT, $0-40
	MOVQ         dy+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS mu+24(FP), Y8
	VXORPS       Y0, Y0, Y0
	VXORPS       Y1, Y1, Y1
	VXORPS       Y2, Y2, Y2
	VXORPS       Y3, Y3, Y3
	CMPQ         CX, $16
	JLT          dot8

dot16:
	VMOVUPS     (DI), Y6
	VMOVUPS     32(DI), Y7
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VSUBPS      Y8, Y4, Y4
	VSUBPS      Y8, Y5, Y5
	VADDPS      Y6, Y0, Y0
	VADDPS      Y7, Y1, Y1
	VFMADD231PS Y4, Y6, Y2
	VFMADD231PS Y5, Y7, Y3
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	CMPQ        CX, $16
	JGE         dot16

dot8:
	CMPQ        CX, $8
	JLT         dotsum
	VMOVUPS     (DI), Y6
	VMOVUPS     (SI), Y4
	VSUBPS      Y8, Y4, Y4
	VADDPS      Y6, Y0, Y0
	VFMADD231PS Y4, Y6, Y2
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX

dotsum:
	HSUM2(Y0, Y1, X0, X1)
	HSUM2(Y2, Y3, X2, X3)
	TESTQ CX, CX
	JZ    dotdone

dot1:
	VMOVSS      (DI), X6
	VMOVSS      (SI), X4
	VSUBSS      X8, X4, X4
	VADDSS      X6, X0, X0
	VFMADD231SS X4, X6, X2
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JNZ         dot1

dotdone:
	VMOVSS X0, s1+32(FP)
	VMOVSS X2, s2+36(FP)
	VZEROUPPER
	RET

// func normalizeAVX2(dst, x *float32, n int, mean, scale, beta float32)
// dst = (x - mean)·scale + beta.
TEXT ·normalizeAVX2(SB), NOSPLIT, $0-36
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS mean+24(FP), Y7
	VBROADCASTSS scale+28(FP), Y8
	VBROADCASTSS beta+32(FP), Y9
	CMPQ         CX, $16
	JLT          nrm8

nrm16:
	VMOVUPS     (SI), Y0
	VMOVUPS     32(SI), Y1
	VSUBPS      Y7, Y0, Y0
	VSUBPS      Y7, Y1, Y1
	VFMADD213PS Y9, Y8, Y0
	VFMADD213PS Y9, Y8, Y1
	VMOVUPS     Y0, (DI)
	VMOVUPS     Y1, 32(DI)
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	CMPQ        CX, $16
	JGE         nrm16

nrm8:
	CMPQ        CX, $8
	JLT         nrm1s
	VMOVUPS     (SI), Y0
	VSUBPS      Y7, Y0, Y0
	VFMADD213PS Y9, Y8, Y0
	VMOVUPS     Y0, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX

nrm1s:
	TESTQ CX, CX
	JZ    nrmdone

nrm1:
	VMOVSS      (SI), X0
	VSUBSS      X7, X0, X0
	VFMADD213SS X9, X8, X0
	VMOVSS      X0, (DI)
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JNZ         nrm1

nrmdone:
	VZEROUPPER
	RET

// func bnGradAVX2(dst, dy, x *float32, n int, k, c1, kc2, mean float32)
// dst = k·(dy - c1) - kc2·(x - mean).
TEXT ·bnGradAVX2(SB), NOSPLIT, $0-48
	MOVQ         dst+0(FP), DI
	MOVQ         dy+8(FP), DX
	MOVQ         x+16(FP), SI
	MOVQ         n+24(FP), CX
	VBROADCASTSS k+32(FP), Y8
	VBROADCASTSS c1+36(FP), Y9
	VBROADCASTSS kc2+40(FP), Y10
	VBROADCASTSS mean+44(FP), Y11
	CMPQ         CX, $16
	JLT          bng8

bng16:
	VMOVUPS      (DX), Y0
	VMOVUPS      32(DX), Y1
	VSUBPS       Y9, Y0, Y0
	VSUBPS       Y9, Y1, Y1
	VMULPS       Y8, Y0, Y0
	VMULPS       Y8, Y1, Y1
	VMOVUPS      (SI), Y2
	VMOVUPS      32(SI), Y3
	VSUBPS       Y11, Y2, Y2
	VSUBPS       Y11, Y3, Y3
	VFNMADD231PS Y10, Y2, Y0
	VFNMADD231PS Y10, Y3, Y1
	VMOVUPS      Y0, (DI)
	VMOVUPS      Y1, 32(DI)
	ADDQ         $64, DX
	ADDQ         $64, SI
	ADDQ         $64, DI
	SUBQ         $16, CX
	CMPQ         CX, $16
	JGE          bng16

bng8:
	CMPQ         CX, $8
	JLT          bng1s
	VMOVUPS      (DX), Y0
	VSUBPS       Y9, Y0, Y0
	VMULPS       Y8, Y0, Y0
	VMOVUPS      (SI), Y2
	VSUBPS       Y11, Y2, Y2
	VFNMADD231PS Y10, Y2, Y0
	VMOVUPS      Y0, (DI)
	ADDQ         $32, DX
	ADDQ         $32, SI
	ADDQ         $32, DI
	SUBQ         $8, CX

bng1s:
	TESTQ CX, CX
	JZ    bngdone

bng1:
	VMOVSS       (DX), X0
	VSUBSS       X9, X0, X0
	VMULSS       X8, X0, X0
	VMOVSS       (SI), X2
	VSUBSS       X11, X2, X2
	VFNMADD231SS X10, X2, X0
	VMOVSS       X0, (DI)
	ADDQ         $4, DX
	ADDQ         $4, SI
	ADDQ         $4, DI
	DECQ         CX
	JNZ          bng1

bngdone:
	VZEROUPPER
	RET

// func addAVX2(dst, a, b *float32, n int)
// dst = a + b.
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
	ADDQ    $128, SI
	ADDQ    $128, DX
	ADDQ    $128, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     add32

add8:
	CMPQ    CX, $8
	JLT     add1s
	VMOVUPS (SI), Y0
	VADDPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     add8

add1s:
	TESTQ CX, CX
	JZ    adddone

add1:
	VMOVSS (SI), X0
	VADDSS (DX), X0, X0
	VMOVSS X0, (DI)
	ADDQ   $4, SI
	ADDQ   $4, DX
	ADDQ   $4, DI
	DECQ   CX
	JNZ    add1

adddone:
	VZEROUPPER
	RET
