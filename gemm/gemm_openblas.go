//go:build openblas

package gemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"

	"github.com/gradbench/gradbench/gemm/internal/openblas"
	"github.com/gradbench/gradbench/internal/parallel"
)

var impl = "openblas"

func init() {
	// The worker pool splits large products and runs one convolution image
	// group per core; OpenBLAS threads on top would oversubscribe the cores.
	openblas.SingleThreaded()
}

// blasCall splits one product into parts for the worker pool, each part a
// single-threaded OpenBLAS call on a block of rows or columns of C.
type blasCall struct {
	transA, transB   bool
	m, n, k          int
	alpha, beta      float32
	a, b, c          []float32
	lda, ldb, ldc    int
	splitRows        bool
	partSize, nparts int
}

var calls freeList[blasCall]

func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	p := 1
	if m*n*k >= minParallel {
		p = parallel.Workers()
	}
	if p == 1 {
		blasSgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	cl := calls.get()
	*cl = blasCall{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, splitRows: m > n}
	size, unit := n, 16
	if cl.splitRows {
		size = m
	}
	tiles := (size + unit - 1) / unit
	p = max(1, min(p, tiles))
	cl.partSize = (tiles + p - 1) / p * unit
	cl.nparts = (size + cl.partSize - 1) / cl.partSize
	parallel.For(cl.nparts, 1, 1, cl)
	cl.a, cl.b, cl.c = nil, nil, nil
	calls.put(cl)
}

// Do runs parts [lo, hi): it implements parallel.Job.
func (cl *blasCall) Do(lo, hi int) {
	for p := lo; p < hi; p++ {
		s0 := p * cl.partSize
		if cl.splitRows {
			rows := min(cl.m, s0+cl.partSize) - s0
			a := cl.a[s0:] // Aᵀ: columns s0.. of the stored k×m matrix
			if !cl.transA {
				a = cl.a[s0*cl.lda:]
			}
			blasSgemm(cl.transA, cl.transB, rows, cl.n, cl.k, cl.alpha, a, cl.lda, cl.b, cl.ldb, cl.beta, cl.c[s0*cl.ldc:], cl.ldc)
		} else {
			cols := min(cl.n, s0+cl.partSize) - s0
			b := cl.b[s0:]
			if cl.transB {
				b = cl.b[s0*cl.ldb:] // Bᵀ: rows s0.. of the stored n×k matrix
			}
			blasSgemm(cl.transA, cl.transB, cl.m, cols, cl.k, cl.alpha, cl.a, cl.lda, b, cl.ldb, cl.beta, cl.c[s0:], cl.ldc)
		}
	}
}

func blasSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc) // BLAS reads C even with beta = 0 in some paths; keep NaN out
		return
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if transB {
		tb = blas.Trans
	}
	netlib.Implementation{}.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// rowsEngines run the products with an operand given by row offsets (the
// convolutions of package nn) with the assembly kernels, which read that
// operand in place, where the CPU has them. Elsewhere the operand is
// copied out into a plain matrix for OpenBLAS.
var rowsEngines = asmEngines()

var rowsScratch freeList[[]float32]

func sgemmRows(m, n, k int, alpha float32, a, b operand, beta float32, c []float32, ldc int) {
	if len(rowsEngines) > 0 {
		rowsEngine(rowsEngines, a.off != nil, m, n).run(m, n, k, alpha, a, b, beta, c, ldc)
		return
	}
	buf := rowsScratch.get()
	defer rowsScratch.put(buf)
	x := a
	rows, cols := m, k
	if a.off == nil {
		x = b
		rows, cols = k, n
	}
	if cap(*buf) < rows*cols {
		*buf = make([]float32, rows*cols)
	}
	mat := (*buf)[:rows*cols]
	for r := range rows {
		copy(mat[r*cols:][:cols], x.data[x.off[r]:][:cols])
	}
	if a.off != nil {
		sgemm(false, b.trans, m, n, k, alpha, mat, max(1, k), b.data, b.ld, beta, c, ldc)
	} else {
		sgemm(a.trans, false, m, n, k, alpha, a.data, a.ld, mat, max(1, n), beta, c, ldc)
	}
}
