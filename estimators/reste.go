package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

var (
	_ Estimator  = (*ReSTE)(nil)
	_ Documenter = (*ReSTE)(nil)
	_ Scheduler  = (*ReSTE)(nil)
	_ Referencer = (*ReSTE)(nil)
	_ Smoother   = (*ReSTE)(nil)
	_ Indicator  = (*ReSTE)(nil)
)

// ReSTE is the rectified straight-through estimator of "Estimator Meets
// Equilibrium Perspective: A Rectified Straight Through Estimator for
// Binary Neural Networks Training" (ICCV 2023, arXiv
// 2308.06689), as its official code computes it. The backward pass is the
// derivative of the power function sign(x)·|x|^(1/o), made finite near 0
// by its secant over [0, m], m = 0.1, and cut at T. At training progress p
// in [0, 1]:
//
//	forward   q(x) = sign(x), sign(0) = +1
//	o(p) = 1 + (O - 1)·(1 - cos(π·p/2))
//	backward  g(x) = m^(1/o)/m              for |x| <= m
//	               = (1/o)·|x|^((1-o)/o)    for m < |x| <= T
//	               = 0                      for |x| > T
//
// At o = 1 (p = 0) it is the straight-through estimator clipped at T. Its
// smooth surrogate is (m^(1/o)/m)·x for |x| <= m and sign(x)·min(|x|, T)^(1/o)
// beyond, continuous at m.
//
// Spec keys: o (O, the o reached at the end of training, default 3, >= 1)
// and t (T, default 1.5, > m): the defaults of the official code, which
// also fixes m = 0.1 (its "interval") and starts o at 1. Choices the code
// leaves open, ours: it sets o from epoch/epochs for epochs 0..E-1, so its
// o stops one step short of O; here p = 0 at the first epoch and 1 at the
// last (the harness's progress), so the last epoch trains at o = O. The
// segment boundaries: |x| = m belongs to the inner segment and |x| = T is
// inside, as in the code's masks. g(±Inf) = g(NaN) = 0. Before the first
// SetProgress the estimator is at p = 0.
//
// The paper's "estimating error" indicator is Indicator: for the latent
// weights w of one layer, ‖sign(w)·|w|^(1/O) - sign(w)‖₂, with this
// package's sign(0) = +1 (the official code's torch.sign(0) = 0 leaves
// exact zeros out); a training run sums it over the binary layers.
//
// The fast kernel computes |x|^((1-o)/o) as 2^(e·log2|x|), with log2 from
// the float32 bits and a polynomial (log2Poly) and 2^f from fastmath.go's
// exp2Frac; its relative error is below 1e-6.
//
// Built as a literal, the zero value of O or T means its default; another
// value outside what the spec accepts (O >= 1, T > 0.1, finite) makes
// every method that reads them panic.
type ReSTE struct {
	O float32 // the final o; the zero value means the default, 3
	T float32 // the cut; the zero value means the default, 1.5

	p   float64
	k   resteKernel
	job job
}

// resteM is the official code's fixed inner interval m.
const resteM = 0.1

// The ranges of ReSTE's o and t.
var (
	resteO = AtLeast(1)
	resteT = Above(resteM)
)

// The defaults of ReSTE's o and t: what a spec that omits the key and a
// literal's zero field both use.
const (
	resteDefaultO float32 = 3
	resteDefaultT float32 = 1.5
)

func newReSTE(p *Params) (Estimator, error) {
	o := p.Float("o", resteDefaultO, resteO)
	t := p.Float("t", resteDefaultT, resteT)
	return &ReSTE{O: o, T: t}, p.Err()
}

// Doc describes ReSTE for `gradbench list` and the README.
func (e *ReSTE) Doc() Doc {
	return Doc{
		Gradient: "0.1^(1/o)/0.1 where |x| ≤ 0.1, (1/o)·|x|^((1−o)/o) where 0.1 < |x| ≤ t, else 0; o grows from 1 to its o= value over training (as 1 − cos(πp/2))",
		Source:   "ReSTE, ICCV 2023 (arXiv 2308.06689)",
	}
}

