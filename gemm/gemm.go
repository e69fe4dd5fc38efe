// Package gemm multiplies float32 matrices: the one kernel under every
// convolution and linear layer of the training engine.
//
// [Sgemm] computes C = alpha·op(A)·op(B) + beta·C on row-major matrices, with
// op(X) = X or Xᵀ, like BLAS's sgemm. [SgemmRowsA] and [SgemmRowsB] take one
// operand as a list of row offsets into shared storage, so that a
// convolution can multiply by an im2col matrix without building it.
//
// All three keep BLAS's conventions for zero scalars, under every
// implementation: with alpha = 0 (or k = 0) the product is not computed,
// so A and B are not read and NaN or ±Inf in them do not reach C (as
// 0·Inf = NaN would), and C becomes beta·C; with beta = 0 the old
// contents of C are not read, so NaN or Inf there do not reach the
// result (C = alpha·op(A)·op(B), or 0 when alpha = 0). Otherwise NaN and
// Inf propagate as IEEE arithmetic has them (TestZeroAlphaBeta).
//
// # Implementations
//
// Package gemm follows the kernel-selection convention of every gradbench
// package with alternative kernels (internal/impl): [Impl] names the
// implementation in use, [Impls] those this build and CPU can run, and
// [SetImpl] selects one, for tests and benchmarks that compare them. The
// default is the highest-ranked available:
//
//   - "go": blocked for the caches, with packed panels and a portable
//     scalar 4×2 micro-kernel; always available, and the only one under
//     the build tag purego or on other architectures.
//   - "avx2": the same blocking with Go-assembly micro-kernels of 6×16 and
//     4×24 floats (kernel_amd64.s), the one that pads the result least
//     chosen per call; amd64 CPUs with AVX2 and FMA, checked at start-up
//     with golang.org/x/sys/cpu. No cgo, no build flags.
//   - "avx512": the same with AVX-512F micro-kernels of 12×32, 8×48 and
//     12×16 floats (kernel512_amd64.s; 24 zmm accumulators, 12 for the
//     16-wide one), CPUs that also have AVX-512F (with the operating
//     system's support for its registers, which x/sys/cpu checks). Its
//     results are bit-identical to "avx2": both sum every element of C by
//     fused multiply-adds from zero in ascending depth within the same
//     depth blocks, and store every element, on full and edge tiles alike,
//     as C = acc + beta·C fused (or acc for beta = 0), so the tile shape
//     never changes a result (TestAVX512BitIdentical,
//     TestTrainingIdenticalAVX512).
//   - "openblas": OpenBLAS's sgemm through gonum.org/v1/netlib, with the
//     build tag openblas (Debian/Ubuntu: apt-get install libopenblas-dev).
//     It is a library, not a CPU feature: internal/impl ranks it above the
//     CPU's choices, since a build that links it asked for it, so it is
//     the default of that build and the others stay selectable for
//     comparison. SgemmRowsA and SgemmRowsB have no OpenBLAS variant on a
//     CPU with AVX2 and FMA: they fall back to the best assembly
//     implementation ("avx512" or "avx2"), whose kernels read the offset
//     operand in place; without AVX2 they copy that operand out into a
//     plain matrix for OpenBLAS.
//
// Records and benchmark names carry the choice as gemm=<Impl()>.
//
// Measured on the Zen 4 AMD EPYC with AVX-512 that was then the project
// machine (2 cores; results/gemm512.sh, medians of 5 alternated runs in
// results/gemm512.txt on the otherwise idle machine): a ResNet-20
// training step on both cores (BenchmarkTrainStep, batch 128) takes 150
// ms under "avx512" against 166 under "avx2" with STE, 213 against 243
// with FDA+NA; on one core the convolutions' row-offset products take
// 3-16% less time (only the largest significantly) and m=n=k=512 about
// the same, 2.70 ms against 2.73 (99 and 98 GFLOP/s).
// An earlier run of the same script on a 2-core Intel Xeon (Sapphire
// Rapids class; the file's history) found "avx512" 31-43% faster on the
// row-offset products and 1.50 ms against 2.42 at m=n=k=512. Earlier, on
// one Zen 4 core, the AVX2 kernels reached 95-100 GFLOP/s, OpenBLAS about
// 100, gonum's pure-Go Sgemm (gonum.org/v1/gonum/blas/gonum) 13-15, the
// portable kernel 6-7. There is no "simd"
// implementation: an archsimd 3×32 AVX-512 kernel (GOEXPERIMENT=simd)
// reached 57 GFLOP/s on that machine, short of the assembly, whose
// accumulators and fused multiply-adds into them the compiler's register
// allocation did not match.
//
// Results are deterministic on a given machine. The Go paths sum each
// entry of C over the depth in one fixed order whatever the number of
// threads (parallel parts split rows or columns of C, never the depth);
// OpenBLAS gets the same split of a given product on every run.
//
// # Threads
//
// All parallelism comes from internal/parallel's fixed worker pool: a large
// product is split into row or column blocks, one per worker, and a call
// made from inside another parallel job (a convolution that already runs
// one image group per worker) runs on its caller alone. OpenBLAS's own
// threads would fight the pool for the same cores, so the openblas build
// sets OpenBLAS to one thread at start-up and lets the pool split the work
// instead.
package gemm

