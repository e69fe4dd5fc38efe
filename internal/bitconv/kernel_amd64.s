//go:build !purego

#include "textflag.h"

// XOR-popcount kernels on 512-bit vectors (AVX-512F with
// AVX512_VPOPCNTDQ), the contract of kernelGo: the 8 lanes of a block are
// one vector, each weight word is XORed into it straight from memory as
// an embedded broadcast (VPXORQ.BCST), and VPOPCNTQ and VPADDQ accumulate
// the sign mismatches of 8 output pixels per register. Per weight word
// and block: one XOR, one VPOPCNTQ, one VPADDQ, the least the instruction
// set allows (Zen 4 runs two 512-bit operations per cycle).

// TAPS2 sets Z0, Z1 (block 0) and Z2, Z3 (block 1) to the popcounts of
// the XORs of two blocks' windows (at R8 and R9, word offsets at R12)
// with two channels' weight rows (at SI and DX), over the R13 words of a
// window: per word one load per block, four XORs with the weight words
// broadcast from memory, four VPOPCNTQ and four VPADDQ. loop is the
// caller's label. Clobbers AX, CX, Z16, Z17 and Z20–Z23.
#define TAPS2(loop) \
	VPXORQ      Z0, Z0, Z0; \
	VPXORQ      Z1, Z1, Z1; \
	VPXORQ      Z2, Z2, Z2; \
	VPXORQ      Z3, Z3, Z3; \
	XORQ        CX, CX; \
loop: \
	MOVQ        (R12)(CX*8), AX; \
	VMOVDQU64   (R8)(AX*8), Z16; \
	VMOVDQU64   (R9)(AX*8), Z17; \
	VPXORQ.BCST (SI)(CX*8), Z16, Z20; \
	VPXORQ.BCST (DX)(CX*8), Z16, Z21; \
	VPXORQ.BCST (SI)(CX*8), Z17, Z22; \
	VPXORQ.BCST (DX)(CX*8), Z17, Z23; \
	VPOPCNTQ    Z20, Z20; \
	VPOPCNTQ    Z21, Z21; \
	VPOPCNTQ    Z22, Z22; \
	VPOPCNTQ    Z23, Z23; \
	VPADDQ      Z20, Z0, Z0; \
	VPADDQ      Z21, Z1, Z1; \
	VPADDQ      Z22, Z2, Z2; \
	VPADDQ      Z23, Z3, Z3; \
	INCQ        CX; \
	CMPQ        CX, R13; \
	JLT         loop

// NEXTPAIR moves on to the next pair of channels and loops back to loop
// while there is one: pc (DI) 128 bytes on, the first weight row (SI) to
// the row after the second (DX), 2 channels fewer left (R11).
#define NEXTPAIR(loop) \
	ADDQ $128, DI; \
	LEAQ (DX)(R10*1), SI; \
	SUBQ $2, R11; \
	JGT  loop

// ONEBLOCKARGS loads the arguments (pc, p0, koff, kw, w, nc) of the
// one-block kernels, xorPopcnt512x1 and xorPopcnt256: pc to DI, p0 to R8,
// koff to R12, kw to R13, w to SI, nc to R11, and the weight row's bytes,
// 8·kw, to R10.
#define ONEBLOCKARGS \
	MOVQ pc+0(FP), DI; \
	MOVQ p0+8(FP), R8; \
	MOVQ koff+16(FP), R12; \
	MOVQ kw+24(FP), R13; \
	MOVQ w+32(FP), SI; \
	MOVQ nc+40(FP), R11; \
	MOVQ R13, R10; \
	SHLQ $3, R10

// func xorPopcnt512x2(pc *uint64, p0, p1 *uint64, koff *int, kw int, w *uint64, nc int)
//
// Two blocks (windows at p0 and p1) × two channels per pass, nc channels
// (even) whose weight rows of kw words start at w; popcounts to pc
// (block 1 at pc + 64·8 words).
TEXT ·xorPopcnt512x2(SB), NOSPLIT, $0-56
	MOVQ pc+0(FP), DI
	MOVQ p0+8(FP), R8
	MOVQ p1+16(FP), R9
	MOVQ koff+24(FP), R12
	MOVQ kw+32(FP), R13
	MOVQ w+40(FP), SI
	MOVQ nc+48(FP), R11
	MOVQ R13, R10
	SHLQ $3, R10 // weight row bytes

