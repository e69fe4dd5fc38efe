package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// This file checks every layer's Backward against central finite
// differences of its Forward. The loss is L = Σ y·r for a fixed random r,
// accumulated in float64, so dy = r; relative errors are norm-wise over
// the whole gradient, ‖g - g_fd‖ / max(‖g‖, ‖g_fd‖).

// grads holds the gradients of a check, keyed "x" and by parameter name.
type grads map[string][]float64

// analytic runs Forward and Backward once with dy = r and returns the
// input gradient and the parameter gradients.
func analytic(l Layer, x *Tensor, r []float32) grads {
	for _, p := range paramsOf(l) {
		p.ZeroGrad()
	}
	y := l.Forward(x)
	if len(r) != len(y.Data) {
		panic(fmt.Sprintf("analytic: r has %d values, output %v", len(r), y))
	}
	dy := &Tensor{N: y.N, C: y.C, H: y.H, W: y.W, Data: r}
	dx := l.Backward(dy)
	g := grads{"x": f64(dx.Data)}
	for _, p := range paramsOf(l) {
		g[p.Name] = f64(p.Grad)
	}
	return g
}

func paramsOf(l Layer) []*Param {
	if p, ok := l.(Parametric); ok {
		return p.Params()
	}
	return Params(l)
}

// numeric returns the central differences (L(v+h) - L(v-h))/2h for every
// input value and every parameter value.
func numeric(l Layer, x *Tensor, r []float32, h float64) grads {
	return numeric2(l, x, r, h, h)
}

// numeric2 is numeric with step hx for the input and hp for parameters.
func numeric2(l Layer, x *Tensor, r []float32, hx, hp float64) grads {
	loss := func() float64 {
		y := l.Forward(x)
		var s float64
		for i, v := range y.Data {
			s += float64(v) * float64(r[i])
		}
		return s
	}
	diff := func(v []float32, h float64) []float64 {
		g := make([]float64, len(v))
		for i := range v {
			old := v[i]
			v[i] = old + float32(h)
			up := loss()
			v[i] = old - float32(h)
			down := loss()
			v[i] = old
			g[i] = (up - down) / (2 * h)
		}
		return g
	}
	g := grads{"x": diff(x.Data, hx)}
	for _, p := range paramsOf(l) {
		g[p.Name] = diff(p.Data, hp)
	}
	return g
}

func f64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// relErr returns ‖a - b‖ / max(‖a‖, ‖b‖) (0 when both are 0).
func relErr(a, b []float64) float64 {
	var d, na, nb float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	if na == 0 && nb == 0 {
		return 0
	}
	return math.Sqrt(d / max(na, nb))
}

// compare fails the test for every gradient whose relative error exceeds tol.
func compare(t *testing.T, what string, got, want grads, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d gradients, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok || len(g) != len(w) {
			t.Fatalf("%s: gradient %q has %d values, want %d", what, name, len(g), len(w))
		}
		if e := relErr(g, w); !(e <= tol) {
			t.Errorf("%s: d%s relative error %.3g, want <= %.0e\n got  %v\n want %v", what, name, e, tol, head(g), head(w))
		}
	}
}

func head(v []float64) []float64 { return v[:min(len(v), 6)] }

func randTensor(r *rand.Rand, n, c, h, w int) *Tensor {
	t := NewTensor(n, c, h, w)
	fill(r, t.Data)
	return t
}

func fill(r *rand.Rand, v []float32) {
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
}

