package nn

import (
	"encoding/binary"
	"math"
	"sync/atomic"

	"github.com/gradbench/gradbench/internal/impl"
)

// The weight gradient of a binary convolution on the XNOR path by lookup
// tables ("Four Russians"). There the grid of the input holds the codes
// q(x) = ±1 at every image position and +0 at padding and junk positions,
// so the product dWᵀ = im2col · dYᵀ of backwardGrid multiplies a ternary
// matrix by the output gradient. The table product treats it as a sign
// matrix, s(v) = −1 if v's sign bit is set, else +1 (so +0 reads as +1),
// and then subtracts what the padding positions added:
//
//   - the reduction index q (the output grid positions) is cut into
//     chunks of 4; for chunk h the table T[h][m] (Out floats) holds, for
//     each of the 16 sign patterns m,
//
//     T[h][m][o] = (±dy[o][4h] ± dy[o][4h+1]) + (±dy[o][4h+2] ± dy[o][4h+3])
//
//     with a minus on term t where bit t of m is set, each pair rounded
//     once and their sum once (lutTablesGo);
//   - row kk of the im2col matrix reads its pattern for chunk h, the
//     sign bits of its 4 values (a byte, lutSigns) and adds that table row to
//     its Out accumulators: one addition of Out floats per row and chunk,
//     where the GEMM does 4 multiply-adds (lutRowsGo);
//   - the padding positions, which the tables counted as +1, are the same
//     in every input channel: for tap (i, j) they are the valid output
//     positions whose window reaches past the image at that tap, so the
//     correction C[(i, j)][o] = Σ of dy[o] over those positions is summed
//     (in float64, rounded once) in O(Out·perimeter) per group and
//     subtracted from every row (ci, i, j) (lutCorrection).
//
// The sum is in a different order from the GEMM's, so it is not bit for bit
// the GEMM's. With u = 2⁻²⁴ and for output o of row kk (exact: the float64
// sum of the ternary products), the test (lutweights_test.go) checks
//
//	|lut − exact| ≤ (nq + 8)·u·(Σ_q |dy[o][q]| + 2·Σ_{pad q} |dy[o][q]| + |β·dW|)
//
// which holds with room to spare: each table entry has 2 roundings on
// its own 4 terms, the accumulation 1 per chunk (nq/4 + 1 per image, the
// tail chunks included), the correction 1 on the padding terms and the
// subtraction 1 on the result: about (nq/4 + g + 4)·u times the same sums
// for g images (g ≤ nq). The "go", "avx2" and
// "avx512" implementations do the same operations in the same order (no
// fused multiply-adds; negation is exact), so they agree bit for bit. The
// bound is for finite values: an infinite dY makes some table entries
// ∞ − ∞ = NaN, where the GEMM's sums are infinite or NaN.
//
// On the project machine (Zen 5) the AVX-512 rows make the product take
// about 0.79×, 0.75× and 0.76× the GEMM's time on resnet20's grid groups
// of 16, 32 and 64 channels, the AVX2 ones 0.89×, 0.96× and 0.97× (0.7×
// on the Zen 4 before it) (BenchmarkBinaryWeightGrad, one core;
// results/lut.md, made by results/lut.sh). The rows' additions are bound
// by the loads of the table rows and of their patterns: per row and chunk
// one pattern byte and the row's table entry, which AVX-512 loads as one
// or two vectors where AVX2 needs two or four, against the GEMM's 32
// multiply-adds of 4 positions; hence the patterns as bytes, which leave
// the rows little else to read. The tables, sign bytes and patterns keep
// their AVX2 kernels: with the AVX-512 rows they take about a sixth of the
// product's time at 16 channels, the padding correction (portable) about
// a tenth (a CPU profile of BenchmarkBinaryWeightGrad).

// lutWeightGrad selects the table product for the weight gradient of
// binary convolutions on the XNOR path (see backwardGrid), where
// lutFastKernel; see SetBinaryBackward.
var lutWeightGrad atomic.Bool

// lutTableBytes is the size of the tables of one block of chunks: small
// enough that they stay in the L1 cache while every row reads them.
var lutTableBytes = 16 << 10

// lutPanel is the number of output channels the rows take at a time.
var lutPanel = 32

