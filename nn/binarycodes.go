package nn

import (
	"sync/atomic"

	"github.com/gradbench/gradbench/internal/bitconv"
)

// The binary forward pass of BinaryConv2d. Without noise adaptation a
// binary convolution multiplies ±1 codes: y_o = s_o·d with d the integer
// dot product of q(x) and q(W_o) over the in-bounds taps. Both of its
// paths compute exactly that, d first and one float32 product s_o·d last:
//
//   - the XNOR path (the default) packs q(x) and q(W) one bit per code
//     and runs internal/bitconv's XNOR-popcount kernels, the inference
//     kernels of package xnor; it packs the codes of x straight from x
//     (bitconv.Pack's code of a value is q's), so that no tensor of
//     codes is written;
//   - the float path runs the float convolution of q(x) with q(W), whose
//     sums of ±1 products are exact integers in float32 (Kernel²·In <
//     2^24) in any order, then scales each output channel.
//
// So the two give bit-identical outputs (TestBinaryForwardPathsAgree),
// and the float path is the reference. With noise adaptation active the
// codes are no longer ±1 (q + α·ê, and the weights' term sits inside the
// scale), so those layers take the float path with the scaled weights.
// The backward pass is the same for both: it convolves the float codes
// q(x), which the float path keeps as a tensor and the XNOR path computes
// from x as it fills the grids (convCore.prepare), bit for bit the same.
// The XNOR path needs an activation estimator whose Forward is sign (no
// estimators.Binarizer) and an input without NaN (its code is NaN).

// xnorForward selects the XNOR path of binary convolutions (see
// SetBinaryForward).
var xnorForward atomic.Bool

func init() { xnorForward.Store(true) }

// SetBinaryForward selects the forward pass of binary convolutions without
// noise adaptation: the XNOR-popcount kernels (xnor = true, the default) or
// the float convolution of the ±1 codes (false), the reference they are
// tested against. Both give bit-identical outputs, so training results do
// not depend on the choice, only its speed. It returns the previous
// setting. Do not call it while a network runs.
func SetBinaryForward(xnor bool) (prev bool) { return xnorForward.Swap(xnor) }

// codesForward is a binary convolution's XNOR path: its packed weights,
// their output transform (the scales, no offset) and the packed input.
type codesForward struct {
	ok   bool // whether the shape is one the kernels take
	w    *bitconv.Weights
	t    bitconv.Affine
	conv *bitconv.Conv
	x    bitconv.Bits
}

// init prepares the XNOR path of a convolution of shape c, or leaves ok
// false where the kernels cannot run it (such layers take the float path).
func (f *codesForward) init(c Conv, scale []float32) {
	s := bitconv.Shape{In: c.In, Out: c.Out, Kernel: c.Kernel, Stride: c.Stride, Pad: c.Pad}
	if s.Validate() != nil {
		return
	}
	f.ok = true
	f.w = bitconv.PackWeights(s, make([]float32, c.Out*c.In*c.Kernel*c.Kernel))
	f.t = bitconv.Affine{Mul: scale, Add: make([]float32, c.Out)}
}

// forward sets y (N×Out×OH×OW) to s_o·d for the codes of x (N×In×H×W,
// packed from x itself: bitconv.Pack's code is q) and wq (the weights'
// codes), or reports false, y not set, when x holds a NaN.
func (f *codesForward) forward(y []float32, x *Tensor, wq []float32) bool {
	f.w.SetSigns(wq)
	if f.conv == nil {
		conv, err := bitconv.NewConv(f.w, f.t)
		if err != nil {
			panic("nn: BinaryConv2d: " + err.Error()) // the shape was validated
		}
		f.conv = conv
	} else {
		f.conv.SetWeights(f.w, f.t)
	}
	f.x.Reshape(x.N, x.H, x.W, x.C)
	if bitconv.Pack(&f.x, x.Data) {
		return false
	}
	f.conv.Forward(y, &f.x)
	return true
}

// scaleChannels multiplies channel o of every image of y (N×len(s)×hw) by
// s[o].
func scaleChannels(y []float32, s []float32, n, hw int) {
	for i := range n {
		for o, k := range s {
			row := y[(i*len(s)+o)*hw:][:hw]
			for j := range row {
				row[j] *= k
			}
		}
	}
}
