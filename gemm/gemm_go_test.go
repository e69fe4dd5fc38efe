//go:build !openblas

package gemm

import (
	"math/rand/v2"
	"testing"
)

// TestPortableFallback forces the dispatch that CPUs without AVX2 and FMA
// (and other architectures) get, the portable kernel alone, and runs the
// public functions through their cross-checks.
func TestPortableFallback(t *testing.T) {
	saved := engines
	engines = []*blocked{{kern: goKernel}}
	defer func() { engines = saved }()
	r := rand.New(rand.NewPCG(7, 8))
	for _, s := range [][3]int{{5, 33, 9}, {97, 35, 300}} {
		m, n, k := s[0], s[1], s[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				checkGemm(t, r, ta, tb, m, n, k, 0.5, 1, Sgemm)
			}
		}
		for _, rowsA := range []bool{false, true} {
			checkRowsGemm(t, r, rowsA, m, n, k, 1, 0, func(m, n, k int, alpha float32, a, b operand, beta float32, c []float32, ldc int) {
				if rowsA {
					SgemmRowsA(b.trans, m, n, k, alpha, a.data, a.off, b.data, b.ld, beta, c, ldc)
				} else {
					SgemmRowsB(a.trans, m, n, k, alpha, a.data, a.ld, b.data, b.off, beta, c, ldc)
				}
			})
		}
	}
}