// The kernels with alternatives; lutweights_amd64.go adds their AVX2
// variants, lutweights512_amd64.go an AVX-512 variant of the rows (the
// others keep their AVX2 ones under "avx512"). lutFastKernel reports
// whether the selected implementation's table product beats the GEMM for
// out output channels: the portable loops do not beat the GEMM's
// assembly (3.8 ms against its 0.14 ms on resnet20's 16-channel group,
// and about even with the portable GEMM), so only the assembly, where it
// takes all the rows, says yes ("avx512" uses the AVX2 answer: its rows
// take the same panels).
var (
	lutTablesKernel = impl.NewKernel(impls, lutTablesGo)
	lutRowsKernel   = impl.NewKernel(impls, lutRowsGo)
	lutFastKernel   = impl.NewKernel(impls, func(out int) bool { return false })
)

// lutTablesGo sets tab[(h·16 + m)·out + o] = T[h][m][o] (see above) for
// chunks h < chunks and o < out, the chunk's values dy[o·ldy + 4h + t].
func lutTablesGo(tab, dy []float32, ldy, out, chunks int) {
	lutTablesPart(tab, dy, ldy, out, chunks, 0)
}

// lutTablesPart is lutTablesGo for channels o0 ≤ o < out.
func lutTablesPart(tab, dy []float32, ldy, out, chunks, o0 int) {
	for h := range chunks {
		t := tab[h*16*out:][:16*out]
		for o := o0; o < out; o++ {
			v := dy[o*ldy+4*h:][:4]
			a, b := v[0]+v[1], v[0]-v[1]
			c, d := v[2]+v[3], v[2]-v[3]
			p01 := [4]float32{a, -b, b, -a}
			p23 := [4]float32{c, -d, d, -c}
			for m := range 16 {
				t[m*out+o] = p01[m&3] + p23[m>>2]
			}
		}
	}
}

// lutRowsGo adds to dw[kk·ld + o] (o < width), for every row kk < len(poff)
// and chunk h < chunks in order, tab[(h·16 + m)·ld + o] with m =
// pat[poff[kk] + h], the row's sign pattern of the chunk (see lutSigns).
func lutRowsGo(dw []float32, ld int, pat []uint8, poff []int, tab []float32, chunks, width int) {
	for kk, po := range poff {
		acc := dw[kk*ld:][:width]
		for h, m := range pat[po:][:chunks] {
			row := tab[(h*16+int(m))*ld:][:width]
			for o := range acc {
				acc[o] += row[o]
			}
		}
	}
}

// The sign patterns of x (lutSigns): the sign bits of x, one per value
// and 8 to a byte (lutSignBytesKernel), then the patterns of the 4 values
// from each position, a byte each, one array per position modulo 4
// (lutNibblesKernel), so that the rows read a byte per chunk instead of
// 4 values.
var (
	lutSignBytesKernel = impl.NewKernel(impls, lutSignBytesGo)
	lutNibblesKernel   = impl.NewKernel(impls, lutNibblesGo)
)

// lutSignBytesGo sets sb[i] bit t to the sign bit of x[8i + t], for the
// len(x)/8 whole bytes.
func lutSignBytesGo(sb []uint8, x []float32) {
	for i := range len(x) / 8 {
		b := uint8(0)
		for t, f := range x[8*i:][:8] {
			b |= uint8(math.Float32bits(f)>>31) << t
		}
		sb[i] = b
	}
}

// lutNibblesGo sets pat[φ·v + j] = the 4 bits of sb from bit 4j + φ on,
// for φ < 4 and j < v (v a multiple of 8; sb holds v/2 + 4 bytes).
func lutNibblesGo(pat, sb []uint8, v int) {
	for phi := range 4 {
		p := pat[phi*v:][:v]
		for j := 0; j < v; j += 8 {
			w := binary.LittleEndian.Uint64(sb[j/2:]) >> phi
			for t := range 8 {
				p[j+t] = uint8(w>>(4*t)) & 15
			}
		}
	}
}

