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

// PERMARGS sets up the avx512ExprPerm* routines (ARGS): R9 = perm,
// Z16 = bits of C (cb), Z17 = 1/h (invh), Z15 = 32 and Z14 = 64. It is
// defined before the first TEXT: vet would check its argument names
// against the function it follows.
#define PERMARGS \
	ARGS; \
	MOVQ         perm+32(FP), R9; \
	VBROADCASTSS cb+40(FP), Z16; \
	VBROADCASTSS invh+44(FP), Z17; \
	MOVL         $32, R10; \
	VPBROADCASTD R10, Z15; \
	MOVL         $64, R10; \
	VPBROADCASTD R10, Z14

// PERMARGSY sets up the avx2ExprPerm* routines (ARGSY): R9 = perm,
// Y14 = bits of c, Y13 = 1/h, Y12 = g at node W of side 0. It is defined
// here for the same reason.
#define PERMARGSY \
	ARGSY; \
	MOVQ         perm+32(FP), R9; \
	VBROADCASTSS cb+40(FP), Y14; \
	VBROADCASTSS invh+44(FP), Y13; \
	VBROADCASTSS exprPermVec_gc(R9), Y12

// EXPRARGS loads the arguments of avx2Expr and avx512Expr after ARGSY
// or ARGS: R8 = tab, the bits of c (cb) to cbv, 1/h (invh) to invhv,
// offP to offpv and offN to offnv, ymm or zmm. It is defined here for the
// same reason.
#define EXPRARGS(cbv, invhv, offpv, offnv) \
	MOVQ         tab+32(FP), R8; \
	VBROADCASTSS cb+40(FP), cbv; \
	VBROADCASTSS invh+44(FP), invhv; \
	VBROADCASTSS offP+48(FP), offpv; \
	VBROADCASTSS offN+52(FP), offnv

// EXPRFY loads x from SI to Y0 and sets Y3 = |x|, Y4 = all ones where
// |x| > c, Y6 = n = int32(u) and Y5 = f = u - n, u = min(|x|, c)/h
// (Y14 = bits of c, Y13 = 1/h); Y7 is clobbered. a and b are CLIPY's
// AND operands, Y0 and the abs mask in either order (a memory operand
// must come first).
#define EXPRFY(a, b) \
	VMOVUPS    (SI)(AX*1), Y0; \
	CLIPY(a, b, Y14, Y3, Y4, Y5); \
	VMULPS     Y13, Y5, Y5; \
	VCVTTPS2DQ Y5, Y6; \
	VCVTDQ2PS  Y6, Y7; \
	VSUBPS     Y7, Y5, Y5

// expr: Y11 = offP, Y12 = offN, Y13 = 1/h, Y14 = bits of c, Y15 = abs
// mask, R8 = &tab[0].
#define EXPRY \
	EXPRFY(Y0, Y15); \
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
	EXPRARGS(Y14, Y13, Y11, Y12)
	VMOVUPS ABSMASK, Y15
	LOOP1YRET(EXPRY)

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

// EXPRUZ sets Z3 = |x|, K1 = the lanes where |x| <= c (Z16 = bits of c),
// u = min(|x|, c)/h (Z17 = 1/h), Z5 = n = int32(u), Z4 = f = u - n.
#define EXPRUZ \
	CLIPZ(Z16, Z3, Z4); \
	VMULPS      Z17, Z4, Z4; \
	VCVTTPS2DQ  Z4, Z5; \
	VCVTDQ2PS   Z5, Z6; \
	VSUBPS      Z6, Z4, Z4

// expr: Z16 = bits of c, Z17 = 1/h, Z18 = offP, Z19 = offN, R8 = &tab[0].
#define EXPRZ \
	EXPRUZ; \
	NEGZ; \
	VMOVDQA32   Z18, Z7; \
	VMOVDQA32   Z19, K3, Z7; \
	VPADDD      Z7, Z5, Z5; \
	VPADDD      Z5, Z5, Z5; \
	INTERPZ(Z5, Z4, Z8, Z9)

