package models

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/nn"
)

func build(t testing.TB, name string, cfg Config, spec string, seed uint64) *Model {
	t.Helper()
	cfg.Binary.Estimator = estimators.MustParse(spec)
	m, err := Build(name, cfg, nn.NewInit(seed))
	if err != nil {
		t.Fatalf("Build(%s, %+v): %v", name, cfg, err)
	}
	return m
}

// TestShapes runs a batch through every model at several input shapes and
// widths: the logits are N×classes and finite.
func TestShapes(t *testing.T) {
	type shapeCase struct {
		model   string
		c, h, w int
		classes int
		width   float64
	}
	tests := []shapeCase{
		{"resnet20", 1, 28, 28, 10, 0.25},
		{"resnet20", 3, 32, 32, 10, 0.25},
		{"resnet20", 1, 16, 16, 7, 0.5},
		{"resnet20", 1, 7, 7, 3, 0.125}, // odd maps: padded shortcut pooling
		{"vgg-small", 1, 28, 28, 10, 0.0625},
		{"vgg-small", 3, 32, 32, 10, 0.0625},
		{"resnet18", 3, 32, 32, 100, 0.0625},
		{"resnet18", 3, 64, 64, 10, 0.0625},
		{"alexnet", 3, 64, 64, 10, 0.03125},
	}
	if !testing.Short() {
		tests = append(tests, shapeCase{"alexnet", 3, 224, 224, 1000, 0.0625})
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			m := build(t, tt.model, Config{C: tt.c, H: tt.h, W: tt.w, Classes: tt.classes, Width: tt.width}, "ste+na", 1)
			x := nn.NewTensor(2, tt.c, tt.h, tt.w)
			r := nn.Stream(1, "test")
			for i := range x.Data {
				x.Data[i] = float32(r.NormFloat64())
			}
			y := m.Net.Forward(x)
			if y.N != 2 || y.C != tt.classes || y.H != 1 || y.W != 1 {
				t.Fatalf("%s %d×%d×%d width %g: output %v, want 2x%dx1x1", tt.model, tt.c, tt.h, tt.w, tt.width, y, tt.classes)
			}
			for _, v := range y.Data {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("output has %v", v)
				}
			}
			// Backward runs and reaches every parameter.
			dy := nn.NewTensor(2, tt.classes, 1, 1)
			for i := range dy.Data {
				dy.Data[i] = 0.1
			}
			m.Net.Backward(dy)
			if got, want := m.Layers[len(m.Layers)-1].Out, [3]int{tt.classes, 1, 1}; got != want {
				t.Errorf("summary output shape %v, want %v", got, want)
			}
			// The summary counts what the network holds.
			s := m.Summary()
			if got := nn.Count(nn.Params(m.Net)); s.Params != got {
				t.Errorf("Summary().Params = %d, nn.Count = %d", s.Params, got)
			}
		})
	}
}

// TestParamCounts pins the parameter counts at width 1 against numbers
// computed independently of the builder, term by term.
func TestParamCounts(t *testing.T) {
	conv := func(in, out, k int) int { return in * out * k * k }
	bn := func(c int) int { return 2 * c }
	// ResNet-20: 18 binary 3×3 convolutions, each with a BN; two
	// downsampling shortcuts (conv1x1 + BN); stem conv + BN; FC with bias.
	r20bin := 6*conv(16, 16, 3) + conv(16, 32, 3) + 5*conv(32, 32, 3) + conv(32, 64, 3) + 5*conv(64, 64, 3)
	r20fp := func(cin int) int {
		return conv(cin, 16, 3) + bn(16) + 6*bn(16) + 6*bn(32) + 6*bn(64) +
			conv(16, 32, 1) + bn(32) + conv(32, 64, 1) + bn(64) + 64*10 + 10
	}
	// VGG-Small on 32×32: three 2×2 poolings leave 4×4 maps for the FC.
	vggBin := conv(128, 128, 3) + conv(128, 256, 3) + conv(256, 256, 3) + conv(256, 512, 3) + conv(512, 512, 3)
	vggFP := conv(3, 128, 3) + bn(128) + bn(128) + 2*bn(256) + 2*bn(512) + 512*4*4*10 + 10
	// AlexNet on 224×224: 55 → 27 → 13 → 6 after the poolings.
	alexBin := conv(96, 256, 5) + conv(256, 384, 3) + conv(384, 384, 3) + conv(384, 256, 3) + 256*6*6*4096 + 4096*4096
	alexFP := conv(3, 96, 11) + bn(96) + bn(256) + 2*bn(384) + bn(256) + 2*bn(4096) + 4096*1000 + 1000
	tests := []struct {
		model        string
		cfg          Config
		params, bin  int
		macs         int64
		paramsSource string
	}{
		// 0.27 M: ResNet-20 of "Deep Residual Learning", Table 6.
		{"resnet20", Config{C: 1, H: 28, W: 28, Classes: 10}, r20bin + r20fp(1), r20bin, 0, "counted"},
		// 40.8 M MACs on 32×32 (the usual "41 M FLOPs" of ResNet-20).
		{"resnet20", Config{C: 3, H: 32, W: 32, Classes: 10}, r20bin + r20fp(3), r20bin, 40813184, "counted"},
		// 4.66 M, the VGG-Small size quoted by LQ-Nets and IR-Net.
		{"vgg-small", Config{C: 3, H: 32, W: 32, Classes: 10}, vggBin + vggFP, vggBin, 0, "counted"},
		// torchvision's resnet18 has 11,689,512 parameters; Bi-Real's
		// layout adds one PReLU slope per channel after each of 16 units.
		{"resnet18", Config{C: 3, H: 224, W: 224, Classes: 1000}, 11689512 + 4*(64+128+256+512), 10985472, 0, "torchvision + PReLU"},
		{"alexnet", Config{C: 3, H: 224, W: 224, Classes: 1000}, alexBin + alexFP, alexBin, 0, "counted"},
	}
	if r20bin+r20fp(1) != 272186 {
		t.Fatalf("test arithmetic: ResNet-20 count %d, want 272186", r20bin+r20fp(1))
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			if testing.Short() && tt.cfg.H > 32 {
				t.Skip("-short: the ImageNet models at width 1 allocate half a gigabyte")
			}
			m := build(t, tt.model, tt.cfg, "ste", 1)
			s := m.Summary()
			if s.Params != tt.params || s.BinaryParams != tt.bin || s.TrainingParams != 0 {
				t.Errorf("%s: params %d (binary %d, training %d), want %d (binary %d, %s)", tt.model, s.Params, s.BinaryParams, s.TrainingParams, tt.params, tt.bin, tt.paramsSource)
			}
			if got := nn.Count(nn.Params(m.Net)); got != tt.params {
				t.Errorf("%s: nn.Count = %d, want %d", tt.model, got, tt.params)
			}
			if tt.macs != 0 && s.MACs != tt.macs {
				t.Errorf("%s: MACs %d, want %d", tt.model, s.MACs, tt.macs)
			}
		})
	}
}

