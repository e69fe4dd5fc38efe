package xnor

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

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
	wsum          []int32 // [Out][taps]: Σ_c q(W) of each tap, for the padding correction
	mul           []float32
	add           []float32
	flip          []int64 // thresholds of ForwardBits, per padded channel
	tau           []int64

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
	copy(c.w, w.Bits) // same order: [o][ky][kx][word]
	if g := 64 / s.In; c.words == 1 && g >= 2 && s.Kernel >= 2 {
		c.group = min(g, s.Kernel)
		c.groups = (s.Kernel + c.group - 1) / c.group
		kwm := s.Kernel * c.groups
		c.wm = make([]uint64, c.ocPad*kwm)
		for o := range s.Out {
			for ky := range s.Kernel {
				for kx := range s.Kernel {
					gi, t := kx/c.group, kx%c.group
					c.wm[o*kwm+ky*c.groups+gi] |= w.Bits[o*c.taps+ky*s.Kernel+kx] << (t * s.In)
				}
			}
		}
	}
	c.wsum = make([]int32, s.Out*c.taps)
	for o := range s.Out {
		for t := range c.taps {
			neg := 0
			for _, x := range w.Bits[(o*c.taps+t)*c.words:][:c.words] {
				neg += bits.OnesCount64(x)
			}
			c.wsum[o*c.taps+t] = int32(s.In - 2*neg)
		}
	}
	c.mul = make([]float32, c.ocPad)
	c.add = make([]float32, c.ocPad)
	copy(c.mul, t.Mul)
	copy(c.add, t.Add)
	c.flip = make([]int64, c.ocPad)
	c.tau = make([]int64, c.ocPad)
	for o := range c.ocPad {
		if o < s.Out {
			c.flip[o], c.tau[o] = threshold(t.Mul[o], t.Add[o], c.k)
		} else {
			c.tau[o] = math.MinInt32 // padding channels: never −1, so padding bits stay zero
		}
	}
	nw := parallel.Workers() + 1
	c.scratch = make(chan *scratch, nw)
	for range nw {
		c.scratch <- &scratch{a: make([]uint64, 2*8*c.kw), pc: make([]uint64, 2*64*8), pair: -1}
	}
	c.job.c = c
	return c, nil
}

