//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "asm_amd64.h"

// The expr: backward kernels (expr_amd64.go) for tables of one segment a
// side, the vector forms of (*exprKernel).backwardGo's loop:
//
//	a := b &^ signBit
//	m := leMask(a, cb)
//	neg := int32(b&-a) >> 31 // all ones if x < 0
//	off := offP ^ (offP^offN)&neg
//	u := math.Float32frombits(minBits(a, cb)) * invh
//	n := int32(u)
//	f := u - float32(n)
//	j := 2 * uint(n+off)
//	g := tab[j] + f*tab[j+1]
//	dx[i] = dy[i] * math.Float32frombits(math.Float32bits(g)&m)
//
// with the table's pairs read by two gathers and a fused multiply-add.
// (The AVX2 one compares the bits of |x| and c as signed integers, which
// order like the values for every |x|, below 2^31: NaN sorts above +Inf,
// so it is outside, and the clamp to c keeps its index in the table.)

// expr: Y11 = offP, Y12 = offN, Y13 = 1/h, Y14 = bits of c, Y15 = abs
// mask, R8 = &tab[0].
#define EXPRY \
	VMOVUPS     (SI)(AX*1), Y0; \
	CLIPY(Y0, Y15, Y14, Y3, Y4, Y5); \
	VMULPS      Y13, Y5, Y5; \
	VCVTTPS2DQ  Y5, Y6; \
	VCVTDQ2PS   Y6, Y7; \
	VSUBPS      Y7, Y5, Y5; \
	VPSRAD      $31, Y0, Y7; \
	VPXOR       Y8, Y8, Y8; \
	VPCMPEQD    Y8, Y3, Y8; \
	VPANDN      Y7, Y8, Y7; \
	VBLENDVPS   Y7, Y12, Y11, Y8; \
	VPADDD      Y8, Y6, Y6; \
	VPADDD      Y6, Y6, Y6; \
	VPCMPEQD    Y9, Y9, Y9; \
	VGATHERDPS  Y9, (R8)(Y6*4), Y10; \
	VPCMPEQD    Y9, Y9, Y9; \
	VGATHERDPS  Y9, 4(R8)(Y6*4), Y7; \
	VFMADD213PS Y10, Y5, Y7; \
	VPANDN      Y7, Y4, Y7; \
	VMULPS      (DX)(AX*1), Y7, Y7; \
	VMOVUPS     Y7, (DI)(AX*1)

// func avx2Expr(dx, x, dy *float32, n int, tab *float32, cb uint32, invh float32, offP, offN int32)
TEXT ·avx2Expr(SB), NOSPLIT, $0-56
	ARGSY
	MOVQ         tab+32(FP), R8
	VBROADCASTSS cb+40(FP), Y14
	VBROADCASTSS invh+44(FP), Y13
	VBROADCASTSS offP+48(FP), Y11
	VBROADCASTSS offN+52(FP), Y12
	VMOVUPS      ABSMASK, Y15
	LOOP1Y(EXPRY)
	VZEROUPPER
	RET

// NEGZ sets K3 to the lanes of x (Z0) below 0: the sign bit set and |x|
// (Z3) not 0, so that -0 takes the positive side, as in the formula.
#define NEGZ \
	VPTESTMD Z28, Z0, K3; \
	VPTESTMD Z3, Z3, K4; \
	KANDW    K3, K4, K3

// INTERPZ sets Z2 = dy·(v + f·d) from the pairs (v, d) at the float
// indexes j2 (= 2j) of the table at R8, 0 outside the clip (K1); v and d
// are clobbered.
#define INTERPZ(j2, f, v, d) \
	KXNORW      K5, K5, K5; \
	VGATHERDPS  (R8)(j2*4), K5, v; \
	KXNORW      K6, K6, K6; \
	VGATHERDPS  4(R8)(j2*4), K6, d; \
	VFMADD231PS d, f, v; \
	VMOVAPS.Z   v, K1, v; \
	VMULPS      Z1, v, Z2

// expr: Z16 = bits of c, Z17 = 1/h, Z18 = offP, Z19 = offN, R8 = &tab[0].
#define EXPRZ \
	CLIPZ(Z16, Z3, Z4); \
	VMULPS      Z17, Z4, Z4; \
	VCVTTPS2DQ  Z4, Z5; \
	VCVTDQ2PS   Z5, Z6; \
	VSUBPS      Z6, Z4, Z4; \
	NEGZ; \
	VMOVDQA32   Z18, Z7; \
	VMOVDQA32   Z19, K3, Z7; \
	VPADDD      Z7, Z5, Z5; \
	VPADDD      Z5, Z5, Z5; \
	INTERPZ(Z5, Z4, Z8, Z9)

