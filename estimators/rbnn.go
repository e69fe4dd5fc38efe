package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

var (
	_ Estimator  = (*RBNN)(nil)
	_ Documenter = (*RBNN)(nil)
	_ Scheduler  = (*RBNN)(nil)
	_ Referencer = (*RBNN)(nil)
	_ Smoother   = (*RBNN)(nil)
)

// RBNN is the training-aware sign approximation of "Rotated Binary Neural
// Network" (NeurIPS 2020, arXiv 2009.13055), as its official
// code computes it. At training progress p in [0, 1]:
//
//	forward   q(x) = sign(x), sign(0) = +1
//	t(p) = 10^(log10(Tmin) + p·(log10(Tmax) - log10(Tmin)))
//	k(p) = max(1/t, 1)
//	backward  g(x) = k·max(0, √2·t - t²·|x|)
//
// a triangle of height k·√2·t and half-width √2/t that sharpens as t grows
// from Tmin to Tmax. Its smooth surrogate is k·(√2·t·x - t²·x·|x|/2) for
// |x| <= √2/t and ±k beyond (the piecewise quadratic whose derivative is
// g).
//
// Spec keys: tmin (Tmin, default 1e-2) and tmax (Tmax, default 10), both
// in (0, 1e19] (t² must be a float32, for the fast kernel's slope) with
// tmin <= tmax: the defaults of the official code. Choices the
// code leaves open, ours: the code sets t from epoch/epochs for epochs
// 0..E-1, so its t stops one step short of Tmax; here p = 0 at the first
// epoch and 1 at the last (the harness's progress), so the last epoch
// trains at Tmax. The rotation of the weights, RBNN's other half, is a
// separate module and not part of this estimator. g(±Inf) = g(NaN) = 0.
// Before the first SetProgress the estimator is at p = 0.
//
// Built as a literal, the zero value of Tmin or Tmax means its default;
// another value outside what the spec accepts (in (0, 1e19], of a
// magnitude float32 holds to its precision), or a Tmin above Tmax once the
// defaults are in, makes every method that reads them panic.
type RBNN struct {
	Tmin float32 // the zero value means the default, 1e-2
	Tmax float32 // the zero value means the default, 10

	p   float64
	k   rbnnKernel
	job job
}

// The defaults of RBNN's tmin and tmax, as float32: what a spec that
// omits the key and a literal's zero field both use.
const (
	rbnnDefaultTmin float32 = 1e-2
	rbnnDefaultTmax float32 = 10
)

// rbnnT is RBNN's tmin/tmax pair. Its range ends at 1e19: the fast
// kernel's slope B = k·t² (k = 1 for t >= 1) must be a finite float32,
// which it is up to t ≈ 1.84e19; past that it is +Inf and A - B·|x| is
// -Inf or NaN, zeroed, over the whole triangle.
var rbnnT = tPair{typ: "RBNN", tmin: rbnnDefaultTmin, tmax: rbnnDefaultTmax, in: Interval{Lo: 0, Hi: 1e19, OpenLo: true}}

func newRBNN(p *Params) (Estimator, error) {
	lo, hi, err := rbnnT.parse(p)
	if err != nil {
		return nil, err
	}
	return &RBNN{Tmin: lo, Tmax: hi}, nil
}

// Doc describes RBNN for `gradbench list` and the README.
func (e *RBNN) Doc() Doc {
	return Doc{
		Gradient: "k·max(0, √2·t − t²·|x|), t from tmin to tmax over training (geometrically), k = max(1/t, 1)",
		Source:   "RBNN, NeurIPS 2020 (arXiv 2009.13055)",
	}
}

// Name returns "rbnn".
func (e *RBNN) Name() string { return "rbnn" }

// SetProgress sets the training progress p in [0, 1], which sets t and k.
// It panics if p is outside [0, 1] or NaN.
func (e *RBNN) SetProgress(p float64) {
	e.bounds()
	checkProgress(p)
	e.p = p
}

