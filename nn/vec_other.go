//go:build !amd64 || purego

package nn

// hasAVX2 is false: other architectures (and the purego build tag) run the
// Go loops of vec.go.
const hasAVX2 = false

func sumSqAVX2(x *float32, n int, k float32) (s1, s2 float32)         { panic("nn: no AVX2") }
func sumDotAVX2(dy, x *float32, n int, mu float32) (s1, s2 float32)   { panic("nn: no AVX2") }
func normalizeAVX2(dst, x *float32, n int, mean, scale, beta float32) { panic("nn: no AVX2") }
func bnGradAVX2(dst, dy, x *float32, n int, k, c1, kc2, mean float32) { panic("nn: no AVX2") }
func addAVX2(dst, a, b *float32, n int)                               { panic("nn: no AVX2") }

func addSinAVX2(dst, t *float32, n int, k float32)       { panic("nn: no AVX2") }
func addCosMulAVX2(dt, t, dy *float32, n int, k float32) { panic("nn: no AVX2") }
func axpyAVX2(y, x *float32, n int, a float32)           { panic("nn: no AVX2") }
func dotAVX2(x, y *float32, n int) float32               { panic("nn: no AVX2") }
