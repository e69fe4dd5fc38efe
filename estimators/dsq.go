package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

var (
	_ Estimator  = (*DSQ)(nil)
	_ Documenter = (*DSQ)(nil)
	_ Learner    = (*DSQ)(nil)
)

// DSQ is 1-bit Differentiable Soft Quantization ("Differentiable Soft
// Quantization: Bridging Full-Precision and Low-Bit Neural Networks",
// ICCV 2019, arXiv 1908.05033). On the range [-1, 1] (Δ = 2, one cell with
// midpoint 0):
//
//	forward   q(x) = sign(x), sign(0) = +1
//	k = ½·ln(2/α - 1),  s = 1/tanh(k)
//	surrogate φ(x) = s·tanh(k·x) for |x| <= 1, sign(x) beyond (φ(±1) = ±1)
//	backward  g(x) = s·k·(1 - tanh²(k·x)) for |x| <= 1, else 0
//
// Spec keys: alpha (α, default 0.2, in [0.001, 0.999]); learn (default
// false). The paper allows α in (0, 1); ours is [0.001, 0.999], what a
// spec accepts, what the optimizer keeps a learned α in (Scalar.Min and
// Max) and what the kernels clamp a struct literal's α to. With
// learn=true α is a trainable Scalar (see Learner); Backward adds to its
// Grad the derivative of the soft surrogate's contribution,
// Σ dy·∂φ(x)/∂α, where
// ∂φ/∂α = dk/dα·(x·sech²(kx)/tanh(k) - tanh(kx)·sech²(k)/tanh²(k)) on
// |x| <= 1 (0 beyond, where φ = ±1 does not depend on α) and
// dk/dα = -1/(α(2-α)).
//
// As α nears 1, k → 0 and the two terms of that formula, each about x/k,
// cancel to about -(2/3)·k·x·(1-x²)·dk/dα: it loses some 2·log10(1/k)
// digits, 6 at α = 0.999. BackwardRef evaluates it as written, in float64,
// where that leaves an error below 2e-9 of the largest |∂φ/∂α| (checked
// against 50-digit values, TestDSQAlphaPinned). The fast kernels, in
// float32, use a form without the cancellation. With σ = sinh 2k - 2k and
// q(w) = tanh w - w·sech²(w),
//
//	∂φ/∂k = (x·σ·sech²(kx) - 2q(kx)) / (2 sinh²k),
//
// and with t = 2kx, e = exp(-|t|), r = 1/(1+e), sech²(kx) = 4e·r² and
// q(kx) = 2e·r²·(sinh t - t), so that
//
//	∂φ/∂α = e·r²·t·(c - 2b·t²·S(t²)),  c = b·σ/k,  b = (dk/dα)/sinh²k,
//
// where S(t²) = (sinh t - t)/t³ is sinhRemPoly, a polynomial with positive
// coefficients, and c and b are computed once per call in float64
// (σ/k = 8k²·S(4k²), no cancellation). What remains of the cancellation
// is the factor (1 - x²) as x → ±1, where ∂φ/∂α itself goes to 0.
//
// Choices the paper leaves open, ours: the clip is fixed at the quantizer
// range [-1, 1] (|x| = 1 counts as inside); g(±Inf) = 0; the scalar gradient
// is summed in float64 over fixed blocks of 4096 elements, in order, so it
// does not depend on the number of cores.
//
// Built as a literal, the zero value of Alpha means the default, and a
// finite Alpha outside [0.001, 0.999] is clamped to it, as above; a NaN
// or ±Inf Alpha makes every method that reads it panic.
type DSQ struct {
	Alpha float32 // α; the zero value means the default, 0.2
	Learn bool    // make α trainable

	alpha learned
	k     dsqKernel
	job   job
}

// dsqDefaultAlpha is the default of DSQ's α, as float32: what a spec that
// omits it and a literal's zero Alpha both use.
const dsqDefaultAlpha float32 = 0.2

func newDSQ(p *Params) (Estimator, error) {
	a := p.Float("alpha", dsqDefaultAlpha, dsqAlpha)
	learn := p.Bool("learn", false)
	return &DSQ{Alpha: a, Learn: learn}, p.Err()
}

// Doc describes DSQ for `gradbench list` and the README.
func (e *DSQ) Doc() Doc {
	return Doc{
		Gradient: "derivative of s·tanh(kx) on [−1, 1], k = ½·ln(2/α − 1), s = 1/tanh(k); α trainable with learn=true",
		Source:   "DSQ, ICCV 2019 (arXiv 1908.05033)",
	}
}

// Name returns "dsq".
func (e *DSQ) Name() string { return "dsq" }