// Name returns "reste".
func (e *ReSTE) Name() string { return "reste" }

// SetProgress sets the training progress p in [0, 1], which sets o. It
// panics if p is outside [0, 1] or NaN.
func (e *ReSTE) SetProgress(p float64) {
	e.params()
	checkProgress(p)
	e.p = p
}

// params returns O, T (in float64, of the float32 fields the kernels use)
// and o(p); it panics on fields out of range (see ReSTE).
func (e *ReSTE) params() (oEnd, t, o float64) {
	oEnd = float64(fieldOr("ReSTE", "O", e.O, resteDefaultO, resteO))
	t = float64(fieldOr("ReSTE", "T", e.T, resteDefaultT, resteT))
	return oEnd, t, 1 + (oEnd-1)*(1-math.Cos(math.Pi*e.p/2))
}

// Forward sets dst to sign(x).
func (e *ReSTE) Forward(dst, x []float32) {
	e.params()
	e.job.sign(dst, x)
}

// ForwardRef is the reference Forward.
func (e *ReSTE) ForwardRef(dst, x []float32) {
	e.params()
	signRef(dst, x)
}

// BackwardRef is the reference kernel, in float64:
//
//	a := abs(x[i])
//	switch {
//	case a <= 0.1: dx[i] = dy[i] * math.Pow(0.1, 1/o) / 0.1
//	case a <= t:   dx[i] = dy[i] * math.Pow(a, (1-o)/o) / o
//	default:       dx[i] = 0
//	}
func (e *ReSTE) BackwardRef(dx, x, dy []float32) {
	_, t, o := e.params()
	backwardRef(dx, x, dy, func(v float64) float64 { return resteG(o, t, v) })
}

func resteG(o, t, x float64) float64 {
	a := math.Abs(x)
	switch {
	case a <= resteM:
		return math.Pow(resteM, 1/o) / resteM
	case a <= t:
		return math.Pow(a, (1-o)/o) / o
	}
	return 0
}

// Backward is the fast kernel: masks from the bits of |x| pick the inner
// constant, the power or 0.
func (e *ReSTE) Backward(dx, x, dy []float32) {
	k, _ := e.BackwardKernel()
	e.job.backward(k.k, dx, x, dy)
}

// BackwardKernel returns Backward's kernel (see Splitter).
func (e *ReSTE) BackwardKernel() (Kernel, bool) {
	_, t, o := e.params()
	e.k = resteKernel{
		inner: float32(math.Pow(resteM, 1/o) / resteM),
		scale: float32(1 / o),
		exp:   float32((1 - o) / o),
		mb:    math.Float32bits(resteMBelow),
		tb:    math.Float32bits(float32(t)),
	}
	return Kernel{&e.k, e}, true
}

// resteMBelow is the largest float32 <= m: float32 inputs at or below it
// are in the inner segment (float32(0.1) is above 0.1).
var resteMBelow = func() float32 {
	v := float32(resteM)
	if float64(v) > resteM {
		v = math.Nextafter32(v, 0)
	}
	return v
}()

// Surrogate sets dst to the function whose derivative is g: the secant
// line on [-m, m], sign(x)·|x|^(1/o) up to T, constant beyond.
func (e *ReSTE) Surrogate(dst, x []float32) {
	_, t, o := e.params()
	surrogateRef(dst, x, func(v float64) float64 {
		a := math.Abs(v)
		var s float64
		if a <= resteM {
			s = math.Pow(resteM, 1/o) / resteM * a
		} else {
			s = math.Pow(min(a, t), 1/o)
		}
		return math.Copysign(s, v)
	})
}