// bounds returns Tmin and Tmax in force, a zero field meaning the
// default; it panics on fields out of range (see RBNN).
func (e *RBNN) bounds() (lo, hi float64) { return rbnnT.bounds(e.Tmin, e.Tmax) }

// tk returns t(p) and k(p).
func (e *RBNN) tk() (t, k float64) { return rbnnT.schedule(e.Tmin, e.Tmax, e.p) }

// Forward sets dst to sign(x).
func (e *RBNN) Forward(dst, x []float32) {
	e.bounds()
	e.job.sign(dst, x)
}

// ForwardRef is the reference Forward.
func (e *RBNN) ForwardRef(dst, x []float32) {
	e.bounds()
	signRef(dst, x)
}

// BackwardRef is the reference kernel, in float64:
//
//	dx[i] = dy[i] * k*max(0, sqrt(2)*t - t*t*abs(x[i]))
func (e *RBNN) BackwardRef(dx, x, dy []float32) {
	t, k := e.tk()
	backwardRef(dx, x, dy, func(v float64) float64 { return rbnnG(t, k, v) })
}

func rbnnG(t, k, x float64) float64 {
	g := k * (math.Sqrt2*t - t*t*math.Abs(x))
	if !(g > 0) { // NaN too
		return 0
	}
	return g
}

// Backward is the fast kernel: A - B·|x| with A = k·√2·t and B = k·t²,
// |x| clamped on its bits (which also sends NaN to the clamp) to a value
// where A - B·|x| <= 0, and negative results zeroed by their sign bit.
func (e *RBNN) Backward(dx, x, dy []float32) {
	k, _ := e.BackwardKernel()
	e.job.backward(k.k, dx, x, dy)
}

// BackwardKernel returns Backward's kernel (see Splitter).
func (e *RBNN) BackwardKernel() (Kernel, bool) {
	t, k := e.tk()
	a, b := float32(k*math.Sqrt2*t), float32(k*t*t)
	// The clamp: the smallest float32 at or above A/B where A - B·x <= 0
	// in float32.
	xmax := float32(float64(a) / float64(b))
	for a-b*xmax > 0 {
		xmax = math.Nextafter32(xmax, float32(math.Inf(1)))
	}
	e.k = rbnnKernel{a: a, b: b, xmax: math.Float32bits(xmax)}
	return Kernel{&e.k, e}, true
}

// Surrogate sets dst to k·(√2·t·x - t²·x·|x|/2), clamped to ±k.
func (e *RBNN) Surrogate(dst, x []float32) {
	t, k := e.tk()
	x0 := math.Sqrt2 / t
	surrogateRef(dst, x, func(v float64) float64 {
		c := max(-x0, min(x0, v))
		return k * (math.Sqrt2*t*c - t*t*c*math.Abs(c)/2)
	})
}

// rbnnKernel is the fast RBNN backward; xmax holds the bits of the clamp.
type rbnnKernel struct {
	a, b float32
	xmax uint32
}

// rbnnKernels is the fast RBNN backward over one chunk: backwardGo, and the
// vector variants of rbnn_amd64.go.
var rbnnKernels = impl.NewKernel(impls, (*rbnnKernel).backwardGo)

func (k *rbnnKernel) backward(dx, x, dy []float32) { rbnnKernels.Get()(k, dx, x, dy) }

// backwardGo is the portable kernel.
func (k *rbnnKernel) backwardGo(dx, x, dy []float32) {
	xb := bitsOf(x)
	dx, dy = dx[:len(xb)], dy[:len(xb)]
	a, b, xmax := k.a, k.b, k.xmax
	for i, v := range xb {
		g := math.Float32bits(a - b*math.Float32frombits(minBits(v&^signBit, xmax)))
		g &^= uint32(int32(g) >> 31) // 0 where negative
		dx[i] = dy[i] * math.Float32frombits(g)
	}
}