// Scalars returns α when Learn is set, and nil otherwise.
func (e *DSQ) Scalars() []*Scalar {
	return e.alpha.scalars(e.Learn, "alpha", e.start(), dsqAlpha)
}

// start returns Alpha, or the default for the zero value; it panics on a
// NaN or ±Inf Alpha.
func (e *DSQ) start() float32 {
	return finiteOr("DSQ", "Alpha", e.Alpha, dsqDefaultAlpha, dsqAlpha)
}

// dsqAlpha is the range of α: what a spec accepts, what the optimizer
// keeps a learned α in, and what the kernels clamp a struct literal's α
// to. Below 1e-3 k grows past 3.8 and the kernels' 2^z would need a flush
// (see dsq_amd64.s); at 1, k = 0.
var dsqAlpha = Between(1e-3, 0.999)

// value returns the α in force, clamped to dsqAlpha (in float32).
func (e *DSQ) value() float64 {
	return e.alpha.value(e.Learn, "alpha", e.start(), dsqAlpha)
}

// dsqParams returns k and s for α, and dk/dα.
func dsqParams(alpha float64) (k, s, dkda float64) {
	k = 0.5 * math.Log(2/alpha-1)
	return k, 1 / math.Tanh(k), -1 / (alpha * (2 - alpha))
}

// sinhRem returns S(t) = (sinh t - t)/t³ in float64: the Taylor series
// Σ t^(2j)/(2j+3)! below t = 1 (to t^20/23!, under 3e-22 of the sum), the
// closed form above (where t is at most 0.86 of sinh t, so the difference
// keeps all but three bits).
func sinhRem(t float64) float64 {
	if t >= 1 {
		return (math.Sinh(t) - t) / (t * t * t)
	}
	y, term, sum := t*t, 1.0/6, 0.0
	for j := range 11 {
		sum += term
		term *= y / float64((2*j+4)*(2*j+5))
	}
	return sum
}

// Forward sets dst to sign(x).
func (e *DSQ) Forward(dst, x []float32) {
	e.start()
	e.job.sign(dst, x)
}

// ForwardRef is the reference Forward.
func (e *DSQ) ForwardRef(dst, x []float32) {
	e.start()
	signRef(dst, x)
}

// BackwardRef is the reference kernel, in float64:
//
//	if abs(x[i]) <= 1 { dx[i] = dy[i] * s*k*(1-tanh(k*x[i])²) } else { dx[i] = 0 }
//
// With Learn it adds Σ dy[i]·∂φ(x[i])/∂α to α's Grad, ∂φ/∂α by the
// formula of DSQ's doc comment as written, in float64.
func (e *DSQ) BackwardRef(dx, x, dy []float32) {
	checkLen("Backward", dx, x)
	checkLen("Backward", dy, x)
	alpha := e.value()
	var grad float64
	for i, v := range x {
		dx[i] = float32(float64(dy[i]) * dsqG(alpha, float64(v)))
		grad += float64(dy[i]) * dsqDAlpha(alpha, float64(v))
	}
	if e.Learn {
		e.alpha.Grad += float32(grad)
	}
}

// dsqG is g(x) for α.
func dsqG(alpha, x float64) float64 {
	if !(math.Abs(x) <= 1) {
		return 0
	}
	k, s, _ := dsqParams(alpha)
	t := math.Tanh(k * x)
	return s * k * (1 - t*t)
}

// dsqPhi is the surrogate φ(x) for α.
func dsqPhi(alpha, x float64) float64 {
	if !(math.Abs(x) <= 1) {
		if x < 0 {
			return -1
		}
		return 1
	}
	k, s, _ := dsqParams(alpha)
	return s * math.Tanh(k*x)
}

// dsqDAlpha is ∂φ(x)/∂α.
func dsqDAlpha(alpha, x float64) float64 {
	if !(math.Abs(x) <= 1) {
		return 0
	}
	k, s, dkda := dsqParams(alpha)
	t, tk := math.Tanh(k*x), math.Tanh(k)
	return dkda * (x*(1-t*t)*s - t*(1-tk*tk)*s*s)
}

// Backward is the fast kernel: sech²(k·|x|) = 4e/(1+e)² with e = exp(-2k|x|)
// from exp32, |x| clamped to 1 and masked to 0 beyond it, in parallel for
// long slices and on vector instructions where the CPU has them (see Impl).
// With Learn, ∂φ/∂α comes from the same e (see DSQ).
func (e *DSQ) Backward(dx, x, dy []float32) {
	if k, ok := e.BackwardKernel(); ok {
		e.job.backward(k.k, dx, x, dy)
		return
	}
	alpha := e.value()
	e.k.c, e.k.m = dsqGradParams(alpha)
	e.alpha.Grad += float32(e.job.backwardGrad(&e.k, dx, x, dy))
}

