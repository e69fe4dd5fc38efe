package bitconv

import (
	"fmt"
	"sync/atomic"

	"github.com/gradbench/gradbench/internal/parallel"
)

// Bits is a batch of binarized activations, N images of H×W pixels with C
// channels, packed along the channels in NHWC order: pixel (n, h, w) is the
// Words = ⌈C/64⌉ words starting at Data[((n·H+h)·W+w)·Words], and channel c
// is bit c%64 of the pixel's word c/64. A set bit means −1, a clear bit +1
// (see the package documentation). The padding bits of the last word
// (channels C to 64·Words−1) are always zero; the kernels rely on it.
type Bits struct {
	N, H, W, C int
	Words      int // words per pixel, ⌈C/64⌉
	Data       []uint64

	pack packJob // Pack's parallel job, kept here so that Pack allocates nothing
}

// NewBits returns packed activations of the given shape, all +1.
func NewBits(n, h, w, c int) *Bits {
	if n < 0 || h < 0 || w < 0 || c < 1 {
		panic(fmt.Sprintf("xnor: NewBits(%d, %d, %d, %d): want non-negative sizes and c >= 1", n, h, w, c))
	}
	words := WordsFor(c)
	return &Bits{N: n, H: h, W: w, C: c, Words: words, Data: make([]uint64, n*h*w*words)}
}

// WordsFor returns ⌈c/64⌉, the number of words that hold c channels. It
// panics on a negative c, for which integer division would give 0 or a
// negative count rather than refusing.
func WordsFor(c int) int {
	if c < 0 {
		panic(fmt.Sprintf("xnor: WordsFor(%d): want a non-negative channel count", c))
	}
	return (c + 63) / 64
}

// Reshape sets the shape of b, reusing Data when its capacity suffices and
// growing it otherwise (so a smaller batch reuses a larger one's buffer
// without allocating). The contents are not cleared.
func (b *Bits) Reshape(n, h, w, c int) {
	if n < 0 || h < 0 || w < 0 || c < 1 {
		panic(fmt.Sprintf("xnor: Bits.Reshape(%d, %d, %d, %d): want non-negative sizes and c >= 1", n, h, w, c))
	}
	b.N, b.H, b.W, b.C, b.Words = n, h, w, c, WordsFor(c)
	size := n * h * w * b.Words
	if cap(b.Data) < size {
		b.Data = make([]uint64, size)
	}
	b.Data = b.Data[:size]
}

// String returns the shape, such as "16x28x28x64".
func (b *Bits) String() string { return fmt.Sprintf("%dx%dx%dx%d", b.N, b.H, b.W, b.C) }

func (b *Bits) check(op string) {
	if b.N < 0 || b.H < 0 || b.W < 0 || b.C < 1 || b.Words != WordsFor(b.C) || len(b.Data) != b.N*b.H*b.W*b.Words {
		panic(fmt.Sprintf("xnor: %s: Bits %v with %d words per pixel has %d words of data, want %d words per pixel and %d words",
			op, b, b.Words, len(b.Data), WordsFor(b.C), b.N*b.H*b.W*WordsFor(b.C)))
	}
}

// signBit is the packed code of x: 1 (−1) if x < 0, else 0 (+1). So −0 and
// +0 pack as +1, like the training forward q(0) = +1, and NaN packs as +1.
func signBit(x float32) uint64 {
	if x < 0 {
		return 1
	}
	return 0
}

// Pack binarizes x, a float32 tensor of shape N×C×H×W in NCHW order (the
// training engine's layout), into dst, whose shape must already be set to
// N, H, W, C. Channel c of pixel p gets the bit signBit(x) = 1 if x < 0
// else 0, so q(0) = q(−0) = +1; NaN packs as +1 (the inference kernels do
// not look for NaN). Pack reports whether x holds a NaN, found in the same
// pass: the training engine then takes its float path, whose outputs show
// it.
//
// Pack runs on the worker pool and allocates nothing. A length mismatch is a
// programmer error and panics.
func Pack(dst *Bits, x []float32) (nan bool) {
	dst.check("Pack")
	if len(x) != dst.N*dst.C*dst.H*dst.W {
		panic(fmt.Sprintf("xnor: Pack: %d values for Bits %v, want N·C·H·W = %d", len(x), dst, dst.N*dst.C*dst.H*dst.W))
	}
	hw := dst.H * dst.W
	if hw == 0 || dst.N == 0 {
		return false
	}
	j := &dst.pack
	*j = packJob{dst: dst, x: x, hw: hw, blocks: (hw + packBlock - 1) / packBlock, pack: packKernel.Get(), done: doneKernel.Get()}
	// One unit is a block of packBlock pixels of one image, all channel
	// words.
	units := dst.N * j.blocks
	parallel.For(units, max(1, (1<<16)/(packBlock*dst.C)), 1, j) // parts of at least 2^16 values
	nan = atomic.LoadInt32(&j.nan) != 0
	*j = packJob{}
	return nan
}