// gradCases returns small instances of every layer with inputs. Layers
// that are linear in their inputs and parameters (convolution, linear,
// pooling) are checked with a large step, exact up to rounding; the others
// with a small one.
func gradCases(r *rand.Rand) []struct {
	name string
	l    Layer
	x    *Tensor
	h    float64
} {
	init := &Init{Weights: rand.New(rand.NewPCG(r.Uint64(), 1)), NA: rand.New(rand.NewPCG(r.Uint64(), 2))}
	withBias := func(c *Conv2d) *Conv2d {
		fill(r, c.Bias.Data)
		return c
	}
	bn := func(c int, train bool) *BatchNorm {
		b := NewBatchNorm2d(c)
		fill(r, b.Weight.Data)
		fill(r, b.Bias.Data)
		for i := range c {
			b.RunningMean.Data[i] = float32(r.NormFloat64())
			b.RunningVar.Data[i] = float32(0.5 + r.Float64())
		}
		b.SetTraining(train)
		return b
	}
	prelu := NewPReLU(3)
	fill(r, prelu.Weight.Data)
	type tc = struct {
		name string
		l    Layer
		x    *Tensor
		h    float64
	}
	return []tc{
		{"conv/k=3/s=1/p=1", NewConv2d(Conv{In: 3, Out: 4, Kernel: 3, Pad: 1}, init), randTensor(r, 2, 3, 5, 6), 0.5},
		{"conv/k=3/s=1/p=0", NewConv2d(Conv{In: 2, Out: 3, Kernel: 3}, init), randTensor(r, 2, 2, 5, 5), 0.5},
		{"conv/k=3/s=2/p=1", NewConv2d(Conv{In: 3, Out: 2, Kernel: 3, Stride: 2, Pad: 1}, init), randTensor(r, 3, 3, 7, 6), 0.5},
		{"conv/k=3/s=2/p=0", NewConv2d(Conv{In: 2, Out: 3, Kernel: 3, Stride: 2}, init), randTensor(r, 2, 2, 7, 7), 0.5},
		{"conv/k=1/s=1/p=0/bias", withBias(NewConv2d(Conv{In: 4, Out: 3, Kernel: 1, Bias: true}, init)), randTensor(r, 2, 4, 3, 3), 0.5},
		{"conv/k=5/s=3/p=2/bias", withBias(NewConv2d(Conv{In: 2, Out: 2, Kernel: 5, Stride: 3, Pad: 2, Bias: true}, init)), randTensor(r, 2, 2, 8, 9), 0.5},
		{"linear", NewLinear(12, 5, true, init), randTensor(r, 4, 3, 2, 2), 0.5},
		{"linear/nobias", NewLinear(6, 3, false, init), randTensor(r, 3, 6, 1, 1), 0.5},
		{"batchnorm2d/train", bn(3, true), randTensor(r, 4, 3, 3, 2), 1e-2},
		{"batchnorm2d/eval", bn(3, false), randTensor(r, 2, 3, 3, 2), 0.5},
		{"batchnorm1d/train", bn(5, true), randTensor(r, 8, 5, 1, 1), 1e-2},
		{"relu", NewReLU(), randTensor(r, 2, 3, 4, 4), 1e-3},
		{"hardtanh", NewHardtanh(), randTensor(r, 2, 3, 4, 4), 1e-3},
		{"prelu", prelu, randTensor(r, 2, 3, 4, 4), 1e-3},
		{"maxpool/k=2", NewMaxPool2d(Pool{Kernel: 2}), randTensor(r, 2, 3, 6, 5), 1e-3},
		{"maxpool/k=3/s=2/p=1", NewMaxPool2d(Pool{Kernel: 3, Stride: 2, Pad: 1}), randTensor(r, 2, 2, 7, 7), 1e-3},
		{"avgpool/k=2", NewAvgPool2d(Pool{Kernel: 2}), randTensor(r, 2, 3, 6, 5), 0.5},
		{"avgpool/k=3/s=2/p=1", NewAvgPool2d(Pool{Kernel: 3, Stride: 2, Pad: 1}), randTensor(r, 2, 2, 7, 7), 0.5},
		{"globalavgpool", NewGlobalAvgPool(), randTensor(r, 2, 3, 4, 5), 0.5},
		{"flatten", Sequential{NewFlatten(), NewLinear(18, 2, false, init)}, randTensor(r, 2, 2, 3, 3), 0.5},
		// A convolution with a bias before BatchNorm: the pair cannot defer
		// the output gradient to the convolution by planes (the bias needs
		// it whole), so Sequential.Backward must run them one after another.
		{"conv+bn/bias", Sequential{withBias(NewConv2d(Conv{In: 2, Out: 3, Kernel: 3, Pad: 1, Bias: true}, init)), bn(3, true)}, randTensor(r, 3, 2, 4, 4), 1e-2},
		{"residual/identity", &Residual{Body: Sequential{NewConv2d(Conv{In: 2, Out: 2, Kernel: 3, Pad: 1}, init), bn(2, true)}}, randTensor(r, 3, 2, 4, 4), 1e-2},
		{"residual/downsample", &Residual{
			Body:     Sequential{NewConv2d(Conv{In: 2, Out: 3, Kernel: 3, Stride: 2, Pad: 1}, init)},
			Shortcut: Sequential{NewAvgPool2d(Pool{Kernel: 2}), NewConv2d(Conv{In: 2, Out: 3, Kernel: 1}, init)},
		}, randTensor(r, 2, 2, 6, 6), 0.5},
		// Rarely met shapes: one image, 1x1 maps, strides wider than the
		// input (phase rows and columns that hold no input value), odd
		// sizes under a stride of 2.
		{"conv/k=3/s=1/p=1/1x1/n=1", NewConv2d(Conv{In: 3, Out: 5, Kernel: 3, Pad: 1}, init), randTensor(r, 1, 3, 1, 1), 0.5},
		{"conv/k=1/s=3/p=0/3x1", NewConv2d(Conv{In: 2, Out: 3, Kernel: 1, Stride: 3}, init), randTensor(r, 2, 2, 3, 1), 0.5},
		{"conv/k=3/s=3/p=1/1x8", NewConv2d(Conv{In: 3, Out: 2, Kernel: 3, Stride: 3, Pad: 1}, init), randTensor(r, 2, 3, 1, 8), 0.5},
		{"conv/k=3/s=2/p=1/5x3/n=1", NewConv2d(Conv{In: 5, Out: 3, Kernel: 3, Stride: 2, Pad: 1}, init), randTensor(r, 1, 5, 5, 3), 0.5},
		{"batchnorm2d/train/n=1", bn(3, true), randTensor(r, 1, 3, 2, 3), 1e-2},
		{"maxpool/k=3/s=3/p=1/5x4", NewMaxPool2d(Pool{Kernel: 3, Stride: 3, Pad: 1}), randTensor(r, 2, 2, 5, 4), 1e-3},
		{"avgpool/k=2/5x3", NewAvgPool2d(Pool{Kernel: 2}), randTensor(r, 1, 2, 5, 3), 0.5},
		{"globalavgpool/1x1", NewGlobalAvgPool(), randTensor(r, 3, 2, 1, 1), 0.5},
	}
}

func TestLayerGradsFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, tc := range gradCases(r) {
		t.Run(tc.name, func(t *testing.T) {
			dy, got := gradsOf(r, tc.l, tc.x)
			compare(t, "finite differences", got, numeric(tc.l, tc.x, dy, tc.h), 1e-4)
		})
	}
}

// TestLayerGradsReused: every layer's second training step (Forward and
// Backward again, its buffers reused) gives bit for bit the gradients a
// fresh copy of the layer gives for the same output gradient. The finite
// differences above run each layer once, on buffers that start zeroed,
// so a backward pass that adds into a buffer it does not clear passed.
func TestLayerGradsReused(t *testing.T) {
	reused, fresh := gradCases(rand.New(rand.NewPCG(13, 14))), gradCases(rand.New(rand.NewPCG(13, 14)))
	r := rand.New(rand.NewPCG(15, 16))
	for i, tc := range reused {
		t.Run(tc.name, func(t *testing.T) {
			first, _ := gradsOf(r, tc.l, tc.x)
			dy := make([]float32, len(first))
			fill(r, dy)
			got, want := analytic(tc.l, tc.x, dy), analytic(fresh[i].l, fresh[i].x, dy)
			if len(got) != len(want) {
				t.Fatalf("%d gradients, a fresh layer %d", len(got), len(want))
			}
			for name, w := range want {
				g := got[name]
				if len(g) != len(w) {
					t.Fatalf("gradient %q: %d values, a fresh layer's %d", name, len(g), len(w))
				}
				for j := range w {
					if math.Float64bits(g[j]) != math.Float64bits(w[j]) {
						t.Fatalf("second step: d%s[%d] = %v, a fresh layer's %v", name, j, g[j], w[j])
					}
				}
			}
		})
	}
}

