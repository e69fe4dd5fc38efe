package gemm

import (
	"github.com/gradbench/gradbench/internal/parallel"
)

// The blocked GEMM follows the loop structure of BLIS ("BLIS: A Framework
// for Rapidly Instantiating BLAS Functionality", ACM TOMS 2015): C is computed in column blocks of nc, the depth in blocks
// of at most kc, and rows in blocks of mc. Each kc×nc block of op(B) is
// packed into micro-panels of nr columns (kc×nr, contiguous, zero-padded),
// each mc×kc block of op(A) into micro-panels of mr rows (kc×mr, scaled by
// alpha), and a register-blocked micro-kernel multiplies one A micro-panel
// by one B micro-panel into an mr×nr tile of C. Packing makes the
// transposes free: the kernel always sees the same layout.
//
// Kernels with in-place variants skip the packing of an operand given by
// row offsets (SgemmRowsA, SgemmRowsB): their full tiles read its rows
// where they lie; only the edge tiles go through packed panels.
const (
	kc = 256
	mc = 96
	nc = 3072
)

// kernel multiplies packed micro-panels: for the mr×nr tile,
//
//	acc[i][j] = Σ_p a[p·mr+i]·b[p·nr+j],  p < k
//	C[i][j] = acc[i][j] + beta·C[i][j]  for i < m, j < n (beta = 0: C not read)
//
// where m <= mr and n <= nr trim the tile at the edges of C. The optional
// in-place variants compute full tiles (m = mr, n = nr) with the same
// order of operations as fn:
//
//	fnB: B row p is b[boff[p]:][:nr] (A packed as for fn)
//	fnA: A row i is a[aoff[i]:][:k] (B packed as for fn)
//
// A kernel with a store function computes full tiles only: the blocked
// loop computes each edge tile into a local tile with beta = 0 and stores
// its m×n corner with store (C = acc + beta·C, as the kernel's own store
// would); without one, fn takes the edges itself, and the in-place
// variants' edges go through storeTile.
//
// transpose8 makes packB transpose op(B) = Bᵀ in 8×8 blocks of assembly
// (the AVX2 kernels' build and CPU have it).
type kernel struct {
	name       string
	mr, nr     int
	fn         func(k int, a, b []float32, beta float32, c []float32, ldc, m, n int)
	fnB        func(k int, a, b []float32, boff []int, beta float32, c []float32, ldc int)
	fnA        func(k int, a []float32, aoff []int, b []float32, beta float32, c []float32, ldc int)
	store      func(acc []float32, nr int, beta float32, c []float32, ldc, m, n int)
	transpose8 bool
}

// storeEdge stores the m×n corner of an accumulator tile to C with the
// kernel's store.
func (k *kernel) storeEdge(acc []float32, beta float32, c []float32, ldc, m, n int) {
	if k.store != nil {
		k.store(acc, k.nr, beta, c, ldc, m, n)
	} else {
		storeTile(acc, k.nr, beta, c, ldc, m, n)
	}
}

// operand is an input matrix of a product: op(X) = X, or Xᵀ if trans,
// where row r of the stored X starts at data[r·ld], or at data[off[r]]
// if off is not nil (then trans is false).
type operand struct {
	data  []float32
	ld    int
	trans bool
	off   []int
}

// row returns the index in data of row r of the stored matrix.
func (x *operand) row(r int) int {
	if x.off != nil {
		return x.off[r]
	}
	return r * x.ld
}

// blocked is the blocked GEMM with micro-kernel kern.
type blocked struct {
	kern  kernel
	calls freeList[call]
}

// choose returns the engine whose micro-tiles cover the m×n result with
// the least padding (the first on ties).
func choose(es []*blocked, m, n int) *blocked {
	best, bestArea := es[0], -1
	for _, e := range es {
		mr, nr := e.kern.mr, e.kern.nr
		area := (m + mr - 1) / mr * mr * ((n + nr - 1) / nr * nr)
		if bestArea < 0 || area < bestArea {
			best, bestArea = e, area
		}
	}
	return best
}

// engines are the blocked GEMMs of one implementation, one per
// micro-kernel, among which each product picks.
type engines []*blocked

// newEngines returns the engines of the micro-kernels ks.
func newEngines(ks ...kernel) engines {
	es := make(engines, len(ks))
	for i, k := range ks {
		es[i] = &blocked{kern: k}
		spaceMR, spaceNR = max(spaceMR, k.mr), max(spaceNR, k.nr)
	}
	return es
}

