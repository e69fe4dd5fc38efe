package bitconv

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/gradbench/gradbench/internal/parallel"
)

// Conv is a packed binary convolution ready for inference: the signs of
// its weights and its output transform. It computes, for every output
// pixel and output channel o,
//
//	d = Σ over in-bounds taps and channels of q(x)·q(W)   (an exact integer)
//	y = Affine(o, d)
//
// where q is the ±1 code (see the package documentation) and taps that fall
// on the zero padding contribute 0, as in the training engine's float
// convolution of binarized activations. [Conv.Forward] writes y as float32
// (NCHW); [Conv.ForwardBits] writes q(y) packed, for a following binary
// layer.
//
// A Conv is not safe for concurrent use; its kernels split the work over
// the process's worker pool (internal/parallel). After the first call for
// an input size, calls allocate nothing.
type Conv struct {
	Shape Shape

	words int      // input words per pixel, ⌈In/64⌉
	taps  int      // Kernel²
	kw    int      // words per im2col row: taps·words
	k     int64    // taps·In, the length of the dot products
	ocPad int      // Out rounded up to a multiple of 8
	w     []uint64 // [ocPad][kw] weight rows (padding rows zero)

	// Tap merging (direct convolutions of at most 32 input channels): a
	// word holds the channels of up to group horizontally adjacent taps,
	// tap t of the group in bits [t·In, (t+1)·In), so that a kernel row
	// takes groups = ⌈Kernel/group⌉ words instead of Kernel. wm holds the
	// weights merged the same way, [ocPad][Kernel·groups].
	group, groups int
	wm            []uint64
	// w8 and wm8 are w and wm interleaved 8 channels to a group for the
	// fused assembly kernel, [ocPad/8][row word][8]: a pass over 8
	// channels reads one 64-byte line per word (see interleave8).
	w8, wm8 []uint64
	wsum    []int32 // [Out][taps]: Σ_c q(W) of each tap, for the padding correction
	mul     []float32
	add     []float32
	flip    []int64 // thresholds of ForwardBits, per padded channel
	tau     []int64

	plan    *plan   // the plan of the current input size
	plans   []*plan // plans of recent input sizes (a last short batch, chunks)
	next    int     // the plan to replace when plans is full
	scratch chan *scratch
	job     convJob
}

// NewConv returns the convolution with weights w and output transform t.
// t must have one finite multiplier and offset per output channel.
func NewConv(w *Weights, t Affine) (*Conv, error) {
	w.check("NewConv")
	s := w.Shape
	if err := t.validate(s.Out); err != nil {
		return nil, err
	}
	c := &Conv{Shape: s, words: w.Words, taps: s.Kernel * s.Kernel}
	c.kw = c.taps * c.words
	c.k = int64(c.taps * s.In)
	c.ocPad = (s.Out + 7) &^ 7
	c.w = make([]uint64, c.ocPad*c.kw)
	if g := 64 / s.In; c.words == 1 && g >= 2 && s.Kernel >= 2 {
		c.group = min(g, s.Kernel)
		c.groups = (s.Kernel + c.group - 1) / c.group
		c.wm = make([]uint64, c.ocPad*s.Kernel*c.groups)
		c.wm8 = make([]uint64, len(c.wm))
	}
	c.w8 = make([]uint64, len(c.w))
	c.wsum = make([]int32, s.Out*c.taps)
	c.mul = make([]float32, c.ocPad)
	c.add = make([]float32, c.ocPad)
	c.flip = make([]int64, c.ocPad)
	c.tau = make([]int64, c.ocPad)
	c.load(w, t)
	nw := parallel.Workers() + 1
	c.scratch = make(chan *scratch, nw)
	for range nw {
		c.scratch <- &scratch{a: make([]uint64, 2*8*c.kw), pc: make([]uint64, 2*64*8), pair: -1}
	}
	c.job.c = c
	return c, nil
}

// SetWeights replaces the convolution's weights and output transform
// with w and t, of the same shape, in place: the training engine's binary
// forward pass calls it once per step with the weights' current codes and
// scales. It allocates nothing, and the plans of the input sizes already
// seen stay (their padding corrections are recomputed). A different shape
// or an invalid transform is a programmer error and panics.
func (c *Conv) SetWeights(w *Weights, t Affine) {
	w.check("Conv.SetWeights")
	if w.Shape != c.Shape {
		panic(fmt.Sprintf("xnor: Conv.SetWeights: weights of shape %+v for a convolution of shape %+v", w.Shape, c.Shape))
	}
	if err := t.validate(c.Shape.Out); err != nil {
		panic("xnor: Conv.SetWeights: " + err.Error())
	}
	c.load(w, t)
	for _, p := range c.plans {
		c.corrections(p)
	}
}

