package bench

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/parallel"
)

// Estimator kernel benchmarks. Names are key=value so that benchstat and
// bench/cmd/benchreport can pivot:
//
//	BenchmarkBackward/est=<canonical spec>/n=<elements>/impl=<ref|fast>
//	BenchmarkForward/est=<canonical spec>/n=<elements>/impl=<ref|fast>
//	BenchmarkCopy/n=<elements>/bytes=<per element>
//
// Backward reads x and dy and writes dx: b.SetBytes(12·n). Forward reads x
// and writes dst: 8·n. Copy moves the same bytes per element (a copy of
// 6·n or 4·n bytes reads and writes them, on every core like the kernels)
// and is the machine's bandwidth reference in the same run. The reference
// kernels (impl=ref, float64 loops written for clarity) of the estimators
// that have them (estimators.Referencer) are timed up to 2^20 elements
// only: FDA's explicit sum at 2^24 takes seconds per call.
// With -short only 2^12 and 2^16 run.
//
// The estimators' fast kernels are the build's choice (estimators.Impl)
// unless -estimators.impl names another implementation, e.g. go for the
// portable loops or avx2 on an AVX-512 machine. Benchmark names do not
// carry it; BenchmarkBackward prints it as the configuration line
// "estimators: <impl>" that benchstat and benchreport read.

var estImpl = flag.String("estimators.impl", "", "estimator kernel `implementation` for BenchmarkBackward and BenchmarkForward, one of estimators.Impls() (default: the build's choice)")

// useEstImpl selects the kernels -estimators.impl asks for until b ends.
func useEstImpl(b *testing.B) {
	flagsRead.Read("estimators.impl")
	if *estImpl == "" {
		return
	}
	saved := estimators.Impl()
	if err := estimators.SetImpl(*estImpl); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { estimators.SetImpl(saved) })
}

var benchSizes = []int{1 << 12, 1 << 16, 1 << 20, 1 << 24}

const refMax = 1 << 20

func sizes() []int {
	if testing.Short() {
		return benchSizes[:2]
	}
	return benchSizes
}

// benchSpecs returns every registered estimator at its defaults, with FDA
// at fixed n = 1, 9 and 18 instead (its cost must not depend on n; the
// targets of results/kernels.sh compare them).
func benchSpecs() []string {
	var specs []string
	for _, name := range estimators.Names() {
		if name == "fda" {
			specs = append(specs, "fda:n=1", "fda:n=9", "fda:n=18")
			continue
		}
		specs = append(specs, name)
	}
	return specs
}

// inputs returns x ~ N(0, 1), where the surrogates live, and dy ~ N(0, 1).
func inputs(n int) (x, dy []float32) {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	x, dy = make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
		dy[i] = float32(rng.NormFloat64())
	}
	return x, dy
}

func BenchmarkBackward(b *testing.B) {
	useEstImpl(b)
	fmt.Printf("estimators: %s\n", estimators.Impl())
	benchKernels(b, 12, func(b *testing.B, c kernelCase, dx, x, dy []float32) {
		for b.Loop() {
			c.backward(dx, x, dy)
		}
	})
}

func BenchmarkForward(b *testing.B) {
	useEstImpl(b)
	benchKernels(b, 8, func(b *testing.B, c kernelCase, dst, x, _ []float32) {
		for b.Loop() {
			c.forward(dst, x)
		}
	})
}

// benchKernels runs a sub-benchmark per estimator spec, size n and kernel
// case (kernelCases), reporting allocations and bytes·n bytes per op, in
// which loop times the case on the size's inputs x and dy (inputs) and
// its output buffer out.
func benchKernels(b *testing.B, bytes int64, loop func(b *testing.B, c kernelCase, out, x, dy []float32)) {
	for _, spec := range benchSpecs() {
		for _, n := range sizes() {
			x, dy := inputs(n)
			out := make([]float32, n)
			for _, c := range kernelCases(b, spec, n) {
				b.Run(c.name, func(b *testing.B) {
					b.SetBytes(bytes * int64(n))
					b.ReportAllocs()
					loop(b, c, out, x, dy)
				})
			}
		}
	}
}

// A kernelCase is one estimator's kernels as a benchmark times them.
type kernelCase struct {
	name     string // est=<spec>/n=<n>/impl=<ref|fast>
	forward  func(dst, x []float32)
	backward func(dx, x, dy []float32)
}

// kernelCases returns the kernels BenchmarkBackward and BenchmarkForward
// time for spec at n elements: the fast ones, and the reference ones
// where the estimator has them (estimators.Referencer) and n <= refMax.
func kernelCases(b testing.TB, spec string, n int) []kernelCase {
	name := func(impl string) string { return fmt.Sprintf("est=%s/n=%d/impl=%s", spec, n, impl) }
	var cs []kernelCase
	if r, ok := newEstimator(b, spec).(estimators.Referencer); ok && n <= refMax {
		cs = append(cs, kernelCase{name("ref"), r.ForwardRef, r.BackwardRef})
	}
	e := newEstimator(b, spec)
	return append(cs, kernelCase{name("fast"), e.Forward, e.Backward})
}

func newEstimator(b testing.TB, spec string) estimators.Estimator {
	e, err := estimators.New(spec)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// copyJob copies src to dst over the worker pool, split like the kernels.
type copyJob struct{ dst, src []byte }

func (j *copyJob) Do(lo, hi int) { copy(j.dst[lo:hi], j.src[lo:hi]) }

func BenchmarkCopy(b *testing.B) {
	for _, n := range sizes() {
		for _, per := range []int{12, 8} {
			// Reading and writing half the bytes touches them all. Both
			// buffers are filled first: a never-written source would be
			// read from the kernel's shared zero page, not from memory.
			j := &copyJob{dst: make([]byte, per*n/2), src: make([]byte, per*n/2)}
			for i := range j.src {
				j.src[i] = byte(i*7 + 1)
				j.dst[i] = byte(i)
			}
			b.Run(fmt.Sprintf("n=%d/bytes=%d", n, per), func(b *testing.B) {
				b.SetBytes(int64(per * n))
				b.ReportAllocs()
				for b.Loop() {
					// Same split as the kernels: inline below 2^15 elements.
					if n < 1<<15 {
						j.Do(0, len(j.dst))
					} else {
						parallel.For(len(j.dst), len(j.dst)/n*(1<<14), 4096, j)
					}
				}
			})
		}
	}
}
