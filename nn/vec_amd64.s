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

// Constants of the η = sin shortcut (noise.go: reducePi, sin32, cos32),
// each repeated in 8 lanes so that instructions can take them from memory.
DATA ·naInvPi+0(SB)/4, $0x3ea2f983
DATA ·naInvPi+4(SB)/4, $0x3ea2f983
DATA ·naInvPi+8(SB)/4, $0x3ea2f983
DATA ·naInvPi+12(SB)/4, $0x3ea2f983
DATA ·naInvPi+16(SB)/4, $0x3ea2f983
DATA ·naInvPi+20(SB)/4, $0x3ea2f983
DATA ·naInvPi+24(SB)/4, $0x3ea2f983
DATA ·naInvPi+28(SB)/4, $0x3ea2f983
GLOBL ·naInvPi(SB), RODATA|NOPTR, $32

DATA ·naMagic+0(SB)/4, $0x4b400000
DATA ·naMagic+4(SB)/4, $0x4b400000
DATA ·naMagic+8(SB)/4, $0x4b400000
DATA ·naMagic+12(SB)/4, $0x4b400000
DATA ·naMagic+16(SB)/4, $0x4b400000
DATA ·naMagic+20(SB)/4, $0x4b400000
DATA ·naMagic+24(SB)/4, $0x4b400000
DATA ·naMagic+28(SB)/4, $0x4b400000
GLOBL ·naMagic(SB), RODATA|NOPTR, $32

DATA ·naPi1+0(SB)/4, $0x40490000
DATA ·naPi1+4(SB)/4, $0x40490000
DATA ·naPi1+8(SB)/4, $0x40490000
DATA ·naPi1+12(SB)/4, $0x40490000
DATA ·naPi1+16(SB)/4, $0x40490000
DATA ·naPi1+20(SB)/4, $0x40490000
DATA ·naPi1+24(SB)/4, $0x40490000
DATA ·naPi1+28(SB)/4, $0x40490000
GLOBL ·naPi1(SB), RODATA|NOPTR, $32

DATA ·naPi2+0(SB)/4, $0x3a7daa22
DATA ·naPi2+4(SB)/4, $0x3a7daa22
DATA ·naPi2+8(SB)/4, $0x3a7daa22
DATA ·naPi2+12(SB)/4, $0x3a7daa22
DATA ·naPi2+16(SB)/4, $0x3a7daa22
DATA ·naPi2+20(SB)/4, $0x3a7daa22
DATA ·naPi2+24(SB)/4, $0x3a7daa22
DATA ·naPi2+28(SB)/4, $0x3a7daa22
GLOBL ·naPi2(SB), RODATA|NOPTR, $32

DATA ·naOne+0(SB)/4, $0x3f800000
DATA ·naOne+4(SB)/4, $0x3f800000
DATA ·naOne+8(SB)/4, $0x3f800000
DATA ·naOne+12(SB)/4, $0x3f800000
DATA ·naOne+16(SB)/4, $0x3f800000
DATA ·naOne+20(SB)/4, $0x3f800000
DATA ·naOne+24(SB)/4, $0x3f800000
DATA ·naOne+28(SB)/4, $0x3f800000
GLOBL ·naOne(SB), RODATA|NOPTR, $32

DATA ·naS3+0(SB)/4, $0xbe2aaaab
DATA ·naS3+4(SB)/4, $0xbe2aaaab
DATA ·naS3+8(SB)/4, $0xbe2aaaab
DATA ·naS3+12(SB)/4, $0xbe2aaaab
DATA ·naS3+16(SB)/4, $0xbe2aaaab
DATA ·naS3+20(SB)/4, $0xbe2aaaab
DATA ·naS3+24(SB)/4, $0xbe2aaaab
DATA ·naS3+28(SB)/4, $0xbe2aaaab
GLOBL ·naS3(SB), RODATA|NOPTR, $32

DATA ·naS5+0(SB)/4, $0x3c088889
DATA ·naS5+4(SB)/4, $0x3c088889
DATA ·naS5+8(SB)/4, $0x3c088889
DATA ·naS5+12(SB)/4, $0x3c088889
DATA ·naS5+16(SB)/4, $0x3c088889
DATA ·naS5+20(SB)/4, $0x3c088889
DATA ·naS5+24(SB)/4, $0x3c088889
DATA ·naS5+28(SB)/4, $0x3c088889
GLOBL ·naS5(SB), RODATA|NOPTR, $32

