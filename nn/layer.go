package nn

import (
	"fmt"
	"math"
	"strconv"
)

// A Layer is one step of a network with an explicit forward and backward
// pass over buffers it owns.
//
// Forward computes the layer's output for x and returns it; the layer keeps
// x (the pointer, not a copy) for Backward, so the caller must not change x
// between the two calls. Backward takes dy, the gradient of the loss with
// respect to the output of the last Forward, ADDS the gradients of the
// layer's parameters to their Param.Grad, and returns dx, the gradient with
// respect to x. Both returned tensors belong to the layer (see Tensor).
//
// A wrong input shape (such as a channel count other than the layer's) is a
// programmer error and panics with an "nn: " message. In steady state
// (batches no larger than one seen before) neither method allocates.
//
// A Layer is not safe for concurrent use; its kernels split their work over
// the process's worker pool (internal/parallel).
type Layer interface {
	Forward(x *Tensor) *Tensor
	Backward(dy *Tensor) *Tensor
}

// A Parent is a Layer made of other layers (Sequential, Residual). Walk and
// the functions built on it (Params, Buffers, SetTraining, SetProgress)
// visit its children in the order Children returns them, which must be the
// same on every call.
type Parent interface {
	Children() []Layer
}

// A Parametric layer has trainable parameters, returned in a fixed order.
type Parametric interface {
	Params() []*Param
}

// A Stateful layer has non-trainable state that checkpoints save, such as
// BatchNorm's running statistics, returned in a fixed order.
type Stateful interface {
	Buffers() []*Buffer
}

// A ModeSetter behaves differently in training and evaluation: BatchNorm
// (batch statistics vs running statistics) and the binary layers (noise
// adaptation only in training). Layers start in training mode, like
// PyTorch modules.
type ModeSetter interface {
	SetTraining(training bool)
}

// A ProgressSetter changes over training: binary layers pass the progress
// to their estimators (estimators.Scheduler) and set the noise-adaptation
// weight α from it.
type ProgressSetter interface {
	SetProgress(p Progress)
}

// Progress is the position of training, set once per epoch before the
// epoch's first step.
type Progress struct {
	Epoch  int // the current epoch, 0-based
	Epochs int // the number of epochs of the run, E >= 1
}

// P returns the estimator progress p in [0, 1]: 0 at the first epoch and 1
// at the last, e/(E-1) (0 for a one-epoch run). A Progress that is no
// epoch of a run (Epochs < 1, or Epoch outside 0..Epochs-1) is a
// programmer error and panics with a message naming it, as NAAlpha does.
func (p Progress) P() float64 {
	p.check("P")
	if p.Epochs == 1 {
		return 0
	}
	return float64(p.Epoch) / float64(p.Epochs-1)
}

// check panics, naming the method, for a Progress that is no epoch of a
// run: P clamped one into [0, 1], so epoch 9 of 3 trained as the last.
func (p Progress) check(method string) {
	if p.Epochs < 1 || p.Epoch < 0 || p.Epoch >= p.Epochs {
		panic(fmt.Sprintf("nn: Progress.%s: %+v is no epoch of a run: want Epochs >= 1 and Epoch in 0..Epochs-1", method, p))
	}
}

// NAAlpha returns the weight α of the noise-adaptation term at this epoch,
// the cosine decay of the FDA paper's noise adaptation (arXiv 2103.00841)
// as this suite schedules it per epoch: α = 0.05·(1 + cos(π(e+1)/E)) at
// epoch e of E, which falls from nearly 0.1 in the first epoch to exactly
// 0 in the last.
func (p Progress) NAAlpha() float64 {
	p.check("NAAlpha")
	return 0.05 * (1 + math.Cos(math.Pi*float64(p.Epoch+1)/float64(p.Epochs)))
}

// Walk calls fn for root and then, depth first, for every layer inside it
// (through Parent). path names the layer by its child indices from the
// root, such as "2.1.0"; the root's path is "".
func Walk(root Layer, fn func(path string, l Layer)) {
	walk("", root, fn)
}

func walk(path string, l Layer, fn func(string, Layer)) {
	fn(path, l)
	p, ok := l.(Parent)
	if !ok {
		return
	}
	for i, c := range p.Children() {
		if c == nil {
			continue
		}
		cp := strconv.Itoa(i)
		if path != "" {
			cp = path + "." + cp
		}
		walk(cp, c, fn)
	}
}

// walkOf calls fn, in Walk order, for every layer of the network that
// implements I.
func walkOf[I any](root Layer, fn func(I)) {
	Walk(root, func(_ string, l Layer) {
		if x, ok := l.(I); ok {
			fn(x)
		}
	})
}

// Params returns every trainable parameter of the network, in Walk order.
func Params(root Layer) []*Param {
	var ps []*Param
	walkOf(root, func(p Parametric) { ps = append(ps, p.Params()...) })
	return ps
}

// Buffers returns the non-trainable state of every layer, in Walk order.
func Buffers(root Layer) []*Buffer {
	var bs []*Buffer
	walkOf(root, func(s Stateful) { bs = append(bs, s.Buffers()...) })
	return bs
}

// SetTraining switches every layer of the network to training (true) or
// evaluation (false) mode.
func SetTraining(root Layer, training bool) {
	walkOf(root, func(m ModeSetter) { m.SetTraining(training) })
}

// SetProgress tells every layer of the network the training progress. Call
// it before the first step of each epoch.
func SetProgress(root Layer, p Progress) {
	walkOf(root, func(s ProgressSetter) { s.SetProgress(p) })
}
