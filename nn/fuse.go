package nn

import (
	"fmt"
	"unsafe"
)

// Fused passes. A residual unit ends its forward pass with an addition,
// Body(x) + Shortcut(x), and its backward pass with another, the sum of
// the two branches' input gradients. Done as a separate pass, each reads
// two tensors and writes a third that the last layer of the branch has
// just written: a layer that can add a tensor while it writes its own
// result saves that pass over memory. These optional interfaces let
// Residual (and a Sequential, for its last or first layer) ask for it.
//
// A fused result must be bit-identical to the separate pass: the layer
// computes its own value exactly as it would alone and adds the other
// tensor to it last (floating-point addition is commutative, so the
// order of the two operands does not matter).

// forwardAdder is a layer whose forward pass can add a tensor to its
// output in the same pass.
type forwardAdder interface {
	// forwardAdd returns Forward(x) + add, where add has the shape of the
	// output; the result is the layer's own output buffer, and add is
	// left unchanged.
	forwardAdd(x, add *Tensor) *Tensor
}

// backwardAdder is a layer whose backward pass can add a tensor to its
// input gradient in the same pass.
type backwardAdder interface {
	// backwardAdd returns Backward(dy) + add, where add has the shape of
	// the layer's last input; the result is the layer's own input
	// gradient buffer, and add is left unchanged. A layer set to compute
	// no input gradient (SkipInputGrad) panics: there is no gradient to
	// add to (a residual body cannot start with such a layer).
	backwardAdd(dy, add *Tensor) *Tensor
}

// checkAdd panics unless add can be added to y, the output (or input
// gradient) a layer is about to write: the same shape, and no memory in
// common with y (the fused pass reads add while it writes y).
func checkAdd(layer string, y, add *Tensor) {
	if add.Shape() != y.Shape() || len(add.Data) != y.Len() {
		panic(fmt.Sprintf("nn: %s: the tensor added to its result %v is %v: they differ in shape", layer, y, add))
	}
	if overlap(y.Data, add.Data) {
		panic(fmt.Sprintf("nn: %s: the tensor %v added to its result shares its memory", layer, add))
	}
}

// overlap reports whether a and b share memory.
func overlap(a, b []float32) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	return pa < pb+uintptr(4*len(b)) && pb < pa+uintptr(4*len(a))
}

// forwardPlus returns l.Forward(x) + add, what a Residual's body adds to
// its shortcut. A Sequential runs its layers but the last as in Forward
// and hands the addition to the last; a layer that implements
// forwardAdder adds in its own pass; any other layer's output is added
// to add in out, by job. (Sequential is a slice with no buffer of its own
// for that sum, so the walk is here and not a Sequential method.)
func forwardPlus(l Layer, x, add *Tensor, out *buffer, job *addJob) *Tensor {
	if s, ok := l.(Sequential); ok && len(s) > 0 {
		for _, c := range s[:len(s)-1] {
			x = c.Forward(x)
		}
		return forwardPlus(s[len(s)-1], x, add, out, job)
	}
	if f, ok := l.(forwardAdder); ok {
		return f.forwardAdd(x, add)
	}
	return job.sum(out, l.Forward(x), add, "output")
}

// backwardPlus returns l.Backward(dy) + add, the sum of a Residual's two
// input gradients: a Sequential hands the addition to its first layer
// (backwardSeq); a layer that implements backwardAdder adds in its own
// pass; any other layer's input gradient is added to add in out, by job.
func backwardPlus(l Layer, dy, add *Tensor, out *buffer, job *addJob) *Tensor {
	if s, ok := l.(Sequential); ok && len(s) > 0 {
		return backwardSeq(s, dy, add, out, job)
	}
	if b, ok := l.(backwardAdder); ok {
		return b.backwardAdd(dy, add)
	}
	return job.sum(out, l.Backward(dy), add, "input gradient")
}

