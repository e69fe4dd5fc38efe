package nn

import (
	"fmt"
	"math"
)

// An Optimizer updates parameters from their gradients.
//
// Step applies one update with learning rate lr to every parameter the
// optimizer was made with, clamps parameters that have a range (Param.Min,
// Max), and then zeroes every gradient, so a training step is
//
//	y := net.Forward(x); loss.Forward(y, labels)
//	net.Backward(loss.Backward()); opt.Step(sched.LR(step))
//
// State returns the optimizer's own state (momentum, moments, step count)
// for checkpoints, in a fixed order; the buffers alias the live state.
type Optimizer interface {
	Step(lr float64)
	State() []*Buffer
}

var (
	_ Optimizer = (*SGD)(nil)
	_ Optimizer = (*Adam)(nil)
)

// SGDConfig holds SGD's hyperparameters; the zero value is plain SGD.
type SGDConfig struct {
	Momentum    float64 // μ, e.g. 0.9
	WeightDecay float64 // L2 coefficient added to the gradient, e.g. 1e-4
	Nesterov    bool    // Nesterov momentum (needs Momentum > 0)
}

// inUnit reports whether v is in [0, 1) and below 1 as float32, the
// precision the optimizers compute in (a momentum or β that rounds to 1
// would keep every past gradient forever). NaN is not.
func inUnit(v float64) bool { return v >= 0 && float32(v) < 1 }

// decayOK reports whether v is a finite number >= 0 that float32 holds:
// not infinite as float32, and not 0 as float32 unless it is 0. NaN is not.
func decayOK(v float64) bool {
	f := float32(v)
	return v >= 0 && !math.IsInf(float64(f), 0) && (f != 0 || v == 0)
}

// SGD is stochastic gradient descent with momentum, as PyTorch's torch.optim.SGD
// (dampening 0):
//
//	g = grad + wd·w;  v = μ·v + g;  g = g + μ·v (Nesterov) or v;  w -= lr·g
type SGD struct {
	SGDConfig
	params []*Param
	vel    []*Buffer
}

// NewSGD returns an SGD optimizer over params. Momentum must be in [0, 1)
// and below 1 as float32 (the precision Step computes in), WeightDecay a
// finite number >= 0 that float32 holds (nonzero stays nonzero), and
// Nesterov needs Momentum > 0; anything else, NaN included, is a
// programmer error and panics with a message naming NewSGD, the setting
// and its value.
func NewSGD(params []*Param, c SGDConfig) *SGD {
	switch {
	case !inUnit(c.Momentum):
		panic(fmt.Sprintf("nn: NewSGD: bad momentum %v: want a number in [0, 1) that is below 1 as float32", c.Momentum))
	case !decayOK(c.WeightDecay):
		panic(fmt.Sprintf("nn: NewSGD: bad weight decay %v: want a finite number >= 0 that float32 holds", c.WeightDecay))
	case c.Nesterov && c.Momentum == 0:
		panic(fmt.Sprintf("nn: NewSGD: bad configuration %+v: Nesterov needs Momentum > 0", c))
	}
	o := &SGD{SGDConfig: c, params: params}
	if c.Momentum != 0 {
		for _, p := range params {
			o.vel = append(o.vel, &Buffer{Name: "momentum", Data: make([]float32, len(p.Data))})
		}
	}
	return o
}

// State returns one momentum buffer per parameter (none without momentum).
func (o *SGD) State() []*Buffer { return o.vel }

// Step updates every parameter and zeroes its gradient.
func (o *SGD) Step(lr float64) {
	mu, lr32 := float32(o.Momentum), float32(lr)
	for i, p := range o.params {
		wd := float32(o.WeightDecay)
		if p.NoDecay {
			wd = 0
		}
		w, g := p.Data, p.Grad[:len(p.Data)]
		switch {
		case mu == 0:
			for j := range w {
				w[j] -= lr32 * (g[j] + wd*w[j])
			}
		case o.Nesterov:
			v := o.vel[i].Data[:len(w)]
			for j := range w {
				d := g[j] + wd*w[j]
				v[j] = mu*v[j] + d
				w[j] -= lr32 * (d + mu*v[j])
			}
		default:
			v := o.vel[i].Data[:len(w)]
			for j := range w {
				v[j] = mu*v[j] + g[j] + wd*w[j]
				w[j] -= lr32 * v[j]
			}
		}
		p.clamp()
		clear(g)
	}
}

// AdamConfig holds Adam's hyperparameters; zero fields take the defaults
// of the paper and PyTorch.
type AdamConfig struct {
	Beta1       float64 // 0.9
	Beta2       float64 // 0.999
	Eps         float64 // 1e-8
	WeightDecay float64 // L2 coefficient added to the gradient (not AdamW)
}

// Adam is the optimizer of Kingma & Ba (ICLR 2015, arXiv 1412.6980), as
// torch.optim.Adam:
//
//	g = grad + wd·w;  m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²
//	w -= lr·(m/(1-β1ᵗ)) / (√(v/(1-β2ᵗ)) + ε)
type Adam struct {
	AdamConfig
	params []*Param
	m, v   []*Buffer
	t      *Buffer // Ints[0] = steps taken
}