// load sets what depends on the weights and the transform: the weight
// rows (and their tap-merged copy), the per-tap sums of the padding
// correction, the transform and the thresholds of ForwardBits.
func (c *Conv) load(w *Weights, t Affine) {
	s := w.Shape
	copy(c.w, w.Bits) // same order: [o][ky][kx][word]; padding rows stay zero
	if c.wm != nil {
		clear(c.wm)
		kwm := s.Kernel * c.groups
		for o := range s.Out {
			for ky := range s.Kernel {
				for kx := range s.Kernel {
					gi, t := kx/c.group, kx%c.group
					c.wm[o*kwm+ky*c.groups+gi] |= w.Bits[o*c.taps+ky*s.Kernel+kx] << (t * s.In)
				}
			}
		}
	}
	interleave8(c.w8, c.w, c.kw)
	if c.wm != nil {
		interleave8(c.wm8, c.wm, s.Kernel*c.groups)
	}
	for o := range s.Out {
		for t := range c.taps {
			neg := 0
			for _, x := range w.Bits[(o*c.taps+t)*c.words:][:c.words] {
				neg += bits.OnesCount64(x)
			}
			c.wsum[o*c.taps+t] = int32(s.In - 2*neg)
		}
	}
	copy(c.mul, t.Mul)
	copy(c.add, t.Add)
	for o := range c.ocPad {
		if o < s.Out {
			c.flip[o], c.tau[o] = threshold(t.Mul[o], t.Add[o], c.k)
		} else {
			c.tau[o] = math.MinInt32 // padding channels: never −1, so padding bits stay zero
		}
	}
}

// interleave8 sets dst to the weight rows w (of kw words each, a multiple
// of 8 rows) interleaved 8 rows to a group: word k of row o at
// dst[(o/8·kw + k)·8 + o%8].
func interleave8(dst, w []uint64, kw int) {
	for o := range len(w) / kw {
		for k, v := range w[o*kw:][:kw] {
			dst[(o/8*kw+k)*8+o%8] = v
		}
	}
}

// OutSize returns the output height and width for an h×w input, as
// Shape.OutSize (which panics on an input smaller than the kernel).
func (c *Conv) OutSize(h, w int) (oh, ow int) { return c.Shape.OutSize(h, w) }

// Forward computes the convolution of x and writes the transformed outputs
// y to dst in NCHW order: dst[((n·Out+o)·OH+oy)·OW+ox], N·Out·OH·OW values.
// Wrong shapes are programmer errors and panic.
func (c *Conv) Forward(dst []float32, x *Bits) {
	c.setup("Conv.Forward", x)
	if want := x.N * c.Shape.Out * c.plan.ohw; len(dst) != want {
		panic(fmt.Sprintf("xnor: Conv.Forward: dst has %d values, want N·Out·OH·OW = %d for input %v", len(dst), want, x))
	}
	c.run(x, dst, nil, nil)
}

// ForwardAdd is Forward that also adds res (same length as dst) to the
// outputs: dst = y + res, one float32 addition per value, as a residual
// connection adds its shortcut. res may be dst itself (accumulate).
func (c *Conv) ForwardAdd(dst []float32, x *Bits, res []float32) {
	c.setup("Conv.ForwardAdd", x)
	if want := x.N * c.Shape.Out * c.plan.ohw; len(dst) != want || len(res) != want {
		panic(fmt.Sprintf("xnor: Conv.ForwardAdd: dst has %d values and res %d, want N·Out·OH·OW = %d for input %v", len(dst), len(res), want, x))
	}
	c.run(x, dst, res, nil)
}

// ForwardBits computes the convolution of x and writes the signs of the
// transformed outputs, q(y) with q(0) = +1, to dst, which it reshapes to
// N×OH×OW×Out (reusing its buffer when large enough). It compares the
// integer dot products with per-channel thresholds derived from the
// transform, so the result is exactly the sign of Forward's output.
// Wrong shapes are programmer errors and panic.
func (c *Conv) ForwardBits(dst *Bits, x *Bits) {
	c.setup("Conv.ForwardBits", x)
	dst.Reshape(x.N, c.plan.oh, c.plan.ow, c.Shape.Out)
	c.run(x, nil, nil, dst)
}

