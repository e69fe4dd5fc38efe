package estimators

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// useImpl runs f with the vector kernels named impl, then restores the
// previous ones.
func useImpl(t *testing.T, impl string, f func()) {
	t.Helper()
	saved := Impl()
	if err := SetImpl(impl); err != nil {
		t.Fatal(err)
	}
	defer SetImpl(saved)
	f()
}

func TestImpls(t *testing.T) {
	impls := Impls()
	if impls[0] != "go" {
		t.Errorf("Impls() = %v, want \"go\" first", impls)
	}
	if got, want := Impl(), impls[len(impls)-1]; got != want {
		t.Errorf("Impl() = %q, want the last of Impls() %v", got, impls)
	}
	for _, name := range impls {
		useImpl(t, name, func() {
			if got := Impl(); got != name {
				t.Errorf("after SetImpl(%q), Impl() = %q", name, got)
			}
		})
	}
	err := SetImpl("avx9")
	if err == nil || !strings.Contains(err.Error(), `estimators: kernels "avx9" are not available`) || !strings.Contains(err.Error(), "go") {
		t.Errorf("SetImpl(\"avx9\") = %v, want an error naming the kernels that are available", err)
	}
}

// kernelOf returns the fast backward kernel of a built-in estimator,
// with its parameters set by one Backward call.
func kernelOf(e Estimator) kernel {
	e.Backward(make([]float32, 1), []float32{0.5}, []float32{1})
	switch e := e.(type) {
	case *STE:
		return &e.k
	case *ApproxSign:
		return &e.k
	case *DSQ:
		return &e.k
	case *BNNPlus:
		return &e.k
	case *EDE:
		return &e.k
	case *FDA:
		return &e.k
	}
	panic("kernelOf: not a built-in estimator")
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

// vecLengths are the lengths the vector kernels are checked at: around
// their widths (8 lanes, 16, two vectors of each) and the portable loops'
// blocks (block, sumBlock).
var vecLengths = []int{0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 63, 64, 65,
	block - 1, block, block + 1, sumBlock - 1, sumBlock, sumBlock + 1}

// vecInputs returns n inputs at several scales, a quarter of them boundary
// values (0, -0, ±1 and their neighbours, huge, tiny, ±Inf, where the
// surrogates clamp), and dy ~ N(0, 1).
func vecInputs(seed uint64, n int) (x, dy []float32) {
	rng := rand.New(rand.NewPCG(seed, 2))
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, math.Nextafter32(1, 2), math.Nextafter32(1, 0),
		-math.Nextafter32(1, 2), 0.5, -3, 0.3, math.Nextafter32(0.3, 1), 1e-30, 1e30, -1e30, math.MaxFloat32,
		-math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)), 1e-45, 44, 8.8, 17.6, 100, 1e-4, 3, 4, 10}
	x, dy = make([]float32, n), make([]float32, n)
	for i := range x {
		switch i % 4 {
		case 0:
			x[i] = float32(rng.NormFloat64())
		case 1:
			x[i] = float32(0.05 * rng.NormFloat64())
		case 2:
			x[i] = float32(8*rng.Float64() - 4)
		default:
			x[i] = special[rng.IntN(len(special))]
		}
		dy[i] = float32(rng.NormFloat64())
	}
	return x, dy
}

