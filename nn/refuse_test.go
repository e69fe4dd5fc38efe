package nn

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/bitconv"
	"github.com/gradbench/gradbench/internal/texttest"
)

// refusal is a call that must panic with a message containing want.
type refusal struct {
	name string
	f    func()
	want string
}

func checkRefusals(t *testing.T, cases []refusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { texttest.CheckPanic(t, tc.f, tc.want) })
	}
}

// TestConstructorsRefuseSizes checks that constructors taking sizes
// refuse those without meaning with a panic naming the function and the
// value, not a runtime error or a tensor of a negative shape.
func TestConstructorsRefuseSizes(t *testing.T) {
	checkRefusals(t, []refusal{
		{"NewTensor(-1,-1,1,1)", func() { NewTensor(-1, -1, 1, 1) }, "nn: NewTensor(-1, -1, 1, 1): sizes must be >= 0"},
		{"NewTensor(-1,1,1,1)", func() { NewTensor(-1, 1, 1, 1) }, "nn: NewTensor(-1, 1, 1, 1): sizes must be >= 0"},
		{"NewTensor(1,1,1,-2)", func() { NewTensor(1, 1, 1, -2) }, "nn: NewTensor(1, 1, 1, -2): sizes must be >= 0"},
		{"NewTensor overflow", func() { NewTensor(1<<20, 1<<20, 1<<20, 1<<20) }, "N·C·H·W overflows int"},
		{"NewPReLU(-3)", func() { NewPReLU(-3) }, "nn: NewPReLU(-3): channels must be >= 1"},
		{"NewPReLU(0)", func() { NewPReLU(0) }, "nn: NewPReLU(0): channels must be >= 1"},
	})
	// Sizes of 0 are an empty tensor.
	if x := NewTensor(0, 3, 2, 2); x.Len() != 0 || len(x.Data) != 0 || x.Shape() != [4]int{0, 3, 2, 2} {
		t.Errorf("NewTensor(0, 3, 2, 2) = %v with %d values, want an empty 0x3x2x2 tensor", x, len(x.Data))
	}
}

// TestCorrectRefuses checks that Correct and CorrectTopK refuse labels
// that are not one per row in range, and k outside 1..classes.
func TestCorrectRefuses(t *testing.T) {
	logits := &Tensor{N: 2, C: 3, H: 1, W: 1, Data: []float32{1, 2, 3, 3, 2, 1}}
	checkRefusals(t, []refusal{
		{"Correct short labels", func() { Correct(logits, []int{2}) }, "nn: Correct: 1 labels for logits 2x3x1x1, want one per row (2)"},
		{"Correct long labels", func() { Correct(logits, []int{2, 0, 1}) }, "nn: Correct: 3 labels for logits 2x3x1x1, want one per row (2)"},
		{"Correct label -1", func() { Correct(logits, []int{2, -1}) }, "nn: Correct: label -1 of row 1 is out of range, want 0..2"},
		{"Correct label 7", func() { Correct(logits, []int{7, 0}) }, "nn: Correct: label 7 of row 0 is out of range, want 0..2"},
		{"CorrectTopK short labels", func() { CorrectTopK(logits, []int{2}, 2) }, "nn: CorrectTopK: 1 labels for logits 2x3x1x1, want one per row (2)"},
		{"CorrectTopK label 3", func() { CorrectTopK(logits, []int{3, 0}, 2) }, "nn: CorrectTopK: label 3 of row 0 is out of range, want 0..2"},
		{"CorrectTopK k=0", func() { CorrectTopK(logits, []int{2, 0}, 0) }, "nn: CorrectTopK: k = 0, want 1..3"},
		{"CorrectTopK k=-1", func() { CorrectTopK(logits, []int{2, 0}, -1) }, "nn: CorrectTopK: k = -1, want 1..3"},
		{"CorrectTopK k=4", func() { CorrectTopK(logits, []int{2, 0}, 4) }, "nn: CorrectTopK: k = 4, want 1..3"},
		{"CorrectTopK short Data", func() { CorrectTopK(&Tensor{N: 2, C: 3, H: 1, W: 1, Data: make([]float32, 5)}, []int{0, 0}, 1) }, "nn: CorrectTopK: logits 2x3x1x1 with 5 values"},
	})
	// Valid calls count as before.
	if got := Correct(logits, []int{2, 0}); got != 2 {
		t.Errorf("Correct = %d, want 2", got)
	}
	if got := CorrectTopK(logits, []int{1, 2}, 3); got != 2 {
		t.Errorf("CorrectTopK(k = classes) = %d, want 2", got)
	}
	if got := CorrectTopK(logits, []int{0, 2}, 2); got != 0 {
		t.Errorf("CorrectTopK(k = 2) = %d, want 0", got)
	}
}

