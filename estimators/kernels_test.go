package estimators

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/internal/impl"
	"github.com/gradbench/gradbench/internal/impl/impltest"
	"github.com/gradbench/gradbench/internal/racebuild"
)

func TestImpls(t *testing.T) {
	have := Impls()
	if have[0] != impl.Go {
		t.Errorf("Impls() = %v, want %q first", have, impl.Go)
	}
	if got, want := Impl(), have[len(have)-1]; got != want {
		t.Errorf("Impl() = %q, want the last of Impls() %v", got, have)
	}
	impltest.Each(t, impls, func(t *testing.T) {
		if got := Impl(); got != impls.Impl() {
			t.Errorf("Impl() = %q, want %q", got, impls.Impl())
		}
	})
	if err := SetImpl("avx9"); err == nil {
		t.Error(`SetImpl("avx9") = nil, want an error`)
	}
}

// TestKernelsMatchPortable cross-checks the fast kernels of every
// registered estimator, at its defaults, in every implementation this
// build and CPU can run, against the portable loops; each estimator's own
// test adds the settings that take other code paths (checkKernels).
func TestKernelsMatchPortable(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) { checkKernels(t, name) })
	}
}

// guarded returns a slice of n elements inside a buffer of quiet NaNs with
// a recognizable payload, and a check that reports writes outside it.
func guarded(t *testing.T, n int) ([]float32, func(what string)) {
	const pad = 32
	const bits = 0x7fc5a5a5
	buf := make([]float32, n+2*pad)
	for i := range buf {
		buf[i] = math.Float32frombits(bits)
	}
	return buf[pad : pad+n], func(what string) {
		t.Helper()
		for i, v := range buf {
			if (i < pad || i >= pad+n) && math.Float32bits(v) != bits {
				t.Errorf("%s at length %d wrote %g at index %d, outside the slice", what, n, v, i-pad)
				return
			}
		}
	}
}

// kernelLengths are the lengths the kernels are checked at: around the
// vector widths (8 lanes, 16, two vectors of each) and the portable loops'
// blocks (block, sumBlock).
var kernelLengths = []int{0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 63, 64, 65,
	block - 1, block, block + 1, sumBlock - 1, sumBlock, sumBlock + 1}

// kernelInputs returns n inputs at several scales, a quarter of them
// boundary values (0, -0, ±1 and their neighbours, huge, tiny, ±Inf, where
// the surrogates clamp), with one input in seven large (N(0, 30²)), and
// dy ~ N(0, 1).
func kernelInputs(seed uint64, n int) (x, dy []float32) {
	rng := rand.New(rand.NewPCG(seed, 2))
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, math.Nextafter32(1, 2), math.Nextafter32(1, 0),
		-math.Nextafter32(1, 2), 0.5, -3, 0.3, math.Nextafter32(0.3, 1), 1e-30, 1e30, -1e30, math.MaxFloat32,
		-math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)), 1e-45, 44, 8.8, 17.6, 100, 1e-4, 3, 4, 10}
	x, dy = make([]float32, n), make([]float32, n)
	for i := range x {
		switch {
		case i%7 == 6:
			x[i] = float32(30 * rng.NormFloat64())
		case i%4 == 0:
			x[i] = float32(rng.NormFloat64())
		case i%4 == 1:
			x[i] = float32(0.05 * rng.NormFloat64())
		case i%4 == 2:
			x[i] = float32(8*rng.Float64() - 4)
		default:
			x[i] = special[rng.IntN(len(special))]
		}
		dy[i] = float32(rng.NormFloat64())
	}
	return x, dy
}

// ones returns n ones: dy for a backward pass that returns g(x) itself.
func ones(n int) []float32 {
	o := make([]float32, n)
	for i := range o {
		o[i] = 1
	}
	return o
}

// withImpl runs f with the implementation named name, then restores the
// one in use.
func withImpl(t *testing.T, name string, f func()) {
	t.Helper()
	saved := Impl()
	if err := SetImpl(name); err != nil {
		t.Fatal(err)
	}
	defer SetImpl(saved)
	f()
}

// backwardOnce runs e.Backward and returns the gradients it added to e's
// learnable scalars (nil for an estimator without any).
func backwardOnce(e Estimator, dx, x, dy []float32) []float64 {
	l, _ := e.(Learner)
	var ss []*Scalar
	if l != nil {
		ss = l.Scalars()
	}
	for _, s := range ss {
		s.Grad = 0
	}
	e.Backward(dx, x, dy)
	var g []float64
	for _, s := range ss {
		g = append(g, float64(s.Grad))
	}
	return g
}

