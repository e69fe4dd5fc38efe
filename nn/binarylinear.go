package nn

import (
	"fmt"
)

var (
	_ Layer          = (*BinaryLinear)(nil)
	_ Parametric     = (*BinaryLinear)(nil)
	_ ModeSetter     = (*BinaryLinear)(nil)
	_ ProgressSetter = (*BinaryLinear)(nil)
)

// BinaryLinear is the fully connected counterpart of BinaryConv2d:
// y = q(x)·(q(W)·s)ᵀ with s_o = mean|W_o| per output row (detached), no
// bias, and noise adaptation with one row per output for the weights and
// one row per sample (D = In) for the activations.
type BinaryLinear struct {
	In, Out int
	Binary  Binary
	// Weight holds the latent real weights, shape {Out, In}.
	Weight *Param
	Scale  []float32

	binarySides

	xb, out, dxb, dx buffer
	wb, dws, dw      []float32
}

// NewBinaryLinear returns a binary linear layer with weights drawn from
// init.Weights (Kaiming-normal, fan-in: a binary linear layer sits inside
// the network, like AlexNet's middle layers) and noise adaptation modules,
// if any, from init.NA. Sizes < 1, and a nil init, init.Weights or (with
// noise adaptation) init.NA, are programmer errors and panic with a message
// naming NewBinaryLinear and the argument.
func NewBinaryLinear(in, out int, b Binary, init *Init) (*BinaryLinear, error) {
	if in < 1 || out < 1 {
		panic(fmt.Sprintf("nn: NewBinaryLinear(%d, %d): sizes must be >= 1", in, out))
	}
	r := init.weights("NewBinaryLinear")
	l := &BinaryLinear{In: in, Out: out, Binary: b, Weight: newParam("weight", out, in)}
	kaimingNormal(l.Weight.Data, in, r)
	var err error
	if l.w, err = newBinarizer("BinaryLinear", "w", b, in, init); err != nil {
		return nil, err
	}
	if l.a, err = newBinarizer("BinaryLinear", "a", b, in, init); err != nil {
		return nil, err
	}
	l.Scale = make([]float32, out)
	l.wb = make([]float32, out*in)
	l.dwb = make([]float32, out*in)
	l.dw = make([]float32, out*in)
	l.dws = make([]float32, out*in)
	return l, nil
}

// Params returns the latent weight, then the learnable estimator scalars
// and noise-adaptation parameters of the weights and of the activations.
func (l *BinaryLinear) Params() []*Param { return l.params(l.Weight) }

// Forward returns q(x)·(q(W)·s)ᵀ, with noise adaptation in training.
func (l *BinaryLinear) Forward(x *Tensor) *Tensor {
	checkLinearInput("BinaryLinear", x, l.In)
	l.in = x
	l.binarizeWeights(l.wb, l.wb, l.Scale, l.Weight.Data, l.In)
	if na := l.w.na; na != nil && !l.eval && na.Alpha != 0 {
		na.ForwardRows(l.wb, l.Weight.Data, l.Out, l.Scale)
	}
	xb := l.xb.shape(x.N, l.In, 1, 1)
	l.a.est.Forward(xb.Data, x.Data)
	if na := l.a.na; na != nil && !l.eval && na.Alpha != 0 {
		na.ForwardRows(xb.Data, x.Data, x.N, nil)
	}
	y := l.out.shape(x.N, l.Out, 1, 1)
	linearForward(y.Data, xb.Data, l.wb, x.N, l.In, l.Out)
	return y
}

// Backward adds the latent weight gradient and returns the input gradient.
func (l *BinaryLinear) Backward(dy *Tensor) *Tensor {
	x := l.in
	checkLinearGrad("BinaryLinear", dy, x, l.Out)
	xb := &l.xb.t
	clear(l.dwb)
	gemmTN(l.dwb, dy.Data, xb.Data, l.Out, l.In, x.N)
	l.backwardWeights(l.Weight.Grad, l.dws, l.dw, l.dwb, l.Weight.Data, l.Scale, l.In)
	if na := l.w.na; na != nil && !l.eval && na.Alpha != 0 {
		clear(l.dw)
		na.BackwardRows(l.dw, l.Weight.Data, l.dwb, l.Out, l.Scale)
		addTo(l.Weight.Grad, l.Weight.Grad, l.dw)
	}
	dxb := l.dxb.shape(x.N, l.In, 1, 1)
	gemmNN(dxb.Data, dy.Data, l.wb, x.N, l.In, l.Out)
	dx := l.dx.shape(x.N, x.C, x.H, x.W)
	l.a.est.Backward(dx.Data, x.Data, dxb.Data)
	if na := l.a.na; na != nil && !l.eval && na.Alpha != 0 {
		na.BackwardRows(dx.Data, x.Data, dxb.Data, x.N, nil)
	}
	return dx
}
