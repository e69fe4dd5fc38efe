package nn

import (
	"math"
	"slices"
	"testing"
)

// TestOptimizerSteps checks SGD (plain, with momentum, Nesterov) and Adam
// against their documented update rules (torch.optim.SGD with dampening 0,
// torch.optim.Adam with L2 weight decay), computed here in float64 over
// three steps with changing gradients and learning rates, for a decayed
// parameter and one with NoDecay. The training golden file covers SGD with
// momentum only; nothing else checked the arithmetic of a step.
func TestOptimizerSteps(t *testing.T) {
	w0 := []float64{0.5, -1.5, 2, -0.25}
	grads := [][]float64{{0.1, -0.2, 0.3, 0.05}, {-0.4, 0.1, 0.2, -0.3}, {0.25, 0.25, -0.5, 0.1}}
	lrs := []float64{0.1, 0.05, 0.2}
	const wd = 0.01

	// sgd and adam return the reference values after each step.
	sgd := func(mu float64, nesterov, decay bool) [][]float64 {
		w, v := append([]float64(nil), w0...), make([]float64, len(w0))
		var out [][]float64
		for s, g := range grads {
			for j := range w {
				d := g[j]
				if decay {
					d += wd * w[j]
				}
				if mu != 0 {
					v[j] = mu*v[j] + d
					if nesterov {
						d += mu * v[j]
					} else {
						d = v[j]
					}
				}
				w[j] -= lrs[s] * d
			}
			out = append(out, append([]float64(nil), w...))
		}
		return out
	}
	adam := func(decay bool) [][]float64 {
		const b1, b2, eps = 0.9, 0.999, 1e-8
		w, m, v := append([]float64(nil), w0...), make([]float64, len(w0)), make([]float64, len(w0))
		var out [][]float64
		for s, g := range grads {
			k := float64(s + 1)
			for j := range w {
				d := g[j]
				if decay {
					d += wd * w[j]
				}
				m[j] = b1*m[j] + (1-b1)*d
				v[j] = b2*v[j] + (1-b2)*d*d
				mh, vh := m[j]/(1-math.Pow(b1, k)), v[j]/(1-math.Pow(b2, k))
				w[j] -= lrs[s] * mh / (math.Sqrt(vh) + eps)
			}
			out = append(out, append([]float64(nil), w...))
		}
		return out
	}

	for _, tc := range []struct {
		name string
		opt  func(ps []*Param) Optimizer
		want func(decay bool) [][]float64
	}{
		{"sgd", func(ps []*Param) Optimizer { return NewSGD(ps, SGDConfig{WeightDecay: wd}) },
			func(decay bool) [][]float64 { return sgd(0, false, decay) }},
		{"sgd-momentum", func(ps []*Param) Optimizer { return NewSGD(ps, SGDConfig{Momentum: 0.9, WeightDecay: wd}) },
			func(decay bool) [][]float64 { return sgd(0.9, false, decay) }},
		{"sgd-nesterov", func(ps []*Param) Optimizer {
			return NewSGD(ps, SGDConfig{Momentum: 0.9, WeightDecay: wd, Nesterov: true})
		}, func(decay bool) [][]float64 { return sgd(0.9, true, decay) }},
		{"adam", func(ps []*Param) Optimizer { return NewAdam(ps, AdamConfig{WeightDecay: wd}) },
			func(decay bool) [][]float64 { return adam(decay) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, q := newParam("p", len(w0)), newParam("q", len(w0))
			q.NoDecay = true
			for j, v := range w0 {
				p.Data[j], q.Data[j] = float32(v), float32(v)
			}
			opt := tc.opt([]*Param{p, q})
			wantP, wantQ := tc.want(true), tc.want(false)
			for s, g := range grads {
				for j, v := range g {
					p.Grad[j], q.Grad[j] = float32(v), float32(v)
				}
				opt.Step(lrs[s])
				for _, c := range []struct {
					p    *Param
					want []float64
				}{{p, wantP[s]}, {q, wantQ[s]}} {
					for j, w := range c.want {
						if d := math.Abs(float64(c.p.Data[j]) - w); !(d <= 1e-6*max(1, math.Abs(w))) {
							t.Errorf("step %d: %s[%d] = %.9g, want %.9g", s+1, c.p.Name, j, c.p.Data[j], w)
						}
						if c.p.Grad[j] != 0 {
							t.Errorf("step %d: %s.Grad[%d] = %v after Step, want it zeroed", s+1, c.p.Name, j, c.p.Grad[j])
						}
					}
				}
			}
			// The decayed and exempt parameters must have parted ways: a
			// weight decay applied to neither or to both would not.
			if slices.Equal(p.Data, q.Data) {
				t.Errorf("NoDecay made no difference: %v", p.Data)
			}
		})
	}
}