// checkKernels cross-checks, for each spec, Forward and Backward (and the
// gradients of learnable scalars) in every implementation this build and
// CPU can run (impltest.Each) against the portable loops (impl "go"), at
// progress 0 and 1 for estimators with a schedule: on random inputs at
// several scales and on boundary values, at lengths around the vector
// widths and blocks and one long slice split over the worker pool, into
// NaN-guarded buffers. dx must agree within 2e-6 of the peak |g| times
// |dy|, scalar gradients within 1e-6 of the sum of their terms' magnitudes
// (the bound of the sums' rounding), Forward bit for bit; and dx again
// with dy near ±MaxFloat32 (checkHugeDyOf).
func checkKernels(t *testing.T, specs ...string) {
	t.Helper()
	racebuild.Skip(t, "it checks numerics only, with no goroutines of its own; the openblas build runs it in full with every implementation, the purego build with go's")
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	x, dy := kernelInputs(1, n)
	lengths := append(slices.Clone(kernelLengths), n)
	xs := append(slices.Clone(x), float32(math.NaN()), -float32(math.NaN()), float32(math.Copysign(0, -1)))
	for _, spec := range specs {
		for _, p := range []float64{0, 1} {
			e, err := New(spec)
			if err != nil {
				t.Fatal(err)
			}
			s, sched := e.(Scheduler)
			if sched {
				s.SetProgress(p)
			} else if p > 0 {
				continue
			}
			name := spec
			if sched {
				name = fmt.Sprintf("%s p=%g", spec, p)
			}
			checkKernelsOf(t, name, e, x, dy, xs, lengths)
			checkHugeDyOf(t, name, e, x, dy)
			checkDyScaleOf(t, name, e, x, dy)
		}
	}
}

// checkDyScaleOf checks, in every implementation, that scaling dy by 2^k
// scales dx by 2^k bit for bit, the float32 product overflowing where it
// does: every kernel multiplies and divides dy by factors of g alone and
// adds nothing to it, so only an overflow or underflow of an intermediate
// can break this, and the scales reach dy·g near ±MaxFloat32, where the
// order of DSQ's and EDE's vector kernels overflowed (see SECH2Y in
// asm_amd64.h: their scaling of the huge lanes must change no bit).
// Elements whose dx or g (dx at dy = 1) is below 2^-100 but not 0 are
// skipped: their intermediates may be subnormal.
func checkDyScaleOf(t *testing.T, name string, e Estimator, x, dy []float32) {
	t.Helper()
	tiny := func(v float32) bool { return v != 0 && !(math.Abs(float64(v)) >= 0x1p-100) }
	impltest.Each(t, impls, func(t *testing.T) {
		dx, g := make([]float32, len(x)), make([]float32, len(x))
		backwardOnce(e, dx, x, dy)
		backwardOnce(e, g, x, ones(len(x)))
		for _, k := range []int{64, 100, 125, 127} {
			f := float32(math.Ldexp(1, k))
			dyk, got := make([]float32, len(dy)), make([]float32, len(dy))
			for i, v := range dy {
				dyk[i] = v * f
			}
			backwardOnce(e, got, x, dyk)
			bad := 0
			for i, v := range got {
				d := dx[i]
				if math.IsInf(float64(dyk[i]), 0) || tiny(d) || tiny(g[i]) {
					continue
				}
				want := d * f
				max32 := float32(math.Copysign(math.MaxFloat32, float64(want)))
				if math.Float32bits(v) != math.Float32bits(want) && !(math.IsInf(float64(want), 0) && v == max32) {
					if bad++; bad <= 3 {
						t.Errorf("%s: Backward(x=%g, dy=%g·2^%d) = %g, want %g = 2^%d·Backward(x, dy=%g)", name, x[i], dy[i], k, v, want, k, dy[i])
					}
				}
			}
			if bad > 3 {
				t.Errorf("%s: %d of %d elements not scaled by 2^%d", name, bad, len(got), k)
			}
		}
	})
}

// checkHugeDyOf cross-checks Backward's dx in every implementation against
// the portable loop's with dy scaled to float32's largest values: dy·MaxFloat32/3,
// clamped to ±MaxFloat32, so that dy·g(x) is finite for most x and
// overflows for some. The two must agree within 2e-6 of peak|g|·|dy|, or
// be the same infinity, or one may be the infinity of the other's sign
// where the other is within that tolerance of overflowing: an order of
// operations whose intermediate overflows where dy·g does not gives an
// infinity next to a finite value far from it.
// peakG returns the largest finite |g(x)| of e over x, from a backward
// pass with dy = 1 on the implementation in use.
func peakG(e Estimator, x []float32) float64 {
	g := make([]float32, len(x))
	backwardOnce(e, g, x, ones(len(x)))
	peak := 0.0
	for _, v := range g {
		if !math.IsInf(float64(v), 0) {
			peak = max(peak, math.Abs(float64(v)))
		}
	}
	return peak
}

