//go:build !purego

package nn

import (
	"math/bits"

	"golang.org/x/sys/cpu"

	"github.com/gradbench/gradbench/internal/impl"
)

// The AVX2 variants of the table product's kernels (lutweights_amd64.s).
// They take what they were written for (8-channel groups for the tables;
// panels of 64, 32 and 16 channels of tables and gradients whose row
// stride is a power of two) and leave the rest to the portable loops,
// which agree with them bit for bit.
func init() {
	hasBMI2 := cpu.X86.HasBMI2
	lutFastKernel.Add(impl.AVX2, func(out int) bool {
		// The rows kernels take panels of 16, 32 or 64 channels with a
		// power-of-two stride.
		return hasBMI2 && out%16 == 0 && bits.OnesCount(uint(out)) == 1
	})
	lutTablesKernel.Add(impl.AVX2, func(tab, dy []float32, ldy, out, chunks int) {
		o8 := out &^ 7
		if o8 > 0 && chunks > 0 {
			// The last value read: channel o8−1, chunk chunks−1.
			_ = dy[(o8-1)*ldy+4*chunks-1]
			_ = tab[((chunks-1)*16+15)*out+o8-1]
			lutTablesAVX2(&tab[0], &dy[0], ldy, out, o8, chunks)
		}
		if o8 < out {
			lutTablesPart(tab, dy, ldy, out, chunks, o8)
		}
	})
	lutRowsKernel.Add(impl.AVX2, lutRowsAsm(
		lutRowsPanel{64, 1, lutRows64AVX2},
		lutRowsPanel{32, 2, lutRows32AVX2},
		lutRowsPanel{16, 4, lutRows16AVX2}))
	lutSignBytesKernel.Add(impl.AVX2, func(sb []uint8, x []float32) {
		if n := len(x) / 8; n > 0 {
			_ = sb[n-1]
			lutSignBytesAVX2(&sb[0], &x[0], n)
		}
	})
	lutNibblesKernel.Add(impl.AVX2, func(pat, sb []uint8, v int) {
		if !hasBMI2 || v < 8 {
			lutNibblesGo(pat, sb, v)
			return
		}
		_ = pat[4*v-1]
		_ = sb[v/2+3]
		lutNibblesAVX2(&pat[0], &sb[0], v)
	})
}

// A lutRowsPanel is an assembly rows kernel (AVX2 or AVX-512): lutRowsGo
// for a panel of width channels and a count of rows that is a positive
// multiple of rowStep (a power of two), with ld·4 = 1<<sh and chunks >= 1.
// All of them take the same arguments, which the shared macros of
// lut_amd64.h read.
type lutRowsPanel struct {
	width, rowStep int
	f              func(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)
}

// lutRowsAsm wraps the assembly rows kernels of one instruction set,
// widest panel first, in the kernel's checks: nothing to do without
// chunks or rows, and the portable loops for a row stride that is not a
// power of two (or without BMI2, whose shifts the kernels use). Each
// panel takes the channels from c on as many times as it fits, and of
// their rows those up to a multiple of its rowStep; the portable loops
// take the rows left and, last, the channels left.
func lutRowsAsm(panels ...lutRowsPanel) func(dw []float32, ld int, pat []uint8, poff []int, tab []float32, chunks, width int) {
	hasBMI2 := cpu.X86.HasBMI2
	return func(dw []float32, ld int, pat []uint8, poff []int, tab []float32, chunks, width int) {
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
		c := 0
		for _, p := range panels {
			r := len(poff) &^ (p.rowStep - 1)
			for ; c+p.width <= width; c += p.width {
				if r > 0 {
					p.f(&dw[c], ld, &pat[0], &poff[0], r, &tab[c], chunks, sh)
				}
				if r < len(poff) {
					lutRowsGo(dw[r*ld+c:], ld, pat, poff[r:], tab[c:], chunks, p.width)
				}
			}
		}
		if c < width {
			lutRowsGo(dw[c:], ld, pat, poff, tab[c:], chunks, width-c)
		}
	}
}

//go:noescape
func lutTablesAVX2(tab, dy *float32, ldy, out, o8, chunks int)

//go:noescape
func lutRows16AVX2(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)

//go:noescape
func lutRows32AVX2(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)

//go:noescape
func lutRows64AVX2(dw *float32, ld int, pat *uint8, poff *int, rows int, tab *float32, chunks, sh int)

//go:noescape
func lutSignBytesAVX2(sb *uint8, x *float32, n int)

//go:noescape
func lutNibblesAVX2(pat, sb *uint8, v int)
