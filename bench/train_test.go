package bench

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/atomicfile"
	"github.com/gradbench/gradbench/internal/bitconv"
	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/internal/steptest"
	"github.com/gradbench/gradbench/nn"
)

// Training step benchmarks: one SGD step (forward, cross-entropy,
// backward, momentum update with weight decay) of the default workload's
// network, binary ResNet-20 at width 1 on Fashion-MNIST-shaped input
// (1×28×28, 10 classes), a batch of 128 random images:
//
//	BenchmarkTrainStep/model=resnet20/est=<canonical spec>/batch=128/gemm=<impl>
//
// ns/op is the time of one step; img/s the training throughput. The
// estimators are the five the suite's ablations use, plus noise adaptation
// on FDA, at epoch 4 of 10 (FDA at n = 13, noise adaptation α = 0.05).
// results/peer.sh alternates it with the same step in PyTorch
// (bench/peer).
//
// With -trainstep.gemm IMPL, the step runs on that GEMM implementation
// (results/gemm512.sh compares avx2 and avx512 so).
//
// With -trainstep.cpuprofile DIR, each benchmark writes a CPU profile of
// its timed steps alone (no set-up, no untimed first step) to
// DIR/<est>.pprof; results/profile.sh turns those into a table of where
// the step's time goes.
func BenchmarkTrainStep(b *testing.B) {
	const batch = 128
	defer stepFlags(b)()
	for _, spec := range []string{"ste", "fda", "fda+na", "dsq", "bnnplus"} {
		name := fmt.Sprintf("model=resnet20/est=%s/batch=%d/gemm=%s", estimators.MustParse(spec), batch, gemm.Impl())
		b.Run(name, func(b *testing.B) {
			step := newStep(b, spec, batch)
			b.ReportAllocs()
			stop := startProfile(b, estimators.MustParse(spec).String())
			b.ResetTimer()
			var loss float64
			for b.Loop() {
				loss = step()
			}
			stop()
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				b.Fatalf("loss %v", loss)
			}
			b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "img/s")
		})
	}
}

