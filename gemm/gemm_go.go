//go:build !openblas

package gemm

// engines are the blocked GEMMs Sgemm chooses from: one per assembly
// micro-kernel if the CPU runs any, else the portable one.
var engines = defaultEngines()

// impl is "go-avx2" with the assembly kernels, "go" without.
var impl = engines[0].kern.impl

func defaultEngines() []*blocked {
	if es := asmEngines(); len(es) > 0 {
		return es
	}
	return []*blocked{{kern: goKernel}}
}

func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	choose(engines, m, n).sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func sgemmRows(m, n, k int, alpha float32, a, b operand, beta float32, c []float32, ldc int) {
	rowsEngine(engines, a.off != nil, m, n).run(m, n, k, alpha, a, b, beta, c, ldc)
}
