package bench

import (
	"fmt"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/nn"
)

// Training-engine benchmarks. Names are key=value so that benchstat can
// pivot on any part; gemm=<avx2|go|openblas> names the GEMM
// (gemm.Impl(): the default build's assembly kernels, its portable
// fallback, or OpenBLAS with -tags openblas, where the convolutions still
// run on the assembly kernels if the CPU has AVX2):
//
//	BenchmarkConv/shape=<Cin>x<H>x<W>-o<Cout>-k<k>s<stride>/pass=<fwd|bwd>/gemm=<impl>
//	BenchmarkBinaryConvLayer/shape=.../est=<spec>/pass=<fwd|bwd>/gemm=<impl>
//	BenchmarkBatchNorm/shape=<C>x<H>x<W>/pass=<fwd|bwd>
//	BenchmarkGEMM/m=<m>/n=<n>/k=<k>/gemm=<impl>
//
// The convolution shapes are every distinct layer of binary ResNet-20 on
// Fashion-MNIST (1×28×28 input) at batch 128: the stem, the 3×3 convolutions
// of the three stages (16 channels at 28×28, 32 at 14×14, 64 at 7×7), the
// stride-2 transitions and the 1×1 downsampling shortcuts. pass=bwd is the
// backward pass alone (weight and input gradients) after one forward pass.
// The GEMM sizes are the products those convolutions make per image group
// (Cout × columns × Cin·k²), plus a square reference size. SetBytes counts
// floating-point operations, so the MB/s column reads as MFLOP/s.
//
// For results/engine.md, on a quiet machine:
//
//	results/engine.sh
//
// which runs, for each of the three builds (default, GOEXPERIMENT=simd,
// -tags openblas),
//
//	go test -run '^$' -bench '^Benchmark(Conv|BinaryConv|BatchNorm|GEMM|TrainStep)$' -count=10 ./bench
//
// and turns the output into results/engine.md with bench/cmd/benchreport.

const convBatch = 128

var convShapes = []struct {
	in, h, out, k, stride, pad int
}{
	{1, 28, 16, 3, 1, 1},  // stem
	{16, 28, 16, 3, 1, 1}, // stage 1
	{16, 28, 32, 3, 2, 1}, // transition 1→2
	{16, 14, 32, 1, 1, 0}, // shortcut 1→2 (after 2×2 average pooling)
	{32, 14, 32, 3, 1, 1}, // stage 2
	{32, 14, 64, 3, 2, 1}, // transition 2→3
	{32, 7, 64, 1, 1, 0},  // shortcut 2→3
	{64, 7, 64, 3, 1, 1},  // stage 3
}

func shapeName(in, h, out, k, s int) string {
	return fmt.Sprintf("%dx%dx%d-o%d-k%ds%d", in, h, h, out, k, s)
}

// convFLOPs is 2·N·Cout·OH·OW·Cin·k² for one forward pass.
func convFLOPs(in, h, out, k, s, pad int) int64 {
	oh := (h+2*pad-k)/s + 1
	return 2 * int64(convBatch*out*oh*oh) * int64(in*k*k)
}

// benchLayer times Forward (pass=fwd) or Backward after one Forward
// (pass=bwd), whose cost is about twice the forward pass.
func benchLayer(b *testing.B, l nn.Layer, x *nn.Tensor, flops int64) {
	for _, pass := range []string{"fwd", "bwd"} {
		b.Run(fmt.Sprintf("pass=%s/gemm=%s", pass, gemm.Impl()), func(b *testing.B) {
			y := l.Forward(x)
			dy := nn.NewTensor(y.N, y.C, y.H, y.W)
			r := nn.Stream(2, "bench/grad")
			for i := range dy.Data {
				dy.Data[i] = float32(r.NormFloat64())
			}
			l.Backward(dy)
			if pass == "fwd" {
				b.SetBytes(flops)
			} else {
				b.SetBytes(2 * flops)
			}
			b.ReportAllocs()
			b.ResetTimer()
			loopPass(b, l, pass, x, dy)
		})
	}
}

// loopPass times pass of l for b.Loop: fwd, Forward on x; bwd, Backward
// of dy.
func loopPass(b *testing.B, l nn.Layer, pass string, x, dy *nn.Tensor) {
	for b.Loop() {
		if pass == "fwd" {
			l.Forward(x)
		} else {
			l.Backward(dy)
		}
	}
}

