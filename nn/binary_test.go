package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
)

// scaledSTE is a test estimator with a learnable scalar k: forward sign,
// backward dx = k·dy on |x| <= 1, and dL/dk = Σ dy·[|x| <= 1].
type scaledSTE struct{ k estimators.Scalar }

func (e *scaledSTE) Name() string                  { return "test-scaled" }
func (e *scaledSTE) Forward(dst, x []float32)      { (&estimators.STE{}).Forward(dst, x) }
func (e *scaledSTE) Scalars() []*estimators.Scalar { return []*estimators.Scalar{&e.k} }
func (e *scaledSTE) Backward(dx, x, dy []float32) {
	for i, v := range x {
		in := float32(b2i(math.Abs(float64(v)) <= 1))
		dx[i] = e.k.Value * dy[i] * in
		e.k.Grad += dy[i] * in
	}
}

// weightsOnlySTE is a test estimator for latent weights only.
type weightsOnlySTE struct{ estimators.STE }

func (e *weightsOnlySTE) Name() string { return "test-weightsonly" }
func (e *weightsOnlySTE) WeightsOnly() string {
	return "test-weightsonly binarizes latent weights only"
}

// doubledSTE embeds the clipped STE and doubles its gradient: its
// BackwardKernel, promoted from STE, is STE's, not its own.
type doubledSTE struct{ estimators.STE }

func (e *doubledSTE) Name() string { return "test-doubled" }
func (e *doubledSTE) Backward(dx, x, dy []float32) {
	e.STE.Backward(dx, x, dy)
	for i := range dx {
		dx[i] *= 2
	}
}

func init() {
	estimators.Register("test-doubled", func(p *estimators.Params) (estimators.Estimator, error) {
		return &doubledSTE{}, nil
	})
	estimators.Register("test-scaled", func(p *estimators.Params) (estimators.Estimator, error) {
		return &scaledSTE{k: estimators.Scalar{Name: "k", Value: 1, Min: 0.5, Max: 2}}, nil
	})
	estimators.Register("test-weightsonly", func(p *estimators.Params) (estimators.Estimator, error) {
		return &weightsOnlySTE{}, nil
	})
}

func newBinaryConv(t *testing.T, spec string, seed uint64) *BinaryConv2d {
	t.Helper()
	l, err := NewBinaryConv2d(Conv{In: 3, Out: 4, Kernel: 3, Stride: 1, Pad: 1},
		Binary{Estimator: estimators.MustParse(spec)}, NewInit(seed))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// reference computes BinaryConv2d without noise adaptation from its parts:
// a plain Conv2d on sign(x) with weights sign(W)·s, and the chain rule
// with the clipped STE written out, clip cw on the weights and ca on the
// activations.
func binaryReference(l *BinaryConv2d, x *Tensor, dy []float32, cw, ca float64) (y, dx, dw []float32) {
	d := l.In * l.Kernel * l.Kernel
	conv := NewConv2d(l.Conv, NewInit(0))
	s := make([]float32, l.Out)
	for o := range l.Out {
		var a float64
		for _, v := range l.Weight.Data[o*d : (o+1)*d] {
			a += math.Abs(float64(v))
		}
		s[o] = float32(a / float64(d))
		for j := range d {
			conv.Weight.Data[o*d+j] = sgn(l.Weight.Data[o*d+j]) * s[o]
		}
	}
	xb := NewTensor(x.N, x.C, x.H, x.W)
	for i, v := range x.Data {
		xb.Data[i] = sgn(v)
	}
	out := conv.Forward(xb)
	y = slices.Clone(out.Data)
	dxb := conv.Backward(&Tensor{N: out.N, C: out.C, H: out.H, W: out.W, Data: dy})
	dx = make([]float32, len(x.Data))
	for i, v := range x.Data {
		if math.Abs(float64(v)) <= ca {
			dx[i] = dxb.Data[i]
		}
	}
	dw = make([]float32, len(l.Weight.Data))
	for i, v := range l.Weight.Data {
		if math.Abs(float64(v)) <= cw {
			dw[i] = s[i/d] * conv.Weight.Grad[i]
		}
	}
	return y, dx, dw
}

func sgn(v float32) float32 {
	if v >= 0 {
		return 1
	}
	return -1
}

func closeTo(a, b []float32, tol float64) bool {
	return relErr(f64(a), f64(b)) <= tol
}

func TestBinaryConv2dMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	// Each side takes its backward pass from its own estimator.
	for _, tc := range []struct {
		spec   string
		cw, ca float64
	}{
		{"ste", 1, 1},
		{"ste:c=0.5", 0.5, 0.5},
		{"w=ste:c=2/a=ste:c=0.5", 2, 0.5},
		{"w=ste:c=0.5/a=ste", 0.5, 1},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			l := newBinaryConv(t, tc.spec, 1)
			// Latent weights around the clip so that g(W) = 0 for some.
			for i := range l.Weight.Data {
				l.Weight.Data[i] = float32(r.NormFloat64())
			}
			x := randTensor(r, 2, 3, 5, 5)
			out := l.Forward(x)
			dy := make([]float32, len(out.Data))
			fill(r, dy)
			y := slices.Clone(out.Data)
			dx := l.Backward(&Tensor{N: out.N, C: out.C, H: out.H, W: out.W, Data: dy})
			wantY, wantDx, wantDw := binaryReference(l, x, dy, tc.cw, tc.ca)
			if !closeTo(y, wantY, 1e-6) {
				t.Errorf("Forward differs from conv(sign(x), sign(W)·s)")
			}
			if !closeTo(dx.Data, wantDx, 1e-6) {
				t.Errorf("input gradient differs from STE chain rule")
			}
			if !closeTo(l.Weight.Grad, wantDw, 1e-6) {
				t.Errorf("weight gradient differs from s·g(W)·dWb")
			}
		})
	}
}

