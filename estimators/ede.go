package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

var (
	_ Estimator  = (*EDE)(nil)
	_ Documenter = (*EDE)(nil)
	_ Scheduler  = (*EDE)(nil)
)

// EDE is the error decay estimator of IR-Net ("Forward and
// Backward Information Retention for Accurate Binary Neural Networks",
// CVPR 2020, arXiv 1909.10788). At training progress p in [0, 1]:
//
//	forward   q(x) = sign(x), sign(0) = +1
//	t(p) = 10^(log10(Tmin) + p·(log10(Tmax) - log10(Tmin)))
//	k(p) = max(1/t, 1)
//	surrogate k·tanh(t·x)
//	backward  g(x) = k·t·(1 - tanh²(t·x))
//
// Spec keys: tmin (Tmin, default 0.1) and tmax (Tmax, default 10), both
// > 0 with tmin <= tmax. EDE has no clip; g(±Inf) = 0. Before the first
// SetProgress the estimator is at p = 0 (t = Tmin, the flattest surrogate).
//
// Built as a literal, the zero value of Tmin or Tmax means its default;
// another value outside what the spec accepts (> 0, finite, of a
// magnitude float32 holds to its precision), or a Tmin above Tmax once the
// defaults are in, makes every method that reads them panic.
type EDE struct {
	Tmin float32 // the zero value means the default, 0.1
	Tmax float32 // the zero value means the default, 10

	p   float64
	k   edeKernel
	job job
}

// The defaults of EDE's tmin and tmax, as float32: what a spec that omits
// the key and a literal's zero field both use.
const (
	edeDefaultTmin float32 = 0.1
	edeDefaultTmax float32 = 10
)

// edeT is EDE's tmin/tmax pair.
var edeT = tPair{typ: "EDE", tmin: edeDefaultTmin, tmax: edeDefaultTmax, in: tRange}

func newEDE(p *Params) (Estimator, error) {
	lo, hi, err := edeT.parse(p)
	if err != nil {
		return nil, err
	}
	return &EDE{Tmin: lo, Tmax: hi}, nil
}

// Doc describes EDE for `gradbench list` and the README.
func (e *EDE) Doc() Doc {
	return Doc{
		Gradient: "k·t·(1 − tanh²(t·x)), t from tmin to tmax over training (geometrically), k = max(1/t, 1)",
		Source:   "IR-Net, CVPR 2020 (arXiv 1909.10788)",
	}
}

// Name returns "ede".
func (e *EDE) Name() string { return "ede" }

// SetProgress sets the training progress p in [0, 1], which sets t and k.
// It panics if p is outside [0, 1] or NaN.
func (e *EDE) SetProgress(p float64) {
	e.bounds()
	checkProgress(p)
	e.p = p
}

// bounds returns Tmin and Tmax in force, a zero field meaning the
// default; it panics on fields out of range (see EDE).
func (e *EDE) bounds() (lo, hi float64) { return edeT.bounds(e.Tmin, e.Tmax) }

// tk returns t(p) and k(p).
func (e *EDE) tk() (t, k float64) { return edeT.schedule(e.Tmin, e.Tmax, e.p) }

// Forward sets dst to sign(x).
func (e *EDE) Forward(dst, x []float32) {
	e.bounds()
	e.job.sign(dst, x)
}

// ForwardRef is the reference Forward.
func (e *EDE) ForwardRef(dst, x []float32) {
	e.bounds()
	signRef(dst, x)
}

// BackwardRef is the reference kernel, in float64:
//
//	dx[i] = dy[i] * k*t*(1-tanh(t*x[i])²)
func (e *EDE) BackwardRef(dx, x, dy []float32) {
	t, k := e.tk()
	backwardRef(dx, x, dy, func(v float64) float64 { return edeG(t, k, v) })
}

func edeG(t, k, x float64) float64 {
	th := math.Tanh(t * x)
	return k * t * (1 - th*th)
}

// Backward is the fast kernel: sech²(t|x|) = 4e/(1+e)² with
// e = exp32(-2t|x|), t|x| clamped to 44 where e flushes to 0.
func (e *EDE) Backward(dx, x, dy []float32) {
	k, _ := e.BackwardKernel()
	e.job.backward(k.k, dx, x, dy)
}

// BackwardKernel returns Backward's kernel (see Splitter).
func (e *EDE) BackwardKernel() (Kernel, bool) {
	t, k := e.tk()
	e.k = edeKernel{t: float32(t), kt: float32(k * t), xmax: math.Float32bits(float32(sechMax / t))}
	return Kernel{&e.k, e}, true
}

// Surrogate sets dst to k·tanh(t·x).
func (e *EDE) Surrogate(dst, x []float32) {
	t, k := e.tk()
	surrogateRef(dst, x, func(v float64) float64 { return k * math.Tanh(t*v) })
}

// edeKernel is the fast EDE backward; xmax holds the bits of 44/t.
type edeKernel struct {
	t, kt float32
	xmax  uint32
}

// edeKernels is the fast EDE backward over one chunk: backwardGo, and the
// vector variants of ede_amd64.go.
var edeKernels = impl.NewKernel(impls, (*edeKernel).backwardGo)

func (k *edeKernel) backward(dx, x, dy []float32) { edeKernels.Get()(k, dx, x, dy) }

// backwardGo is the portable backward.
func (k *edeKernel) backwardGo(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	kt4 := 4 * k.kt
	var buf [block]float32
	for len(x) > 0 {
		m := min(len(x), block)
		e := buf[:m]
		expBlock(e, bitsOf(x[:m]), k.t, k.xmax)
		dxs, dys := dx[:m], dy[:m]
		for i, ex := range e {
			r := 1 / (1 + ex)
			dxs[i] = dys[i] * (kt4 * ex * r * r)
		}
		x, dx, dy = x[m:], dx[m:], dy[m:]
	}
}
