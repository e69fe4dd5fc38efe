//go:build !purego

package nn

import "github.com/gradbench/gradbench/internal/impl"

// The AVX-512 table-lookup loops (lutgrad512_amd64.s), for whole column
// blocks (w = lutCols), as the AVX2 ones: lutGrad gives narrower ones to
// the portable loops.
func init() {
	lutBuildKernel.Add(impl.AVX512, lutBuildAsm(lutBuildAVX512))
	lutLookupKernel.Add(impl.AVX512, lutLookupAsm(lutLookupAVX512))
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
