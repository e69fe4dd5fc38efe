//go:build goexperiment.simd && amd64

package estimators

import (
	"math"
	"math/rand/v2"
	"testing"

	"simd/archsimd"
)

// TestVecMatchesScalar cross-checks every AVX-512 kernel against the
// portable loop it replaces, on random inputs at several scales and on
// boundary values, at lengths around the 16-lane width.
func TestVecMatchesScalar(t *testing.T) {
	if !archsimd.X86.AVX512() {
		t.Skip("the CPU has no AVX-512: the portable loops run")
	}
	if signVec == nil || fdaVec == nil {
		t.Fatal("AVX-512 CPU but the vector kernels are not installed")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, math.Nextafter32(1, 2), math.Nextafter32(1, 0), 0.5, -3,
		1e-30, 1e30, -1e30, math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)), 1e-45, 44, 100, 1e-4, 3, 10}
	n := 100_000
	x, dy := make([]float32, n), make([]float32, n)
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
	specs := []string{"ste", "ste:c=0.3", "approxsign", "dsq", "dsq:alpha=0.01", "bnnplus", "bnnplus:beta=30",
		"ede", "fda:n=0", "fda:n=9", "fda:n=18", "fda:n=300", "fda:omega=1,c=4,n=7"}
	for _, spec := range specs {
		for _, p := range []float64{0, 1} {
			e, _ := New(spec)
			if s, ok := e.(Scheduler); ok {
				s.SetProgress(p)
			}
			// One Backward sets the estimator's kernel parameters.
			e.Backward(make([]float32, 1), x[:1], dy[:1])
			var k kernel
			switch e := e.(type) {
			case *STE:
				k = &e.k
			case *ApproxSign:
				k = &e.k
			case *DSQ:
				k = &e.k
			case *BNNPlus:
				k = &e.k
			case *EDE:
				k = &e.k
			case *FDA:
				k = &e.k
			}
			peak := 0.0
			ref := make([]float32, n)
			e.(Referencer).BackwardRef(ref, x, ones(n))
			for _, v := range ref {
				peak = max(peak, math.Abs(float64(v)))
			}
			for _, m := range []int{0, 1, 15, 16, 17, 31, 33, n} {
				scalar, vec := make([]float32, m), make([]float32, m)
				portable(func() { k.backward(scalar, x[:m], dy[:m]) })
				k.backward(vec, x[:m], dy[:m])
				bad := 0
				for i := range m {
					if d := math.Abs(float64(vec[i] - scalar[i])); !(d <= 2e-6*peak*math.Abs(float64(dy[i]))) {
						if bad++; bad <= 3 {
							t.Errorf("%s p=%g length %d: AVX-512 Backward(x=%g, dy=%g) = %g, portable loop %g", spec, p, m, x[i], dy[i], vec[i], scalar[i])
						}
					}
				}
			}
		}
	}
	// Forward.
	scalar, vec := make([]float32, n+3), make([]float32, n+3)
	xs := append(x, float32(math.NaN()), float32(math.NaN()), -0.0)
	portable(func() { signBlock(scalar, xs) })
	signBlock(vec, xs)
	for i := range xs {
		if math.Float32bits(scalar[i]) != math.Float32bits(vec[i]) && !(math.IsNaN(float64(scalar[i])) && math.IsNaN(float64(vec[i]))) {
			t.Errorf("AVX-512 Forward(x=%g) = %g, portable loop %g", xs[i], vec[i], scalar[i])
		}
	}
}

// portable runs f with the vector kernels switched off.
func portable(f func()) {
	sv, st, ap, ds, bp, ed, fd := signVec, steVec, approxSignVec, dsqVec, bnnPlusVec, edeVec, fdaVec
	dg, bg := dsqGradVec, bnnPlusGradVec
	signVec, steVec, approxSignVec, dsqVec, bnnPlusVec, edeVec, fdaVec = nil, nil, nil, nil, nil, nil, nil
	dsqGradVec, bnnPlusGradVec = nil, nil
	defer func() {
		signVec, steVec, approxSignVec, dsqVec, bnnPlusVec, edeVec, fdaVec = sv, st, ap, ds, bp, ed, fd
		dsqGradVec, bnnPlusGradVec = dg, bg
	}()
	f()
}

// TestVecGradMatchesScalar cross-checks the learnable AVX-512 kernels: dx
// and the scalar's gradient sum against the portable loops.
func TestVecGradMatchesScalar(t *testing.T) {
	if !archsimd.X86.AVX512() {
		t.Skip("the CPU has no AVX-512: the portable loops run")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	n := 4096 + 13
	x, dy := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
		if i%7 == 0 {
			x[i] *= 30
		}
		dy[i] = float32(rng.NormFloat64())
	}
	x[5], x[6], x[7] = float32(math.Inf(1)), 1, -1
	for _, spec := range []string{"dsq:learn=true", "dsq:learn=true,alpha=0.01", "bnnplus:learn=true", "bnnplus:learn=true,beta=30"} {
		e, _ := New(spec)
		e.Backward(make([]float32, 1), x[:1], dy[:1])
		var k gradKernel
		switch e := e.(type) {
		case *DSQ:
			k = &e.k
		case *BNNPlus:
			k = &e.k
		}
		// The sum of |terms| bounds the rounding of the sums.
		abs := make([]float32, n)
		for i := range abs {
			abs[i] = float32(math.Abs(float64(dy[i])))
		}
		var scale float64
		portable(func() { scale = math.Abs(k.backwardGrad(make([]float32, n), x, abs)) })
		for _, m := range []int{0, 1, 15, 16, 17, 33, n} {
			scalar, vec := make([]float32, m), make([]float32, m)
			var ss, vs float64
			portable(func() { ss = k.backwardGrad(scalar, x[:m], dy[:m]) })
			vs = k.backwardGrad(vec, x[:m], dy[:m])
			if math.Abs(ss-vs) > 1e-5*scale {
				t.Errorf("%s length %d: AVX-512 gradient sum %g, portable loop %g", spec, m, vs, ss)
			}
			for i := range m {
				if d := math.Abs(float64(vec[i] - scalar[i])); d > 1e-5*math.Abs(float64(dy[i]))*30 {
					t.Errorf("%s length %d: AVX-512 Backward(x=%g) = %g, portable loop %g", spec, m, x[i], vec[i], scalar[i])
					break
				}
			}
		}
	}
}
