package nn

import "github.com/gradbench/gradbench/gemm"

// Same convolutions (stride 1, an odd kernel k = 2·pad + 1, output as
// large as the input; the 3×3 and 1×1 convolutions of every model) skip
// im2col: the images of a group are copied once into a zero-padded grid,
// where each row of the im2col matrix is a window at a fixed offset, and
// gemm.SgemmRowsB / SgemmRowsA read those windows in place.
//
// The grid of a group of g images of h×w with padding p: each channel is a
// plane of S floats in which row y of image n starts at
//
//	p·R + p + (n·(h+p) + y)·R,  R = w + p
//
// so the p zero columns after each row are the right padding of that row
// and the left padding of the next, and the p zero rows after each image
// the bottom padding of that image and the top padding of the next. The
// output of the convolution is computed on the same grid, at q =
// (n·(h+p) + y)·R + x for x < R: entry (channel c, kernel row i, kernel
// column j) of the im2col column for q is plane c at q + i·R + j, so the
// im2col row (c, i, j) is the plane from offset c·S + i·R + j on. The grid
// has Nq = ((g-1)·(h+p) + h)·R positions; those with x >= w or between
// images are junk, computed and dropped (7% of the work at 28×28, 13% at
// 14×14, 23% at 7×7, against the copies im2col writes and reads: 9 per
// input value for a 3×3 kernel).
//
// Backward uses the same grid twice: the output gradient placed in it (zero
// at junk positions) gives the weight gradient dWᵀ = im2col·dYᵀ with the
// im2col matrix as A (gemm.SgemmRowsA), and, padded like an input, the
// input gradient as the same convolution with the flipped weights.
type grid struct {
	h, w, p, r int
	g          int // images per full group
	s          int // plane stride
}

// newGrid returns the grid for groups of up to g images of h×w, padding p.
func newGrid(h, w, p, g int) grid {
	r := w + p
	gr := grid{h: h, w: w, p: p, r: r, g: g}
	gr.s = gr.nq(g) + 2*p*r + 2*p
	return gr
}

// nq returns the number of output grid positions of a group of n images.
func (gr grid) nq(n int) int { return ((n-1)*(gr.h+gr.p) + gr.h) * gr.r }

// key identifies the geometry for planes (the last entry tells the grid
// from a phase grid).
func (gr grid) key() [4]int { return [4]int{gr.h, gr.w, gr.g, 1} }

// origin is the index in a plane of row 0, column 0 of image 0.
func (gr grid) origin() int { return gr.p*gr.r + gr.p }

// offsets sets off to the im2col row offsets of c channels and a k×k
// kernel: off[(ci·k+i)·k+j] = ci·S + i·R + j.
func (gr grid) offsets(off []int, c, k int) {
	for ci := range c {
		for i := range k {
			for j := range k {
				off[(ci*k+i)*k+j] = ci*gr.s + i*gr.r + j
			}
		}
	}
}

// scatter copies images x[n] (n < g, each c×h×w, consecutive) into the
// planes of dst, or with codes their codes q(x) (signRows). If g is short
// of a full group, the rest of each plane past image g's first row is
// cleared, so that a shorter group never reads an earlier group's values.
func (gr grid) scatter(dst, x []float32, c, g int, codes bool) {
	h, w, hw := gr.h, gr.w, gr.h*gr.w
	o := gr.origin()
	for ci := range c {
		plane := dst[ci*gr.s:][:gr.s]
		for n := range g {
			if codes {
				signRows(plane[o+n*(h+gr.p)*gr.r:], gr.r, x[(n*c+ci)*hw:][:hw], w, h, w)
			} else {
				copyRows(plane[o+n*(h+gr.p)*gr.r:], gr.r, x[(n*c+ci)*hw:][:hw], w, h, w)
			}
		}
		if g < gr.g {
			clear(plane[o+g*(h+gr.p)*gr.r:])
		}
	}
}