func (c *Conv) setup(op string, x *Bits) {
	x.check(op)
	if x.C != c.Shape.In {
		panic(fmt.Sprintf("xnor: %s: input %v has %d channels, want %d", op, x, x.C, c.Shape.In))
	}
	if _, _, ok := c.Shape.outSize(x.H, x.W); !ok {
		panic(fmt.Sprintf("xnor: %s: input %v is smaller than the %dx%d kernel with padding %d", op, x, c.Shape.Kernel, c.Shape.Kernel, c.Shape.Pad))
	}
	if p := c.plan; p != nil && p.n == x.N && p.h == x.H && p.w == x.W {
		return
	}
	for _, p := range c.plans {
		if p.n == x.N && p.h == x.H && p.w == x.W {
			c.plan = p
			return
		}
	}
	// A new input size: keep up to 4 plans, so that alternating sizes
	// (full and last batches, chunks) allocate nothing after the first.
	if len(c.plans) < 4 {
		c.plans = append(c.plans, new(plan))
		c.plan = c.plans[len(c.plans)-1]
	} else {
		c.plan = c.plans[c.next]
		c.next = (c.next + 1) % len(c.plans)
	}
	c.newPlan(x.N, x.H, x.W)
}

// scratch is one worker's buffers.
type scratch struct {
	a      []uint64 // im2col rows of the current pair: [2 blocks][kw][8 lanes]
	pc     []uint64 // popcounts of 64 channels: [2 blocks][64][8 lanes]
	pair   int      // the pair prepared, −1 for none
	base   [2]int   // where each block's windows start in xp (direct) or a
	cls    [2][16]uint32
	border [2]bool   // whether a block has a lane with a non-zero class
	valid  [2]int    // valid lanes of each block (the last block may be short)
	contig [2]bool   // whether a block's valid outputs are consecutive in NCHW
	off    [2][8]int // output offsets n·Out·OHW + q of the lanes (lane 0 only if contig)
	pix    [2][8]int // output pixel indices n·OHW + q of the lanes (lane 0 only if contig)
	masks  [2][64]uint8
}

// convJob is the parallel job of one Forward or ForwardBits call, with
// the kernels of the implementation in use.
type convJob struct {
	c    *Conv
	x    *Bits
	out  []float32
	res  []float32
	bits *Bits

	xorPopcnt func(pc, src []uint64, base [2]int, koff []int, kmax int, w []uint64, nc, nblk int)
	fused     func(c *Conv, out, res []float32, src []uint64, s *scratch, o0, o1 int) bool
	outFloat  func(c *Conv, out, res []float32, s *scratch, b, o0, nc int)
	outMasks  func(c *Conv, s *scratch, b, o0, nc int)
	done      func()
}

func (c *Conv) run(x *Bits, out, res []float32, dst *Bits) {
	p := c.plan
	if p.p == 0 {
		return
	}
	if p.direct {
		p.pad.x = x
		parallel.For(p.n*p.h, max(1, (1<<14)/p.padWords(c)), 1, &p.pad)
		p.pad.x = nil
	}
	j := &c.job
	j.x, j.out, j.res, j.bits = x, out, res, dst
	j.xorPopcnt, j.fused, j.outFloat, j.outMasks, j.done = xorKernel.Get(), fusedKernel.Get(), outFloatKernel.Get(), outMasksKernel.Get(), doneKernel.Get()
	parallel.For(p.pairs*p.chunks, p.grain(grainWords.Get()), 1, j)
	j.x, j.out, j.res, j.bits = nil, nil, nil, nil
}

func (j *convJob) Do(lo, hi int) {
	c, p := j.c, j.c.plan
	s := <-c.scratch
	s.pair = -1
	for u := lo; u < hi; u++ {
		pair, ch := u/p.chunks, u%p.chunks
		if pair != s.pair {
			if p.direct {
				c.prepareDirect(s, pair)
			} else {
				c.im2col(s, j.x, pair)
			}
			s.pair = pair
		}
		src := p.xp
		if !p.direct {
			src = s.a
		}
		nblk := 2
		if s.valid[1] == 0 {
			nblk = 1
		}
		o1 := min(c.ocPad, (ch+1)*p.chunk)
		if j.out != nil && j.fused(c, j.out, j.res, src, s, ch*p.chunk, o1) {
			continue
		}
		for o := ch * p.chunk; o < o1; o += 64 {
			nc := min(64, o1-o)
			j.xorPopcnt(s.pc, src, s.base, p.koff, p.kmax, p.wmat[o*p.kwp:][:nc*p.kwp], nc, nblk)
			for b := range nblk {
				if j.out != nil {
					j.outFloat(c, j.out, j.res, s, b, o, nc)
				} else {
					j.outMasks(c, s, b, o, nc)
					c.outBits(j.bits, s, b, o, nc)
				}
			}
		}
	}
	j.done()
	c.scratch <- s
}
