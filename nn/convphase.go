package nn

import "github.com/gradbench/gradbench/gemm"

// Convolutions that are not same convolutions (a stride above 1, or stride
// 1 with less padding than k = 2·pad + 1 asks for) skip im2col too, on a
// phase grid: the zero-padded input Xp (pad p on every side) is split
// into s×s phase images
//
//	P_ab[y'][x'] = Xp[s·y' + a][s·x' + b],  a, b < s
//
// in which the kernel tap (i, j) of output (oy, ox) is P_ab at
// (oy + i/s, ox + j/s) with a = i mod s, b = j mod s: a stride-1 window
// again. Each phase image has R = ow + ⌈k/s⌉ - 1 columns and rows =
// oh + ⌈k/s⌉ - 1 rows per image, images stacked; the output is computed at
// q = (n·rows + oy)·R + ox, the positions with ox >= ow or oy >= oh being
// junk (13% of the work for ResNet-20's 28→14 transition, 23% for 14→7,
// against im2col's copies of every tap). The im2col row of input channel c
// and tap (i, j) is then the plane of (c, a, b) from offset
// (i/s)·R + j/s on, read in place by gemm.SgemmRowsB (forward) and
// gemm.SgemmRowsA (weight gradient, with the output gradient placed on
// the grid, zero at the junk positions). The input gradient is the
// adjoint: dcol = Wᵀ·dY on the grid, each of its rows added into phase
// planes at its offset (contiguous vector adds where col2im scattered
// single values), and the phases interleaved back into dx.
type phaseGrid struct {
	h, w, oh, ow int
	s, p, kq     int
	r, rows      int
	g            int // images per full group
	size         int // floats per phase plane
	// Per phase column b: the range [lo, hi) of phase columns x' whose
	// input column s·x' + b - p lies in [0, w), that input column for
	// x' = lo, and the first input column right of the range.
	lo, hi, x0, xEnd []int
	// Per phase row a: the input rows y0 + s·t, t < ny, that phase row
	// yr0 + t holds, and the first input row below them, yEnd =
	// y0 + s·ny (rows from there on in steps of s lie below every window).
	y0, yr0, ny, yEnd []int
	// With s = 2: the phase columns b that take the input's even and its
	// odd columns (x0 = 0 and 1), and split, the number of input columns
	// from column 0 that splitRows and mergeRows move between an input
	// row and those two phase rows (the two ranges' lengths added), when
	// the ranges are the even and the odd columns of one span; else split
	// is 0 and scatterRows and interleaveRows take their Go loops.
	even, odd, split int
}

func newPhaseGrid(h, w, oh, ow, k, s, p, g int) phaseGrid {
	return phaseGrid{}.remake(h, w, oh, ow, k, s, p, g)
}

// remake returns the phase grid newPhaseGrid returns, its tables in pg's
// (grown if needed): a layer that alternates between two group sizes (a
// smaller last batch, then the next epoch's full ones) allocates nothing.
func (old phaseGrid) remake(h, w, oh, ow, k, s, p, g int) phaseGrid {
	kq := (k + s - 1) / s
	pg := phaseGrid{h: h, w: w, oh: oh, ow: ow, s: s, p: p, kq: kq, r: ow + kq - 1, rows: oh + kq - 1, g: g}
	pg.size = g*pg.rows*pg.r + (kq-1)*pg.r + kq
	pg.lo, pg.hi, pg.x0, pg.xEnd = ints(old.lo, s), ints(old.hi, s), ints(old.x0, s), ints(old.xEnd, s)
	for b := range s {
		lo, hi := 0, 0
		if p > b {
			lo = (p - b + s - 1) / s
		}
		if last := w - 1 + p - b; last >= 0 {
			hi = min(pg.r, last/s+1)
		}
		hi = max(hi, lo)
		pg.lo[b], pg.hi[b], pg.x0[b], pg.xEnd[b] = lo, hi, s*lo+b-p, s*hi+b-p
	}
	pg.y0, pg.yr0, pg.ny, pg.yEnd = ints(old.y0, s), ints(old.yr0, s), ints(old.ny, s), ints(old.yEnd, s)
	for a := range s {
		y0 := ((a-p)%s + s) % s // input row y + p is padded row s·yr + a
		yr0 := (y0 + p) / s
		ny := 0
		if y0 < h {
			ny = max(0, min((h-y0+s-1)/s, pg.rows-yr0))
		}
		pg.y0[a], pg.yr0[a], pg.ny[a], pg.yEnd[a] = y0, yr0, ny, y0+s*ny
	}
	if s == 2 {
		pg.even, pg.odd = p%2, (p+1)%2 // x0 = 2·lo + b - p ≡ b - p (mod 2)
		ne, no := pg.hi[pg.even]-pg.lo[pg.even], pg.hi[pg.odd]-pg.lo[pg.odd]
		if no > 0 && (ne == no || ne == no+1) {
			pg.split = ne + no
		}
	}
	return pg
}

