package nn

// Elementwise loops of BatchNorm and the residual add. Each has the
// obvious Go loop as its reference (used on CPUs without AVX2 and FMA and
// on other architectures) and an AVX2+FMA assembly version on amd64
// (vec_amd64.s), cross-checked in vec_test.go. Both are deterministic; they
// round differently (the assembly sums in 16 lanes and fuses multiply-adds).

// sumSq returns Σ (x-k) and Σ (x-k)².
func sumSq(x []float32, k float32) (float32, float32) {
	if hasAVX2 && len(x) > 0 {
		return sumSqAVX2(&x[0], len(x), k)
	}
	return sumSq32(x, k)
}

// sumDot returns Σ dy and Σ dy·(x-mu).
func sumDot(dy, x []float32, mu float32) (float32, float32) {
	x = x[:len(dy)]
	if hasAVX2 && len(dy) > 0 {
		return sumDotAVX2(&dy[0], &x[0], len(dy), mu)
	}
	return sumDot32(dy, x, mu)
}

// normalize sets dst = (x - mean)·scale + beta. (Not x·scale + shift
// with shift = beta - mean·scale: for a channel whose mean is large
// against its spread, the rounding of mean·scale would swamp the result.)
func normalize(dst, x []float32, mean, scale, beta float32) {
	dst = dst[:len(x)]
	if hasAVX2 && len(x) > 0 {
		normalizeAVX2(&dst[0], &x[0], len(x), mean, scale, beta)
		return
	}
	for i, v := range x {
		dst[i] = (v-mean)*scale + beta
	}
}

// bnGrad sets dst = k·(dy - c1) - kc2·(x - mean): BatchNorm's input
// gradient in training mode.
func bnGrad(dst, dy, x []float32, k, c1, kc2, mean float32) {
	dy = dy[:len(dst)]
	x = x[:len(dst)]
	if hasAVX2 && len(dst) > 0 {
		bnGradAVX2(&dst[0], &dy[0], &x[0], len(dst), k, c1, kc2, mean)
		return
	}
	for i, v := range x {
		dst[i] = k*(dy[i]-c1) - kc2*(v-mean)
	}
}

// addTo sets dst = a + b.
func addTo(dst, a, b []float32) {
	if len(a) != len(dst) || len(b) != len(dst) {
		panic("nn: add: slice lengths differ")
	}
	if hasAVX2 && len(dst) > 0 {
		addAVX2(&dst[0], &a[0], &b[0], len(dst))
		return
	}
	b = b[:len(a)]
	for i, v := range a {
		dst[i] = v + b[i]
	}
}
