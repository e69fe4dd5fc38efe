package nn

import (
	"fmt"

	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/parallel"
)

// reduceParts is the number of parts a batch is split into wherever a
// gradient is summed over images (convolution weights, noise adaptation).
// Each part sums its images in order and the parts are added in order, so
// it is a constant, not the number of cores: the same seed gives
// bit-identical training on a machine with 1, 2 or 16 cores (and under a
// batch system that hands a task fewer cores than a laptop has). Eight
// parts keep up to eight cores busy.
const reduceParts = 8

var (
	_ Layer      = (*Conv2d)(nil)
	_ Parametric = (*Conv2d)(nil)
)

// Conv describes a 2-D convolution: In input channels, Out output channels,
// a Kernel×Kernel window moved by Stride with Pad zeros on every side.
type Conv struct {
	In, Out int
	Kernel  int
	Stride  int // 0 means 1
	Pad     int
	// Bias adds a learnable bias per output channel (off in every model of
	// the suite: each convolution is followed by BatchNorm).
	Bias bool
	// SkipInputGrad makes Backward compute no input gradient and return
	// nil: set it on a network's first layer, whose input is the data.
	SkipInputGrad bool
}

func (c Conv) stride() int { return max(1, c.Stride) }

// OutSize returns the output height and width for an h×w input.
func (c Conv) OutSize(h, w int) (oh, ow int) {
	s := c.stride()
	return (h+2*c.Pad-c.Kernel)/s + 1, (w+2*c.Pad-c.Kernel)/s + 1
}

func (c Conv) validate(layer string) {
	if c.In < 1 || c.Out < 1 || c.Kernel < 1 || c.Stride < 0 || c.Pad < 0 {
		panic(fmt.Sprintf("nn: %s: bad configuration %+v: want In, Out, Kernel >= 1 and Stride, Pad >= 0", layer, c))
	}
}

// Conv2d is a full-precision convolution, computed with GEMM on a
// zero-padded copy of the input that the GEMM reads as an implicit im2col
// matrix (convgrid.go for same convolutions, convphase.go for the others).
// Weights are initialised Kaiming-normal (fan-in), the bias to zero.
type Conv2d struct {
	Conv
	// Weight has shape {Out, In, Kernel, Kernel}; Bias {Out}, or nil.
	Weight, Bias *Param

	core convCore
}

// NewConv2d returns a convolution with weights drawn from init.Weights.
func NewConv2d(c Conv, init *Init) *Conv2d {
	c.validate("NewConv2d")
	l := &Conv2d{Conv: c}
	l.Weight = newParam("weight", c.Out, c.In, c.Kernel, c.Kernel)
	kaimingNormal(l.Weight.Data, c.In*c.Kernel*c.Kernel, init.Weights)
	if c.Bias {
		l.Bias = newParam("bias", c.Out)
	}
	l.core.conv = c
	return l
}

// Params returns the weight and, if present, the bias.
func (l *Conv2d) Params() []*Param {
	if l.Bias != nil {
		return []*Param{l.Weight, l.Bias}
	}
	return []*Param{l.Weight}
}

// Forward returns the convolution of x (N×In×H×W) with the weights.
func (l *Conv2d) Forward(x *Tensor) *Tensor {
	var bias []float32
	if l.Bias != nil {
		bias = l.Bias.Data
	}
	return l.core.forward("Conv2d", x, l.Weight.Data, bias)
}

// Backward adds the weight (and bias) gradients and returns the input
// gradient, or nil with SkipInputGrad.
func (l *Conv2d) Backward(dy *Tensor) *Tensor {
	var db []float32
	if l.Bias != nil {
		db = l.Bias.Grad
	}
	return l.core.backward("Conv2d", dy, l.Weight.Data, l.Weight.Grad, db, !l.SkipInputGrad)
}

