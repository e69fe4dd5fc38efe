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

// The fused kernel: XOR-popcount as above, then the
// output transform of kernelGo's callers (outFloatGo) on the accumulators,
// y = float32(mul·float32(d)) + add (+ res) with d = k − 2·pc (+ the
// padding correction of the lane's border class), stored under the
// block's lane mask. Operands in a fusedArgs (kernel_amd64.go), whose
// field offsets the FA_ constants repeat.
#define FA_X0 0
#define FA_X1 8
#define FA_KOFF 16
#define FA_KW 24
#define FA_W 32
#define FA_NST 48
#define FA_K 56
#define FA_MUL 64
#define FA_ADD 72
#define FA_CORR0 80
#define FA_CORR1 88
#define FA_CLS0 96
#define FA_CLS1 160
#define FA_DST0 224
#define FA_DST1 232
#define FA_RES0 240
#define FA_RES1 248
#define FA_STEP 256
#define FA_MASK0 264
#define FA_MASK1 272
#define FA_NBLK 280
#define FA_JOINT 288
#define FA_MASKJ 296
#define FA_CORRJ 304
#define FA_CLSJ 312

// DOT: Z4 = k − 2·acc (k broadcast in Z31).
#define DOT(acc) \
	VPSLLQ $1, acc, Z4; \
	VPSUBQ Z4, Z31, Z4

// CORR: Z4 += the corrections of the block's lanes for channel ch (DI or
// DI+1 in AX), looked up in the channel's row of 16 by the class indices
// in cls: one VPERMD.
#define CORR(corroff, cls) \
	SHLQ      $6, AX; \
	ADDQ      corroff(BX), AX; \
	VPERMD    (AX), cls, Z5; \
	VPMOVSXDQ Y5, Z5; \
	VPADDQ    Z5, Z4, Z4

// AFFINE: Y4 = float32(mul[ch]·float32(Z4)) + add[ch], ch in AX; two
// roundings, never fused.
#define AFFINE \
	VCVTQQ2PS   Z4, Y4; \
	MOVQ        FA_MUL(BX), DX; \
	VMULPS.BCST (DX)(AX*4), Y4, Y4; \
	MOVQ        FA_ADD(BX), DX; \
	VADDPS.BCST (DX)(AX*4), Y4, Y4

// JDOT: Z4 = k − 2·acc for the 16 lanes of both blocks, as int32 (exact:
// |d| < 2²⁴), block 0 in lanes 0–7.
#define JDOT(acc0, acc1) \
	VPSLLQ        $1, acc0, Z4; \
	VPSUBQ        Z4, Z31, Z4; \
	VPSLLQ        $1, acc1, Z5; \
	VPSUBQ        Z5, Z31, Z5; \
	VPMOVQD       Z4, Y4; \
	VPMOVQD       Z5, Y5; \
	VINSERTI32X8  $1, Y5, Z4, Z4

// JCORR: Z4 += the corrections of the 16 lanes for channel AX (classes in
// Z28).
#define JCORR \
	SHLQ   $6, AX; \
	ADDQ   FA_CORRJ(BX), AX; \
	VPERMD (AX), Z28, Z5; \
	VPADDD Z5, Z4, Z4

// JAFFINE: Z4 = float32(mul[ch]·float32(Z4)) + add[ch], ch in AX.
#define JAFFINE \
	VCVTDQ2PS   Z4, Z4; \
	MOVQ        FA_MUL(BX), DX; \
	VMULPS.BCST (DX)(AX*4), Z4, Z4; \
	MOVQ        FA_ADD(BX), DX; \
	VADDPS.BCST (DX)(AX*4), Z4, Z4

// CH0 and CH1 set AX to the first and the second channel of the pass.
#define CH0 MOVQ DI, AX
#define CH1 LEAQ 1(DI), AX

// OUT computes and stores the outputs v (Y4 or Z4) of channel CH: DOTS,
// CORRS if there are corrections (field corr), AFFINES, the residual
// (field res) added if there is one, and the store to the output (field
// dst) under the lane mask. nocorr and nores are the caller's labels.
#define OUT(DOTS, CORRS, AFFINES, corr, res, dst, v, mask, CH, nocorr, nores) \
	DOTS; \
	CMPQ corr(BX), $0; \
	JEQ  nocorr; \
	CH; \
	CORRS; \
nocorr: \
	CH; \
	AFFINES; \
	MOVQ  res(BX), DX; \
	TESTQ DX, DX; \
	JEQ   nores; \
	VADDPS (DX)(R14*1), v, mask, v; \
nores: \
	MOVQ    dst(BX), DX; \
	VMOVUPS v, mask, (DX)(R14*1)