pair2:
	LEAQ (SI)(R10*1), DX // second channel's row
	TAPS2(tap2)

	VMOVDQU64 Z0, (DI)
	VMOVDQU64 Z1, 64(DI)
	VMOVDQU64 Z2, 4096(DI)
	VMOVDQU64 Z3, 4160(DI)
	NEXTPAIR(pair2)
	VZEROUPPER
	RET

// func xorPopcnt512x1(pc *uint64, p0 *uint64, koff *int, kw int, w *uint64, nc int)
//
// xorPopcnt512x2 for one block.
TEXT ·xorPopcnt512x1(SB), NOSPLIT, $0-48
	ONEBLOCKARGS

pair1:
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	LEAQ   (SI)(R10*1), DX
	XORQ   CX, CX

tap1:
	MOVQ        (R12)(CX*8), AX
	VMOVDQU64   (R8)(AX*8), Z16
	VPXORQ.BCST (SI)(CX*8), Z16, Z20
	VPXORQ.BCST (DX)(CX*8), Z16, Z21
	VPOPCNTQ    Z20, Z20
	VPOPCNTQ    Z21, Z21
	VPADDQ      Z20, Z0, Z0
	VPADDQ      Z21, Z1, Z1
	INCQ        CX
	CMPQ        CX, R13
	JLT         tap1

	VMOVDQU64 Z0, (DI)
	VMOVDQU64 Z1, 64(DI)
	NEXTPAIR(pair1)
	VZEROUPPER
	RET

// The fused kernel: XOR-popcount of two blocks against eight channels per
// pass, then the output transform of kernelGo's callers (outFloatGo) on
// the accumulators, y = float32(mul·float32(d)) + add (+ res) with
// d = k − 2·pc (+ the padding correction of the lane's border class),
// stored under the blocks' lane masks. Eight channels per pass (16
// accumulators) load each window vector once for eight XORs: per weight
// word and block one VPXORQ, VPOPCNTQ and VPADDQ and nothing else, which
// on Zen 5 measured 1.3 times the throughput of two channels per pass.
// The weights are interleaved eight channels to a group, [channel/8][word]
// [channel%8] (Conv.w8), so that a pass reads one 64-byte line per word.
// Operands in a fusedArgs (kernel_amd64.go), whose field offsets the FA_
// constants repeat.
#define FA_X0 0
#define FA_X1 8
#define FA_KOFF 16
#define FA_KW 24
#define FA_W 32
#define FA_NST 40
#define FA_MUL 48
#define FA_ADD 56
#define FA_CORR 64
#define FA_DST0 72
#define FA_DST1 80
#define FA_RES0 88
#define FA_RES1 96
#define FA_STEP 104
#define FA_KF 112
#define FA_JOINT 120
#define FA_MASK0 128
#define FA_MASK1 136
#define FA_MASKJ 144
#define FA_CLS 152
#define FA_PF 216

// evenDwords picks the low dwords of the 16 quadwords of two vectors
// (VPERMT2D): the popcounts of block 0's lanes, then block 1's.
DATA evenDwords<>+0(SB)/8, $0x0000000200000000
DATA evenDwords<>+8(SB)/8, $0x0000000600000004
DATA evenDwords<>+16(SB)/8, $0x0000000a00000008
DATA evenDwords<>+24(SB)/8, $0x0000000e0000000c
DATA evenDwords<>+32(SB)/8, $0x0000001200000010
DATA evenDwords<>+40(SB)/8, $0x0000001600000014
DATA evenDwords<>+48(SB)/8, $0x0000001a00000018
DATA evenDwords<>+56(SB)/8, $0x0000001e0000001c
GLOBL evenDwords<>(SB), RODATA|NOPTR, $64

DATA two32<>+0(SB)/4, $2.0
GLOBL two32<>(SB), RODATA|NOPTR, $4