// spaces recycles the packing workspaces of the products' parts, shared
// by every engine and sized for the largest micro-tiles (spaceMR×spaceNR)
// of any: a part takes one for its duration, so there are as many as
// parts ever ran at once, about one per core. The first part to find none
// free makes one for each of parallel.Workers(), so that a training loop
// allocates them all in its first step: made one at a time, the second
// core's would be made at whatever later step first ran two products at
// once, 3 MB (a kc×nc block of B) in the middle of a timed loop.
var (
	spaces           freeList[workspace]
	spaceMR, spaceNR int
)

// space returns a workspace for one part, sized.
func space() *workspace {
	ws := spaces.getOrMake(parallel.Workers())
	ws.size(spaceMR, spaceNR)
	return ws
}

// size allocates the workspace's buffers for micro-tiles up to mr×nr, if
// not yet done.
func (ws *workspace) size(mr, nr int) {
	if cap(ws.bp) < kc*(nc+nr) {
		ws.bp = make([]float32, kc*(nc+nr))
	}
	if cap(ws.ap) < kc*(mc+mr) {
		ws.ap = make([]float32, kc*(mc+mr))
	}
	if len(ws.tile) < mr*nr {
		ws.tile = make([]float32, mr*nr)
	}
}

// sgemm is Sgemm on the engine whose tiles pad the result least.
func (es engines) sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	choose(es, m, n).sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// rows is SgemmRowsA (a.off set) or SgemmRowsB (b.off set) on the engine
// rowsEngine picks.
func (es engines) rows(m, n, k int, alpha float32, a, b operand, beta float32, c []float32, ldc int) {
	rowsEngine(es, a.off != nil, m, n).run(m, n, k, alpha, a, b, beta, c, ldc)
}

// rowsEngine returns the engine for a product whose A (rowsA) or B operand
// is given by row offsets: of those whose kernel reads that operand in
// place, if any, the best by choose, else the best of all.
func rowsEngine(es []*blocked, rowsA bool, m, n int) *blocked {
	var direct [4]*blocked
	in := direct[:0]
	for _, e := range es {
		if rowsA && e.kern.fnA != nil || !rowsA && e.kern.fnB != nil {
			in = append(in, e)
		}
	}
	if len(in) > 0 {
		return choose(in, m, n)
	}
	return choose(es, m, n)
}

// call holds one product's arguments; calls are recycled through
// blocked.calls and their parts' workspaces through spaces, so
// steady-state use allocates nothing.
type call struct {
	g                *blocked
	m, n, k          int
	alpha, beta      float32
	a, b             operand
	c                []float32
	ldc              int
	directA, directB bool // read A (B) in place with kern.fnA (fnB)
	splitRows        bool
	partSize, nparts int
}

type workspace struct {
	ap, bp, tile []float32
}

// minParallel is the number of multiply-adds below which a product runs on
// one core: below it, handing work to the pool costs more than it saves.
const minParallel = 1 << 16

func (g *blocked) sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	g.run(m, n, k, alpha, operand{data: a, ld: lda, trans: transA}, operand{data: b, ld: ldb, trans: transB}, beta, c, ldc)
}

// run computes C = alpha·op(A)·op(B) + beta·C with op(A) m×k, op(B) k×n.
func (g *blocked) run(m, n, k int, alpha float32, a, b operand, beta float32, c []float32, ldc int) {
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	cl := g.get()
	*cl = call{g: g, m: m, n: n, k: k, alpha: alpha, beta: beta, a: a, b: b, c: c, ldc: ldc}
	cl.directA = a.off != nil && g.kern.fnA != nil
	cl.directB = b.off != nil && g.kern.fnB != nil
	p := 1
	if m*n*k >= minParallel {
		p = parallel.Workers()
	}
	// Split the larger of m and n, in whole micro-tiles.
	cl.splitRows = m > n
	size, unit := n, g.kern.nr
	if cl.splitRows {
		size, unit = m, g.kern.mr
	}
	tiles := (size + unit - 1) / unit
	p = max(1, min(p, tiles))
	cl.partSize = (tiles + p - 1) / p * unit
	cl.nparts = (size + cl.partSize - 1) / cl.partSize
	parallel.For(cl.nparts, 1, 1, cl)
	g.put(cl)
}

func (g *blocked) get() *call { return g.calls.get() }

