package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

var (
	_ Estimator   = (*BiPer)(nil)
	_ Documenter  = (*BiPer)(nil)
	_ Referencer  = (*BiPer)(nil)
	_ Smoother    = (*BiPer)(nil)
	_ Binarizer   = (*BiPer)(nil)
	_ WeightsOnly = (*BiPer)(nil)
)

// BiPer is the periodic weight binarizer of "BiPer: Binary Neural Networks
// using a Periodic Function" (CVPR 2024, arXiv 2404.01278):
// the latent weight w is binarized by the sign of a sine wave, and the
// gradient is that sine's derivative:
//
//	forward   q(w) = sign(sin(ω·w)), sign(0) = +1
//	surrogate sin(ω·w)
//	backward  g(w) = ω·cos(ω·w)
//
// Its forward pass is not sign(w), so it implements Binarizer, and it is
// for latent weights only (WeightsOnly): the paper pairs it with
// ApproxSign on the activations, which the sided spec w=biper/a=approxsign
// says; biper named for the activations (a plain spec "biper" names both
// sides) is refused.
//
// Spec key: omega (ω, default 20, > 0): the value the paper's training
// scripts pass (--freq 20); the official code's own default is 30. Choices
// the code leaves open, or that gradbench's binary layers make, ours:
// the paper's first stage, which trains with the real-valued sin(ω·w) in
// the forward pass, and its regularizer τ·mean(sin²(ω·w)) are out of
// scope: this is the second, binary stage; the binary weights are scaled
// by the detached mean|W_o| per output channel like every estimator's
// (the code multiplies the convolution's output by a learned α per
// channel); sign(0) = +1 where the code's torch.sign(0) = 0; q(±Inf) =
// q(NaN) = NaN (sin is undefined there: the network has diverged);
// g(±Inf) = 0 and g(NaN) = NaN.
//
// The kernels reduce θ = ω·w, an exact product of two float32s in
// float64, modulo π with π in three parts (Cody and Waite) for |θ| < 2^22
// and with math.Sin and math.Cos beyond (weights that large do not occur
// in training, but the result stays right): the forward's sign is then
// exact wherever |sin θ| exceeds about 1e-20, and the backward's cosine
// comes from fastmath.go's sinPoly, absolute error below 2e-7.
//
// Built as a literal, the zero value of Omega means the default; another
// value outside what the spec accepts (> 0, finite, of a magnitude float32
// holds to its precision) makes every method that reads it panic.
type BiPer struct {
	Omega float32 // ω; the zero value means the default, 20

	k   biperKernel
	job job
	fwd biperForward
}

// biperOmega is the range of BiPer's omega.
var biperOmega = Above(0)

// biperDefaultOmega is the default of BiPer's omega: what a spec that
// omits it and a literal's zero Omega both use.
const biperDefaultOmega float32 = 20

func newBiPer(p *Params) (Estimator, error) {
	omega := p.Float("omega", biperDefaultOmega, biperOmega)
	return &BiPer{Omega: omega}, p.Err()
}

// Doc describes BiPer for `gradbench list` and the README.
func (e *BiPer) Doc() Doc {
	return Doc{
		Gradient: "ω·cos(ω·x), for latent weights only, whose forward is sign(sin(ω·x))",
		Source:   "BiPer, CVPR 2024 (arXiv 2404.01278)",
	}
}

// Name returns "biper".
func (e *BiPer) Name() string { return "biper" }

// WeightsOnly says why biper is not for activations.
func (e *BiPer) WeightsOnly() string {
	return "biper binarizes latent weights only (its forward pass sign(sin(ω·w)) is periodic in w; the paper pairs it with ApproxSign on the activations): name it for the weights alone, as in w=biper/a=approxsign"
}

// omega returns ω, or the default for the zero value; it panics on an ω
// out of range.
func (e *BiPer) omega() float32 {
	return fieldOr("BiPer", "Omega", e.Omega, biperDefaultOmega, biperOmega)
}

// Binarize returns q(x) = sign(sin(ω·x)) (sign(0) = +1), NaN for NaN and
// ±Inf.
func (e *BiPer) Binarize(x float64) float64 { return sinSign(float64(e.omega()) * x) }

// ForwardRef is the reference Forward:
//
//	dst[i] = float32(Binarize(float64(x[i])))
func (e *BiPer) ForwardRef(dst, x []float32) {
	checkLen("Forward", dst, x)
	w := float64(e.omega())
	for i, v := range x {
		dst[i] = float32(sinSign(w * float64(v)))
	}
}