// OutSize returns the output height and width for an h×w input.
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
	oh, ow := c.Shape.OutSize(x.H, x.W)
	if oh < 1 || ow < 1 {
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

// plan holds what depends on the input size: the output geometry, the
// classes of border positions and their padding corrections.
//
// Output pixels are numbered g = (n·OH+oy)·OW+ox, P in all, and cut into
// blocks of 8 consecutive pixels (the vector lanes); a unit of parallel work
// is a pair of blocks times a range of output channels.
//
// A padded tap holds no activation: the im2col rows get the code +1 there
// (a zero word), which adds Σ_c q(W[o,c,tap]) to the dot product where the
// float convolution adds 0. The correction subtracts that sum over the
// out-of-bounds taps. Which taps are out of bounds depends only on the
// output row's class (the set of kernel rows that fall outside the input)
// and the column's class, so the corrections are precomputed per (row
// class, column class) pair and output channel, the approach of Larq Compute
// Engine's padding correction for its zero-padded binary convolutions.
// Class 0 is the interior: no correction.
type plan struct {
	n, h, w, oh, ow, ohw int
	p                    int // N·OH·OW output pixels
	nb                   int // blocks of up to 8 lanes
	rowCls, colCls       []uint8
	ncc                  int     // number of column classes
	cstride              int     // row length of corr: the class count, at least 16
	corr                 []int32 // [Out][cstride] corrections per class
	pairs, chunk, chunks int     // units are pairs × chunks of output channels
	unitWork             int     // word XORs per unit

	// direct (stride 1): the kernel reads a zero-padded copy of the
	// input, xp, in word-plane-major order [n][word][hp][wr], where the 8
	// lanes of a block (8 consecutive output pixels of one row) read 8
	// consecutive words for every tap. A block never spans two rows: each
	// output row has bpr = ⌈OW/8⌉ blocks, the last one possibly short.
	// Otherwise blocks are 8 consecutive output pixels in N·OH·OW order
	// and im2col gathers their windows into scratch.
	direct     bool
	bpr        int
	colV       [][8]uint32 // per block of a row: its lanes' column classes (0 past the row's end)
	colBorder  []bool      // per block of a row: whether a lane has a non-zero column class
	hp, wr, pl int         // padded rows, row stride in words, words per plane (hp·wr)
	xp         []uint64
	koff       []int // word k of a lane's window is at base + koff[k]
	kmax       int   // max(koff) + 8: the words a block reads from its base
	pad        padJob

	// planes per image in xp: the input's word planes, or with tap
	// merging one plane per group size in sizes (a plane of size t holds,
	// at column x, the codes of columns x to x+t−1 side by side).
	planes int
	sizes  []int
	wmat   []uint64 // the weight rows the kernel uses (Conv.w or Conv.wm)
	kwp    int      // their length
}

// borderClasses returns, for each of the out output positions along one
// axis, the index of the set of kernel offsets that fall outside [0, size),
// and the sets themselves as bit masks; index 0 is the empty set.
func borderClasses(out, size, kernel, stride, pad int) (cls []uint8, masks []uint64) {
	cls = make([]uint8, out)
	masks = []uint64{0}
	for o := range out {
		var m uint64
		for k := range kernel {
			if i := o*stride - pad + k; i < 0 || i >= size {
				m |= 1 << k
			}
		}
		idx := -1
		for j, x := range masks {
			if x == m {
				idx = j
				break
			}
		}
		if idx < 0 {
			idx = len(masks)
			masks = append(masks, m)
		}
		cls[o] = uint8(idx)
	}
	return cls, masks
}

func (c *Conv) newPlan(n, h, w int) {
	s := c.Shape
	p := c.plan
	p.n, p.h, p.w = n, h, w
	p.oh, p.ow = s.OutSize(h, w)
	p.ohw = p.oh * p.ow
	p.p = n * p.ohw
	// Direct needs stride 1; rows narrower than 4 pixels would leave most
	// of a block's lanes empty, so they take im2col, whose blocks span rows.
	p.direct = s.stride() == 1 && p.ow >= 4
	if p.direct {
		p.bpr = (p.ow + 7) / 8
		p.nb = n * p.oh * p.bpr
		p.hp = h + 2*s.Pad
		// Lanes past the end of a row read up to column 8·bpr+Kernel−2.
		p.wr = max(w+2*s.Pad, 8*p.bpr+s.Kernel-1)
		p.pl = p.hp * p.wr
		if c.group >= 2 {
			p.sizes = []int{c.group}
			if r := s.Kernel % c.group; r != 0 {
				p.sizes = append(p.sizes, r)
			}
			p.planes = len(p.sizes)
			p.wmat, p.kwp = c.wm, s.Kernel*c.groups
			p.koff = make([]int, p.kwp)
			for ky := range s.Kernel {
				for g := range c.groups {
					size := min(c.group, s.Kernel-g*c.group)
					plane := slices.Index(p.sizes, size)
					p.koff[ky*c.groups+g] = plane*p.pl + ky*p.wr + g*c.group
				}
			}
		} else {
			p.sizes = nil
			p.planes = c.words
			p.wmat, p.kwp = c.w, c.kw
			p.koff = make([]int, c.kw)
			for ky := range s.Kernel {
				for kx := range s.Kernel {
					for wd := range c.words {
						p.koff[(ky*s.Kernel+kx)*c.words+wd] = wd*p.pl + ky*p.wr + kx
					}
				}
			}
		}
		p.xp = make([]uint64, n*p.planes*p.pl) // borders stay zero (+1)
	} else {
		p.nb = (p.p + 7) / 8
		p.xp = nil
		p.wmat, p.kwp = c.w, c.kw
		p.koff = make([]int, c.kw)
		for k := range p.koff {
			p.koff[k] = 8 * k
		}
	}
	p.kmax = slices.Max(p.koff) + 8
	p.pad.c = c
	var rmasks, cmasks []uint64
	p.rowCls, rmasks = borderClasses(p.oh, h, s.Kernel, s.stride(), s.Pad)
	p.colCls, cmasks = borderClasses(p.ow, w, s.Kernel, s.stride(), s.Pad)
	if len(rmasks)*len(cmasks) > 256 {
		// Pad < Kernel <= 64 gives at most 2·Pad+1 classes per axis in
		// practice; this guards the uint8 class index.
		panic(fmt.Sprintf("xnor: Conv: %d×%d border classes for shape %+v on %dx%d input", len(rmasks), len(cmasks), s, h, w))
	}
	p.ncc = len(cmasks)
	if p.direct {
		p.colV = make([][8]uint32, p.bpr)
		p.colBorder = make([]bool, p.bpr)
		for bx := range p.bpr {
			for j := range min(8, p.ow-8*bx) {
				p.colV[bx][j] = uint32(p.colCls[8*bx+j])
				p.colBorder[bx] = p.colBorder[bx] || p.colCls[8*bx+j] != 0
			}
		}
	}
	ncls := len(rmasks) * len(cmasks)
	p.cstride = max(16, ncls)
	p.corr = make([]int32, s.Out*p.cstride)
	for o := range s.Out {
		ws := c.wsum[o*c.taps:][:c.taps]
		for ry, rm := range rmasks {
			for rx, cm := range cmasks {
				var sum int32
				for ky := range s.Kernel {
					for kx := range s.Kernel {
						if rm>>ky&1 != 0 || cm>>kx&1 != 0 {
							sum += ws[ky*s.Kernel+kx]
						}
					}
				}
				p.corr[o*p.cstride+ry*p.ncc+rx] = -sum
			}
		}
	}
	// Units: pairs of blocks × chunks of output channels (multiples of 64,
	// so that ForwardBits writes whole words). Small images get several
	// chunks so that every worker has work; tiny problems run on one
	// goroutine.
	workers := parallel.Workers()
	p.pairs = (p.nb + 1) / 2
	chunks := 1
	if p.pairs > 0 && p.pairs < 4*workers {
		chunks = min((c.ocPad+63)/64, (4*workers+p.pairs-1)/p.pairs)
	}
	p.chunk = ((c.ocPad+chunks-1)/chunks + 63) &^ 63
	p.chunks = (c.ocPad + p.chunk - 1) / p.chunk
	p.unitWork = 16 * p.chunk * c.kw
}

// grain returns the units of the smallest part of a call worth sending to
// another core: words word XORs (see grainWords).
func (p *plan) grain(words int) int {
	return max(1, words/max(1, p.unitWork))
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
		parallel.For(p.n*p.h, max(1, (1<<14)/(p.w*c.words)), 1, &p.pad)
		p.pad.x = nil
	}
	j := &c.job
	j.x, j.out, j.res, j.bits = x, out, res, dst
	j.xorPopcnt, j.fused, j.outFloat, j.outMasks, j.done = xorKernel.Get(), fusedKernel.Get(), outFloatKernel.Get(), outMasksKernel.Get(), doneKernel.Get()
	parallel.For(p.pairs*p.chunks, p.grain(grainWords.Get()), 1, j)
	j.x, j.out, j.res, j.bits = nil, nil, nil, nil
}

