package bitconv

import (
	"fmt"
	"slices"

	"github.com/gradbench/gradbench/internal/parallel"
)

// A convolution's plan: what depends on the input size (output geometry,
// blocks and units of work, border classes and their padding corrections,
// the layout of the padded input of a direct convolution).

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
// Engine's padding correction for its zero-padded binary convolutions
// (arXiv 2011.09398).
// Class 0 is the interior: no correction.
type plan struct {
	n, h, w, oh, ow, ohw int
	p                    int // N·OH·OW output pixels
	nb                   int // blocks of up to 8 lanes
	rowCls, colCls       []uint8
	ncc                  int       // number of column classes
	cstride              int       // row length of corr: the class count, at least 16
	corr                 []int32   // [Out][cstride] corrections per class
	corrF                []float32 // corr as float32 where cstride is 16 (for the fused kernel), else nil
	rmasks, cmasks       []uint64  // the classes' out-of-bounds kernel rows and columns
	pairs, chunk, chunks int       // units are pairs × chunks of output channels
	unitWork             int       // word XORs per unit

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
	wmat8  []uint64 // the same interleaved (Conv.w8 or Conv.wm8)
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
	p.oh, p.ow, _ = s.outSize(h, w) // setup has checked the size
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
			p.wmat, p.wmat8, p.kwp = c.wm, c.wm8, s.Kernel*c.groups
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
			p.wmat, p.wmat8, p.kwp = c.w, c.w8, c.kw
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
		p.wmat, p.wmat8, p.kwp = c.w, c.w8, c.kw
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
	p.rmasks, p.cmasks = rmasks, cmasks
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
	p.cstride = max(16, len(rmasks)*len(cmasks))
	p.corr = make([]int32, s.Out*p.cstride)
	p.corrF = nil
	if p.cstride == 16 {
		p.corrF = make([]float32, len(p.corr))
	}
	c.corrections(p)
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

// corrections sets p's padding corrections from the weights' per-tap sums.
func (c *Conv) corrections(p *plan) {
	s := c.Shape
	for o := range s.Out {
		ws := c.wsum[o*c.taps:][:c.taps]
		for ry, rm := range p.rmasks {
			for rx, cm := range p.cmasks {
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
	for i, v := range p.corr[:len(p.corrF)] {
		p.corrF[i] = float32(v) // exact: |v| < taps·In < 2²⁴
	}
}

// grain returns the units of the smallest part of a call worth sending to
// another core: words word XORs (see grainWords).
func (p *plan) grain(words int) int {
	return max(1, words/max(1, p.unitWork))
}