// BackwardKernel returns Backward's kernel (see Splitter), or false with
// Learn. Either way it sets the kernel's k and sk for Backward.
func (e *DSQ) BackwardKernel() (Kernel, bool) {
	k, s, _ := dsqParams(e.value())
	e.k.k, e.k.sk = float32(k), float32(s*k)
	return Kernel{&e.k, e}, !e.Learn
}

// dsqGradParams returns the coefficients c and m = -2b of ∂φ/∂α in the
// fast kernels (see DSQ): c = b·σ/k = 8k²·S(4k²)·b with
// b = (dk/dα)/sinh²k, and k from log1p, accurate as α → 1.
func dsqGradParams(alpha float64) (c, m float32) {
	k := 0.5 * math.Log1p(2*(1-alpha)/alpha)
	dkda := -1 / (alpha * (2 - alpha))
	sh := math.Sinh(k)
	b := dkda / (sh * sh)
	return float32(8 * k * k * sinhRem(2*k) * b), float32(-2 * b)
}

// Surrogate sets dst to φ(x).
func (e *DSQ) Surrogate(dst, x []float32) {
	alpha := e.value()
	surrogateRef(dst, x, func(v float64) float64 { return dsqPhi(alpha, v) })
}

// dsqKernel is the fast DSQ backward: g = sk·sech²(k·|x|) on |x| <= 1.
// For the α gradient, ∂φ/∂α = e·r²·t·(c + m·t²·S(t²)) with t = 2k·x and
// m = -2b (see DSQ).
type dsqKernel struct {
	k, sk float32
	c, m  float32
}

const oneBits = 0x3f800000 // math.Float32bits(1)

// dsqKernels and dsqGradKernels are the fast DSQ backward over one chunk,
// without and with the α gradient: the portable loops, and the vector
// variants of dsq_amd64.go.
var (
	dsqKernels     = impl.NewKernel(impls, (*dsqKernel).backwardGo)
	dsqGradKernels = impl.NewKernel(impls, (*dsqKernel).backwardGradGo)
)

func (k *dsqKernel) backward(dx, x, dy []float32) { dsqKernels.Get()(k, dx, x, dy) }

func (k *dsqKernel) backwardGrad(dx, x, dy []float32) float64 {
	return dsqGradKernels.Get()(k, 0, dx, x, dy)
}

// backwardGo is the portable backward.
func (k *dsqKernel) backwardGo(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	// Two passes over blocks (see expBlock): the chain of one element's
	// operations is long, and shorter loops let the core overlap more
	// elements.
	sk4 := 4 * k.sk
	var buf [block]float32
	for len(x) > 0 {
		m := min(len(x), block)
		xb, e := bitsOf(x[:m]), buf[:m]
		expBlock(e, xb, k.k, oneBits)
		dxs, dys := dx[:m], dy[:m]
		for i, b := range xb {
			r := 1 / (1 + e[i])
			dxs[i] = math.Float32frombits(math.Float32bits(dys[i]*(sk4*e[i]*r*r)) & leMask(b&^signBit, oneBits))
		}
		x, dx, dy = x[m:], dx[m:], dy[m:]
	}
}

// backwardGradGo is the portable backward with the α gradient: it adds
// dy·∂φ/∂α of each element, in order, to sum and returns it.
func (k *dsqKernel) backwardGradGo(sum float64, dx, x, dy []float32) float64 {
	dx, dy = dx[:len(x)], dy[:len(x)]
	sk4, k2 := 4*k.sk, 2*k.k
	for i, v := range x {
		ab := absBits(v)
		keep := leMask(ab, oneBits)
		ta := k2 * math.Float32frombits(minBits(ab, oneBits)) // 2k·|x|, |x| clamped to 1
		n, f := expSplit(-ta)
		ex := scaleFlush(exp2Frac(f), n)
		t := math.Float32frombits(math.Float32bits(ta) | math.Float32bits(v)&signBit)
		r := 1 / (1 + ex)
		s := ex * r * r // sech²(kx)/4
		y := t * t
		d := t * (k.c + k.m*y*sinhRemPoly(y)) // ∂φ/∂α·4/sech²(kx)
		dx[i] = math.Float32frombits(math.Float32bits(sk4*(s*dy[i])) & keep)
		// dy times ∂φ/∂α in float64, exactly: in float32 it overflows for
		// dy near ±MaxFloat32, at small α, and terms of both signs then sum
		// to NaN.
		sum += float64(dy[i]) * float64(math.Float32frombits(math.Float32bits(s*d)&keep))
	}
	return sum
}