// mergeRow writes one row of a merged plane of size t: dst[x] holds the
// codes of input columns x−pad to x−pad+t−1, column x−pad+i shifted left
// by i·in bits, zero (+1) for columns outside the input row src. Columns
// of dst with no input column at all are left as they are (zero).
func mergeRow(dst, src []uint64, t, pad int, in uint) {
	w := len(src)
	// Columns lo to hi−1 have all t taps inside the input.
	lo, hi := min(pad, len(dst)), max(pad, min(len(dst), w+pad-t+1))
	if hi > lo {
		d := dst[lo:hi]
		switch t {
		case 1:
			copy(d, src)
		case 2:
			s0, s1 := src[:len(d)], src[1:][:len(d)]
			for k := range d {
				d[k] = s0[k] | s1[k]<<in
			}
		case 3:
			s0, s1, s2 := src[:len(d)], src[1:][:len(d)], src[2:][:len(d)]
			for k := range d {
				d[k] = s0[k] | s1[k]<<in | s2[k]<<(2*in)
			}
		default:
			for k := range d {
				var m uint64
				for i, v := range src[k:][:t] {
					m |= v << (uint(i) * in)
				}
				d[k] = m
			}
		}
	}
	edge := func(x0, x1 int) {
		for x := x0; x < x1; x++ {
			var m uint64
			for i := range t {
				if ix := x - pad + i; ix >= 0 && ix < w {
					m |= src[ix] << (uint(i) * in)
				}
			}
			dst[x] = m
		}
	}
	// Columns left of pad−t+1 or from w+pad on hold no input column: they
	// are zero since xp was allocated and are never written.
	edge(max(0, pad-t+1), lo)
	edge(max(lo, hi), min(len(dst), w+pad))
}

// padJob copies the input rows into the interior of the padded,
// word-plane-major buffer xp of a direct convolution.
type padJob struct {
	c *Conv
	x *Bits
}