// convCore is the convolution shared by Conv2d and BinaryConv2d (which
// passes its binarized weights). Same convolutions (stride 1, output as
// large as the input) take the grid path of convgrid.go, the others the
// phase-grid path of convphase.go; neither builds an im2col matrix. The
// obvious im2col + GEMM path (forwardGroup, backwardGroup) is kept as the
// reference the tests check both against (noGrid). Images are processed
// in groups, a group multiplied at once so that small feature maps still
// give the GEMM wide panels; the groups are split into one contiguous part
// per worker, each with its own scratch and its own partial weight
// gradient. The partial gradients are summed in part order, so results do
// not depend on scheduling.
type convCore struct {
	conv Conv

	in      *Tensor
	out, dx buffer

	// per-call geometry
	h, w, oh, ow, k, hw, g int
	fwd                    bool
	wt, dw, wflip          []float32
	dy                     *Tensor
	needDx                 bool
	parts                  []convPart

	// The same-convolution path (convgrid.go): grid geometry and the
	// im2col row offsets of the input and of the output gradient.
	implicit   bool
	noGrid     bool // tests: use im2col for every convolution
	grid       grid
	off, offDy []int
	// The other convolutions (convphase.go), sharing off and offDy.
	phased bool
	phase  phaseGrid
}

// convPart is one worker's share: scratch matrices and a partial dW.
type convPart struct {
	col, y, dw      []float32
	grid            gridPart
	colRows, dyRows rowTable
}

// rowTable holds the row offsets of a row-major matrix for gemm's
// SgemmRowsA/SgemmRowsB, rebuilt when the shape changes.
type rowTable struct {
	off []int
	ld  int
}

// of returns the offsets of rows rows with stride ld: off[r] = r·ld.
func (t *rowTable) of(rows, ld int) []int {
	if len(t.off) != rows || t.ld != ld {
		if cap(t.off) < rows {
			t.off = make([]int, rows)
		}
		t.off = t.off[:rows]
		for r := range t.off {
			t.off[r] = r * ld
		}
		t.ld = ld
	}
	return t.off
}

func (c *convCore) setup(layer string, x *Tensor) {
	cv := c.conv
	x.check(layer, "Forward")
	if x.C != cv.In {
		panic(fmt.Sprintf("nn: %s.Forward: input %v has %d channels, want %d", layer, x, x.C, cv.In))
	}
	c.h, c.w = x.H, x.W
	c.oh, c.ow = cv.OutSize(x.H, x.W)
	if c.oh < 1 || c.ow < 1 {
		panic(fmt.Sprintf("nn: %s.Forward: input %v is smaller than the %dx%d kernel with padding %d", layer, x, cv.Kernel, cv.Kernel, cv.Pad))
	}
	c.k = cv.In * cv.Kernel * cv.Kernel
	c.hw = c.oh * c.ow
	// Enough images per group for a GEMM panel of >= 256 columns.
	c.g = max(1, min(x.N, (256+c.hw-1)/c.hw))
	if len(c.parts) != reduceParts {
		c.parts = make([]convPart, reduceParts)
	}
	c.implicit = c.same() && !c.noGrid
	c.phased = !c.same() && !c.noGrid
	switch {
	case c.implicit:
		c.setupGrid(x.N)
	case c.phased:
		c.setupPhase(x.N)
	}
}

func (c *convCore) forward(layer string, x *Tensor, wt, bias []float32) *Tensor {
	c.setup(layer, x)
	c.in = x
	y := c.out.shape(x.N, c.conv.Out, c.oh, c.ow)
	c.fwd, c.wt = true, wt
	parallel.For(len(c.parts), 1, 1, c)
	if bias != nil {
		for n := range x.N {
			for o, b := range bias {
				row := y.Data[(n*c.conv.Out+o)*c.hw:][:c.hw]
				for i := range row {
					row[i] += b
				}
			}
		}
	}
	return y
}

