//go:build openblas

package gemm

import (
	"math/rand/v2"
	"testing"
)

// TestRowsWithoutAVX2 forces the path the openblas build takes on CPUs
// without the assembly kernels: the offset operand copied out into a plain
// matrix for OpenBLAS.
func TestRowsWithoutAVX2(t *testing.T) {
	saved := rowsEngines
	rowsEngines = nil
	defer func() { rowsEngines = saved }()
	r := rand.New(rand.NewPCG(11, 12))
	for _, s := range [][3]int{{5, 33, 9}, {97, 35, 300}, {144, 16, 200}} {
		m, n, k := s[0], s[1], s[2]
		for _, rowsA := range []bool{false, true} {
			checkRowsGemm(t, r, rowsA, m, n, k, 0.5, 1, func(m, n, k int, alpha float32, a, b operand, beta float32, c []float32, ldc int) {
				if rowsA {
					SgemmRowsA(b.trans, m, n, k, alpha, a.data, a.off, b.data, b.ld, beta, c, ldc)
				} else {
					SgemmRowsB(a.trans, m, n, k, alpha, a.data, a.ld, b.data, b.off, beta, c, ldc)
				}
			})
		}
	}
}
