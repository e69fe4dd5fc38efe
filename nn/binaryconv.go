package nn

import (
	"fmt"
	"math"

	"github.com/gradbench/gradbench/estimators"
)

var (
	_ Layer          = (*BinaryConv2d)(nil)
	_ backwardAdder  = (*BinaryConv2d)(nil)
	_ Parametric     = (*BinaryConv2d)(nil)
	_ ModeSetter     = (*BinaryConv2d)(nil)
	_ ProgressSetter = (*BinaryConv2d)(nil)
)

// BinaryConv2d is the binary convolution of the suite's networks (the
// first convolution, the last linear layer and downsampling shortcuts
// stay full precision, as in the FDA paper's models):
//
//	y = conv(q(x), q(W)·s),  s_o = mean|W_o| per output channel
//
// with q = sign (q(0) = +1) and the scale s detached: it multiplies the
// forward weights and the gradient that reaches W, but gets no gradient
// itself, so dW = s_o·dWb·g(W). No bias.
//
// With noise adaptation ("+na" on a side of Binary.Estimator) in training
// mode the binarized tensors of that side become q(x) + α·ê(x) and
// s_o·(q(W_o) + α·ê(W_o)): the
// weight module's output sits INSIDE the scale, so ê perturbs the ±1 codes
// in their own units, whatever the magnitude of the latent weights (which
// weight decay shrinks during training); its backward pass is scaled by s_o
// like the estimator's.
type BinaryConv2d struct {
	Conv
	Binary Binary
	// Weight holds the latent real weights, shape {Out, In, Kernel, Kernel}.
	Weight *Param
	// Scale is s of the last Forward, one value per output channel.
	Scale []float32

	binarySides
	core convCore

	xb, dxb, dx buffer
	wb, dws, dw []float32
	wq          []float32 // q(W), the weights' codes (binarycodes.go)
	wbCodes     bool      // wb = wq·Scale (no weight noise adaptation in the last Forward)
	codes       codesForward
	epi         dxEpilogue // the input gradient's epilogue during a backward pass
	add         addJob     // backwardAdd's addition where g runs after the convolution
}

// NewBinaryConv2d returns a binary convolution. Conv.Bias must be false.
// The weights come from init.Weights (Kaiming-normal, fan-in) and the noise
// adaptation modules, if any, from init.NA, so that the same seed gives the
// same weights with or without noise adaptation. A configuration that
// NewConv2d refuses, and a nil init, init.Weights or (with noise
// adaptation) init.NA, are programmer errors and panic with a message
// naming NewBinaryConv2d and the value.
func NewBinaryConv2d(c Conv, b Binary, init *Init) (*BinaryConv2d, error) {
	c.validate("NewBinaryConv2d")
	r := init.weights("NewBinaryConv2d")
	if c.Bias {
		return nil, fmt.Errorf("nn: NewBinaryConv2d: binary convolutions have no bias (Conv.Bias is true)")
	}
	l := &BinaryConv2d{Conv: c, Binary: b}
	d := c.In * c.Kernel * c.Kernel
	l.Weight = newParam("weight", c.Out, c.In, c.Kernel, c.Kernel)
	kaimingNormal(l.Weight.Data, d, r)
	var err error
	if l.w, err = newBinarizer("BinaryConv2d", "w", b, d, init); err != nil {
		return nil, err
	}
	if l.a, err = newBinarizer("BinaryConv2d", "a", b, c.In, init); err != nil {
		return nil, err
	}
	l.Scale = make([]float32, c.Out)
	l.wb = make([]float32, c.Out*d)
	l.dwb = make([]float32, c.Out*d)
	l.dw = make([]float32, c.Out*d)
	l.dws = make([]float32, c.Out*d)
	l.wq = make([]float32, c.Out*d)
	l.core.conv = c
	l.codes.init(c, l.Scale)
	return l, nil
}

// Params returns the latent weight, then the learnable estimator scalars
// and noise-adaptation parameters of the weights and of the activations.
func (l *BinaryConv2d) Params() []*Param { return l.params(l.Weight) }