// CH8 XORs the two blocks' window words (Z16, Z17) with the weight word
// of channel i of the group (at off(SI), broadcast) and adds their
// popcounts to block 0's and block 1's accumulators a0 and a1.
#define CH8(off, a0, a1) \
	VPXORQ.BCST off(SI), Z16, Z20; \
	VPXORQ.BCST off(SI), Z17, Z21; \
	VPOPCNTQ    Z20, Z20; \
	VPOPCNTQ    Z21, Z21; \
	VPADDQ      Z20, a0, a0; \
	VPADDQ      Z21, a1, a1

// DOT16: a0 = float32(d) for channel i of the pass (DI+i) in 16 lanes,
// block 0 (accumulator a0) in lanes 0–7 and block 1 (a1) in 8–15: the
// low dwords of the popcounts (exact: pc <= k < 2²⁴) as float32, then
// k − 2·pc in one VFNMADD (exact: every value an integer below 2²⁴),
// plus the correction of each lane's class (from the channel's row of
// 16 in FA_CORR, looked up by VPERMPS; exact, the sum being d) where the
// blocks have border lanes. Clobbers DX, Z25.
#define DOT16(a0, a1, i, nocorr) \
	VPERMT2D     a1, Z18, a0; \
	VCVTDQ2PS    a0, a0; \
	VFNMADD213PS Z19, Z27, a0; \
	MOVQ         FA_CORR(BX), DX; \
	TESTQ        DX, DX; \
	JEQ          nocorr; \
	MOVQ         DI, AX; \
	SHLQ         $6, AX; \
	VPERMPS      (i*64)(DX)(AX*1), Z24, Z25; \
	VADDPS       Z25, a0, a0; \
nocorr: \
	MOVQ         FA_MUL(BX), DX; \
	VMULPS.BCST  (i*4)(DX)(DI*4), a0, a0; \
	MOVQ         FA_ADD(BX), DX; \
	VADDPS.BCST  (i*4)(DX)(DI*4), a0, a0

// OUTJ stores channel DI+i of blocks whose outputs are consecutive
// (joint): one 16-lane store under K3, after adding the residual. Each
// channel's outputs lie in a plane of their own, so a pass writes eight
// streams and a call 64 or more, too many for the hardware prefetchers:
// a large output missed the cache on every line (in a batch of 16
// images of 64×56×56, a third of the convolution's time). The
// PREFETCHT0 fetches the line four lines on in the same plane, where the
// pairs that follow store (a prefetch never faults, past the end of the
// output included). Only for outputs larger than a core's cache
// (FA_PF, see fusedFloat): on a small one it measured slower.
#define OUTJ(a0, a1, i, nocorr, nores, nopf) \
	DOT16(a0, a1, i, nocorr); \
	MOVQ   FA_RES0(BX), DX; \
	TESTQ  DX, DX; \
	JEQ    nores; \
	VADDPS (DX)(R14*1), a0, K3, a0; \
nores: \
	MOVQ       FA_DST0(BX), DX; \
	CMPQ       FA_PF(BX), $0; \
	JEQ        nopf; \
	PREFETCHT0 256(DX)(R14*1); \
nopf: \
	VMOVUPS    a0, K3, (DX)(R14*1)

// OUTS stores channel DI+i of blocks stored apart: lanes 0–7 at FA_DST0
// under K1, lanes 8–15 at FA_DST1 under K2 (an empty mask for one block),
// with OUTJ's prefetch.
#define OUTS(a0, a1, ya0, i, nocorr, nores, nopf) \
	DOT16(a0, a1, i, nocorr); \
	VEXTRACTF32X8 $1, a0, Y26; \
	MOVQ    FA_RES0(BX), DX; \
	TESTQ   DX, DX; \
	JEQ     nores; \
	VADDPS  (DX)(R14*1), ya0, K1, ya0; \
	MOVQ    FA_RES1(BX), DX; \
	VADDPS  (DX)(R14*1), Y26, K2, Y26; \
nores: \
	MOVQ       FA_DST0(BX), DX; \
	CMPQ       FA_PF(BX), $0; \
	JEQ        nopf; \
	PREFETCHT0 256(DX)(R14*1); \
nopf: \
	VMOVUPS    ya0, K1, (DX)(R14*1); \
	MOVQ    FA_DST1(BX), DX; \
	VMOVUPS Y26, K2, (DX)(R14*1)