// NewAdam returns an Adam optimizer over params. Zero fields take the
// defaults; Beta1 and Beta2 must then be in [0, 1) and below 1 as float32
// (the precision Step computes in), Eps a finite number > 0 that float32
// holds, and WeightDecay a finite number >= 0 that float32 holds (nonzero
// stays nonzero). Anything else, NaN included, is a programmer error and
// panics with a message naming NewAdam, the setting and its value.
func NewAdam(params []*Param, c AdamConfig) *Adam {
	if c.Beta1 == 0 {
		c.Beta1 = 0.9
	}
	if c.Beta2 == 0 {
		c.Beta2 = 0.999
	}
	if c.Eps == 0 {
		c.Eps = 1e-8
	}
	switch {
	case !inUnit(c.Beta1):
		panic(fmt.Sprintf("nn: NewAdam: bad β1 %v: want a number in [0, 1) that is below 1 as float32", c.Beta1))
	case !inUnit(c.Beta2):
		panic(fmt.Sprintf("nn: NewAdam: bad β2 %v: want a number in [0, 1) that is below 1 as float32", c.Beta2))
	case !(c.Eps > 0) || !decayOK(c.Eps):
		panic(fmt.Sprintf("nn: NewAdam: bad ε %v: want a finite number > 0 that float32 holds", c.Eps))
	case !decayOK(c.WeightDecay):
		panic(fmt.Sprintf("nn: NewAdam: bad weight decay %v: want a finite number >= 0 that float32 holds", c.WeightDecay))
	}
	o := &Adam{AdamConfig: c, params: params, t: &Buffer{Name: "step", Ints: make([]int64, 1)}}
	for _, p := range params {
		o.m = append(o.m, &Buffer{Name: "exp_avg", Data: make([]float32, len(p.Data))})
		o.v = append(o.v, &Buffer{Name: "exp_avg_sq", Data: make([]float32, len(p.Data))})
	}
	return o
}

// State returns the step count, then the first and second moment of each
// parameter in turn.
func (o *Adam) State() []*Buffer {
	s := []*Buffer{o.t}
	for i := range o.m {
		s = append(s, o.m[i], o.v[i])
	}
	return s
}

// Step updates every parameter and zeroes its gradient.
func (o *Adam) Step(lr float64) {
	o.t.Ints[0]++
	t := float64(o.t.Ints[0])
	b1, b2 := float32(o.Beta1), float32(o.Beta2)
	c1 := 1 - math.Pow(o.Beta1, t)
	c2 := 1 - math.Pow(o.Beta2, t)
	step := float32(lr / c1)
	rc2 := float32(1 / math.Sqrt(c2))
	eps := float32(o.Eps)
	for i, p := range o.params {
		wd := float32(o.WeightDecay)
		if p.NoDecay {
			wd = 0
		}
		w, g := p.Data, p.Grad[:len(p.Data)]
		m, v := o.m[i].Data[:len(w)], o.v[i].Data[:len(w)]
		for j := range w {
			d := g[j] + wd*w[j]
			m[j] = b1*m[j] + (1-b1)*d
			v[j] = b2*v[j] + (1-b2)*d*d
			w[j] -= step * m[j] / (float32(math.Sqrt(float64(v[j])))*rc2 + eps)
		}
		p.clamp()
		clear(g)
	}
}

// clamp keeps the values in [Min, Max] when the parameter has a range.
func (p *Param) clamp() {
	if p.Min >= p.Max {
		return
	}
	for i, v := range p.Data {
		p.Data[i] = min(p.Max, max(p.Min, v))
	}
}

// A Schedule gives the learning rate of each optimizer step (0-based).
type Schedule interface {
	LR(step int) float64
}

var (
	_ Schedule = Cosine{}
	_ Schedule = Constant(0)
)

// Cosine decays the learning rate from Base at step 0 to 0 at step Steps
// (and after), per step, as PyTorch's CosineAnnealingLR with T_max = Steps
// and eta_min = 0 stepped every batch:
//
//	lr(t) = Base·(1 + cos(π·t/Steps))/2
type Cosine struct {
	Base  float64
	Steps int // total steps of the run: epochs × batches per epoch
}

// LR returns the learning rate of step t. Steps < 1 (a Cosine whose Steps
// was left out would give 0 at every step, training nothing) and a step
// t < 0 are programmer errors and panic with a message naming Cosine.LR
// and the values.
func (c Cosine) LR(t int) float64 {
	if c.Steps < 1 || t < 0 {
		panic(fmt.Sprintf("nn: Cosine.LR(%d) with Steps %d: want Steps >= 1 (epochs × batches per epoch) and a step t >= 0", t, c.Steps))
	}
	if t >= c.Steps {
		return 0
	}
	return c.Base * (1 + math.Cos(math.Pi*float64(t)/float64(c.Steps))) / 2
}

// Constant is a fixed learning rate.
type Constant float64

// LR returns the constant.
func (c Constant) LR(int) float64 { return float64(c) }