// Forward returns conv(q(x), q(W)·s), with noise adaptation in training.
// Without noise adaptation it computes s_o times the integer dot products
// of the codes, on the XNOR kernels or the float path (binarycodes.go).
func (l *BinaryConv2d) Forward(x *Tensor) *Tensor {
	x.check("BinaryConv2d", "Forward")
	if x.C != l.In {
		panic(fmt.Sprintf("nn: BinaryConv2d.Forward: input %v has %d channels, want %d", x, x.C, l.In))
	}
	l.in = x
	d := len(l.wb) / l.Out
	l.binarizeWeights(l.wq, l.wb, l.Scale, l.Weight.Data, d)
	naW := l.w.na != nil && !l.eval && l.w.na.Alpha != 0
	l.wbCodes = !naW
	if naW {
		l.w.na.ForwardRows(l.wb, l.Weight.Data, l.Out, l.Scale)
	}
	naA := l.a.na != nil && !l.eval && l.a.na.Alpha != 0
	// The XNOR path packs the codes straight from x (see convCore.prepare
	// for the backward pass). An input with a NaN (its code is NaN; the
	// packing finds it), or a scale that is not finite, takes the float
	// path, which turns it into NaN outputs, so that a diverged network
	// shows in the loss.
	if !naW && !naA && l.a.sign && xnorForward.Load() && l.codes.ok && finite(l.Scale) {
		y := l.core.prepare("BinaryConv2d", x, true)
		if l.codes.forward(y.Data, x, l.wq) {
			return y
		}
	}
	xb := l.xb.shape(x.N, x.C, x.H, x.W)
	if naA {
		// The module writes the codes of a sign estimator itself.
		if !l.a.sign {
			l.a.est.Forward(xb.Data, x.Data)
		}
		l.a.na.forwardChannels(xb.Data, x.Data, x.N, x.H*x.W, l.a.sign)
	} else {
		l.a.est.Forward(xb.Data, x.Data)
	}
	var y *Tensor
	if naW || naA {
		y = l.core.forward("BinaryConv2d", xb, l.wb, nil)
	} else {
		y = l.core.forward("BinaryConv2d", xb, l.wq, nil)
		scaleChannels(y.Data, l.Scale, y.N, y.H*y.W)
	}
	// The backward pass may take the sign tables for the weight gradient
	// when xb holds the ±1 codes, as on the XNOR path: training then does
	// not depend on the forward path taken.
	l.core.signIn = !naA && l.a.sign && lutWeightGrad.Load() && allCodes(xb.Data)
	return y
}

// allCodes reports whether every value of v is +1 or −1 (no NaN).
func allCodes(v []float32) bool {
	var bad uint32 // without a branch per value: the signs are random
	for _, f := range v {
		bad |= notCode(f)
	}
	return bad == 0
}

// notCode returns 0 if f is +1 or −1, else a nonzero value: the bits of
// |f| that differ from those of 1.
func notCode(f float32) uint32 { return math.Float32bits(f)&^(1<<31) ^ 0x3f800000 }

