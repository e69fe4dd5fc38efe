//go:build !purego

package nn

import (
	"golang.org/x/sys/cpu"

	"github.com/gradbench/gradbench/internal/impl"
)

// The "avx2" implementation: the AVX2+FMA assembly loops of vec_amd64.s.
// The routines that take whole vectors only (n a multiple of 8) leave the
// last len%8 values to the portable loop.
func init() {
	impls.Add(impl.AVX2, cpu.X86.HasAVX2 && cpu.X86.HasFMA, "an amd64 CPU with AVX2 and FMA")
	sumSqKernel.Add(impl.AVX2, func(x []float32, k float32) (float32, float32) {
		if len(x) == 0 {
			return 0, 0
		}
		return sumSqAVX2(&x[0], len(x), k)
	})
	sumDotKernel.Add(impl.AVX2, func(dy, x []float32, mu float32) (float32, float32) {
		if len(dy) == 0 {
			return 0, 0
		}
		return sumDotAVX2(&dy[0], &x[0], len(dy), mu)
	})
	normalizeKernel.Add(impl.AVX2, func(dst, x []float32, mean, scale, beta float32) {
		if len(x) > 0 {
			normalizeAVX2(&dst[0], &x[0], len(x), mean, scale, beta)
		}
	})
	normAddKernel.Add(impl.AVX2, func(dst, x, add []float32, mean, scale, beta float32) {
		if len(x) > 0 {
			normalizeAddAVX2(&dst[0], &x[0], &add[0], len(x), mean, scale, beta)
		}
	})
	bnGradKernel.Add(impl.AVX2, func(dst, dy, x []float32, k, c1, kc2, mean float32) {
		if len(dst) > 0 {
			bnGradAVX2(&dst[0], &dy[0], &x[0], len(dst), k, c1, kc2, mean)
		}
	})
	addKernel.Add(impl.AVX2, func(dst, a, b []float32) {
		if len(dst) > 0 {
			addAVX2(&dst[0], &a[0], &b[0], len(dst))
		}
	})
	axpyKernel.Add(impl.AVX2, func(y []float32, a float32, x []float32) {
		n8 := len(y) &^ 7
		if n8 > 0 {
			axpyAVX2(&y[0], &x[0], n8, a)
		}
		axpyGo(y[n8:], a, x[n8:])
	})
	addCosMulKernel.Add(impl.AVX2, func(dt, t, dy []float32, k float32) {
		n8 := len(t) &^ 7
		if n8 > 0 {
			addCosMulAVX2(&dt[0], &t[0], &dy[0], n8, k)
		}
		addCosMulGo(dt[n8:], t[n8:], dy[n8:], k)
	})
	addNASinKernel.Add(impl.AVX2, func(dst, t, hid []float32, a, k float32) {
		n8 := len(t) &^ 7
		if n8 > 0 {
			addNASinAVX2(&dst[0], &t[0], &hid[0], n8, a, k)
		}
		addNASinGo(dst[n8:], t[n8:], hid[n8:], a, k)
	})
	dotAxpyKernel.Add(impl.AVX2, func(x, y, z []float32, a float32) float32 {
		n8 := len(x) &^ 7
		if n8 == 0 {
			return dotAxpyGo(x, y, z, a)
		}
		// The rest after the 8 lanes' sum, in order, and axpy's.
		s := dotAxpyAVX2(&x[0], &y[0], &z[0], n8, a)
		for i := n8; i < len(x); i++ {
			s += x[i] * y[i]
		}
		axpyGo(z[n8:], a, y[n8:])
		return s
	})
	dotCosKernel.Add(impl.AVX2, func(x, y, z, dy []float32, a, k float32) float32 {
		n8 := len(x) &^ 7
		if n8 == 0 {
			return dotAxpyCosGo(x, y, z, dy, a, k)
		}
		// The rest as dotAxpy's variant and addCosMul's take it.
		s := dotAxpyCosAVX2(&x[0], &y[0], &z[0], &dy[0], n8, a, k)
		for i := n8; i < len(x); i++ {
			s += x[i] * y[i]
		}
		axpyGo(z[n8:], a, y[n8:])
		addCosMulGo(z[n8:], x[n8:], dy[n8:], k)
		return s
	})
	copyRowsKernel.Add(impl.AVX2, func(dst []float32, ld int, src []float32, ls int, rows, w int) {
		if w < 4 {
			copyRowsGo(dst, ld, src, ls, rows, w)
			return
		}
		copyRowsAVX2(&dst[0], ld, &src[0], ls, rows, w) // copyRows checked the bounds
	})
	signRowsKernel.Add(impl.AVX2, func(dst []float32, ld int, src []float32, ls int, rows, w int) {
		if w < 4 {
			signRowsGo(dst, ld, src, ls, rows, w)
			return
		}
		signRowsAVX2(&dst[0], ld, &src[0], ls, rows, w) // signRows checked the bounds
	})
}

