package models

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/nn"
)

// Config says what a model is built for.
type Config struct {
	// C, H and W are the shape of one input image (the dataset's batch
	// shape) and Classes the number of classes.
	C, H, W int
	Classes int
	// Width multiplies every channel count (and AlexNet's hidden features);
	// 0 means 1. A width at which a layer has a fractional number of
	// channels, or rounds to 0 channels or to more than MaxChannels, is an
	// error. Width 0.25 gives a reduced network of the same architecture
	// for tests and CI.
	Width float64
	// WidthTyped, when not empty, is Width as the user typed it ("3.3e-1",
	// "1e41"), which the errors about the width quote: the value the user
	// finds on their command line, not Go's shortest form of the number
	// (0.33, 1e+41), which they write when it is empty. It changes
	// nothing that is built.
	WidthTyped string
	// InputTyped and ClassesTyped, when not empty, are C×H×W and Classes
	// as the user typed them ("1x028x028", "0070000"), which the errors
	// about the input and the classes quote, as WidthTyped is for the
	// width; empty, the errors write the numbers (1×28×28, 70000). They
	// change nothing that is built.
	InputTyped, ClassesTyped string
	// Binary is handed to every binary layer: the estimator spec of the
	// latent weights and of the activations (one plain spec for both, or
	// a sided one such as w=fda/a=approxsign), each side with "+na" for
	// noise adaptation.
	Binary nn.Binary
}

// A Layout describes a model for a configuration without its network:
// what Build's Model carries besides Net, and what its summary (Summary,
// Describe, gradbench models) is made from. BuildLayout makes one without
// allocating any layer.
type Layout struct {
	// Name is the model's, one of Names.
	Name string
	// Config is what the model is built for, its Width 1 where it was
	// given as 0.
	Config Config
	// Layers describes the network layer by layer (see Summary).
	Layers []LayerInfo
	// NormValues is the fewest values per channel that a BatchNorm layer
	// of the network normalises for each image of a batch: the height
	// times width of its input, 1 where it follows a fully connected
	// layer or sees a 1×1 map; 0 if the network has no BatchNorm. In
	// training mode BatchNorm takes its statistics over the batch and
	// needs at least two values per channel, so the network trains only
	// on batches of k images with k·NormValues ≥ 2 (see NormValues).
	NormValues int
}

// A Model is a built network with its description.
type Model struct {
	// Layout describes Net: the Layout BuildLayout gives for the same
	// name and configuration.
	Layout
	// Net is the network: input N×C×H×W, output N×Classes×1×1 logits.
	Net nn.Sequential
	// names maps the nn.Walk path of every layer of Net that has a row in
	// Layers to the row's Name.
	names map[string]string
}

// LayerName returns the name the summary gives (LayerInfo.Name, such as
// "stage1.block0.unit0.conv", what gradbench models prints) to the layer
// of m.Net at the nn.Walk path, such as "2.0.0"; false if no layer there
// has a row of its own (a Sequential or Residual that holds layers, a
// Flatten) or m was not made by Build. Reports that name layers name them
// with it, so that they match the summary.
func (m *Model) LayerName(path string) (string, bool) {
	n, ok := m.names[path]
	return n, ok
}

// builders maps each model name to its builder; one line per model,
// sorted.
var builders = map[string]func(b *builder) nn.Sequential{
	"alexnet":   alexnet,
	"resnet18":  resnet18,
	"resnet20":  resnet20,
	"vgg-small": vggSmall,
}

// docs says in one line what each model is.
var docs = map[string]string{
	"alexnet":   "binary AlexNet (DoReFa-Net): ImageNet layout, fp32 first conv and last FC",
	"resnet18":  "Bi-Real Net ResNet-18 with PReLU, ImageNet layout: the FDA paper's ImageNet baseline",
	"resnet20":  "CIFAR ResNet-20 with Bi-Real units, 16/32/64 channels: the suite's default",
	"vgg-small": "VGG-Small (LQ-Nets, DSQ, IR-Net): 128-128-256-256-512-512 convolutions",
}