// stepFlags applies -trainstep.forward and -trainstep.gemm and returns
// the function that restores the defaults.
func stepFlags(b *testing.B) (restore func()) {
	switch *stepForward {
	case "xnor", "float":
	default:
		b.Fatalf("-trainstep.forward %q: want xnor or float", *stepForward)
	}
	if *stepImpl != "" && *stepGemm != "" {
		b.Fatalf("-trainstep.impl %q and -trainstep.gemm %q: give one (-trainstep.impl sets the GEMM's too)", *stepImpl, *stepGemm)
	}
	fwd := nn.SetBinaryForward(*stepForward == "xnor")
	// Every package with alternative kernels that the step runs, and the
	// implementation each had.
	type pkg struct {
		name     string
		impl     func() string
		set      func(string) error
		def      string
		selected bool
	}
	pkgs := []*pkg{
		{name: "gemm", impl: gemm.Impl, set: gemm.SetImpl},
		{name: "nn", impl: nn.Impl, set: nn.SetImpl},
		{name: "estimators", impl: estimators.Impl, set: estimators.SetImpl},
		{name: "bitconv", impl: bitconv.Impl, set: bitconv.SetImpl},
	}
	for _, p := range pkgs {
		p.def = p.impl()
		want := *stepImpl
		if p.name == "gemm" && *stepGemm != "" {
			want = *stepGemm
		}
		if want == "" {
			continue
		}
		if err := p.set(want); err != nil {
			b.Fatalf("-trainstep.impl: %v", err) // the error names the package
		}
		p.selected = true
	}
	return func() {
		nn.SetBinaryForward(fwd)
		for _, p := range pkgs {
			if p.selected {
				if err := p.set(p.def); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// newStep returns one SGD step of BenchmarkTrainStep's network on a
// batch of n random images, run once to size its buffers.
func newStep(b *testing.B, spec string, n int) (step func() float64) {
	m, x, labels, err := steptest.ResNet20(spec, n, "bench/data")
	if err != nil {
		b.Fatal(err)
	}
	opt := nn.NewSGD(nn.Params(m.Net), nn.SGDConfig{Momentum: 0.9, WeightDecay: 1e-4})
	// Mid-training schedules: FDA at n = 14, noise adaptation on.
	nn.SetProgress(m.Net, nn.Progress{Epoch: 4, Epochs: 10})
	var ce nn.SoftmaxCrossEntropy
	step = func() float64 {
		loss := ce.Forward(m.Net.Forward(x), labels)
		m.Net.Backward(ce.Backward())
		opt.Step(0.01)
		return loss
	}
	step() // size the buffers
	return step
}

// BenchmarkStepHalves times what the cores allow the training step
// when nothing ties its two halves together: two independent copies of
// BenchmarkTrainStep's network, each training on its own 64 images, run
// at once on two goroutines, each copy's layers on its own goroutine
// only. ns/op is the time of one step of each copy, 128 images in all,
// as one BenchmarkTrainStep op: the steps are shared out as the copies
// ask for them, so a faster core takes more. Against BenchmarkTrainStep
// on one core it bounds from above what splitting one step over two
// cores can reach on the machine at that moment (each half-batch copy
// does half a step's work, with half its working set, and waits for
// nothing); results/threads.sh runs the three alternately.
//
// Its name leaves out "TrainStep" so that the scripts' patterns for
// BenchmarkTrainStep do not select it. The copies must not share the
// worker pool: run it with GOMAXPROCS=1, so that the pool has no worker
// (each copy's jobs then run on the goroutine that calls them), on a
// machine with at least 2 CPUs; the benchmark raises GOMAXPROCS to 2
// while it runs, and skips otherwise.
// Its allocations are the start of the two goroutines in each run.
func BenchmarkStepHalves(b *testing.B) {
	const batch = 128
	if parallel.Workers() != 1 || runtime.NumCPU() < 2 {
		b.Skipf("needs a worker pool without workers (GOMAXPROCS=1 at start; it has %d goroutines) and at least 2 CPUs (the machine has %d)", parallel.Workers(), runtime.NumCPU())
	}
	defer stepFlags(b)()
	for _, spec := range []string{"ste", "fda+na"} {
		name := fmt.Sprintf("model=resnet20/est=%s/batch=%d/gemm=%s", estimators.MustParse(spec), batch, gemm.Impl())
		b.Run(name, func(b *testing.B) {
			steps := [2]func() float64{newStep(b, spec, batch/2), newStep(b, spec, batch/2)}
			var losses [2]float64
			// run takes n steps of each copy, on two goroutines.
			run := func(n int) {
				var taken atomic.Int64
				var wg sync.WaitGroup
				for i, step := range steps {
					wg.Go(func() {
						for taken.Add(1) <= int64(2*n) {
							losses[i] = step()
						}
					})
				}
				wg.Wait()
			}
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
			run(1) // the runtime's set-up for the second core
			b.ReportAllocs()
			b.ResetTimer()
			run(b.N)
			b.StopTimer()
			for _, loss := range losses {
				if math.IsNaN(loss) || math.IsInf(loss, 0) {
					b.Fatalf("loss %v", loss)
				}
			}
			b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "img/s")
		})
	}
}

var stepForward = flag.String("trainstep.forward", "xnor", "the forward pass of binary convolutions: `xnor` (the default) or float (the reference path; see nn.SetBinaryForward)")

var stepImpl = flag.String("trainstep.impl", "", "the kernels' `implementation` in every package the step runs (gemm, nn, estimators, internal/bitconv), one of the names they share (go, avx2, avx512; default: each package's choice); the GEMM's is named in the benchmark as gemm=<impl>")

var stepGemm = flag.String("trainstep.gemm", "", "the GEMM `implementation`, one of gemm.Impls() (default: the build's choice), named in the benchmark as gemm=<impl>")

var stepProfile = flag.String("trainstep.cpuprofile", "", "write a CPU profile of BenchmarkTrainStep's timed steps to `dir`/<est>.pprof")

// startProfile starts the CPU profile of -trainstep.cpuprofile, if set,
// and returns the function that stops it and writes the file.
func startProfile(b *testing.B, est string) (stop func()) {
	if *stepProfile == "" {
		return func() {}
	}
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		b.Fatalf("-trainstep.cpuprofile: %v (go test's -cpuprofile cannot be used with it)", err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := atomicfile.WriteFile(filepath.Join(*stepProfile, est+".pprof"), buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}