// backwardSeq runs the Backward of s's layers in reverse, a convolution
// and the BatchNorm after it as a pair (deferPair): BatchNorm's input
// gradient is computed in the convolution's grid fill. With add (nil for
// Sequential.Backward) it returns the input gradient plus add, the first
// layer (or pair's convolution) adding it as backwardPlus does.
func backwardSeq(s Sequential, dy, add *Tensor, out *buffer, job *addJob) *Tensor {
	for i := len(s) - 1; i >= 0; i-- {
		if dy == nil && i < len(s)-1 {
			panic(fmt.Sprintf("nn: Sequential.Backward: layer %d (%T) computes no input gradient (SkipInputGrad), which layer %d (%T) before it needs", i+1, s[i+1], i, s[i]))
		}
		t, d, ok := deferPair(s, i)
		switch {
		case !ok && i == 0 && add != nil:
			return backwardPlus(s[0], dy, add, out, job)
		case !ok:
			dy = s[i].Backward(dy)
		case i > 1 || add == nil:
			dy = t.backwardPlanes(dy, d.backwardDeferred(dy), nil)
			i--
		default: // the pair begins s: its convolution adds
			src := d.backwardDeferred(dy)
			if _, ok := t.(backwardAdder); ok {
				return t.backwardPlanes(dy, src, add)
			}
			return job.sum(out, t.backwardPlanes(dy, src, nil), add, "input gradient")
		}
	}
	return dy
}

// Deferred input gradients. In a Sequential, a convolution followed by
// BatchNorm (every residual body, every downsampling shortcut) would have
// BatchNorm write its input gradient for the whole batch and the
// convolution's backward pass then copy it, group by group, into its grid
// of output gradients. Instead BatchNorm's backward pass stops after its
// sums (the γ and β gradients and the per-channel constants of the input
// gradient) and hands the convolution a planeSource, and the convolution
// computes each plane of that gradient as it fills its grid: one write
// and one read of the batch's gradient fewer. Each plane is computed by
// the very kernel call BatchNorm's own pass makes for it (bnGradKernel on the
// plane's H·W values), so the gradient is bit for bit the same.

var (
	_ gradDeferrer = (*BatchNorm)(nil)
	_ gradTaker    = (*Conv2d)(nil)
	_ gradTaker    = (*BinaryConv2d)(nil)
)

// planeSource is an input gradient that is computed on demand, plane by
// plane, instead of written as a tensor.
type planeSource interface {
	// gradPlane sets dst (H·W values) to plane i of the gradient: image
	// i/C, channel i%C. It may be called from several goroutines at once.
	gradPlane(dst []float32, i int)
}

// gradDeferrer is a layer whose backward pass can leave its input
// gradient to a planeSource.
type gradDeferrer interface {
	// backwardDeferred does what Backward(dy) does but write the input
	// gradient, and returns its source, valid until the layer's next
	// Forward or Backward. The gradient has the shape of dy.
	backwardDeferred(dy *Tensor) planeSource
}

// gradTaker is a layer whose backward pass can take its output gradient
// from a planeSource.
type gradTaker interface {
	// takesPlanes reports whether backwardPlanes may be called (a layer
	// that reads its output gradient elsewhere than its grids, as a
	// convolution with a bias does, says no).
	takesPlanes() bool
	// backwardPlanes returns Backward(dy) + add (add nil: Backward(dy)),
	// reading the output gradient from src; dy gives its shape, its Data
	// is not read. Only a backwardAdder takes an add.
	backwardPlanes(dy *Tensor, src planeSource, add *Tensor) *Tensor
}

// deferPair returns s[i-1] and s[i] if s[i] can defer its input gradient
// to s[i-1]'s backward pass.
func deferPair(s Sequential, i int) (gradTaker, gradDeferrer, bool) {
	if i < 1 || i >= len(s) {
		return nil, nil, false
	}
	d, ok := s[i].(gradDeferrer)
	if !ok {
		return nil, nil, false
	}
	t, ok := s[i-1].(gradTaker)
	if !ok || !t.takesPlanes() {
		return nil, nil, false
	}
	return t, d, true
}
