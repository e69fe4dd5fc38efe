//go:build openblas

package gemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"

	"github.com/gradbench/gradbench/gemm/internal/openblas"
	"github.com/gradbench/gradbench/internal/impl"
	"github.com/gradbench/gradbench/internal/parallel"
)

// The "openblas" implementation: Sgemm on OpenBLAS, and the row-offset
// products copied out for OpenBLAS where the CPU has no AVX2 kernels to
// read them in place (elsewhere they fall back to "avx2").
func init() {
	// The worker pool splits large products and runs one convolution image
	// group per core; OpenBLAS threads on top would oversubscribe the cores.
	openblas.SingleThreaded()
	impls.Add(impl.OpenBLAS, true, "")
	sgemmKernel.Add(impl.OpenBLAS, blasSgemmParallel)
	if !hasAVX2FMA {
		rowsKernel.Add(impl.OpenBLAS, blasRows)
	}
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

// blasSgemmParallel is Sgemm on OpenBLAS, a large product split over the
// worker pool.
func blasSgemmParallel(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
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
		// Not left to the library: the package's convention (alpha = 0
		// reads neither A nor B, beta = 0 not C) is kept here as the Go
		// paths keep it, whatever a BLAS does with these scalars.
		scaleC(m, n, beta, c, ldc)
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

var rowsScratch freeList[[]float32]

// blasRows is a product with an operand given by row offsets (the
// convolutions of package nn) on OpenBLAS: the operand is copied out into
// a plain matrix first.
func blasRows(m, n, k int, alpha float32, a, b operand, beta float32, c []float32, ldc int) {
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
		blasSgemmParallel(false, b.trans, m, n, k, alpha, mat, max(1, k), b.data, b.ld, beta, c, ldc)
	} else {
		blasSgemmParallel(a.trans, false, m, n, k, alpha, a.data, a.ld, mat, max(1, n), beta, c, ldc)
	}
}
