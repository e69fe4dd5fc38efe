package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSgemm cross-checks Sgemm against the reference triple loop on odd
// sizes around the block and tile edges, every transpose combination,
// leading dimensions larger than the rows, and alpha/beta cases. Entries
// of C outside the m×n matrix (the ldc padding) start as NaN and must stay
// NaN; with beta = 0, C starts as NaN and must be overwritten.
func TestSgemm(t *testing.T) {
	sizes := [][3]int{
		{1, 1, 1}, {0, 3, 2}, {3, 0, 2}, {2, 3, 0}, {1, 17, 1}, {17, 1, 3},
		{3, 5, 7}, {4, 4, 4}, {5, 33, 9}, {13, 31, 257}, {97, 35, 64},
		{mc + 1, 2*16 + 3, kc + 1}, {65, 129, 300},
	}
	if !testing.Short() {
		sizes = append(sizes, [3]int{200, nc + 17, 33}, [3]int{301, 259, 513})
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range sizes {
		m, n, k := s[0], s[1], s[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, ab := range [][2]float32{{1, 0}, {0.5, 1}, {-2, 0.25}, {0, 2}} {
					name := fmt.Sprintf("m=%d/n=%d/k=%d/ta=%v/tb=%v/alpha=%v/beta=%v", m, n, k, ta, tb, ab[0], ab[1])
					t.Run(name, func(t *testing.T) {
						checkSgemm(t, r, ta, tb, m, n, k, ab[0], ab[1])
					})
				}
			}
		}
	}
}

func checkSgemm(t *testing.T, r *rand.Rand, ta, tb bool, m, n, k int, alpha, beta float32) {
	ar, ac := m, k
	if ta {
		ar, ac = k, m
	}
	br, bc := k, n
	if tb {
		br, bc = n, k
	}
	lda, ldb, ldc := ac+3, bc+1, n+2
	a := randMat(r, ar, ac, lda)
	b := randMat(r, br, bc, ldb)
	c := randMat(r, m, n, ldc)
	c = append(c, randMat(r, 1, ldc, ldc)[:m*ldc-len(c)]...) // full last row of padding
	nan := float32(math.NaN())
	for i := range c {
		if i%ldc >= n {
			c[i] = nan
		} else if beta == 0 {
			c[i] = nan
		}
	}
	want := append([]float32(nil), c...)
	Ref(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
	Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	for i := range m {
		for j := range ldc {
			got, w := c[i*ldc+j], want[i*ldc+j]
			if j >= n {
				if !math.IsNaN(float64(got)) {
					t.Fatalf("C[%d][%d] = %v outside the %dx%d result, want it untouched (NaN)", i, j, got, m, n)
				}
				continue
			}
			tol := 1e-5 * float64(k+1) * (1 + math.Abs(float64(w)))
			if d := math.Abs(float64(got - w)); !(d <= tol) {
				t.Fatalf("C[%d][%d] = %v, want %v (Ref)", i, j, got, w)
			}
		}
	}
}

// randMat returns rows×cols values in [-1, 1) with row stride ld; the
// padding holds NaN, which a correct kernel never reads into the result.
func randMat(r *rand.Rand, rows, cols, ld int) []float32 {
	s := make([]float32, max(0, (rows-1)*ld+cols))
	for i := range s {
		if i%ld < cols {
			s[i] = float32(2*r.Float64() - 1)
		} else {
			s[i] = float32(math.NaN())
		}
	}
	return s
}

// TestKernels runs the blocked GEMM with every micro-kernel available
// (the portable one and, under GOEXPERIMENT=simd on an AVX-512 machine, the
// SIMD one), whichever Sgemm dispatches to, against the reference.
func TestKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, kern := range kernels {
		g := &blocked{kern: kern}
		for _, s := range [][3]int{{1, 1, 1}, {kern.mr + 1, kern.nr - 1, 3}, {2*kern.mr - 1, 2*kern.nr + 1, kc + 2}, {70, 90, 40}} {
			m, n, k := s[0], s[1], s[2]
			for _, beta := range []float32{0, 1.5} {
				a := randMat(r, m, k, k)
				b := randMat(r, k, n, n)
				c := randMat(r, m, n, n)
				want := append([]float32(nil), c...)
				Ref(false, false, m, n, k, 0.75, a, k, b, n, beta, want, n)
				g.sgemm(false, false, m, n, k, 0.75, a, k, b, n, beta, c, n)
				for i := range c {
					if d := math.Abs(float64(c[i] - want[i])); !(d <= 1e-5*float64(k+1)*(1+math.Abs(float64(want[i])))) {
						t.Fatalf("kernel %s m=%d n=%d k=%d beta=%v: C[%d] = %v, want %v", kern.name, m, n, k, beta, i, c[i], want[i])
					}
				}
			}
		}
	}
}

func TestSgemmPanics(t *testing.T) {
	a := make([]float32, 6)
	tests := []struct {
		name string
		f    func()
	}{
		{"short a", func() { Sgemm(false, false, 3, 2, 3, 1, a, 3, a, 2, 0, a, 2) }},
		{"small lda", func() { Sgemm(false, false, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2) }},
		{"negative", func() { Sgemm(false, false, -1, 2, 3, 1, a, 3, a, 2, 0, a, 2) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			tt.f()
		})
	}
}

func TestSgemmAllocs(t *testing.T) {
	a := make([]float32, 256*256)
	b := make([]float32, 256*256)
	c := make([]float32, 256*256)
	Sgemm(false, false, 256, 256, 256, 1, a, 256, b, 256, 0, c, 256)
	if n := testing.AllocsPerRun(10, func() {
		Sgemm(false, true, 256, 256, 256, 1, a, 256, b, 256, 0, c, 256)
	}); n != 0 {
		t.Errorf("Sgemm allocates %v times per call, want 0", n)
	}
}

func BenchmarkSgemm(b *testing.B) {
	for _, s := range [][3]int{{256, 256, 256}, {16, 784 * 2, 144}, {64, 294, 576}, {16, 144, 784}} {
		m, n, k := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("m=%d/n=%d/k=%d/gemm=%s", m, n, k, Impl()), func(b *testing.B) {
			x := make([]float32, m*k)
			y := make([]float32, k*n)
			z := make([]float32, m*n)
			b.SetBytes(int64(2 * m * n * k)) // "MB/s" reads as MFLOP/s
			b.ReportAllocs()
			for b.Loop() {
				Sgemm(false, false, m, n, k, 1, x, k, y, n, 0, z, n)
			}
		})
	}
}
