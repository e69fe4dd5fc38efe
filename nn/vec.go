package nn

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

// Elementwise loops of BatchNorm, the residual add, the noise adaptation
// module, and the row copies of the convolutions' grids (copyRows,
// signRows). Each has the obvious Go loop as its portable
// implementation and an AVX2+FMA assembly version on amd64 (vec_amd64.s),
// cross-checked in vec_test.go. Both are deterministic; they round
// differently (the assembly sums in 8 or 16 lanes and fuses multiply-adds).
//
// The noise adaptation's sine and cosine loops (addNASin, addCosMul,
// dotAxpyCos) and axpy also have an AVX-512 version (vec512_amd64.s),
// bit for bit the AVX2 one: the same operations on each value on 16
// lanes instead of 8, and dotAxpyCos's sum kept in the AVX2 loop's 8
// lanes (TestImplsBitIdentical checks it). The other loops run their AVX2
// version under "avx512": BatchNorm's and the residual add's stream maps
// larger than L2, the row copies are as fast with ymm vectors on whole
// maps, and the sums of sumSq, sumDot and dotAxpy are bound by the
// latency of their accumulators, whose partition into partial sums a
// wider vector could not change without changing the results
// (BenchmarkVecKernels and BenchmarkRows measure them).

// impls is the package's choice of implementation for these loops, the
// internal/impl convention every package with alternative kernels follows:
// "go" (the loops of this package) everywhere, "avx2" (vec_amd64.s) on
// amd64 CPUs with AVX2 and FMA, which vec_amd64.go adds, and "avx512"
// (vec512_amd64.s for the loops above, lutgrad512_amd64.s and
// lutweights512_amd64.s for the lookup tables' input gradient and rows,
// the AVX2 ones for the rest) on those with AVX-512 too, which
// avx512_amd64.go adds.
var impls = impl.NewSet("nn")

// Impl returns the name of the implementation of the elementwise loops in
// use: "avx512" (Go assembly, on amd64 CPUs with AVX-512 F, BW and VL,
// AVX2 and FMA), "avx2" (Go assembly, on amd64 CPUs with AVX2 and FMA),
// both without the build tag purego, or "go" (portable loops). The
// convolutions and matrix products are package gemm's (gemm.Impl).
func Impl() string { return impls.Impl() }

// Impls returns the names of the implementations this build and CPU can
// run, "go" first and the default last.
func Impls() []string { return impls.Impls() }

// SetImpl selects the implementation by name (one of Impls), for tests and
// benchmarks that compare them; the default needs no call. A name this
// build or CPU cannot run is an error. Do not call it while layers run.
func SetImpl(name string) error { return impls.SetImpl(name) }

// The loops with alternatives; vec_amd64.go adds their AVX2 variants,
// vec512_amd64.go the AVX-512 ones of some.
var (
	sumSqKernel     = impl.NewKernel(impls, sumSq32)
	sumDotKernel    = impl.NewKernel(impls, sumDot32)
	normalizeKernel = impl.NewKernel(impls, normalizeGo)
	normAddKernel   = impl.NewKernel(impls, normalizeAddGo)
	bnGradKernel    = impl.NewKernel(impls, bnGradGo)
	addKernel       = impl.NewKernel(impls, addGo)
	axpyKernel      = impl.NewKernel(impls, axpyGo)
	addCosMulKernel = impl.NewKernel(impls, addCosMulGo)
	addNASinKernel  = impl.NewKernel(impls, addNASinGo)
	dotAxpyKernel   = impl.NewKernel(impls, dotAxpyGo)
	dotCosKernel    = impl.NewKernel(impls, dotAxpyCosGo)
	copyRowsKernel  = impl.NewKernel(impls, copyRowsGo)
	signRowsKernel  = impl.NewKernel(impls, signRowsGo)
)

// BatchNorm (batchnorm.go) calls its five kernels above (sumSqKernel to
// bnGradKernel) directly, one Get per job; the tests call them through
// the wrappers of vec_test.go (sumSq, sumDot, normalize, normalizeAdd,
// bnGrad).

// normalizeGo sets dst = (x - mean)·scale + beta. (Not x·scale + shift
// with shift = beta - mean·scale: for a channel whose mean is large
// against its spread, the rounding of mean·scale would swamp the result.)
func normalizeGo(dst, x []float32, mean, scale, beta float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = (v-mean)*scale + beta
	}
}

