package nn

import (
	"fmt"
	"math"
)

var (
	_ Layer      = (*ReLU)(nil)
	_ Layer      = (*Hardtanh)(nil)
	_ Layer      = (*PReLU)(nil)
	_ Parametric = (*PReLU)(nil)
)

// passes is what an activation or pooling layer keeps between Forward and
// Backward: its input, and the buffers of its output and of the input
// gradient.
type passes struct {
	in      *Tensor
	out, dx buffer
}

// forward checks x, keeps it for Backward and returns the output tensor,
// n×c×h×w, for the layer to fill.
func (p *passes) forward(layer string, x *Tensor, n, c, h, w int) *Tensor {
	x.check(layer, "Forward")
	p.in = x
	return p.out.shape(n, c, h, w)
}

// backward checks dy against the kept input x (checkGrad) and returns x,
// the input gradient tensor of x's shape, for the layer to fill, and dy's
// data.
func (p *passes) backward(layer string, dy *Tensor) (x, dx *Tensor, d []float32) {
	x = p.in
	checkGrad(layer, dy, x)
	return x, p.dx.shape(x.N, x.C, x.H, x.W), dy.Data[:len(x.Data)]
}

// ReLU is max(0, x). Its gradient at 0 is 0, as in PyTorch.
type ReLU struct{ passes }

// NewReLU returns a ReLU layer.
func NewReLU() *ReLU { return &ReLU{} }

// Forward returns max(0, x).
func (r *ReLU) Forward(x *Tensor) *Tensor {
	y := r.forward("ReLU", x, x.N, x.C, x.H, x.W)
	for i, v := range x.Data {
		y.Data[i] = max(0, v)
	}
	return y
}

// Backward returns dy where x > 0 and 0 elsewhere.
func (r *ReLU) Backward(dy *Tensor) *Tensor {
	x, dx, d := r.backward("ReLU", dy)
	for i, v := range x.Data {
		dx.Data[i] = d[i] * float32(b2i(v > 0))
	}
	return dx
}

// Hardtanh is clamp(x, Min, Max); the gradient is 1 inside [Min, Max] and 0
// outside, with PyTorch's convention of 0 at the ends.
type Hardtanh struct {
	Min, Max float32

	passes
}

// NewHardtanh returns a Hardtanh layer clamping to [-1, 1].
func NewHardtanh() *Hardtanh { return &Hardtanh{Min: -1, Max: 1} }

// Forward returns clamp(x, Min, Max).
func (h *Hardtanh) Forward(x *Tensor) *Tensor {
	y := h.forward("Hardtanh", x, x.N, x.C, x.H, x.W)
	for i, v := range x.Data {
		y.Data[i] = min(h.Max, max(h.Min, v))
	}
	return y
}

// Backward returns dy where Min < x < Max and 0 elsewhere.
func (h *Hardtanh) Backward(dy *Tensor) *Tensor {
	x, dx, d := h.backward("Hardtanh", dy)
	for i, v := range x.Data {
		dx.Data[i] = d[i] * float32(b2i(v > h.Min && v < h.Max))
	}
	return dx
}

// PReLU is max(0, x) + a_c·min(0, x) with one learnable slope a_c per
// channel, initialised to 0.25 ("Delving Deep into Rectifiers", ICCV 2015,
// arXiv 1502.01852; PyTorch's default).
type PReLU struct {
	// Weight holds the slopes, shape {C}.
	Weight *Param

	passes
}

// NewPReLU returns a PReLU layer with one slope per channel. channels < 1
// is a programmer error and panics with a message naming NewPReLU and the
// value.
func NewPReLU(channels int) *PReLU {
	if channels < 1 {
		panic(fmt.Sprintf("nn: NewPReLU(%d): channels must be >= 1", channels))
	}
	w := newParam("weight", channels)
	for i := range w.Data {
		w.Data[i] = 0.25
	}
	return &PReLU{Weight: w}
}

// Params returns the slopes.
func (p *PReLU) Params() []*Param { return []*Param{p.Weight} }

// Forward returns max(0, x) + a_c·min(0, x).
func (p *PReLU) Forward(x *Tensor) *Tensor {
	x.check("PReLU", "Forward")
	if x.C != len(p.Weight.Data) {
		panic(fmt.Sprintf("nn: PReLU.Forward: input %v has %d channels, want %d", x, x.C, len(p.Weight.Data)))
	}
	p.in = x
	y := p.out.shape(x.N, x.C, x.H, x.W)
	hw := x.H * x.W
	for n := range x.N {
		for c, a := range p.Weight.Data {
			off := (n*x.C + c) * hw
			src, dst := x.Data[off:off+hw], y.Data[off:off+hw]
			for i, v := range src {
				dst[i] = max(0, v) + a*min(0, v)
			}
		}
	}
	return y
}

// Backward returns dy·(1 if x > 0 else a_c) and adds Σ dy·min(0, x) to the
// slopes' gradient.
func (p *PReLU) Backward(dy *Tensor) *Tensor {
	x, dx, _ := p.backward("PReLU", dy)
	hw := x.H * x.W
	for c, a := range p.Weight.Data {
		var ga float64
		for n := range x.N {
			off := (n*x.C + c) * hw
			src, d, dst := x.Data[off:off+hw], dy.Data[off:off+hw], dx.Data[off:off+hw]
			var s float32
			for i, v := range src {
				pos := float32(b2i(v > 0))
				dst[i] = d[i] * (pos + (1-pos)*a)
				s += d[i] * min(0, v)
			}
			ga += float64(s)
		}
		p.Weight.Grad[c] += float32(ga)
	}
	return dx
}

// checkGrad panics when dy does not have the shape of the last input x.
func checkGrad(layer string, dy, x *Tensor) {
	if x == nil {
		panic("nn: " + layer + ".Backward called before Forward")
	}
	if dy.Shape() != x.Shape() || len(dy.Data) != x.Len() {
		panic(fmt.Sprintf("nn: %s.Backward: gradient %v does not match the output %v", layer, dy, x))
	}
}

// b2i converts a bool to 0 or 1 without a branch.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

var _ = math.Inf
