package estimators

import (
	"fmt"
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

var (
	_ Estimator  = (*FDA)(nil)
	_ Documenter = (*FDA)(nil)
	_ Scheduler  = (*FDA)(nil)
)

// FDA is the Fourier-series (frequency-domain) estimator of "Learning
// Frequency Domain Approximation for Binary Neural Networks" (NeurIPS
// 2021, arXiv 2103.00841): sign(x) is a square wave, approximated by
// its first n+1 odd harmonics of angular frequency ω, and the gradient is
// that sum's derivative:
//
//	forward   q(x) = sign(x), sign(0) = +1
//	surrogate ŝ_n(x) = (4/π)·Σ_{i=0..n} sin((2i+1)ωx)/(2i+1)
//	backward  g(x) = (4ω/π)·Σ_{i=0..n} cos((2i+1)ωx), and 0 where |x| > C
//
// n follows a schedule over training progress p in [0, 1]:
// n(p) = NStart + round((NEnd-NStart)·p), rounding halves away from zero
// (the paper starts at n_s = 9 and grows to n_p = 2·n_s).
//
// Spec keys: omega (ω, default 0.1, > 0), c (C, default 1, > 0; the clip of
// the only public trainable re-implementation, not in the paper), n (default
// 9..18, written lo..hi with 0 <= lo <= hi, or a single n for a fixed number
// of terms: "fda:n=9"). The paper bounds n only below; ours is n <= 100000,
// which keeps the reference sum (and `gradbench curves`) to seconds. ω and
// C together must keep ω·C <= 1e6, up to the float32 rounding of each (the
// defaults give 0.1): g has period π/ω in x, and past ω·C = 1e6 a period
// spans only a few dozen float32 values of x near C, so g at the float32
// inputs is sampled too coarsely to be a gradient; Parse refuses such a
// pair.
//
// The fast kernel uses the closed form, with N = n+1 and θ = ω|x|,
//
//	Σ_{i=0..N-1} cos((2i+1)θ) = sin(2Nθ) / (2·sin θ)
//
// so it costs the same for every n. Choices the paper leaves open, ours:
// θ below ε = 1e-4/N is evaluated at ε (the removable singularity at 0,
// g(0) = 4ωN/π; the relative error there is below 1e-8); when ω·C > π/2, θ
// is first reduced modulo π (the sum changes sign every π), in float64,
// where ω·x is exact, so the kernels stay within 1e-5 of the peak |g| for
// every n and ω·C <= 1e6 (Parse also refuses an ω so large that g(0)
// overflows: see checkFinite); |x| = C
// counts as inside; g(±Inf) = 0; the smooth surrogate is
// ŝ_n(clamp(x, -C, C)), whose derivative is g. Before the first SetProgress
// the estimator is at p = 0 (n = NStart).
//
// Built as a literal, the zero value of Omega or C means its default, and
// NStart = NEnd = 0 the default schedule; another value outside what the
// spec accepts (Omega and C > 0, finite, of a magnitude float32 holds to
// its precision, with Omega·C <= 1e6 as for the spec once the defaults
// are in; 0 <= NStart <= NEnd <= 100000) makes every method that reads the
// fields panic.
type FDA struct {
	Omega float32 // ω; the zero value means the default, 0.1
	C     float32 // clip; the zero value means the default, 1
	// NStart and NEnd are n at p = 0 and at p = 1. When both are zero the
	// schedule is the default 9 → 18, so a fixed n = 0 (a single cosine) can
	// only be asked for with the spec string "fda:n=0".
	NStart, NEnd int

	nSet bool // the spec set n, so NStart = NEnd = 0 means n = 0
	p    float64
	k    fdaKernel
	job  job
}

// maxFDATerms is the largest n a spec may ask for.
const maxFDATerms = 100000

// fdaMaxOmegaC is the largest ω·C a spec may ask for (see FDA).
const fdaMaxOmegaC = 1e6

// fdaOmegaC returns ω·C and whether it is within fdaMaxOmegaC up to the
// float32 rounding of ω and C (2^-24 each), so that a pair written with
// a product of 1e6, such as omega=0.1,c=1e7, is accepted as written.
func fdaOmegaC(omega, c float32) (wc float64, ok bool) {
	wc = float64(omega) * float64(c)
	return wc, wc <= fdaMaxOmegaC*(1+0x1p-22)
}

// The ranges of FDA's omega, c and n.
var (
	fdaOmega = Above(0)
	fdaC     = Above(0)
	fdaN     = Between(0, maxFDATerms)
)

// The defaults of FDA's omega (as float32), c and n: what a spec that
// omits the key and a literal's zero fields both use.
const (
	fdaDefaultOmega  float32 = 0.1
	fdaDefaultC      float32 = 1
	fdaDefaultNStart         = 9
	fdaDefaultNEnd           = 18
)

func newFDA(p *Params) (Estimator, error) {
	omega := p.Float("omega", fdaDefaultOmega, fdaOmega)
	c := p.Float("c", fdaDefaultC, fdaC)
	lo, hi := p.Range("n", fdaDefaultNStart, fdaDefaultNEnd, fdaN)
	if err := p.Err(); err != nil {
		return nil, err
	}
	if wc, ok := fdaOmegaC(omega, c); !ok {
		return nil, fmt.Errorf("omega=%s and c=%s give ω·c = %s: want ω·c <= %s (g has period π/ω in x; past that a period spans only a few dozen float32 values of x near c)",
			formatFloat32(omega), formatFloat32(c), formatFloat32(float32(wc)), formatFloat(fdaMaxOmegaC))
	}
	return &FDA{Omega: omega, C: c, NStart: lo, NEnd: hi, nSet: true}, nil
}

// Doc describes FDA for `gradbench list` and the README.
func (e *FDA) Doc() Doc {
	return Doc{
		Gradient: "(4ω/π)·Σ_{i=0..n} cos((2i+1)·ω·x) where |x| ≤ c, else 0, for ω·c ≤ 1e6; n from the low to the high end of its range over training (n=9 fixes it)",
		Source:   "FDA, NeurIPS 2021 (arXiv 2103.00841)",
	}
}

// Name returns "fda".
func (e *FDA) Name() string { return "fda" }

// SetProgress sets the training progress p in [0, 1], which sets n.
// It panics if p is outside [0, 1] or NaN.
func (e *FDA) SetProgress(p float64) {
	e.check()
	checkProgress(p)
	e.p = p
}

// check returns ω and C in force, a zero field meaning the default; it
// panics on fields out of range (see FDA).
func (e *FDA) check() (omega, c float32) {
	omega = fieldOr("FDA", "Omega", e.Omega, fdaDefaultOmega, fdaOmega)
	c = fieldOr("FDA", "C", e.C, fdaDefaultC, fdaC)
	fieldRange("FDA", "NStart", "NEnd", e.NStart, e.NEnd, fdaN)
	if wc, ok := fdaOmegaC(omega, c); !ok {
		panic(fmt.Sprintf("estimators: FDA.Omega = %s and FDA.C = %s give ω·C = %s: want ω·C <= %s",
			formatFloat32(omega), formatFloat32(c), formatFloat32(float32(wc)), formatFloat(fdaMaxOmegaC)))
	}
	return omega, c
}

// params returns ω, C and the current n; it panics on fields out of range.
func (e *FDA) params() (omega, c float32, n int) {
	omega, c = e.check()
	lo, hi := e.NStart, e.NEnd
	if lo == 0 && hi == 0 && !e.nSet {
		lo, hi = fdaDefaultNStart, fdaDefaultNEnd
	}
	return omega, c, lo + int(math.Round(float64(hi-lo)*e.p))
}

// Forward sets dst to sign(x).
func (e *FDA) Forward(dst, x []float32) {
	e.check()
	e.job.sign(dst, x)
}

// ForwardRef is the reference Forward.
func (e *FDA) ForwardRef(dst, x []float32) {
	e.check()
	signRef(dst, x)
}

// BackwardRef is the reference kernel: the explicit sum, in float64,
//
//	g := 0.0
//	for i := 0; i <= n; i++ { g += cos(float64(2*i+1) * omega * x[i]) }
//	if abs(x[i]) > c { g = 0 }
//	dx[i] = dy[i] * 4*omega/π * g
func (e *FDA) BackwardRef(dx, x, dy []float32) {
	omega, c, n := e.params()
	backwardRef(dx, x, dy, func(v float64) float64 { return fdaG(float64(omega), float64(c), n, v) })
}

func fdaG(omega, c float64, n int, x float64) float64 {
	if !(math.Abs(x) <= c) {
		return 0
	}
	var s float64
	for i := 0; i <= n; i++ {
		s += math.Cos(float64(2*i+1) * omega * x)
	}
	return 4 * omega / math.Pi * s
}

func fdaS(omega, c float64, n int, x float64) float64 {
	x = min(max(x, -c), c)
	var s float64
	for i := 0; i <= n; i++ {
		k := float64(2*i + 1)
		s += math.Sin(k*omega*x) / k
	}
	return 4 / math.Pi * s
}

// Backward is the fast kernel: the closed form (2ω/π)·sin(2Nθ)/sin θ with
// sin from sin32 and sinPoly, masked to 0 where |x| > C, in parallel for
// long slices and on vector instructions where the CPU has them (see
// Impl). Its cost does not depend on n.
func (e *FDA) Backward(dx, x, dy []float32) {
	k, _ := e.BackwardKernel()
	e.job.backward(k.k, dx, x, dy)
}

// BackwardKernel returns Backward's kernel (see Splitter).
func (e *FDA) BackwardKernel() (Kernel, bool) {
	omega, c, n := e.params()
	N := float64(n + 1)
	e.k = fdaKernel{
		omega: omega,
		cb:    math.Float32bits(c),
		twoN:  float32(2 * N),
		eps:   math.Float32bits(float32(1e-4 / N)),
		scale: float32(2 * float64(omega) / math.Pi),
		far:   float64(omega)*float64(c) > 1.5,
	}
	return Kernel{&e.k, e}, true
}

// Surrogate sets dst to ŝ_n(clamp(x, -C, C)).
func (e *FDA) Surrogate(dst, x []float32) {
	omega, c, n := e.params()
	surrogateRef(dst, x, func(v float64) float64 { return fdaS(float64(omega), float64(c), n, v) })
}

// fdaKernel is the fast FDA backward. eps holds the bits of ε, cb those of
// C; far is set when θ can exceed π/2 and must be reduced modulo π.
type fdaKernel struct {
	omega, twoN, scale float32
	cb, eps            uint32
	far                bool
}

// fdaKernels is the fast FDA backward over one chunk: backwardGo, and the
// vector variants of fda_amd64.go.
var fdaKernels = impl.NewKernel(impls, (*fdaKernel).backwardGo)

func (k *fdaKernel) backward(dx, x, dy []float32) { fdaKernels.Get()(k, dx, x, dy) }

// backwardGo is the portable backward.
func (k *fdaKernel) backwardGo(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	if k.far {
		k.backwardFar(dx, x, dy)
		return
	}
	// Three passes per block (see block): θ, then sin(2Nθ), then sin θ and
	// the quotient.
	omega, cb, eps, twoN, scale := k.omega, k.cb, k.eps, k.twoN, k.scale
	var num, tha [block]float32
	for len(x) > 0 {
		m := min(len(x), block)
		xb, nm, th := bitsOf(x[:m]), num[:m], tha[:m]
		for i, b := range xb {
			t := omega * math.Float32frombits(minBits(b&^signBit, cb))
			th[i] = math.Float32frombits(max(math.Float32bits(t), eps)) // θ in [ε, π/2]
		}
		for i, t := range th {
			r, odd := reducePi(twoN * t)
			nm[i] = math.Float32frombits(math.Float32bits(sinPoly(r)) ^ odd)
		}
		dxs, dys := dx[:m], dy[:m]
		for i, b := range xb {
			g := scale * nm[i] / sinPoly(th[i])
			dxs[i] = math.Float32frombits(math.Float32bits(dys[i]*g) & leMask(b&^signBit, cb))
		}
		x, dx, dy = x[m:], dx[m:], dy[m:]
	}
}

// backwardFar is backward for ω·C > π/2: θ = mπ + φ with |φ| <= π/2, and
// the sum at θ is (-1)^m times the sum at |φ|. θ = ω·min(|x|, C) is taken
// in float64, where the product of two float32s is exact, and reduced
// there (reducePi64): φ must be accurate to about 1e-5/N in absolute
// terms where it is near 0, and a float32 θ is already off by up to
// θ·6e-8 before the reduction (off by 2.6e-4 of the peak |g| at n = 9 and
// ω·C = 1000, by 0.5 at ω·C = 1e6).
func (k *fdaKernel) backwardFar(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	w := float64(k.omega)
	for i, v := range x {
		ab := absBits(v)
		keep := leMask(ab, k.cb)
		phi, odd := reducePi64(w * float64(math.Float32frombits(minBits(ab, k.cb))))
		var flip uint32
		if odd {
			flip = signBit
		}
		th := math.Float32frombits(max(absBits(float32(phi)), k.eps))
		r, q := reducePi(k.twoN * th)
		num := math.Float32frombits(math.Float32bits(sinPoly(r)) ^ q ^ flip)
		g := k.scale * num / sinPoly(th)
		dx[i] = math.Float32frombits(math.Float32bits(dy[i]*g) & keep)
	}
}