// Doc returns a one-line description of the named model.
func Doc(name string) string { return docs[name] }

// Names returns the model names, sorted.
func Names() []string {
	names := make([]string, 0, len(builders))
	for n := range builders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Check returns an error unless name is a model.
func Check(name string) error {
	if _, ok := builders[name]; !ok {
		return fmt.Errorf("models: unknown model %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return nil
}

// Bounds of a model's configuration. Beyond them a network is not one
// this benchmark trains, and its channel, parameter and multiply-accumulate
// counts would overflow or exhaust memory while it is built, so Build
// refuses it instead of building something else or failing midway.
const (
	// MaxChannels bounds every layer's channel (or feature) count after
	// width scaling, and the input's channels.
	MaxChannels = 1 << 16
	// MaxClasses bounds the number of classes.
	MaxClasses = 1 << 16
	// MaxSide bounds the input's height and width.
	MaxSide = 1 << 14
	// MaxParams bounds the parameters of a whole network (4 GiB as
	// float32), those trained and dropped at inference (noise
	// adaptation, learnable estimator scalars) included.
	MaxParams = 1 << 30
)

// checkConfig checks the input shape, classes and width of cfg.
func checkConfig(name string, cfg Config) error {
	switch {
	case cfg.C < 1 || cfg.H < 1 || cfg.W < 1:
		return fmt.Errorf("models: %s: input shape %s, want positive C×H×W", name, cfg.input())
	case cfg.C > MaxChannels:
		return fmt.Errorf("models: %s: input shape %s, want at most %d channels", name, cfg.input(), MaxChannels)
	case cfg.H > MaxSide || cfg.W > MaxSide:
		return fmt.Errorf("models: %s: input shape %s, want a height and width of at most %d", name, cfg.input(), MaxSide)
	case cfg.Classes < 2:
		return fmt.Errorf("models: %s: %s classes, want at least 2", name, cfg.classes())
	case cfg.Classes > MaxClasses:
		return fmt.Errorf("models: %s: %s classes, want at most %d", name, cfg.classes(), MaxClasses)
	case cfg.Width < 0 || math.IsNaN(cfg.Width) || math.IsInf(cfg.Width, 0):
		return fmt.Errorf("models: %s: width %s, want a number > 0", name, (&builder{cfg: cfg}).width())
	}
	return nil
}

// CheckWidth returns an error unless the named model can be built at that
// width multiplier: every layer must have a whole number of channels (or
// features), at least 1 and at most MaxChannels. It is what Build
// checks of the width, without an input or any allocation, for callers
// that validate a run before its data is loaded.
func CheckWidth(name string, width float64) error {
	return CheckWidthTyped(name, width, "")
}

// CheckWidthTyped is CheckWidth for a width the user typed as typed
// ("3.3e-1", "1e41"), which its errors quote where CheckWidth's write
// the number in Go's shortest form (0.33, 1e+41): an error is to name
// the value the user finds on their command line. An empty typed is
// CheckWidth.
func CheckWidthTyped(name string, width float64, typed string) error {
	build, ok := builders[name]
	if !ok {
		return Check(name)
	}
	if !(width > 0) || math.IsInf(width, 0) {
		w := typed
		if w == "" {
			w = fmt.Sprint(width)
		}
		return fmt.Errorf("models: %s: width %s, want a number > 0", name, w)
	}
	// Channel counts do not depend on the input: any input the model
	// takes will do, and the parameter bound is Build's to check.
	cfg := Config{C: 3, H: 64, W: 64, Classes: 2, Width: width, WidthTyped: typed}
	b := &builder{model: name, cfg: cfg, c: cfg.C, h: cfg.H, w: cfg.W, dry: true, noEstimator: true, maxParams: math.MaxInt64}
	b.run(build)
	return b.checkWhole()
}

// Build builds the named model. Weights are drawn from init.Weights and
// noise adaptation modules from init.NA in a fixed order, so the same seed
// gives the same weights for every estimator, with or without noise
// adaptation (a nil init, or a nil stream the model draws from, is an
// error). An input too small for the architecture (AlexNet needs at
// least 63×63) is an error, and so is a configuration beyond the bounds
// above (MaxChannels, MaxClasses, MaxSide, MaxParams) or a width at which
// a layer would have a fractional number of channels or none; all are
// checked before any layer is allocated.
func Build(name string, cfg Config, init *nn.Init) (*Model, error) {
	build, cfg, err := checked(name, cfg, true)
	if err != nil {
		return nil, err
	}
	// Without the streams the layer constructors panic half-way through.
	switch e := cfg.Binary.Estimator; {
	case init == nil:
		return nil, fmt.Errorf("models: %s: init is nil, want one such as nn.NewInit's", name)
	case init.Weights == nil:
		return nil, fmt.Errorf("models: %s: init.Weights is nil, want a stream such as nn.NewInit's", name)
	case init.NA == nil && (e.Weights().NA != nil || e.Activations().NA != nil):
		return nil, fmt.Errorf("models: %s: init.NA is nil, which estimator %s needs for its noise adaptation: want a stream such as nn.NewInit's", name, e)
	}
	// A dry run first, so that a network too large fails before any of
	// it is made.
	if _, err := dryRun(name, build, cfg, true); err != nil {
		return nil, err
	}
	b := &builder{model: name, cfg: cfg, init: init, c: cfg.C, h: cfg.H, w: cfg.W, maxParams: MaxParams}
	net := b.run(build)
	if b.err != nil {
		return nil, b.err
	}
	names := map[string]string{}
	nn.Walk(net, func(path string, l nn.Layer) {
		// Every layer named is a pointer; a Sequential, a slice, cannot
		// even be looked up.
		if reflect.TypeOf(l).Kind() != reflect.Pointer {
			return
		}
		if n, ok := b.names[l]; ok {
			names[path] = n
		}
	})
	return &Model{Layout: b.layout(), Net: net, names: names}, nil
}

// BuildLayout returns the Layout of the model that Build would build for
// name and cfg (its summary rows, and so its Summary, Describe and
// NormValues), from Build's dry run alone: no layer is allocated and no
// weight drawn, for callers that describe a network without training it.
// It checks cfg as Build does, with the same errors: the bounds, whole
// channels at the width, the estimator spec (whose noise adaptation and
// learnable scalars it counts as training-only parameters, within
// MaxParams). Build's init, not part of cfg, is not its to check.
func BuildLayout(name string, cfg Config) (*Layout, error) {
	build, cfg, err := checked(name, cfg, true)
	if err != nil {
		return nil, err
	}
	b, err := dryRun(name, build, cfg, true)
	if err != nil {
		return nil, err
	}
	l := b.layout()
	return &l, nil
}

// NormValues returns what Build's Model.NormValues would be for the named
// model and configuration, checking what Build checks of them but the
// estimator and building no layer: for a caller that checks a training
// batch against the network before it builds one.
func NormValues(name string, cfg Config) (int, error) {
	build, cfg, err := checked(name, cfg, false)
	if err != nil {
		return 0, err
	}
	b, err := dryRun(name, build, cfg, false)
	if err != nil {
		return 0, err
	}
	return b.normValues, nil
}

// checked returns the builder of the named model and cfg with its width
// defaulted (0 is 1), once it has checked what Build, BuildLayout and
// NormValues check of cfg before any dry run: the input, classes and width
// (checkConfig) and, with estimator, the spec of the binary layers.
func checked(name string, cfg Config, estimator bool) (func(*builder) nn.Sequential, Config, error) {
	build, ok := builders[name]
	if !ok {
		return nil, cfg, Check(name)
	}
	if err := checkConfig(name, cfg); err != nil {
		return nil, cfg, err
	}
	if cfg.Width == 0 {
		cfg.Width = 1
	}
	if estimator {
		if err := cfg.Binary.Check(); err != nil {
			return nil, cfg, fmt.Errorf("models: %s: %w", name, err)
		}
	}
	return build, cfg, nil
}

// dryRun runs build for cfg (checked) without making any layer: it tracks
// the shapes and counts the parameters, failing on an input too small, a
// network beyond MaxParams or a width that gives a layer a fractional
// number of channels. With estimator it counts the training-only
// parameters of cfg.Binary's estimator; without, binary layers have none.
func dryRun(name string, build func(*builder) nn.Sequential, cfg Config, estimator bool) (*builder, error) {
	b := &builder{model: name, cfg: cfg, c: cfg.C, h: cfg.H, w: cfg.W, dry: true, noEstimator: !estimator, maxParams: MaxParams}
	b.run(build)
	if err := b.checkWhole(); err != nil {
		return nil, err
	}
	return b, nil
}

// layout returns the Layout of the network b made.
func (b *builder) layout() Layout {
	return Layout{Name: b.model, Config: b.cfg, Layers: b.layers, NormValues: b.normValues}
}

// ch scales a channel count by the width multiplier: c·width, which must
// be in [1, MaxChannels] after rounding, and a whole number (checked by
// checkWhole once every layer is made, so that the error can name the
// nearest widths that are whole).
func (b *builder) ch(c int) int {
	b.gcd = gcd(b.gcd, c)
	v := math.Round(float64(c) * b.cfg.Width)
	// c·width exactly, less v: zero if and only if c·width is whole
	// (a fused multiply-add rounds once, so no fraction is lost).
	if b.fraction == "" && math.FMA(float64(c), b.cfg.Width, -v) != 0 {
		where := b.prefix
		if where == "" {
			where = "the network"
		}
		b.fraction = fmt.Sprintf("%s %s channels (%d × %s)", where, product(c, b.cfg.Width, b.width()), c, b.width())
	}
	if v < 1 || v > MaxChannels {
		where := b.prefix
		if where == "" {
			where = "the network"
		}
		want := "want at least 1 (a smaller width leaves the layer without channels)"
		if v > MaxChannels {
			want = fmt.Sprintf("want at most %d", MaxChannels)
		}
		b.fail("width %s gives %s %s channels (%d × %s, rounded): %s", b.width(), where,
			strconv.FormatFloat(v, 'g', -1, 64), c, b.width(), want)
	}
	return int(v)
}

// product formats c·w, a fraction, for the message that prints it
// beside "c × printed", printed being w as the message writes it: as the
// product of the factors as printed (cli.TimesText), 28.8 for 96 × 0.3.
// Where that is whole but c·w is not (the printed w is a hair from w),
// c·w itself is printed to 20 digits, as float64 would round it to a
// whole number too (5 × 0.2 is 1.0000000000000000555).
func product(c int, w float64, printed string) string {
	if s := cli.TimesText(c, printed); strings.ContainsAny(s, ".e") {
		return s
	}
	return new(big.Float).SetPrec(128).Mul(big.NewFloat(float64(c)), big.NewFloat(w)).Text('g', 20)
}

// gcd returns the greatest common divisor of a and b (b if a is 0).
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// checkWhole returns an error if the width gave some layer a fractional
// number of channels. Rounding it would build the network of another
// width under this one's name: resnet20 at width 0.13 is resnet20 at
// 0.125, trained twice under two run keys. The widths that are whole for
// every layer are the multiples of 1/g, g the greatest common divisor of
// the model's channel counts at width 1; the error names the nearest.
func (b *builder) checkWhole() error {
	if b.err != nil || b.fraction == "" {
		return b.err
	}
	g := float64(b.gcd)
	k := b.cfg.Width * g
	var near []string
	for i, n := range []float64{math.Floor(k), math.Ceil(k)} {
		// g is a power of 2 for every model, so k is exact and not whole:
		// floor and ceiling differ. A repeat is never named twice anyway.
		if n >= 1 && (i == 0 || n != math.Floor(k)) {
			near = append(near, strconv.FormatFloat(n/g, 'g', -1, 64))
		}
	}
	return fmt.Errorf("models: %s: width %s gives %s: want a whole number of channels in every layer, which %s gives at widths that are multiples of 1/%d (nearest: %s)",
		b.model, b.width(), b.fraction, b.model, b.gcd, strings.Join(near, " and "))
}