// gradsOf runs l forward on x, draws an output gradient dy from r and
// returns it with the layer's analytic gradients.
func gradsOf(r *rand.Rand, l Layer, x *Tensor) ([]float32, grads) {
	y := l.Forward(x)
	dy := make([]float32, len(y.Data))
	fill(r, dy)
	return dy, analytic(l, x, dy)
}

// naLayer wraps a NoiseAdaptation as a Layer whose output is α·s·ê(x)
// alone: rows layout (x is rows×D as N×D×1×1, with a per-row scale) or
// channels layout (x is N×D×H×W).
type naLayer struct {
	m        *NoiseAdaptation
	channels bool
	scale    []float32

	in      *Tensor
	out, dx buffer
}

func (l *naLayer) Params() []*Param { return l.m.Params() }

func (l *naLayer) Forward(x *Tensor) *Tensor {
	l.in = x
	y := l.out.shape(x.N, x.C, x.H, x.W)
	clear(y.Data)
	if l.channels {
		l.m.ForwardChannels(y.Data, x.Data, x.N, x.H*x.W)
	} else {
		l.m.ForwardRows(y.Data, x.Data, x.N, l.scale)
	}
	return y
}

func (l *naLayer) Backward(dy *Tensor) *Tensor {
	x := l.in
	dx := l.dx.shape(x.N, x.C, x.H, x.W)
	clear(dx.Data)
	if l.channels {
		l.m.BackwardChannels(dx.Data, x.Data, dy.Data, x.N, x.H*x.W)
	} else {
		l.m.BackwardRows(dx.Data, x.Data, dy.Data, x.N, l.scale)
	}
	return dx
}

// naGradsOf is gradsOf for a noise adaptation module: the output
// gradient dy, drawn from r, takes the shape of x (the module's output
// has it), so the module runs once forward and backward (analytic), with
// no forward pass before to size dy.
func naGradsOf(r *rand.Rand, l *naLayer, x *Tensor) ([]float32, grads) {
	dy := make([]float32, x.Len())
	fill(r, dy)
	return dy, analytic(l, x, dy)
}

// naCases returns noise adaptation modules in both layouts, for every η,
// with D large enough for H > 1.
func naCases(r *rand.Rand) []struct {
	name string
	l    *naLayer
	x    *Tensor
} {
	mk := func(d int, eta string, a float32) *NoiseAdaptation {
		m := NewNoiseAdaptation("na", d, &NASettings{Eta: eta, A: a, K: 4}, rand.New(rand.NewPCG(r.Uint64(), 0)))
		m.Alpha = 0.3
		return m
	}
	scale := make([]float32, 5)
	for i := range scale {
		scale[i] = float32(0.5 + r.Float64())
	}
	type tc = struct {
		name string
		l    *naLayer
		x    *Tensor
	}
	return []tc{
		{"rows/eta=sin", &naLayer{m: mk(9, "sin", 0.1), scale: scale}, randTensor(r, 5, 9, 1, 1)},
		{"rows/eta=x/noscale", &naLayer{m: mk(8, "x", 0.2)}, randTensor(r, 5, 8, 1, 1)},
		{"rows/eta=0", &naLayer{m: mk(12, "0", 0.1), scale: scale}, randTensor(r, 5, 12, 1, 1)},
		{"channels/eta=sin", &naLayer{m: mk(8, "sin", 0.1), channels: true}, randTensor(r, 3, 8, 3, 2)},
		{"channels/eta=x/h=1", &naLayer{m: mk(3, "x", 0.5), channels: true}, randTensor(r, 2, 3, 2, 2)},
	}
}

func TestNoiseAdaptationGradsFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, tc := range naCases(r) {
		t.Run(tc.name, func(t *testing.T) {
			dy, got := naGradsOf(r, tc.l, tc.x)
			// The module's output is small (α·ê), so float32 rounding
			// dominates a tiny step in x; at 1e-2 the truncation error of
			// sin (h²/6) is below 2e-5. A step in W1 moves a whole column
			// of ReLU inputs, so it stays small to cross no kink.
			want := numeric2(tc.l, tc.x, dy, 1e-2, 1e-3)
			compare(t, "finite differences", got, want, 1e-4)
		})
	}
}

func TestCrossEntropyGradFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, eps := range []float64{0, 0.1} {
		t.Run(fmt.Sprintf("smoothing=%v", eps), func(t *testing.T) {
			z := randTensor(r, 4, 5, 1, 1)
			labels := []int{0, 4, 2, 2}
			ce := &SoftmaxCrossEntropy{Smoothing: eps}
			ce.Forward(z, labels)
			got := f64(ce.Backward().Data)
			want := make([]float64, len(z.Data))
			const h = 1e-3
			for i := range z.Data {
				old := z.Data[i]
				z.Data[i] = old + h
				up := ce.Forward(z, labels)
				z.Data[i] = old - h
				down := ce.Forward(z, labels)
				z.Data[i] = old
				want[i] = (up - down) / (2 * h)
			}
			compare(t, "finite differences", grads{"logits": got}, grads{"logits": want}, 1e-4)
		})
	}
}

// TestLayerGradsAccumulate: Backward adds to the parameter gradients, as
// the Optimizer contract (Step zeroes them) and gradient accumulation over
// several batches need. A second Forward and Backward with the same output
// gradient and no zeroing in between must give twice the first pass's
// parameter gradients, up to rounding. A layer that assigned its bias
// gradient (BatchNorm's β, a convolution's bias) instead of adding to it
// passed every other gradient test, since those zero the gradients first.
func TestLayerGradsAccumulate(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for _, tc := range gradCases(r) {
		t.Run(tc.name, func(t *testing.T) { checkGradsAccumulate(t, r, tc.l, tc.x) })
	}
}

// checkGradsAccumulate runs l forward and backward on x twice, with the
// same output gradient and no zeroing of the parameter gradients in
// between, and fails unless the second pass leaves twice the first's.
func checkGradsAccumulate(t *testing.T, r *rand.Rand, l Layer, x *Tensor) {
	t.Helper()
	dy, _ := gradsOf(r, l, x)
	analytic(l, x, dy)
	checkSecondPassAdds(t, l, x, dy)
}

// checkSecondPassAdds runs l forward and backward on x once more, with the
// output gradient dy of the one pass just run and no zeroing of the
// parameter gradients in between, and fails unless the second pass leaves
// twice what the first left.
func checkSecondPassAdds(t *testing.T, l Layer, x *Tensor, dy []float32) {
	t.Helper()
	var once [][]float64
	for _, p := range paramsOf(l) {
		once = append(once, f64(p.Grad))
	}
	y := l.Forward(x)
	l.Backward(&Tensor{N: y.N, C: y.C, H: y.H, W: y.W, Data: dy})
	for i, p := range paramsOf(l) {
		want := once[i]
		for j := range want {
			want[j] *= 2
		}
		// Adding to a nonzero gradient rounds differently from
		// doubling: a relative error, not bit equality.
		if e := relErr(f64(p.Grad), want); !(e <= 1e-6) {
			t.Fatalf("d%s after two passes: relative error %g against twice one pass's", p.Name, e)
		}
	}
}

// TestNoiseAdaptationGradsReused: a second backward pass of a noise
// adaptation module (its per-part scratch reused) gives bit for bit the
// gradients of the first, and a third with no zeroing in between adds to
// them. The finite differences above run each module once, on scratch that
// starts zeroed, so parts that kept their last pass's partial gradients
// passed.
func TestNoiseAdaptationGradsReused(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, tc := range naCases(r) {
		t.Run(tc.name, func(t *testing.T) {
			dy, first := naGradsOf(r, tc.l, tc.x)
			second := analytic(tc.l, tc.x, dy)
			for name, w := range first {
				for j := range w {
					if math.Float64bits(second[name][j]) != math.Float64bits(w[j]) {
						t.Fatalf("second pass: d%s[%d] = %v, the first's %v", name, j, second[name][j], w[j])
					}
				}
			}
			checkSecondPassAdds(t, tc.l, tc.x, dy)
		})
	}
}