// nq returns the number of output grid positions of a group of n images.
func (pg phaseGrid) nq(n int) int { return ((n-1)*pg.rows + pg.oh) * pg.r }

// planes returns the number of phase planes of c channels.
func (pg phaseGrid) planes(c int) int { return c * pg.s * pg.s }

// offsets sets off to the im2col row offsets of c channels and a k×k
// kernel: off[(ci·k+i)·k+j] = plane(ci, i mod s, j mod s) + (i/s)·R + j/s.
func (pg phaseGrid) offsets(off []int, c, k int) {
	s := pg.s
	for ci := range c {
		for i := range k {
			for j := range k {
				plane := (ci*s+i%s)*s + j%s
				off[(ci*k+i)*k+j] = plane*pg.size + (i/s)*pg.r + j/s
			}
		}
	}
}

// runs calls f for each run of input rows that a phase row a holds, of
// channel ci of image n (n < g, each of c channels of h×w): f gets the
// offset of the run's first row in the images (its rows s·w apart), the
// offset of its phase row yr0[a] in phase plane (ci, a, 0) (the planes of
// b = 1, 2, … follow size apart, the rows r apart) and a. Runs come in
// the order of the planes.
func (pg phaseGrid) runs(c, g int, f func(in, plane, a int)) {
	s, hw := pg.s, pg.h*pg.w
	for ci := range c {
		for n := range g {
			for a := range s {
				if pg.y0[a] >= pg.h {
					continue // no input row: past the last image's end
				}
				in := (n*c+ci)*hw + pg.y0[a]*pg.w
				plane := (ci*s+a)*s*pg.size + (n*pg.rows+pg.yr0[a])*pg.r
				f(in, plane, a)
			}
		}
	}
}

// scatter copies images x[n] (n < g, each c×h×w, consecutive), or with
// codes their codes q(x), into the phase planes of dst; positions of the
// padding are left as they are (zero). A short group clears the rest of
// each plane (see grid.scatter).
func (pg phaseGrid) scatter(dst, x []float32, c, g int, codes bool) {
	pg.runs(c, g, func(in, plane, a int) { pg.scatterRows(dst[plane:], x[in:], pg.ny[a], codes) })
	if g < pg.g {
		for i := range pg.planes(c) {
			clear(dst[i*pg.size:][g*pg.rows*pg.r : pg.size])
		}
	}
}