// normalizeAddGo sets dst = ((x - mean)·scale + beta) + add:
// normalizeGo's value, rounded to float32, then the addition, so bit for
// bit normalizeGo followed by addGo.
func normalizeAddGo(dst, x, add []float32, mean, scale, beta float32) {
	dst = dst[:len(x)]
	add = add[:len(x)]
	for i, v := range x {
		// The conversion rounds normalize's value before the addition
		// (the spec lets a conversion end a fused operation).
		dst[i] = float32((v-mean)*scale+beta) + add[i]
	}
}

// bnGradGo sets dst = k·(dy - c1) - kc2·(x - mean): BatchNorm's input
// gradient in training mode.
func bnGradGo(dst, dy, x []float32, k, c1, kc2, mean float32) {
	dy = dy[:len(dst)]
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = k*(dy[i]-c1) - kc2*(v-mean)
	}
}

// addTo sets dst = a + b.
func addTo(dst, a, b []float32) {
	if len(a) != len(dst) || len(b) != len(dst) {
		panic("nn: add: slice lengths differ")
	}
	addKernel.Get()(dst, a, b)
}

func addGo(dst, a, b []float32) {
	b = b[:len(a)]
	dst = dst[:len(a)]
	for i, v := range a {
		dst[i] = v + b[i]
	}
}

// axpy adds a·x to y.
func axpy(y []float32, a float32, x []float32) { axpyKernel.Get()(y, a, x[:len(y)]) }

// axpyGo is axpy's portable loop.
func axpyGo(y []float32, a float32, x []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += a * x[i]
	}
}