func TestNoiseAdaptationParams(t *testing.T) {
	plain := build(t, "resnet20", Config{C: 1, H: 28, W: 28, Classes: 10}, "ste", 1).Summary()
	na := build(t, "resnet20", Config{C: 1, H: 28, W: 28, Classes: 10}, "ste+na", 1).Summary()
	if na.FPParams != plain.FPParams || na.BinaryParams != plain.BinaryParams {
		t.Errorf("+na changed the inference parameters: %+v vs %+v", na, plain)
	}
	// Each binary conv of d = Cin·9 weights per filter has a weight module
	// of 2·d·max(1, d/64) values and an activation module of
	// 2·Cin·max(1, Cin/64) (nn.NoiseAdaptation: W1 and W2 of d·h values,
	// h = max(1, d/64)).
	mod := func(d int) int { return 2 * d * max(1, d/64) }
	want := 0
	for _, cin := range []int{16, 16, 16, 16, 16, 16, 16, 32, 32, 32, 32, 32, 32, 64, 64, 64, 64, 64} {
		want += mod(cin*9) + mod(cin)
	}
	if na.TrainingParams != want {
		t.Errorf("noise adaptation parameters %d, want %d", na.TrainingParams, want)
	}
	if na.Float32Bytes != plain.Float32Bytes {
		t.Errorf("noise adaptation counted in inference memory")
	}
}

// TestSameInitialWeights: the same seed gives the same weights for every
// estimator, with or without noise adaptation.
func TestSameInitialWeights(t *testing.T) {
	cfg := Config{C: 1, H: 16, W: 16, Classes: 10, Width: 0.25}
	ref := nn.Params(build(t, "resnet20", cfg, "ste", 7).Net)
	for _, spec := range []string{"fda", "fda+na", "dsq:learn=true", "bnnplus+na:eta=x"} {
		m := build(t, "resnet20", cfg, spec, 7)
		var base []*nn.Param
		for _, p := range nn.Params(m.Net) {
			if !strings.HasPrefix(p.Name, "na.") && !strings.HasPrefix(p.Name, "est.") {
				base = append(base, p)
			}
		}
		if len(base) != len(ref) {
			t.Fatalf("%s: %d base parameters, want %d", spec, len(base), len(ref))
		}
		for i, p := range base {
			for j := range p.Data {
				if p.Data[j] != ref[i].Data[j] {
					t.Fatalf("%s: parameter %d (%s) value %d = %v, ste has %v", spec, i, p, j, p.Data[j], ref[i].Data[j])
				}
			}
		}
	}
	other := nn.Params(build(t, "resnet20", cfg, "ste", 8).Net)
	if other[0].Data[0] == ref[0].Data[0] {
		t.Error("seeds 7 and 8 give the same first weight")
	}
}