// TestOutSizeRefuses checks that Conv.OutSize and Pool.OutSize refuse a
// configuration without meaning and inputs smaller than the kernel, which
// they used to answer with a division by zero or a negative size; and
// that the layers' Forward refuses an input smaller than the kernel that
// integer division rounded up to one output.
func TestOutSizeRefuses(t *testing.T) {
	checkRefusals(t, []refusal{
		{"Conv kernel 9 on 3x3", func() { Conv{Kernel: 9}.OutSize(3, 3) }, "nn: Conv.OutSize(3, 3): input 3x3 is smaller than the 9x9 kernel with padding 0"},
		{"Conv kernel 3 stride 2 on 2x2", func() { Conv{Kernel: 3, Stride: 2}.OutSize(2, 2) }, "nn: Conv.OutSize(2, 2): input 2x2 is smaller than the 3x3 kernel with padding 0"},
		{"Conv kernel 0", func() { Conv{Kernel: 0}.OutSize(3, 3) }, "nn: Conv.OutSize: bad configuration"},
		{"Conv stride -1", func() { Conv{Kernel: 1, Stride: -1}.OutSize(3, 3) }, "nn: Conv.OutSize: bad configuration"},
		{"Conv pad -1", func() { Conv{Kernel: 1, Pad: -1}.OutSize(3, 3) }, "nn: Conv.OutSize: bad configuration"},
		{"Conv h 0", func() { Conv{Kernel: 1}.OutSize(0, 3) }, "nn: Conv.OutSize(0, 3): sizes must be >= 1"},
		{"Pool kernel 0", func() { Pool{Kernel: 0}.OutSize(4, 4) }, "nn: Pool.OutSize: bad configuration"},
		{"Pool pad beyond half", func() { Pool{Kernel: 2, Pad: 2}.OutSize(4, 4) }, "nn: Pool.OutSize: bad configuration"},
		{"Pool stride -2", func() { Pool{Kernel: 2, Stride: -2}.OutSize(4, 4) }, "nn: Pool.OutSize: bad configuration"},
		{"Pool w -1", func() { Pool{Kernel: 2}.OutSize(4, -1) }, "nn: Pool.OutSize(4, -1): sizes must be >= 1"},
		{"Pool kernel 2 on 1x1", func() { Pool{Kernel: 2}.OutSize(1, 1) }, "nn: Pool.OutSize(1, 1): input 1x1 is smaller than the 2x2 window with padding 0"},
		{"MaxPool2d kernel 2 on 1x1", func() { NewMaxPool2d(Pool{Kernel: 2}).Forward(NewTensor(1, 1, 1, 1)) }, "nn: MaxPool2d.Forward: input 1x1x1x1 is smaller than the 2x2 window"},
		{"AvgPool2d kernel 3 on 2x2", func() { NewAvgPool2d(Pool{Kernel: 3}).Forward(NewTensor(1, 1, 2, 2)) }, "nn: AvgPool2d.Forward: input 1x1x2x2 is smaller than the 3x3 window"},
		// The mean of no values: the pool's work split divided by H·W.
		{"GlobalAvgPool on 2x0", func() { NewGlobalAvgPool().Forward(NewTensor(1, 3, 2, 0)) }, "nn: GlobalAvgPool.Forward: input 1x3x2x0 has no values per channel to average"},
		{"GlobalAvgPool on 0x5", func() { NewGlobalAvgPool().Forward(NewTensor(2, 1, 0, 5)) }, "nn: GlobalAvgPool.Forward: input 2x1x0x5 has no values per channel to average"},
		{"Conv2d kernel 3 stride 2 on 2x2", func() {
			NewConv2d(Conv{In: 1, Out: 1, Kernel: 3, Stride: 2}, NewInit(1)).Forward(NewTensor(1, 1, 2, 2))
		}, "nn: Conv2d.Forward: input 1x1x2x2 is smaller than the 3x3 kernel with padding 0"},
	})
	for _, tc := range []struct {
		c          Conv
		h, w       int
		wantH, wan int
	}{{Conv{Kernel: 3, Pad: 1}, 5, 7, 5, 7}, {Conv{Kernel: 3, Stride: 2}, 3, 4, 1, 1}, {Conv{Kernel: 3, Pad: 1}, 1, 1, 1, 1}} {
		if oh, ow := tc.c.OutSize(tc.h, tc.w); oh != tc.wantH || ow != tc.wan {
			t.Errorf("%+v.OutSize(%d, %d) = %d, %d, want %d, %d", tc.c, tc.h, tc.w, oh, ow, tc.wantH, tc.wan)
		}
	}
	if oh, ow := (Pool{Kernel: 2}).OutSize(5, 4); oh != 2 || ow != 2 {
		t.Errorf("Pool{Kernel: 2}.OutSize(5, 4) = %d, %d, want 2, 2", oh, ow)
	}
}

