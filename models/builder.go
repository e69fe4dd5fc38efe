package models

import (
	"fmt"
	"strconv"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/nn"
)

// A builder makes the layers of one model in order while it tracks the
// shape of the activations, so that every layer is sized from the one
// before it, the summary rows are written as the layers are made, and an
// input too small for the architecture is an error instead of a panic in
// the first Forward.
type builder struct {
	model   string
	cfg     Config
	init    *nn.Init
	c, h, w int // the shape of the current activations
	prefix  string
	layers  []LayerInfo
	err     error
	// dry builds no layer (the net it returns holds nils): it tracks
	// shapes, counts parameters and writes the summary rows, for Build to
	// check a configuration before allocating anything and for
	// BuildLayout, NormValues and CheckWidth, which allocate nothing.
	dry bool
	// noEstimator says that cfg.Binary is not to be read (CheckWidth and
	// NormValues, which check the shapes only): binary layers count no
	// training-only parameters. A dry run with the estimator counts them
	// as the real run makes them (madeTraining checks that they agree).
	noEstimator bool
	// params counts the parameters made so far, at most maxParams.
	params, maxParams int64
	// gcd is the greatest common divisor of the channel counts scaled so
	// far (at width 1), and fraction, when not empty, says where the first
	// of them scaled to a fractional number of channels (see checkWhole).
	gcd      int
	fraction string
	// names holds the summary row name (LayerInfo.Name) of every layer
	// made that has a row, for Model.LayerName.
	names map[nn.Layer]string
	// normValues is the fewest values per channel that a BatchNorm made
	// so far normalises for one image (the height times width of its
	// input), or 0 before the first (see Model.NormValues).
	normValues int
}

// named records that l, the layer just made, is the one of the last
// summary row, and returns it.
func named[L nn.Layer](b *builder, l L) L {
	if b.dry {
		return l
	}
	if b.names == nil {
		b.names = map[nn.Layer]string{}
	}
	b.names[l] = b.layers[len(b.layers)-1].Name
	return l
}

// addParams counts the n parameters of the layer about to be made, and
// fails when the network would exceed maxParams.
func (b *builder) addParams(kind string, n int64) {
	b.params += n
	if n > b.maxParams || b.params > b.maxParams {
		b.fail("%s inputs, %s classes, width %s: the network has more than %d parameters by layer %s, want at most that many (4 GiB as float32)",
			b.cfg.input(), b.cfg.classes(), b.width(), b.maxParams, b.name(kind))
	}
}

// run calls build and returns the network it made; a failure in any step
// is in b.err.
func (b *builder) run(build func(*builder) nn.Sequential) (net nn.Sequential) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(builderError); ok {
				b.err = e.err
				net = nil
				return
			}
			panic(r)
		}
	}()
	return build(b)
}

// builderError carries a build failure out of a builder method.
type builderError struct{ err error }

func (b *builder) fail(format string, args ...any) {
	panic(builderError{fmt.Errorf("models: %s: "+format, append([]any{b.model}, args...)...)})
}

// shape is a saved activation shape, for the two branches of a residual
// unit.
type shape struct{ c, h, w int }

func (b *builder) shape() shape     { return shape{b.c, b.h, b.w} }
func (b *builder) setShape(s shape) { b.c, b.h, b.w = s.c, s.h, s.w }

// scope sets the name prefix of the summary rows made by fn.
func (b *builder) scope(name string, fn func()) {
	old := b.prefix
	if old != "" {
		name = old + "." + name
	}
	b.prefix = name
	fn()
	b.prefix = old
}

func (b *builder) name(kind string) string {
	if b.prefix == "" {
		return kind
	}
	return b.prefix + "." + kind
}

func (b *builder) record(kind string, fp, bin, train int, fpMACs, binMACs int64) {
	l := LayerInfo{
		Name: b.name(kind), Out: [3]int{b.c, b.h, b.w},
		FPParams: fp, BinaryParams: bin, TrainingParams: train, FPMACs: fpMACs, BinaryMACs: binMACs,
	}
	if bin > 0 {
		l.Scales = b.c // one scale per output channel
	}
	b.layers = append(b.layers, l)
}

func (b *builder) convOut(k, stride, pad int) (int, int) {
	oh, ow := (b.h+2*pad-k)/stride+1, (b.w+2*pad-k)/stride+1
	if b.h+2*pad < k || b.w+2*pad < k || oh < 1 || ow < 1 {
		b.fail("input %s too small: %s needs at least %d×%d here (%s)", b.cfg.input(), b.name("layer"), k-2*pad, k-2*pad, minInput[b.model])
	}
	return oh, ow
}