func (g *blocked) put(cl *call) {
	cl.a, cl.b, cl.c = operand{}, operand{}, nil
	g.calls.put(cl)
}

// Do computes parts [lo, hi) of C: it implements parallel.Job.
func (cl *call) Do(lo, hi int) {
	ws := space()
	for p := lo; p < hi; p++ {
		if cl.splitRows {
			i0 := p * cl.partSize
			cl.block(ws, i0, min(cl.m, i0+cl.partSize), 0, cl.n)
		} else {
			j0 := p * cl.partSize
			cl.block(ws, 0, cl.m, j0, min(cl.n, j0+cl.partSize))
		}
	}
	spaces.put(ws)
}

// depthBlock returns the depth block size: k split into equal blocks of
// at most kc (k = 288 is two blocks of 144, not 256 and 32).
func depthBlock(k int) int {
	nb := (k + kc - 1) / kc
	return (k + nb - 1) / nb
}

// block computes C[i0:i1, j0:j1].
func (cl *call) block(ws *workspace, i0, i1, j0, j1 int) {
	kern := cl.g.kern
	mr, nr := kern.mr, kern.nr
	ws.size(mr, nr) // done in space, unless a kernel came after it
	// With A read in place, alpha scales the packed B panels instead.
	alphaA, alphaB := cl.alpha, float32(1)
	if cl.directA {
		alphaA, alphaB = 1, cl.alpha
	}
	kb := depthBlock(cl.k)
	ncMax := nc
	if cl.directB {
		// No B block to keep in cache: one column block, so that A is
		// packed once per depth block.
		ncMax = j1 - j0
	}
	for jc := j0; jc < j1; jc += ncMax {
		ncb := min(ncMax, j1-jc)
		for pc := 0; pc < cl.k; pc += kb {
			kcb := min(kb, cl.k-pc)
			beta := cl.beta
			if pc > 0 {
				beta = 1
			}
			if cl.directB {
				// Only the edge panel, if any, is packed, at the start.
				if full := ncb / nr * nr; full < ncb {
					packB(ws.bp, &cl.b, pc, kcb, jc+full, ncb-full, nr, 1, kern.transpose8)
				}
			} else {
				packB(ws.bp, &cl.b, pc, kcb, jc, ncb, nr, alphaB, kern.transpose8)
			}
			for ic := i0; ic < i1; ic += mc {
				mcb := min(mc, i1-ic)
				if cl.directA {
					if full := mcb / mr * mr; full < mcb {
						packA(ws.ap[full*kcb:], &cl.a, ic+full, mcb-full, pc, kcb, mr, 1)
					}
				} else {
					packA(ws.ap, &cl.a, ic, mcb, pc, kcb, mr, alphaA)
				}
				for jr := 0; jr < ncb; jr += nr {
					var bpan []float32
					if cl.directB {
						bpan = ws.bp[:kcb*nr]
					} else {
						bpan = ws.bp[jr*kcb:][:kcb*nr]
					}
					nn := min(nr, ncb-jr)
					for ir := 0; ir < mcb; ir += mr {
						apan := ws.ap[ir*kcb:][:kcb*mr]
						mm := min(mr, mcb-ir)
						ct := cl.c[(ic+ir)*cl.ldc+jc+jr:]
						switch {
						case cl.directA && mm == mr:
							// Edge columns: a full tile into ws.tile (the
							// packed B panel is zero-padded), then its corner.
							a, aoff := cl.a.data[pc:], cl.a.off[ic+ir:][:mr]
							if nn == nr {
								kern.fnA(kcb, a, aoff, bpan, beta, ct, cl.ldc)
							} else {
								kern.fnA(kcb, a, aoff, bpan, 0, ws.tile, nr)
								kern.storeEdge(ws.tile, beta, ct, cl.ldc, mm, nn)
							}
						case cl.directB && nn == nr:
							b, boff := cl.b.data[jc+jr:], cl.b.off[pc:][:kcb]
							if mm == mr {
								kern.fnB(kcb, apan, b, boff, beta, ct, cl.ldc)
							} else {
								kern.fnB(kcb, apan, b, boff, 0, ws.tile, nr)
								kern.storeEdge(ws.tile, beta, ct, cl.ldc, mm, nn)
							}
						case mm == mr && nn == nr || kern.store == nil:
							kern.fn(kcb, apan, bpan, beta, ct, cl.ldc, mm, nn)
						default:
							// Edge tile of a full-tile kernel (the packed
							// panels are zero-padded).
							kern.fn(kcb, apan, bpan, 0, ws.tile, nr, mr, nr)
							kern.storeEdge(ws.tile, beta, ct, cl.ldc, mm, nn)
						}
					}
				}
			}
		}
	}
}