// func avx512Expr(dx, x, dy *float32, n int, tab *float32, cb uint32, invh float32, offP, offN int32)
TEXT ·avx512Expr(SB), NOSPLIT, $0-56
	ARGS
	EXPRARGS(Z16, Z17, Z18, Z19)
	LOOPRET(EXPRZ)

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
	LOOPRET(EXPRSEGZ)

// The AVX-512 kernels for tables whose nodes fit in registers
// (exprPermVec: one segment a side, c/h <= 32, or <= 64 for the wide
// ones): the computation of avx512Expr with the pairs looked up by
// permutes of 32 pairs (two registers) at a time instead of gathers, each
// lane's 32 (its side, and in the wide ones its half of the nodes) picked
// by masks, and the node one past the registers (32 or 64, reached only
// at |x| clamped to c where c/h is that node, f = 0) given its g:
//
//	v, d := perm.v[side][n%W], perm.d[side][n%W]   // W = 32, or 64 if wide
//	g := v + f*d
//	if n == W { g = perm.gc[side] }
//
// The Sym routines are for tables whose sides hold the same bits (an even
// g) and read side 0's pairs for both.

// PERM sets out = the pairs of the 32-pair windows (lo, hi) of the index
// n (Z5, its low 5 bits) in the lanes of mask, keeping the other lanes:
// a merge-masked VPERMI2PS, which leaves a lane's index where its mask
// bit is clear, so that the next window can still read it.
#define PERM(lo, hi, mask, out) \
	VPERMI2PS hi, lo, mask, out

// PERM2 sets v (Z8) and d (Z9) from two windows each, Z18-Z19 then
// Z20-Z21 for v and Z22-Z23 then Z24-Z25 for d: the first in the lanes of
// ka, the second in those of kb.
#define PERM2(ka, kb) \
	VMOVDQA32 Z5, Z8; \
	PERM(Z18, Z19, ka, Z8); \
	PERM(Z20, Z21, kb, Z8); \
	VMOVDQA32 Z5, Z9; \
	PERM(Z22, Z23, ka, Z9); \
	PERM(Z24, Z25, kb, Z9)

// PERMNODE sets g (Z8) to gc where n (Z5) is the node one past the
// registers, W (bit: a register of W, 32 or 64: n <= W, so n has that bit
// only there).
#define PERMNODE(bit, gc) \
	VPTESTMD bit, Z5, K4; \
	VMOVAPS  gc, K4, Z8

// PERMOUTZ sets g (Z8) from the pairs in Z8 (v) and Z9 (d) and f (Z4),
// and Z2 = dy·g, 0 outside the clip (K1), after fix (PERMNODE).
#define PERMOUTZ(fix) \
	VFMADD231PS Z9, Z4, Z8; \
	fix; \
	VMOVAPS.Z   Z8, K1, Z8; \
	VMULPS      Z1, Z8, Z2

// exprpermsym: Z16 = bits of c, Z17 = 1/h, Z15 = 32, Z18-Z19 = v,
// Z22-Z23 = d, Z26 = g at node 32.
#define EXPRPERMSYMZ \
	EXPRUZ; \
	LOOKUP32(VPERMI2PS, Z5, Z18, Z19, Z8); \
	LOOKUP32(VPERMI2PS, Z5, Z22, Z23, Z9); \
	PERMOUTZ(PERMNODE(Z15, Z26))

// exprperm: as exprpermsym, with x >= 0 in Z18-Z19 (v), Z22-Z23 (d), Z26
// (g at node 32), x < 0 in Z20-Z21, Z24-Z25, Z27.
#define EXPRPERMZ \
	EXPRUZ; \
	NEGZ; \
	KNOTW     K3, K5; \
	PERM2(K5, K3); \
	VMOVAPS   Z26, Z7; \
	VMOVAPS   Z27, K3, Z7; \
	PERMOUTZ(PERMNODE(Z15, Z7))