// scatterPlanes is scatter of images whose planes come from plane (the
// plane of channel ci of image n at i = n·c + ci, valid until the next
// call), for an output gradient computed as it is placed (planeSource).
func (gr grid) scatterPlanes(dst []float32, c, g int, plane func(i int) []float32) {
	h, w := gr.h, gr.w
	o := gr.origin()
	for ci := range c {
		pl := dst[ci*gr.s:][:gr.s]
		for n := range g {
			copyRows(pl[o+n*(h+gr.p)*gr.r:], gr.r, plane(n*c+ci), w, h, w)
		}
		if g < gr.g {
			clear(pl[o+g*(h+gr.p)*gr.r:])
		}
	}
}

// gather copies the valid output positions of c channels on the grid
// (src: channel ci at ci·ld, position q) into images dst[n], n < g.
func (gr grid) gather(dst, src []float32, ld, c, g int) {
	h, w, hw := gr.h, gr.w, gr.h*gr.w
	for n := range g {
		for ci := range c {
			copyRows(dst[(n*c+ci)*hw:][:hw], w, src[ci*ld+n*(h+gr.p)*gr.r:], gr.r, h, w)
		}
	}
}

// gridPart is a worker's scratch for the grid path: the padded input and
// output-gradient planes, the output grid, and the geometry they were
// zeroed for (padding positions are never written after that).
type gridPart struct {
	xp, dyp, yg, dxp []float32
	dxb              []float32 // the input gradient of a group, for dxEpilogue
	dyt              []float32 // a plane of the output gradient from a planeSource
	lutTab           []float32 // the tables of the input gradient by lookup (lutgrad.go)
	xkey, dykey      [4]int
}