import (
	"fmt"

	"github.com/gradbench/gradbench/internal/impl"
)

// impls is the package's choice of implementation (see Implementations in
// the package documentation); kernel_amd64.go and gemm_openblas.go add
// theirs in init functions.
var impls = impl.NewSet("gemm")

// The operations with alternatives: the plain product, and the products
// with an operand given by row offsets.
var (
	sgemmKernel = impl.NewKernel(impls, goEngines.sgemm)
	rowsKernel  = impl.NewKernel(impls, goEngines.rows)
)

// Impl returns the name of the implementation in use: "avx512", "avx2",
// "go" or "openblas" (see Implementations in the package documentation). Records
// and benchmark names carry it as gemm=<Impl()>.
func Impl() string { return impls.Impl() }

// Impls returns the names of the implementations this build and CPU can
// run, "go" first and the default last.
func Impls() []string { return impls.Impls() }

// SetImpl selects the implementation by name (one of Impls), for tests and
// benchmarks that compare them; the default needs no call. A name this
// build or CPU cannot run is an error. Do not call it while products run.
func SetImpl(name string) error { return impls.SetImpl(name) }

// Sgemm computes C = alpha·op(A)·op(B) + beta·C, where op(A) is m×k, op(B)
// is k×n and C is m×n, all row-major with leading dimensions (row strides)
// lda, ldb and ldc: op(A) = A (m×k, lda >= k) or, if transA, Aᵀ with A
// stored k×m (lda >= m); likewise for B. With beta = 0, C is not read, so it
// may hold anything (even NaN). With alpha = 0 or k = 0, A and B are not
// read (NaN or Inf in them has no effect) and C becomes beta·C, 0 for
// beta = 0, as in BLAS.
//
// Bad dimensions or short slices are programmer errors and panic.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	sgemmKernel.Get()(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmRowsA is Sgemm with the rows of A given by offsets: it computes
// C = alpha·A·op(B) + beta·C where row i of the m×k matrix A is
// a[aoff[i]:][:k] (rows may overlap), op(B) = B (k×n) or, if transB, Bᵀ
// with B stored n×k, all with leading dimensions as in Sgemm. It is the
// product with an im2col matrix without building it: with a zero-padded
// image in a, the rows of the im2col matrix are windows of the image at
// fixed offsets (the convolution weight gradient in package nn). alpha = 0
// and beta = 0 are as in Sgemm: A and B, or C, are not read.
//
// Bad dimensions, offsets or short slices are programmer errors and panic.
func SgemmRowsA(transB bool, m, n, k int, alpha float32, a []float32, aoff []int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkDims(m, n, k)
	checkRows("a", m, k, a, aoff)
	checkMat("b", transB, k, n, b, ldb)
	checkMat("c", false, m, n, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	rowsKernel.Get()(m, n, k, alpha, operand{data: a, off: aoff}, operand{data: b, ld: ldb, trans: transB}, beta, c, ldc)
}

// SgemmRowsB is Sgemm with the rows of B given by offsets: it computes
// C = alpha·op(A)·B + beta·C where row p of the k×n matrix B is
// b[boff[p]:][:n] (rows may overlap) and op(A) is as in Sgemm: the
// product of a weight matrix with an im2col matrix that is never built
// (the forward convolution in package nn). alpha = 0 and beta = 0 are as
// in Sgemm: A and B, or C, are not read.
//
// Bad dimensions, offsets or short slices are programmer errors and panic.
func SgemmRowsB(transA bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, boff []int, beta float32, c []float32, ldc int) {
	checkDims(m, n, k)
	checkMat("a", transA, m, k, a, lda)
	checkRows("b", k, n, b, boff)
	checkMat("c", false, m, n, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	rowsKernel.Get()(m, n, k, alpha, operand{data: a, ld: lda, trans: transA}, operand{data: b, off: boff}, beta, c, ldc)
}

// check panics unless the dimensions and slices describe valid matrices.
func check(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	checkDims(m, n, k)
	checkMat("a", transA, m, k, a, lda)
	checkMat("b", transB, k, n, b, ldb)
	checkMat("c", false, m, n, c, ldc)
}

func checkDims(m, n, k int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
}

// checkMat panics unless s holds op(X), rows×cols, stored with leading
// dimension ld (transposed: cols×rows).
func checkMat(name string, trans bool, rows, cols int, s []float32, ld int) {
	if trans {
		rows, cols = cols, rows
	}
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: ld%s = %d, want >= %d", name, ld, max(1, cols)))
	}
	if rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("gemm: len(%s) = %d, want >= %d for %dx%d with ld%s %d", name, len(s), (rows-1)*ld+cols, rows, cols, name, ld))
	}
}

// checkRows panics unless off holds the offsets of rows rows of cols
// values within s.
func checkRows(name string, rows, cols int, s []float32, off []int) {
	if len(off) < rows {
		panic(fmt.Sprintf("gemm: len(%soff) = %d, want >= %d", name, len(off), rows))
	}
	if cols == 0 {
		return
	}
	for r, o := range off[:rows] {
		if o < 0 || o+cols > len(s) {
			panic(fmt.Sprintf("gemm: %soff[%d] = %d: row of %d values outside len(%s) = %d", name, r, o, cols, name, len(s)))
		}
	}
}
