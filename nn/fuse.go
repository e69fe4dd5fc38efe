package nn

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
	// gradient buffer, and add is left unchanged. A layer that computes
	// no input gradient (SkipInputGrad) cannot take part and does not
	// implement it.
	backwardAdd(dy, add *Tensor) *Tensor
}
