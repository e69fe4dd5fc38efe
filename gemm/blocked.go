package gemm

import (
	"sync"

	"github.com/gradbench/gradbench/internal/parallel"
)

// The blocked GEMM follows the loop structure of BLIS (Van Zee & van de
// Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS Functionality",
// ACM TOMS 2015): C is computed in column blocks of nc, the depth in blocks
// of kc, and rows in blocks of mc. Each kc×nc block of op(B) is packed into
// micro-panels of nr columns (kc×nr, contiguous, zero-padded), each mc×kc
// block of op(A) into micro-panels of mr rows (kc×mr, scaled by alpha),
// and a register-blocked micro-kernel multiplies one A micro-panel by one
// B micro-panel into an mr×nr tile of C. Packing makes the transposes free:
// the kernel always sees the same layout.
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
// where m <= mr and n <= nr trim the tile at the edges of C.
type kernel struct {
	name   string
	mr, nr int
	fn     func(k int, a, b []float32, beta float32, c []float32, ldc, m, n int)
}

// blocked is the pure-Go GEMM (or its SIMD variant) with kernel kern.
type blocked struct {
	kern kernel
	free []*call
	mu   sync.Mutex
}

// call holds one Sgemm call's arguments and a workspace per part; calls
// are recycled through blocked.free, so steady-state use allocates nothing.
type call struct {
	g                *blocked
	transA, transB   bool
	m, n, k          int
	alpha, beta      float32
	a, b, c          []float32
	lda, ldb, ldc    int
	splitRows        bool
	partSize, nparts int
	ws               []workspace
}

type workspace struct {
	ap, bp []float32
}

// minParallel is the number of multiply-adds below which a product runs on
// one core: below it, handing work to the pool costs more than it saves.
const minParallel = 1 << 16

func (g *blocked) sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	cl := g.get()
	*cl = call{g: g, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, ws: cl.ws}
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
	for len(cl.ws) < cl.nparts {
		cl.ws = append(cl.ws, workspace{})
	}
	parallel.For(cl.nparts, 1, 1, cl)
	g.put(cl)
}

func (g *blocked) get() *call {
	g.mu.Lock()
	defer g.mu.Unlock()
	if n := len(g.free); n > 0 {
		cl := g.free[n-1]
		g.free = g.free[:n-1]
		return cl
	}
	return new(call)
}

func (g *blocked) put(cl *call) {
	cl.a, cl.b, cl.c = nil, nil, nil
	g.mu.Lock()
	g.free = append(g.free, cl)
	g.mu.Unlock()
}

// Do computes parts [lo, hi) of C: it implements parallel.Job.
func (cl *call) Do(lo, hi int) {
	for p := lo; p < hi; p++ {
		if cl.splitRows {
			i0 := p * cl.partSize
			cl.block(&cl.ws[p], i0, min(cl.m, i0+cl.partSize), 0, cl.n)
		} else {
			j0 := p * cl.partSize
			cl.block(&cl.ws[p], 0, cl.m, j0, min(cl.n, j0+cl.partSize))
		}
	}
}

// block computes C[i0:i1, j0:j1].
func (cl *call) block(ws *workspace, i0, i1, j0, j1 int) {
	kern := cl.g.kern
	mr, nr := kern.mr, kern.nr
	if cap(ws.bp) < kc*(nc+nr) {
		ws.bp = make([]float32, kc*(nc+nr))
	}
	if cap(ws.ap) < kc*(mc+mr) {
		ws.ap = make([]float32, kc*(mc+mr))
	}
	for jc := j0; jc < j1; jc += nc {
		ncb := min(nc, j1-jc)
		for pc := 0; pc < cl.k; pc += kc {
			kcb := min(kc, cl.k-pc)
			beta := cl.beta
			if pc > 0 {
				beta = 1
			}
			packB(ws.bp, cl.b, cl.ldb, cl.transB, pc, kcb, jc, ncb, nr)
			for ic := i0; ic < i1; ic += mc {
				mcb := min(mc, i1-ic)
				packA(ws.ap, cl.a, cl.lda, cl.transA, ic, mcb, pc, kcb, mr, cl.alpha)
				for jr := 0; jr < ncb; jr += nr {
					bpan := ws.bp[jr*kcb:][:kcb*nr]
					nn := min(nr, ncb-jr)
					for ir := 0; ir < mcb; ir += mr {
						apan := ws.ap[ir*kcb:][:kcb*mr]
						mm := min(mr, mcb-ir)
						kern.fn(kcb, apan, bpan, beta, cl.c[(ic+ir)*cl.ldc+jc+jr:], cl.ldc, mm, nn)
					}
				}
			}
		}
	}
}

// packA packs rows [i0, i0+m) and depth [p0, p0+k) of alpha·op(A) into
// micro-panels of mr rows: panel r holds element (i, p) at r·k·mr + p·mr + i,
// rows past m zero.
func packA(dst, a []float32, lda int, trans bool, i0, m, p0, k, mr int, alpha float32) {
	for r := 0; r < m; r += mr {
		pan := dst[r*k:][:k*mr]
		rows := min(mr, m-r)
		if !trans {
			if rows == 3 && mr == 3 {
				// The SIMD kernel's panels: read three rows side by side
				// and write the panel in order.
				r0 := a[(i0+r)*lda+p0:][:k]
				r1 := a[(i0+r+1)*lda+p0:][:k]
				r2 := a[(i0+r+2)*lda+p0:][:k]
				pan := pan[:3*k]
				for p := range k {
					pan[3*p] = alpha * r0[p]
					pan[3*p+1] = alpha * r1[p]
					pan[3*p+2] = alpha * r2[p]
				}
				continue
			}
			if rows == 4 && mr == 4 {
				r0 := a[(i0+r)*lda+p0:][:k]
				r1 := a[(i0+r+1)*lda+p0:][:k]
				r2 := a[(i0+r+2)*lda+p0:][:k]
				r3 := a[(i0+r+3)*lda+p0:][:k]
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
				src := a[(i0+r+i)*lda+p0:][:k]
				for p, v := range src {
					pan[p*mr+i] = alpha * v
				}
			}
		} else {
			for p := range k {
				src := a[(p0+p)*lda+i0+r:][:rows]
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

// packB packs depth [p0, p0+k) and columns [j0, j0+n) of op(B) into
// micro-panels of nr columns: panel c holds element (p, j) at
// c·k·nr + p·nr + j, columns past n zero.
func packB(dst, b []float32, ldb int, trans bool, p0, k, j0, n, nr int) {
	for c := 0; c < n; c += nr {
		pan := dst[c*k:][:k*nr]
		cols := min(nr, n-c)
		if !trans {
			if cols == 32 && nr == 32 {
				// Whole panels of the SIMD kernel: array copies compile to
				// inline vector moves, where copy calls memmove per row.
				for p := range k {
					v := *(*[32]float32)(b[(p0+p)*ldb+j0+c:]) // via a local: no memmove call
					*(*[32]float32)(pan[p*32:]) = v
				}
				continue
			}
			for p := range k {
				copy(pan[p*nr:][:cols], b[(p0+p)*ldb+j0+c:][:cols])
				clear(pan[p*nr+cols : p*nr+nr])
			}
		} else {
			for j := range cols {
				src := b[(j0+c+j)*ldb+p0:][:k]
				for p, v := range src {
					pan[p*nr+j] = v
				}
			}
			if cols < nr {
				for p := range k {
					clear(pan[p*nr+cols : p*nr+nr])
				}
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