func checkHugeDyOf(t *testing.T, name string, e Estimator, x, dy []float32) {
	t.Helper()
	const maxF = math.MaxFloat32
	huge := make([]float32, len(dy))
	for i, v := range dy {
		huge[i] = float32(max(-maxF, min(maxF, float64(v)*maxF/3)))
	}
	var want []float32
	peak := 0.0
	withImpl(t, impl.Go, func() {
		peak = peakG(e, x)
		want = make([]float32, len(x))
		backwardOnce(e, want, x, huge)
	})
	near := func(a, b float32, tol float64) bool {
		switch {
		case math.Float32bits(a) == math.Float32bits(b):
			return true
		case math.IsInf(float64(a), 0):
			return math.IsInf(float64(a), int(math.Copysign(1, float64(b)))) && math.Abs(float64(b)) >= maxF-tol
		case math.IsInf(float64(b), 0):
			return math.IsInf(float64(b), int(math.Copysign(1, float64(a)))) && math.Abs(float64(a)) >= maxF-tol
		}
		return math.Abs(float64(a)-float64(b)) <= tol
	}
	impltest.Each(t, impls, func(t *testing.T) {
		got := make([]float32, len(x))
		backwardOnce(e, got, x, huge)
		bad := 0
		for i := range got {
			if !near(got[i], want[i], 2e-6*peak*math.Abs(float64(huge[i]))) {
				if bad++; bad <= 3 {
					t.Errorf("%s: Backward(x=%g, dy=%g) = %g, portable loop %g", name, x[i], huge[i], got[i], want[i])
				}
			}
		}
		if bad > 3 {
			t.Errorf("%s: %d of %d elements differ with dy near ±MaxFloat32", name, bad, len(got))
		}
	})
}

func checkKernelsOf(t *testing.T, name string, e Estimator, x, dy, xs []float32, lengths []int) {
	t.Helper()
	// The portable results, the peak |g| and the running sums of the
	// magnitudes of each scalar's gradient terms.
	type result struct {
		dx    []float32
		grads []float64
	}
	var want []result
	var fwd [][]float32
	peak, cum := 0.0, [][]float64(nil) // cum[j][i]: Σ over x[:i] of |term of scalar j|
	withImpl(t, impl.Go, func() {
		peak = peakG(e, x)
		if _, ok := e.(Learner); ok {
			for i := range x {
				for j, v := range backwardOnce(e, make([]float32, 1), x[i:i+1], dy[i:i+1]) {
					if j >= len(cum) {
						cum = append(cum, make([]float64, len(x)+1))
					}
					cum[j][i+1] = cum[j][i] + math.Abs(v)
				}
			}
		}
		for _, m := range lengths {
			r := result{dx: make([]float32, m)}
			r.grads = backwardOnce(e, r.dx, x[:m], dy[:m])
			want = append(want, r)
			f := make([]float32, min(m, len(xs)))
			e.Forward(f, xs[len(xs)-len(f):])
			fwd = append(fwd, f)
		}
	})
	impltest.Each(t, impls, func(t *testing.T) {
		for li, m := range lengths {
			got, check := guarded(t, m)
			grads := backwardOnce(e, got, x[:m], dy[:m])
			check(name + " Backward")
			bad := 0
			for i := range m {
				w := want[li].dx[i]
				if d := math.Abs(float64(got[i] - w)); !(d <= 2e-6*peak*math.Abs(float64(dy[i]))) && math.Float32bits(got[i]) != math.Float32bits(w) {
					if bad++; bad <= 3 {
						t.Errorf("%s length %d: Backward(x=%g, dy=%g) = %g, portable loop %g", name, m, x[i], dy[i], got[i], w)
					}
				}
			}
			for j, g := range grads {
				tol := 1e-6 * cum[j][m]
				if w := want[li].grads[j]; !(math.Abs(g-w) <= tol) {
					t.Errorf("%s length %d: scalar %d gradient %g, portable loop %g (tolerance %g)", name, m, j, g, w, tol)
				}
			}
			// Forward, with NaNs of both signs at the end.
			f, check := guarded(t, len(fwd[li]))
			e.Forward(f, xs[len(xs)-len(f):])
			check(name + " Forward")
			for i, v := range f {
				if w := fwd[li][i]; math.Float32bits(v) != math.Float32bits(w) && !(math.IsNaN(float64(v)) && math.IsNaN(float64(w))) {
					t.Errorf("%s: Forward(x=%g) = %g, portable loop %g", name, xs[len(xs)-len(f)+i], v, w)
					break
				}
			}
		}
	})
}