func TestBuildErrors(t *testing.T) {
	ste := nn.Binary{Estimator: estimators.MustParse("ste")}
	// A side whose square overflows a 64-bit int; a 32-bit build gets its
	// largest int, refused all the same.
	const bigSide = min(4000000000, math.MaxInt)
	tests := []struct {
		name, model string
		cfg         Config
		want        string
	}{
		{"unknown", "resnet50", Config{C: 1, H: 28, W: 28, Classes: 10}, `models: unknown model "resnet50" (have alexnet, resnet18, resnet20, vgg-small)`},
		{"alexnet small", "alexnet", Config{C: 1, H: 28, W: 28, Classes: 10}, "alexnet takes inputs of at least 63×63"},
		{"classes", "resnet20", Config{C: 1, H: 28, W: 28, Classes: 1}, "1 classes, want at least 2"},
		{"shape", "resnet20", Config{C: 0, H: 28, W: 28, Classes: 10}, "want positive C×H×W"},
		{"width", "resnet20", Config{C: 1, H: 28, W: 28, Classes: 10, Width: -1}, "width -1"},
		{"odd parity", "resnet20", Config{C: 1, H: 28, W: 27, Classes: 10}, "cannot be halved evenly"},
		{"width too small", "resnet20", Config{C: 1, H: 28, W: 28, Classes: 10, Width: 0.01}, "models: resnet20: width 0.01 gives stem 0 channels (16 × 0.01, rounded): want at least 1"},
		{"width too small later", "alexnet", Config{C: 3, H: 64, W: 64, Classes: 10, Width: 0.001}, "width 0.001 gives conv0 0 channels (96 × 0.001, rounded)"},
		{"width huge", "resnet20", Config{C: 1, H: 28, W: 28, Classes: 10, Width: 1e300}, "width 1e+300 gives stem 1.6e+301 channels (16 × 1e+300, rounded): want at most 65536"},
		{"width overflows int", "vgg-small", Config{C: 1, H: 28, W: 28, Classes: 10, Width: 1e18}, "width 1e+18 gives conv0 1.28e+20 channels"},
		{"width past the channel bound", "resnet18", Config{C: 3, H: 64, W: 64, Classes: 10, Width: 1025}, "width 1025 gives stem 65600 channels (64 × 1025, rounded): want at most 65536"},
		{"params", "alexnet", Config{C: 3, H: 64, W: 64, Classes: 10, Width: 16}, "models: alexnet: 3×64×64 inputs, 10 classes, width 16: the network has more than 1073741824 parameters by layer fc0.fc, want at most that many"},
		{"classes huge", "resnet20", Config{C: 1, H: 28, W: 28, Classes: math.MaxInt}, fmt.Sprintf("%d classes, want at most 65536", math.MaxInt)},
		{"classes large", "resnet20", Config{C: 1, H: 28, W: 28, Classes: 65537}, "65537 classes, want at most 65536"},
		{"input side", "resnet20", Config{C: 3, H: bigSide, W: bigSide, Classes: 10}, fmt.Sprintf("input shape 3×%d×%d, want a height and width of at most 16384", bigSide, bigSide)},
		{"input channels", "resnet20", Config{C: 1 << 17, H: 28, W: 28, Classes: 10}, "input shape 131072×28×28, want at most 65536 channels"},
		// As typed, where the caller says how (InputTyped, ClassesTyped):
		// the errors quote what the user finds on their command line.
		{"classes typed", "resnet20", Config{C: 1, H: 28, W: 28, Classes: 65537, ClassesTyped: "065537"}, "models: resnet20: 065537 classes, want at most 65536"},
		{"classes typed small", "resnet20", Config{C: 1, H: 28, W: 28, Classes: 1, ClassesTyped: "01"}, "models: resnet20: 01 classes, want at least 2"},
		{"input typed side", "resnet20", Config{C: 3, H: 16385, W: 32, Classes: 10, InputTyped: "3x016385x32"}, "models: resnet20: input shape 3x016385x32, want a height and width of at most 16384"},
		{"input typed channels", "resnet20", Config{C: 1 << 17, H: 28, W: 28, Classes: 10, InputTyped: "131072X28×28"}, "models: resnet20: input shape 131072X28×28, want at most 65536 channels"},
		{"input typed small", "alexnet", Config{C: 1, H: 28, W: 28, Classes: 10, InputTyped: "1x028x028"}, "models: alexnet: input 1x028x028 too small"},
		{"input typed parity", "resnet20", Config{C: 1, H: 28, W: 27, Classes: 10, InputTyped: "1x28x027"}, "models: resnet20: input 1x28x027: a 28×27 map"},
		{"params typed", "alexnet", Config{C: 3, H: 64, W: 64, Classes: 10, Width: 16, InputTyped: "3x64x064", ClassesTyped: "010", WidthTyped: "1.6e1"}, "models: alexnet: 3x64x064 inputs, 010 classes, width 1.6e1: the network has more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Binary = ste
			_, err := Build(tt.model, tt.cfg, nn.NewInit(1))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Build(%s, %+v) error = %v, want %q", tt.model, tt.cfg, err, tt.want)
			}
		})
	}
}

func TestWidth(t *testing.T) {
	full := build(t, "resnet20", Config{C: 1, H: 28, W: 28, Classes: 10}, "ste", 1)
	half := build(t, "resnet20", Config{C: 1, H: 28, W: 28, Classes: 10, Width: 0.5}, "ste", 1)
	if len(full.Layers) != len(half.Layers) {
		t.Fatalf("width 0.5 has %d layers, width 1 has %d: want the same architecture", len(half.Layers), len(full.Layers))
	}
	for i := range full.Layers {
		f, h := full.Layers[i], half.Layers[i]
		if f.Name != h.Name || (f.Out[0] != 10 && h.Out[0]*2 != f.Out[0]) {
			t.Errorf("layer %d: width 0.5 %s %v, width 1 %s %v", i, h.Name, h.Out, f.Name, f.Out)
		}
	}
}

