package nn

import (
	"fmt"
	"math"
)

var _ Optimizer = (*Bop)(nil)

// BopConfig holds Bop's hyperparameters; zero fields take the defaults of
// the paper's code and Larq's (γ = 1e-4, τ = 1e-8).
type BopConfig struct {
	Gamma     float64 // γ, the adaptivity rate of the moving average, in (0, 1]
	Threshold float64 // τ, the flip threshold, >= 0
}

// DefaultBop is Bop's default configuration.
var DefaultBop = BopConfig{Gamma: 1e-4, Threshold: 1e-8}

// Bop is the binary optimizer of "Latent Weights Do Not Exist: Rethinking
// Binarized Neural Network Optimization" (NeurIPS 2019,
// arXiv 1906.02107), as Larq's Bop: it keeps no latent weights, only the
// binary weights' signs and an exponential moving average m of their
// gradient, and flips a weight when m is large enough and points the way
// the weight would move:
//
//	m ← (1 − γ)·m + γ·g
//	w ← −w   if |m| > τ and sign(m) = sign(w),   else w unchanged
//
// Here a binary layer's weight parameter stands for its binary weights:
// sign(w) is the code, and a flip negates w, so that |w| and with it the
// layer's per-channel scale (the mean of |w|) keep their initial values.
// g must be the gradient of the loss with respect to the codes, which a
// binary layer gives when its weight estimator is the identity (its
// gradient is then s·∂L/∂(s·b) = ∂L/∂b with the scale s detached). sign(0)
// is +1, as the layers' forward pass has it; a zero weight flips to the
// smallest negative float32, so that the flip changes its code. The
// learning rate does not enter Bop: Step passes it to Rest, the optimizer
// of every other parameter (the stem, the head, BatchNorm), as Larq pairs
// Bop with a float optimizer.
type Bop struct {
	BopConfig
	params []*Param
	m      []*Buffer
	// Rest updates the parameters Bop does not, with Step's learning rate.
	Rest Optimizer
}

// NewBop returns Bop over the binary weights binary, with rest for the
// other parameters.
func NewBop(binary []*Param, c BopConfig, rest Optimizer) *Bop {
	if c.Gamma == 0 {
		c.Gamma = DefaultBop.Gamma
	}
	if c.Threshold == 0 {
		c.Threshold = DefaultBop.Threshold
	}
	switch {
	case !(c.Gamma > 0 && c.Gamma <= 1) || float32(c.Gamma) == 0:
		panic(fmt.Sprintf("nn: NewBop: bad γ %v: want a number in (0, 1] that is not 0 as float32", c.Gamma))
	case !decayOK(c.Threshold):
		panic(fmt.Sprintf("nn: NewBop: bad threshold τ %v: want a finite number >= 0 that float32 holds", c.Threshold))
	case rest == nil:
		panic("nn: NewBop: rest is nil, want the optimizer of the other parameters")
	}
	o := &Bop{BopConfig: c, params: binary, Rest: rest}
	for _, p := range binary {
		o.m = append(o.m, &Buffer{Name: "bop_m", Data: make([]float32, len(p.Data))})
	}
	return o
}

// State returns the moving average of each binary weight parameter, then
// Rest's state.
func (o *Bop) State() []*Buffer {
	return append(append([]*Buffer(nil), o.m...), o.Rest.State()...)
}

// Step updates the binary weights and zeroes their gradients, then calls
// Rest.Step(lr).
func (o *Bop) Step(lr float64) {
	gamma, tau := float32(o.Gamma), float32(o.Threshold)
	for i, p := range o.params {
		w, g, m := p.Data, p.Grad[:len(p.Data)], o.m[i].Data[:len(p.Data)]
		for j := range w {
			m[j] = (1-gamma)*m[j] + gamma*g[j]
			if m[j] > tau && w[j] >= 0 || m[j] < -tau && w[j] < 0 {
				switch {
				case w[j] == 0:
					w[j] = -math.SmallestNonzeroFloat32
				default:
					w[j] = -w[j]
				}
			}
		}
		clear(g)
	}
	o.Rest.Step(lr)
}
