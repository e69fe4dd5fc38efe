package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
	"github.com/gradbench/gradbench/internal/parallel"
)

// impls is the package's choice of kernel implementations (internal/impl):
// "go" always, "avx2" and "avx512" where impl_amd64.go finds the CPU
// features. Each estimator's file declares its kernels with
// impl.NewKernel(impls, portable), and its arch file, if it has one, adds
// the vector variants in an init function.
var impls = impl.NewSet("estimators")

// Impl returns the name of the implementation the fast kernels (Forward,
// Backward) of the built-in estimators use:
//
//   - "avx512": Go assembly with AVX-512 F, 16 lanes, the last partial
//     vector under a lane mask (any build on amd64 CPUs with AVX-512 F,
//     such as Intel Xeons since Skylake-SP and AMD since Zen 4);
//   - "avx2": Go assembly with AVX2 and FMA, 8 lanes, the portable loop
//     doing the last len%8 elements (any build on amd64 CPUs with both:
//     Intel since Haswell, AMD since Zen);
//   - "go": the portable Go loops alone (other CPUs and architectures, or
//     the build tag purego).
//
// The default is the highest of these the build and CPU can run.
func Impl() string { return impls.Impl() }

// Impls returns the names of the implementations this build and CPU can
// run, "go" first and the default last.
func Impls() []string { return impls.Impls() }

// SetImpl selects the implementation by name (one of Impls), for tests and
// benchmarks that compare them; the default needs no call. A name this
// build or CPU cannot run is an error. Do not call it while kernels run.
func SetImpl(name string) error { return impls.SetImpl(name) }

// How the fast kernels split work. A slice shorter than 2·grain elements runs
// on the calling goroutine (waking a worker costs a few microseconds, the
// time to process ~10^4 elements); a longer one is split over the worker
// pool in chunks whose boundaries are multiples of align elements, so that
// SIMD vectors and cache lines stay whole. Learnable estimators reduce their
// scalar's gradient over fixed blocks of sumBlock elements, summed in order,
// so the result does not depend on the number of cores.
const (
	grain    = 1 << 14
	align    = 64
	sumBlock = 4096
)

// block is the number of elements the portable kernels of DSQ, EDE, BNN+
// and FDA process per pass: they run two loops over each block, the first
// writing an intermediate (exp or sin) to a stack array, because one long
// chain of dependent operations per element overlaps poorly across elements
// (6.7 against 4.2 ns/elem for DSQ on one core).
const block = 256

// expBlock sets e[i] = exp(-2·s·min(|x|, clamp)) for the bits xb of x,
// with clamp the bits of a non-negative float32.
func expBlock(e []float32, xb []uint32, s float32, clamp uint32) {
	e = e[:len(xb)]
	for i, b := range xb {
		u := s * math.Float32frombits(minBits(b&^signBit, clamp))
		n, f := expSplit(-2 * u)
		e[i] = scaleFlush(exp2Frac(f), n)
	}
}

// A forwardKernel is the fast forward pass of one estimator over one
// contiguous chunk: dst[i] = q(x[i]). The slices have equal lengths.
type forwardKernel interface {
	forward(dst, x []float32)
}

// A kernel is the fast backward pass of one estimator over one contiguous
// chunk: dx[i] = dy[i]·g(x[i]). The slices have equal lengths.
type kernel interface {
	backward(dx, x, dy []float32)
}

// A gradKernel is a kernel that also returns the sum over the chunk of the
// per-element gradient of a learnable scalar.
type gradKernel interface {
	backwardGrad(dx, x, dy []float32) float64
}

// job runs a kernel over the worker pool. Every estimator keeps one inside
// its value, so a call passes a pointer and allocates nothing. Its slices
// are cleared when the call returns: estimators do not retain them.
type job struct {
	fk        forwardKernel
	k         kernel
	gk        gradKernel
	dx, x, dy []float32

	sums []float64 // per sumBlock block, for gradKernel
}

// Do runs the job's kernel on [lo, hi). It implements parallel.Job.
func (j *job) Do(lo, hi int) {
	switch {
	case j.fk != nil:
		j.fk.forward(j.dx[lo:hi], j.x[lo:hi])
	case j.gk != nil:
		for b := lo; b < hi; b += sumBlock {
			e := min(b+sumBlock, hi)
			j.sums[b/sumBlock] = j.gk.backwardGrad(j.dx[b:e], j.x[b:e], j.dy[b:e])
		}
	default:
		j.k.backward(j.dx[lo:hi], j.x[lo:hi], j.dy[lo:hi])
	}
}

// forward runs k over the slices, in parallel for long slices.
func (j *job) forward(k forwardKernel, dst, x []float32) {
	checkLen("Forward", dst, x)
	if len(x) < 2*grain {
		k.forward(dst, x)
		return
	}
	j.fk, j.dx, j.x = k, dst, x
	parallel.For(len(x), grain, align, j)
	j.fk, j.dx, j.x = nil, nil, nil
}

// sign sets dst to sign(x), in parallel for long slices: the Forward of
// every built-in estimator.
func (j *job) sign(dst, x []float32) { j.forward(signKernel{}, dst, x) }

// backward runs k over the slices, in parallel for long slices.
func (j *job) backward(k kernel, dx, x, dy []float32) {
	checkLen("Backward", dx, x)
	checkLen("Backward", dy, x)
	if len(x) < 2*grain {
		k.backward(dx, x, dy)
		return
	}
	j.k, j.dx, j.x, j.dy = k, dx, x, dy
	parallel.For(len(x), grain, align, j)
	j.k, j.dx, j.x, j.dy = nil, nil, nil, nil
}

// backwardGrad runs k over the slices like backward and returns the sum of
// the per-element scalar gradients, reduced over fixed blocks in order.
func (j *job) backwardGrad(k gradKernel, dx, x, dy []float32) float64 {
	checkLen("Backward", dx, x)
	checkLen("Backward", dy, x)
	nb := (len(x) + sumBlock - 1) / sumBlock
	if cap(j.sums) < nb {
		j.sums = make([]float64, nb)
	}
	j.sums = j.sums[:nb]
	j.gk, j.dx, j.x, j.dy = k, dx, x, dy
	if len(x) < 2*grain {
		j.Do(0, len(x))
	} else {
		parallel.For(len(x), grain, sumBlock, j)
	}
	j.gk, j.dx, j.x, j.dy = nil, nil, nil, nil
	var s float64
	for _, v := range j.sums {
		s += v
	}
	return s
}
