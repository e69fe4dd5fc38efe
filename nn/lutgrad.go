package nn

import (
	"math"
	"sync/atomic"

	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/impl"
	"github.com/gradbench/gradbench/internal/parallel"
)

// The input gradient of a binary same convolution by table lookup (the
// "Four Russians" method). On the grid of convgrid.go the input gradient
// of a group is the product
//
//	xg[c][q] = Σ_{r<kd} wflip[c][r] · dyp[offDy[r] + q],  c < In, q < Nq,
//
// kd = Out·k·k, and for a binary convolution without weight noise
// adaptation wflip[c][(o,i,j)] = s_o·σ with σ = ±1. The reduction index r
// is cut into chunks of four consecutive r (the last one padded with terms
// of scale 0). For a column block of lutCols positions, each chunk h gets
// a table of the eight signed sums
//
//	T[h][p] = ((a₀ ± a₁) ± a₂) ± a₃,  a_b = fl(s_{o(4h+b)} · dyp[offDy[4h+b] + q]),
//
// bit b−1 of p set where the sign of a_b differs from that of a₀; then
// xg[c] = Σ_h ±T[h][p(c,h)], one add or subtract per chunk instead of four
// multiply-adds, the table lookups of every channel c sharing the tables.
// The tables are built for lutBlock chunks at a time (lutCols·8·lutBlock
// floats, in L1) and the sums carried through xg from block to block.
//
// Rounding: each term a_r·σ is rounded once in the product, in up to three
// additions of its table entry and in the ⌈kd/4⌉ additions of the sum
// over chunks (in chunk order, the first one to zero exact). Every term
// thus passes through at most n = ⌈kd/4⌉ + 4 roundings, and
//
//	|lut − exact| ≤ γ_n · Σ_r |wflip[c][r] · dyp[offDy[r] + q]|,  γ_n = n·u/(1−n·u), u = 2⁻²⁴,
//
// for finite values (lutBound; checked in lutgrad_test.go). That is
// tighter than the GEMM's γ_kd; the two differ in rounding, so the switch
// changes training bit for bit. A padding term is 0·dyp, NaN where dyp is
// infinite (the GEMM's sum is then infinite or NaN anyway).
//
// The portable loops (lutBuildGo, lutLookupGo), the AVX2 assembly
// (lutgrad_amd64.s) and the AVX-512 assembly (lutgrad512_amd64.s, four
// channels at a time so that sixteen accumulators hide the multiply-add's
// latency) compute the same sums in the same order. On the project
// machine (Zen 5, with full-width 512-bit units) the AVX-512 tables take
// about 0.90×, 0.69× and 0.53× the GEMM's time on resnet20's grid groups
// of 16, 32 and 64 channels, the AVX2 ones 1.17×, 0.90× and 0.70×
// (BenchmarkBinaryInputGrad; results/lut.md, made by results/lut.sh; on
// the Zen 4 before it the AVX2 ones took 0.8×, 0.6× and 0.5×). The
// lookups are bound by the L1 cache's vector loads, the building of the
// tables by its stores: the same bytes in either width, so the AVX-512
// build gains only about a tenth on the AVX2 one (BenchmarkLUTBuild), and
// at 16 channels, where each table serves the fewest lookups, the tables
// gain least.

// lutInputGrad switches binary same convolutions without weight noise
// adaptation to the table-lookup input gradient (where lutUsable); see
// SetBinaryBackward.
var lutInputGrad atomic.Bool

func init() {
	lutInputGrad.Store(true)
	lutWeightGrad.Store(true)
}

// SetBinaryBackward selects the backward products of binary same
// convolutions: the lookup tables (lut = true, the default) or the GEMM
// (false), the reference they are tested against. With the tables the
// input gradient of a layer without weight noise adaptation is the
// lookup of this file, and the weight gradient of a layer on the XNOR
// path (activations without noise adaptation) that of lutweights.go,
// where the selected implementation has kernels for the shape. They
// round differently from the GEMM (each within a bound stated and tested
// there), so the choice changes training in the last bits, like a change
// of GEMM; it is not a setting of a run and records do not carry it: runs
// are made with the default. It returns the previous setting (true if
// either product was on the tables). Do not call it while a network
// runs.
func SetBinaryBackward(lut bool) (prev bool) {
	a, b := lutInputGrad.Swap(lut), lutWeightGrad.Swap(lut)
	return a || b
}