//go:noescape
func sumSqAVX2(x *float32, n int, k float32) (s1, s2 float32)

//go:noescape
func sumDotAVX2(dy, x *float32, n int, mu float32) (s1, s2 float32)

//go:noescape
func normalizeAVX2(dst, x *float32, n int, mean, scale, beta float32)

//go:noescape
func normalizeAddAVX2(dst, x, add *float32, n int, mean, scale, beta float32)

//go:noescape
func bnGradAVX2(dst, dy, x *float32, n int, k, c1, kc2, mean float32)

//go:noescape
func addAVX2(dst, a, b *float32, n int)

//go:noescape
func addCosMulAVX2(dt, t, dy *float32, n int, k float32)

//go:noescape
func addNASinAVX2(dst, t, hid *float32, n int, a, k float32)

//go:noescape
func dotAxpyAVX2(x, y, z *float32, n int, a float32) float32

//go:noescape
func dotAxpyCosAVX2(x, y, z, dy *float32, n int, a, k float32) float32

//go:noescape
func axpyAVX2(y, x *float32, n int, a float32)

// copyRowsAVX2 is copyRows for w >= 4 and rows >= 1.
//
//go:noescape
func copyRowsAVX2(dst *float32, ld int, src *float32, ls int, rows, w int)

// signRowsAVX2 is signRows for w >= 4 and rows >= 1.
//
//go:noescape
func signRowsAVX2(dst *float32, ld int, src *float32, ls int, rows, w int)

// The AVX2 variants of the phase grids' row kernels (vec.go): the
// assembly takes an even w >= 8; narrower rows go to the portable loop,
// and the last column of an odd w too.
func init() {
	splitRowsKernel.Add(impl.AVX2, func(even, odd []float32, ld int, src []float32, ls int, rows, w int) {
		if w < 8 {
			splitRowsGo(even, odd, ld, src, ls, rows, w)
			return
		}
		w2 := w &^ 1
		splitRowsAVX2(&even[0], &odd[0], ld, &src[0], ls, rows, w2) // splitRows checked the bounds
		if w2 < w {
			splitRowsGo(even[w2/2:], odd[w2/2:], ld, src[w2:], ls, rows, 1)
		}
	})
	splitSignRowsKernel.Add(impl.AVX2, func(even, odd []float32, ld int, src []float32, ls int, rows, w int) {
		if w < 8 {
			splitSignRowsGo(even, odd, ld, src, ls, rows, w)
			return
		}
		w2 := w &^ 1
		splitSignRowsAVX2(&even[0], &odd[0], ld, &src[0], ls, rows, w2)
		if w2 < w {
			splitSignRowsGo(even[w2/2:], odd[w2/2:], ld, src[w2:], ls, rows, 1)
		}
	})
	mergeRowsKernel.Add(impl.AVX2, func(dst []float32, ld int, even, odd []float32, ls int, rows, w int) {
		if w < 8 {
			mergeRowsGo(dst, ld, even, odd, ls, rows, w)
			return
		}
		w2 := w &^ 1
		mergeRowsAVX2(&dst[0], ld, &even[0], &odd[0], ls, rows, w2) // mergeRows checked the bounds
		if w2 < w {
			mergeRowsGo(dst[w2:], ld, even[w2/2:], odd[w2/2:], ls, rows, 1)
		}
	})
}

// splitRowsAVX2 is splitRows for an even w >= 8 and rows >= 1.
//
//go:noescape
func splitRowsAVX2(even, odd *float32, ld int, src *float32, ls int, rows, w int)

// splitSignRowsAVX2 is splitSignRows for an even w >= 8 and rows >= 1.
//
//go:noescape
func splitSignRowsAVX2(even, odd *float32, ld int, src *float32, ls int, rows, w int)

// mergeRowsAVX2 is mergeRows for an even w >= 8 and rows >= 1.
//
//go:noescape
func mergeRowsAVX2(dst *float32, ld int, even, odd *float32, ls int, rows, w int)