func (j *padJob) Do(lo, hi int) {
	c, p := j.c, j.c.plan
	words, pad := c.words, c.Shape.Pad
	for r := lo; r < hi; r++ {
		n, iy := r/p.h, r%p.h
		src := j.x.Data[(n*p.h+iy)*p.w*words:][:p.w*words]
		if p.sizes != nil {
			// Merged planes: column x of a plane of size t holds input
			// columns x−pad to x−pad+t−1, tap i at bit i·In; columns
			// outside the input are zero.
			for pi, t := range p.sizes {
				mergeRow(p.xp[(n*p.planes+pi)*p.pl+(iy+pad)*p.wr:][:p.wr], src, t, pad, uint(c.Shape.In))
			}
			continue
		}
		for wd := range words {
			dst := p.xp[(n*words+wd)*p.pl+(iy+pad)*p.wr+pad:][:p.w]
			if words == 1 {
				copy(dst, src)
				continue
			}
			for ix := range dst {
				dst[ix] = src[ix*words+wd]
			}
		}
	}
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

// im2col fills s.a with the input codes under the kernel window of each
// lane of the pair's two blocks, in the order [block][tap][word][lane]
// (taps ky-major), zero (+1) for padded taps and for lanes past the last
// pixel, and records the lanes' border classes and output offsets. It
// works on runs of lanes in the same output row, which read consecutive
// input pixels (every stride-th).
func (c *Conv) im2col(s *scratch, x *Bits, pair int) {
	p := c.plan
	imgWords := p.h * p.w * c.words
	s.base = [2]int{0, 8 * c.kw}
	for b := range 2 {
		a := s.a[b*8*c.kw:][:8*c.kw]
		g0 := (pair*2 + b) * 8
		s.border[b], s.valid[b] = false, 0
		n, q := g0/p.ohw, g0%p.ohw
		oy, ox := q/p.ow, q%p.ow
		j := 0
		for j < 8 && g0+j < p.p {
			run := min(8-j, p.ow-ox, p.p-g0-j)
			off := n*c.Shape.Out*p.ohw + oy*p.ow + ox
			pix := n*p.ohw + oy*p.ow + ox
			rc := int(p.rowCls[oy]) * p.ncc
			for l := range run {
				cls := rc + int(p.colCls[ox+l])
				s.cls[b][j+l] = uint32(cls)
				s.off[b][j+l] = off + l
				s.pix[b][j+l] = pix + l
				s.border[b] = s.border[b] || cls != 0
			}
			c.im2colRun(a, x.Data[n*imgWords:][:imgWords], j, run, oy, ox)
			j += run
			if ox += run; ox == p.ow {
				ox = 0
				if oy++; oy == p.oh {
					oy = 0
					n++
				}
			}
		}
		s.valid[b] = j
		for ; j < 8; j++ { // lanes past the last pixel
			s.cls[b][j], s.off[b][j] = 0, 0
			s.pix[b][j] = 0
			for i := j; i < len(a); i += 8 {
				a[i] = 0
			}
		}
		s.contig[b] = s.valid[b] > 0 && s.off[b][s.valid[b]-1] == s.off[b][0]+s.valid[b]-1
	}
}

// prepareDirect sets the bases, lanes, classes and output offsets of the
// pair's two blocks for a direct convolution.
func (c *Conv) prepareDirect(s *scratch, pair int) {
	p := c.plan
	blk := pair * 2
	// Block 1 follows block 0: the next block of its row, or the first of
	// the next row (of the next image).
	row, bx := int(uint32(blk)/uint32(p.bpr)), int(uint32(blk)%uint32(p.bpr))
	n, oy := int(uint32(row)/uint32(p.oh)), int(uint32(row)%uint32(p.oh))
	for b := range 2 {
		if blk+b >= p.nb {
			s.border[b], s.valid[b], s.contig[b] = false, 0, false
			s.base[b] = s.base[0]
			continue
		}
		if b == 1 {
			if bx++; bx == p.bpr {
				bx = 0
				if oy++; oy == p.oh {
					oy = 0
					n++
				}
			}
		}
		ox0 := bx * 8
		s.base[b] = n*p.planes*p.pl + oy*p.wr + ox0
		s.valid[b], s.contig[b] = min(8, p.ow-ox0), true
		// Lanes past the row's end get the row's class: any index below
		// cstride will do, their outputs are not stored.
		rc := uint32(p.rowCls[oy]) * uint32(p.ncc)
		cls, cv := &s.cls[b], &p.colV[bx]
		for j := range 8 {
			cls[j] = rc + cv[j]
		}
		s.border[b] = rc != 0 || p.colBorder[bx]
		// The lanes' outputs are consecutive (contig): only lane 0's
		// offsets are set, the others are lane 0's + j.
		s.off[b][0] = n*c.Shape.Out*p.ohw + oy*p.ow + ox0
		s.pix[b][0] = n*p.ohw + oy*p.ow + ox0
	}
}

// im2colRun fills lanes j to j+run−1 of one block's im2col rows a for the
// output pixels (oy, ox) to (oy, ox+run−1) of image img.
func (c *Conv) im2colRun(a, img []uint64, j, run, oy, ox int) {
	sh, p := c.Shape, c.plan
	st, kern, words := sh.stride(), sh.Kernel, c.words
	ix0 := ox*st - sh.Pad
	for ky := range kern {
		iy := oy*st - sh.Pad + ky
		var src []uint64
		if iy >= 0 && iy < p.h {
			src = img[iy*p.w*words:][:p.w*words]
		}
		for kx := range kern {
			row := a[(ky*kern+kx)*words*8:][:words*8]
			ix := ix0 + kx
			// Lanes lo..hi−1 read inside the row: 0 <= ix + l·st < W.
			lo, hi := 0, run
			if src == nil {
				hi = 0
			} else {
				if ix < 0 {
					lo = min(run, (-ix+st-1)/st)
				}
				if ix+(run-1)*st >= p.w {
					hi = max(lo, (p.w-ix+st-1)/st)
				}
			}
			for w := range words {
				r := row[w*8+j:][:run]
				for l := range lo {
					r[l] = 0
				}
				for l := hi; l < run; l++ {
					r[l] = 0
				}
			}
			if hi <= lo {
				continue
			}
			if words == 1 && st == 1 {
				r := row[j+lo : j+hi]
				for i, v := range src[ix+lo : ix+hi] {
					r[i] = v
				}
				continue
			}
			for l := lo; l < hi; l++ {
				px := src[(ix+l*st)*words:][:words]
				for w, v := range px {
					row[w*8+j+l] = v
				}
			}
		}
	}
}

// kernelGo is the portable XNOR-popcount kernel: for nblk blocks of 8
// lanes, whose window word k of lane j is src[base[b]+koff[k]+j], and the
// nc weight rows of w (len(koff) words each; kmax, the words a block reads
// from its base, is for the assembly's bounds checks),
//
//	pc[(b·64+i)·8+j] = Σ_k popcount(src[base[b]+koff[k]+j] XOR w[i][k])
//
// the number of sign mismatches, so that the dot product of the ±1 codes is
// taps·In − 2·pc (before the padding correction). It computes 4 lanes × 2
// channels at a time (register blocking: each loaded word is used twice).
func kernelGo(pc, src []uint64, base [2]int, koff []int, kmax int, w []uint64, nc, nblk int) {
	kw := len(koff)
	for b := range nblk {
		for i := 0; i < nc; i += 2 {
			w0 := w[i*kw:][:kw]
			w1 := w[(i+1)*kw:][:kw]
			for l := 0; l < 8; l += 4 {
				var c00, c01, c02, c03, c10, c11, c12, c13 int
				lsrc := src[base[b]+l:]
				for k, v0 := range w0 {
					x := lsrc[koff[k]:][:4]
					v1 := w1[k]
					c00 += bits.OnesCount64(x[0] ^ v0)
					c01 += bits.OnesCount64(x[1] ^ v0)
					c02 += bits.OnesCount64(x[2] ^ v0)
					c03 += bits.OnesCount64(x[3] ^ v0)
					c10 += bits.OnesCount64(x[0] ^ v1)
					c11 += bits.OnesCount64(x[1] ^ v1)
					c12 += bits.OnesCount64(x[2] ^ v1)
					c13 += bits.OnesCount64(x[3] ^ v1)
				}
				r := pc[(b*64+i)*8+l:][:4]
				r[0], r[1], r[2], r[3] = uint64(c00), uint64(c01), uint64(c02), uint64(c03)
				r = pc[(b*64+i+1)*8+l:][:4]
				r[0], r[1], r[2], r[3] = uint64(c10), uint64(c11), uint64(c12), uint64(c13)
			}
		}
	}
}

// dot returns the corrected dot product of lane j of block b for channel o
// from its popcount.
func (c *Conv) dot(s *scratch, b, j, o int, pc uint64) int64 {
	return c.k - 2*int64(pc) + int64(c.plan.corr[o*c.plan.cstride+int(s.cls[b][j])])
}

// outFloat is the portable outFloatKernel: outFloatGo on every channel.
func (c *Conv) outFloat(out, res []float32, s *scratch, b, o0, nc int) {
	c.outFloatGo(out, res, s, b, o0, 0, nc)
}

// outFloatGo applies the transform to channels o0+i0 to o0+nc−1 of block b
// (o0 being where s.pc's channels start) and writes them to out, adding res
// (when not nil) at the same positions. It is the reference loop
//
//	for i, j: k := s.off[b][j] + o·OH·OW
//	          out[k] = apply(mul[o], add[o], c.dot(s, b, j, o, pc)) (+ res[k])
//
// with the lanes of a block whose outputs are consecutive written as one
// slice, and the corrections looked up only for border blocks.
func (c *Conv) outFloatGo(out, res []float32, s *scratch, b, o0, i0, nc int) {
	p := c.plan
	v := s.valid[b]
	var cls [8]int
	for j := range v {
		cls[j] = int(s.cls[b][j])
	}
	for i := i0; i < min(nc, c.Shape.Out-o0); i++ {
		o := o0 + i
		mul, add := c.mul[o], c.add[o]
		pc := s.pc[(b*64+i)*8:][:8]
		var corr []int32
		if s.border[b] {
			corr = p.corr[o*p.cstride:][:p.cstride]
		}
		if !s.contig[b] {
			for j := range v {
				k := s.off[b][j] + o*p.ohw
				y := apply(mul, add, c.dot(s, b, j, o, pc[j]))
				if res != nil {
					y += res[k]
				}
				out[k] = y
			}
			continue
		}
		at := s.off[b][0] + o*p.ohw
		dst := out[at:][:v]
		var r []float32
		if res != nil {
			r = res[at:][:v]
		}
		for j := range dst {
			d := c.k - 2*int64(pc[j])
			if corr != nil {
				d += int64(corr[cls[j]])
			}
			y := apply(mul, add, d)
			if r != nil {
				y += r[j]
			}
			dst[j] = y
		}
	}
}

// outMasksGo sets s.masks[b][i], bit j, to the code of q(y) of lane j for
// channel o0+i: 1 (−1) where y < 0.
func (c *Conv) outMasksGo(s *scratch, b, o0, nc int) {
	for i := range nc {
		o := o0 + i
		flip, tau := c.flip[o], c.tau[o]
		pc := s.pc[(b*64+i)*8:][:8]
		var m uint8
		for j := range 8 {
			d := c.k - 2*int64(pc[j])
			if o < c.Shape.Out {
				d += int64(c.plan.corr[o*c.plan.cstride+int(s.cls[b][j])])
			}
			if (d^flip)-flip < tau {
				m |= 1 << j
			}
		}
		s.masks[b][i] = m
	}
}

// outBits writes the packed codes of channels o0 to o0+nc−1 (a word's
// worth, o0 a multiple of 64) of block b's valid lanes from s.masks.
func (c *Conv) outBits(dst *Bits, s *scratch, b, o0, nc int) {
	var word [8]uint64
	for g := 0; g < nc; g += 8 {
		var m uint64
		for i := range 8 {
			m |= uint64(s.masks[b][g+i]) << (8 * i)
		}
		t := transpose8(m) // byte j: lane j's bits of channels g to g+7
		for j := range 8 {
			word[j] |= (t >> (8 * j) & 0xff) << g
		}
	}
	w := o0 / 64
	for j := range s.valid[b] {
		pix := s.pix[b][0] + j // contig
		if !s.contig[b] {
			pix = s.pix[b][j]
		}
		dst.Data[pix*dst.Words+w] = word[j]
	}
}

// transpose8 transposes the 8×8 bit matrix whose row i is byte i of x
// (bit j of the byte being column j): bit j of byte i becomes bit i of
// byte j.
func transpose8(x uint64) uint64 {
	t := (x ^ x>>7) & 0x00AA00AA00AA00AA
	x ^= t ^ t<<7
	t = (x ^ x>>14) & 0x0000CCCC0000CCCC
	x ^= t ^ t<<14
	t = (x ^ x>>28) & 0x00000000F0F0F0F0
	x ^= t ^ t<<28
	return x
}