// TestSides checks that every binary layer of every model gets the
// estimator of each side that a sided spec names, and noise adaptation
// only where the spec puts it.
func TestSides(t *testing.T) {
	for _, name := range Names() {
		cfg := Config{C: 3, H: 64, W: 64, Classes: 10, Width: 0.0625}
		m := build(t, name, cfg, "w=fda+na/a=approxsign", 1)
		n := 0
		nn.Walk(m.Net, func(path string, l nn.Layer) {
			var w, a estimators.Estimator
			var wna, ana *nn.NoiseAdaptation
			switch b := l.(type) {
			case *nn.BinaryConv2d:
				w, a, wna, ana = b.WeightEstimator(), b.ActivationEstimator(), b.WeightNA(), b.ActivationNA()
			case *nn.BinaryLinear:
				w, a, wna, ana = b.WeightEstimator(), b.ActivationEstimator(), b.WeightNA(), b.ActivationNA()
			default:
				return
			}
			n++
			if w.Name() != "fda" || a.Name() != "approxsign" || wna == nil || ana != nil {
				t.Errorf("%s %s: weights %s (na %v), activations %s (na %v); want fda with na, approxsign without",
					name, path, w.Name(), wna != nil, a.Name(), ana != nil)
			}
		})
		if n == 0 {
			t.Errorf("%s: no binary layers", name)
		}
	}
}

func TestBuildBounds(t *testing.T) {
	// The bounds themselves are inside: the smallest width resnet20 takes
	// (16 × 1/16 is 1), the most classes, the largest input.
	for _, tt := range []struct {
		model string
		cfg   Config
	}{
		{"resnet20", Config{C: 1, H: 28, W: 28, Classes: 10, Width: 1.0 / 16}},
		{"resnet20", Config{C: 1, H: 28, W: 28, Classes: MaxClasses}},
		{"resnet20", Config{C: 1, H: MaxSide, W: MaxSide, Classes: 10, Width: 1.0 / 16}},
	} {
		tt.cfg.Binary = nn.Binary{Estimator: estimators.MustParse("ste")}
		m, err := Build(tt.model, tt.cfg, nn.NewInit(1))
		if err != nil {
			t.Fatalf("Build(%s, %+v): %v", tt.model, tt.cfg, err)
		}
		if s := m.Summary(); s.MACs <= 0 {
			t.Errorf("Build(%s, %+v): %d MACs", tt.model, tt.cfg, s.MACs)
		}
	}
}

func TestCheckWidth(t *testing.T) {
	for _, name := range Names() {
		if err := CheckWidth(name, 1); err != nil {
			t.Errorf("CheckWidth(%s, 1): %v", name, err)
		}
		if err := CheckWidth(name, 0.5); err != nil {
			t.Errorf("CheckWidth(%s, 0.5): %v", name, err)
		}
	}
	for _, tt := range []struct {
		model string
		width float64
		want  string
	}{
		{"resnet20", 0.03, "models: resnet20: width 0.03 gives stem 0 channels (16 × 0.03, rounded): want at least 1"},
		{"alexnet", 16.5, "width 16.5 gives fc0 67584 channels (4096 × 16.5, rounded): want at most 65536"},
		{"resnet20", 0, "width 0, want a number > 0"},
		{"resnet50", 1, "unknown model"},
	} {
		if err := CheckWidth(tt.model, tt.width); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckWidth(%s, %v) = %v, want %q", tt.model, tt.width, err, tt.want)
		}
	}
}

// TestWidthWhole: a width that gives a layer a fractional number of
// channels was rounded, so resnet20 at 0.13 built resnet20 at 0.125 (2, 4
// and 8 channels) and trained it again under a run key of its own. Tried
// as a new user would: gradbench plan --width 0.125 and --width 0.13
// gave two keys, and gradbench models the same layers.
func TestWidthWhole(t *testing.T) {
	for _, tt := range []struct {
		model string
		width float64
		want  string
	}{
		{"resnet20", 0.13, "models: resnet20: width 0.13 gives stem 2.08 channels (16 × 0.13): want a whole number of channels in every layer, which resnet20 gives at widths that are multiples of 1/16 (nearest: 0.125 and 0.1875)"},
		// The stem rounds to 1 channel; stage1 has 0.5.
		{"resnet20", 1.0 / 32, "width 0.03125 gives stem 0.5 channels (16 × 0.03125): want a whole number of channels in every layer, which resnet20 gives at widths that are multiples of 1/16 (nearest: 0.0625)"},
		{"resnet20", 0.3, "multiples of 1/16 (nearest: 0.25 and 0.3125)"},
		{"resnet20", 1.01, "(nearest: 1 and 1.0625)"},
		{"resnet18", 0.1, "width 0.1 gives stem 6.4 channels (64 × 0.1): want a whole number of channels in every layer, which resnet18 gives at widths that are multiples of 1/64 (nearest: 0.09375 and 0.109375)"},
		{"vgg-small", 0.01, "multiples of 1/128 (nearest: 0.0078125 and 0.015625)"},
		// 1/48 would give conv0 2 channels, but no float64 is 1/48: the
		// one nearest gives a fraction float64 rounds to 2, shown as the
		// product of the factors as printed.
		{"alexnet", 1.0 / 48, "width 0.020833333333333332 gives conv0 1.999999999999999872 channels (96 × 0.020833333333333332)"},
		{"alexnet", 1.0 / 48, "multiples of 1/32 (nearest: 0.03125)"},
		// The nearest width above a fraction is used only as 0.125 is: a
		// float64 a hair above it is not whole.
		{"resnet20", math.Nextafter(0.125, 1), "(nearest: 0.125 and 0.1875)"},
	} {
		err := CheckWidth(tt.model, tt.width)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckWidth(%s, %v) = %v, want %q", tt.model, tt.width, err, tt.want)
		}
		cfg := Config{C: 3, H: 224, W: 224, Classes: 10, Width: tt.width, Binary: nn.Binary{Estimator: estimators.MustParse("ste")}}
		if _, err := Build(tt.model, cfg, nn.NewInit(1)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Build(%s, width %v) = %v, want %q", tt.model, tt.width, err, tt.want)
		}
	}
	// Every multiple of 1/g in range is taken, at every model.
	for model, g := range map[string]int{"resnet20": 16, "resnet18": 64, "vgg-small": 128, "alexnet": 32} {
		for k := 1; k <= 2*g; k++ {
			if err := CheckWidth(model, float64(k)/float64(g)); err != nil {
				t.Errorf("CheckWidth(%s, %d/%d): %v", model, k, g, err)
			}
		}
	}
}