// TestOptimizerState checks what State gives a checkpoint, in its
// documented order and aliasing the live state: nothing for plain SGD (a
// deliberate bug that made zero momentum buffers for it passed every
// test), one momentum buffer per parameter with momentum, Adam's step
// count and then each parameter's two moments, and Bop's moving averages
// followed by Rest's state (swapping Adam's moments also passed every
// test; dropping Adam's step count or Rest's state failed only the
// checkpoint and suite tests).
func TestOptimizerState(t *testing.T) {
	params := func() []*Param {
		p, q := newParam("p", 2), newParam("q", 3)
		copy(p.Grad, []float32{1, -2})
		copy(q.Grad, []float32{0.5, 0, 4})
		return []*Param{p, q}
	}
	type want struct {
		name string
		data []float32
		ints []int64
	}
	check := func(t *testing.T, st []*Buffer, w []want) {
		t.Helper()
		if len(st) != len(w) {
			t.Fatalf("State() has %d buffers, want %d", len(st), len(w))
		}
		for i, b := range st {
			if b.Name != w[i].name || !slices.Equal(b.Data, w[i].data) || !slices.Equal(b.Ints, w[i].ints) {
				t.Errorf("State()[%d] = %s %v %v, want %s %v %v", i, b.Name, b.Data, b.Ints, w[i].name, w[i].data, w[i].ints)
			}
		}
	}
	t.Run("sgd", func(t *testing.T) {
		o := NewSGD(params(), SGDConfig{})
		o.Step(0.1)
		check(t, o.State(), nil)
	})
	t.Run("sgd-momentum", func(t *testing.T) {
		o := NewSGD(params(), SGDConfig{Momentum: 0.5})
		o.Step(0.1)
		check(t, o.State(), []want{{"momentum", []float32{1, -2}, nil}, {"momentum", []float32{0.5, 0, 4}, nil}})
	})
	t.Run("adam", func(t *testing.T) {
		// β1 = β2 = 0.5 keep the moments exact: m = g/2, v = g²/2.
		o := NewAdam(params(), AdamConfig{Beta1: 0.5, Beta2: 0.5})
		o.Step(0.1)
		check(t, o.State(), []want{{"step", nil, []int64{1}},
			{"exp_avg", []float32{0.5, -1}, nil}, {"exp_avg_sq", []float32{0.5, 2}, nil},
			{"exp_avg", []float32{0.25, 0, 2}, nil}, {"exp_avg_sq", []float32{0.125, 0, 8}, nil}})
	})
	t.Run("bop", func(t *testing.T) {
		ps := params()
		o := NewBop(ps[:1], BopConfig{Gamma: 0.5}, NewSGD(ps[1:], SGDConfig{Momentum: 0.5}))
		o.Step(0.1)
		check(t, o.State(), []want{{"bop_m", []float32{0.5, -1}, nil}, {"momentum", []float32{0.5, 0, 4}, nil}})
	})
}

// TestOptimizersClamp checks that every optimizer keeps a parameter with
// a range (Param.Min < Max, as the estimators' learnable scalars have)
// inside it after a step that would leave it on either side, and leaves
// the values inside alone: Adam without its clamp, and a clamp without
// its upper bound, passed every test.
func TestOptimizersClamp(t *testing.T) {
	for name, mk := range map[string]func([]*Param) Optimizer{
		"sgd":          func(ps []*Param) Optimizer { return NewSGD(ps, SGDConfig{}) },
		"sgd-momentum": func(ps []*Param) Optimizer { return NewSGD(ps, SGDConfig{Momentum: 0.9}) },
		"adam":         func(ps []*Param) Optimizer { return NewAdam(ps, AdamConfig{}) },
	} {
		p := newParam("s", 3)
		p.Min, p.Max = -1, 1
		copy(p.Data, []float32{0.9, -0.9, 0.5})
		copy(p.Grad, []float32{-10, 10, 0})
		mk([]*Param{p}).Step(1)
		if want := []float32{1, -1, 0.5}; !slices.Equal(p.Data, want) {
			t.Errorf("%s: after a step out of [-1, 1]: %v, want %v", name, p.Data, want)
		}
	}
}

// TestConstantSchedule checks that Constant gives its value at every
// step: a Constant that halved it passed every test.
func TestConstantSchedule(t *testing.T) {
	for _, step := range []int{0, 1, 1000} {
		if got := Constant(0.05).LR(step); got != 0.05 {
			t.Errorf("Constant(0.05).LR(%d) = %v, want 0.05", step, got)
		}
	}
}