// NEXTCH moves R14 on to the next channel's outputs and ends the kernel
// once FA_NST channels are stored.
#define NEXTCH \
	ADDQ FA_STEP(BX), R14; \
	DECQ R11; \
	JZ   done

// func fusedFloat8(a *fusedArgs)
TEXT ·fusedFloat8(SB), NOSPLIT, $0-8
	MOVQ         a+0(FP), BX
	MOVQ         FA_X0(BX), R8
	MOVQ         FA_X1(BX), R9
	MOVQ         FA_KOFF(BX), R12
	MOVQ         FA_KW(BX), R13
	MOVQ         FA_W(BX), SI
	VMOVDQU32    evenDwords<>(SB), Z18
	VBROADCASTSS FA_KF(BX), Z19
	VBROADCASTSS two32<>(SB), Z27
	KMOVW        FA_MASK0(BX), K1
	KMOVW        FA_MASK1(BX), K2
	KMOVW        FA_MASKJ(BX), K3
	VMOVDQU32    FA_CLS(BX), Z24
	XORQ         DI, DI                 // the pass's first channel
	XORQ         R14, R14               // its byte offset in the output, channel·step
	MOVQ         FA_NST(BX), R11        // channels left to store

pass:
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	XORQ   CX, CX

tap:
	MOVQ      (R12)(CX*8), AX
	VMOVDQU64 (R8)(AX*8), Z16
	VMOVDQU64 (R9)(AX*8), Z17
	CH8(0, Z0, Z8)
	CH8(8, Z1, Z9)
	CH8(16, Z2, Z10)
	CH8(24, Z3, Z11)
	CH8(32, Z4, Z12)
	CH8(40, Z5, Z13)
	CH8(48, Z6, Z14)
	CH8(56, Z7, Z15)
	ADDQ      $64, SI
	INCQ      CX
	CMPQ      CX, R13
	JLT       tap

	CMPQ FA_JOINT(BX), $0
	JEQ  split
	OUTJ(Z0, Z8, 0, j0, j0r, j0p)
	NEXTCH
	OUTJ(Z1, Z9, 1, j1, j1r, j1p)
	NEXTCH
	OUTJ(Z2, Z10, 2, j2, j2r, j2p)
	NEXTCH
	OUTJ(Z3, Z11, 3, j3, j3r, j3p)
	NEXTCH
	OUTJ(Z4, Z12, 4, j4, j4r, j4p)
	NEXTCH
	OUTJ(Z5, Z13, 5, j5, j5r, j5p)
	NEXTCH
	OUTJ(Z6, Z14, 6, j6, j6r, j6p)
	NEXTCH
	OUTJ(Z7, Z15, 7, j7, j7r, j7p)
	NEXTCH
	ADDQ $8, DI
	JMP  pass

split:
	OUTS(Z0, Z8, Y0, 0, s0, s0r, s0p)
	NEXTCH
	OUTS(Z1, Z9, Y1, 1, s1, s1r, s1p)
	NEXTCH
	OUTS(Z2, Z10, Y2, 2, s2, s2r, s2p)
	NEXTCH
	OUTS(Z3, Z11, Y3, 3, s3, s3r, s3p)
	NEXTCH
	OUTS(Z4, Z12, Y4, 4, s4, s4r, s4p)
	NEXTCH
	OUTS(Z5, Z13, Y5, 5, s5, s5r, s5p)
	NEXTCH
	OUTS(Z6, Z14, Y6, 6, s6, s6r, s6p)
	NEXTCH
	OUTS(Z7, Z15, Y7, 7, s7, s7r, s7p)
	NEXTCH
	ADDQ $8, DI
	JMP  pass

done:
	VZEROUPPER
	RET

// func vzeroupper()
TEXT ·vzeroupper(SB), NOSPLIT, $0-0
	VZEROUPPER
	RET

