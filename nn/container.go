package nn

import (
	"fmt"

	"github.com/gradbench/gradbench/internal/parallel"
)

var (
	_ Layer  = Sequential(nil)
	_ Parent = Sequential(nil)
	_ Layer  = (*Residual)(nil)
	_ Parent = (*Residual)(nil)
	_ Layer  = (*Flatten)(nil)
)

// Sequential runs its layers one after another: Forward feeds each layer
// the output of the previous one, Backward runs them in reverse.
//
//	net := nn.Sequential{conv, bn, nn.NewReLU(), pool}
type Sequential []Layer

// Forward runs every layer's Forward in order.
func (s Sequential) Forward(x *Tensor) *Tensor {
	for _, l := range s {
		x = l.Forward(x)
	}
	return x
}

// Backward runs every layer's Backward in reverse order. When the first
// layer computes no input gradient (Conv.SkipInputGrad) the result is nil;
// a layer after the first that computes none leaves the layers before it
// without an output gradient, a programmer error that panics naming the
// two layers.
// A convolution followed by BatchNorm runs as a pair: BatchNorm's input
// gradient is computed inside the convolution's pass instead of written
// (see deferPair in fuse.go), with the same bits.
func (s Sequential) Backward(dy *Tensor) *Tensor {
	return backwardSeq(s, dy, nil, nil, nil)
}

// Children returns the layers.
func (s Sequential) Children() []Layer { return s }

// Residual adds a shortcut around a body: y = Body(x) + Shortcut(x), with
// the identity shortcut when Shortcut is nil. Bi-Real Net's unit
// BN(BinaryConv(x)) + x is Residual{Body: Sequential{conv, bn}}; a
// downsampling unit sets Shortcut to AvgPool2d + Conv2d 1x1 + BatchNorm.
type Residual struct {
	Body     Layer
	Shortcut Layer // nil: identity

	out, dx buffer
	add     addJob
}

// Children returns Body and Shortcut (which may be nil; Walk skips it).
func (r *Residual) Children() []Layer { return []Layer{r.Body, r.Shortcut} }

// Forward returns Body(x) + Shortcut(x); the two must have the same shape.
// The shortcut runs first, so that the body's last layer can add it in
// its own pass (forwardAdder: BatchNorm does); the result is then that
// layer's output tensor. A nil Body is a programmer error and panics.
func (r *Residual) Forward(x *Tensor) *Tensor {
	s := r.shortcut("Forward", Layer.Forward, x)
	return forwardPlus(r.Body, x, s, &r.out, &r.add)
}

// Backward passes dy to both branches and returns the sum of their input
// gradients: the shortcut's first, added by the body's first layer in its
// own pass where it can (backwardAdder).
func (r *Residual) Backward(dy *Tensor) *Tensor {
	s := r.shortcut("Backward", Layer.Backward, dy)
	return backwardPlus(r.Body, dy, s, &r.dx, &r.add)
}

// shortcut returns the shortcut's pass (Layer.Forward or Layer.Backward,
// named method) over t, or t itself for the identity shortcut, after
// checking that the residual has a body: the part Forward and Backward
// share, so that the two passes cannot disagree on the identity rule or
// on what a nil Body is.
func (r *Residual) shortcut(method string, pass func(Layer, *Tensor) *Tensor, t *Tensor) *Tensor {
	if r.Body == nil {
		panic("nn: Residual." + method + ": Body is nil, want the layers the shortcut goes around")
	}
	if r.Shortcut == nil {
		return t
	}
	return pass(r.Shortcut, t)
}

// addJob is addTo split over the worker pool.
type addJob struct{ dst, a, b []float32 }

// sum returns a + b in out (a Residual's separate addition of its
// branches, when the body cannot add in its own pass); what names the
// results in the panic of a shape mismatch or of a missing gradient.
func (j *addJob) sum(out *buffer, a, b *Tensor, what string) *Tensor {
	if a == nil {
		panic("nn: Residual: the body computes no input gradient (SkipInputGrad on its first layer)")
	}
	if a.Shape() != b.Shape() {
		panic(fmt.Sprintf("nn: Residual: body %s %v and shortcut %s %v differ in shape", what, a, what, b))
	}
	y := out.shape(a.N, a.C, a.H, a.W)
	j.run(y.Data, a.Data, b.Data)
	return y
}

func (j *addJob) run(dst, a, b []float32) {
	if len(a) != len(dst) || len(b) != len(dst) {
		panic("nn: add: slice lengths differ")
	}
	j.dst, j.a, j.b = dst, a, b
	parallel.For(len(dst), 1<<15, 16, j)
	j.dst, j.a, j.b = nil, nil, nil
}

// Do adds the range [lo, hi): it implements parallel.Job.
func (j *addJob) Do(lo, hi int) { addTo(j.dst[lo:hi], j.a[lo:hi], j.b[lo:hi]) }

// Flatten reshapes N×C×H×W to N×(C·H·W)×1×1 without copying, as the input
// of a Linear layer.
type Flatten struct {
	out, dx Tensor
	in      *Tensor
}

// NewFlatten returns a Flatten layer.
func NewFlatten() *Flatten { return &Flatten{} }

// Forward returns x viewed as N×(C·H·W)×1×1; the result shares x's Data.
func (f *Flatten) Forward(x *Tensor) *Tensor {
	f.in = x
	f.out = Tensor{N: x.N, C: x.C * x.H * x.W, H: 1, W: 1, Data: x.Data}
	return &f.out
}

// Backward returns dy viewed in the shape of the last input.
func (f *Flatten) Backward(dy *Tensor) *Tensor {
	x := f.in
	if x == nil {
		panic("nn: Flatten.Backward called before Forward")
	}
	if dy.N != x.N || dy.Sample() != x.Sample() || len(dy.Data) != dy.Len() {
		panic(fmt.Sprintf("nn: Flatten.Backward: gradient %v with %d values does not match the output %dx%dx1x1", dy, len(dy.Data), x.N, x.Sample()))
	}
	f.dx = Tensor{N: x.N, C: x.C, H: x.H, W: x.W, Data: dy.Data}
	return &f.dx
}