// TestNoiseAdaptationTrainsFromStepOne checks that both modules exist from
// construction, are in Params, get non-zero gradients on the first
// backward pass and change on the first optimizer step.
func TestNoiseAdaptationTrainsFromStepOne(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	l := newBinaryConv(t, "ste+na", 1)
	wna, ana := l.WeightNA(), l.ActivationNA()
	if wna == nil || ana == nil {
		t.Fatalf("ste+na: WeightNA %v, ActivationNA %v; want both", wna, ana)
	}
	if wna.D != 27 || wna.H != 1 || ana.D != 3 || ana.H != 1 {
		t.Errorf("module sizes d,h = %d,%d and %d,%d; want 27,1 and 3,1 (h = max(1, d/64))", wna.D, wna.H, ana.D, ana.H)
	}
	ps := l.Params()
	for _, want := range []*Param{wna.W1, wna.W2, ana.W1, ana.W2} {
		if !slices.Contains(ps, want) {
			t.Errorf("Params lacks %s", want.Name)
		}
	}
	before := map[*Param][]float32{}
	for _, p := range ps {
		before[p] = slices.Clone(p.Data)
	}
	opt := NewSGD(ps, SGDConfig{Momentum: 0.9})
	SetProgress(l, Progress{Epoch: 0, Epochs: 10})
	x := randTensor(r, 2, 3, 5, 5)
	y := l.Forward(x)
	dy := make([]float32, len(y.Data))
	fill(r, dy)
	l.Backward(&Tensor{N: y.N, C: y.C, H: y.H, W: y.W, Data: dy})
	for _, p := range []*Param{wna.W1, wna.W2, ana.W1, ana.W2} {
		if allZero(p.Grad) {
			t.Errorf("%s has a zero gradient after the first backward pass", p.Name)
		}
	}
	opt.Step(0.1)
	for _, p := range ps {
		if slices.Equal(p.Data, before[p]) {
			t.Errorf("%s did not change on the first step", p.Name)
		}
	}
}

func allZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// TestNoiseAdaptationModes checks the forward pass: q + α·ê in training,
// pure q in evaluation and when α = 0 (the last epoch), with the weight
// module's output inside the scale.
func TestNoiseAdaptationModes(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	plain := newBinaryConv(t, "ste", 7)
	na := newBinaryConv(t, "ste+na", 7)
	if !slices.Equal(plain.Weight.Data, na.Weight.Data) {
		t.Fatalf("the same seed gives different weights with and without +na")
	}
	x := randTensor(r, 2, 3, 5, 5)
	want := slices.Clone(plain.Forward(x).Data)

	SetProgress(na, Progress{Epoch: 0, Epochs: 4})
	if a := na.WeightNA().Alpha; math.Abs(float64(a)-0.05*(1+math.Cos(math.Pi/4))) > 1e-7 {
		t.Errorf("α at epoch 0 of 4 = %v, want 0.05·(1+cos(π/4))", a)
	}
	if slices.Equal(na.Forward(x).Data, want) {
		t.Errorf("training forward with α > 0 equals the pure binary output")
	}
	// The binarized weights are s·(q(W) + α·ê(W)): divided by s, they are
	// within α·max|ê| of ±1.
	d := na.In * na.Kernel * na.Kernel
	for o := range na.Out {
		for j := range d {
			v := na.wb[o*d+j] / na.Scale[o]
			if math.Abs(math.Abs(float64(v))-1) > 0.5 {
				t.Fatalf("binarized weight / scale = %v, want ±1 + α·ê (noise inside the scale)", v)
			}
		}
	}
	SetTraining(na, false)
	if got := na.Forward(x).Data; !slices.Equal(got, want) {
		t.Errorf("evaluation forward differs from the pure binary output")
	}
	SetTraining(na, true)
	SetProgress(na, Progress{Epoch: 3, Epochs: 4})
	if got := na.Forward(x).Data; !slices.Equal(got, want) {
		t.Errorf("training forward at the last epoch (α = 0) differs from the pure binary output")
	}
}

// TestSidesSelectEstimators checks which estimator and noise adaptation
// module each side of a layer gets from a plain or sided spec, and that
// an estimator for latent weights only is refused on the activations.
func TestSidesSelectEstimators(t *testing.T) {
	for _, tt := range []struct {
		spec     string
		w, a     string
		wNA, aNA bool
	}{
		{"test-scaled+na", "test-scaled", "test-scaled", true, true},
		{"w=test-scaled+na/a=ste", "test-scaled", "ste", true, false},
		{"w=ste/a=test-scaled+na", "ste", "test-scaled", false, true},
		{"w=test-scaled/a=ste+na", "test-scaled", "ste", false, true},
		{"w=test-scaled+na/a=test-scaled", "test-scaled", "test-scaled", true, false},
	} {
		l := newBinaryConv(t, tt.spec, 1)
		if l.WeightEstimator().Name() != tt.w || l.ActivationEstimator().Name() != tt.a ||
			(l.WeightNA() != nil) != tt.wNA || (l.ActivationNA() != nil) != tt.aNA {
			t.Errorf("%s: weights %s (na %v), activations %s (na %v); want %s (%v), %s (%v)", tt.spec,
				l.WeightEstimator().Name(), l.WeightNA() != nil, l.ActivationEstimator().Name(), l.ActivationNA() != nil,
				tt.w, tt.wNA, tt.a, tt.aNA)
		}
		lin, err := NewBinaryLinear(6, 3, Binary{Estimator: estimators.MustParse(tt.spec)}, NewInit(1))
		if err != nil {
			t.Fatal(err)
		}
		if lin.WeightEstimator().Name() != tt.w || lin.ActivationEstimator().Name() != tt.a ||
			(lin.WeightNA() != nil) != tt.wNA || (lin.ActivationNA() != nil) != tt.aNA {
			t.Errorf("BinaryLinear %s: weights %s (na %v), activations %s (na %v)", tt.spec,
				lin.WeightEstimator().Name(), lin.WeightNA() != nil, lin.ActivationEstimator().Name(), lin.ActivationNA() != nil)
		}
	}
	// A plain spec of a weights-only estimator names it for the
	// activations too.
	_, err := NewBinaryConv2d(Conv{In: 3, Out: 4, Kernel: 3, Pad: 1},
		Binary{Estimator: estimators.MustParse("test-weightsonly")}, NewInit(1))
	want := `nn: BinaryConv2d: activation estimator: test-weightsonly binarizes latent weights only (the plain spec "test-weightsonly" names it for the activations too: w=test-weightsonly/a=ste names it for the weights only)`
	if err == nil || err.Error() != want {
		t.Errorf("a weights-only estimator on both sides: err = %v, want %q", err, want)
	}
	if err := (Binary{Estimator: estimators.MustParse("test-weightsonly")}).Check(); err == nil || !strings.Contains(err.Error(), "nn: activation estimator: test-weightsonly binarizes") {
		t.Errorf("Check of a weights-only estimator on both sides: err = %v", err)
	}
	if err := (Binary{Estimator: estimators.MustParse("w=test-weightsonly/a=ste")}).Check(); err != nil {
		t.Errorf("Check of a weights-only estimator on the weights: %v", err)
	}
	if _, err := NewBinaryConv2d(Conv{In: 3, Out: 4, Kernel: 3, Pad: 1},
		Binary{Estimator: estimators.MustParse("w=test-weightsonly/a=ste")}, NewInit(1)); err != nil {
		t.Errorf("a weights-only estimator on the weights: %v", err)
	}
}

