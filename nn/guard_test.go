package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/internal/guardmem"
	"github.com/gradbench/gradbench/internal/impl/impltest"
)

// TestGuardPages runs the elementwise loops, the row copies and the
// lookup tables' kernels under every implementation on slices that end
// (or start) right at an inaccessible page (guardmem), as tight as their
// arguments allow, at every length around the vector widths, so that a
// loop reading or writing past a slice faults. Their values are checked
// by the other tests; this one looks at their bounds only.
func TestGuardPages(t *testing.T) {
	impltest.Each(t, implSelector, func(t *testing.T) {
		const most = 1 << 14 // floats
		var rs [6]*guardmem.Region
		for i := range rs {
			rs[i] = guardmem.New(t, 4*most)
		}
		r := rand.New(rand.NewPCG(41, 42))
		fill := func(s []float32) []float32 {
			for i := range s {
				s[i] = float32(3 * r.NormFloat64())
			}
			return s
		}
		for _, end := range []bool{true, false} {
			for n := range 70 {
				x, y, dy, tt, d, z := fill(rs[0].Float32s(n, end)), fill(rs[1].Float32s(n, end)), fill(rs[2].Float32s(n, end)),
					fill(rs[3].Float32s(n, end)), rs[4].Float32s(n, end), fill(rs[5].Float32s(n, end))
				sumSq(x, 0.3)
				sumDot(dy, x, 0.3)
				normalize(d, x, 0.3, 1.7, -0.2)
				normalizeAdd(d, x, y, 0.3, 1.7, -0.2)
				bnGrad(d, dy, x, 1.3, 0.1, 0.4, 0.3)
				addTo(d, x, y)
				axpy(z, -0.3, x)
				addCosMul(z, tt, dy, 0.7)
				addNASin(z, tt, x, -0.3, 0.7)
				dotAxpy(x, dy, z, 1.7)
				dotAxpyCos(tt, dy, z, x, 1.7, 0.7)
			}
			for rows := 1; rows <= 3; rows++ {
				for w := 1; w <= 40; w++ {
					ls, ld, h := w+1, w, (w+1)/2
					src := fill(rs[0].Float32s((rows-1)*ls+w, end))
					dst := rs[1].Float32s((rows-1)*ld+w, end)
					copyRows(dst, ld, src, ls, rows, w)
					signRows(dst, ld, src, ls, rows, w)
					even, odd := rs[2].Float32s((rows-1)*h+h, end), rs[3].Float32s((rows-1)*h+w/2, end)
					splitRows(even, odd, h, src, ls, rows, w)
					splitSignRows(even, odd, h, src, ls, rows, w)
					mergeRows(dst, ld, even, odd, h, rows, w)
				}
			}
			guardLUT(t, r, rs, end)
		}
	})
}

// guardLUT runs the lookup tables' kernels on slices of rs against their
// guard pages (see TestGuardPages).
func guardLUT(t *testing.T, r *rand.Rand, rs [6]*guardmem.Region, end bool) {
	for it := range 200 {
		t.Run(fmt.Sprintf("lut%d/end=%v", it, end), func(t *testing.T) {
			// The rows of the weight gradient: power-of-two strides take
			// the assembly, others the portable loop.
			ld := []int{16, 32, 64, 48, 17}[r.IntN(5)]
			width := []int{ld, 1 + r.IntN(ld)}[r.IntN(2)]
			rows, chunks := 1+r.IntN(19), 1+r.IntN(6)
			npat := chunks + r.IntN(20)
			pat := rs[0].Bytes(npat, end)
			for i := range pat {
				pat[i] = uint8(r.IntN(16))
			}
			poff := make([]int, rows)
			for i := range poff {
				poff[i] = r.IntN(npat - chunks + 1)
			}
			tab := rs[1].Float32s(((chunks-1)*16+15)*ld+width, end)
			dw := rs[2].Float32s((rows-1)*ld+width, end)
			lutRowsKernel.Get()(dw, ld, pat, poff, tab, chunks, width)

			// The tables of the weight gradient.
			out := 1 + r.IntN(70)
			ldy := 4*chunks + r.IntN(5)
			dy := rs[3].Float32s((out-1)*ldy+4*chunks, end)
			lutTablesKernel.Get()(rs[4].Float32s(((chunks-1)*16+15)*out+out, end), dy, ldy, out, chunks)

			// The sign patterns.
			nx := r.IntN(200)
			x := rs[5].Float32s(nx, end)
			lutSignBytesKernel.Get()(rs[0].Bytes(nx/8, end), x[:8*(nx/8)])
			v := (nx/4 + 2 + 7) &^ 7
			lutNibblesKernel.Get()(rs[1].Bytes(4*v, end), rs[2].Bytes(v/2+4, end), v)

			// The table build and lookup of the input gradient, on whole
			// column blocks.
			nch, in := 1+r.IntN(9), 1+r.IntN(11)
			ldx, nd := lutCols+r.IntN(5), lutCols+r.IntN(40)
			off4, sc4 := make([]int32, 4*nch), make([]float32, 4*nch)
			for i := range off4 {
				off4[i], sc4[i] = int32(r.IntN(nd-lutCols+1)), float32(r.NormFloat64())
			}
			off4[r.IntN(len(off4))] = int32(nd - lutCols) // one reads to the end
			dyp := rs[3].Float32s(nd, end)
			tb := rs[4].Float32s(nch*8*lutCols, end)
			lutBuildKernel.Get()(tb, dyp, off4, sc4, lutCols)
			idx := make([]int32, 2*in*nch)
			for i := 0; i < len(idx); i += 2 {
				idx[i] = int32(i/2%nch*lutChunk + r.IntN(8)*lutEntry)
				idx[i+1] = int32(math.Float32bits(1)) | int32(r.IntN(2))<<31
			}
			lutLookupKernel.Get()(rs[5].Float32s((in-1)*ldx+lutCols, end), ldx, in, nch, idx, tb, r.IntN(2) == 0, lutCols)
		})
	}
}