// finite reports whether every value of s is finite.
func finite(s []float32) bool {
	for _, v := range s {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}

// Backward adds the latent weight gradient s_o·dWb·g(W) (plus the noise
// adaptation term) and returns dx = dxb·g(x) (plus its term), dxb being
// the gradient of the codes q(x).
//
// Where it can, it applies g inside the convolution's pass, to each group
// of images as soon as their dxb is computed (dxEpilogue), so that dxb is
// never written as a tensor: when the activation estimator has a kernel
// for pieces of a tensor (estimators.KernelOf; learnable estimators have
// none, their scalars' gradients being sums over the whole tensor), the
// activations have no noise adaptation, and an image's C·H·W is a
// multiple of 64 (see dxEpilogue). With activation noise adaptation, the
// module's pass over each image applies it under the same conditions but
// the first (naFused). Otherwise Estimator.Backward runs after the
// convolution, over the whole batch.
func (l *BinaryConv2d) Backward(dy *Tensor) *Tensor { return l.backward(dy, nil, nil) }

// backwardAdd returns Backward(dy) + add in the layer's input gradient
// buffer, adding add in the epilogue of the convolution where Backward
// applies g there (see fuse.go), in the noise adaptation module's pass
// with one (naFused), after the separate pass otherwise.
func (l *BinaryConv2d) backwardAdd(dy, add *Tensor) *Tensor { return l.backwardPlanes(dy, nil, add) }

// takesPlanes reports that backwardPlanes may be called (gradTaker).
func (l *BinaryConv2d) takesPlanes() bool { return true }

// backwardPlanes is Backward, or backwardAdd with add, with the output
// gradient read from src as the grids are filled (gradTaker; src nil:
// from dy's Data).
func (l *BinaryConv2d) backwardPlanes(dy *Tensor, src planeSource, add *Tensor) *Tensor {
	if add != nil {
		if l.SkipInputGrad {
			panic("nn: BinaryConv2d.backwardAdd: the layer computes no input gradient (SkipInputGrad)")
		}
		if x := l.in; x != nil && add.Shape() != x.Shape() {
			panic(fmt.Sprintf("nn: BinaryConv2d.backwardAdd: tensor %v to add does not match the input %v", add, x))
		}
	}
	return l.backward(dy, src, add)
}

// backward is Backward with the output gradient from src (nil: dy's
// Data), adding add (if not nil) to the input gradient.
func (l *BinaryConv2d) backward(dy *Tensor, src planeSource, add *Tensor) *Tensor {
	clear(l.dwb)
	x := l.in
	naA := l.a.na != nil && !l.eval && l.a.na.Alpha != 0
	// The activations' learnable estimator scalars and noise adaptation
	// take their gradients from the input gradient's passes: with them a
	// layer computes it even with SkipInputGrad, and returns nil.
	needDx := !l.SkipInputGrad || len(l.a.params) > 0 || l.a.na != nil
	var fused *Tensor
	l.core.epi = nil
	if x != nil && needDx && (x.C*x.H*x.W)%64 == 0 {
		if k, ok := estimators.KernelOf(l.a.est); ok {
			fused = l.dx.shape(x.N, x.C, x.H, x.W)
			l.epi = dxEpilogue{k: k, x: x.Data, dx: fused.Data}
			if add != nil {
				l.epi.add = add.Data
			}
			if naA {
				l.a.na.startBackward(fused.Data, x.Data, x.N, x.H*x.W, naFused{g: k, withG: true, add: l.epi.add})
				l.epi.na, l.epi.img = l.a.na, x.C*x.H*x.W
			}
			l.core.epi = &l.epi
		}
	}
	dxb := l.convBackward(dy, src, l.dwb, needDx)
	if l.epi.na != nil {
		l.epi.na.finishBackward()
	}
	l.core.epi, l.epi = nil, dxEpilogue{}
	d := len(l.wb) / l.Out
	l.backwardWeights(l.Weight.Grad, l.dws, l.dw, l.dwb, l.Weight.Data, l.Scale, d)
	if na := l.w.na; na != nil && !l.eval && na.Alpha != 0 {
		clear(l.dw)
		na.BackwardRows(l.dw, l.Weight.Data, l.dwb, l.Out, l.Scale)
		addTo(l.Weight.Grad, l.Weight.Grad, l.dw)
	}
	if fused == nil && dxb != nil {
		fused = l.dx.shape(x.N, x.C, x.H, x.W)
		l.inputGrad(fused, dxb, add, naA)
	}
	if l.SkipInputGrad {
		return nil
	}
	return fused
}

// inputGrad sets dx = dxb·g(x) (plus the activation noise adaptation's
// term with naA) + add (nil: none) in separate passes, where the
// convolution's pass could not apply g (see Backward).
func (l *BinaryConv2d) inputGrad(dx, dxb, add *Tensor, naA bool) {
	x := l.in
	if naA {
		// Without the epilogue (no estimator kernel), the module's pass
		// adds add.
		f := naFused{}
		if add != nil {
			f.add = add.Data
		}
		l.a.est.Backward(dx.Data, x.Data, dxb.Data)
		l.a.na.backwardChannels(dx.Data, x.Data, dxb.Data, x.N, x.H*x.W, f)
		return
	}
	l.a.est.Backward(dx.Data, x.Data, dxb.Data)
	if add != nil {
		l.add.run(dx.Data, dx.Data, add.Data)
	}
}

// convBackward is the convolution's backward pass with the forward
// weights wb: it adds their gradient to dwb and returns the gradient of
// the codes of the input (see convCore.backward), computed by table
// lookup (lutgrad.go) where wb = q(W)·s and lutInputGrad is set.
func (l *BinaryConv2d) convBackward(dy *Tensor, src planeSource, dwb []float32, needDx bool) *Tensor {
	if lutInputGrad.Load() && l.wbCodes && lutUsable() {
		l.core.lutCodes, l.core.lutScale = l.wq, l.Scale
	}
	dxb := l.core.backward("BinaryConv2d", dy, src, l.wb, dwb, nil, needDx)
	l.core.lutCodes, l.core.lutScale = nil, nil
	return dxb
}
