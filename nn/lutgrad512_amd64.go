//go:build !purego

package nn

import "github.com/gradbench/gradbench/internal/impl"

// The AVX-512 table-lookup loops (lutgrad512_amd64.s), for whole column
// blocks (w = lutCols), as the AVX2 ones: lutGrad gives narrower ones to
// the portable loops.
func init() {
	lutBuildKernel.Add(impl.AVX512, func(tab, dyp []float32, off4 []int32, sc4 []float32, w int) {
		n := len(off4) / 4
		if n == 0 {
			return
		}
		if w != lutCols {
			panic("nn: lutBuild: the assembly takes whole column blocks")
		}
		_ = tab[n*8*lutCols-1]
		lutBuildAVX512(&tab[0], &dyp[0], &off4[0], &sc4[0], n)
	})
	lutLookupKernel.Add(impl.AVX512, func(xg []float32, ldx, in, n int, idx []int32, tab []float32, first bool, w int) {
		if in == 0 || n == 0 {
			return
		}
		if w != lutCols {
			panic("nn: lutLookup: the assembly takes whole column blocks")
		}
		lutLookupAVX512(&xg[0], ldx, in, n, &idx[0], &tab[0], first)
	})
}

// lutBuildAVX512 is lutBuildGo for n >= 1 chunks of a whole column block.
// The caller checks that dyp holds every term read.
//
//go:noescape
func lutBuildAVX512(tab, dyp *float32, off4 *int32, sc4 *float32, n int)

// lutLookupAVX512 is lutLookupGo for in >= 1 channels and n >= 1 chunks of
// a whole column block, four channels at a time. The caller checks that xg
// and tab hold what idx reads and writes.
//
//go:noescape
func lutLookupAVX512(xg *float32, ldx, in, n int, idx *int32, tab *float32, first bool)