func (c *convCore) backward(layer string, dy *Tensor, wt, dw, db []float32, needDx bool) *Tensor {
	x := c.in
	if x == nil {
		panic("nn: " + layer + ".Backward called before Forward")
	}
	if dy.N != x.N || dy.C != c.conv.Out || dy.H != c.oh || dy.W != c.ow || len(dy.Data) != dy.Len() {
		panic(fmt.Sprintf("nn: %s.Backward: gradient %v does not match the output %dx%dx%dx%d", layer, dy, x.N, c.conv.Out, c.oh, c.ow))
	}
	c.fwd, c.wt, c.dy, c.needDx = false, wt, dy, needDx
	var dx *Tensor
	if needDx {
		dx = c.dx.shape(x.N, x.C, x.H, x.W)
		if c.same() {
			c.flipWeights(wt)
		}
	}
	parallel.For(len(c.parts), 1, 1, c)
	for i := range c.parts {
		p := &c.parts[i]
		if len(p.dw) == 0 {
			continue
		}
		// p.dw holds the part's dWᵀ (k×Out): see backwardGroup.
		for o := range c.conv.Out {
			row := dw[o*c.k:][:c.k]
			for j := range row {
				row[j] += p.dw[j*c.conv.Out+o]
			}
		}
	}
	if db != nil {
		for o := range db {
			var s float64
			for n := range x.N {
				for _, v := range dy.Data[(n*c.conv.Out+o)*c.hw:][:c.hw] {
					s += float64(v)
				}
			}
			db[o] += float32(s)
		}
	}
	return dx
}

// Do processes parts [lo, hi): it implements parallel.Job.
func (c *convCore) Do(lo, hi int) {
	if c.implicit || c.phased {
		c.doGrid(lo, hi)
		return
	}
	for p := lo; p < hi; p++ {
		groups := (c.in.N + c.g - 1) / c.g
		per := (groups + len(c.parts) - 1) / len(c.parts)
		g0, g1 := p*per, min(groups, (p+1)*per)
		part := &c.parts[p]
		if !c.fwd {
			part.dw = part.dw[:0]
		}
		for gi := g0; gi < g1; gi++ {
			n0 := gi * c.g
			n1 := min(c.in.N, n0+c.g)
			if c.fwd {
				c.forwardGroup(part, n0, n1)
			} else {
				c.backwardGroup(part, n0, n1, gi == g0)
			}
		}
	}
}

// doGrid runs parts [lo, hi) on the grid or phase-grid path: part p takes
// an equal share of the images, in groups of c.grid.g (c.phase.g).
func (c *convCore) doGrid(lo, hi int) {
	n := c.in.N
	per := (n + len(c.parts) - 1) / len(c.parts)
	for p := lo; p < hi; p++ {
		part := &c.parts[p]
		a0, a1 := p*per, min(n, (p+1)*per)
		if !c.fwd {
			part.dw = part.dw[:0]
		}
		g := c.grid.g
		if c.phased {
			g = c.phase.g
		}
		for n0 := a0; n0 < a1; n0 += g {
			n1 := min(a1, n0+g)
			switch {
			case c.phased && c.fwd:
				c.forwardPhase(part, n0, n1)
			case c.phased:
				c.backwardPhase(part, n0, n1, n0 == a0)
			case c.fwd:
				c.forwardGrid(part, n0, n1)
			default:
				c.backwardGrid(part, n0, n1, n0 == a0)
			}
		}
	}
}

func (c *convCore) forwardGroup(p *convPart, n0, n1 int) {
	cv := c.conv
	g := n1 - n0
	cols := g * c.hw
	col := floats(&p.col, c.k*cols)
	for i := range g {
		im2col(col, cols, i*c.hw, c.in.Data[(n0+i)*cv.In*c.h*c.w:][:cv.In*c.h*c.w], cv.In, c.h, c.w, cv.Kernel, cv.stride(), cv.Pad, c.oh, c.ow)
	}
	y := c.out.t.Data
	// The column matrix is read in place (gemm.SgemmRowsB), not packed.
	off := p.colRows.of(c.k, cols)
	if g == 1 {
		gemm.SgemmRowsB(false, cv.Out, c.hw, c.k, 1, c.wt, c.k, col, off, 0, y[n0*cv.Out*c.hw:], c.hw)
		return
	}
	ys := floats(&p.y, cv.Out*cols)
	gemm.SgemmRowsB(false, cv.Out, cols, c.k, 1, c.wt, c.k, col, off, 0, ys, cols)
	for i := range g {
		for o := range cv.Out {
			copy(y[((n0+i)*cv.Out+o)*c.hw:][:c.hw], ys[o*cols+i*c.hw:][:c.hw])
		}
	}
}

func (c *convCore) backwardGroup(p *convPart, n0, n1 int, first bool) {
	cv := c.conv
	g := n1 - n0
	cols := g * c.hw
	col := floats(&p.col, c.k*cols)
	for i := range g {
		im2col(col, cols, i*c.hw, c.in.Data[(n0+i)*cv.In*c.h*c.w:][:cv.In*c.h*c.w], cv.In, c.h, c.w, cv.Kernel, cv.stride(), cv.Pad, c.oh, c.ow)
	}
	dy := c.dy.Data[n0*cv.Out*c.hw:]
	ld := c.hw
	if g > 1 {
		ys := floats(&p.y, cv.Out*cols)
		for i := range g {
			for o := range cv.Out {
				copy(ys[o*cols+i*c.hw:][:c.hw], c.dy.Data[((n0+i)*cv.Out+o)*c.hw:][:c.hw])
			}
		}
		dy, ld = ys, cols
	}
	p.dw = floats(&p.dw, cv.Out*c.k)
	beta := float32(1)
	if first {
		beta = 0
	}
	// dWᵀ (k×Out) += col · dYᵀ rather than dW += dY · colᵀ: the large
	// operand, col, is then packed along its rows (contiguous reads and
	// writes) instead of transposed (a cache line per value).
	gemm.SgemmRowsA(true, c.k, cv.Out, cols, 1, col, p.colRows.of(c.k, cols), dy, ld, beta, p.dw, cv.Out)
	if !c.needDx {
		return
	}
	dx := c.dx.t.Data
	if c.same() {
		c.backwardSame(p, n0, n1)
		return
	}
	// dcol = Wᵀ·dY overwrites col, then col2im scatters it into dx.
	gemm.SgemmRowsB(true, c.k, cols, cv.Out, 1, c.wt, c.k, dy, p.dyRows.of(cv.Out, ld), 0, col, cols)
	for i := range g {
		col2im(dx[(n0+i)*cv.In*c.h*c.w:][:cv.In*c.h*c.w], col, cols, i*c.hw, cv.In, c.h, c.w, cv.Kernel, cv.stride(), cv.Pad, c.oh, c.ow)
	}
}

// same reports whether the convolution keeps the image size at stride 1
// (k = 2·pad + 1), where the input gradient is itself a same convolution.
func (c *convCore) same() bool {
	return c.conv.stride() == 1 && c.oh == c.h && c.ow == c.w
}

// flipWeights sets c.wflip to the weights of the input-gradient
// convolution of a same convolution: In×(Out·k·k) with
// wflip[c][(o·k+i)·k+j] = W[o][c][k-1-i][k-1-j].
func (c *convCore) flipWeights(wt []float32) {
	cv := c.conv
	k := cv.Kernel
	kk := k * k
	c.wflip = floats(&c.wflip, cv.In*cv.Out*kk)
	for o := range cv.Out {
		for ci := range cv.In {
			src := wt[(o*cv.In+ci)*kk:][:kk]
			dst := c.wflip[(ci*cv.Out+o)*kk:][:kk]
			for t, v := range src {
				dst[kk-1-t] = v
			}
		}
	}
}

// backwardSame computes the input gradient of a same convolution as a
// convolution of dy with the flipped weights: im2col of dy (Out·k·k rows)
// and one GEMM, written straight into dx, instead of a GEMM into a column
// matrix and col2im's scattered additions.
func (c *convCore) backwardSame(p *convPart, n0, n1 int) {
	cv := c.conv
	g := n1 - n0
	cols := g * c.hw
	kd := cv.Out * cv.Kernel * cv.Kernel
	col := floats(&p.col, kd*cols)
	for i := range g {
		im2col(col, cols, i*c.hw, c.dy.Data[(n0+i)*cv.Out*c.hw:][:cv.Out*c.hw], cv.Out, c.h, c.w, cv.Kernel, 1, cv.Pad, c.h, c.w)
	}
	dx := c.dx.t.Data
	if g == 1 {
		gemm.Sgemm(false, false, cv.In, c.hw, kd, 1, c.wflip, kd, col, cols, 0, dx[n0*cv.In*c.hw:], c.hw)
		return
	}
	ys := floats(&p.y, cv.In*cols)
	gemm.Sgemm(false, false, cv.In, cols, kd, 1, c.wflip, kd, col, cols, 0, ys, cols)
	for i := range g {
		for ci := range cv.In {
			copy(dx[((n0+i)*cv.In+ci)*c.hw:][:c.hw], ys[ci*cols+i*c.hw:][:c.hw])
		}
	}
}

// im2col writes the patches of one image x (C×H×W) into columns
// [off, off+oh·ow) of col, a (C·k·k)×ld matrix: row (c·k+i)·k+j, column
// off + oy·ow + ox holds x[c][oy·s-pad+i][ox·s-pad+j], or 0 outside x.
//
// A "same" convolution (stride 1, output as large as the input) has a fast
// path: each row of col is the whole image shifted by (i-pad, j-pad), one
// contiguous copy plus zeroed borders, instead of one short copy per
// output row. im2colRef is the general loop.
func im2col(col []float32, ld, off int, x []float32, c, h, w, k, s, pad, oh, ow int) {
	if s != 1 || oh != h || ow != w {
		im2colRef(col, ld, off, x, c, h, w, k, s, pad, oh, ow)
		return
	}
	hw := h * w
	for ci := range c {
		img := x[ci*hw:][:hw]
		for i := range k {
			di := i - pad
			y0, y1 := max(0, -di), min(h, h-di)
			for j := range k {
				row := col[((ci*k+i)*k+j)*ld+off:][:hw]
				dj := j - pad
				if y1 <= y0 {
					zero(row)
					continue
				}
				zero(row[:y0*w])
				zero(row[y1*w:])
				shift := di*w + dj
				a, b := max(y0*w, -shift), min(y1*w, hw-shift)
				copyShort(row[a:b], img[a+shift:b+shift])
				zeroWrapped(row, w, y0, y1, dj)
			}
		}
	}
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

// zero clears s with stores when it is short: a memclr call costs more
// than the few values of an image edge.
func zero(s []float32) {
	if len(s) > 64 {
		clear(s)
		return
	}
	for i := 0; i < len(s); i += 2 {
		s[i] = 0
		if i+1 < len(s) {
			s[i+1] = 0
		}
	}
}

// zeroWrapped zeroes, in rows [y0, y1) of an image of width w shifted
// horizontally by dj, the columns whose source lies outside the image:
// ox < -dj for dj < 0, ox >= w-dj for dj > 0.
func zeroWrapped(row []float32, w, y0, y1, dj int) {
	// Strided stores. (A "for i := range s { s[i] = 0 }" per edge would be
	// compiled into a memclr call per one or two values.)
	lo, n := 0, min(w, -dj)
	if dj > 0 {
		lo, n = max(0, w-dj), min(w, dj)
	}
	if n <= 0 || y1 <= y0 {
		return
	}
	row = row[:y1*w]
	for idx := y0*w + lo; idx < y1*w; idx += w {
		for t := 0; t < n; t++ {
			row[idx+t] = 0
		}
	}
}

// im2colRef is the general im2col for any stride and padding.
func im2colRef(col []float32, ld, off int, x []float32, c, h, w, k, s, pad, oh, ow int) {
	for ci := range c {
		img := x[ci*h*w:][:h*w]
		for i := range k {
			for j := range k {
				row := col[((ci*k+i)*k+j)*ld+off:][:oh*ow]
				for oy := range oh {
					iy := oy*s - pad + i
					dst := row[oy*ow:][:ow]
					if iy < 0 || iy >= h {
						clear(dst)
						continue
					}
					src := img[iy*w:][:w]
					// ox range where ix = ox·s - pad + j lies in [0, w).
					lo := 0
					if pad > j {
						lo = min(ow, (pad-j+s-1)/s)
					}
					hi := ow
					if last := (w - 1 + pad - j); last < 0 {
						hi = 0
					} else {
						hi = min(ow, last/s+1)
					}
					hi = max(hi, lo)
					clear(dst[:lo])
					clear(dst[hi:])
					if s == 1 {
						copy(dst[lo:hi], src[lo-pad+j:])
						continue
					}
					for ox := lo; ox < hi; ox++ {
						dst[ox] = src[ox*s-pad+j]
					}
				}
			}
		}
	}
}

// col2im is the adjoint of im2col: it sets dx (C×H×W) to the sum of the
// column entries that im2col copied from each position. Its fast path for
// same convolutions adds each row of col to dx shifted, as one contiguous
// loop; it first zeroes the row entries that wrap around the image edge,
// so it overwrites those entries of col (a scratch matrix).
func col2im(dx, col []float32, ld, off int, c, h, w, k, s, pad, oh, ow int) {
	if s != 1 || oh != h || ow != w {
		col2imRef(dx, col, ld, off, c, h, w, k, s, pad, oh, ow)
		return
	}
	clear(dx)
	hw := h * w
	for ci := range c {
		img := dx[ci*hw:][:hw]
		for i := range k {
			for j := range k {
				row := col[((ci*k+i)*k+j)*ld+off:][:hw]
				di, dj := i-pad, j-pad
				y0, y1 := max(0, -di), min(h, h-di)
				if y1 <= y0 {
					continue
				}
				zeroWrapped(row, w, y0, y1, dj)
				shift := di*w + dj
				a, b := max(y0*w, -shift), min(y1*w, hw-shift)
				src, dst := row[a:b], img[a+shift:b+shift]
				for t, v := range src {
					dst[t] += v
				}
			}
		}
	}
}

// col2imRef is the general col2im for any stride and padding.
func col2imRef(dx, col []float32, ld, off int, c, h, w, k, s, pad, oh, ow int) {
	clear(dx)
	for ci := range c {
		img := dx[ci*h*w:][:h*w]
		for i := range k {
			for j := range k {
				row := col[((ci*k+i)*k+j)*ld+off:][:oh*ow]
				for oy := range oh {
					iy := oy*s - pad + i
					if iy < 0 || iy >= h {
						continue
					}
					src := row[oy*ow:][:ow]
					dst := img[iy*w:][:w]
					lo := 0
					if pad > j {
						lo = min(ow, (pad-j+s-1)/s)
					}
					hi := 0
					if last := w - 1 + pad - j; last >= 0 {
						hi = min(ow, last/s+1)
					}
					if s == 1 {
						if hi > lo {
							d := dst[lo-pad+j:][:hi-lo]
							for t, v := range src[lo:hi] {
								d[t] += v
							}
						}
						continue
					}
					for ox := lo; ox < hi; ox++ {
						dst[ox*s-pad+j] += src[ox]
					}
				}
			}
		}
	}
}
