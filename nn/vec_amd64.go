//go:build !purego

package nn

import "golang.org/x/sys/cpu"

// hasAVX2 selects the AVX2+FMA assembly loops of vec_amd64.s for the
// elementwise layers; CPUs without them run the Go loops of vec.go.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func sumSqAVX2(x *float32, n int, k float32) (s1, s2 float32)

//go:noescape
func sumDotAVX2(dy, x *float32, n int, mu float32) (s1, s2 float32)

//go:noescape
func normalizeAVX2(dst, x *float32, n int, mean, scale, beta float32)

//go:noescape
func bnGradAVX2(dst, dy, x *float32, n int, k, c1, kc2, mean float32)

//go:noescape
func addAVX2(dst, a, b *float32, n int)

//go:noescape
func addSinAVX2(dst, t *float32, n int, k float32)

//go:noescape
func addCosMulAVX2(dt, t, dy *float32, n int, k float32)

//go:noescape
func axpyAVX2(y, x *float32, n int, a float32)

//go:noescape
func dotAVX2(x, y *float32, n int) float32