DATA ·naS7+0(SB)/4, $0xb9500d01
DATA ·naS7+4(SB)/4, $0xb9500d01
DATA ·naS7+8(SB)/4, $0xb9500d01
DATA ·naS7+12(SB)/4, $0xb9500d01
DATA ·naS7+16(SB)/4, $0xb9500d01
DATA ·naS7+20(SB)/4, $0xb9500d01
DATA ·naS7+24(SB)/4, $0xb9500d01
DATA ·naS7+28(SB)/4, $0xb9500d01
GLOBL ·naS7(SB), RODATA|NOPTR, $32

DATA ·naS9+0(SB)/4, $0x3638ef1d
DATA ·naS9+4(SB)/4, $0x3638ef1d
DATA ·naS9+8(SB)/4, $0x3638ef1d
DATA ·naS9+12(SB)/4, $0x3638ef1d
DATA ·naS9+16(SB)/4, $0x3638ef1d
DATA ·naS9+20(SB)/4, $0x3638ef1d
DATA ·naS9+24(SB)/4, $0x3638ef1d
DATA ·naS9+28(SB)/4, $0x3638ef1d
GLOBL ·naS9(SB), RODATA|NOPTR, $32

DATA ·naC2+0(SB)/4, $0xbf000000
DATA ·naC2+4(SB)/4, $0xbf000000
DATA ·naC2+8(SB)/4, $0xbf000000
DATA ·naC2+12(SB)/4, $0xbf000000
DATA ·naC2+16(SB)/4, $0xbf000000
DATA ·naC2+20(SB)/4, $0xbf000000
DATA ·naC2+24(SB)/4, $0xbf000000
DATA ·naC2+28(SB)/4, $0xbf000000
GLOBL ·naC2(SB), RODATA|NOPTR, $32

DATA ·naC4+0(SB)/4, $0x3d2aaaab
DATA ·naC4+4(SB)/4, $0x3d2aaaab
DATA ·naC4+8(SB)/4, $0x3d2aaaab
DATA ·naC4+12(SB)/4, $0x3d2aaaab
DATA ·naC4+16(SB)/4, $0x3d2aaaab
DATA ·naC4+20(SB)/4, $0x3d2aaaab
DATA ·naC4+24(SB)/4, $0x3d2aaaab
DATA ·naC4+28(SB)/4, $0x3d2aaaab
GLOBL ·naC4(SB), RODATA|NOPTR, $32

DATA ·naC6+0(SB)/4, $0xbab60b61
DATA ·naC6+4(SB)/4, $0xbab60b61
DATA ·naC6+8(SB)/4, $0xbab60b61
DATA ·naC6+12(SB)/4, $0xbab60b61
DATA ·naC6+16(SB)/4, $0xbab60b61
DATA ·naC6+20(SB)/4, $0xbab60b61
DATA ·naC6+24(SB)/4, $0xbab60b61
DATA ·naC6+28(SB)/4, $0xbab60b61
GLOBL ·naC6(SB), RODATA|NOPTR, $32

DATA ·naC8+0(SB)/4, $0x37d00d01
DATA ·naC8+4(SB)/4, $0x37d00d01
DATA ·naC8+8(SB)/4, $0x37d00d01
DATA ·naC8+12(SB)/4, $0x37d00d01
DATA ·naC8+16(SB)/4, $0x37d00d01
DATA ·naC8+20(SB)/4, $0x37d00d01
DATA ·naC8+24(SB)/4, $0x37d00d01
DATA ·naC8+28(SB)/4, $0x37d00d01
GLOBL ·naC8(SB), RODATA|NOPTR, $32

DATA ·naC10+0(SB)/4, $0xb493f27e
DATA ·naC10+4(SB)/4, $0xb493f27e
DATA ·naC10+8(SB)/4, $0xb493f27e
DATA ·naC10+12(SB)/4, $0xb493f27e
DATA ·naC10+16(SB)/4, $0xb493f27e
DATA ·naC10+20(SB)/4, $0xb493f27e
DATA ·naC10+24(SB)/4, $0xb493f27e
DATA ·naC10+28(SB)/4, $0xb493f27e
GLOBL ·naC10(SB), RODATA|NOPTR, $32