// TestBuildRefusesNilInit: a nil init, or a nil stream the model draws
// from, panicked in the first layer constructor (re-panicked by Build's
// builder) instead of Build's error.
func TestBuildRefusesNilInit(t *testing.T) {
	cfg := Config{C: 1, H: 8, W: 8, Classes: 10, Width: 0.25, Binary: nn.Binary{Estimator: estimators.MustParse("ste")}}
	na := cfg
	na.Binary = nn.Binary{Estimator: estimators.MustParse("w=ste/a=fda+na")}
	full := nn.NewInit(1)
	for _, tc := range []struct {
		name string
		cfg  Config
		init *nn.Init
		want string
	}{
		{"nil", cfg, nil, "models: resnet20: init is nil, want one such as nn.NewInit's"},
		{"nil weights", cfg, &nn.Init{NA: full.NA}, "models: resnet20: init.Weights is nil"},
		{"nil NA with +na", na, &nn.Init{Weights: full.Weights}, "models: resnet20: init.NA is nil, which estimator w=ste/a=fda+na needs for its noise adaptation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				_, err = Build("resnet20", tc.cfg, tc.init)
			}()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Build = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	// Without noise adaptation the NA stream is not needed.
	if _, err := Build("resnet20", cfg, &nn.Init{Weights: nn.NewInit(1).Weights}); err != nil {
		t.Errorf("Build without NA stream and without +na: %v", err)
	}
}

// TestLayerName checks that LayerName gives every binary layer of every
// model, in nn.Walk order, the name of its summary row, in the summary's
// order, and a name of its own to every layer that has a row.
func TestLayerName(t *testing.T) {
	for _, name := range Names() {
		cfg := Config{C: 3, H: 64, W: 64, Classes: 10, Width: 0.0625}
		m := build(t, name, cfg, "ste", 1)
		var rows, got []string
		for _, l := range m.Layers {
			if l.BinaryParams > 0 {
				rows = append(rows, l.Name)
			}
		}
		seen := map[string]bool{}
		nn.Walk(&m.Net, func(path string, l nn.Layer) {
			n, ok := m.LayerName(path)
			switch l.(type) {
			case *nn.BinaryConv2d, *nn.BinaryLinear:
				if !ok {
					t.Errorf("%s: binary layer at %q has no name", name, path)
				}
				got = append(got, n)
			}
			if ok {
				if seen[n] {
					t.Errorf("%s: name %q given twice", name, n)
				}
				seen[n] = true
			}
		})
		if strings.Join(got, " ") != strings.Join(rows, " ") {
			t.Errorf("%s: binary layers named\n%s\nwant the summary's\n%s", name, strings.Join(got, " "), strings.Join(rows, " "))
		}
		if len(seen) != len(m.Layers) {
			t.Errorf("%s: %d layers named, want one per summary row, %d", name, len(seen), len(m.Layers))
		}
	}
	m := build(t, "resnet20", Config{C: 1, H: 28, W: 28, Classes: 10, Width: 0.25}, "ste", 1)
	for path, want := range map[string]string{"2.0.0": "stage1.block0.unit0.conv", "19.0.0": "stage3.block2.unit1.conv", "8.1.1": "stage2.block0.unit0.shortcut.conv", "0": "stem.conv"} {
		if got, ok := m.LayerName(path); !ok || got != want {
			t.Errorf("resnet20: LayerName(%q) = %q, %v, want %q", path, got, ok, want)
		}
	}
	for _, path := range []string{"", "2", "2.0", "99"} {
		if got, ok := m.LayerName(path); ok {
			t.Errorf("resnet20: LayerName(%q) = %q, want none", path, got)
		}
	}
}

// TestNormValues checks NormValues against what each network does: in
// training mode a batch of one image fails in a BatchNorm exactly when the
// model says its BatchNorm layers see fewer than two values per channel
// for one image, and a batch of 2/NormValues images (rounded up) trains.
// NormValues (without building) and Build's Model.NormValues agree.
func TestNormValues(t *testing.T) {
	tests := []struct {
		model   string
		c, h, w int
		width   float64
		want    int
	}{
		{"alexnet", 3, 64, 64, 0.0625, 1},    // BatchNorm after the binary fully connected layers
		{"resnet18", 1, 16, 16, 0.125, 1},    // 16×16 halves to 1×1 by the last stage
		{"resnet18", 1, 28, 28, 0.125, 1},    // 28×28 too
		{"resnet18", 3, 32, 32, 0.125, 1},    // and 32×32
		{"resnet18", 3, 64, 64, 0.125, 4},    // 2×2 in the last stage
		{"resnet20", 1, 16, 16, 0.125, 16},   // 4×4 in the last stage
		{"resnet20", 1, 28, 28, 0.125, 49},   // 7×7
		{"vgg-small", 1, 16, 16, 0.125, 16},  // the last convolution's 4×4, before its pooling
		{"vgg-small", 1, 32, 32, 0.0625, 64}, // 8×8
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %dx%dx%d", tt.model, tt.c, tt.h, tt.w), func(t *testing.T) {
			cfg := Config{C: tt.c, H: tt.h, W: tt.w, Classes: 10, Width: tt.width}
			got, err := NormValues(tt.model, cfg)
			if err != nil {
				t.Fatal(err)
			}
			m := build(t, tt.model, cfg, "ste", 1)
			if got != tt.want || m.NormValues != tt.want {
				t.Fatalf("NormValues = %d, Model.NormValues = %d, want %d", got, m.NormValues, tt.want)
			}
			nn.SetTraining(m.Net, true)
			forward := func(n int) (msg string) {
				defer func() {
					if r := recover(); r != nil {
						msg = fmt.Sprint(r)
					}
				}()
				m.Net.Forward(nn.NewTensor(n, tt.c, tt.h, tt.w))
				return ""
			}
			msg := forward(1)
			if fails := strings.Contains(msg, "training needs more than one value per channel"); fails != (got < 2) || !fails && msg != "" {
				t.Errorf("training on one image: panic %q, with NormValues %d", msg, got)
			}
			if msg := forward((2 + got - 1) / got); msg != "" {
				t.Errorf("training on %d images: panic %q", (2+got-1)/got, msg)
			}
		})
	}
	if _, err := NormValues("alexnet", Config{C: 1, H: 28, W: 28, Classes: 10}); err == nil || !strings.Contains(err.Error(), "at least 63×63") {
		t.Errorf("NormValues(alexnet at 28×28) error = %v, want the input refused", err)
	}
	if _, err := NormValues("resnet20", Config{C: 1, H: 28, W: 28, Classes: 10, Width: 0.13}); err == nil || !strings.Contains(err.Error(), "whole number of channels") {
		t.Errorf("NormValues(width 0.13) error = %v, want the width refused", err)
	}
}