// TestOptimizersRefuse checks that NewSGD and NewAdam refuse every
// hyperparameter out of range, NaN and infinities included, as the
// suite's recipe validation does.
func TestOptimizersRefuse(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	sgd := func(c SGDConfig) func() { return func() { NewSGD(nil, c) } }
	adam := func(c AdamConfig) func() { return func() { NewAdam(nil, c) } }
	bop := func(c BopConfig) func() { return func() { NewBop(nil, c, NewSGD(nil, SGDConfig{})) } }
	checkRefusals(t, []refusal{
		{"SGD momentum -0.5", sgd(SGDConfig{Momentum: -0.5}), "nn: NewSGD: bad momentum -0.5"},
		{"SGD momentum 1", sgd(SGDConfig{Momentum: 1}), "nn: NewSGD: bad momentum 1"},
		{"SGD momentum 1.5", sgd(SGDConfig{Momentum: 1.5}), "nn: NewSGD: bad momentum 1.5"},
		{"SGD momentum NaN", sgd(SGDConfig{Momentum: nan}), "nn: NewSGD: bad momentum NaN"},
		{"SGD momentum 1 as float32", sgd(SGDConfig{Momentum: 1 - 1e-9}), "nn: NewSGD: bad momentum 0.999999999"},
		{"SGD weight decay -1", sgd(SGDConfig{WeightDecay: -1}), "nn: NewSGD: bad weight decay -1"},
		{"SGD weight decay NaN", sgd(SGDConfig{WeightDecay: nan}), "nn: NewSGD: bad weight decay NaN"},
		{"SGD weight decay Inf", sgd(SGDConfig{WeightDecay: inf}), "nn: NewSGD: bad weight decay +Inf"},
		{"SGD weight decay 1e300", sgd(SGDConfig{WeightDecay: 1e300}), "nn: NewSGD: bad weight decay 1e+300"},
		{"SGD weight decay 1e-50", sgd(SGDConfig{WeightDecay: 1e-50}), "nn: NewSGD: bad weight decay 1e-50"},
		{"SGD Nesterov without momentum", sgd(SGDConfig{Nesterov: true}), "nn: NewSGD: bad configuration"},
		{"Adam β1 NaN", adam(AdamConfig{Beta1: nan}), "nn: NewAdam: bad β1 NaN"},
		{"Adam β1 -0.1", adam(AdamConfig{Beta1: -0.1}), "nn: NewAdam: bad β1 -0.1"},
		{"Adam β1 1", adam(AdamConfig{Beta1: 1}), "nn: NewAdam: bad β1 1"},
		{"Adam β2 NaN", adam(AdamConfig{Beta2: nan}), "nn: NewAdam: bad β2 NaN"},
		{"Adam β2 1.5", adam(AdamConfig{Beta2: 1.5}), "nn: NewAdam: bad β2 1.5"},
		{"Adam β2 1 as float32", adam(AdamConfig{Beta2: 1 - 1e-9}), "nn: NewAdam: bad β2 0.999999999"},
		{"Adam ε NaN", adam(AdamConfig{Eps: nan}), "nn: NewAdam: bad ε NaN"},
		{"Adam ε -1e-8", adam(AdamConfig{Eps: -1e-8}), "nn: NewAdam: bad ε -1e-08"},
		{"Adam ε Inf", adam(AdamConfig{Eps: inf}), "nn: NewAdam: bad ε +Inf"},
		{"Adam ε 1e-50", adam(AdamConfig{Eps: 1e-50}), "nn: NewAdam: bad ε 1e-50"},
		{"Adam weight decay NaN", adam(AdamConfig{WeightDecay: nan}), "nn: NewAdam: bad weight decay NaN"},
		{"Adam weight decay -1", adam(AdamConfig{WeightDecay: -1}), "nn: NewAdam: bad weight decay -1"},
		// Bop's refusals named neither the field nor what is allowed, and
		// took a γ or τ that float32 rounds to 0 or infinity.
		{"Bop γ 2", bop(BopConfig{Gamma: 2}), "nn: NewBop: bad γ 2: want a number in (0, 1] that is not 0 as float32"},
		{"Bop γ -0.1", bop(BopConfig{Gamma: -0.1}), "nn: NewBop: bad γ -0.1"},
		{"Bop γ NaN", bop(BopConfig{Gamma: nan}), "nn: NewBop: bad γ NaN"},
		{"Bop γ 1e-50", bop(BopConfig{Gamma: 1e-50}), "nn: NewBop: bad γ 1e-50"},
		{"Bop τ -1", bop(BopConfig{Threshold: -1}), "nn: NewBop: bad threshold τ -1: want a finite number >= 0 that float32 holds"},
		{"Bop τ NaN", bop(BopConfig{Threshold: nan}), "nn: NewBop: bad threshold τ NaN"},
		{"Bop τ Inf", bop(BopConfig{Threshold: inf}), "nn: NewBop: bad threshold τ +Inf"},
		{"Bop τ 1e300", bop(BopConfig{Threshold: 1e300}), "nn: NewBop: bad threshold τ 1e+300"},
		{"Bop τ 1e-50", bop(BopConfig{Threshold: 1e-50}), "nn: NewBop: bad threshold τ 1e-50"},
		{"Bop rest nil", func() { NewBop(nil, BopConfig{}, nil) }, "nn: NewBop: rest is nil, want the optimizer of the other parameters"},
	})
	NewBop(nil, BopConfig{Gamma: 1, Threshold: 1e-3}, NewSGD(nil, SGDConfig{}))
	// The values the suite trains with are accepted.
	NewSGD(nil, SGDConfig{Momentum: 0.9, WeightDecay: 5e-4, Nesterov: true})
	NewSGD(nil, SGDConfig{})
	NewAdam(nil, AdamConfig{})
	NewAdam(nil, AdamConfig{Beta1: 0.5, Beta2: 0.99, Eps: 1e-6, WeightDecay: 1e-4})
}