// REDUCE sets Y1 = r = x - kπ (|r| <= π/2, k = round(x/π)), Y2 = r², and
// Y3 = the sign mask of (-1)^k, for x in Y0 (clobbers nothing else).
#define REDUCE \
	VMOVUPS      ·naMagic(SB), Y3; \
	VFMADD231PS  ·naInvPi(SB), Y0, Y3; \
	VSUBPS       ·naMagic(SB), Y3, Y1; \
	VMOVUPS      Y0, Y2; \
	VFNMADD231PS ·naPi1(SB), Y1, Y2; \
	VFNMADD231PS ·naPi2(SB), Y1, Y2; \
	VMOVUPS      Y2, Y1; \
	VMULPS       Y1, Y1, Y2; \
	VPSLLD       $31, Y3, Y3

// func addSinAVX2(dst, t *float32, n int, k float32)
// dst[i] += k·sin32(t[i]) for i < n, n a multiple of 8.
TEXT ·addSinAVX2(SB), NOSPLIT, $0-28
	MOVQ         dst+0(FP), DI
	MOVQ         t+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS k+24(FP), Y15
	SHRQ         $3, CX
	JZ           sindone

sin8:
	VMOVUPS     (SI), Y0
	REDUCE
	VMOVUPS     ·naS9(SB), Y4
	VFMADD213PS ·naS7(SB), Y2, Y4
	VFMADD213PS ·naS5(SB), Y2, Y4
	VFMADD213PS ·naS3(SB), Y2, Y4
	VFMADD213PS ·naOne(SB), Y2, Y4
	VMULPS      Y1, Y4, Y4
	VXORPS      Y3, Y4, Y4
	VMOVUPS     (DI), Y5
	VFMADD231PS Y15, Y4, Y5
	VMOVUPS     Y5, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	DECQ        CX
	JNZ         sin8

sindone:
	VZEROUPPER
	RET

// func addCosMulAVX2(dt, t, dy *float32, n int, k float32)
// dt[i] += k·dy[i]·cos32(t[i]) for i < n, n a multiple of 8.
TEXT ·addCosMulAVX2(SB), NOSPLIT, $0-36
	MOVQ         dt+0(FP), DI
	MOVQ         t+8(FP), SI
	MOVQ         dy+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS k+32(FP), Y15
	SHRQ         $3, CX
	JZ           cosdone

cos8:
	VMOVUPS     (SI), Y0
	REDUCE
	VMOVUPS     ·naC10(SB), Y4
	VFMADD213PS ·naC8(SB), Y2, Y4
	VFMADD213PS ·naC6(SB), Y2, Y4
	VFMADD213PS ·naC4(SB), Y2, Y4
	VFMADD213PS ·naC2(SB), Y2, Y4
	VFMADD213PS ·naOne(SB), Y2, Y4
	VXORPS      Y3, Y4, Y4
	VMULPS      (DX), Y15, Y5
	VMOVUPS     (DI), Y6
	VFMADD231PS Y5, Y4, Y6
	VMOVUPS     Y6, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, DI
	DECQ        CX
	JNZ         cos8

cosdone:
	VZEROUPPER
	RET

// func axpyAVX2(y, x *float32, n int, a float32)
// y[i] += a·x[i] for i < n, n a multiple of 8.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-28
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS a+24(FP), Y15
	SHRQ         $3, CX
	JZ           axpydone

axpy8:
	VMOVUPS     (DI), Y0
	VFMADD231PS (SI), Y15, Y0
	VMOVUPS     Y0, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	DECQ        CX
	JNZ         axpy8

axpydone:
	VZEROUPPER
	RET

// func dotAVX2(x, y *float32, n int) float32
// Σ x[i]·y[i] for i < n, n a multiple of 8, in 8 lanes.
TEXT ·dotAVX2(SB), NOSPLIT, $0-28
	MOVQ   x+0(FP), SI
	MOVQ   y+8(FP), DI
	MOVQ   n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	SHRQ   $3, CX
	JZ     dotsum8

dot8l:
	VMOVUPS     (SI), Y2
	VFMADD231PS (DI), Y2, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	DECQ        CX
	JNZ         dot8l

dotsum8:
	HSUM2(Y0, Y1, X0, X1)
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET
