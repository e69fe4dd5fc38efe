package nn

import (
	"fmt"
	"sync/atomic"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/internal/window"
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
	// nil: set it on a network's first layer, whose input is the data. (A
	// binary convolution whose activations have learnable estimator
	// scalars or noise adaptation still computes it, for their gradients,
	// and returns nil.)
	SkipInputGrad bool
}

func (c Conv) stride() int { return max(1, c.Stride) }

// OutSize returns the output height and width for an h×w input. A Kernel
// < 1, a negative Stride or Pad, a size h or w < 1, or an input smaller
// than the kernel with its padding (h+2·Pad < Kernel) is a programmer
// error and panics with a message naming Conv.OutSize and the values.
func (c Conv) OutSize(h, w int) (oh, ow int) {
	if c.Kernel < 1 || c.Stride < 0 || c.Pad < 0 {
		panic(fmt.Sprintf("nn: Conv.OutSize: bad configuration %+v: want Kernel >= 1 and Stride, Pad >= 0", c))
	}
	return windowOutSize("Conv.OutSize", "kernel", c.Kernel, c.stride(), c.Pad, h, w)
}

// outSize is OutSize without its checks of the configuration; ok is false
// when the input is smaller than the kernel with its padding.
func (c Conv) outSize(h, w int) (oh, ow int, ok bool) {
	return windowOut(c.Kernel, c.stride(), c.Pad, h, w)
}

// windowOut is window.Out: the output size of a k×k window at stride s
// and padding p over an h×w input; ok is false when the input is smaller
// than the window with its padding.
func windowOut(k, s, p, h, w int) (oh, ow int, ok bool) { return window.Out(k, s, p, h, w) }

// windowOutSize is window.Size for the OutSize methods: sizes below 1 and
// an input smaller than the window panic, naming fn and the window (what).
func windowOutSize(fn, what string, k, s, p, h, w int) (oh, ow int) {
	oh, ow, err := window.Size(what, k, s, p, h, w)
	if err != nil {
		panic(fmt.Sprintf("nn: %s(%d, %d): %v", fn, h, w, err))
	}
	return oh, ow
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

// NewConv2d returns a convolution with weights drawn from init.Weights. A
// configuration with In, Out or Kernel < 1 or a negative Stride or Pad, and
// a nil init or init.Weights, are programmer errors and panic with a
// message naming NewConv2d and the value.
func NewConv2d(c Conv, init *Init) *Conv2d {
	c.validate("NewConv2d")
	r := init.weights("NewConv2d")
	l := &Conv2d{Conv: c}
	l.Weight = newParam("weight", c.Out, c.In, c.Kernel, c.Kernel)
	kaimingNormal(l.Weight.Data, c.In*c.Kernel*c.Kernel, r)
	if c.Bias {
		l.Bias = newParam("bias", c.Out)
	}
	l.core.conv = c
	return l
}

// Params returns the weight and, if present, the bias.
func (l *Conv2d) Params() []*Param { return weightAndBias(l.Weight, l.Bias) }

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
	return l.core.backward("Conv2d", dy, nil, l.Weight.Data, l.Weight.Grad, db, !l.SkipInputGrad)
}

// takesPlanes reports whether backwardPlanes may be called: not with a
// bias, whose gradient sums the output gradient (gradTaker).
func (l *Conv2d) takesPlanes() bool { return l.Bias == nil }

// backwardPlanes is Backward with the output gradient read from src as
// the grids are filled (gradTaker); Conv2d adds no tensor.
func (l *Conv2d) backwardPlanes(dy *Tensor, src planeSource, add *Tensor) *Tensor {
	if add != nil || l.Bias != nil {
		panic("nn: Conv2d.backwardPlanes: the layer adds no tensor to its input gradient, and with a bias it reads its output gradient")
	}
	return l.core.backward("Conv2d", dy, src, l.Weight.Data, l.Weight.Grad, nil, !l.SkipInputGrad)
}

// convCore is the convolution shared by Conv2d and BinaryConv2d (which
// passes its binarized weights). Neither path builds an im2col matrix:
// same convolutions (stride 1, output as large as the input) run on the
// grid of convgrid.go, the others on the phase grid of convphase.go, and
// package gemm reads the rows of the implicit im2col matrix in place.
// Images are processed in groups, a group multiplied at once so that small
// feature maps still give the GEMM wide panels; the images are split into
// reduceParts contiguous parts, each with its own partial weight
// gradient, worked in the scratch of a part the goroutine claims
// (convscratch.go). The partial gradients are summed in part order, so
// results do not depend on scheduling. A binary convolution can have
// the grids filled with the codes of its input (prepare) and its input
// gradient finished group by group inside the pass (dxEpilogue), and
// either convolution can take its output gradient plane by plane from
// the BatchNorm that follows it as it fills its grids (planeSource). The
// tests check both paths against a plain loop convolution (convRef in
// conv_internal_test.go).
type convCore struct {
	conv Conv

	in    *Tensor
	codes bool // in holds x, and the passes read its codes q(x)
	// signIn, set by a binary convolution after a forward pass on its float
	// path, says that in holds ±1 codes (what the grids hold with codes), so
	// that the weight gradient may take the sign tables (lutweights.go)
	// whichever forward path ran.
	signIn  bool
	out, dx buffer

	// per-call geometry
	h, w, oh, ow, k, hw int
	fwd                 bool
	wt, wflip           []float32
	dy                  *Tensor
	src                 planeSource // nil: the output gradient is dy's Data
	needDx              bool
	epi                 *dxEpilogue // nil: the input gradient is c.dx as computed
	parts               []convPart
	flip                flipJob       // flipWeights on the pool
	free                atomic.Uint32 // the parts whose scratch a goroutine holds (claim)
	sum                 sumJob        // the parts' weight gradients summed on the pool

	// The same-convolution path (convgrid.go): grid geometry and the
	// im2col row offsets of the input and of the output gradient.
	grid       grid
	off, offDy []int
	// The other convolutions (convphase.go), sharing off and offDy.
	phased bool
	phase  phaseGrid

	// lutCodes and lutScale, set by a binary convolution for a backward
	// pass where its weights are lutCodes·lutScale (±1 codes, a scale per
	// output channel), make a same convolution compute the input gradient
	// by table lookup (lutgrad.go) with the index lut.
	lutCodes, lutScale []float32
	lut                lutWeights
}

func (c *convCore) setup(layer string, x *Tensor) {
	cv := c.conv
	c.flip.c, c.sum.c = c, c
	x.check(layer, "Forward")
	if x.C != cv.In {
		panic(fmt.Sprintf("nn: %s.Forward: input %v has %d channels, want %d", layer, x, x.C, cv.In))
	}
	c.h, c.w = x.H, x.W
	var ok bool
	c.oh, c.ow, ok = cv.outSize(x.H, x.W)
	if !ok {
		panic(fmt.Sprintf("nn: %s.Forward: input %v is smaller than the %dx%d kernel with padding %d", layer, x, cv.Kernel, cv.Kernel, cv.Pad))
	}
	c.k = cv.In * cv.Kernel * cv.Kernel
	c.hw = c.oh * c.ow
	if len(c.parts) != reduceParts {
		c.parts = make([]convPart, reduceParts)
	}
	c.phased = !c.same()
	if c.phased {
		c.setupPhase(x.N)
	} else {
		c.setupGrid(x.N)
	}
}

// prepare sets up the geometry for input x and the backward pass's view
// of it, and returns the output buffer, not yet computed. With codes the
// passes convolve the codes q(x) (see code) instead of x, taken from x as
// the grids are filled: a binary convolution on the XNOR path keeps no
// tensor of codes (the backward pass's input is the codes, bit for bit
// what Estimator.Forward would have written).
func (c *convCore) prepare(layer string, x *Tensor, codes bool) *Tensor {
	c.setup(layer, x)
	c.in, c.codes, c.signIn = x, codes, false
	return c.out.shape(x.N, c.conv.Out, c.oh, c.ow)
}

func (c *convCore) forward(layer string, x *Tensor, wt, bias []float32) *Tensor {
	y := c.prepare(layer, x, false)
	c.fwd, c.wt = true, wt
	parallel.For(len(c.parts), 1, 1, c)
	c.warm()
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

// backward adds the weight (and bias) gradients and returns the input
// gradient, or nil without needDx or with c.epi, which then receives the
// input gradient group by group (see dxEpilogue). With src the output
// gradient, of dy's shape, is computed plane by plane as the grids are
// filled (see planeSource) and dy's Data is not read; db must be nil.
func (c *convCore) backward(layer string, dy *Tensor, src planeSource, wt, dw, db []float32, needDx bool) *Tensor {
	x := c.in
	if x == nil {
		panic("nn: " + layer + ".Backward called before Forward")
	}
	if dy.N != x.N || dy.C != c.conv.Out || dy.H != c.oh || dy.W != c.ow || len(dy.Data) != dy.Len() {
		panic(fmt.Sprintf("nn: %s.Backward: gradient %v does not match the output %dx%dx%dx%d", layer, dy, x.N, c.conv.Out, c.oh, c.ow))
	}
	if src != nil && db != nil {
		panic("nn: " + layer + ".Backward: a bias gradient needs the output gradient as a tensor")
	}
	c.fwd, c.wt, c.dy, c.src, c.needDx = false, wt, dy, src, needDx
	c.lut.ok = false
	var dx *Tensor
	if needDx {
		if c.epi == nil {
			dx = c.dx.shape(x.N, x.C, x.H, x.W)
		}
		if c.same() {
			c.lut.ok = false
			if c.lutCodes != nil {
				cv := c.conv
				c.lut.prepare(cv.In, cv.Out, cv.Kernel, c.lutCodes, c.lutScale, c.offDy)
			}
			if !c.lut.ok || c.grid.nq(1) < lutCols { // a narrow group takes the GEMM (backwardGrid)
				c.flipWeights(wt)
			}
		}
	}
	parallel.For(len(c.parts), 1, 1, c)
	c.warm()
	c.src = nil
	c.sum.dw = dw
	parallel.For(c.conv.Out, 4, 1, &c.sum)
	c.sum.dw = nil
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

// Do runs parts [lo, hi): part p takes an equal share of the images, in
// groups of c.grid.g (c.phase.g). It implements parallel.Job. The
// backward pass sums part p's weight gradient in part p's dw and works
// in the scratch of the part it holds (claim), so that a goroutine keeps
// to the same scratch, in its core's cache, from part to part.
func (c *convCore) Do(lo, hi int) {
	n := c.in.N
	per := (n + len(c.parts) - 1) / len(c.parts)
	slot := c.claim()
	defer c.release(slot)
	sc := &c.parts[slot]
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
				c.forwardPhase(sc, n0, n1)
			case c.phased:
				c.backwardPhase(part, sc, n0, n1, n0 == a0)
			case c.fwd:
				c.forwardGrid(sc, n0, n1)
			default:
				c.backwardGrid(part, sc, n0, n1, n0 == a0)
			}
		}
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
	c.wflip = floats(&c.wflip, cv.In*cv.Out*cv.Kernel*cv.Kernel)
	c.flip.wt = wt
	parallel.For(cv.Out, 4, 1, &c.flip)
	c.flip.wt = nil
}

// flipJob flips the weights of output channels [lo, hi) into c.wflip
// (flipWeights), on the worker pool.
type flipJob struct {
	c  *convCore
	wt []float32
}

func (j *flipJob) Do(lo, hi int) {
	cv, wt := j.c.conv, j.wt
	kk := cv.Kernel * cv.Kernel
	for o := lo; o < hi; o++ {
		for ci := range cv.In {
			src := wt[(o*cv.In+ci)*kk:][:kk]
			dst := j.c.wflip[(ci*cv.Out+o)*kk:][:kk]
			for t, v := range src {
				dst[kk-1-t] = v
			}
		}
	}
}

// sumJob adds the parts' partial weight gradients to dw for output
// channels [lo, hi), on the worker pool. Each value adds the parts in
// part order, whichever worker runs its channel, so the sum does not
// depend on the number of cores.
type sumJob struct {
	c  *convCore
	dw []float32
}

func (j *sumJob) Do(lo, hi int) {
	c := j.c
	for i := range c.parts {
		p := &c.parts[i]
		if len(p.dw) == 0 {
			continue
		}
		// p.dw holds the part's dWᵀ (k×Out): see backwardGrid.
		for o := lo; o < hi; o++ {
			row := j.dw[o*c.k:][:c.k]
			for t := range row {
				row[t] += p.dw[t*c.conv.Out+o]
			}
		}
	}
}

// dxEpilogue is what a binary convolution applies to its input gradient
// inside the convolution's backward pass: as soon as the gradient dxb of
// the codes is computed for a group of images (elements [lo, hi) of the
// input, contiguous in NCHW), while it is in cache, it sets
//
//	dx[lo:hi] = k(dxb) (+ add[lo:hi]),  k the activation estimator's g
//
// instead of a separate pass of Estimator.Backward over the whole batch
// (and of the residual unit's addition). k's promise (estimators.Kernel)
// makes this bit-identical to the separate passes when every group starts
// at a multiple of 64 elements: the layer asks for it only then. With
// activation noise adaptation, na's backward pass, started by the layer,
// does all of it image by image instead (NoiseAdaptation.backwardImages).
type dxEpilogue struct {
	k          estimators.Kernel
	x, dx, add []float32 // add may be nil
	na         *NoiseAdaptation
	img        int // values per image, with na
}

// apply sets dx[lo:hi] from dxb, the gradient of the codes of [lo, hi).
func (e *dxEpilogue) apply(lo, hi int, dxb []float32) {
	if e.na != nil {
		e.na.backwardImages(lo/e.img, hi/e.img, dxb)
		return
	}
	dx := e.dx[lo:hi]
	e.k.Backward(dx, e.x[lo:hi], dxb)
	if e.add != nil {
		addTo(dx, dx, e.add[lo:hi])
	}
}

// dyPlane returns plane i (image i/Out, channel i%Out) of the output
// gradient: dy's, or computed by c.src into the part's scratch.
func (c *convCore) dyPlane(p *convPart, i int) []float32 {
	if c.src == nil {
		return c.dy.Data[i*c.hw:][:c.hw]
	}
	d := floats(&p.grid.dyt, c.hw)
	c.src.gradPlane(d, i)
	return d
}