// exprperm64sym: Z16 = bits of c, Z17 = 1/h, Z15 = 32, Z14 = 64,
// Z18-Z21 = v, Z22-Z25 = d (nodes 0-31, 32-63), Z26 = g at node 64.
#define EXPRPERM64SYMZ \
	EXPRUZ; \
	VPTESTMD  Z15, Z5, K5; \
	KNOTW     K5, K6; \
	PERM2(K6, K5); \
	PERMOUTZ(PERMNODE(Z14, Z26))

// exprperm64: as exprperm64sym, with x >= 0 in Z18-Z21 (v), Z10-Z13 (d),
// x < 0 in Z22-Z25 (v), Z26, Z27, Z29, Z30 (d: COMMON's 1 and 2 are not
// needed here), and g at node 64 at R9 (exprPermVec_gc, x >= 0 then
// x < 0). K6, K7, K4, K3 are the lanes of the four windows (x >= 0 and
// n < 32, x >= 0 and n >= 32, x < 0 and n < 32, x < 0 and n >= 32).
#define EXPRPERM64Z \
	EXPRUZ; \
	NEGZ; \
	VBROADCASTSS exprPermVec_gc(R9), Z7; \
	VBROADCASTSS exprPermVec_gc+4(R9), K3, Z7; \
	VPTESTMD     Z15, Z5, K5; \
	KORW         K3, K5, K6; \
	KNOTW        K6, K6; \
	KANDNW       K5, K3, K7; \
	KANDNW       K3, K5, K4; \
	KANDW        K5, K3, K3; \
	VMOVDQA32    Z5, Z8; \
	PERM(Z18, Z19, K6, Z8); \
	PERM(Z20, Z21, K7, Z8); \
	PERM(Z22, Z23, K4, Z8); \
	PERM(Z24, Z25, K3, Z8); \
	VMOVDQA32    Z5, Z9; \
	PERM(Z10, Z11, K6, Z9); \
	PERM(Z12, Z13, K7, Z9); \
	PERM(Z26, Z27, K4, Z9); \
	PERM(Z29, Z30, K3, Z9); \
	PERMOUTZ(PERMNODE(Z14, Z7))

// WINDOW loads the 32 entries of the table field (exprPermVec_v or
// exprPermVec_d) from byte off of the exprPermVec at R9 into lo (the
// first 16) and hi.
#define WINDOW(field, off, lo, hi) \
	VMOVUPS field+off(R9), lo; \
	VMOVUPS field+off+64(R9), hi

// WINDOW64 loads the 64 entries from byte off of the field into w0-w3,
// two windows of 32.
#define WINDOW64(field, off, w0, w1, w2, w3) \
	WINDOW(field, off, w0, w1); \
	WINDOW(field, off+128, w2, w3)

// func avx512ExprPermSym(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)
TEXT ·avx512ExprPermSym(SB), NOSPLIT, $0-48
	PERMARGS
	WINDOW(exprPermVec_v, 0, Z18, Z19)
	WINDOW(exprPermVec_d, 0, Z22, Z23)
	VBROADCASTSS exprPermVec_gc(R9), Z26
	LOOPRET(EXPRPERMSYMZ)

// func avx512ExprPerm(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)
TEXT ·avx512ExprPerm(SB), NOSPLIT, $0-48
	PERMARGS
	WINDOW(exprPermVec_v, 0, Z18, Z19)
	WINDOW(exprPermVec_v, 256, Z20, Z21)
	WINDOW(exprPermVec_d, 0, Z22, Z23)
	WINDOW(exprPermVec_d, 256, Z24, Z25)
	VBROADCASTSS exprPermVec_gc(R9), Z26
	VBROADCASTSS exprPermVec_gc+4(R9), Z27
	LOOPRET(EXPRPERMZ)