// convMACs returns the multiply-accumulates of a k×k convolution from in
// to out channels with an output of oh×ow, in int64: within the bounds
// (MaxSide, MaxParams) the product can exceed a 32-bit int.
func convMACs(out, in, k, oh, ow int) int64 {
	return int64(out) * int64(in) * int64(k) * int64(k) * int64(oh) * int64(ow)
}

// conv makes a full-precision k×k convolution without bias (a BatchNorm
// follows every one).
func (b *builder) conv(kind string, out, k, stride, pad int, first bool) *nn.Conv2d {
	in := b.c
	oh, ow := b.convOut(k, stride, pad)
	b.addParams(kind, int64(out)*int64(in)*int64(k*k))
	var l *nn.Conv2d
	weights := out * in * k * k
	if !b.dry {
		l = nn.NewConv2d(nn.Conv{In: in, Out: out, Kernel: k, Stride: stride, Pad: pad, SkipInputGrad: first}, b.init)
		weights = len(l.Weight.Data)
	}
	b.c, b.h, b.w = out, oh, ow
	b.record(kind, weights, 0, 0, convMACs(out, in, k, oh, ow), 0)
	return named(b, l)
}

// binConv makes a binary k×k convolution with the model's estimator.
func (b *builder) binConv(kind string, out, k, stride, pad int) *nn.BinaryConv2d {
	in := b.c
	oh, ow := b.convOut(k, stride, pad)
	train := b.trainingParams(in*k*k, in)
	b.addParams(kind, int64(out)*int64(in)*int64(k*k)+train)
	if b.dry {
		b.c, b.h, b.w = out, oh, ow
		b.record(kind, 0, out*in*k*k, int(train), 0, convMACs(out, in, k, oh, ow))
		return nil
	}
	l, err := nn.NewBinaryConv2d(nn.Conv{In: in, Out: out, Kernel: k, Stride: stride, Pad: pad}, b.cfg.Binary, b.init)
	if err != nil {
		panic(builderError{fmt.Errorf("models: %s: %w", b.model, err)})
	}
	b.c, b.h, b.w = out, oh, ow
	b.record(kind, 0, len(l.Weight.Data), b.madeTraining(kind, train, l.Params()[1:]), 0, convMACs(out, in, k, oh, ow))
	return named(b, l)
}

// trainingParams returns the parameters a binary layer trains and drops
// at inference, before it is made: each side's learnable estimator
// scalars and, with "+na", its noise adaptation module, W1 and W2 of
// d·max(1, d/k) values each (nn.NewNoiseAdaptation), for rows of dw
// latent weights and of da activations. addParams counts them with the
// layer's weights, so that the dry run bounds them too: with k = 1 they
// are 2·d² per layer, many times the weights.
func (b *builder) trainingParams(dw, da int) int64 {
	if b.noEstimator {
		return 0
	}
	e := b.cfg.Binary.Estimator
	var n int64
	for _, side := range []struct {
		spec estimators.Spec
		d    int
	}{{e.Weights(), dw}, {e.Activations(), da}} {
		if side.spec.NA != nil {
			na, ok := side.spec.NA.Settings.(*nn.NASettings)
			if !ok {
				b.fail("estimator %s: +na settings of type %T, want *nn.NASettings", side.spec, side.spec.NA.Settings)
			}
			n += 2 * int64(side.d) * int64(max(1, side.d/na.K))
		}
		est, err := side.spec.New()
		if err != nil {
			panic(builderError{fmt.Errorf("models: %s: %w", b.model, err)})
		}
		if l, ok := est.(estimators.Learner); ok {
			n += int64(len(l.Scalars()))
		}
	}
	return n
}

// madeTraining returns the number of values in ps, the training-only
// parameters of the binary layer just made (kind), which must be what
// trainingParams counted for it.
func (b *builder) madeTraining(kind string, want int64, ps []*nn.Param) int {
	n := nn.Count(ps)
	if int64(n) != want {
		b.fail("%s has %d training-only parameters, %d were counted before it was made", b.name(kind), n, want)
	}
	return n
}

// linear makes the full-precision classifier (or first) layer with bias.
func (b *builder) linear(kind string, out int) *nn.Linear {
	in := b.c * b.h * b.w
	b.addParams(kind, int64(b.c)*int64(b.h)*int64(b.w)*int64(out)+int64(out))
	if b.dry {
		b.c, b.h, b.w = out, 1, 1
		b.record(kind, in*out+out, 0, 0, int64(in*out), 0)
		return nil
	}
	l := nn.NewLinear(in, out, true, b.init)
	b.c, b.h, b.w = out, 1, 1
	b.record(kind, l.In*l.Out+l.Out, 0, 0, int64(in*out), 0)
	return named(b, l)
}

