package xnor

import (
	"math"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/nn"
)

// binConv returns a 3×3 binary convolution of padding 1 with the STE.
func binConv(t *testing.T, init *nn.Init, in, out, stride int) *nn.BinaryConv2d {
	t.Helper()
	l, err := nn.NewBinaryConv2d(nn.Conv{In: in, Out: out, Kernel: 3, Stride: stride, Pad: 1}, nn.Binary{Estimator: estimators.MustParse("ste")}, init)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// checkCompiled fails t unless packed gives net's outputs (to float32
// rounding) on x.
func checkCompiled(t *testing.T, net, packed nn.Layer, x *nn.Tensor) {
	t.Helper()
	nn.SetTraining(net, false)
	want := net.Forward(x)
	wantShape, wantData := want.Shape(), append([]float32(nil), want.Data...)
	got := packed.Forward(x)
	if got.Shape() != wantShape {
		t.Fatalf("input %v: compiled output %v, want %v", x, got, wantShape)
	}
	for i := range wantData {
		if d := math.Abs(float64(got.Data[i] - wantData[i])); d > 1e-3*math.Max(1, math.Abs(float64(wantData[i]))) {
			t.Fatalf("input %v: output %d = %v, float network %v", x, i, got.Data[i], wantData[i])
		}
	}
}

// compileWant compiles net, fails t unless Compile reports want, and
// returns the network with chunks of 2 images, so that a batch of more
// runs in several.
func compileWant(t *testing.T, net nn.Layer, want CompileStats) *Network {
	t.Helper()
	packed, st, err := Compile(net)
	if err != nil {
		t.Fatal(err)
	}
	if st != want {
		t.Errorf("Compile stats %+v, want %+v", st, want)
	}
	packed.Chunk = 2
	return packed
}

// TestCompileLayouts compiles what the suite's models do not have, each
// of which Compile must leave to the float layers: a max pooling with
// padding between binary convolutions (not run on packed codes), a
// residual body of a binary convolution and a PReLU (not a packed unit),
// and a BatchNorm that ends a Sequential (folded). It runs the fully
// convolutional network on two input sizes of the same batch size.
func TestCompileLayouts(t *testing.T) {
	init := nn.NewInit(31)
	net := nn.Sequential{
		binConv(t, init, 3, 8, 1), nn.NewBatchNorm2d(8),
		nn.NewMaxPool2d(nn.Pool{Kernel: 3, Stride: 1, Pad: 1}),
		binConv(t, init, 8, 8, 1), nn.NewBatchNorm2d(8),
		&nn.Residual{Body: nn.Sequential{binConv(t, init, 8, 8, 1), nn.NewPReLU(8)}},
		binConv(t, init, 8, 8, 1), nn.NewBatchNorm2d(8),
	}
	randomizeBatchNorm(net, 32)
	// 4 binary layers, 3 of them folded, none residual or on packed input.
	packed := compileWant(t, net, CompileStats{Binary: 4, Folded: 3})
	for _, h := range []int{6, 9} {
		checkCompiled(t, net, packed, testInput(uint64(33+h), 5, h))
	}
}

// container is a Parent Compile does not know.
type container struct{ nn.Sequential }

func (c container) Children() []nn.Layer { return c.Sequential }

// TestCompileRefuses: a BatchNorm of other channels than the binary layer
// before it, a container other than nn.Sequential and nn.Residual, and
// CompileParallel replicas that compile differently are errors.
func TestCompileRefuses(t *testing.T) {
	init := nn.NewInit(35)
	for _, tc := range []struct {
		name string
		net  nn.Layer
		want string
	}{
		{"BatchNorm of more channels", nn.Sequential{binConv(t, init, 3, 4, 1), nn.NewBatchNorm2d(5)}, "BatchNorm of 5 channels after BinaryConv2d of 4 outputs"},
		{"BatchNorm of fewer channels", nn.Sequential{binConv(t, init, 3, 4, 1), nn.NewBatchNorm2d(3)}, "BatchNorm of 3 channels after BinaryConv2d of 4 outputs"},
		{"container", nn.Sequential{nn.NewPReLU(3), container{nn.Sequential{binConv(t, init, 3, 4, 1)}}}, `layer "1": container xnor.container is not supported`},
	} {
		_, _, err := Compile(tc.net)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Compile error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	if parallel.Workers() < 2 {
		t.Skip("one worker: CompileParallel makes one replica")
	}
	calls := 0
	_, _, err := CompileParallel(func() (nn.Layer, error) {
		calls++
		if calls == 2 {
			return testNet(t, 11, 8)[:4], nil
		}
		return testNet(t, 11, 8), nil
	})
	if err == nil || !strings.Contains(err.Error(), "replica 1 compiles to") {
		t.Errorf("CompileParallel of different networks: error %v, want one naming replica 1", err)
	}
}

// TestPoolConvOnlyItsForm: shortcuts other than a 2×2 average pooling
// without padding, a 1×1 convolution of stride 1 without bias and a
// BatchNorm of its outputs are not fused, and compile to what the float
// layers compute.
func TestPoolConvOnlyItsForm(t *testing.T) {
	init := nn.NewInit(36)
	shortcut := func(p nn.Pool, c nn.Conv, bn int) nn.Sequential {
		c.In, c.Kernel = 3, 1
		return nn.Sequential{nn.NewAvgPool2d(p), nn.NewConv2d(c, init), nn.NewBatchNorm2d(bn)}
	}
	for _, tc := range []struct {
		name          string
		shortcut      nn.Sequential
		h, bodyStride int
	}{
		{"3×3 pooling", shortcut(nn.Pool{Kernel: 3}, nn.Conv{Out: 8}, 8), 9, 3},
		{"padded pooling", shortcut(nn.Pool{Kernel: 2, Stride: 2, Pad: 1}, nn.Conv{Out: 8}, 8), 9, 2},
		{"bias", shortcut(nn.Pool{Kernel: 2}, nn.Conv{Out: 8, Bias: true}, 8), 8, 2},
		{"convolution of stride 2", shortcut(nn.Pool{Kernel: 2}, nn.Conv{Out: 8, Stride: 2}, 8), 16, 4},
		{"BatchNorm of other channels", shortcut(nn.Pool{Kernel: 2}, nn.Conv{Out: 8}, 6), 8, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if pc := poolConv(tc.shortcut); pc != nil {
				t.Fatalf("shortcut %v fused", tc.shortcut)
			}
			if tc.shortcut[2].(*nn.BatchNorm).C != 8 {
				return // the float layers do not run
			}
			net := &nn.Residual{Body: nn.Sequential{binConv(t, init, 3, 8, tc.bodyStride), nn.NewBatchNorm2d(8)}, Shortcut: tc.shortcut}
			if cv := tc.shortcut[1].(*nn.Conv2d); cv.Bias != nil {
				for i := range cv.Bias.Data {
					cv.Bias.Data[i] = float32(i) - 3
				}
			}
			randomizeBatchNorm(net, 37)
			checkCompiled(t, net, mustCompile(t, net), testInput(38, 3, tc.h))
		})
	}
}

// TestCompileLinearOnFeatureMaps: nn.BinaryLinear takes any input of In
// values per image, a C×H×W feature map as well as a flattened one; its
// packed layer must too, reading the map in the same C·H·W order.
func TestCompileLinearOnFeatureMaps(t *testing.T) {
	init := nn.NewInit(41)
	lin, err := nn.NewBinaryLinear(8*4*4, 10, nn.Binary{Estimator: estimators.MustParse("ste")}, init)
	if err != nil {
		t.Fatal(err)
	}
	net := nn.Sequential{
		binConv(t, init, 3, 8, 1), nn.NewBatchNorm2d(8),
		lin, nn.NewBatchNorm1d(10),
	}
	randomizeBatchNorm(net, 42)
	packed := compileWant(t, net, CompileStats{Binary: 2, Folded: 2})
	for _, n := range []int{1, 5} {
		checkCompiled(t, net, packed, testInput(43, n, 4))
	}
}