// TestWeightsOnlyEstimator checks that an estimator for latent weights
// only (biper) is refused on activations with its reason, and that on the
// weights the layer binarizes with the estimator's own forward pass,
// sign(sin(ω·w)), not sign(w).
func TestWeightsOnlyEstimator(t *testing.T) {
	_, err := NewBinaryConv2d(Conv{In: 3, Out: 4, Kernel: 3, Pad: 1},
		Binary{Estimator: estimators.MustParse("biper")}, NewInit(1))
	if err == nil || !strings.Contains(err.Error(), "biper binarizes latent weights only") {
		t.Errorf("biper on both sides: err = %v, want the weights-only refusal", err)
	}
	if _, err := estimators.Parse("w=ste/a=biper"); err == nil || !strings.Contains(err.Error(), "biper binarizes latent weights only") {
		t.Errorf("w=ste/a=biper: err = %v, want the weights-only refusal", err)
	}
	l := newBinaryConv(t, "w=biper/a=ste", 1)
	l.Forward(randTensor(rand.New(rand.NewPCG(1, 2)), 1, 3, 4, 4))
	d := len(l.wb) / l.Out
	flips := 0
	for i, w := range l.Weight.Data {
		want := float32(1)
		if math.Sin(20*float64(w)) < 0 {
			want = -1
		}
		if got := l.wb[i] / l.Scale[i/d]; got != want {
			t.Fatalf("weight %d = %g: binarized to %g·s, want %g·s (sign(sin(20w)))", i, w, got, want)
		}
		if (want > 0) != (w >= 0) {
			flips++
		}
	}
	if flips == 0 {
		t.Error("no weight has sign(sin(20w)) != sign(w): the test shows nothing")
	}
}

// TestLearnableScalars checks that an estimator's learnable scalar is a
// parameter whose storage is the Scalar itself: it gets the gradient the
// estimator accumulates, the optimizer updates and clamps it, and the
// estimator sees the new value at once, with no copy between passes.
func TestLearnableScalars(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	l := newBinaryConv(t, "test-scaled", 1)
	var ks []*Param
	for _, p := range l.Params() {
		if strings.HasSuffix(p.Name, ".k") {
			ks = append(ks, p)
		}
	}
	if len(ks) != 2 || ks[0].Name != "est.w.k" || ks[1].Name != "est.a.k" || !ks[0].NoDecay || ks[0].Min != 0.5 || ks[0].Max != 2 {
		t.Fatalf("scalar parameters %v, want est.w.k and est.a.k, no decay, range [0.5, 2]", ks)
	}
	x := randTensor(r, 2, 3, 5, 5)
	y := l.Forward(x)
	dy := make([]float32, len(y.Data))
	fill(r, dy)
	l.Backward(&Tensor{N: y.N, C: y.C, H: y.H, W: y.W, Data: dy})
	if ks[0].Grad[0] == 0 || ks[1].Grad[0] == 0 {
		t.Fatalf("scalar gradients %v, %v; want non-zero", ks[0].Grad[0], ks[1].Grad[0])
	}
	NewSGD(l.Params(), SGDConfig{}).Step(1e6) // a huge step: clamped
	for _, k := range ks {
		if k.Data[0] != 0.5 && k.Data[0] != 2 {
			t.Errorf("%s = %v after a huge step, want clamped to 0.5 or 2", k.Name, k.Data[0])
		}
	}
	for i, e := range []estimators.Estimator{l.WeightEstimator(), l.ActivationEstimator()} {
		k := &e.(*scaledSTE).k
		if &ks[i].Data[0] != &k.Value || &ks[i].Grad[0] != &k.Grad {
			t.Errorf("%s is not stored in the estimator's Scalar", ks[i].Name)
		}
		if k.Value != ks[i].Data[0] {
			t.Errorf("estimator scalar = %v after the step, want the parameter's %v", k.Value, ks[i].Data[0])
		}
		ks[i].ZeroGrad()
		if k.Grad != 0 {
			t.Errorf("estimator scalar's Grad = %v after ZeroGrad, want 0", k.Grad)
		}
	}
}