// CHANNEL sets the channel's bit (Z30) in a0–a3, the accumulators of the
// four groups of 16 pixels, where the channel's value (the row at SI) is
// negative, under the groups' masks K4–K7, and in the lanes of Z28 where
// it is NaN (VCMPPS UNORD against 0, the row still in L1), then moves on
// to the next channel: the bit one place up, SI one row on.
#define CHANNEL(a0, a1, a2, a3) \
	VCMPPS $0x1e, (SI), Z31, K4, K1; \
	VCMPPS $0x1e, 64(SI), Z31, K5, K2; \
	VCMPPS $0x1e, 128(SI), Z31, K6, K3; \
	VPORD  Z30, a0, K1, a0; \
	VPORD  Z30, a1, K2, a1; \
	VPORD  Z30, a2, K3, a2; \
	VCMPPS $0x1e, 192(SI), Z31, K7, K1; \
	VPORD  Z30, a3, K1, a3; \
	VCMPPS $3, (SI), Z31, K4, K1; \
	VCMPPS $3, 64(SI), Z31, K5, K2; \
	VCMPPS $3, 128(SI), Z31, K6, K3; \
	KORW   K2, K1, K1; \
	KORW   K3, K1, K1; \
	VCMPPS $3, 192(SI), Z31, K7, K2; \
	KORW   K2, K1, K1; \
	VPORD  Z30, Z28, K1, Z28; \
	VPSLLD $1, Z30, Z30; \
	ADDQ   R10, SI

// CHANNEL64 is CHANNEL for a whole block of 64 pixels (no masks): it
// loads the row's four vectors (Z8–Z11) once, sets the channel's bit
// (Z30) in a0–a3 where the value is negative (0 > x: false for −0 and
// NaN), and tests the vectors for NaN two at a time (VCMPPS UNORD of two
// vectors is set where either is NaN), ORing the masks into K7: four mask
// operations, where testing each vector and widening its mask to a vector
// (what archsimd's IsNaN and mask Or compile to) took nine, and CHANNEL's
// four compares from memory and three KORWs load each row twice. It also
// prefetches the channel's next 256 bytes, the next block's: 64 rows are
// more streams than the hardware prefetchers follow (a prefetch past the
// end of x never faults).
#define CHANNEL64(a0, a1, a2, a3) \
	VMOVUPS    (SI), Z8; \
	VMOVUPS    64(SI), Z9; \
	VMOVUPS    128(SI), Z10; \
	VMOVUPS    192(SI), Z11; \
	VCMPPS     $0x1e, Z8, Z31, K1; \
	VCMPPS     $0x1e, Z9, Z31, K2; \
	VCMPPS     $0x1e, Z10, Z31, K3; \
	VCMPPS     $0x1e, Z11, Z31, K4; \
	VPORD      Z30, a0, K1, a0; \
	VPORD      Z30, a1, K2, a1; \
	VPORD      Z30, a2, K3, a2; \
	VPORD      Z30, a3, K4, a3; \
	VCMPPS     $3, Z9, Z8, K5; \
	VCMPPS     $3, Z11, Z10, K6; \
	KORW       K6, K5, K5; \
	KORW       K5, K7, K7; \
	PREFETCHT0 256(SI); \
	PREFETCHT0 320(SI); \
	PREFETCHT0 384(SI); \
	PREFETCHT0 448(SI); \
	VPSLLD     $1, Z30, Z30; \
	ADDQ       R10, SI

// func pack512(out *uint64, ws int, x *float32, row int, nc int, masks *[4]uint16, np int) (nan bool)
//
// Packs the codes of nc <= 64 channels (one word; rows of row bytes from
// x) of np <= 64 pixels into out[q·ws], q < np: per channel, four VCMPPS of
// 16 pixels against 0 (0 > x: x < 0, false for −0 and NaN) give masks, and
// masked VPORDs set the channel's bit in 32-bit accumulators, Z0–Z3 for
// channels 0–31 and Z4–Z7 for 32–63 of the word. masks[g] enables the
// valid pixels of group g (masked lanes read nothing). It returns whether
// a value read is NaN (Z28 non-zero). A whole block (np = 64, the masks
// all set) runs CHANNEL64 instead, the NaN lanes in K7.
TEXT ·pack512(SB), $512-57
	MOVQ   out+0(FP), DI
	MOVQ   ws+8(FP), R9
	MOVQ   x+16(FP), SI
	MOVQ   row+24(FP), R10
	MOVQ   nc+32(FP), R11
	MOVQ   masks+40(FP), AX
	KMOVW  0(AX), K4
	KMOVW  2(AX), K5
	KMOVW  4(AX), K6
	KMOVW  6(AX), K7
	VPXORD Z31, Z31, Z31 // 0.0
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z28, Z28, Z28 // lanes that saw a NaN
	MOVL   $1, AX
	VPBROADCASTD AX, Z30 // the channel's bit
	MOVQ   R11, CX
	CMPQ   CX, $32
	JLE    clamped
	MOVQ   $32, CX