// dotGo is the sum of dotAxpy's portable variant, with four
// accumulators.
func dotGo(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// addCosMul adds k·dy·cos32(t) to dt.
func addCosMul(dt, t, dy []float32, k float32) {
	addCosMulKernel.Get()(dt[:len(t)], t, dy[:len(t)], k)
}

// addNASin adds a·hid, then k·sin32(t), to dst: bit for bit axpy, then
// the shortcut's addition, in one pass over dst instead of two (noise
// adaptation's forwardImage).
func addNASin(dst, t, hid []float32, a, k float32) {
	addNASinKernel.Get()(dst[:len(t)], t, hid[:len(t)], a, k)
}

func addNASinGo(dst, t, hid []float32, a, k float32) {
	axpyGo(dst, a, hid)
	addSinGo(dst, t, k)
}

// dotAxpy returns Σ x·y and adds a·y to z, in one pass over y (noise
// adaptation's backwardImage, which needs both of each row it reads).
func dotAxpy(x, y, z []float32, a float32) float32 {
	return dotAxpyKernel.Get()(x, y[:len(x)], z[:len(x)], a)
}

func dotAxpyGo(x, y, z []float32, a float32) float32 {
	s := dotGo(x, y)
	axpyGo(z, a, y)
	return s
}

// dotAxpyCos returns Σ x·y and adds a·y, then k·dy·cos32(x), to z:
// bit for bit dotAxpy then addCosMul(z, x, dy, k), in one pass over z
// (noise adaptation's backwardImage, x being the module's input).
func dotAxpyCos(x, y, z, dy []float32, a, k float32) float32 {
	return dotCosKernel.Get()(x, y[:len(x)], z[:len(x)], dy[:len(x)], a, k)
}

func dotAxpyCosGo(x, y, z, dy []float32, a, k float32) float32 {
	s := dotAxpyGo(x, y, z, a)
	addCosMulGo(z, x, dy, k)
	return s
}

// code returns the binary code of v, q(v) = −1 if v < 0 else +1, so
// q(−0) = +1 like every estimator's Forward. (Forward gives NaN for NaN;
// the callers pass no NaN: a layer whose input holds one takes the float
// path, see BinaryConv2d.Forward.)
func code(v float32) float32 {
	b := uint32(0x3f800000) // +1
	if v < 0 {
		b = 0xbf800000 // −1, selected without a branch: the signs are random
	}
	return math.Float32frombits(b)
}

// signRows is copyRows writing the codes q(v) of the values (see code):
// rows rows of w values from src (row stride ls) to dst (row stride ld).
func signRows(dst []float32, ld int, src []float32, ls int, rows, w int) {
	if checkRows(dst, ld, src, ls, rows, w) {
		signRowsKernel.Get()(dst, ld, src, ls, rows, w)
	}
}

// checkRows reports whether copyRows or signRows has anything to do,
// after checking that dst and src hold every value it touches (the
// assembly kernels do not check).
func checkRows(dst []float32, ld int, src []float32, ls int, rows, w int) bool {
	if rows == 0 || w == 0 {
		return false
	}
	_ = dst[(rows-1)*ld+w-1]
	_ = src[(rows-1)*ls+w-1]
	return true
}

func signRowsGo(dst []float32, ld int, src []float32, ls int, rows, w int) {
	for y := range rows {
		d, s := dst[y*ld:][:w], src[y*ls:][:w]
		for i, v := range s {
			d[i] = code(v)
		}
	}
}

// The row kernels of the stride-2 phase grids (convphase.go), which split
// each input row into the phase planes of its even and its odd columns
// (splitRows, splitSignRows) and merge the input gradient back
// (mergeRows); vec_amd64.go adds their AVX2 variants.
var (
	splitRowsKernel     = impl.NewKernel(impls, splitRowsGo)
	splitSignRowsKernel = impl.NewKernel(impls, splitSignRowsGo)
	mergeRowsKernel     = impl.NewKernel(impls, mergeRowsGo)
)

// splitRows copies rows rows of w values from src (row stride ls), the
// values of even columns to even and those of odd columns to odd (row
// stride ld both): even[y·ld + t] = src[y·ls + 2t] for 2t < w,
// odd[y·ld + t] = src[y·ls + 2t + 1] for 2t + 1 < w.
func splitRows(even, odd []float32, ld int, src []float32, ls int, rows, w int) {
	if checkSplit(even, odd, ld, src, ls, rows, w) {
		splitRowsKernel.Get()(even, odd, ld, src, ls, rows, w)
	}
}

// splitSignRows is splitRows writing the codes q(v) of the values (see
// code).
func splitSignRows(even, odd []float32, ld int, src []float32, ls int, rows, w int) {
	if checkSplit(even, odd, ld, src, ls, rows, w) {
		splitSignRowsKernel.Get()(even, odd, ld, src, ls, rows, w)
	}
}

// mergeRows is the inverse of splitRows: it sets rows rows of w values of
// dst (row stride ld), dst[y·ld + 2t] = even[y·ls + t] and
// dst[y·ld + 2t + 1] = odd[y·ls + t].
func mergeRows(dst []float32, ld int, even, odd []float32, ls int, rows, w int) {
	if checkSplit(even, odd, ls, dst, ld, rows, w) {
		mergeRowsKernel.Get()(dst, ld, even, odd, ls, rows, w)
	}
}

// checkSplit reports whether splitRows has anything to do, after checking
// that its slices hold every value it touches (the assembly kernels do
// not check).
func checkSplit(even, odd []float32, ld int, src []float32, ls int, rows, w int) bool {
	if rows == 0 || w == 0 {
		return false
	}
	_ = even[(rows-1)*ld+(w+1)/2-1]
	if w > 1 {
		_ = odd[(rows-1)*ld+w/2-1]
	}
	_ = src[(rows-1)*ls+w-1]
	return true
}

func splitRowsGo(even, odd []float32, ld int, src []float32, ls int, rows, w int) {
	for y := range rows {
		s, e := src[y*ls:][:w], even[y*ld:][:(w+1)/2]
		for t := range e {
			e[t] = s[2*t]
		}
		if w > 1 {
			o := odd[y*ld:][:w/2]
			for t := range o {
				o[t] = s[2*t+1]
			}
		}
	}
}

func splitSignRowsGo(even, odd []float32, ld int, src []float32, ls int, rows, w int) {
	for y := range rows {
		s, e := src[y*ls:][:w], even[y*ld:][:(w+1)/2]
		for t := range e {
			e[t] = code(s[2*t])
		}
		if w > 1 {
			o := odd[y*ld:][:w/2]
			for t := range o {
				o[t] = code(s[2*t+1])
			}
		}
	}
}

func mergeRowsGo(dst []float32, ld int, even, odd []float32, ls int, rows, w int) {
	for y := range rows {
		d, e := dst[y*ld:][:w], even[y*ls:][:(w+1)/2]
		for t, v := range e {
			d[2*t] = v
		}
		if w > 1 {
			o := odd[y*ls:][:w/2]
			for t, v := range o {
				d[2*t+1] = v
			}
		}
	}
}
