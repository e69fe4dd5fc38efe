//go:build !openblas

package gemm

var impl = "go"

var fast = &blocked{kern: goKernel}

func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	fast.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
