package bench

import (
	"fmt"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/xnor"
)

// Inference benchmarks of the XNOR-popcount kernels (package xnor) against
// the training engine's float convolution of the same shape:
//
//	BenchmarkBinaryConv/shape=<Cin>x<H>x<W>-o<Cout>-k3s1/batch=<1|16>/impl=<go|avx2|avx512|simd>
//	BenchmarkBinaryConv/shape=<Cin>x<H>x<W>-o<Cout>-k3s1/batch=<1|16>/impl=float/gemm=<go|avx2|openblas>
//
// impl=go, avx2, avx512 and simd (xnor.Impls: those this build and CPU
// run) time the WHOLE binary operation on a float32 NCHW input: packing
// the signs (xnor.Pack), the padded or im2col window of packed words, the
// XNOR-popcount kernel, the padding correction and the output transform
// with the following BatchNorm folded in, writing float32 NCHW
// (Conv.Forward). impl=float is nn.Conv2d's forward pass on the same
// input, with the build's GEMM (gemm.Impl: avx2 where the CPU has AVX2 and FMA,
// the portable go kernel elsewhere, openblas with -tags openblas).
// SetBytes counts 2·MACs, so MB/s reads as millions of (binary or float)
// operations per second.
//
// The shapes are the 3×3 convolutions of binary ResNet-20 on 28×28 inputs
// (16, 32 and 64 channels at 28×28, 14×14, 7×7) and of ResNet-18 on 224×224
// inputs (64 at 56×56, 128 at 28×28, 256 at 14×14, 512 at 7×7), at batch 1
// and 16.
//
// For results/inference.md, on a quiet machine: results/inference.sh, which
// runs
//
//	GOEXPERIMENT=simd go test -run '^$' -bench '^Benchmark(BinaryConv|Inference)$' -count=10 ./bench
//	GOEXPERIMENT=simd go test -tags openblas -run '^$' -bench '^Benchmark(BinaryConv|Inference)$' -count=10 ./bench
//
// (the binary kernels against the pure-Go float convolution, then against
// OpenBLAS, each in the same run) and turns the output into the report with
// bench/cmd/benchreport.
func BenchmarkBinaryConv(b *testing.B) {
	shapes := []struct{ c, h int }{
		{16, 28}, {32, 14}, {64, 7}, // ResNet-20 (28×28 input)
		{64, 56}, {128, 28}, {256, 14}, {512, 7}, // ResNet-18 (224×224 input)
	}
	def := xnor.Impl()
	defer xnor.SetImpl(def)
	for _, s := range shapes {
		for _, batch := range []int{1, 16} {
			name := fmt.Sprintf("shape=%s/batch=%d", shapeName(s.c, s.h, s.c, 3, 1), batch)
			shape := nn.Conv{In: s.c, Out: s.c, Kernel: 3, Stride: 1, Pad: 1}
			x := randInput(batch, s.c, s.h, s.h)
			ops := 2 * int64(batch*s.c*s.h*s.h) * int64(s.c*9)
			for _, impl := range xnor.Impls() {
				b.Run(name+"/impl="+impl, func(b *testing.B) {
					if err := xnor.SetImpl(impl); err != nil {
						b.Fatal(err)
					}
					conv := newXnorConv(b, shape)
					xb := xnor.NewBits(batch, s.h, s.h, s.c)
					y := make([]float32, batch*s.c*s.h*s.h)
					xnor.Pack(xb, x.Data)
					conv.Forward(y, xb) // sizes the buffers for this input
					b.SetBytes(ops)
					b.ReportAllocs()
					for b.Loop() {
						xnor.Pack(xb, x.Data)
						conv.Forward(y, xb)
					}
				})
			}
			b.Run(name+"/impl=float/gemm="+gemm.Impl(), func(b *testing.B) {
				l := nn.NewConv2d(shape, nn.NewInit(1))
				l.Forward(x)
				b.SetBytes(ops)
				b.ReportAllocs()
				for b.Loop() {
					l.Forward(x)
				}
			})
		}
	}
}