// lutUsable reports whether the lookup beats the GEMM with the
// implementations selected. The assembly lookup of the default beats the
// GEMM's assembly on every resnet20 shape: "avx512" on the project machine
// (0.53–0.90×, above), "avx2" on the AVX2 machines where it is the default
// (0.5–0.8× on the Zen 4). "avx2" selected by hand on the Zen 5 takes
// 1.17× the GEMM at 16 channels (0.70–0.90× at 32 and 64); it keeps the
// lookup there too, so that its results stay those of an AVX2 machine.
// The portable loops beat the portable GEMM (1.6–2.4× on resnet20's
// shapes) but are ten times slower than the GEMM's assembly, which an
// nn.SetImpl("go") leaves in place.
func lutUsable() bool { return Impl() != impl.Go || gemm.Impl() == impl.Go }

const (
	lutCols  = 64 // positions per column block: 8 vectors of 8
	lutBlock = 8  // chunks per table block: 8·8·64 floats = 16 KB
	// lutEntry is the byte size of one table entry (lutCols floats), and
	// lutChunk that of one chunk's table.
	lutEntry = lutCols * 4
	lutChunk = 8 * lutEntry
)

// lutBuildKernel sets the tables of n chunks of a column block (see
// lutBuildGo); lutLookupKernel sums them into xg (see lutLookupGo).
var (
	lutBuildKernel  = impl.NewKernel(impls, lutBuildGo)
	lutLookupKernel = impl.NewKernel(impls, lutLookupGo)
)

// lutWeights is what the table lookup needs of the weights of one
// backward pass: per chunk h the im2col offsets off4[4h+b] of its terms
// and their scales sc4[4h+b], and per table block (from idxAt) and
// channel c, for each chunk of the block, the pair in idx of the byte
// offset of c's entry in the block's tables and the sign of its a₀ (the
// bits of a float32 ±1).
type lutWeights struct {
	ok     bool
	kd     int
	nch    int // chunks
	blocks [][2]int
	off4   []int32
	sc4    []float32
	idx    []int32
	idxAt  []int    // start of each block's lists in idx
	neg    []uint8  // scratch: the sign bits of the weights, In×4·nch
	index  lutIndex // prepare's job over the input channels
}

// lutIndexGrain is the fewest weights a chunk of prepare's job reads,
// enough to outlast the pool's hand-off.
const lutIndexGrain = 1 << 12

// prepare sets the tables' index for In channels of codes wq (Out×In×k×k,
// ±1) with scales s (per output channel) and the grid offsets offDy. It
// sets ok to false (use the GEMM) if a code is not ±1. The channels'
// lists, the bulk of the work, are set on the worker pool (lutIndex).
func (t *lutWeights) prepare(in, out, k int, wq, s []float32, offDy []int) {
	kk := k * k
	kd := out * kk
	t.kd = kd
	t.nch = (kd + 3) / 4
	nb := (t.nch + lutBlock - 1) / lutBlock
	h := (t.nch + nb - 1) / nb // chunks per block, balanced
	t.blocks = t.blocks[:0]
	t.idxAt = t.idxAt[:0]
	for h0 := 0; h0 < t.nch; h0 += h {
		t.blocks = append(t.blocks, [2]int{h0, min(t.nch, h0+h)})
		t.idxAt = append(t.idxAt, 2*in*h0) // each earlier chunk holds a pair per channel
	}
	t.off4 = grow32(t.off4, 4*t.nch)
	t.sc4 = floats(&t.sc4, 4*t.nch)
	for r := range 4 * t.nch {
		if r < kd {
			t.off4[r] = int32(offDy[r])
			t.sc4[r] = s[r/kk]
		} else {
			t.off4[r], t.sc4[r] = 0, 0
		}
	}
	t.idx = grow32(t.idx, 2*in*t.nch)
	if cap(t.neg) < in*4*t.nch {
		t.neg = make([]uint8, in*4*t.nch)
	}
	t.index = lutIndex{t: t, wq: wq, in: in, out: out, kk: kk}
	parallel.For(in, max(1, lutIndexGrain/kd), 1, &t.index)
	t.ok = !t.index.bad.Load()
	t.index = lutIndex{}
}

// lutIndex is the part of lutWeights.prepare that is per input channel c:
// the signs of c's row of wflip, wflip[c][(o·k+i)·k+j] = W[o][c][k-1-i][k-1-j]
// (0 for the padding terms), in c's row of neg, then c's pairs of idx in
// every block. Channels touch disjoint parts of neg and idx, so the result
// does not depend on how the pool splits them. bad records a code that is
// not ±1 (a NaN, or noise-adapted weights).
type lutIndex struct {
	t           *lutWeights
	wq          []float32
	in, out, kk int
	bad         atomic.Bool
}