// binLinear makes a binary fully connected layer.
func (b *builder) binLinear(kind string, out int) *nn.BinaryLinear {
	in := b.c * b.h * b.w
	train := b.trainingParams(in, in)
	b.addParams(kind, int64(b.c)*int64(b.h)*int64(b.w)*int64(out)+train)
	if b.dry {
		b.c, b.h, b.w = out, 1, 1
		b.record(kind, 0, in*out, int(train), 0, int64(in*out))
		return nil
	}
	l, err := nn.NewBinaryLinear(in, out, b.cfg.Binary, b.init)
	if err != nil {
		panic(builderError{fmt.Errorf("models: %s: %w", b.model, err)})
	}
	b.c, b.h, b.w = out, 1, 1
	b.record(kind, 0, in*out, b.madeTraining(kind, train, l.Params()[1:]), 0, int64(in*out))
	return named(b, l)
}

func (b *builder) bn() *nn.BatchNorm {
	b.addParams("bn", 2*int64(b.c))
	if v := b.h * b.w; b.normValues == 0 || v < b.normValues {
		b.normValues = v
	}
	var l *nn.BatchNorm
	if !b.dry {
		l = nn.NewBatchNorm2d(b.c)
	}
	b.record("bn", 2*b.c, 0, 0, 0, 0)
	b.layers[len(b.layers)-1].Buffers = 2 * b.c // running mean and variance
	return named(b, l)
}

func (b *builder) prelu() *nn.PReLU {
	b.addParams("prelu", int64(b.c))
	var l *nn.PReLU
	if !b.dry {
		l = nn.NewPReLU(b.c)
	}
	b.record("prelu", b.c, 0, 0, 0, 0)
	return named(b, l)
}

func (b *builder) maxPool(k, stride, pad int) *nn.MaxPool2d {
	oh, ow := b.convOut(k, stride, pad)
	b.h, b.w = oh, ow
	b.record("maxpool", 0, 0, 0, 0, 0)
	return named(b, nn.NewMaxPool2d(nn.Pool{Kernel: k, Stride: stride, Pad: pad}))
}

// avgPool2 halves the map with a 2×2 average, the downsampling shortcut's
// pooling. On an odd side it pads by one (zeros counted, as PyTorch's
// count_include_pad), so that it matches the ceil((h+1)/2) output of the
// stride-2 3×3 convolution beside it.
func (b *builder) avgPool2() *nn.AvgPool2d {
	if b.h%2 != b.w%2 {
		b.fail("input %s: a %d×%d map cannot be halved evenly in both directions (%s)", b.cfg.input(), b.h, b.w, minInput[b.model])
	}
	pad := b.h % 2
	oh, ow := b.convOut(2, 2, pad)
	b.h, b.w = oh, ow
	b.record("avgpool", 0, 0, 0, 0, 0)
	return named(b, nn.NewAvgPool2d(nn.Pool{Kernel: 2, Stride: 2, Pad: pad}))
}

func (b *builder) gap() *nn.GlobalAvgPool {
	b.h, b.w = 1, 1
	b.record("avgpool", 0, 0, 0, 0, 0)
	return named(b, nn.NewGlobalAvgPool())
}

func (b *builder) flatten() *nn.Flatten {
	b.c, b.h, b.w = b.c*b.h*b.w, 1, 1
	return nn.NewFlatten()
}

// width is the width multiplier as the errors write it: as typed
// (Config.WidthTyped), or else in Go's shortest form.
func (b *builder) width() string {
	if b.cfg.WidthTyped != "" {
		return b.cfg.WidthTyped
	}
	return strconv.FormatFloat(b.cfg.Width, 'g', -1, 64)
}

// input is the input shape as the errors write it: as typed
// (Config.InputTyped), or else C×H×W.
func (c Config) input() string {
	if c.InputTyped != "" {
		return c.InputTyped
	}
	return fmt.Sprintf("%d×%d×%d", c.C, c.H, c.W)
}

// classes is the number of classes as the errors write it: as typed
// (Config.ClassesTyped), or else in decimal.
func (c Config) classes() string {
	if c.ClassesTyped != "" {
		return c.ClassesTyped
	}
	return strconv.Itoa(c.Classes)
}