// packJob is Pack's parallel job, with the kernels of the implementation
// in use.
type packJob struct {
	dst    *Bits
	x      []float32
	hw     int
	blocks int
	pack   func(dst *Bits, x []float32, n, p0, np, hw int) (nan bool)
	done   func()
	nan    int32 // 1 when a unit found a NaN (atomic: Do runs concurrently)
}

// packBlock is the number of pixels of a unit of Pack's work: 64 pixels
// read 256 contiguous bytes (4 cache lines) of each channel.
const packBlock = 64

func (j *packJob) Do(lo, hi int) {
	nan := false
	for u := lo; u < hi; u++ {
		n, blk := u/j.blocks, u%j.blocks
		p0 := blk * packBlock
		if j.pack(j.dst, j.x, n, p0, min(packBlock, j.hw-p0), j.hw) {
			nan = true
		}
	}
	j.done()
	if nan {
		atomic.StoreInt32(&j.nan, 1)
	}
}

// packBlocks is the portable packKernel: packBlockGo on groups of up to 8
// pixels. It reports whether the values it read hold a NaN.
func packBlocks(dst *Bits, x []float32, n, p0, np, hw int) (nan bool) {
	for q := 0; q < np; q += 8 {
		packBlockGo(dst, x, n, p0+q, min(8, np-q), hw)
	}
	c := dst.C
	for ch := range c {
		for _, v := range x[(n*c+ch)*hw+p0:][:np] {
			nan = nan || v != v
		}
	}
	return nan
}

// packBlockGo packs pixels p0 to p0+np−1 (np <= 8) of image n, every
// channel word. It is the reference packing loop:
//
//	for c: for p: word[p][c/64] |= signBit(x[n][c][p]) << (c%64)
func packBlockGo(dst *Bits, x []float32, n, p0, np, hw int) {
	c := dst.C
	img := x[n*c*hw:][:c*hw]
	out := dst.Data[(n*hw+p0)*dst.Words:][:np*dst.Words]
	for w := range dst.Words {
		c0, c1 := w*64, min(c, w*64+64)
		if np == 8 {
			var a0, a1, a2, a3, a4, a5, a6, a7 uint64
			for ch := c1 - 1; ch >= c0; ch-- {
				r := img[ch*hw+p0:][:8]
				a0 = a0<<1 | signBit(r[0])
				a1 = a1<<1 | signBit(r[1])
				a2 = a2<<1 | signBit(r[2])
				a3 = a3<<1 | signBit(r[3])
				a4 = a4<<1 | signBit(r[4])
				a5 = a5<<1 | signBit(r[5])
				a6 = a6<<1 | signBit(r[6])
				a7 = a7<<1 | signBit(r[7])
			}
			ws := dst.Words
			out[w], out[ws+w], out[2*ws+w], out[3*ws+w] = a0, a1, a2, a3
			out[4*ws+w], out[5*ws+w], out[6*ws+w], out[7*ws+w] = a4, a5, a6, a7
			continue
		}
		for p := range np {
			var a uint64
			for ch := c1 - 1; ch >= c0; ch-- {
				a = a<<1 | signBit(img[ch*hw+p0+p])
			}
			out[p*dst.Words+w] = a
		}
	}
}

// Unpack writes the ±1 values of b to dst in NCHW order (N·C·H·W values):
// the inverse of Pack up to binarization. It is meant for tests and
// debugging, not for hot paths.
func (b *Bits) Unpack(dst []float32) {
	b.check("Unpack")
	if len(dst) != b.N*b.C*b.H*b.W {
		panic(fmt.Sprintf("xnor: Unpack: %d values for Bits %v, want N·C·H·W = %d", len(dst), b, b.N*b.C*b.H*b.W))
	}
	hw := b.H * b.W
	for n := range b.N {
		for c := range b.C {
			for p := range hw {
				v := float32(1)
				if b.Data[(n*hw+p)*b.Words+c/64]>>(c%64)&1 != 0 {
					v = -1
				}
				dst[(n*b.C+c)*hw+p] = v
			}
		}
	}
}
