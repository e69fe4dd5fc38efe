package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

var (
	_ Estimator  = (*BNNPlus)(nil)
	_ Documenter = (*BNNPlus)(nil)
	_ Learner    = (*BNNPlus)(nil)
)

// BNNPlus is the SignSwish estimator of BNN+ ("BNN+:
// Improved Binary Network Training", arXiv 1812.11800):
//
//	forward   q(x) = sign(x), sign(0) = +1
//	surrogate SS_β(x) = 2σ(βx)·[1 + βx·(1 - σ(βx))] - 1
//	backward  g(x) = β·(2 - βx·tanh(βx/2)) / (1 + cosh(βx))
//
// g is negative for |βx| > ~2.40: that is the method, not a bug. cosh
// overflows float32 for |βx| > ~89; g is 0 there (the reference returns 0
// for |βx| > 88, the fast kernel from |βx| > ~87, where |g| < 1e-35·β), so
// g(±Inf) = 0 and dx is never NaN for non-NaN x.
//
// Spec keys: beta (β, default 5, in [0.001, 1000]); learn (default
// false). With learn=true β is a trainable Scalar (see Learner) whose
// gradient is Σ dy·∂SS_β(x)/∂β = Σ dy·(x/β)·g(x). The paper leaves β's
// range open: ours is [0.001, 1000], what a spec accepts, what the
// optimizer keeps a learned β in (Scalar.Min and Max), and what the
// kernels clamp a struct literal's β to. The β gradient is summed in float64 over fixed blocks of 4096 elements, in
// order, so it does not depend on the number of cores.
//
// Built as a literal, the zero value of Beta means the default, and a
// finite Beta outside [0.001, 1000] is clamped to it, as above; a NaN or
// ±Inf Beta makes every method that reads it panic.
type BNNPlus struct {
	Beta  float32 // β; the zero value means the default, 5
	Learn bool    // make β trainable

	beta learned
	k    bnnPlusKernel
	job  job
}

// bnnPlusCut is where the reference sets g to 0: |βx| > 88, past which
// cosh(βx) > 8e37 approaches float32's overflow.
const bnnPlusCut = 88

// bnnPlusDefaultBeta is the default of BNN+'s β: what a spec that omits
// it and a literal's zero Beta both use.
const bnnPlusDefaultBeta float32 = 5

func newBNNPlus(p *Params) (Estimator, error) {
	b := p.Float("beta", bnnPlusDefaultBeta, bnnPlusBeta)
	learn := p.Bool("learn", false)
	return &BNNPlus{Beta: b, Learn: learn}, p.Err()
}

// Doc describes BNNPlus for `gradbench list` and the README.
func (e *BNNPlus) Doc() Doc {
	return Doc{
		Gradient: "derivative of SignSwish 2σ(βx)·[1 + βx·(1 − σ(βx))] − 1; β trainable with learn=true",
		Source:   "BNN+ (arXiv 1812.11800)",
	}
}

// Name returns "bnnplus".
func (e *BNNPlus) Name() string { return "bnnplus" }

// Scalars returns β when Learn is set, and nil otherwise.
func (e *BNNPlus) Scalars() []*Scalar {
	return e.beta.scalars(e.Learn, "beta", e.start(), bnnPlusBeta)
}

// start returns Beta, or the default for the zero value; it panics on a
// NaN or ±Inf Beta.
func (e *BNNPlus) start() float32 {
	return finiteOr("BNNPlus", "Beta", e.Beta, bnnPlusDefaultBeta, bnnPlusBeta)
}

// bnnPlusBeta is the range of β: what a spec accepts, what the optimizer
// keeps a learned β in, and what the kernels clamp a struct literal's β
// to. The paper leaves it open; over it the kernels stay within 1e-5 of
// the reference (TestConformance, TestBNNPlusKernels).
var bnnPlusBeta = Between(1e-3, 1e3)

// value returns the β in force, clamped to bnnPlusBeta (in float32).
func (e *BNNPlus) value() float64 {
	return e.beta.value(e.Learn, "beta", e.start(), bnnPlusBeta)
}

// Forward sets dst to sign(x).
func (e *BNNPlus) Forward(dst, x []float32) {
	e.start()
	e.job.sign(dst, x)
}

// ForwardRef is the reference Forward.
func (e *BNNPlus) ForwardRef(dst, x []float32) {
	e.start()
	signRef(dst, x)
}

// BackwardRef is the reference kernel, in float64:
//
//	u := beta * x[i]
//	if abs(u) > 88 { dx[i] = 0 } else { dx[i] = dy[i] * beta*(2-u*tanh(u/2))/(1+cosh(u)) }
//
// With Learn it adds Σ dy[i]·(x[i]/β)·g(x[i]) to β's Grad.
func (e *BNNPlus) BackwardRef(dx, x, dy []float32) {
	checkLen("Backward", dx, x)
	checkLen("Backward", dy, x)
	beta := e.value()
	var grad float64
	for i, v := range x {
		g := bnnPlusG(beta, float64(v))
		dx[i] = float32(float64(dy[i]) * g)
		if g != 0 {
			grad += float64(dy[i]) * float64(v) / beta * g
		}
	}
	if e.Learn {
		e.beta.Grad += float32(grad)
	}
}