// BenchmarkInference times whole-network inference of binary ResNet-20 on
// 28×28 inputs (Fashion-MNIST's shape, 10 classes), the suite's default
// model, in evaluation mode:
//
//	BenchmarkInference/model=resnet20/batch=<1|100>/impl=<go|avx2|avx512|simd>
//	BenchmarkInference/model=resnet20/batch=<1|100>/impl=float/gemm=<go|avx2|openblas>
//	BenchmarkInference/model=resnet20/batch=<1|100>/impl=engine/gemm=<go|avx2|openblas>
//
// impl=float is the training engine's network in evaluation mode with its
// binary convolutions on their float path (nn.SetBinaryForward(false)):
// the float network. impl=engine is the same network's default forward
// pass (nn.SetBinaryForward(true)), whose 18 binary convolutions run on
// the XNOR-popcount kernels package xnor runs, its default implementation
// (the last of xnor.Impls), with bit-identical outputs. The other impls are the same network after xnor.CompileParallel (one replica
// per core, chunks of 8 images): its 18 binary convolutions (with their
// BatchNorm and residual additions) run as XNOR-popcount kernels, the
// stem, shortcuts, pooling and head stay full precision. The BatchNorm
// statistics are randomized as after training. SetBytes counts input
// bytes.
func BenchmarkInference(b *testing.B) {
	def := xnor.Impl()
	defer xnor.SetImpl(def)
	for _, batch := range []int{1, 100} {
		net := newResNet20(b)
		x := randInput(batch, 1, 28, 28)
		packed, _, err := xnor.CompileParallel(func() (nn.Layer, error) { return newResNet20(b), nil })
		if err != nil {
			b.Fatal(err)
		}
		for _, impl := range inferenceImpls(net, packed) {
			b.Run(fmt.Sprintf("model=resnet20/batch=%d/impl=%s", batch, impl.name), func(b *testing.B) {
				defer impl.set(b)()
				for range 3 { // every replica meets every chunk size
					impl.net.Forward(x)
				}
				b.SetBytes(int64(4 * len(x.Data)))
				b.ReportAllocs()
				for b.Loop() {
					impl.net.Forward(x)
				}
			})
		}
	}
}

// An inferenceImpl is what a sub-benchmark of BenchmarkInference times:
// the training engine's network (engine true) with its binary
// convolutions on the XNOR path (xnorForward: on xnor's default kernels)
// or the float path, or the packed network on the kernels of package xnor
// its name gives.
type inferenceImpl struct {
	name        string // impl= in the sub-benchmark's name
	net         nn.Layer
	engine      bool
	xnorForward bool
}

// inferenceImpls lists BenchmarkInference's networks: the engine's
// network on the float path (impl=float) and on its default XNOR path
// (impl=engine), then the packed network on every xnor.Impls.
func inferenceImpls(engine, packed nn.Layer) []inferenceImpl {
	g := "/gemm=" + gemm.Impl()
	impls := []inferenceImpl{
		{name: "float" + g, net: engine, engine: true, xnorForward: false},
		{name: "engine" + g, net: engine, engine: true, xnorForward: true},
	}
	for _, impl := range xnor.Impls() {
		impls = append(impls, inferenceImpl{name: impl, net: packed})
	}
	return impls
}

// set selects the impl's kernels: package xnor's (those it names, the
// default for the engine's network, whose XNOR path runs them too) and,
// for the engine's network, nn's forward path of binary convolutions,
// which it returns a function to restore (to call once the network no
// longer runs: see nn.SetBinaryForward).
func (impl inferenceImpl) set(tb testing.TB) (restore func()) {
	name := impl.name
	if impl.engine {
		name = xnor.Impls()[len(xnor.Impls())-1]
	}
	if err := xnor.SetImpl(name); err != nil {
		tb.Fatal(err)
	}
	if !impl.engine {
		return func() {}
	}
	prev := nn.SetBinaryForward(impl.xnorForward)
	return func() { nn.SetBinaryForward(prev) }
}

// pathLayer records, at each Forward, whether nn's binary convolutions
// would take the XNOR path (nn exports the setting only as
// SetBinaryForward's previous one: it sets it and puts it back).
type pathLayer struct{ xnor []bool }

