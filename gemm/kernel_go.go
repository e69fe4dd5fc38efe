package gemm

// goKernel is the portable micro-kernel: a 4×4 tile of scalar
// accumulators, each packed value loaded once per depth step.
var goKernel = kernel{name: "go", mr: 4, nr: 4, fn: kernel4x4}

// kernels lists the micro-kernels this build can run on this CPU; tests
// cross-check each against the reference.
var kernels = []kernel{goKernel}

func kernel4x4(k int, a, b []float32, beta float32, c []float32, ldc, m, n int) {
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	a = a[:4*k]
	b = b[:4*k]
	for p := 0; p < 4*k; p += 4 {
		ap := a[p : p+4 : p+4]
		bp := b[p : p+4 : p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	acc := [16]float32{c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33}
	storeTile(acc[:], 4, beta, c, ldc, m, n)
}