// TestConstructorsRefuseNilInit checks that constructors drawing initial
// values refuse a nil *Init or nil stream by name instead of
// dereferencing it.
func TestConstructorsRefuseNilInit(t *testing.T) {
	conv := Conv{In: 1, Out: 2, Kernel: 3, Pad: 1}
	ste, na := Binary{Estimator: estimators.MustParse("ste")}, Binary{Estimator: estimators.MustParse("ste+na")}
	checkRefusals(t, []refusal{
		{"NewLinear nil init", func() { NewLinear(2, 3, true, nil) }, "nn: NewLinear: init is nil"},
		{"NewLinear nil Weights", func() { NewLinear(2, 3, true, &Init{}) }, "nn: NewLinear: init.Weights is nil"},
		{"NewConv2d nil init", func() { NewConv2d(conv, nil) }, "nn: NewConv2d: init is nil"},
		{"NewBinaryConv2d nil init", func() { NewBinaryConv2d(conv, ste, nil) }, "nn: NewBinaryConv2d: init is nil"},
		{"NewBinaryLinear nil init", func() { NewBinaryLinear(2, 3, ste, nil) }, "nn: NewBinaryLinear: init is nil"},
		{"NewBinaryLinear nil NA", func() { NewBinaryLinear(2, 3, na, &Init{Weights: NewInit(1).Weights}) }, "nn: NewBinaryLinear: init.NA is nil"},
		{"NewNoiseAdaptation nil r", func() { NewNoiseAdaptation("na", 4, &NASettings{Eta: "sin", K: 1}, nil) }, "nn: NewNoiseAdaptation: r is nil"},
		{"NewNoiseAdaptation nil na", func() { NewNoiseAdaptation("na", 4, nil, NewInit(1).NA) }, "nn: NewNoiseAdaptation: na is nil"},
	})
}