// scatterRows copies ny input rows (src, s·w apart) into the phase rows
// of dst (phase plane b at b·size, rows r apart), or their codes.
func (pg phaseGrid) scatterRows(dst, src []float32, ny int, codes bool) {
	s, ls := pg.s, pg.s*pg.w
	if pg.split > 0 {
		even, odd := dst[pg.even*pg.size+pg.lo[pg.even]:], dst[pg.odd*pg.size+pg.lo[pg.odd]:]
		if codes {
			splitSignRows(even, odd, pg.r, src, ls, ny, pg.split)
		} else {
			splitRows(even, odd, pg.r, src, ls, ny, pg.split)
		}
		return
	}
	for b := range s {
		lo, hi, x0 := pg.lo[b], pg.hi[b], pg.x0[b]
		if hi <= lo {
			continue
		}
		d := dst[b*pg.size+lo:]
		switch {
		case codes && s == 1:
			signRows(d, pg.r, src[x0:], ls, ny, hi-lo)
		case s == 1:
			copyRows(d, pg.r, src[x0:], ls, ny, hi-lo)
		default:
			for y := range ny {
				dy, sy := d[y*pg.r:][:hi-lo], src[y*ls+x0:]
				for t := range dy {
					if v := sy[t*s]; codes {
						dy[t] = code(v)
					} else {
						dy[t] = v
					}
				}
			}
		}
	}
}

// interleave is the adjoint of scatter for the input gradient: it sets
// images dx[n] (n < g) from the phase planes src, ignoring the positions
// of the padding; input positions no window reaches get 0.
func (pg phaseGrid) interleave(dx, src []float32, c, g int) {
	pg.runs(c, g, func(in, plane, a int) {
		pg.interleaveRows(dx[in:], src[plane:], pg.ny[a])
		for y := pg.yEnd[a] - pg.y0[a]; y < pg.h-pg.y0[a]; y += pg.s {
			clear(dx[in+y*pg.w:][:pg.w]) // below every window
		}
	})
}

// interleaveRows sets ny input rows (dst, s·w apart) from the phase rows
// of src (phase plane b at b·size, rows r apart), with 0 right of every
// window.
func (pg phaseGrid) interleaveRows(dst, src []float32, ny int) {
	s, w, ld := pg.s, pg.w, pg.s*pg.w
	if pg.split > 0 {
		even, odd := src[pg.even*pg.size+pg.lo[pg.even]:], src[pg.odd*pg.size+pg.lo[pg.odd]:]
		mergeRows(dst, ld, even, odd, pg.r, ny, pg.split)
		if pg.split < w {
			for y := range ny {
				clear(dst[y*ld:][pg.split:w])
			}
		}
		return
	}
	for b := range s {
		lo, hi, x0 := pg.lo[b], pg.hi[b], pg.x0[b]
		sp := src[b*pg.size+lo:]
		switch {
		case hi <= lo:
			// No window reaches this phase's columns (a stride wider than
			// the input): x0 may lie past the row, even past dst's end.
		case s == 1:
			copyRows(dst[x0:], ld, sp, pg.r, ny, hi-lo)
		default:
			for y := range ny {
				dy, sy := dst[y*ld+x0:], sp[y*pg.r:][:hi-lo]
				for t, v := range sy {
					dy[t*s] = v
				}
			}
		}
		for y := range ny {
			for xx := pg.xEnd[b]; xx < w; xx += s {
				dst[y*ld+xx] = 0 // right of every window
			}
		}
	}
}

// setupPhase sizes the group like setupGrid and builds the offset tables.
func (c *convCore) setupPhase(n int) {
	cv := c.conv
	s := cv.stride()
	per := max(1, (n+len(c.parts)-1)/len(c.parts)) // an empty batch: groups of 1, none run
	kq := (cv.Kernel + s - 1) / s
	img := cv.In * s * s * (c.oh + kq - 1) * (c.ow + kq - 1)
	g := max(1, min(per, gridTarget/img))
	groups := (per + g - 1) / g
	g = (per + groups - 1) / groups
	if c.phase.g != g || c.phase.h != c.h || c.phase.w != c.w {
		c.phase = c.phase.remake(c.h, c.w, c.oh, c.ow, cv.Kernel, s, cv.Pad, g)
		c.off = ints(c.off, c.k)
		c.phase.offsets(c.off, cv.In, cv.Kernel)
		c.offDy = ints(c.offDy, cv.Out)
		for o := range c.offDy {
			c.offDy[o] = o * c.phase.size
		}
	}
}