// TestVecMatchesPortable cross-checks every set of vector kernels this
// build and CPU can run against the portable loops they replace, on random
// inputs at several scales and on boundary values, at lengths around the
// vector widths, into NaN-guarded buffers.
func TestVecMatchesPortable(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	x, dy := vecInputs(1, n)
	lengths := append(slices.Clone(vecLengths), n)
	specs := []string{"ste", "ste:c=0.3", "approxsign", "dsq", "dsq:alpha=0.01", "dsq:alpha=0.9", "bnnplus",
		"bnnplus:beta=30", "bnnplus:beta=0.01", "ede", "ede:tmin=0.5,tmax=50", "fda:n=0", "fda:n=9", "fda:n=18",
		"fda:n=300", "fda:omega=1,c=4,n=7", "fda:omega=1.4,c=1,n=3"}
	for _, impl := range Impls()[1:] {
		t.Run(impl, func(t *testing.T) {
			for _, spec := range specs {
				for _, p := range []float64{0, 1} {
					e, err := New(spec)
					if err != nil {
						t.Fatal(err)
					}
					if s, ok := e.(Scheduler); ok {
						s.SetProgress(p)
					}
					k := kernelOf(e)
					peak := 0.0
					ref := make([]float32, n)
					e.(Referencer).BackwardRef(ref, x, ones(n))
					for _, v := range ref {
						peak = max(peak, math.Abs(float64(v)))
					}
					for _, m := range lengths {
						want := make([]float32, m)
						useImpl(t, "go", func() { k.backward(want, x[:m], dy[:m]) })
						got, check := guarded(t, m)
						useImpl(t, impl, func() { k.backward(got, x[:m], dy[:m]) })
						check(spec + " Backward")
						bad := 0
						for i := range m {
							if d := math.Abs(float64(got[i] - want[i])); !(d <= 2e-6*peak*math.Abs(float64(dy[i]))) {
								if bad++; bad <= 3 {
									t.Errorf("%s p=%g length %d: %s Backward(x=%g, dy=%g) = %g, portable loop %g", spec, p, m, impl, x[i], dy[i], got[i], want[i])
								}
							}
						}
					}
				}
			}
			// Forward, with NaNs of both signs.
			xs := append(slices.Clone(x), float32(math.NaN()), -float32(math.NaN()), float32(math.Copysign(0, -1)))
			for _, m := range append(lengths, len(xs)) {
				xm := xs[len(xs)-m:] // the NaNs are at the end
				want := make([]float32, m)
				useImpl(t, "go", func() { signBlock(want, xm) })
				got, check := guarded(t, m)
				useImpl(t, impl, func() { signBlock(got, xm) })
				check("Forward")
				for i := range m {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
						t.Errorf("%s Forward(x=%g) = %g, portable loop %g", impl, xm[i], got[i], want[i])
						break
					}
				}
			}
		})
	}
}

// TestVecGradMatchesPortable cross-checks the learnable vector kernels:
// dx and the sum of the scalar's gradient against the portable loops.
func TestVecGradMatchesPortable(t *testing.T) {
	n := sumBlock + 13
	rng := rand.New(rand.NewPCG(3, 4))
	x, dy := vecInputs(3, n)
	for i := range x {
		if i%7 == 0 {
			x[i] = float32(30 * rng.NormFloat64())
		}
	}
	// The scalars across their ranges: α up to 0.999, where the obvious
	// formula for DSQ's ∂φ/∂α cancels (see DSQ), and β from 1e-3 to 1e3.
	specs := []string{"dsq:learn=true,alpha=0.001", "dsq:learn=true", "dsq:learn=true,alpha=0.6",
		"dsq:learn=true,alpha=0.9", "dsq:learn=true,alpha=0.99", "dsq:learn=true,alpha=0.999",
		"bnnplus:learn=true,beta=0.001", "bnnplus:learn=true,beta=0.01", "bnnplus:learn=true",
		"bnnplus:learn=true,beta=30", "bnnplus:learn=true,beta=1000"}
	for _, impl := range Impls()[1:] {
		t.Run(impl, func(t *testing.T) {
			for _, spec := range specs {
				e, err := New(spec)
				if err != nil {
					t.Fatal(err)
				}
				k := kernelOf(e).(gradKernel)
				peak := 0.0 // of |g|
				ref := make([]float32, n)
				e.(Referencer).BackwardRef(ref, x, ones(n))
				for _, v := range ref {
					peak = max(peak, math.Abs(float64(v)))
				}
				// The sum of the terms' magnitudes bounds the rounding of the sums.
				var scale float64
				useImpl(t, "go", func() {
					for i := range x {
						scale += math.Abs(k.backwardGrad(make([]float32, 1), x[i:i+1], dy[i:i+1]))
					}
				})
				for _, m := range append(slices.Clone(vecLengths), n) {
					want := make([]float32, m)
					var ws, gs float64
					useImpl(t, "go", func() { ws = k.backwardGrad(want, x[:m], dy[:m]) })
					got, check := guarded(t, m)
					useImpl(t, impl, func() { gs = k.backwardGrad(got, x[:m], dy[:m]) })
					check(spec + " Backward")
					if !(math.Abs(ws-gs) <= 1e-6*scale) {
						t.Errorf("%s length %d: %s gradient sum %g, portable loop %g (tolerance 1e-6 of %g)", spec, m, impl, gs, ws, scale)
					}
					for i := range m {
						if d := math.Abs(float64(got[i] - want[i])); !(d <= 2e-6*peak*math.Abs(float64(dy[i]))) {
							t.Errorf("%s length %d: %s Backward(x=%g) = %g, portable loop %g", spec, m, impl, x[i], got[i], want[i])
							break
						}
					}
				}
			}
		})
	}
}
