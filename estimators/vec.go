package estimators

// SIMD kernels. They stay nil in the default build; vec_amd64.go (built
// with GOEXPERIMENT=simd) sets them at start-up when the CPU has AVX-512.
// Each processes the longest prefix of whole 16-element vectors and returns
// its length; the portable loop then does the rest. TestVecMatchesScalar
// cross-checks every one against the portable loop.
var (
	signVec       func(dst, x []float32) int
	steVec        func(k *steKernel, dx, x, dy []float32) int
	approxSignVec func(dx, x, dy []float32) int
	dsqVec        func(k *dsqKernel, dx, x, dy []float32) int
	bnnPlusVec    func(k *bnnPlusKernel, dx, x, dy []float32) int
	edeVec        func(k *edeKernel, dx, x, dy []float32) int
	fdaVec        func(k *fdaKernel, dx, x, dy []float32) int

	// The learnable kernels also return the sum of the scalar's gradient
	// over the prefix they processed.
	dsqGradVec     func(k *dsqKernel, dx, x, dy []float32) (int, float64)
	bnnPlusGradVec func(k *bnnPlusKernel, dx, x, dy []float32) (int, float64)
)
