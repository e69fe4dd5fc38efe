package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/internal/impl/impltest"
)

// TestZeroAlphaBeta pins the BLAS convention the package documentation
// states, under every implementation this build and CPU can run (the
// openblas build included): with alpha = 0 (or k = 0) the product is not
// computed, so NaN and ±Inf in A or B do not reach C (0·Inf would be NaN),
// and C becomes beta·C; with beta = 0 the old C is not read, so NaN in it
// does not reach the result. Sgemm, SgemmRowsA and SgemmRowsB alike.
func TestZeroAlphaBeta(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	impltest.Each(t, implSelector, func(t *testing.T) {
		// Small and large enough to be split over the worker pool.
		for _, s := range [][3]int{{5, 7, 3}, {97, 70, 40}} {
			m, n, k := s[0], s[1], s[2]
			// A and B hold only NaN and ±Inf: any product of them is NaN or Inf.
			bad := func(size int) []float32 {
				x := make([]float32, size)
				for i := range x {
					x[i] = [3]float32{nan, inf, -inf}[i%3]
				}
				return x
			}
			a, b := bad(m*k), bad(k*n)
			aoff, boff := make([]int, m), make([]int, k)
			for i := range aoff {
				aoff[i] = i * k
			}
			for p := range boff {
				boff[p] = p * n
			}
			products := []struct {
				name string
				run  func(alpha, beta float32, c []float32)
			}{
				{"Sgemm", func(alpha, beta float32, c []float32) { Sgemm(false, false, m, n, k, alpha, a, k, b, n, beta, c, n) }},
				{"Sgemm-transposed", func(alpha, beta float32, c []float32) { Sgemm(true, true, m, n, k, alpha, a, m, b, k, beta, c, n) }},
				{"SgemmRowsA", func(alpha, beta float32, c []float32) { SgemmRowsA(false, m, n, k, alpha, a, aoff, b, n, beta, c, n) }},
				{"SgemmRowsB", func(alpha, beta float32, c []float32) { SgemmRowsB(false, m, n, k, alpha, a, k, b, boff, beta, c, n) }},
			}
			for _, p := range products {
				for _, beta := range []float32{0, 0.5, -2} {
					name := fmt.Sprintf("%s/m=%d/n=%d/k=%d/alpha=0/beta=%v", p.name, m, n, k, beta)
					c := make([]float32, m*n)
					for i := range c {
						c[i] = float32(i%11) - 5
						if beta == 0 {
							c[i] = nan
						}
					}
					old := append([]float32(nil), c...)
					p.run(0, beta, c)
					for i, got := range c {
						want := float32(0)
						if beta != 0 {
							want = beta * old[i]
						}
						if got != want {
							t.Fatalf("%s: C[%d] = %v, want beta·C = %v (A and B hold NaN and ±Inf; alpha = 0 must not read them)", name, i, got, want)
						}
					}
				}
			}
		}
	})
}

// TestNegativeZeroBeta checks that beta = -0 is beta = 0 under every
// implementation: C is not read, so NaN in it does not reach the result.
// The assembly kernels and their edge-tile store test beta's bits for
// ±0, not its value; a test that tries only +0 passes a check that sees
// -0 as nonzero and computes acc + (-0)·NaN = NaN. Sizes with full and
// edge tiles under every kernel, products split over the pool or not.
func TestNegativeZeroBeta(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	nan := float32(math.NaN())
	impltest.Each(t, implSelector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, s := range [][3]int{{5, 7, 3}, {13, 49, 11}, {40, 50, 40}} {
			m, n, k := s[0], s[1], s[2]
			a, b := randMat(r, m, k, k), randMat(r, k, n, n)
			aoff, boff := make([]int, m), make([]int, k)
			for i := range aoff {
				aoff[i] = i * k
			}
			for p := range boff {
				boff[p] = p * n
			}
			for _, alpha := range []float32{1.5, 0} {
				want := make([]float32, m*n)
				ref(false, false, m, n, k, alpha, a, k, b, n, 0, want, n)
				for _, p := range []struct {
					name string
					run  func(c []float32)
				}{
					{"Sgemm", func(c []float32) { Sgemm(false, false, m, n, k, alpha, a, k, b, n, negZero, c, n) }},
					{"SgemmRowsA", func(c []float32) { SgemmRowsA(false, m, n, k, alpha, a, aoff, b, n, negZero, c, n) }},
					{"SgemmRowsB", func(c []float32) { SgemmRowsB(false, m, n, k, alpha, a, k, b, boff, negZero, c, n) }},
				} {
					c := make([]float32, m*n)
					for i := range c {
						c[i] = nan
					}
					p.run(c)
					compare(t, c, want, m, n, k, n)
					if t.Failed() {
						t.Fatalf("%s m=%d n=%d k=%d alpha=%v beta=-0: C read (NaN in it reached the result)", p.name, m, n, k, alpha)
					}
				}
			}
		}
	})
}
