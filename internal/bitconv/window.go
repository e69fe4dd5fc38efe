package bitconv

// The windows the kernel reads: the padded (and, for few input channels,
// tap-merged) copy of the input of a direct convolution, or the im2col
// rows of a pair of blocks, with the lanes' border classes and output
// offsets.

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

// padWords is the number of words padJob writes per input row: a word
// per column and input word, or with tap merging a padded row of each
// merged plane, each word gathered from up to group columns. It sizes the
// job's chunks: merged rows cost several times their input's words.
func (p *plan) padWords(c *Conv) int {
	if p.sizes != nil {
		return len(p.sizes) * p.wr
	}
	return p.w * c.words
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
