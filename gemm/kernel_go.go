package gemm

// goKernel is the portable micro-kernel: a 4×2 tile of scalar
// accumulators. Scalar code is bound by the Go compiler's 15 usable float
// registers: measured on one Zen 4 core (m=128, n=k=256), 4×2 6.2
// GFLOP/s, 3×3 4.9, 1×8 4.7, 4×1 4.8, 2×4 4.0, 4×4 (which spills) 3.9.
var goKernel = kernel{name: "go", mr: 4, nr: 2, fn: kernel4x2}

// goEngines are the engines of the "go" implementation.
var goEngines = newEngines(goKernel)

// kernels lists the micro-kernels this build can run on this CPU, the
// portable one first; tests cross-check each against the reference.
var kernels = append([]kernel{goKernel}, archKernels()...)

// kernel4x2 is the micro-kernel contract of kernel.fn, unrolled.
func kernel4x2(k int, a, b []float32, beta float32, c []float32, ldc, m, n int) {
	var c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1 float32
	a = a[:4*k]
	b = b[:2*k]
	for p := range k {
		ap := a[4*p : 4*p+4 : 4*p+4]
		bp := b[2*p : 2*p+2 : 2*p+2]
		a0 := ap[0]
		a1 := ap[1]
		a2 := ap[2]
		a3 := ap[3]
		b0 := bp[0]
		c0_0 += a0 * b0
		c1_0 += a1 * b0
		c2_0 += a2 * b0
		c3_0 += a3 * b0
		b1 := bp[1]
		c0_1 += a0 * b1
		c1_1 += a1 * b1
		c2_1 += a2 * b1
		c3_1 += a3 * b1
	}
	acc := [8]float32{c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1}
	storeTile(acc[:], 2, beta, c, ldc, m, n)
}