// lutSigns sets sc.pat to the sign patterns of x: pat[φ·V + j] is the
// sign pattern of x[4j + φ : +4] (values past the end read as +0), so
// that the pattern of the 4 values from position p is
// pat[(p&3)·V + p>>2]. It returns V.
func (sc *lutScratch) lutSigns(x []float32) int {
	n := len(x)
	v := (n/4 + 2 + 7) &^ 7
	nsb := v/2 + 4
	if cap(sc.sb) < nsb {
		sc.sb = make([]uint8, nsb)
	}
	sb := sc.sb[:nsb]
	n8 := n / 8
	lutSignBytesKernel.Get()(sb, x[:8*n8])
	clear(sb[n8:])
	for t, f := range x[8*n8:] {
		sb[n8] |= uint8(math.Float32bits(f)>>31) << t
	}
	if cap(sc.pat) < 4*v {
		sc.pat = make([]uint8, 4*v)
	}
	sc.pat = sc.pat[:4*v]
	lutNibblesKernel.Get()(sc.pat, sb, v)
	return v
}

// lutScratch is a worker's scratch for the table product.
type lutScratch struct {
	tab  []float32 // the tables of a block of chunks
	corr []float32 // the correction, K²×Out
	tail []float32 // dy of the last, partial chunk, Out×4
	sb   []uint8   // the sign bits of x
	pat  []uint8   // the sign patterns of x (lutSigns)
	poff []int     // the rows' pattern offsets
	// lutCorrection's: the border columns, the border rows' sums and
	// the border columns' prefix sums
	cols   []int
	rowSum []float64
	pre    []float64
}

// lutProduct sets dw[kk·out + o] = β·dw[kk·out + o] + Σ_{q<nq}
// s(x[x0 + off[kk] + q])·dy[o·ldy + q] for kk < len(off), o < out, with s
// the sign (s(+0) = +1) and β 0 or 1, in the order the tables give (see
// above), reading the signs of x from sc.pat, set by sc.lutSigns(x) which
// returned v. The values of x up to x0 + off[kk] + nq must exist, and dy's
// up to (out−1)·ldy + nq.
func lutProduct(sc *lutScratch, dw []float32, out int, x []float32, v, x0 int, off []int, dy []float32, ldy, nq int, beta float32) {
	k := len(off)
	dw = dw[:k*out]
	if beta == 0 {
		clear(dw)
	}
	if k == 0 || out == 0 || nq == 0 {
		return
	}
	chunks := (nq + 3) / 4
	poff := sc.poff[:0]
	for _, of := range off {
		p := x0 + of
		if of < 0 || p+nq > len(x) {
			panic("nn: lutProduct: a row outside x")
		}
		po := (p&3)*v + p>>2
		_ = sc.pat[po+chunks-1] // the kernels do not check
		poff = append(poff, po)
	}
	sc.poff = poff
	// Panels of width channels, each over all rows while the tables of a
	// block of chunks are in cache: the block's tables of one panel fill
	// lutTableBytes.
	width := min(out, lutPanel)
	block := max(1, lutTableBytes/(16*4*width))
	tab := floats(&sc.tab, 16*out*block)
	tables, rows := lutTablesKernel.Get(), lutRowsKernel.Get()
	full := nq / 4
	for h0 := 0; h0 < full; h0 += block {
		n := min(block, full-h0)
		q0 := 4 * h0
		_ = dy[(out-1)*ldy+q0+4*n-1]
		tables(tab, dy[q0:], ldy, out, n)
		for c := 0; c < out; c += width {
			rows(dw[c:], out, sc.pat[h0:], poff, tab[c:], n, min(width, out-c))
		}
	}
	if r := nq - 4*full; r > 0 {
		// The last r positions, as a chunk of 4 whose dy is padded with
		// zeros: the padded positions add ±0 whatever their signs.
		ty := floats(&sc.tail, 4*out)
		clear(ty)
		for o := range out {
			copy(ty[o*4:][:r], dy[o*ldy+4*full:][:r])
		}
		tables(tab, ty, 4, out, 1)
		for c := 0; c < out; c += width {
			rows(dw[c:], out, sc.pat[full:], poff, tab[c:], 1, min(width, out-c))
		}
	}
}