// OUT8 is OUT for one block's 8 outputs from its accumulator acc, with
// DOT, CORR (classes in cls) and AFFINE.
#define OUT8(acc, CH, corr, cls, res, dst, mask, nocorr, nores) \
	OUT(DOT(acc), CORR(corr, cls), AFFINE, corr, res, dst, Y4, mask, CH, nocorr, nores)

// OUT16 is OUT for both blocks at once (the joint case: outputs
// consecutive, block 0 in lanes 0–7), with JDOT, JCORR and JAFFINE.
#define OUT16(acc0, acc1, CH, nocorr, nores) \
	OUT(JDOT(acc0, acc1), JCORR, JAFFINE, FA_CORRJ, FA_RES0, FA_DST0, Z4, K3, CH, nocorr, nores)

// OUTBLOCKS stores channel CH's outputs of block 0 (accumulator acc0)
// and, when there are two blocks, of block 1 (acc1), then moves R14 on
// to the next channel's outputs. skip and the OUT8 labels l0… are the
// caller's.
#define OUTBLOCKS(acc0, acc1, CH, l0, l0s, l1, l1s, skip) \
	OUT8(acc0, CH, FA_CORR0, Z29, FA_RES0, FA_DST0, K1, l0, l0s); \
	CMPQ FA_NBLK(BX), $2; \
	JNE  skip; \
	OUT8(acc1, CH, FA_CORR1, Z30, FA_RES1, FA_DST1, K2, l1, l1s); \
skip: \
	ADDQ FA_STEP(BX), R14

// func fusedFloat512(a *fusedArgs)
TEXT ·fusedFloat512(SB), NOSPLIT, $0-8
	MOVQ         a+0(FP), BX
	MOVQ         FA_X0(BX), R8
	MOVQ         FA_X1(BX), R9
	MOVQ         FA_KOFF(BX), R12
	MOVQ         FA_KW(BX), R13
	MOVQ         FA_W(BX), SI
	MOVQ         R13, R10
	SHLQ         $3, R10                // weight row bytes
	VPBROADCASTQ FA_K(BX), Z31
	KMOVW        FA_MASK0(BX), K1
	KMOVW        FA_MASK1(BX), K2
	VMOVDQU32    FA_CLS0(BX), Z29
	VMOVDQU32    FA_CLS1(BX), Z30
	KMOVW        FA_MASKJ(BX), K3
	VMOVDQU32    FA_CLSJ(BX), Z28
	XORQ         DI, DI                 // channel
	XORQ         R14, R14               // its byte offset in the output, channel·step
	MOVQ         FA_NST(BX), R11        // channels left to store

next:
	LEAQ (SI)(R10*1), DX // second channel's weights
	TAPS2(tap)

	CMPQ FA_JOINT(BX), $0
	JNE  joint

	// Channel DI, blocks 0 and 1 (block 1 a copy of block 0 when there
	// is one block, computed but not stored).
	OUTBLOCKS(Z0, Z2, CH0, b0c0, b0c0s, b1c0, b1c0s, c1)

	// Channel DI+1, if stored.
	CMPQ R11, $1
	JEQ  done
	OUTBLOCKS(Z1, Z3, CH1, b0c1, b0c1s, b1c1, b1c1s, c2)
	ADDQ $2, DI
	LEAQ (SI)(R10*2), SI
	SUBQ $2, R11
	JGT  next
	JMP  done

joint:
	// Both blocks, their outputs consecutive: one 16-lane transform and
	// store per channel. Channel DI.
	OUT16(Z0, Z2, CH0, j0, j0s)
	ADDQ    FA_STEP(BX), R14
	CMPQ    R11, $1
	JEQ     done

	// Channel DI+1.
	OUT16(Z1, Z3, CH1, j1, j1s)
	JMP     c2 // the second OUTBLOCKS' skip label: R14 and on

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

// func pack512(out *uint64, ws int, x *float32, row int, nc int, masks *[4]uint16, np int) (nan bool)
//
// Packs the codes of nc <= 64 channels (one word; rows of row bytes from
// x) of np <= 64 pixels into out[q·ws], q < np: per channel, four VCMPPS of
// 16 pixels against 0 (0 > x: x < 0, false for −0 and NaN) give masks, and
// masked VPORDs set the channel's bit in 32-bit accumulators, Z0–Z3 for
// channels 0–31 and Z4–Z7 for 32–63 of the word. masks[g] enables the
// valid pixels of group g (masked lanes read nothing). It returns whether
// a value read is NaN (Z28 non-zero).
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
	JLE    lo
	MOVQ   $32, CX

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
