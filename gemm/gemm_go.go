//go:build !openblas

package gemm

const impl = "go"

func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Ref(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