// TestOutSizeAgreesWithBitconv checks that Conv.OutSize and the packed
// kernels' bitconv.Shape.OutSize refuse the same configurations and inputs
// and return the same sizes for the others: a convolution the engine
// trains is one its packed inference accepts, and no other.
func TestOutSizeAgreesWithBitconv(t *testing.T) {
	for k := -1; k <= 5; k++ {
		for s := -1; s <= 3; s++ {
			for p := -1; p <= 3; p++ {
				for h := -1; h <= 6; h++ {
					c := Conv{In: 1, Out: 1, Kernel: k, Stride: s, Pad: p}
					b := bitconv.Shape{In: 1, Out: 1, Kernel: k, Stride: s, Pad: p}
					var ch, cw, bh, bw int
					cmsg := texttest.Panic(func() { ch, cw = c.OutSize(h, h+1) })
					bmsg := texttest.Panic(func() { bh, bw = b.OutSize(h, h+1) })
					if (cmsg == "") != (bmsg == "") || ch != bh || cw != bw {
						t.Errorf("kernel %d stride %d pad %d on %dx%d: Conv.OutSize = %d, %d (panic %q), Shape.OutSize = %d, %d (panic %q)",
							k, s, p, h, h+1, ch, cw, cmsg, bh, bw, bmsg)
					}
				}
			}
		}
	}
}

// TestBackwardBeforeForward checks that every layer's Backward called
// before its Forward (no saved input) panics naming the layer and the
// misuse, not with a nil dereference.
func TestBackwardBeforeForward(t *testing.T) {
	dy := NewTensor(1, 2, 2, 2)
	var cases []refusal
	for _, l := range everyLayer(t, 4) {
		cases = append(cases, refusal{l.name, func() { l.l.Backward(dy) }, "nn: " + l.name + ".Backward called before Forward"})
	}
	checkRefusals(t, cases)
}

// namedLayer is a layer of everyLayer and the name its panics give it.
type namedLayer struct {
	name string
	l    Layer
}

