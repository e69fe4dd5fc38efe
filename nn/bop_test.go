package nn

import (
	"math"
	"slices"
	"testing"
)

// lrSpy records the learning rates its Step gets.
type lrSpy struct{ lrs []float64 }

func (s *lrSpy) Step(lr float64)  { s.lrs = append(s.lrs, lr) }
func (s *lrSpy) State() []*Buffer { return nil }

// TestBopFlipRule checks Bop against an example worked by hand, γ = 0.5
// and τ = 0.1, weights w = (0.5, −0.5, 0.5, 0, 0.5):
//
//	step 1, g = (1, 1, −1, 1, 0.125): m = (0.5, 0.5, −0.5, 0.5, 0.0625)
//	  w1: m > τ and sign(m) = sign(w) = +  → flips to −0.5
//	  w2: m > τ but w < 0                  → stays −0.5
//	  w3: m < −τ but w > 0                 → stays 0.5
//	  w4: m > τ and sign(0) = +            → flips to the smallest negative
//	  w5: m = 0.0625 ≤ τ                   → stays 0.5
//	step 2, g = (0, 0, −1, −1, 0.125): m = (0.25, 0.25, −0.75, −0.25, 0.09375)
//	  w1 = −0.5, m > 0: stays; w2 stays; w3 = 0.5, m < 0: stays;
//	  w4 < 0 and m < −τ → flips back to the smallest positive; w5: m ≤ τ.
//
// and that gradients are zeroed, the learning rate goes to the other
// parameters' optimizer alone, and the state holds m.
func TestBopFlipRule(t *testing.T) {
	p := &Param{Name: "weight", Shape: []int{5}, Data: []float32{0.5, -0.5, 0.5, 0, 0.5}, Grad: make([]float32, 5)}
	rest := &lrSpy{}
	o := NewBop([]*Param{p}, BopConfig{Gamma: 0.5, Threshold: 0.1}, rest)
	tiny := float32(math.SmallestNonzeroFloat32)
	for i, step := range []struct{ g, wantM, wantW []float32 }{
		{[]float32{1, 1, -1, 1, 0.125}, []float32{0.5, 0.5, -0.5, 0.5, 0.0625}, []float32{-0.5, -0.5, 0.5, -tiny, 0.5}},
		{[]float32{0, 0, -1, -1, 0.125}, []float32{0.25, 0.25, -0.75, -0.25, 0.09375}, []float32{-0.5, -0.5, 0.5, tiny, 0.5}},
	} {
		copy(p.Grad, step.g)
		o.Step(0.01 * float64(i+1))
		if !slices.Equal(o.m[0].Data, step.wantM) {
			t.Errorf("step %d: m = %v, want %v", i+1, o.m[0].Data, step.wantM)
		}
		if !slices.Equal(p.Data, step.wantW) {
			t.Errorf("step %d: w = %v, want %v", i+1, p.Data, step.wantW)
		}
		if slices.ContainsFunc(p.Grad, func(v float32) bool { return v != 0 }) {
			t.Errorf("step %d: gradient %v not zeroed", i+1, p.Grad)
		}
	}
	if !slices.Equal(rest.lrs, []float64{0.01, 0.02}) {
		t.Errorf("the other parameters' optimizer got learning rates %v, want 0.01, 0.02", rest.lrs)
	}
	if st := o.State(); len(st) != 1 || st[0] != o.m[0] {
		t.Errorf("State() = %v, want the moving average alone", st)
	}
	if d := NewBop([]*Param{p}, BopConfig{}, rest); d.Gamma != 1e-4 || d.Threshold != 1e-8 {
		t.Errorf("defaults γ %v, τ %v, want 1e-4 and 1e-8", d.Gamma, d.Threshold)
	}
}

// TestBopThresholdStrict checks that a moving average exactly at ±τ flips
// nothing (|m| > τ, as the paper and Larq have it): a Bop that flipped at
// |m| = τ passed every test.
func TestBopThresholdStrict(t *testing.T) {
	p := &Param{Name: "weight", Shape: []int{2}, Data: []float32{0.5, -0.5}, Grad: []float32{0.5, -0.5}}
	o := NewBop([]*Param{p}, BopConfig{Gamma: 0.5, Threshold: 0.25}, &lrSpy{})
	o.Step(0.1)
	if !slices.Equal(o.m[0].Data, []float32{0.25, -0.25}) || !slices.Equal(p.Data, []float32{0.5, -0.5}) {
		t.Errorf("m = %v, w = %v; want m = ±τ = 0.25, -0.25 and no flip", o.m[0].Data, p.Data)
	}
}

// TestBopZeroWeightNegativeM checks that a zero weight, whose code is +1,
// stays when its moving average is below -τ: the flip needs sign(m) =
// sign(w), and a Bop that flipped zero weights for either sign of m is a
// deliberate bug the worked example missed (its zero weight saw m > τ).
func TestBopZeroWeightNegativeM(t *testing.T) {
	p := &Param{Name: "weight", Shape: []int{1}, Data: []float32{0}, Grad: []float32{-1}}
	NewBop([]*Param{p}, BopConfig{Gamma: 0.5, Threshold: 0.1}, &lrSpy{}).Step(0.1)
	if p.Data[0] != 0 {
		t.Errorf("w = %v after m = -0.5, want 0 (code +1, no flip)", p.Data[0])
	}
}