func TestBinaryLinear(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 30))
	l, err := NewBinaryLinear(6, 3, Binary{Estimator: estimators.MustParse("ste")}, NewInit(1))
	if err != nil {
		t.Fatal(err)
	}
	x := randTensor(r, 4, 6, 1, 1)
	y := l.Forward(x)
	dy := make([]float32, len(y.Data))
	fill(r, dy)
	dx := l.Backward(&Tensor{N: 4, C: 3, H: 1, W: 1, Data: dy})
	// Reference: the same product written out.
	s := make([]float64, 3)
	for o := range 3 {
		for j := range 6 {
			s[o] += math.Abs(float64(l.Weight.Data[o*6+j])) / 6
		}
	}
	for n := range 4 {
		for o := range 3 {
			var want float64
			for j := range 6 {
				want += float64(sgn(x.Data[n*6+j])*sgn(l.Weight.Data[o*6+j])) * s[o]
			}
			if math.Abs(float64(y.Data[n*3+o])-want) > 1e-5 {
				t.Fatalf("y[%d][%d] = %v, want %v", n, o, y.Data[n*3+o], want)
			}
		}
		for j := range 6 {
			var want float64
			for o := range 3 {
				want += float64(dy[n*3+o]*sgn(l.Weight.Data[o*6+j])) * s[o]
			}
			if math.Abs(float64(x.Data[n*6+j])) > 1 {
				want = 0
			}
			if math.Abs(float64(dx.Data[n*6+j])-want) > 1e-5 {
				t.Fatalf("dx[%d][%d] = %v, want %v", n, j, dx.Data[n*6+j], want)
			}
		}
	}
	for o := range 3 {
		for j := range 6 {
			var want float64
			for n := range 4 {
				want += float64(dy[n*3+o] * sgn(x.Data[n*6+j]))
			}
			want *= s[o]
			if math.Abs(float64(l.Weight.Data[o*6+j])) > 1 {
				want = 0
			}
			if math.Abs(float64(l.Weight.Grad[o*6+j])-want) > 1e-5 {
				t.Fatalf("dW[%d][%d] = %v, want %v", o, j, l.Weight.Grad[o*6+j], want)
			}
		}
	}
}

// TestBuiltinLearners checks the estimators with learnable scalars: their
// scalars are parameters, with the estimator's range, and get a gradient.
func TestBuiltinLearners(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	for _, spec := range []string{"dsq:learn=true", "bnnplus:learn=true"} {
		t.Run(spec, func(t *testing.T) {
			l := newBinaryConv(t, spec, 1)
			var scalars []*Param
			for _, p := range l.Params() {
				if strings.HasPrefix(p.Name, "est.") {
					scalars = append(scalars, p)
				}
			}
			if len(scalars) != 2 {
				t.Fatalf("%d estimator parameters, want 2 (weights and activations)", len(scalars))
			}
			x := randTensor(r, 2, 3, 5, 5)
			y := l.Forward(x)
			dy := make([]float32, len(y.Data))
			fill(r, dy)
			l.Backward(&Tensor{N: y.N, C: y.C, H: y.H, W: y.W, Data: dy})
			for _, p := range scalars {
				if p.Min >= p.Max || !p.NoDecay || p.Grad[0] == 0 {
					t.Errorf("%s: range [%v, %v], no decay %v, gradient %v; want a range, no decay, a gradient", p.Name, p.Min, p.Max, p.NoDecay, p.Grad[0])
				}
			}
		})
	}
}