// packA packs rows [i0, i0+m) and depth [p0, p0+k) of alpha·op(A) into
// micro-panels of mr rows: panel r holds element (i, p) at r·k·mr + p·mr + i,
// rows past m zero.
func packA(dst []float32, a *operand, i0, m, p0, k, mr int, alpha float32) {
	for r := 0; r < m; r += mr {
		pan := dst[r*k:][:k*mr]
		rows := min(mr, m-r)
		if !a.trans {
			if rows == 4 && mr == 4 {
				r0 := a.data[a.row(i0+r)+p0:][:k]
				r1 := a.data[a.row(i0+r+1)+p0:][:k]
				r2 := a.data[a.row(i0+r+2)+p0:][:k]
				r3 := a.data[a.row(i0+r+3)+p0:][:k]
				pan := pan[:4*k]
				for p := range k {
					pan[4*p] = alpha * r0[p]
					pan[4*p+1] = alpha * r1[p]
					pan[4*p+2] = alpha * r2[p]
					pan[4*p+3] = alpha * r3[p]
				}
				continue
			}
			for i := range rows {
				src := a.data[a.row(i0+r+i)+p0:][:k]
				for p, v := range src {
					pan[p*mr+i] = alpha * v
				}
			}
		} else {
			for p := range k {
				src := a.data[(p0+p)*a.ld+i0+r:][:rows]
				d := pan[p*mr:][:mr]
				for i, v := range src {
					d[i] = alpha * v
				}
			}
		}
		if rows < mr {
			for p := range k {
				clear(pan[p*mr+rows : p*mr+mr])
			}
		}
	}
}

// packB packs depth [p0, p0+k) and columns [j0, j0+n) of alpha·op(B) into
// micro-panels of nr columns: panel c holds element (p, j) at
// c·k·nr + p·nr + j, columns past n zero. With t8, a transposed B is
// packed in 8×8 blocks by the assembly transpose8.
func packB(dst []float32, b *operand, p0, k, j0, n, nr int, alpha float32, t8 bool) {
	for c := 0; c < n; c += nr {
		pan := dst[c*k:][:k*nr]
		cols := min(nr, n-c)
		if !b.trans {
			for p := range k {
				src := b.data[b.row(p0+p)+j0+c:][:cols]
				d := pan[p*nr:][:nr]
				if alpha == 1 {
					copy(d, src)
				} else {
					for j, v := range src {
						d[j] = alpha * v
					}
				}
				clear(d[cols:])
			}
			continue
		}
		j := 0
		if k8 := k &^ 7; t8 && alpha == 1 && k8 > 0 {
			// Eight columns at a time in 8×8 blocks, the rest of the
			// depth below.
			for ; j+8 <= cols; j += 8 {
				src := b.data[(j0+c+j)*b.ld+p0:]
				_ = src[7*b.ld+k8-1]
				_ = pan[(k8-1)*nr+j+7]
				transpose8(&pan[j], nr, &src[0], b.ld, k8)
				for jj := range 8 {
					for p, v := range src[jj*b.ld+k8 : jj*b.ld+k] {
						pan[(k8+p)*nr+j+jj] = v
					}
				}
			}
		}
		for ; j < cols; j++ {
			src := b.data[(j0+c+j)*b.ld+p0:][:k]
			for p, v := range src {
				pan[p*nr+j] = alpha * v
			}
		}
		if cols < nr {
			for p := range k {
				clear(pan[p*nr+cols : p*nr+nr])
			}
		}
	}
}

// scaleC sets C = beta·C (C = 0 for beta = 0, without reading C).
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	for i := range m {
		row := c[i*ldc:][:n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// storeTile writes an mr×nr accumulator tile (row-major in acc) to the m×n
// corner of C: C = acc + beta·C.
func storeTile(acc []float32, nr int, beta float32, c []float32, ldc, m, n int) {
	for i := range m {
		row := c[i*ldc:][:n]
		src := acc[i*nr:][:n]
		if beta == 0 {
			copy(row, src)
			continue
		}
		for j, v := range src {
			row[j] = v + beta*row[j]
		}
	}
}
