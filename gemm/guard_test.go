package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/internal/guardmem"
	"github.com/gradbench/gradbench/internal/impl/impltest"
)

// TestGuardPages runs the products under every implementation on operands
// that end (or start) right at an inaccessible page (guardmem), as tight
// as their shapes allow, so that a kernel reading or writing past an
// operand faults; the results are checked against ref. Sizes are those of
// the micro-tiles of every kernel, one less and one more.
func TestGuardPages(t *testing.T) {
	sizes := [][3]int{{1, 1, 1}, {1, 7, 3}, {7, 1, 5}, {4, 2, 2}, {6, 16, 2}, {4, 24, 5}, {12, 32, 8}, {8, 48, 3},
		{12, 16, 4}, {5, 15, 9}, {13, 33, 7}, {11, 47, 3}, {17, 65, 9}, {25, 49, 17}}
	impltest.Each(t, implSelector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(31, 32))
		const most = 65 * 65
		ra, rb, rc := guardmem.New(t, 4*most), guardmem.New(t, 4*most), guardmem.New(t, 4*most)
		for _, s := range sizes {
			m, n, k := s[0], s[1], s[2]
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					for _, end := range []bool{true, false} {
						t.Run(fmt.Sprintf("m=%d/n=%d/k=%d/ta=%v/tb=%v/end=%v", m, n, k, ta, tb, end), func(t *testing.T) {
							lda, ldb := k, n
							if ta {
								lda = m
							}
							if tb {
								ldb = k
							}
							a, b, c := ra.Float32s(m*k, end), rb.Float32s(k*n, end), rc.Float32s(m*n, end)
							for i := range a {
								a[i] = float32(r.NormFloat64())
							}
							for i := range b {
								b[i] = float32(r.NormFloat64())
							}
							want := make([]float32, m*n)
							ref(ta, tb, m, n, k, 1.5, a, lda, b, ldb, 0, want, n)
							Sgemm(ta, tb, m, n, k, 1.5, a, lda, b, ldb, 0, c, n)
							compare(t, c, want, m, n, k, n)
							if !ta { // A by row offsets, the rows end to end
								off := make([]int, m)
								for i := range off {
									off[i] = i * k
								}
								SgemmRowsA(tb, m, n, k, 1.5, a, off, b, ldb, 0, c, n)
								compare(t, c, want, m, n, k, n)
							}
							if !tb {
								off := make([]int, k)
								for i := range off {
									off[i] = i * n
								}
								SgemmRowsB(ta, m, n, k, 1.5, a, lda, b, off, 0, c, n)
								compare(t, c, want, m, n, k, n)
							}
						})
					}
				}
			}
		}
	})
}