// TestBinaryBackwardFused checks the input gradient of BinaryConv2d where
// the activation estimator runs inside the convolution's pass
// (dxEpilogue) against the separate passes it replaces, bit for bit:
// the convolution's gradient of the codes, then Estimator.Backward over
// the whole batch (with activation noise adaptation, then its
// BackwardChannels, whose gradients of the NA's own weights must match
// too), then the addition of backwardAdd. Same and strided
// convolutions, several groups per part and uneven batches (a smaller
// after a larger), both forward paths; and backwardAdd against Backward
// plus a separate addition where g cannot run inside the pass (a
// learnable estimator, C·H·W not a multiple of 64).
func TestBinaryBackwardFused(t *testing.T) {
	defer func(v int) { gridTarget = v }(gridTarget)
	r := rand.New(rand.NewPCG(61, 62))
	for _, tc := range []struct {
		c       Conv
		h, w    int
		specs   []string
		target  int
		batches []int
		fused   bool
	}{
		{Conv{In: 16, Out: 16, Kernel: 3, Pad: 1}, 8, 8, []string{"ste", "fda", "approxsign", "ede"}, 1 << 16, []int{13, 5}, true},
		{Conv{In: 16, Out: 16, Kernel: 3, Pad: 1}, 8, 8, []string{"ste", "fda"}, 3000, []int{13, 5}, true},
		{Conv{In: 16, Out: 32, Kernel: 3, Stride: 2, Pad: 1}, 8, 8, []string{"ste", "fda", "ede"}, 5000, []int{11, 3}, true},
		{Conv{In: 64, Out: 8, Kernel: 1}, 7, 7, []string{"ste", "rbnn"}, 1 << 16, []int{9}, true},
		{Conv{In: 32, Out: 8, Kernel: 3, Stride: 2, Pad: 1}, 14, 14, []string{"ste"}, 1 << 16, []int{10}, true},
		{Conv{In: 16, Out: 16, Kernel: 3, Pad: 1}, 8, 8, []string{"ste+na", "w=ste/a=ste+na", "fda+na"}, 3000, []int{13, 5}, true},
		{Conv{In: 16, Out: 32, Kernel: 3, Stride: 2, Pad: 1}, 8, 8, []string{"fda+na"}, 5000, []int{11, 3}, true},
		{Conv{In: 16, Out: 16, Kernel: 3, Pad: 1}, 8, 8, []string{"dsq:learn=true", "dsq:learn=true+na"}, 1 << 16, []int{7}, false},
		{Conv{In: 3, Out: 4, Kernel: 3, Pad: 1}, 5, 5, []string{"ste", "fda"}, 1 << 16, []int{6}, false},
	} {
		for _, spec := range tc.specs {
			for _, xnor := range []bool{true, false} {
				name := fmt.Sprintf("%dx%d-k%ds%d-%dx%d/%s/target=%d/xnor=%v", tc.c.In, tc.c.Out, tc.c.Kernel, tc.c.Stride, tc.h, tc.w, spec, tc.target, xnor)
				t.Run(name, func(t *testing.T) {
					gridTarget = tc.target
					defer SetBinaryForward(SetBinaryForward(xnor))
					l, err := NewBinaryConv2d(tc.c, Binary{Estimator: estimators.MustParse(spec)}, NewInit(5))
					if err != nil {
						t.Fatal(err)
					}
					for _, n := range tc.batches {
						x := randTensor(r, n, tc.c.In, tc.h, tc.w)
						x.Data[3] = 0
						x.Data[4] = float32(math.Copysign(0, -1))
						out := l.Forward(x)
						dy := randTensor(r, out.N, out.C, out.H, out.W)
						add := randTensor(r, n, tc.c.In, tc.h, tc.w)
						var naGrad [][]float32 // the activation NA's gradients of this Backward alone
						if l.a.na != nil {
							for _, p := range l.a.na.Params() {
								p.ZeroGrad()
							}
						}
						dx := slices.Clone(l.Backward(dy).Data)
						if l.a.na != nil {
							for _, p := range l.a.na.Params() {
								naGrad = append(naGrad, slices.Clone(p.Grad))
							}
						}
						sum := slices.Clone(l.backwardAdd(dy, add).Data)
						if got := cap(l.core.dx.buf) == 0; got != tc.fused {
							t.Fatalf("g inside the convolution's pass: %v, want %v", got, tc.fused)
						}
						want := slices.Clone(dx)
						addTo(want, want, add.Data)
						checkBits(t, "backwardAdd against Backward + add", sum, want)
						if !tc.fused {
							continue
						}
						// The separate passes: the gradient of the codes,
						// then g over the whole batch.
						dxb := l.convBackward(dy, nil, make([]float32, len(l.dwb)), true)
						sep := make([]float32, len(dx))
						l.a.est.Backward(sep, x.Data, dxb.Data)
						if l.a.na != nil {
							for _, p := range l.a.na.Params() {
								p.ZeroGrad()
							}
							l.a.na.BackwardChannels(sep, x.Data, dxb.Data, x.N, x.H*x.W)
							// The NA's own gradients too: the fused pass
							// sums them per part and must add them at its end.
							for i, p := range l.a.na.Params() {
								checkBits(t, "activation NA gradient "+p.Name+" against the separate passes", naGrad[i], p.Grad)
							}
						}
						checkBits(t, "Backward against the separate passes", dx, sep)
						l.core.dx = buffer{} // for the check of the next batch
					}
				})
			}
		}
	}
}