func bnnPlusG(beta, x float64) float64 {
	u := beta * x
	if !(math.Abs(u) <= bnnPlusCut) {
		return 0
	}
	return beta * (2 - u*math.Tanh(u/2)) / (1 + math.Cosh(u))
}

// bnnPlusS is SS_β(x), with βx clamped to ±100 where it equals ±1 in float64.
func bnnPlusS(beta, x float64) float64 {
	u := min(max(beta*x, -100), 100)
	sg := 1 / (1 + math.Exp(-u))
	return 2*sg*(1+u*(1-sg)) - 1
}

// Backward is the fast kernel. With v = β|x|/2, 1 + cosh(βx) = 2cosh²(v),
// so g = β·sech²(v)·(1 - v·tanh(v)); sech² and tanh come from one
// e = exp32(-2v), v clamped to 44 where e flushes to 0.
func (e *BNNPlus) Backward(dx, x, dy []float32) {
	if k, ok := e.BackwardKernel(); ok {
		e.job.backward(k.k, dx, x, dy)
		return
	}
	e.beta.Grad += float32(e.job.backwardGrad(&e.k, dx, x, dy))
}

// BackwardKernel returns Backward's kernel (see Splitter), or false with
// Learn. Either way it sets the kernel for Backward.
func (e *BNNPlus) BackwardKernel() (Kernel, bool) {
	beta := e.value()
	e.k = bnnPlusKernel{beta: float32(beta), half: float32(beta / 2), invBeta: float32(1 / beta)}
	return Kernel{&e.k, e}, !e.Learn
}

// Surrogate sets dst to SS_β(x).
func (e *BNNPlus) Surrogate(dst, x []float32) {
	beta := e.value()
	surrogateRef(dst, x, func(v float64) float64 { return bnnPlusS(beta, v) })
}

// bnnPlusKernel is the fast BNN+ backward.
type bnnPlusKernel struct {
	beta, half, invBeta float32
}

const sechMaxBits = 0x42300000 // math.Float32bits(sechMax)

// bnnPlusKernels and bnnPlusGradKernels are the fast BNN+ backward over
// one chunk, without and with the β gradient: the portable loops, and the
// vector variants of bnnplus_amd64.go.
var (
	bnnPlusKernels     = impl.NewKernel(impls, (*bnnPlusKernel).backwardGo)
	bnnPlusGradKernels = impl.NewKernel(impls, (*bnnPlusKernel).backwardGradGo)
)

func (k *bnnPlusKernel) backward(dx, x, dy []float32) { bnnPlusKernels.Get()(k, dx, x, dy) }

func (k *bnnPlusKernel) backwardGrad(dx, x, dy []float32) float64 {
	return bnnPlusGradKernels.Get()(k, 0, dx, x, dy)
}

// backwardGo is the portable backward.
func (k *bnnPlusKernel) backwardGo(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	beta4, vmax := 4*k.beta, math.Float32bits(sechMax/k.half)
	var buf [block]float32
	for len(x) > 0 {
		m := min(len(x), block)
		xb, e := bitsOf(x[:m]), buf[:m]
		expBlock(e, xb, k.half, vmax) // e = exp(-2v), v = β|x|/2 clamped to 44
		dxs, dys := dx[:m], dy[:m]
		for i, b := range xb {
			v := k.half * math.Float32frombits(minBits(b&^signBit, vmax))
			r := 1 / (1 + e[i])
			dxs[i] = dys[i] * (beta4 * e[i] * r * r * (1 - v*(2*r-1)))
		}
		x, dx, dy = x[m:], dx[m:], dy[m:]
	}
}

// backwardGradGo is the portable backward with the β gradient: it adds
// dy·∂SS/∂β of each element, in order, to sum and returns it.
func (k *bnnPlusKernel) backwardGradGo(sum float64, dx, x, dy []float32) float64 {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, xv := range x {
		v := math.Float32frombits(minBits(absBits(k.half*xv), sechMaxBits))
		n, f := expSplit(-2 * v)
		ex := scaleFlush(exp2Frac(f), n)
		r := 1 / (1 + ex)
		g := k.beta * 4 * ex * r * r * (1 - v*(2*r-1))
		dx[i] = dy[i] * g
		// ∂SS/∂β = (x/β)·g; x clamped like v so that a huge x times g = 0 stays 0.
		// It is bounded (below 0.5/β²), and dy times it is formed in float64,
		// exactly: a float32 product overflows for dy near ±MaxFloat32, and
		// dy·g = ±Inf times x = 0 is NaN.
		xc := math.Float32frombits(math.Float32bits(2*v*k.invBeta) | math.Float32bits(xv)&signBit)
		sum += float64(dy[i]) * float64(xc*k.invBeta*g)
	}
	return sum
}