// everyLayer returns a new layer of every kind nn has, on 2 channels (the
// convolutions 3×3 with padding 1, the pools 2×2), the linear ones with
// in inputs, for the tests that put each kind through the same misuse.
func everyLayer(t *testing.T, in int) []namedLayer {
	t.Helper()
	init := NewInit(1)
	ste := Binary{Estimator: estimators.MustParse("ste")}
	bconv, err := NewBinaryConv2d(Conv{In: 2, Out: 2, Kernel: 3, Pad: 1}, ste, init)
	if err != nil {
		t.Fatal(err)
	}
	blin, err := NewBinaryLinear(in, 2, ste, init)
	if err != nil {
		t.Fatal(err)
	}
	return []namedLayer{
		{"ReLU", NewReLU()},
		{"Hardtanh", NewHardtanh()},
		{"PReLU", NewPReLU(2)},
		{"BatchNorm", NewBatchNorm2d(2)},
		{"Conv2d", NewConv2d(Conv{In: 2, Out: 2, Kernel: 3, Pad: 1}, init)},
		{"BinaryConv2d", bconv},
		{"Linear", NewLinear(in, 2, true, init)},
		{"BinaryLinear", blin},
		{"MaxPool2d", NewMaxPool2d(Pool{Kernel: 2})},
		{"AvgPool2d", NewAvgPool2d(Pool{Kernel: 2})},
		{"GlobalAvgPool", NewGlobalAvgPool()},
		{"Flatten", NewFlatten()},
	}
}

// TestBackwardRefusesMismatchedGradient checks that every layer's
// Backward refuses an output gradient that is not of its last output's
// shape with a panic naming the layer: one with height and width swapped
// (as many values), and ones whose Data holds one value fewer or more than
// the shape. MaxPool2d compared the number of values only, so it took the
// swapped gradient and one with a value too many and read past a short
// one (a runtime error); Flatten passed a gradient whose Data did not hold
// its shape on to the layer before it.
func TestBackwardRefusesMismatchedGradient(t *testing.T) {
	var cases []refusal
	for _, l := range everyLayer(t, 48) {
		y := l.l.Forward(NewTensor(3, 2, 4, 6))
		for _, dy := range []*Tensor{
			{N: y.N, C: y.C, H: y.W, W: y.H, Data: make([]float32, y.Len())},
			{N: y.N, C: y.C, H: y.H, W: y.W, Data: make([]float32, y.Len()-1)},
			{N: y.N, C: y.C, H: y.H, W: y.W, Data: make([]float32, y.Len()+1)},
		} {
			if dy.Shape() == y.Shape() && len(dy.Data) == y.Len() {
				continue // H = W: swapped, the same shape
			}
			cases = append(cases, refusal{fmt.Sprintf("%s/%v/%d values", l.name, dy, len(dy.Data)), func() { l.l.Backward(dy) }, "nn: " + l.name + ".Backward: "})
		}
	}
	checkRefusals(t, cases)
}

// TestBinaryChecksRefuseNoRun: a run of no epochs and a Progress that is
// no epoch of its run were passed (P clamps the epoch into [0, 1]), so a
// check said yes to what no run sets.
func TestBinaryChecksRefuseNoRun(t *testing.T) {
	b := Binary{Estimator: estimators.MustParse("fda")}
	for _, epochs := range []int{0, -5} {
		err := b.CheckEpochs(epochs)
		if want := "want a run of at least 1"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckEpochs(%d) = %v, want an error containing %q", epochs, err, want)
		}
	}
	if err := b.CheckEpochs(3); err != nil {
		t.Errorf("CheckEpochs(3) = %v", err)
	}
	for _, p := range []Progress{{Epoch: 9, Epochs: 3}, {Epoch: 3, Epochs: 3}, {Epoch: -1, Epochs: 3}, {Epoch: 0, Epochs: 0}} {
		err := b.CheckProgress(p)
		if want := "is no epoch of a run: want Epochs >= 1 and Epoch in 0..Epochs-1"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckProgress(%+v) = %v, want an error containing %q", p, err, want)
		}
	}
	for _, p := range []Progress{{Epoch: 0, Epochs: 1}, {Epoch: 2, Epochs: 3}} {
		if err := b.CheckProgress(p); err != nil {
			t.Errorf("CheckProgress(%+v) = %v", p, err)
		}
	}
}

