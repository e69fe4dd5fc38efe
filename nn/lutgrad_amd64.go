//go:build !purego

package nn

import "github.com/gradbench/gradbench/internal/impl"

// The AVX2 table-lookup loops (lutgrad_amd64.s), for whole column blocks
// (w = lutCols); lutGrad gives narrower ones to the portable loops.
func init() {
	lutBuildKernel.Add(impl.AVX2, lutBuildAsm(lutBuildAVX2))
	lutLookupKernel.Add(impl.AVX2, lutLookupAsm(lutLookupAVX2))
}

// lutBuildAsm wraps an assembly table build (AVX2 or AVX-512; both take
// the same arguments) in the kernel's checks: nothing to do without
// chunks, whole column blocks only, and a table that holds every entry.
func lutBuildAsm(f func(tab, dyp *float32, off4 *int32, sc4 *float32, n int)) func(tab, dyp []float32, off4 []int32, sc4 []float32, w int) {
	return func(tab, dyp []float32, off4 []int32, sc4 []float32, w int) {
		n := len(off4) / 4
		if n == 0 {
			return
		}
		if w != lutCols {
			panic("nn: lutBuild: the assembly takes whole column blocks")
		}
		_ = tab[n*8*lutCols-1]
		f(&tab[0], &dyp[0], &off4[0], &sc4[0], n)
	}
}

// lutLookupAsm wraps an assembly lookup (AVX2 or AVX-512) in the kernel's
// checks, as lutBuildAsm does for the build.
func lutLookupAsm(f func(xg *float32, ldx, in, n int, idx *int32, tab *float32, first bool)) func(xg []float32, ldx, in, n int, idx []int32, tab []float32, first bool, w int) {
	return func(xg []float32, ldx, in, n int, idx []int32, tab []float32, first bool, w int) {
		if in == 0 || n == 0 {
			return
		}
		if w != lutCols {
			panic("nn: lutLookup: the assembly takes whole column blocks")
		}
		f(&xg[0], ldx, in, n, &idx[0], &tab[0], first)
	}
}

// lutBuildAVX2 is lutBuildGo for n >= 1 chunks of a whole column block.
// The caller checks that dyp holds every term read.
//
//go:noescape
func lutBuildAVX2(tab, dyp *float32, off4 *int32, sc4 *float32, n int)

// lutLookupAVX2 is lutLookupGo for in >= 1 channels and n >= 1 chunks of a whole column
// block. The caller checks that xg and tab hold what idx reads and writes.
//
//go:noescape
func lutLookupAVX2(xg *float32, ldx, in, n int, idx *int32, tab *float32, first bool)