// TestTrainingParamsBounded: the parameter bound counts the parameters
// that are trained and dropped at inference (noise adaptation, learnable
// estimator scalars) as well as the others, in the dry run that Build
// makes before it allocates anything. A module's W1 and W2 hold
// 2·D·max(1, D/k) values, which "+na:k=1" makes 2·D² per filter: counted
// only once allocated, a network far beyond MaxParams was allocated (tens
// of GB) instead of refused.
func TestTrainingParamsBounded(t *testing.T) {
	cfg := Config{C: 1, H: 28, W: 28, Classes: 10, Width: 1}
	for _, tt := range []struct {
		spec string
		want int64 // the network's parameters, Summary().Params
	}{
		{"ste", 272186},
		{"ste+na", 343130},
		{"w=ste+na:k=1/a=ste", 0},
		{"bnnplus:learn=true", 272186 + 2*18},
		{"w=dsq:learn=true+na/a=bnnplus:learn=true", 0},
	} {
		cfg.Binary = nn.Binary{Estimator: estimators.MustParse(tt.spec)}
		m, err := Build("resnet20", cfg, nn.NewInit(1))
		if err != nil {
			t.Fatalf("%s: %v", tt.spec, err)
		}
		params := int64(m.Summary().Params)
		if tt.want != 0 && params != tt.want {
			t.Errorf("%s: %d parameters, want %d", tt.spec, params, tt.want)
		}
		if n := int64(nn.Count(nn.Params(m.Net))); n != params {
			t.Errorf("%s: the summary counts %d parameters, the network has %d", tt.spec, params, n)
		}
		// The dry run with the bound at the network's size passes, and
		// one parameter fewer is refused.
		for _, bound := range []int64{params, params - 1} {
			dry := &builder{model: "resnet20", cfg: cfg, c: cfg.C, h: cfg.H, w: cfg.W, dry: true, maxParams: bound}
			dry.run(resnet20)
			if dry.params != params {
				t.Errorf("%s: the dry run counts %d parameters, the network has %d", tt.spec, dry.params, params)
			}
			if refused := dry.err != nil; refused != (bound < params) {
				t.Errorf("%s: bound %d on %d parameters: dry run error %v", tt.spec, bound, params, dry.err)
			}
		}
	}
	// resnet20 at width 16 has 7·10⁷ parameters, and 1.2·10⁹ with
	// weight modules of hidden width D (k = 1): beyond MaxParams.
	cfg = Config{C: 1, H: 28, W: 28, Classes: 10, Width: 16, Binary: nn.Binary{Estimator: estimators.MustParse("w=ste+na:k=1/a=ste")}}
	if _, err := Build("resnet20", cfg, nn.NewInit(1)); err == nil || !strings.Contains(err.Error(), "more than 1073741824 parameters") {
		t.Errorf("Build(resnet20, width 16, %s): error %v, want the parameter bound's", cfg.Binary.Estimator, err)
	}
}