// ints returns s resized to n values, its contents undefined: s itself
// when it has the capacity, so that tables rebuilt for another group size
// (a smaller last batch, then the next full one) allocate nothing.
func ints(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

// planes returns s (grown if needed) with n floats, cleared when the
// geometry key differs from the one it was cleared for.
func planes(s *[]float32, key *[4]int, k [4]int, n int) []float32 {
	if cap(*s) < n || *key != k {
		*s = floats(s, n)
		clear((*s)[:cap(*s)])
		*key = k
	}
	return (*s)[:n]
}

// setupGrid sizes the group: enough images that the padded input of a
// group holds about gridTarget floats (it stays in the L2 cache), and
// groups of equal size within each worker's share.
func (c *convCore) setupGrid(n int) {
	cv := c.conv
	p := cv.Pad
	per := max(1, (n+len(c.parts)-1)/len(c.parts)) // an empty batch: groups of 1, none run
	img := cv.In * (c.h + p) * (c.w + p)
	g := max(1, min(per, gridTarget/img))
	groups := (per + g - 1) / g
	g = (per + groups - 1) / groups
	if c.grid.g != g || c.grid.h != c.h || c.grid.w != c.w {
		c.grid = newGrid(c.h, c.w, p, g)
		c.off = ints(c.off, cv.In*cv.Kernel*cv.Kernel)
		c.grid.offsets(c.off, cv.In, cv.Kernel)
		c.offDy = ints(c.offDy, cv.Out*cv.Kernel*cv.Kernel)
		c.grid.offsets(c.offDy, cv.Out, cv.Kernel)
	}
}

// gridTarget is the number of floats of a group's padded input (a
// variable so that tests can force small and uneven groups).
var gridTarget = 1 << 16

// forwardGrid computes the outputs of images [n0, n1).
func (c *convCore) forwardGrid(p *convPart, n0, n1 int) {
	cv, gr := c.conv, c.grid
	g := n1 - n0
	xp := planes(&p.grid.xp, &p.grid.xkey, gr.key(), cv.In*gr.s)
	gr.scatter(xp, c.in.Data[n0*cv.In*c.h*c.w:], cv.In, g, c.codes)
	nq := gr.nq(g)
	yg := floats(&p.grid.yg, cv.Out*nq)
	gemm.SgemmRowsB(false, cv.Out, nq, c.k, 1, c.wt, c.k, xp, c.off, 0, yg, nq)
	gr.gather(c.out.t.Data[n0*cv.Out*c.hw:], yg, nq, cv.Out, g)
}

// backwardGrid adds the weight gradient of images [n0, n1) to part p's
// dWᵀ (set it if first) and computes their input gradient, in the
// scratch of sc.
func (c *convCore) backwardGrid(p, sc *convPart, n0, n1 int, first bool) {
	cv, gr := c.conv, c.grid
	g := n1 - n0
	hw := c.h * c.w
	xp := planes(&sc.grid.xp, &sc.grid.xkey, gr.key(), cv.In*gr.s)
	gr.scatter(xp, c.in.Data[n0*cv.In*hw:], cv.In, g, c.codes)
	dyp := planes(&sc.grid.dyp, &sc.grid.dykey, gr.key(), cv.Out*gr.s)
	if c.src == nil {
		gr.scatter(dyp, c.dy.Data[n0*cv.Out*hw:], cv.Out, g, false)
	} else {
		gr.scatterPlanes(dyp, cv.Out, g, func(i int) []float32 { return c.dyPlane(sc, n0*cv.Out+i) })
	}
	nq := gr.nq(g)
	p.dw = floats(&p.dw, cv.Out*c.k)
	beta := float32(1)
	if first {
		beta = 0
	}
	// dWᵀ (k×Out) += im2col(x) · dYᵀ, dY read from the padded planes at
	// the output grid positions (zero at the junk ones).
	if c.useLUT() {
		c.weightGradLUT(p, sc, xp, dyp, g, nq, beta) // the codes' table product (lutweights.go)
	} else {
		gemm.SgemmRowsA(true, c.k, cv.Out, nq, 1, xp, c.off, dyp[gr.origin():], gr.s, beta, p.dw, cv.Out)
	}
	if !c.needDx {
		return
	}
	kd := cv.Out * cv.Kernel * cv.Kernel
	xg := floats(&sc.grid.yg, cv.In*nq)
	if c.lut.ok && nq >= lutCols { // narrower: the assembly takes whole column blocks
		c.lut.lutGrad(xg, nq, cv.In, nq, dyp, &sc.grid.lutTab)
	} else {
		gemm.SgemmRowsB(false, cv.In, nq, kd, 1, c.wflip, kd, dyp, c.offDy, 0, xg, nq)
	}
	if c.epi == nil {
		gr.gather(c.dx.t.Data[n0*cv.In*hw:], xg, nq, cv.In, g)
		return
	}
	lo, hi := n0*cv.In*hw, n1*cv.In*hw
	dxb := sc.gradScratch(hi - lo)
	gr.gather(dxb, xg, nq, cv.In, g)
	c.epi.apply(lo, hi, dxb)
}

// copyRows copies rows rows of w values from src (row stride ls) to dst
// (row stride ld), in vectors (copyRowsAVX2) or in Go (copyRowsGo).
func copyRows(dst []float32, ld int, src []float32, ls int, rows, w int) {
	if checkRows(dst, ld, src, ls, rows, w) {
		copyRowsKernel.Get()(dst, ld, src, ls, rows, w)
	}
}

// copyRowsGo is the portable copyRows. Rows are moved in blocks of 8 (or
// 4) values through array copies, which compile to inline vector moves,
// and the last block of a row overlaps the one before instead of a scalar
// tail: a 7×7 map's rows take two 4-value moves, a 14×14 map's two 8-value
// moves.
func copyRowsGo(dst []float32, ld int, src []float32, ls int, rows, w int) {
	switch {
	case w >= 8:
		for y := range rows {
			d, s := dst[y*ld:][:w], src[y*ls:][:w]
			t := 0
			for ; t+8 <= w; t += 8 {
				v := *(*[8]float32)(s[t:])
				*(*[8]float32)(d[t:]) = v
			}
			if t < w {
				v := *(*[8]float32)(s[w-8:])
				*(*[8]float32)(d[w-8:]) = v
			}
		}
	case w >= 4:
		for y := range rows {
			d, s := dst[y*ld:][:w], src[y*ls:][:w]
			v0 := *(*[4]float32)(s)
			v1 := *(*[4]float32)(s[w-4:])
			*(*[4]float32)(d) = v0
			*(*[4]float32)(d[w-4:]) = v1
		}
	default:
		for y := range rows {
			copy(dst[y*ld:][:w], src[y*ls:][:w])
		}
	}
}