func (l *pathLayer) Forward(x *nn.Tensor) *nn.Tensor {
	v := nn.SetBinaryForward(true)
	nn.SetBinaryForward(v)
	l.xnor = append(l.xnor, v)
	return x
}
func (l *pathLayer) Backward(dy *nn.Tensor) *nn.Tensor { return dy }

// TestInferenceImpls: BenchmarkInference's impl=float runs the engine's
// network with its binary convolutions on the float path it names, not on
// the XNOR kernels the engine takes by default (which would time package
// xnor against XNOR kernels); impl=engine on that default path; the
// packed network on each of xnor.Impls; nn's setting is restored after
// each.
func TestInferenceImpls(t *testing.T) {
	defer xnor.SetImpl(xnor.Impl())
	engine, packed := &pathLayer{}, &pathLayer{}
	impls := inferenceImpls(engine, packed)
	var names []string
	for _, impl := range impls {
		names = append(names, impl.name)
		restore := impl.set(t)
		impl.net.Forward(nn.NewTensor(1, 1, 1, 1))
		if !impl.engine && xnor.Impl() != impl.name {
			t.Errorf("impl=%s: xnor.Impl() = %s", impl.name, xnor.Impl())
		}
		restore()
		if v := nn.SetBinaryForward(true); !v {
			t.Errorf("impl=%s left nn's binary convolutions on the float path", impl.name)
		}
	}
	g := "/gemm=" + gemm.Impl()
	if want := append([]string{"float" + g, "engine" + g}, xnor.Impls()...); !slices.Equal(names, want) {
		t.Errorf("impls %q, want %q", names, want)
	}
	if want := []bool{false, true}; !slices.Equal(engine.xnor, want) {
		t.Errorf("the engine's network took the XNOR path %v in impl=float and impl=engine, want %v", engine.xnor, want)
	}
	if want := slices.Repeat([]bool{true}, len(xnor.Impls())); !slices.Equal(packed.xnor, want) {
		t.Errorf("packed network's passes with nn's XNOR path: %v, want %v (nn's default)", packed.xnor, want)
	}
}

// newResNet20 builds binary ResNet-20 for 1×28×28 inputs in evaluation
// mode with BatchNorm statistics drawn as after training.
func newResNet20(b testing.TB) nn.Layer {
	m, err := models.Build("resnet20", models.Config{C: 1, H: 28, W: 28, Classes: 10,
		Binary: nn.Binary{Estimator: estimators.MustParse("ste")}}, nn.NewInit(1))
	if err != nil {
		b.Fatal(err)
	}
	r := nn.Stream(5, "bench/bn")
	nn.Walk(m.Net, func(_ string, l nn.Layer) {
		if bn, ok := l.(*nn.BatchNorm); ok {
			for i := range bn.C {
				bn.Weight.Data[i] = float32(1 + 0.2*r.NormFloat64())
				bn.Bias.Data[i] = float32(0.1 * r.NormFloat64())
				bn.RunningMean.Data[i] = float32(r.NormFloat64())
				bn.RunningVar.Data[i] = float32(0.5 + r.Float64())
			}
		}
	})
	nn.SetTraining(m.Net, false)
	return m.Net
}

// newXnorConv packs a binary convolution with Kaiming-normal latent weights
// and a random BatchNorm folded into its output transform.
func newXnorConv(b *testing.B, c nn.Conv) *xnor.Conv {
	b.Helper()
	s := xnor.Shape{In: c.In, Out: c.Out, Kernel: c.Kernel, Stride: c.Stride, Pad: c.Pad}
	r := nn.Stream(4, "bench/xnor")
	w := make([]float32, c.Out*c.In*c.Kernel*c.Kernel)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	pw := xnor.PackWeights(s, w)
	gamma, beta, mean, vari := make([]float32, c.Out), make([]float32, c.Out), make([]float32, c.Out), make([]float32, c.Out)
	for o := range c.Out {
		gamma[o], beta[o] = float32(1+0.1*r.NormFloat64()), float32(0.1*r.NormFloat64())
		mean[o], vari[o] = float32(r.NormFloat64()), float32(1+r.Float64())
	}
	conv, err := xnor.NewConv(pw, xnor.FoldBatchNorm(pw.Scale, gamma, beta, mean, vari, 1e-5))
	if err != nil {
		b.Fatal(err)
	}
	return conv
}