// TestBuildLayout: BuildLayout's dry run gives the Layout of the network
// Build makes, row for row (names, shapes, parameters by kind, training-only
// parameters, MACs, NormValues), for every model across inputs, widths,
// class counts and estimators, noise adaptation and learnable scalars among
// them, whose training-only parameters the dry run counts before any layer
// exists; and it refuses what Build refuses, with the same error. (The
// suite package's TestSummarizeModelsAsBuilt compares the full-size
// networks of each model's paper workload, gradbench models' default.)
func TestBuildLayout(t *testing.T) {
	type input struct{ c, h, w int }
	inputs := map[string][]input{
		"alexnet":   {{3, 64, 64}, {1, 100, 80}, {3, 224, 224}},
		"resnet18":  {{1, 28, 28}, {3, 64, 64}, {3, 224, 224}},
		"resnet20":  {{1, 28, 28}, {3, 32, 32}, {3, 32, 16}, {1, 5, 5}},
		"vgg-small": {{1, 28, 28}, {3, 32, 32}, {3, 16, 48}},
	}
	specs := []string{
		"ste",
		"w=dsq:learn=true+na/a=bnnplus:learn=true", // scalars and a weight module
		"fda+na:k=8",                  // a module on each side
		"bnnplus:learn=true",          // scalars alone
		"w=approxsign/a=ste+na:k=1",   // an activation module alone, 2·Cin² values
		"w=biper+na:k=2/a=approxsign", // a weights-only estimator on its side
	}
	classes := []int{2, 10, 1000}
	type tc struct {
		model string
		cfg   Config
	}
	var cases []tc
	i := 0
	// Width 0 is 1; a large network costs the test more than it proves.
	widths := map[string][]float64{
		"alexnet":   {0.0625, 0.125},
		"resnet18":  {0.0625, 0.125},
		"resnet20":  {0, 0.25, 0.5},
		"vgg-small": {0.0625, 0.125, 0.25},
	}
	for _, name := range Names() {
		for _, in := range inputs[name] {
			for _, width := range widths[name] {
				if in.h*in.w > 64*64 && width > 0.0625 {
					continue
				}
				cases = append(cases, tc{name, Config{C: in.c, H: in.h, W: in.w, Classes: classes[i%len(classes)], Width: width,
					Binary: nn.Binary{Estimator: estimators.MustParse(specs[i%len(specs)])}}})
				i++
			}
		}
		// Every spec on every model, on the smallest network.
		in := inputs[name][0]
		for _, spec := range specs {
			cases = append(cases, tc{name, Config{C: in.c, H: in.h, W: in.w, Classes: 10, Width: 0.0625,
				Binary: nn.Binary{Estimator: estimators.MustParse(spec)}}})
		}
	}
	// Every estimator, with a module on each side where it may stand on
	// both.
	for _, e := range estimators.Names() {
		spec, err := estimators.Parse(e + "+na:k=4")
		if err == nil && (nn.Binary{Estimator: spec}).Check() != nil {
			spec, err = estimators.Parse("w=" + e + "+na:k=4/a=ste+na")
		}
		if err != nil {
			t.Fatalf("estimator %s: %v", e, err)
		}
		cases = append(cases, tc{"resnet20", Config{C: 1, H: 8, W: 8, Classes: 10, Width: 0.0625, Binary: nn.Binary{Estimator: spec}}})
	}
	var scalars, modules bool // some case has each kind of training-only parameter
	for _, tt := range cases {
		label := fmt.Sprintf("%s %d×%d×%d, %d classes, width %v, %s", tt.model, tt.cfg.C, tt.cfg.H, tt.cfg.W, tt.cfg.Classes, tt.cfg.Width, tt.cfg.Binary.Estimator)
		m, err := Build(tt.model, tt.cfg, nn.NewInit(1))
		if err != nil {
			t.Fatalf("%s: Build: %v", label, err)
		}
		got, err := BuildLayout(tt.model, tt.cfg)
		if err != nil {
			t.Fatalf("%s: BuildLayout: %v", label, err)
		}
		if !reflect.DeepEqual(*got, m.Layout) {
			t.Errorf("%s: BuildLayout differs from Build's network", label)
			for j := range max(len(got.Layers), len(m.Layers)) {
				var g, b LayerInfo
				if j < len(got.Layers) {
					g = got.Layers[j]
				}
				if j < len(m.Layers) {
					b = m.Layers[j]
				}
				if g != b {
					t.Errorf("row %d: layout %+v\n        built  %+v", j, g, b)
				}
			}
			if got.Name != m.Name || got.Config.Width != m.Config.Width || got.NormValues != m.NormValues {
				t.Errorf("layout %s, width %v, NormValues %d; built %s, width %v, NormValues %d",
					got.Name, got.Config.Width, got.NormValues, m.Name, m.Config.Width, m.NormValues)
			}
		}
		// The counts are those of the parameters the network holds,
		// training-only ones included.
		s := got.Summary()
		if n := nn.Count(nn.Params(m.Net)); s.Params != n {
			t.Errorf("%s: the layout counts %d parameters (%d training only), the network has %d", label, s.Params, s.TrainingParams, n)
		}
		var na, learned int
		nn.Walk(m.Net, func(_ string, l nn.Layer) {
			type sides interface {
				WeightNA() *nn.NoiseAdaptation
				ActivationNA() *nn.NoiseAdaptation
			}
			if b, ok := l.(sides); ok {
				for _, m := range []*nn.NoiseAdaptation{b.WeightNA(), b.ActivationNA()} {
					if m != nil {
						na += nn.Count(m.Params())
					}
				}
			}
		})
		learned = s.TrainingParams - na
		scalars = scalars || learned > 0
		modules = modules || na > 0
	}
	if !scalars || !modules {
		t.Errorf("no case has learnable scalars (%v) or noise adaptation modules (%v)", scalars, modules)
	}

	// Refused alike.
	ste := nn.Binary{Estimator: estimators.MustParse("ste")}
	for _, tt := range []struct {
		model string
		cfg   Config
		want  string
	}{
		{"resnet50", Config{C: 1, H: 28, W: 28, Classes: 10, Binary: ste}, "unknown model"},
		{"alexnet", Config{C: 1, H: 28, W: 28, Classes: 10, Binary: ste}, "at least 63×63"},
		{"vgg-small", Config{C: 3, H: 4, W: 4, Classes: 10, Binary: ste}, "vgg-small takes inputs of at least 8×8"},
		{"resnet20", Config{C: 1, H: 28, W: 27, Classes: 10, Binary: ste}, "cannot be halved evenly"},
		{"resnet20", Config{C: 1, H: 28, W: 28, Classes: 10, Width: 0.13, Binary: ste}, "want a whole number of channels in every layer"},
		{"alexnet", Config{C: 3, H: 224, W: 224, Classes: 1000, Width: 0.3, Binary: ste}, "conv0 28.8 channels (96 × 0.3)"},
		{"resnet20", Config{C: 1, H: 28, W: 28, Classes: 10, Width: 0.01, Binary: ste}, "want at least 1"},
		{"resnet18", Config{C: 3, H: 64, W: 64, Classes: 10, Width: 1025, Binary: ste}, "want at most 65536"},
		{"resnet20", Config{C: 1, H: 28, W: 28, Classes: 10, Width: math.NaN(), Binary: ste}, "want a number > 0"},
		{"alexnet", Config{C: 3, H: 224, W: 224, Classes: 1000, Width: 8, Binary: ste}, "more than 1073741824 parameters by layer fc0.fc"},
		// Beyond the bound by its training-only parameters alone.
		{"resnet20", Config{C: 1, H: 28, W: 28, Classes: 10, Width: 16, Binary: nn.Binary{Estimator: estimators.MustParse("w=ste+na:k=1/a=ste")}}, "more than 1073741824 parameters"},
		{"resnet20", Config{C: 1, H: 28, W: 28, Classes: 1, Binary: ste}, "want at least 2"},
		{"resnet20", Config{C: 1, H: 28, W: 28, Classes: MaxClasses + 1, Binary: ste}, "want at most 65536"},
		{"resnet20", Config{C: 1, H: MaxSide + 1, W: 28, Classes: 10, Binary: ste}, "want a height and width of at most 16384"},
		{"resnet20", Config{C: 1, H: 28, W: 28, Classes: 10}, "the zero Spec names no estimator"},
		{"resnet20", Config{C: 1, H: 28, W: 28, Classes: 10, Binary: nn.Binary{Estimator: estimators.MustParse("biper")}}, "activation estimator: biper binarizes latent weights only"},
	} {
		_, berr := Build(tt.model, tt.cfg, nn.NewInit(1))
		_, lerr := BuildLayout(tt.model, tt.cfg)
		if berr == nil || lerr == nil || lerr.Error() != berr.Error() || !strings.Contains(lerr.Error(), tt.want) {
			t.Errorf("%s %+v: BuildLayout error %v\nBuild error %v\nwant both the same, with %q", tt.model, tt.cfg, lerr, berr, tt.want)
		}
	}
}

// TestProduct: a fractional channel count is the product of the factors
// the message prints beside it, as a reader would work it out: alexnet
// at width 0.3 gave conv0 "28.799999999999997 channels (96 × 0.3)", the
// float64 product, where 96 × 0.3 is 28.8.
func TestProduct(t *testing.T) {
	for _, tt := range []struct {
		c    int
		w    float64
		want string
	}{
		{96, 0.3, "28.8"},
		{16, 0.13, "2.08"},
		{64, 0.1, "6.4"},
		{16, 1.0 / 32, "0.5"},
		{96, 1.0 / 48, "1.999999999999999872"},
		{3, 1e-300, "3e-300"},
		// The factors as printed multiply to a whole number, the float64
		// width to a fraction: that one is shown, as it is not whole.
		{5, 0.2, "1.0000000000000000555"},
	} {
		if got := product(tt.c, tt.w, strconv.FormatFloat(tt.w, 'g', -1, 64)); got != tt.want {
			t.Errorf("product(%d, %v) = %s, want %s", tt.c, tt.w, got, tt.want)
		}
	}
}