clamped:
	CMPQ np+48(FP), $64
	JEQ  whole

lo:
	// Channels 0 to min(nc, 32)−1 into Z0–Z3.
	CHANNEL(Z0, Z1, Z2, Z3)
	DECQ CX
	JNZ  lo

	SUBQ $32, R11
	JLE  join
	MOVL $1, AX
	VPBROADCASTD AX, Z30

hi:
	// Channels 32 to nc−1 into Z4–Z7.
	CHANNEL(Z4, Z5, Z6, Z7)
	DECQ R11
	JNZ  hi

join:
	VPTESTMD Z28, Z28, K1
	KORTESTW K1, K1
	SETNE    nan+56(FP)
	JMP      joinwords

whole:
	// A whole block: CHANNEL64, the NaN lanes in K7 (K4–K7 all set).
	KXORW K7, K7, K7

lo64:
	CHANNEL64(Z0, Z1, Z2, Z3)
	DECQ CX
	JNZ  lo64

	SUBQ $32, R11
	JLE  join64
	MOVL $1, AX
	VPBROADCASTD AX, Z30

hi64:
	CHANNEL64(Z4, Z5, Z6, Z7)
	DECQ R11
	JNZ  hi64

join64:
	KORTESTW K7, K7
	SETNE    nan+56(FP)

joinwords:

	// Pixel q's word: lo[q] | hi[q]<<32, 8 pixels per vector, into the
	// frame (64 words), then out[q·ws] for q < np.
#define JOIN(lo, hi, off) \
	VPMOVZXDQ     lo, Z8; \
	VPMOVZXDQ     hi, Z9; \
	VPSLLQ        $32, Z9, Z9; \
	VPORQ         Z9, Z8, Z8; \
	VMOVDQU64     Z8, off(SP)

#define JOIN16(zlo, zhi, ylo, yhi, off) \
	JOIN(ylo, yhi, off); \
	VEXTRACTI32X8 $1, zlo, Y10; \
	VEXTRACTI32X8 $1, zhi, Y11; \
	JOIN(Y10, Y11, off+64)

	JOIN16(Z0, Z4, Y0, Y4, 0)
	JOIN16(Z1, Z5, Y1, Y5, 128)
	JOIN16(Z2, Z6, Y2, Y6, 256)
	JOIN16(Z3, Z7, Y3, Y7, 384)
	VZEROUPPER
	MOVQ np+48(FP), CX
	XORQ AX, AX
	SHLQ $3, R9

store:
	MOVQ (SP)(AX*8), DX
	MOVQ DX, (DI)
	ADDQ R9, DI
	INCQ AX
	CMPQ AX, CX
	JLT  store
	RET

// func packHalf512(dst *[64]uint32, x *float32, row uintptr, nc int) (nan bool)
//
// The simd implementation's packing of a whole block (packBlockSIMD):
// sets bit i of lane q of dst to the code of channel i < nc <= 32 of
// pixel q, for the 64 pixels from x of rows row bytes apart, and returns
// whether a value read is NaN: CHANNEL64 per channel, into the
// accumulators Z0–Z3. On Zen 5, packing a 16×64×56×56 batch measured 1.15
// times faster than the archsimd loop with the values in the cache (the
// prefetch costing 3% of that), and packing it after a convolution had
// evicted them, then the convolution, 1.1 times faster.
TEXT ·packHalf512(SB), NOSPLIT, $0-33
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         row+16(FP), R10
	MOVQ         nc+24(FP), CX
	VPXORD       Z31, Z31, Z31 // 0.0
	VPXORD       Z0, Z0, Z0
	VPXORD       Z1, Z1, Z1
	VPXORD       Z2, Z2, Z2
	VPXORD       Z3, Z3, Z3
	KXORW        K7, K7, K7    // lanes that saw a NaN
	MOVL         $1, AX
	VPBROADCASTD AX, Z30       // the channel's bit
	TESTQ        CX, CX
	JLE          halfdone