func randInput(n, c, h, w int) *nn.Tensor {
	x := nn.NewTensor(n, c, h, w)
	r := nn.Stream(1, "bench/input")
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	return x
}

func BenchmarkConv(b *testing.B) {
	for _, s := range convShapes {
		b.Run("shape="+shapeName(s.in, s.h, s.out, s.k, s.stride), func(b *testing.B) {
			l := nn.NewConv2d(nn.Conv{In: s.in, Out: s.out, Kernel: s.k, Stride: s.stride, Pad: s.pad}, nn.NewInit(1))
			benchLayer(b, l, randInput(convBatch, s.in, s.h, s.h), convFLOPs(s.in, s.h, s.out, s.k, s.stride, s.pad))
		})
	}
}

// BenchmarkBinaryConvLayer times the binary convolution of the three stages
// with the estimator and noise adaptation on: the GEMM plus binarization,
// the estimator's backward and the noise-adaptation module.
func BenchmarkBinaryConvLayer(b *testing.B) {
	for _, s := range convShapes {
		if s.in == 1 || s.k == 1 {
			continue // the stem and the shortcuts stay full precision
		}
		for _, spec := range []string{"ste", "fda+na"} {
			name := fmt.Sprintf("shape=%s/est=%s", shapeName(s.in, s.h, s.out, s.k, s.stride), spec)
			b.Run(name, func(b *testing.B) {
				l, err := nn.NewBinaryConv2d(nn.Conv{In: s.in, Out: s.out, Kernel: s.k, Stride: s.stride, Pad: s.pad},
					nn.Binary{Estimator: estimators.MustParse(spec)}, nn.NewInit(1))
				if err != nil {
					b.Fatal(err)
				}
				nn.SetProgress(l, nn.Progress{Epoch: 4, Epochs: 10})
				benchLayer(b, l, randInput(convBatch, s.in, s.h, s.h), convFLOPs(s.in, s.h, s.out, s.k, s.stride, s.pad))
			})
		}
	}
}

// BenchmarkBatchNorm times BatchNorm2d in training mode on the feature
// maps of the three stages (SetBytes: the bytes of the input).
func BenchmarkBatchNorm(b *testing.B) {
	for _, s := range []struct{ c, h int }{{16, 28}, {32, 14}, {64, 7}} {
		b.Run(fmt.Sprintf("shape=%dx%dx%d", s.c, s.h, s.h), func(b *testing.B) {
			for _, pass := range []string{"fwd", "bwd"} {
				b.Run("pass="+pass, func(b *testing.B) {
					l := nn.NewBatchNorm2d(s.c)
					x := randInput(convBatch, s.c, s.h, s.h)
					y := l.Forward(x)
					dy := nn.NewTensor(y.N, y.C, y.H, y.W)
					copy(dy.Data, x.Data)
					l.Backward(dy)
					b.SetBytes(int64(4 * len(x.Data)))
					b.ReportAllocs()
					loopPass(b, l, pass, x, dy)
				})
			}
		})
	}
}

func BenchmarkGEMM(b *testing.B) {
	sizes := [][3]int{
		{256, 256, 256},
		{16, 784, 144}, // stage 1 forward, one image: Cout × H·W × Cin·9
		{16, 144, 784}, // stage 1 weight gradient: Cout × Cin·9 × H·W
		{144, 784, 16}, // stage 1 input gradient: Cin·9 × H·W × Cout
		{32, 392, 288}, // stage 2 forward, two images
		{64, 294, 576}, // stage 3 forward, six images
		{576, 294, 64}, // stage 3 input gradient
	}
	for _, s := range sizes {
		m, n, k := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("m=%d/n=%d/k=%d/gemm=%s", m, n, k, gemm.Impl()), func(b *testing.B) {
			r := nn.Stream(3, "bench/gemm")
			a := make([]float32, m*k)
			x := make([]float32, k*n)
			c := make([]float32, m*n)
			for i := range a {
				a[i] = float32(r.NormFloat64())
			}
			for i := range x {
				x[i] = float32(r.NormFloat64())
			}
			b.SetBytes(int64(2 * m * n * k))
			b.ReportAllocs()
			for b.Loop() {
				gemm.Sgemm(false, false, m, n, k, 1, a, k, x, n, 0, c, n)
			}
		})
	}
}