// Do sets the lists of channels [lo, hi).
func (j *lutIndex) Do(lo, hi int) {
	t, in, kk := j.t, j.in, j.kk
	plus := int32(math.Float32bits(1)) // −1 is plus with the sign bit
	var bad uint32
	for c := lo; c < hi; c++ {
		row := t.neg[c*4*t.nch:][:4*t.nch]
		for o := range j.out {
			w := j.wq[(o*in+c)*kk:][:kk]
			for u := range kk {
				f := w[kk-1-u]
				row[o*kk+u] = uint8(math.Float32bits(f) >> 31)
				bad |= notCode(f)
			}
		}
		clear(row[t.kd:])
		for bi, b := range t.blocks {
			i := t.idxAt[bi] + 2*c*(b[1]-b[0])
			for hh := b[0]; hh < b[1]; hh++ {
				g := row[4*hh:][:4]
				p := int(g[1]^g[0]) | int(g[2]^g[0])<<1 | int(g[3]^g[0])<<2
				t.idx[i] = int32((hh-b[0])*lutChunk + p*lutEntry)
				t.idx[i+1] = plus | int32(g[0])<<31
				i += 2
			}
		}
	}
	if bad != 0 {
		j.bad.Store(true)
	}
}

func grow32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

// lutGrad sets xg (in rows of ldx) to the input gradient of the nq
// positions of a group from the padded output gradient dyp, with tab as
// scratch.
func (t *lutWeights) lutGrad(xg []float32, ldx, in, nq int, dyp []float32, tab *[]float32) {
	maxH := 0
	for _, b := range t.blocks {
		maxH = max(maxH, b[1]-b[0])
	}
	tb := floats(tab, maxH*lutChunk/4)
	// The last term read: dyp[off4 + q] for q < nq.
	var maxOff int32
	for _, o := range t.off4 {
		maxOff = max(maxOff, o)
	}
	_ = dyp[int(maxOff)+nq-1]
	_ = xg[(in-1)*ldx+nq-1]
	build, lookup := lutBuildKernel.Get(), lutLookupKernel.Get()
	w := lutCols
	if nq < lutCols {
		// Narrower than a column block: the portable loops, which take
		// any width.
		build, lookup, w = lutBuildGo, lutLookupGo, nq
	}
	for q0 := 0; q0 < nq; q0 += lutCols {
		// The last block overlaps the one before instead of a narrower
		// tail: it recomputes their common positions, to the same values.
		q := min(q0, nq-w)
		for bi, b := range t.blocks {
			build(tb, dyp[q:], t.off4[4*b[0]:4*b[1]], t.sc4[4*b[0]:4*b[1]], w)
			lookup(xg[q:], ldx, in, b[1]-b[0], t.idx[t.idxAt[bi]:], tb, bi == 0, w)
		}
	}
}

// lutBuildGo sets the tables of the len(off4)/4 chunks whose terms are
// a_b = sc4[4h+b]·dyp[off4[4h+b] + l] for positions l < w: chunk h, entry
// p at tab[(h·8 + p)·lutCols:], lane l.
func lutBuildGo(tab, dyp []float32, off4 []int32, sc4 []float32, w int) {
	for h := range len(off4) / 4 {
		o, s := off4[4*h:][:4], sc4[4*h:][:4]
		d0, d1, d2, d3 := dyp[o[0]:][:w], dyp[o[1]:][:w], dyp[o[2]:][:w], dyp[o[3]:][:w]
		e := tab[h*8*lutCols:][:8*lutCols]
		for l := range w {
			a0 := float32(s[0] * d0[l])
			a1 := float32(s[1] * d1[l])
			a2 := float32(s[2] * d2[l])
			a3 := float32(s[3] * d3[l])
			t0, t1 := a0+a1, a0-a1
			u0, u1, u2, u3 := t0+a2, t1+a2, t0-a2, t1-a2
			e[0*lutCols+l] = u0 + a3
			e[1*lutCols+l] = u1 + a3
			e[2*lutCols+l] = u2 + a3
			e[3*lutCols+l] = u3 + a3
			e[4*lutCols+l] = u0 - a3
			e[5*lutCols+l] = u1 - a3
			e[6*lutCols+l] = u2 - a3
			e[7*lutCols+l] = u3 - a3
		}
	}
}

// lutLookupGo adds to xg[c][l] (set it if first), for c < in and l < w,
// the sum of channel c's entries of the n chunks of one table block, in
// chunk order: idx holds per channel and chunk the byte offset in tab of
// the entry and the sign of a₀ (the bits of a float32 ±1). acc + (±1)·v
// is acc ± v, rounded once (the assembly's fused multiply-add computes it
// so).
func lutLookupGo(xg []float32, ldx, in, n int, idx []int32, tab []float32, first bool, w int) {
	for c := range in {
		row := xg[c*ldx:][:w]
		if first {
			clear(row)
		}
		for i := range n {
			e := tab[idx[2*i]/4:][:w]
			if idx[2*i+1] < 0 {
				for l, v := range e {
					row[l] -= v
				}
			} else {
				for l, v := range e {
					row[l] += v
				}
			}
		}
		idx = idx[2*n:]
	}
}
