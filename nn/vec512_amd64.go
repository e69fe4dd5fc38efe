//go:build !purego

package nn

import "github.com/gradbench/gradbench/internal/impl"

// The AVX-512 variants of the noise adaptation's sine and cosine loops and
// of axpy (vec512_amd64.s), registered under "avx512" (avx512_amd64.go
// says when it is available). They are bit for bit their AVX2 twins: the
// assembly takes the same n (a multiple of 8) and the portable loops the
// same last len%8 values. On the project machine (Zen 5) they take about
// half (the sine and cosine loops) and 0.7 times (axpy) the AVX2 loops'
// time on 784-value rows (BenchmarkVecKernels). Each is written out like
// its AVX2 twin rather than built with it by one function taking the
// routine as a func value: that calls the routine indirectly, through its
// ABI wrapper, about 1 ns more a call (5% on 49-value rows).
func init() {
	addCosMulKernel.Add(impl.AVX512, func(dt, t, dy []float32, k float32) {
		n8 := len(t) &^ 7
		if n8 > 0 {
			addCosMulAVX512(&dt[0], &t[0], &dy[0], n8, k)
		}
		addCosMulGo(dt[n8:], t[n8:], dy[n8:], k)
	})
	addNASinKernel.Add(impl.AVX512, func(dst, t, hid []float32, a, k float32) {
		n8 := len(t) &^ 7
		if n8 > 0 {
			addNASinAVX512(&dst[0], &t[0], &hid[0], n8, a, k)
		}
		addNASinGo(dst[n8:], t[n8:], hid[n8:], a, k)
	})
	dotCosKernel.Add(impl.AVX512, func(x, y, z, dy []float32, a, k float32) float32 {
		n8 := len(x) &^ 7
		if n8 == 0 {
			return dotAxpyCosGo(x, y, z, dy, a, k)
		}
		s := dotAxpyCosAVX512(&x[0], &y[0], &z[0], &dy[0], n8, a, k)
		for i := n8; i < len(x); i++ {
			s += x[i] * y[i]
		}
		axpyGo(z[n8:], a, y[n8:])
		addCosMulGo(z[n8:], x[n8:], dy[n8:], k)
		return s
	})
	axpyKernel.Add(impl.AVX512, func(y []float32, a float32, x []float32) {
		n8 := len(y) &^ 7
		if n8 > 0 {
			axpyAVX512(&y[0], &x[0], n8, a)
		}
		axpyGo(y[n8:], a, x[n8:])
	})
}

// Each AVX-512 loop takes its AVX2 twin's arguments, which vec_amd64.h
// loads for both: each pair below has one type, so that a declaration
// that drifted from its twin's would not compile.
var (
	_ = [...]func(dt, t, dy *float32, n int, k float32){addCosMulAVX2, addCosMulAVX512}
	_ = [...]func(dst, t, hid *float32, n int, a, k float32){addNASinAVX2, addNASinAVX512}
	_ = [...]func(x, y, z, dy *float32, n int, a, k float32) float32{dotAxpyCosAVX2, dotAxpyCosAVX512}
	_ = [...]func(y, x *float32, n int, a float32){axpyAVX2, axpyAVX512}
)

//go:noescape
func addCosMulAVX512(dt, t, dy *float32, n int, k float32)

//go:noescape
func addNASinAVX512(dst, t, hid *float32, n int, a, k float32)

//go:noescape
func dotAxpyCosAVX512(x, y, z, dy *float32, n int, a, k float32) float32

//go:noescape
func axpyAVX512(y, x *float32, n int, a float32)