// func avx512ExprPerm64Sym(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)
TEXT ·avx512ExprPerm64Sym(SB), NOSPLIT, $0-48
	PERMARGS
	WINDOW64(exprPermVec_v, 0, Z18, Z19, Z20, Z21)
	WINDOW64(exprPermVec_d, 0, Z22, Z23, Z24, Z25)
	VBROADCASTSS exprPermVec_gc(R9), Z26
	LOOPRET(EXPRPERM64SYMZ)

// func avx512ExprPerm64(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)
TEXT ·avx512ExprPerm64(SB), NOSPLIT, $0-48
	PERMARGS
	WINDOW64(exprPermVec_v, 0, Z18, Z19, Z20, Z21)
	WINDOW64(exprPermVec_v, 256, Z22, Z23, Z24, Z25)
	WINDOW64(exprPermVec_d, 0, Z10, Z11, Z12, Z13)
	WINDOW64(exprPermVec_d, 256, Z26, Z27, Z29, Z30)
	LOOPRET(EXPRPERM64Z)

// The AVX2 kernels for the same tables (exprPermVec): the computation of
// avx2Expr with the pairs looked up by VPERMPS, 8 entries (one YMM
// window) at a time, read from the exprPermVec at R9 as memory operands,
// instead of gathers. Each array's 32 entries of a side (64 in the wide
// ones) are 4 (8) windows: a VPERMPS per window picks the entries of n's
// low 3 bits, and blends on n's bits 3 and 4 (and 5) pick each lane's
// window, then its side's (in the forms that are not Sym); n = 32 (64),
// one past the windows, gets gc as in the AVX-512 kernels:
//
//	v, d := perm.v[side][n%W], perm.d[side][n%W]   // W = 32, or 64 if wide
//	g := v + f*d
//	if n == W { g = perm.gc[side] }
//
// avx2ExprPermSym leaves the last step out: it is for the symmetric
// narrow tables whose g at node 32 is +0 (ApproxSign's), and is given the
// bits of the float32 below c as cb (exprPermRoutineY), so that |x| = c,
// where n is 32, is outside, where g is +0 too. avx2ExprPermSymGC is the
// other symmetric narrow tables', avx2ExprPerm the asymmetric narrow
// ones', avx2ExprPerm64Sym the symmetric wide ones'.
//
// Register use: Y0 = x (then scratch), Y3 = |x|, Y4 = all ones where
// |x| > c, Y5 = u, then f, Y6 = n, Y7 and Y8 = n's bits 3 and 4 in the
// sign bit (and Y1 bit 5 in the wide form), Y2 = the sign bit set where
// x < 0, not -0 (in avx2ExprPerm), Y9 = v, Y10 = d, then g, Y11, Y0 and
// Y1 or Y2 the lookups' scratch; Y14 = bits of c (cb), Y13 = 1/h,
// Y12 = gc of side 0 and Y15 of side 1 (in avx2ExprPerm).

// EXPRUY is EXPRFY, the abs mask from memory, and sets the window bits
// of n: bit 3 in Y7's sign bit, bit 4 in Y8's.
#define EXPRUY \
	EXPRFY(ABSMASK, Y0); \
	VPSLLD     $28, Y6, Y7; \
	VPSLLD     $27, Y6, Y8

// LOOK2Y sets out to the entries at the indexes n (Y6) of the 16 at
// off(R9): the window at off, or at off+32 in the lanes where bit 3 of n
// is set (Y7); t is clobbered.
#define LOOK2Y(off, t, out) \
	VPERMPS   off(R9), Y6, out; \
	VPERMPS   off+32(R9), Y6, t; \
	VBLENDVPS Y7, t, out, out

// LOOK4Y sets out to the entries at the indexes n (Y6) of the 32 at
// off(R9), by bits 3 (Y7) and 4 (Y8) of n; t1 and t2 are clobbered.
#define LOOK4Y(off, t1, t2, out) \
	LOOK2Y(off, t1, out); \
	LOOK2Y(off+64, t2, t1); \
	VBLENDVPS Y8, t1, out, out