// TestEmbeddedEstimatorBackward checks that an estimator type that embeds
// a built-in one to change its Backward trains with its own Backward: the
// kernel it inherits by promotion computes the embedded estimator's g,
// and must not be applied inside the convolution's pass.
func TestEmbeddedEstimatorBackward(t *testing.T) {
	r := rand.New(rand.NewPCG(65, 66))
	for _, xnor := range []bool{true, false} {
		defer SetBinaryForward(SetBinaryForward(xnor))
		l, err := NewBinaryConv2d(Conv{In: 16, Out: 16, Kernel: 3, Pad: 1}, Binary{Estimator: estimators.MustParse("test-doubled")}, NewInit(7))
		if err != nil {
			t.Fatal(err)
		}
		x := randTensor(r, 3, 16, 8, 8)
		out := l.Forward(x)
		dy := randTensor(r, out.N, out.C, out.H, out.W)
		dx := slices.Clone(l.Backward(dy).Data)
		dxb := l.convBackward(dy, nil, make([]float32, len(l.dwb)), true)
		want := make([]float32, len(dx))
		l.a.est.Backward(want, x.Data, dxb.Data)
		checkBits(t, fmt.Sprintf("xnor=%v: Backward against the estimator's own Backward", xnor), dx, want)
	}
}

// checkBits fails t at the first value of got whose bits differ from want's.
func checkBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: [%d] = %v, want %v (bit-identical)", what, i, got[i], want[i])
		}
	}
}

// BenchmarkBinaryConvBackwardAdd times the backward pass of a ResNet-20
// stage-1 binary convolution (16→16 channels, 3×3, 28×28, batch 128,
// STE) followed by a residual unit's addition of the other branch's
// gradient: as two passes (Backward, then the addition over the worker
// pool, as Residual does it) and fused (backwardAdd).
func BenchmarkBinaryConvBackwardAdd(b *testing.B) {
	l, err := NewBinaryConv2d(Conv{In: 16, Out: 16, Kernel: 3, Pad: 1}, Binary{Estimator: estimators.MustParse("ste")}, NewInit(1))
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(63, 64))
	x := randTensor(r, 128, 16, 28, 28)
	out := l.Forward(x)
	dy := randTensor(r, out.N, out.C, out.H, out.W)
	add := randTensor(r, x.N, x.C, x.H, x.W)
	var sum buffer
	var job addJob
	b.Run("pass=separate", func(b *testing.B) {
		for range b.N {
			dx := l.Backward(dy)
			s := sum.shape(dx.N, dx.C, dx.H, dx.W)
			job.run(s.Data, dx.Data, add.Data)
		}
	})
	b.Run("pass=fused", func(b *testing.B) {
		for range b.N {
			l.backwardAdd(dy, add)
		}
	})
}

// TestMeanAbs checks that meanAbs, which sums four rows at a time, gives
// each row's float64 sum in order, bit for bit, for row counts with and
// without a remainder.
func TestMeanAbs(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	const d = 37
	for out := range 10 {
		w := make([]float32, out*d)
		for i := range w {
			w[i] = float32(r.NormFloat64()) * float32(math.Exp2(float64(r.IntN(40)-20)))
		}
		s := make([]float32, out)
		meanAbs(s, w, d)
		for o := range out {
			var a float64
			for _, v := range w[o*d:][:d] {
				a += math.Abs(float64(v))
			}
			if want := float32(a / d); math.Float32bits(s[o]) != math.Float32bits(want) {
				t.Errorf("%d rows: row %d: %v, want %v", out, o, s[o], want)
			}
		}
	}
}

