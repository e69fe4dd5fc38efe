package bench

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/atomicfile"
	"github.com/gradbench/gradbench/internal/bitconv"
	"github.com/gradbench/gradbench/internal/mdtable"
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
// the step's time goes. With -trainstep.poolstats DIR, each writes the
// worker pool's statistics of its timed steps to DIR/<est>.md: where the
// step leaves the goroutines' time unused, per call site of parallel.For
// (results/poolstats.sh).
func BenchmarkTrainStep(b *testing.B) {
	const batch = 128
	defer stepFlags(b)()
	for _, spec := range []string{"ste", "fda", "fda+na", "dsq", "bnnplus"} {
		name := fmt.Sprintf("model=resnet20/est=%s/batch=%d/gemm=%s", estimators.MustParse(spec), batch, gemm.Impl())
		b.Run(name, func(b *testing.B) {
			step := newStep(b, spec, batch)
			b.ReportAllocs()
			stop := startProfile(b, estimators.MustParse(spec).String())
			stopStats := startPoolStats(b, estimators.MustParse(spec).String())
			b.ResetTimer()
			var loss float64
			for b.Loop() {
				loss = step()
			}
			stopStats()
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
	flagsRead.Read("trainstep.forward", "trainstep.impl", "trainstep.gemm")
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

// halvesFlags refuses the flags of BenchmarkTrainStep that
// BenchmarkStepHalves does not follow, given their values: it writes no
// CPU profile and no worker pool statistics, so the directory given
// would be left empty without a word.
func halvesFlags(profile, poolStats string) error {
	var given []string
	if profile != "" {
		given = append(given, fmt.Sprintf("-trainstep.cpuprofile %q", profile))
	}
	if poolStats != "" {
		given = append(given, fmt.Sprintf("-trainstep.poolstats %q", poolStats))
	}
	if len(given) == 0 {
		return nil
	}
	return fmt.Errorf("%s: BenchmarkStepHalves writes no profile or statistics (BenchmarkTrainStep does): run it without them", strings.Join(given, " and "))
}

// newStep returns one SGD step of BenchmarkTrainStep's network on a
// batch of n random images, run once to size its buffers.
func newStep(b *testing.B, spec string, n int) (step func() float64) {
	m, x, labels, err := steptest.ResNet20(spec, n, "bench/data")
	if err != nil {
		b.Fatal(err)
	}
	opt := nn.NewSGD(nn.Params(m.Net), nn.SGDConfig{Momentum: 0.9, WeightDecay: 1e-4})
	// Mid-training schedules: FDA at n = 9 + round(9·4/9) = 13, noise
	// adaptation at α = 0.05 (as the comment above and bench/peer say).
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
	if err := halvesFlags(*stepProfile, *stepPoolStats); err != nil {
		b.Fatal(err)
	}
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

var (
	stepProfile   = flag.String("trainstep.cpuprofile", "", "write a CPU profile of BenchmarkTrainStep's timed steps to `dir`/<est>.pprof")
	stepPoolStats = flag.String("trainstep.poolstats", "", "write the worker pool's statistics of BenchmarkTrainStep's timed steps to `dir`/<est>.md (see parallel.SetStats)")
)

// startPoolStats turns on the worker pool's statistics for
// -trainstep.poolstats, if set, and returns the function that turns them
// off and writes the table: where in the step the pool left the
// goroutines' time unused, per call site of parallel.For, in milliseconds
// per step.
func startPoolStats(b *testing.B, est string) (stop func()) {
	flagsRead.Read("trainstep.poolstats")
	if *stepPoolStats == "" {
		return func() {}
	}
	parallel.SetStats(true)
	t0 := time.Now()
	return func() {
		wall := time.Since(t0)
		all := parallel.Stats()
		parallel.SetStats(false)
		var buf bytes.Buffer
		if err := writePoolStats(&buf, est, all, b.N, wall, parallel.Workers()); err != nil {
			b.Fatal(err)
		}
		if err := atomicfile.WriteFile(filepath.Join(*stepPoolStats, est+".md"), buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		writePoolStatsTSV(&buf, all, b.N)
		if err := atomicfile.WriteFile(filepath.Join(*stepPoolStats, est+".tsv"), buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// writePoolStatsTSV writes every call site's statistics, per step, as
// tab-separated values under a header line, for results/poolstats.sh to
// compare one core with two site by site (the table of writePoolStats
// sums the small rows, which on one core are all of them).
func writePoolStatsTSV(out io.Writer, all []parallel.CallStats, steps int) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.4f", d.Seconds()*1e3/float64(steps)) }
	fmt.Fprintln(out, "site\tpooled\twall_ms\tidle_ms\talone\talone_ms\tgap_ms\tunused_ms")
	for _, c := range all {
		fmt.Fprintf(out, "%s\t%.2f\t%s\t%s\t%.2f\t%s\t%s\t%s\n", strings.TrimPrefix(c.Caller, "github.com/gradbench/gradbench/"),
			float64(c.Pooled)/float64(steps), ms(c.Wall), ms(c.Idle), float64(c.Alone)/float64(steps), ms(c.AloneWall), ms(c.Gap), ms(c.Lost))
	}
}

// writePoolStats writes the table of startPoolStats for steps steps that
// took wall on w goroutines: a row per call site that lost at least 0.05
// ms of goroutine time per step, the others summed in one row, and the
// total.
func writePoolStats(out io.Writer, est string, all []parallel.CallStats, steps int, wall time.Duration, w int) error {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()*1e3/float64(steps)) }
	per := func(n int) string { return fmt.Sprintf("%.1f", float64(n)/float64(steps)) }
	row := func(name string, c parallel.CallStats) []string {
		return []string{name, per(c.Pooled), ms(c.Wall), ms(c.Idle), per(c.Alone), ms(c.AloneWall), ms(c.Gap), ms(c.Lost)}
	}
	var rows [][]string
	var rest, total parallel.CallStats
	add := func(dst *parallel.CallStats, c parallel.CallStats) {
		dst.Pooled += c.Pooled
		dst.Wall += c.Wall
		dst.Idle += c.Idle
		dst.Alone += c.Alone
		dst.AloneWall += c.AloneWall
		dst.Gap += c.Gap
		dst.Lost += c.Lost
	}
	for _, c := range all {
		add(&total, c)
		if c.Lost.Seconds()*1e3/float64(steps) >= 0.05 {
			rows = append(rows, row("`"+strings.TrimPrefix(c.Caller, "github.com/gradbench/gradbench/")+"`", c))
		} else {
			add(&rest, c)
		}
	}
	rows = append(rows, row("the other call sites", rest), row("**all**", total))
	capacity := time.Duration(w) * wall
	fmt.Fprintf(out, "### %s\n\n%d steps of %s ms on %d goroutines: %s ms of goroutine time per step, of which the pool left %s ms unused (%.1f%%).\n\n",
		est, steps, ms(wall), w, ms(capacity), ms(total.Lost), 100*total.Lost.Seconds()/capacity.Seconds())
	return mdtable.Write(out, 1, []string{"call site of parallel.For", "pooled calls", "their wall ms", "idle goroutine ms", "calls alone", "their ms", "serial gap ms", "unused goroutine ms"}, rows)
}

// startProfile starts the CPU profile of -trainstep.cpuprofile, if set,
// and returns the function that stops it and writes the file.
func startProfile(b *testing.B, est string) (stop func()) {
	flagsRead.Read("trainstep.cpuprofile")
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

// TestHalvesFlags: BenchmarkStepHalves ran with -trainstep.cpuprofile
// DIR or -trainstep.poolstats DIR and wrote nothing there, the flags
// given and ignored; they are refused.
func TestHalvesFlags(t *testing.T) {
	if err := halvesFlags("", ""); err != nil {
		t.Errorf("without the flags: %v", err)
	}
	for _, c := range []struct{ profile, stats, want string }{
		{"p", "", `-trainstep.cpuprofile "p": BenchmarkStepHalves writes no profile or statistics (BenchmarkTrainStep does): run it without them`},
		{"", "s", `-trainstep.poolstats "s": BenchmarkStepHalves writes no profile or statistics (BenchmarkTrainStep does): run it without them`},
		{"p", "s", `-trainstep.cpuprofile "p" and -trainstep.poolstats "s": BenchmarkStepHalves writes no profile or statistics (BenchmarkTrainStep does): run it without them`},
	} {
		if err := halvesFlags(c.profile, c.stats); err == nil || err.Error() != c.want {
			t.Errorf("halvesFlags(%q, %q) = %v, want %s", c.profile, c.stats, err, c.want)
		}
	}
}

// TestWritePoolStats checks the table of -trainstep.poolstats on made-up
// statistics of 4 steps: milliseconds per step, the rows below 0.05 ms
// per step summed in one, the total, and the share of the goroutines'
// time.
func TestWritePoolStats(t *testing.T) {
	ms := func(v float64) time.Duration { return time.Duration(v * 4 * float64(time.Millisecond)) }
	all := []parallel.CallStats{
		{Caller: "github.com/gradbench/gradbench/nn.(*convCore).backward:293", Pooled: 84, Wall: ms(70), Idle: ms(12), Lost: ms(12)},
		{Caller: "github.com/gradbench/gradbench/gemm.(*blocked).run:230", Alone: 8, AloneWall: ms(0.5), Gap: ms(1), Lost: ms(1.5)},
		{Caller: "github.com/gradbench/gradbench/nn.(*AvgPool2d).Forward:177", Pooled: 8, Wall: ms(0.4), Idle: ms(0.04), Lost: ms(0.04)},
		{Caller: "github.com/gradbench/gradbench/nn.(*AvgPool2d).Backward:240", Pooled: 8, Wall: ms(0.3), Idle: ms(0.006), Lost: ms(0.006)},
	}
	var b strings.Builder
	if err := writePoolStats(&b, "ste", all, 4, ms(100), 2); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"### ste\n\n4 steps of 100.00 ms on 2 goroutines: 200.00 ms of goroutine time per step, of which the pool left 13.55 ms unused (6.8%).\n",
		"| `nn.(*convCore).backward:293` |         21.0 |         70.00 |             12.00 |         0.0 |     0.00 |          0.00 |               12.00 |",
		"| `gemm.(*blocked).run:230`     |          0.0 |          0.00 |              0.00 |         2.0 |     0.50 |          1.00 |                1.50 |",
		"| the other call sites          |          4.0 |          0.70 |              0.05 |         0.0 |     0.00 |          0.00 |                0.05 |",
		"| **all**                       |         25.0 |         70.70 |             12.05 |         2.0 |     0.50 |          1.00 |               13.55 |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks\n%s\ngot\n%s", want, got)
		}
	}
	if strings.Contains(got, "AvgPool2d") {
		t.Errorf("rows below 0.05 ms per step are listed on their own:\n%s", got)
	}

	// The TSV keeps every site, the small ones too.
	var tsv strings.Builder
	writePoolStatsTSV(&tsv, all, 4)
	for _, want := range []string{
		"site\tpooled\twall_ms\tidle_ms\talone\talone_ms\tgap_ms\tunused_ms\n",
		"nn.(*convCore).backward:293\t21.00\t70.0000\t12.0000\t0.00\t0.0000\t0.0000\t12.0000\n",
		"gemm.(*blocked).run:230\t0.00\t0.0000\t0.0000\t2.00\t0.5000\t1.0000\t1.5000\n",
		"nn.(*AvgPool2d).Backward:240\t2.00\t0.3000\t0.0060\t0.00\t0.0000\t0.0000\t0.0060\n",
	} {
		if !strings.Contains(tsv.String(), want) {
			t.Errorf("TSV lacks %q; got\n%s", want, tsv.String())
		}
	}
}