// Indicator returns ReSTE's estimating error of the latent weights w,
// ‖sign(w)·|w|^(1/O) - sign(w)‖₂ (sign(0) = +1), in float64.
func (e *ReSTE) Indicator(w []float32) (string, float64) {
	oEnd, _, _ := e.params()
	var sum float64
	for _, v := range w {
		d := math.Pow(math.Abs(float64(v)), 1/oEnd) - 1
		sum += d * d
	}
	return "estimating_error", math.Sqrt(sum)
}

// resteKernel is the fast ReSTE backward: inner is m^(1/o)/m, scale 1/o,
// exp (1-o)/o, and mb and tb the bits of the largest float32 <= m and of T.
type resteKernel struct {
	inner, scale, exp float32
	mb, tb            uint32
}

// resteKernels is the fast ReSTE backward over one chunk: backwardGo, and
// the vector variant of reste_amd64.go.
var resteKernels = impl.NewKernel(impls, (*resteKernel).backwardGo)

func (k *resteKernel) backward(dx, x, dy []float32) { resteKernels.Get()(k, dx, x, dy) }

// backwardGo is the portable kernel, in blocks: the power first, then the
// masks.
func (k *resteKernel) backwardGo(dx, x, dy []float32) {
	xb := bitsOf(x)
	dx, dy = dx[:len(xb)], dy[:len(xb)]
	var buf [block]float32
	for len(xb) > 0 {
		n := min(len(xb), block)
		pw := buf[:n]
		for i, b := range xb[:n] {
			// |x| clamped to [m, T] on its bits (NaN to T), where the power
			// is needed: the masks below discard the rest.
			a := max(minBits(b&^signBit, k.tb), k.mb)
			pw[i] = k.scale * pow32(a, k.exp)
		}
		for i, b := range xb[:n] {
			a := b &^ signBit
			in := leMask(a, k.mb)   // |x| <= m
			out := ^leMask(a, k.tb) // |x| > T or NaN
			g := math.Float32bits(pw[i])&^in | math.Float32bits(k.inner)&in
			dx[i] = dy[i] * math.Float32frombits(g&^out)
		}
		xb, dx, dy = xb[n:], dx[n:], dy[n:]
	}
}

// pow32 returns x^e for the bits b of a normal x > 0 and |e·log2 x| < 126:
// 2^(e·log2 x), split as 2^k·2^f with |f| <= 1/2.
func pow32(b uint32, e float32) float32 {
	y := e * log2Bits(b)
	t := y + magicRound
	f := y - (t - magicRound)
	k := int32(math.Float32bits(t)) - int32(math.Float32bits(magicRound))
	return math.Float32frombits(uint32(int32(math.Float32bits(exp2Frac(f))) + k<<23))
}

// log2Bits returns log2 x for the bits b of a normal x > 0: x = 2^k·m with
// m in [√½, √2), and log2 m = s·log2Poly(s²), s = (m-1)/(m+1). The
// absolute error is below 2.5e-7·(1 + |k|) (TestLog2Bits).
func log2Bits(b uint32) float32 {
	k := (int32(b) - sqrtHalfBits) >> 23
	m := math.Float32frombits(uint32(int32(b) - k<<23))
	s := (m - 1) / (m + 1)
	return float32(k) + s*log2Poly(s*s)
}

// sqrtHalfBits are the bits of float32(√½).
const sqrtHalfBits = 0x3f3504f3

// log2Poly returns log2((1+s)/(1-s))/s for y = s², s in [0, (√2-1)/(√2+1)]:
// a Chebyshev fit of degree 3 in y (mpmath chebyfit, fit error 2e-9),
// coefficients rounded to float32.
func log2Poly(y float32) float32 {
	return log2c0 + y*(log2c1+y*(log2c2+y*log2c3))
}

const (
	log2c0 = 2.885390043258667
	log2c1 = 0.9617988467216492
	log2c2 = 0.5767151713371277
	log2c3 = 0.4317176938056946
)