// forwardPhase computes the outputs of images [n0, n1).
func (c *convCore) forwardPhase(p *convPart, n0, n1 int) {
	cv, pg := c.conv, c.phase
	g := n1 - n0
	key := [4]int{pg.h, pg.w, pg.g, 2}
	xp := planes(&p.grid.xp, &p.grid.xkey, key, pg.planes(cv.In)*pg.size)
	pg.scatter(xp, c.in.Data[n0*cv.In*c.h*c.w:], cv.In, g, c.codes)
	nq := pg.nq(g)
	yq := floats(&p.grid.yg, cv.Out*nq)
	gemm.SgemmRowsB(false, cv.Out, nq, c.k, 1, c.wt, c.k, xp, c.off, 0, yq, nq)
	for n := range g {
		for o := range cv.Out {
			copyRows(c.out.t.Data[((n0+n)*cv.Out+o)*c.hw:][:c.hw], c.ow, yq[o*nq+n*pg.rows*pg.r:], pg.r, c.oh, c.ow)
		}
	}
}

// backwardPhase adds the weight gradient of images [n0, n1) to part p's
// dWᵀ (set it if first) and computes their input gradient, in the
// scratch of sc.
func (c *convCore) backwardPhase(p, sc *convPart, n0, n1 int, first bool) {
	cv, pg := c.conv, c.phase
	g := n1 - n0
	key := [4]int{pg.h, pg.w, pg.g, 2}
	xp := planes(&sc.grid.xp, &sc.grid.xkey, key, pg.planes(cv.In)*pg.size)
	pg.scatter(xp, c.in.Data[n0*cv.In*c.h*c.w:], cv.In, g, c.codes)
	// The output gradient on the output grid: plane o holds image n's row
	// oy at (n·rows + oy)·R, zero elsewhere.
	dyq := planes(&sc.grid.dyp, &sc.grid.dykey, key, cv.Out*pg.size)
	for n := range g {
		for o := range cv.Out {
			copyRows(dyq[o*pg.size+n*pg.rows*pg.r:], pg.r, c.dyPlane(sc, (n0+n)*cv.Out+o), c.ow, c.oh, c.ow)
		}
	}
	if g < pg.g {
		for o := range cv.Out {
			clear(dyq[o*pg.size:][g*pg.rows*pg.r : pg.size])
		}
	}
	nq := pg.nq(g)
	p.dw = floats(&p.dw, cv.Out*c.k)
	beta := float32(1)
	if first {
		beta = 0
	}
	gemm.SgemmRowsA(true, c.k, cv.Out, nq, 1, xp, c.off, dyq, pg.size, beta, p.dw, cv.Out)
	if !c.needDx {
		return
	}
	// dcol = Wᵀ·dY on the grid, its rows added into the phase planes.
	dcol := floats(&sc.grid.yg, c.k*nq)
	gemm.SgemmRowsB(true, c.k, nq, cv.Out, 1, c.wt, c.k, dyq, c.offDy, 0, dcol, nq)
	dxp := floats(&sc.grid.dxp, pg.planes(cv.In)*pg.size)
	clear(dxp)
	for r, o := range c.off {
		d := dxp[o : o+nq]
		addTo(d, d, dcol[r*nq:][:nq])
	}
	if c.epi == nil {
		pg.interleave(c.dx.t.Data[n0*cv.In*c.h*c.w:], dxp, cv.In, g)
		return
	}
	lo, hi := n0*cv.In*c.h*c.w, n1*cv.In*c.h*c.w
	dxb := sc.gradScratch(hi - lo)
	pg.interleave(dxb, dxp, cv.In, g)
	c.epi.apply(lo, hi, dxb)
}
