// Package xnor runs binary neural networks at inference with bit-packed
// XNOR-popcount kernels: what a network trained by gradbench costs once its
// binary layers really are binary.
//
// # Codes and bit convention
//
// A binary layer multiplies ±1 codes: q(x) = +1 for x >= 0 and −1 for
// x < 0, the training forward's sign (so q(0) = q(−0) = +1; NaN packs as
// +1, the kernels do not look for it). A code is stored as one bit,
// SET FOR −1 and CLEAR FOR +1 (the sign bit's convention), 64 channels to a
// uint64 word: channel c is bit c%64 of word c/64. When the channel count
// is not a multiple of 64 the last word's padding bits are zero in
// activations and in weights alike, so they XOR to zero and never count.
//
// For two code vectors a and w of K channels, a·w = K − 2·popcount(a XOR w):
// each mismatch turns a +1 into a −1. That is the whole kernel, 64
// multiply-adds per XOR and population count.
//
// # Layout
//
// Activations are [Bits], NHWC-packed: per pixel, ⌈C/64⌉ consecutive words.
// [Pack] binarizes a float32 NCHW tensor (the training engine's layout)
// into them. Weights are [Weights]: [Out][Kernel][Kernel][⌈In/64⌉] words
// and the scale s_o = mean|W_o| of each output channel ([PackWeights]).
//
// # Convolution
//
// [Conv] gathers, for blocks of 8 output pixels, the words under the kernel
// window (im2col on packed words: Kernel²·⌈In/64⌉ words per pixel, laid out
// so that the 8 pixels of a word index are consecutive) and computes the
// popcounts against every filter, 2 blocks × 2 filters at a time, over
// both cores through internal/parallel (fixed pool, no allocation per call).
//
// The training path pads binarized activations with 0, so a tap on the
// padding contributes 0, which no ±1 code can represent. The kernel packs
// padding as +1 and then adds a correction, −Σ_c q(W[o,c,tap]) over the
// out-of-bounds taps. The set of such taps depends only on the output
// position's row and column class (top rows, bottom rows, interior, …), so
// the corrections are precomputed per class and output channel when an
// input size is first seen — the approach of Larq Compute Engine. The
// results are exact: integer dot products equal the float convolution of
// the ±1 tensors with zero padding at every position.
//
// # Output transform
//
// Each output channel has one multiply-add, [Affine]: y = Mul·d + Add on
// the integer dot product d, in float32, never fused. [ScaleOnly] gives the
// binary convolution's own output s_o·d; [FoldBatchNorm] folds the scale
// and the following evaluation-mode BatchNorm into the same multiply-add.
// [Conv.Forward] writes y as float32 NCHW (for a real-valued shortcut or
// the head); [Conv.ForwardBits] writes q(y) packed, for a next binary layer,
// by comparing d with an integer threshold per channel (the comparison
// flips for a negative multiplier). The thresholds are found by bisection
// on the float transform itself, so the packed output is exactly the sign
// of the float output, y = 0 included (+1).
//
// # Implementations
//
// The portable kernels use math/bits.OnesCount64 and run anywhere (amd64,
// arm64, …). Built with GOEXPERIMENT=simd on amd64, on a CPU with AVX-512
// and VPOPCNTQ (AVX512_VPOPCNTDQ), the kernels use 512-bit vectors (8 words
// per XOR and per VPOPCNTQ) instead; [Impl] says which run, [SetImpl]
// chooses for benchmarks, and the tests cross-check the two bit for bit.
package xnor
