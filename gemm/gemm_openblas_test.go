//go:build openblas

package gemm

import (
	"math/rand/v2"
	"testing"
)

// TestRowsWithoutAVX2 checks the path the openblas build takes on CPUs
// without the assembly kernels (TestImpls reaches it only on those): the
// offset operand copied out into a plain matrix for OpenBLAS.
func TestRowsWithoutAVX2(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, s := range [][3]int{{5, 33, 9}, {97, 35, 300}, {144, 16, 200}} {
		m, n, k := s[0], s[1], s[2]
		for _, rowsA := range []bool{false, true} {
			checkRowsGemm(t, r, rowsA, m, n, k, 0.5, 1, blasRows)
		}
	}
}