// TestCosineRefuses: a Cosine with no Steps gave 0 at every step (a run
// that trains nothing, silently) and a negative step gave Base.
func TestCosineRefuses(t *testing.T) {
	checkRefusals(t, []refusal{
		{"Steps 0", func() { Cosine{Base: 0.1}.LR(0) }, "nn: Cosine.LR(0) with Steps 0: want Steps >= 1 (epochs × batches per epoch) and a step t >= 0"},
		{"Steps -5", func() { Cosine{Base: 0.1, Steps: -5}.LR(1) }, "nn: Cosine.LR(1) with Steps -5: want Steps >= 1"},
		{"t -1", func() { Cosine{Base: 0.1, Steps: 5}.LR(-1) }, "nn: Cosine.LR(-1) with Steps 5: want Steps >= 1 (epochs × batches per epoch) and a step t >= 0"},
	})
	c := Cosine{Base: 0.1, Steps: 4}
	for t0, want := range map[int]float64{0: 0.1, 2: 0.05, 4: 0, 9: 0} {
		if got := c.LR(t0); math.Abs(got-want) > 1e-15 {
			t.Errorf("Cosine{0.1, 4}.LR(%d) = %v, want %v", t0, got, want)
		}
	}
}

// TestProgressRefuses: P clamped a Progress that is no epoch of a run into
// [0, 1] (epoch 9 of 3 trained as the last, epoch -1 as the first) and
// NAAlpha read Epochs 0 as 1; SetProgress passed both on.
func TestProgressRefuses(t *testing.T) {
	const want = "is no epoch of a run: want Epochs >= 1 and Epoch in 0..Epochs-1"
	var cases []refusal
	for _, p := range []Progress{{Epoch: 9, Epochs: 3}, {Epoch: 3, Epochs: 3}, {Epoch: -1, Epochs: 3}, {}, {Epoch: 0, Epochs: -2}} {
		cases = append(cases,
			refusal{fmt.Sprintf("P %+v", p), func() { p.P() }, "nn: Progress.P: " + fmt.Sprintf("%+v ", p) + want},
			refusal{fmt.Sprintf("NAAlpha %+v", p), func() { p.NAAlpha() }, "nn: Progress.NAAlpha: " + fmt.Sprintf("%+v ", p) + want})
	}
	cases = append(cases, refusal{"SetProgress", func() {
		SetProgress(NewReLU(), Progress{Epoch: 9, Epochs: 3}) // no setter: nothing reads it
		l, err := NewBinaryLinear(4, 2, Binary{Estimator: estimators.MustParse("fda")}, NewInit(1))
		if err != nil {
			panic(err)
		}
		SetProgress(l, Progress{Epoch: 9, Epochs: 3})
	}, "nn: Progress.P: {Epoch:9 Epochs:3} " + want})
	checkRefusals(t, cases)
	for _, tc := range []struct {
		p     Progress
		want  float64
		alpha float64
	}{{Progress{0, 1}, 0, 0}, {Progress{0, 3}, 0, 0.075}, {Progress{1, 3}, 0.5, 0.025}, {Progress{2, 3}, 1, 0}} {
		if got, alpha := tc.p.P(), tc.p.NAAlpha(); got != tc.want || math.Abs(alpha-tc.alpha) > 1e-15 {
			t.Errorf("%+v: P = %v, NAAlpha = %v; want %v, %v", tc.p, got, alpha, tc.want, tc.alpha)
		}
	}
}