// LOOK8Y sets out to the entries at the indexes n (Y6) of the 64 at
// off(R9), by bits 3 (Y7), 4 (Y8) and 5 (Y1) of n; t1-t3 are clobbered.
#define LOOK8Y(off, t1, t2, t3, out) \
	LOOK4Y(off, t1, t2, out); \
	LOOK4Y(off+128, t2, t3, t1); \
	VBLENDVPS Y1, t1, out, out

// PERMOUTY sets g = v + f·d (d in Y10, v in Y9, f in Y5), then fix
// (GCY or NOTHING), and stores dy·g, 0 where |x| > c (Y4), at DI.
#define PERMOUTY(fix) \
	VFMADD213PS Y9, Y5, Y10; \
	fix; \
	VPANDN      Y10, Y4, Y10; \
	VMULPS      (DX)(AX*1), Y10, Y10; \
	VMOVUPS     Y10, (DI)(AX*1)

// GCY gives g (Y10) the value gc where n (Y6) has the bit of W (shift:
// 31 less that bit: n <= W, so n has that bit only there); Y7 is
// clobbered.
#define GCY(shift, gc) \
	VPSLLD    shift, Y6, Y7; \
	VBLENDVPS Y7, gc, Y10, Y10

// NEGY sets Y2's sign bit where x (Y0) < 0 and |x| (Y3) is not 0, so that
// -0 takes the positive side: |x| with x's sign (VPSIGND: negated where x
// is negative as an integer, 0 where |x| is 0).
#define NEGY VPSIGND Y0, Y3, Y2

// exprpermsymy: the windows of side 0 for both sides, then fix (the
// node one past them, or NOTHING).
#define EXPRPERMSYMY(fix) \
	EXPRUY; \
	LOOK4Y(exprPermVec_v, Y10, Y11, Y9); \
	LOOK4Y(exprPermVec_d, Y11, Y0, Y10); \
	PERMOUTY(fix)

// exprpermy: each side's windows, x < 0's picked by Y2.
#define EXPRPERMY \
	EXPRUY; \
	NEGY; \
	LOOK4Y(exprPermVec_v, Y10, Y11, Y9); \
	LOOK4Y(exprPermVec_v+256, Y11, Y0, Y10); \
	VBLENDVPS Y2, Y10, Y9, Y9; \
	LOOK4Y(exprPermVec_d, Y11, Y0, Y10); \
	LOOK4Y(exprPermVec_d+256, Y0, Y1, Y11); \
	VBLENDVPS Y2, Y11, Y10, Y10; \
	VBLENDVPS Y2, Y15, Y12, Y11; \
	PERMOUTY(GCY($26, Y11))

// exprperm64symy: as exprpermsymy over 64 entries (bit 5 of n in Y1).
#define EXPRPERM64SYMY \
	EXPRUY; \
	VPSLLD $26, Y6, Y1; \
	LOOK8Y(exprPermVec_v, Y10, Y11, Y0, Y9); \
	LOOK8Y(exprPermVec_d, Y11, Y0, Y2, Y10); \
	PERMOUTY(GCY($25, Y12))

// func avx2ExprPermSym(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)
TEXT ·avx2ExprPermSym(SB), NOSPLIT, $0-48
	PERMARGSY
	LOOP1YRET(EXPRPERMSYMY(NOTHING))

// func avx2ExprPermSymGC(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)
TEXT ·avx2ExprPermSymGC(SB), NOSPLIT, $0-48
	PERMARGSY
	LOOP1YRET(EXPRPERMSYMY(GCY($26, Y12)))

// func avx2ExprPerm(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)
TEXT ·avx2ExprPerm(SB), NOSPLIT, $0-48
	PERMARGSY
	VBROADCASTSS exprPermVec_gc+4(R9), Y15
	LOOP1YRET(EXPRPERMY)

// func avx2ExprPerm64Sym(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)
TEXT ·avx2ExprPerm64Sym(SB), NOSPLIT, $0-48
	PERMARGSY
	LOOP1YRET(EXPRPERM64SYMY)
