//go:build !purego

package nn

import (
	"math/bits"

	"golang.org/x/sys/cpu"

	"github.com/gradbench/gradbench/internal/impl"
)

// The AVX-512 variant of the rows kernel of the table product
// (lutweights512_amd64.s): panels of 32 and 16 channels of tables and
// gradients whose row stride is a power of two, eight and four rows at a
// time; the
// remaining rows and channels go to the portable loops, which agree with
// it bit for bit. The tables, sign bytes and patterns keep their AVX2
// variants (under a tenth of the product's time), and lutFastKernel its
// AVX2 answer, which the rows' panels share.
func init() {
	hasBMI2 := cpu.X86.HasBMI2
	lutRowsKernel.Add(impl.AVX512, func(dw []float32, ld int, pat []uint8, poff []int, tab []float32, chunks, width int) {
		if chunks == 0 || len(poff) == 0 {
			return
		}
		// The callers checked that pat holds poff[kk] + chunks patterns
		// for every kk, and dw and tab their rows.
		_ = dw[(len(poff)-1)*ld+width-1]
		_ = tab[((chunks-1)*16+15)*ld+width-1]
		if !hasBMI2 || bits.OnesCount(uint(ld)) != 1 {
			lutRowsGo(dw, ld, pat, poff, tab, chunks, width)
			return
		}
		sh := bits.TrailingZeros(uint(ld)) + 2
		r4 := len(poff) &^ 3
		c := 0
		for ; c+32 <= width; c += 32 {
			if r4 > 0 {
				lutRows32AVX512(&dw[c], ld, &pat[0], &poff[0], r4, &tab[c], chunks, sh)
			}
			if r4 < len(poff) {
				lutRowsGo(dw[r4*ld+c:], ld, pat, poff[r4:], tab[c:], chunks, 32)
			}
		}
		if c+16 <= width {
			r8 := len(poff) &^ 7
			if r8 > 0 {
				lutRows16AVX512(&dw[c], ld, &pat[0], &poff[0], r8, &tab[c], chunks, sh)
			}
			if r8 < len(poff) {
				lutRowsGo(dw[r8*ld+c:], ld, pat, poff[r8:], tab[c:], chunks, 16)
			}
			c += 16
		}
		if c < width {
			lutRowsGo(dw[c:], ld, pat, poff, tab[c:], chunks, width-c)
		}
	})
}

// lutRows16AVX512 and lutRows32AVX512 are lutRowsGo for width 16 and 32,
// ld·4 = 1<<sh, chunks >= 1 and rows a positive multiple of 8 and of 4.
//
//go:noescape
func lutRows16AVX512(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)

//go:noescape
func lutRows32AVX512(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)
