//go:build !purego

package nn

import "github.com/gradbench/gradbench/internal/impl"

// The AVX-512 variant of the rows kernel of the table product
// (lutweights512_amd64.s): panels of 32 and 16 channels of tables and
// gradients whose row stride is a power of two, eight and four rows at a
// time; the
// remaining rows and channels go to the portable loops, which agree with
// it bit for bit. The tables, sign bytes and patterns keep their AVX2
// variants (under a tenth of the product's time), and lutFastKernel its
// AVX2 answer, which the rows' panels share.
func init() {
	lutRowsKernel.Add(impl.AVX512, lutRowsAsm(
		lutRowsPanel{32, 4, lutRows32AVX512},
		lutRowsPanel{16, 8, lutRows16AVX512}))
}

// lutRows16AVX512 and lutRows32AVX512 are lutRowsGo for width 16 and 32,
// ld·4 = 1<<sh, chunks >= 1 and rows a positive multiple of 8 and of 4.
//
//go:noescape
func lutRows16AVX512(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)

//go:noescape
func lutRows32AVX512(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)