// TestBinaryGradsAccumulate: the binary layers add to their weight
// gradients like every other layer (see TestLayerGradsAccumulate): two
// Backward passes with no zeroing in between give twice one pass's
// gradients. A binary layer that assigned its latent weights' gradient
// passed before, since every other test zeroes the gradients first.
func TestBinaryGradsAccumulate(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	conv := newBinaryConv(t, "ste", 3)
	lin, err := NewBinaryLinear(12, 5, Binary{Estimator: estimators.MustParse("ste")}, NewInit(4))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		l    Layer
		x    *Tensor
	}{
		{"conv", conv, randTensor(r, 2, 3, 5, 6)},
		{"linear", lin, randTensor(r, 4, 12, 1, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) { checkGradsAccumulate(t, r, tc.l, tc.x) })
	}
}

// TestBinaryWeightNAGrad: with weight noise adaptation, the latent weights'
// gradient is the estimator's backward of the scaled code gradient plus the
// NA module's BackwardRows, each computed once. The scratch row that holds
// the estimator's term is reused for the NA term and must be cleared in
// between; without the clearing the estimator's term counted twice and no
// test saw it.
func TestBinaryWeightNAGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	conv := newBinaryConv(t, "w=ste+na/a=ste", 9)
	lin, err := NewBinaryLinear(12, 5, Binary{Estimator: estimators.MustParse("w=ste+na/a=ste")}, NewInit(10))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		l    Layer
		s    *binarySides
		x    *Tensor
	}{
		{"conv", conv, &conv.binarySides, randTensor(r, 2, 3, 5, 6)},
		{"linear", lin, &lin.binarySides, randTensor(r, 4, 12, 1, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			na := tc.s.w.na
			if na == nil || na.Alpha == 0 {
				t.Fatal("the weight side has no noise adaptation in force")
			}
			_, g := gradsOf(r, tc.l, tc.x)
			got := g["weight"]
			w := paramsOf(tc.l)[0]
			if w.Name != "weight" {
				t.Fatalf("first parameter %q, want the latent weights", w.Name)
			}
			var dws, scale []float32 // the scaled code gradient of the pass, s
			switch l := tc.l.(type) {
			case *BinaryConv2d:
				dws, scale = l.dws, l.Scale
			case *BinaryLinear:
				dws, scale = l.dws, l.Scale
			}
			want := make([]float32, len(w.Data))
			tc.s.w.est.Backward(want, w.Data, dws)
			dna := make([]float32, len(w.Data))
			na.BackwardRows(dna, w.Data, tc.s.dwb, len(scale), scale)
			addTo(want, want, dna)
			if e := relErr(got, f64(want)); !(e <= 1e-6) {
				t.Fatalf("latent weight gradient: relative error %g against the estimator's term plus the NA's", e)
			}
		})
	}
}

// TestBinarySkipInputGradKeepsActivationGrads: a binary convolution with
// SkipInputGrad returns no input gradient but must still give every
// parameter its gradient. The activations' learnable estimator scalars and
// noise adaptation take theirs from the input gradient's passes, which it
// skipped: their gradients stayed 0 while they changed the output. Each
// gradient must be, bit for bit, that of the same layer without
// SkipInputGrad, on the fused (C·H·W a multiple of 64) and the separate
// passes.
func TestBinarySkipInputGradKeepsActivationGrads(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	for _, spec := range []string{"ste", "fda+na", "w=ste/a=ste+na", "dsq:learn=true", "dsq:learn=true+na", "w=ste+na/a=ste"} {
		for _, hw := range []int{4, 5} {
			t.Run(fmt.Sprintf("%s/%dx%d", spec, hw, hw), func(t *testing.T) {
				x := randTensor(r, 3, 4, hw, hw)
				var grads [2][][]float32
				for i, skip := range []bool{false, true} {
					l, err := NewBinaryConv2d(Conv{In: 4, Out: 4, Kernel: 3, Pad: 1, SkipInputGrad: skip}, Binary{Estimator: estimators.MustParse(spec)}, NewInit(1))
					if err != nil {
						t.Fatal(err)
					}
					y := l.Forward(x)
					dy := NewTensor(y.N, y.C, y.H, y.W)
					for j := range dy.Data {
						dy.Data[j] = float32(j%7) - 3
					}
					if dx := l.Backward(dy); (dx == nil) != skip {
						t.Fatalf("SkipInputGrad %v: Backward returned %v", skip, dx)
					}
					for _, p := range l.Params() {
						grads[i] = append(grads[i], slices.Clone(p.Grad))
					}
				}
				for j, want := range grads[0] {
					checkBits(t, fmt.Sprintf("gradient of parameter %d with SkipInputGrad", j), grads[1][j], want)
				}
			})
		}
	}
}
