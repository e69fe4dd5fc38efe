package estimators

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/internal/impl/impltest"
	"github.com/gradbench/gradbench/internal/racebuild"
)

// piBig is π to 60 digits, for fdaGExact's reduction.
var piBig, _, _ = big.ParseFloat("3.14159265358979323846264338327950288419716939937510582097494", 10, 200, big.ToNearestEven)

// fdaGExact is g(x) from the closed form (2ω/π)·(-1)^m·sin(2Nφ)/sin φ,
// N = n+1, where θ = ω·|x| = mπ + φ is reduced with 200-bit arithmetic:
// θ itself is exact in float64 (a product of two float32s), so unlike
// fdaG's explicit sum, whose arguments (2i+1)·ω·x each round, it keeps
// full float64 accuracy at any n and ω·x. TestFDAAccuracy checks it
// against fdaG where the sum is accurate.
func fdaGExact(omega, c float32, n int, x float32) float64 {
	ax := math.Abs(float64(x))
	if !(ax <= float64(c)) {
		return 0
	}
	theta := float64(omega) * ax
	m := math.Round(theta / math.Pi)
	var r, mpi big.Float
	r.SetPrec(200).SetFloat64(theta)
	mpi.SetPrec(200).SetFloat64(m)
	mpi.Mul(&mpi, piBig)
	phi, _ := r.Sub(&r, &mpi).Float64()
	N := float64(n + 1)
	s := N // the limit at φ = 0
	if phi != 0 {
		s = math.Sin(2*N*phi) / (2 * math.Sin(phi))
	}
	if math.Mod(m, 2) != 0 {
		s = -s
	}
	return 4 * float64(omega) / math.Pi * s
}

// TestFDAAccuracy checks every implementation of the fast backward
// against g within the documented 1e-5 of the peak |g| = 4ω(n+1)/π, on
// 20,000 random x in [-1.02·C, 1.02·C] and, where ω·C > π/2, at and next
// to each multiple of π/ω the sweep reaches, for n from 0 to its largest
// and ω·C up to the largest Parse accepts: the near path (ω·C <= 1.5) and
// the far path, which reduces ω·x modulo π, alike.
func TestFDAAccuracy(t *testing.T) {
	// Numerics: the kernels' split over the pool is TestConformance's, kept under -race.
	racebuild.Skip(t, "it checks numerics only, with no goroutines of its own; the openblas and purego builds run it in full")
	type set struct {
		n        int
		omega, c float32
	}
	var sets []set
	for _, n := range []int{0, 1, 9, 18, 100, 1000, maxFDATerms} {
		for _, wc := range []float32{0.5, 1.5, 1.6, 3, 10, 30, 1000, 1e5, fdaMaxOmegaC} {
			sets = append(sets, set{n, wc, 1})
		}
	}
	// ω and C apart from 1, near and far, up to the limit. (Reduced in
	// float32, ω·x put the far path off by 1.6e-5 of the peak at n = 18
	// and ω·C = 30, 2.6e-4 at n = 9 and ω·C = 1000, 0.49 at n = 18 and
	// ω·C = 1e6.)
	sets = append(sets, set{maxFDATerms, 1e-3, 1e3}, set{18, 0.01, 1e8}, set{maxFDATerms, 2e-3, 5e8},
		set{9, 250, 4}, set{1000, 3e4, 0.3}, set{18, 1e20, 1e-14})

	const points = 20000
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range sets {
		spec := fmt.Sprintf("fda:omega=%g,c=%g,n=%d", s.omega, s.c, s.n)
		e, err := New(spec)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		omega, c, n := e.(*FDA).params()
		peak := 4 * float64(omega) * float64(n+1) / math.Pi
		xs := make([]float32, points)
		for i := range xs {
			xs[i] = c * float32(1.02*(2*rng.Float64()-1))
		}
		if wc := float64(omega) * float64(c); wc > 1.5 {
			for _, m := range []float64{1, 2, 3, math.Floor(wc / math.Pi)} {
				at := float32(m * math.Pi / float64(omega))
				xs = append(xs, at, -at, math.Nextafter32(at, 0), math.Nextafter32(at, 2*at))
			}
		}
		want := make([]float64, len(xs))
		for i, x := range xs {
			want[i] = fdaGExact(omega, c, n, x)
		}
		// The reference is the explicit sum fdaG where that is accurate
		// (each of its n+1 arguments rounds, by up to 1e-16·(2n+1)·ω·|x|)
		// and cheap: the closed form must agree with it there.
		if n <= 1000 && float64(n+1)*float64(omega)*float64(c) <= 1e7 {
			for i, x := range xs[:500] {
				if d := math.Abs(fdaG(float64(omega), float64(c), n, float64(x)) - want[i]); d > 1e-7*peak {
					t.Fatalf("%s: fdaGExact(x=%g) = %g, fdaG %g", spec, x, want[i], fdaG(float64(omega), float64(c), n, float64(x)))
				}
			}
		}
		impltest.Each(t, impls, func(t *testing.T) {
			dx := make([]float32, len(xs))
			e.Backward(dx, xs, ones(len(xs)))
			worst, at := 0.0, 0
			for i := range xs {
				if d := math.Abs(float64(dx[i])-want[i]) / peak; !(d <= worst) {
					worst, at = d, i
				}
			}
			t.Logf("%s %s: worst |error| %.2g of the peak at x=%g", Impl(), spec, worst, xs[at])
			if !(worst <= 1e-5) {
				t.Errorf("%s: Backward(x=%g) = %g, want %g: |error| = %.2g of the peak |g|, want <= 1e-5", spec, xs[at], dx[at], want[at], worst)
			}
		})
	}
}