// Forward sets dst to q(x), in parallel for long slices.
func (e *BiPer) Forward(dst, x []float32) {
	checkLen("Forward", dst, x)
	e.fwd.omega = float64(e.omega())
	e.job.forward(&e.fwd, dst, x)
}

// BackwardRef is the reference kernel, in float64:
//
//	dx[i] = dy[i] * ω*math.Cos(ω*x[i])  (0 for x = ±Inf)
func (e *BiPer) BackwardRef(dx, x, dy []float32) {
	w := float64(e.omega())
	backwardRef(dx, x, dy, func(v float64) float64 {
		if math.IsInf(v, 0) {
			return 0
		}
		return w * math.Cos(w*v)
	})
}

// Backward is the fast kernel, in parallel for long slices.
func (e *BiPer) Backward(dx, x, dy []float32) {
	k, _ := e.BackwardKernel()
	e.job.backward(k.k, dx, x, dy)
}

// BackwardKernel returns Backward's kernel (see Splitter).
func (e *BiPer) BackwardKernel() (Kernel, bool) {
	e.k.omega = e.omega()
	return Kernel{&e.k, e}, true
}

// Surrogate sets dst to sin(ω·x).
func (e *BiPer) Surrogate(dst, x []float32) {
	w := float64(e.omega())
	surrogateRef(dst, x, func(v float64) float64 { return math.Sin(w * v) })
}

// biperForward is the fast forward pass over one chunk.
type biperForward struct{ omega float64 }

func (f *biperForward) forward(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		th := f.omega * float64(v)
		r, odd := reducePi64(th)
		q := float32(1)
		if (r >= 0) == odd {
			q = -1
		}
		if !(math.Abs(th) < biperMaxTheta) {
			q = float32(sinSign(th))
		}
		dst[i] = q
	}
}

// sinSign returns the sign of sin θ (+1 at 0), NaN for NaN and ±Inf.
func sinSign(th float64) float64 {
	s := math.Sin(th)
	switch {
	case s >= 0:
		return 1
	case s < 0:
		return -1
	}
	return math.NaN()
}

// biperKernel is the fast BiPer backward.
type biperKernel struct{ omega float32 }

// biperKernels is the fast BiPer backward over one chunk: backwardGo, and
// the vector variant of biper_amd64.go.
var biperKernels = impl.NewKernel(impls, (*biperKernel).backwardGo)

func (k *biperKernel) backward(dx, x, dy []float32) { biperKernels.Get()(k, dx, x, dy) }

// backwardGo is the portable kernel: θ = ω·x in float64, reduced to
// r = θ - nπ, then cos θ = (-1)^n·sin(π/2 - |r|).
func (k *biperKernel) backwardGo(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	w := float64(k.omega)
	for i, v := range x {
		th := w * float64(v)
		r, odd := reducePi64(th)
		c := sinPoly(float32(math.Pi/2 - math.Abs(r)))
		if odd {
			c = -c
		}
		if !(math.Abs(th) < biperMaxTheta) {
			c = 0
			if !math.IsInf(th, 0) {
				c = float32(math.Cos(th)) // NaN for NaN
			}
		}
		dx[i] = dy[i] * (k.omega * c)
	}
}

// biperMaxTheta bounds |θ| for reducePi64: n < 2^21, so n·pi64A is exact.
const biperMaxTheta = 1 << 22

// π in three parts for reducePi64: pi64A and pi64B have 30 significant
// bits, so their products with an n < 2^23 are exact in float64 (mpmath).
const (
	pi64A = 3.141592651605606
	pi64B = 1.9841871583270443e-09
	pi64C = 1.034036596358821e-18

	invPi64      = 1 / math.Pi
	magicRound64 = 1.5 * (1 << 52) // x + magic - magic rounds |x| < 2^51 to an integer
)

// reducePi64 returns r = θ - nπ with n = round(θ/π), so |r| <= π/2 up to
// rounding, and whether n is odd, for |θ| < biperMaxTheta.
func reducePi64(th float64) (r float64, odd bool) {
	t := th*invPi64 + magicRound64
	n := t - magicRound64
	return ((th - n*pi64A) - n*pi64B) - n*pi64C, math.Float64bits(t)&1 != 0
}
