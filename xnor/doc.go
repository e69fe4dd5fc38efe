// Package xnor runs binary neural networks at inference with bit-packed
// XNOR-popcount kernels: what a network trained by gradbench costs once its
// binary layers really are binary.
//
// The codes ([Bits], [Weights]) and the convolution ([Conv]) are
// internal/bitconv's, named here: they live below package nn so that the
// training engine's binary forward pass runs the same kernels.
//
// # Codes and bit convention
//
// A binary layer multiplies ±1 codes: q(x) = +1 for x >= 0 and −1 for
// x < 0, the training forward's sign (so q(0) = q(−0) = +1; NaN packs as
// +1, the kernels do not look for it). A code is stored as one bit,
// SET FOR −1 and CLEAR FOR +1 (the sign bit's convention), 64 channels to a
// uint64 word: channel c is bit c%64 of word c/64. The weights' codes are
// those the training forward gives them, the forward pass of the layer's
// weight estimator: sign(w) for most estimators, sign(sin(ω·w)) for BiPer
// (estimators.Binarizer); Compile and Save pack those (PackWeights takes
// weights whose signs are the codes). When the channel count
// is not a multiple of 64 the last word's padding bits are zero in
// activations and in weights alike, so they XOR to zero and never count.
//
// For two code vectors a and w of K channels, a·w = K − 2·popcount(a XOR w):
// each mismatch turns a +1 into a −1. That is the whole kernel, 64
// multiply-adds per XOR and population count (XNOR-Net, arXiv 1603.05279).
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
// [Conv] works on blocks of 8 output pixels, one per 64-bit vector lane,
// and computes their popcounts against every filter, 2 blocks × 2 filters
// at a time (2 blocks × 8 filters in the AVX-512 kernel with the float
// output transform fused), over the cores through internal/parallel (a
// fixed pool; no goroutine or allocation per call once an input size has
// been seen).
//
//   - Stride 1 (the direct path): the packed input is copied into a
//     zero-padded, word-plane-major buffer, and a block is 8 consecutive
//     pixels of one output row, so every kernel tap of the block is one
//     contiguous load of 8 words; no im2col. With at most 32 input
//     channels, the channels of neighbouring taps share a word (16
//     channels: a whole 3-tap kernel row in one word instead of three).
//   - Other strides (and rows narrower than 4 pixels): im2col on packed
//     words gathers each block's windows, Kernel²·⌈In/64⌉ words per pixel.
//
// The training path pads binarized activations with 0, so a tap on the
// padding contributes 0, which no ±1 code can represent. The kernel packs
// padding as +1 and then adds a correction, −Σ_c q(W[o,c,tap]) over the
// out-of-bounds taps. The set of such taps depends only on the output
// position's row and column class (top rows, bottom rows, interior, …), so
// the corrections are precomputed per class and output channel when an
// input size is first seen — the approach of Larq Compute Engine (arXiv
// 2011.09398). The
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
// of the float output, y = 0 included (+1). The assembly kernels apply the
// float transform to the popcount accumulators in registers, 16 outputs
// at a time where a pair of blocks covers 16 consecutive outputs; every
// implementation gives the same bits.
//
// # Networks and model files
//
// [Compile] turns a trained nn network into an inference network: every
// nn.BinaryConv2d and nn.BinaryLinear becomes a [ConvLayer] with the
// following BatchNorm folded in, and a Bi-Real unit (binary convolution,
// BatchNorm, shortcut) a [ResidualLayer] that adds its shortcut in the
// output transform, its downsampling shortcut (2×2 average pooling, 1×1
// convolution, BatchNorm) a [PoolConvLayer] that pools straight into one
// product for the whole chunk; binary convolutions that only feed the
// next one's signs (VGG-Small, AlexNet) form a [ChainLayer] whose codes
// stay packed in between, max pooling included; every other layer keeps
// running nn's float kernels. The resulting [Network] runs large batches
// in chunks of 8 images, and [CompileParallel] gives it one replica per
// core, each taking the next chunk when done with one. [Compare] runs it
// against the float network and counts agreeing predictions.
//
// [Save], [Read] and [File.Restore] store a trained network in a
// versioned, CRC-32C-checked model file (.gbnn) whose binary layers take
// one bit per weight plus one float32 scale per filter, at least 25× less
// than float32 in the suite's models.
//
// Model files (.gbnn) hold a trained network for inference: the signs and
// scales of its binary layers' weights, bit-packed, and every other
// parameter and buffer (full-precision layers, BatchNorm statistics) as
// float32, with free-form metadata that says how to rebuild the
// architecture (the caller's business: gradbench export stores the model
// name and configuration). What only training needs (noise adaptation
// modules, learnable estimator scalars, optimizer state) is left out.
//
// # Model file format, version 1
//
// Little-endian binary:
//
//	magic    "GBNN\x00\r\n\x1a" (8 bytes)
//	version  uint32 (1)
//	meta     uint32 count, then per entry: key (uint16 length + UTF-8),
//	         value (uint32 length + bytes), keys sorted, each once
//	records  uint32 count, then per record:
//	         kind  uint8: 1 float32 parameter, 2 float32 buffer,
//	               3 int64 buffer, 4 packed binary weights
//	         name  uint16 length + bytes: the layer's Walk path, "/", the
//	               parameter or buffer name (such as "3.0.0/weight"; an
//	               int64 buffer's name ends in "#ints")
//	         shape uint8 rank + uint32 per dimension (kind 4: Out, In,
//	               Kernel, Kernel)
//	         kinds 1–3: the values, product of the shape, float32 or int64
//	         kind 4: Out float32 scales s_o = mean|W_o|, then the signs,
//	               one bit per weight in Out×In×Kernel×Kernel order, bit i
//	               in byte i/8 at position i%8, set for −1; ⌈n/8⌉ bytes,
//	               unused bits zero
//	trailer  uint32 CRC-32C (Castagnoli) of everything before it
//
// The signs are stored densely (no padding to 64 channels), so a binary
// layer takes 1/32 of its float32 size plus 4 bytes per output channel.
// Readers reject other versions, a bad checksum, truncation, trailing
// bytes, a metadata key or record name given twice, and records that do
// not match the network they are loaded into.
//
// # Implementations
//
// Package xnor follows the kernel-selection convention of every gradbench
// package with alternative kernels (internal/impl, with estimators, gemm
// and nn): [Impl] says which kernels run, [Impls] which this build and CPU
// can run, [SetImpl] chooses for benchmarks, and the tests cross-check
// every implementation against the portable one bit for bit. The default
// is the highest-ranked available, in this order:
//
//   - "go": portable Go with math/bits.OnesCount64; runs anywhere (amd64,
//     arm64, …).
//   - "avx2": the default build on amd64 CPUs with AVX2 but without the
//     AVX-512 below (Intel before Ice Lake and its desktop parts since
//     Alder Lake, AMD before Zen 4): the XOR-popcount kernel and packing
//     in Go assembly, popcounts by nibble table lookups (VPSHUFB) summed
//     in bytes; the output transforms stay portable Go.
//   - "avx512": the default build on amd64 CPUs with AVX-512 (F, DQ, VL)
//     and VPOPCNTQ (AVX512_VPOPCNTDQ; Intel since Ice Lake, AMD since
//     Zen 4), checked at start-up with golang.org/x/sys/cpu: the
//     XOR-popcount kernel in Go assembly (kernel_amd64.s), 8 words per
//     VPXORQ and VPOPCNTQ, each weight word XORed in straight from memory
//     as an embedded broadcast, with the float output transform fused into
//     it (blocks whose outputs are consecutive; 8 filters per pass, so that
//     each window vector loaded serves 8 XORs, and the output lines
//     prefetched a few blocks ahead, one plane per filter being more
//     streams than the hardware prefetchers follow), and packing (VCMPPS of 16
//     values against 0 into a mask, a masked VPORD per channel; a whole
//     block of 64 pixels tests two vectors for NaN per compare and
//     prefetches the next block). The threshold outputs of ForwardBits
//     stay portable Go. No cgo, no build
//     flags; the purego build tag turns the assembly off.
//   - "simd": built with GOEXPERIMENT=simd on such a CPU: the same assembly
//     kernel, with the threshold outputs, the output transform of the
//     remaining blocks and the packing of short blocks on archsimd vectors;
//     whole blocks of 64 pixels pack in assembly, as avx512's do. The
//     kernel stays assembly because archsimd cannot express the embedded broadcast and
//     keeps fewer accumulators in registers: an archsimd version of it
//     measured 1.36× slower per XOR-popcount on Zen 4.
package xnor
