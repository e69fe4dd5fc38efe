// Package gemm multiplies float32 matrices: the one kernel under every
// convolution and linear layer of the training engine.
//
// [Sgemm] computes C = alpha·op(A)·op(B) + beta·C on row-major matrices, with
// op(X) = X or Xᵀ, like BLAS's sgemm. Which implementation runs is fixed at
// build time and reported by [Impl]:
//
//   - "go" (the default): pure Go, builds anywhere. Blocked for the caches,
//     with packed panels and a register-blocked micro-kernel, split over
//     both... every core through internal/parallel.
//   - "simd": the same blocking with an AVX-512 micro-kernel, when built
//     with GOEXPERIMENT=simd on amd64 and the CPU has AVX-512 (else "go").
//   - "openblas": OpenBLAS's sgemm through gonum.org/v1/netlib, with the
//     build tag openblas (Debian/Ubuntu: apt-get install libopenblas-dev).
//
// # Threads
//
// All parallelism comes from internal/parallel's fixed worker pool: Sgemm
// splits a large product into column blocks, one per worker, and a call made
// from inside another parallel job (a convolution that already runs one
// image group per worker) runs on its caller alone. OpenBLAS's own threads
// would fight the pool for the same cores, so the openblas build sets
// OpenBLAS to one thread at start-up (openblas_set_num_threads(1)) and lets
// the pool split the work instead.
package gemm

import "fmt"

// Sgemm computes C = alpha·op(A)·op(B) + beta·C, where op(A) is m×k, op(B)
// is k×n and C is m×n, all row-major with leading dimensions (row strides)
// lda, ldb and ldc: op(A) = A (m×k, lda >= k) or, if transA, Aᵀ with A
// stored k×m (lda >= m); likewise for B. With beta = 0, C is not read, so it
// may hold anything (even NaN).
//
// Bad dimensions or short slices are programmer errors and panic.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Impl returns the name of the implementation in use: "go", "simd" or
// "openblas". Records and benchmark names carry it as gemm=<Impl()>.
func Impl() string { return impl }

// Ref is the reference implementation, the obvious triple loop, against
// which the fast ones are tested:
//
//	for i, j: s = Σ_p op(A)[i][p]·op(B)[p][j]; C[i][j] = alpha·s + beta·C[i][j]
//
// (with beta = 0, C[i][j] = alpha·s). It accumulates in float64.
func Ref(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			v := float64(alpha) * s
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(v)
		}
	}
}

// check panics unless the dimensions and slices describe valid matrices.
func check(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	need := func(name string, s []float32, rows, cols, ld int) {
		if ld < max(1, cols) {
			panic(fmt.Sprintf("gemm: ld%s = %d, want >= %d", name, ld, max(1, cols)))
		}
		if rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols {
			panic(fmt.Sprintf("gemm: len(%s) = %d, want >= %d for %dx%d with ld%s %d", name, len(s), (rows-1)*ld+cols, rows, cols, name, ld))
		}
	}
	need("a", a, ar, ac, lda)
	need("b", b, br, bc, ldb)
	need("c", c, m, n, ldc)
}