// lutCorrection sets corr[(i·K + j)·Out + o] to the sum, in float64
// rounded once, of the output gradient dyp (channel o at o·S + origin +
// position) over the valid output positions of a group of g images whose
// window reaches a padding position at tap (i, j): the terms the tables
// counted with the +1 of a +0 code. Those positions lie within pad of the
// image's border: per channel it sums, over the images, the rows within
// pad of the top and bottom and the columns within pad of the left and
// right (then prefix sums down those columns), and each tap takes its rows
// whole and its columns over the rows it has not taken.
func lutCorrection(sc *lutScratch, corr []float32, gr grid, dyp []float32, out, kernel, g int) {
	h, w, p, r := gr.h, gr.w, gr.p, gr.r
	kk := kernel * kernel
	corr = corr[:kk*out]
	clear(corr)
	if p == 0 {
		return
	}
	// The border columns: c < p or c ≥ w − p (each once).
	cols := sc.cols[:0]
	for c := range w {
		if c < p || c >= w-p {
			cols = append(cols, c)
		}
	}
	sc.cols = cols
	nc := len(cols)
	if cap(sc.rowSum) < h {
		sc.rowSum = make([]float64, h)
	}
	if cap(sc.pre) < nc*(h+1) {
		sc.pre = make([]float64, nc*(h+1))
	}
	rs, pre := sc.rowSum[:h], sc.pre[:nc*(h+1)]
	for o := range out {
		plane := dyp[o*gr.s+gr.origin():]
		clear(rs)
		clear(pre)
		for n := range g {
			img := plane[n*(h+p)*r:]
			for y := range h {
				row := img[y*r:][:w]
				if y < p || y >= h-p {
					var t float64
					for _, v := range row {
						t += float64(v)
					}
					rs[y] += t
				}
				for ic, c := range cols {
					pre[ic*(h+1)+y+1] += float64(row[c])
				}
			}
		}
		for ic := range cols {
			pc := pre[ic*(h+1):][:h+1]
			for y := 1; y <= h; y++ {
				pc[y] += pc[y-1]
			}
		}
		for i := range kernel {
			di := i - p
			// The tap reads rows [lo, hi) inside the image.
			lo := min(h, max(0, -di))
			hi := max(lo, min(h, h-di))
			var tr float64
			for y := range lo {
				tr += rs[y]
			}
			for y := hi; y < h; y++ {
				tr += rs[y]
			}
			for j := range kernel {
				dj := j - p
				t := tr
				if hi > lo && dj != 0 {
					for ic, c := range cols {
						if c+dj < 0 || c+dj >= w {
							t += pre[ic*(h+1)+hi] - pre[ic*(h+1)+lo]
						}
					}
				}
				corr[(i*kernel+j)*out+o] = float32(t)
			}
		}
	}
}

// useLUT reports whether backwardGrid computes the weight gradient with the
// table product: a binary convolution whose grid holds codes (c.codes, or
// c.signIn on its float path), with the switch on, where the table
// product is the faster.
func (c *convCore) useLUT() bool {
	return (c.codes || c.signIn) && lutWeightGrad.Load() && 2*c.conv.Pad+1 == c.conv.Kernel && lutFastKernel.Get()(c.conv.Out)
}

// weightGradLUT is backwardGrid's p.dw product by tables, in sc's scratch: dWᵀ = β·dWᵀ +
// im2col(codes) · dYᵀ for a group of g images, nq output grid positions.
// The grid rows between images (pad of them after each image but the
// last) are junk positions, where dY is zero: the product skips them,
// taking the images' positions one image at a time.
func (c *convCore) weightGradLUT(p, sc *convPart, xp, dyp []float32, g, nq int, beta float32) {
	cv, gr := c.conv, c.grid
	dy := dyp[gr.origin():]
	span := gr.h * gr.r // an image's rows on the grid
	v := sc.lut.lutSigns(xp)
	for n := range g {
		q0 := n * (gr.h + gr.p) * gr.r
		lutProduct(&sc.lut, p.dw, cv.Out, xp, v, q0, c.off, dy[q0:], gr.s, min(span, nq-q0), beta)
		beta = 1
	}
	if cv.Pad == 0 {
		return
	}
	kk := cv.Kernel * cv.Kernel
	corr := floats(&sc.lut.corr, kk*cv.Out)
	lutCorrection(&sc.lut, corr, gr, dyp, cv.Out, cv.Kernel, g)
	for ci := range cv.In {
		rows := p.dw[ci*kk*cv.Out:][:kk*cv.Out]
		for t, v := range corr {
			rows[t] -= v
		}
	}
}