// func avx512Expr(dx, x, dy *float32, n int, tab *float32, cb uint32, invh float32, offP, offN int32)
TEXT ·avx512Expr(SB), NOSPLIT, $0-56
	ARGS
	MOVQ         tab+32(FP), R8
	VBROADCASTSS cb+40(FP), Z16
	VBROADCASTSS invh+44(FP), Z17
	VBROADCASTSS offP+48(FP), Z18
	VBROADCASTSS offN+52(FP), Z19
	LOOP(EXPRZ)
	VZEROUPPER
	RET

// The AVX-512 kernel for tables of several segments a side: the segment
// of each lane by a binary search of the splits (a permute of the 32-entry
// table exprSegVec.lo per step), its offset and first pair by permutes,
// then as above with j = max(n + off, jmin):
//
//	s := segIndex(segs, a)   // segs of x's side
//	j := max(int32(u)+s.off, s.jmin)
//	f := u - float32(j-s.off)

// LOOKUP32 sets out to the entries at the indexes idx (0-31, per lane) of
// the 32-entry table lo (0-15), hi (16-31); perm is VPERMI2D or
// VPERMI2PS.
#define LOOKUP32(perm, idx, lo, hi, out) \
	VMOVDQA32 idx, out; \
	perm      hi, lo, out

// SEGSTEP moves the segment index Z5 up by step where the split there is
// <= |x| (Z4): Z22, Z23 = the splits.
#define SEGSTEP(step) \
	VPADDD    step, Z5, Z6; \
	LOOKUP32(VPERMI2PS, Z6, Z22, Z23, Z7); \
	VCMPPS    $2, Z4, Z7, K4; \
	VMOVDQA32 Z6, K4, Z5

// exprseg: Z16 = bits of c, Z17 = 1/h, Z18 = 16, Z19, Z20, Z21, Z15 = 8,
// 4, 2, 1, Z10-Z11 = offsets, Z12-Z13 = first pairs, R8 = &tab[0].
#define EXPRSEGZ \
	CLIPZ(Z16, Z3, Z4); \
	NEGZ; \
	VPXORD      Z5, Z5, Z5; \
	VMOVDQA32   Z18, K3, Z5; \
	SEGSTEP(Z19); \
	SEGSTEP(Z20); \
	SEGSTEP(Z21); \
	SEGSTEP(Z15); \
	LOOKUP32(VPERMI2D, Z5, Z10, Z11, Z6); \
	LOOKUP32(VPERMI2D, Z5, Z12, Z13, Z7); \
	VMULPS      Z17, Z4, Z4; \
	VCVTTPS2DQ  Z4, Z8; \
	VPADDD      Z6, Z8, Z8; \
	VPMAXSD     Z7, Z8, Z8; \
	VPSUBD      Z6, Z8, Z9; \
	VCVTDQ2PS   Z9, Z9; \
	VSUBPS      Z9, Z4, Z4; \
	VPADDD      Z8, Z8, Z8; \
	INTERPZ(Z8, Z4, Z9, Z6)

// func avx512ExprSeg(dx, x, dy *float32, n int, tab *float32, segs *exprSegVec, cb uint32, invh float32)
TEXT ·avx512ExprSeg(SB), NOSPLIT, $0-56
	ARGS
	MOVQ         tab+32(FP), R8
	MOVQ         segs+40(FP), R9
	VBROADCASTSS cb+48(FP), Z16
	VBROADCASTSS invh+52(FP), Z17
	VMOVUPS      exprSegVec_lo(R9), Z22
	VMOVUPS      exprSegVec_lo+64(R9), Z23
	VMOVUPS      exprSegVec_off(R9), Z10
	VMOVUPS      exprSegVec_off+64(R9), Z11
	VMOVUPS      exprSegVec_jmin(R9), Z12
	VMOVUPS      exprSegVec_jmin+64(R9), Z13
	MOVL         $16, R10
	VPBROADCASTD R10, Z18
	MOVL         $8, R10
	VPBROADCASTD R10, Z19
	MOVL         $4, R10
	VPBROADCASTD R10, Z20
	MOVL         $2, R10
	VPBROADCASTD R10, Z21
	MOVL         $1, R10
	VPBROADCASTD R10, Z15
	LOOP(EXPRSEGZ)
	VZEROUPPER
	RET
