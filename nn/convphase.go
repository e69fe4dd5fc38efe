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
}

func newPhaseGrid(h, w, oh, ow, k, s, p, g int) phaseGrid {
	kq := (k + s - 1) / s
	pg := phaseGrid{h: h, w: w, oh: oh, ow: ow, s: s, p: p, kq: kq, r: ow + kq - 1, rows: oh + kq - 1, g: g}
	pg.size = g*pg.rows*pg.r + (kq-1)*pg.r + kq
	pg.lo, pg.hi, pg.x0, pg.xEnd = make([]int, s), make([]int, s), make([]int, s), make([]int, s)
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

// scatter copies images x[n] (n < g, each c×h×w, consecutive), or with
// codes their codes q(x), into the phase planes of dst; positions of the
// padding are left as they are (zero). A short group clears the rest of
// each plane (see grid.scatter).
func (pg phaseGrid) scatter(dst, x []float32, c, g int, codes bool) {
	s, hw := pg.s, pg.h*pg.w
	for ci := range c {
		for n := range g {
			img := x[(n*c+ci)*hw:][:hw]
			// Input row y is padded row y + p: phase a, phase row yr.
			a, yr := pg.p%s, pg.p/s
			for y := range pg.h {
				if yr >= pg.rows {
					break // below every window
				}
				src := img[y*pg.w:][:pg.w]
				row := (ci*s+a)*s*pg.size + (n*pg.rows+yr)*pg.r
				for b := range s {
					lo, hi, x0 := pg.lo[b], pg.hi[b], pg.x0[b]
					if hi <= lo {
						continue
					}
					d := dst[row+b*pg.size:][lo:hi]
					switch {
					case codes && s == 1:
						signRows(d, 0, src[x0:], 0, 1, len(d))
					case codes:
						sx := src[x0:]
						for t := range d {
							d[t] = code(sx[t*s])
						}
					case s == 1:
						copyShort(d, src[x0:x0+len(d)])
					case s == 2:
						sx := src[x0 : x0+2*len(d)-1]
						for t := range d {
							d[t] = sx[2*t]
						}
					default:
						sx := src[x0:]
						for t := range d {
							d[t] = sx[t*s]
						}
					}
				}
				if a++; a == s {
					a, yr = 0, yr+1
				}
			}
		}
		if g < pg.g {
			for ab := range s * s {
				clear(dst[(ci*s*s+ab)*pg.size:][g*pg.rows*pg.r : pg.size])
			}
		}
	}
}

// interleave is the adjoint of scatter for the input gradient: it sets
// images dx[n] (n < g) from the phase planes src, ignoring the positions
// of the padding; input positions no window reaches get 0.
func (pg phaseGrid) interleave(dx, src []float32, c, g int) {
	s, hw := pg.s, pg.h*pg.w
	for ci := range c {
		for n := range g {
			img := dx[(n*c+ci)*hw:][:hw]
			a, yr := pg.p%s, pg.p/s
			for y := range pg.h {
				out := img[y*pg.w:][:pg.w]
				if yr >= pg.rows {
					clear(out)
					continue
				}
				row := (ci*s+a)*s*pg.size + (n*pg.rows+yr)*pg.r
				for b := range s {
					lo, hi, x0 := pg.lo[b], pg.hi[b], pg.x0[b]
					sp := src[row+b*pg.size:][lo:hi]
					switch s {
					case 1:
						copyShort(out[x0:x0+len(sp)], sp)
					case 2:
						if len(sp) > 0 {
							ox := out[x0 : x0+2*len(sp)-1]
							for t, v := range sp {
								ox[2*t] = v
							}
						}
					default:
						ox := out[x0:]
						for t, v := range sp {
							ox[t*s] = v
						}
					}
					for xx := pg.xEnd[b]; xx < pg.w; xx += s {
						out[xx] = 0 // right of every window
					}
				}
				if a++; a == s {
					a, yr = 0, yr+1
				}
			}
		}
	}
}

// setupPhase sizes the group like setupGrid and builds the offset tables.
func (c *convCore) setupPhase(n int) {
	cv := c.conv
	s := cv.stride()
	per := (n + len(c.parts) - 1) / len(c.parts)
	kq := (cv.Kernel + s - 1) / s
	img := cv.In * s * s * (c.oh + kq - 1) * (c.ow + kq - 1)
	g := max(1, min(per, gridTarget/img))
	groups := (per + g - 1) / g
	g = (per + groups - 1) / groups
	if c.phase.g != g || c.phase.h != c.h || c.phase.w != c.w {
		c.phase = newPhaseGrid(c.h, c.w, c.oh, c.ow, cv.Kernel, s, cv.Pad, g)
		c.off = make([]int, c.k)
		c.phase.offsets(c.off, cv.In, cv.Kernel)
		c.offDy = make([]int, cv.Out)
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

// backwardPhase adds the weight gradient of images [n0, n1) to the part's
// dWᵀ (set it if first) and computes their input gradient.
func (c *convCore) backwardPhase(p *convPart, n0, n1 int, first bool) {
	cv, pg := c.conv, c.phase
	g := n1 - n0
	key := [4]int{pg.h, pg.w, pg.g, 2}
	xp := planes(&p.grid.xp, &p.grid.xkey, key, pg.planes(cv.In)*pg.size)
	pg.scatter(xp, c.in.Data[n0*cv.In*c.h*c.w:], cv.In, g, c.codes)
	// The output gradient on the output grid: plane o holds image n's row
	// oy at (n·rows + oy)·R, zero elsewhere.
	dyq := planes(&p.grid.dyp, &p.grid.dykey, key, cv.Out*pg.size)
	for n := range g {
		for o := range cv.Out {
			copyRows(dyq[o*pg.size+n*pg.rows*pg.r:], pg.r, c.dy.Data[((n0+n)*cv.Out+o)*c.hw:][:c.hw], c.ow, c.oh, c.ow)
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
	dcol := floats(&p.grid.yg, c.k*nq)
	gemm.SgemmRowsB(true, c.k, nq, cv.Out, 1, c.wt, c.k, dyq, c.offDy, 0, dcol, nq)
	dxp := floats(&p.grid.dxp, pg.planes(cv.In)*pg.size)
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
	dxb := p.gradScratch(hi - lo)
	pg.interleave(dxb, dxp, cv.In, g)
	c.epi.apply(lo, hi, dxb)
}

// copyShort is copy for the short rows of small feature maps (7×7 = 49
// values): eight values per array move, which compiles to inline vector
// moves, where copy pays a memmove call and a scalar loop one value per
// cycle. Long slices go to copy.
func copyShort(dst, src []float32) {
	n := len(src)
	if n > 256 {
		copy(dst, src)
		return
	}
	dst = dst[:n]
	t := 0
	for ; t+8 <= n; t += 8 {
		v := *(*[8]float32)(src[t:]) // through a local: no overlap check, no memmove
		*(*[8]float32)(dst[t:]) = v
	}
	if t+4 <= n {
		v := *(*[4]float32)(src[t:])
		*(*[4]float32)(dst[t:]) = v
		t += 4
	}
	if t+2 <= n {
		v := *(*[2]float32)(src[t:])
		*(*[2]float32)(dst[t:]) = v
		t += 2
	}
	if t < n {
		dst[t] = src[t]
	}
}