halfch:
	CHANNEL64(Z0, Z1, Z2, Z3)
	DECQ CX
	JNZ  halfch

halfdone:
	VMOVDQU32 Z0, (DI)
	VMOVDQU32 Z1, 64(DI)
	VMOVDQU32 Z2, 128(DI)
	VMOVDQU32 Z3, 192(DI)
	KORTESTW  K7, K7
	SETNE     nan+32(FP)
	VZEROUPPER
	RET

// The AVX2 kernels, for CPUs without AVX-512 VPOPCNTQ (Intel before Ice
// Lake and its desktop parts since Alder Lake, AMD before Zen 4). AVX2 has
// no vector popcount: each byte's count is the sum of two 16-entry table
// lookups, one per nibble (VPSHUFB; W. Muła, N. Kurz, D. Lemire, "Faster
// Population Counts Using AVX2 Instructions", The Computer Journal 2018),
// added up in bytes over up to 31 weight words (8 per word at most) and
// then summed into the 64-bit lanes with VPSADBW.

DATA nibbleCount<>+0(SB)/8, $0x0302020102010100
DATA nibbleCount<>+8(SB)/8, $0x0403030203020201
DATA nibbleCount<>+16(SB)/8, $0x0302020102010100
DATA nibbleCount<>+24(SB)/8, $0x0403030203020201
GLOBL nibbleCount<>(SB), RODATA|NOPTR, $32

DATA lowNibbles<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL lowNibbles<>(SB), RODATA|NOPTR, $8

// COUNT adds the per-byte popcounts of t (clobbered) to acc; Y14 holds
// the low-nibble mask, Y15 the table, Y13 is scratch.
#define COUNT(t, acc) \
	VPSRLW  $4, t, Y13; \
	VPAND   Y14, t, t; \
	VPAND   Y14, Y13, Y13; \
	VPSHUFB t, Y15, t; \
	VPSHUFB Y13, Y15, Y13; \
	VPADDB  t, acc, acc; \
	VPADDB  Y13, acc, acc

// func xorPopcnt256(pc *uint64, p0 *uint64, koff *int, kw int, w *uint64, nc int)
//
// One block (the 8 lanes at p0 as two 4-word halves) × two channels per
// pass, nc channels (even) whose weight rows of kw words start at w;
// popcounts to pc[i·8 + lane]. The byte counts Y0–Y3 (channel i, lanes
// 0–3 and 4–7; channel i+1 likewise) are flushed into the 64-bit lanes
// Y4–Y7 every 31 weight words.
TEXT ·xorPopcnt256(SB), NOSPLIT, $0-48
	ONEBLOCKARGS
	VPBROADCASTQ lowNibbles<>(SB), Y14
	VMOVDQU      nibbleCount<>(SB), Y15

pair:
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	LEAQ  (SI)(R10*1), DX // second channel's row
	XORQ  CX, CX

chunk:
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	LEAQ  31(CX), BX
	CMPQ  BX, R13
	CMOVQGT R13, BX // end of this chunk of taps

tap:
	MOVQ         (R12)(CX*8), AX
	VPBROADCASTQ (SI)(CX*8), Y10
	VPBROADCASTQ (DX)(CX*8), Y11
	VMOVDQU      (R8)(AX*8), Y8
	VMOVDQU      32(R8)(AX*8), Y9
	VPXOR        Y8, Y10, Y12
	COUNT(Y12, Y0)
	VPXOR        Y9, Y10, Y12
	COUNT(Y12, Y1)
	VPXOR        Y8, Y11, Y12
	COUNT(Y12, Y2)
	VPXOR        Y9, Y11, Y12
	COUNT(Y12, Y3)
	INCQ         CX
	CMPQ         CX, BX
	JLT          tap

	VPXOR   Y12, Y12, Y12
	VPSADBW Y12, Y0, Y0
	VPSADBW Y12, Y1, Y1
	VPSADBW Y12, Y2, Y2
	VPSADBW Y12, Y3, Y3
	VPADDQ  Y0, Y4, Y4
	VPADDQ  Y1, Y5, Y5
	VPADDQ  Y2, Y6, Y6
	VPADDQ  Y3, Y7, Y7
	CMPQ    CX, R13
	JLT     chunk

	VMOVDQU Y4, (DI)
	VMOVDQU Y5, 32(DI)
	VMOVDQU Y6, 64(DI)
	VMOVDQU Y7, 96(DI)
	NEXTPAIR(pair)
	VZEROUPPER
	RET

// PACKHALF sets bit i of the 32-bit lanes Y0–Y7 (pixels 8g to 8g+7 in Yg)
// for channel i < CX of the rows from SI (row bytes apart in R10) where
// the value is negative (VCMPPS 0 > x: false for −0 and NaN), and, in
// PACKGROUP, sets the lanes of Y13 where it is NaN (VCMPPS UNORD).
#define PACKHALF \
	VPXOR        Y0, Y0, Y0; \
	VPXOR        Y1, Y1, Y1; \
	VPXOR        Y2, Y2, Y2; \
	VPXOR        Y3, Y3, Y3; \
	VPXOR        Y4, Y4, Y4; \
	VPXOR        Y5, Y5, Y5; \
	VPXOR        Y6, Y6, Y6; \
	VPXOR        Y7, Y7, Y7; \
	VPBROADCASTD one32<>(SB), Y14

#define PACKGROUP(off, acc) \
	VCMPPS $0x1e, off(SI), Y15, Y8; \
	VPAND  Y14, Y8, Y8; \
	VPOR   Y8, acc, acc; \
	VCMPPS $3, off(SI), Y15, Y9; \
	VPOR   Y9, Y13, Y13

DATA one32<>+0(SB)/4, $1
GLOBL one32<>(SB), RODATA|NOPTR, $4

// func pack256(out *uint64, ws int, x *float32, row int, nc int) (nan bool)
//
// pack512 for AVX2, for a whole block of 64 pixels: the codes of nc <= 64
// channels (one word) of 64 consecutive pixels into out[q·ws], and
// whether a value read is NaN.
TEXT ·pack256(SB), $512-41
	MOVQ  x+16(FP), SI
	MOVQ  row+24(FP), R10
	MOVQ  nc+32(FP), R11
	VXORPS Y15, Y15, Y15
	VXORPS Y13, Y13, Y13
	XORQ  DX, DX // frame offset of the half: 0 (channels 0–31), 256 (32–63)

half:
	MOVQ R11, CX
	CMPQ CX, $32
	JLE  count
	MOVQ $32, CX

count:
	SUBQ CX, R11
	PACKHALF
	TESTQ CX, CX
	JEQ  save

channel:
	PACKGROUP(0, Y0)
	PACKGROUP(32, Y1)
	PACKGROUP(64, Y2)
	PACKGROUP(96, Y3)
	PACKGROUP(128, Y4)
	PACKGROUP(160, Y5)
	PACKGROUP(192, Y6)
	PACKGROUP(224, Y7)
	VPSLLD $1, Y14, Y14
	ADDQ   R10, SI
	DECQ   CX
	JNZ    channel

save:
	VMOVDQU Y0, 0(SP)(DX*1)
	VMOVDQU Y1, 32(SP)(DX*1)
	VMOVDQU Y2, 64(SP)(DX*1)
	VMOVDQU Y3, 96(SP)(DX*1)
	VMOVDQU Y4, 128(SP)(DX*1)
	VMOVDQU Y5, 160(SP)(DX*1)
	VMOVDQU Y6, 192(SP)(DX*1)
	VMOVDQU Y7, 224(SP)(DX*1)
	ADDQ    $256, DX
	CMPQ    DX, $512
	JLT     half
	VPTEST  Y13, Y13
	SETNE   nan+40(FP)
	VZEROUPPER

	// out[q·ws] = lo[q] | hi[q]<<32.
	MOVQ out+0(FP), DI
	MOVQ ws+8(FP), R9
	SHLQ $3, R9
	XORQ AX, AX

join:
	MOVL 0(SP)(AX*4), BX
	MOVL 256(SP)(AX*4), DX
	SHLQ $32, DX
	ORQ  DX, BX
	MOVQ BX, (DI)
	ADDQ R9, DI
	INCQ AX
	CMPQ AX, $64
	JLT  join
	RET
