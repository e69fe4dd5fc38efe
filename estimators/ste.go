package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

var (
	_ Estimator  = (*STE)(nil)
	_ Documenter = (*STE)(nil)
)

// STE is the clipped straight-through estimator ("Binarized
// Neural Networks", NeurIPS 2016, arXiv 1602.02830):
//
//	forward   q(x) = sign(x), sign(0) = +1
//	backward  g(x) = 1 if |x| <= C else 0
//
// Its smooth surrogate is the hard tanh clamp(x, -C, C).
// Spec key: c (C, default 1, > 0). g(±Inf) = 0; |x| = C counts as inside.
//
// Built as a literal, the zero value of C means the default; another
// value outside what the spec accepts (> 0, finite, of a magnitude float32
// holds to its precision) makes every method that reads it panic.
type STE struct {
	C float32 // clip; the zero value means the default, 1

	k   steKernel
	job job
}

// steC is the range of STE's c.
var steC = Above(0)

// steDefaultC is the default of STE's c: what a spec that omits it and a
// literal's zero C both use.
const steDefaultC float32 = 1

func newSTE(p *Params) (Estimator, error) {
	return &STE{C: p.Float("c", steDefaultC, steC)}, p.Err()
}

// clip returns C, or the default for the zero value; it panics on a C
// out of range.
func (e *STE) clip() float32 { return fieldOr("STE", "C", e.C, steDefaultC, steC) }

// Doc describes STE for `gradbench list` and the README.
func (e *STE) Doc() Doc {
	return Doc{
		Gradient: "1 where |x| ≤ c, else 0",
		Source:   "Binarized Neural Networks, NeurIPS 2016 (arXiv 1602.02830)",
	}
}

// Name returns "ste".
func (e *STE) Name() string { return "ste" }

// Forward sets dst to sign(x).
func (e *STE) Forward(dst, x []float32) {
	e.clip()
	e.job.sign(dst, x)
}

// ForwardRef is the reference Forward.
func (e *STE) ForwardRef(dst, x []float32) {
	e.clip()
	signRef(dst, x)
}

// BackwardRef is the reference kernel:
//
//	if abs(x[i]) <= c { dx[i] = dy[i] } else { dx[i] = 0 }
func (e *STE) BackwardRef(dx, x, dy []float32) {
	checkLen("Backward", dx, x)
	checkLen("Backward", dy, x)
	c := e.clip()
	for i, v := range x {
		if abs32(v) <= c {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

// Backward is the fast kernel: it passes dy where |x| <= C with a bit mask
// instead of a branch (for non-negative floats the bit patterns order like
// the values), in parallel for long slices and on vector instructions
// where the CPU has them (see Impl).
func (e *STE) Backward(dx, x, dy []float32) {
	k, _ := e.BackwardKernel()
	e.job.backward(k.k, dx, x, dy)
}

// BackwardKernel returns Backward's kernel (see Splitter).
func (e *STE) BackwardKernel() (Kernel, bool) {
	e.k = steKernel{cb: math.Float32bits(e.clip())}
	return Kernel{&e.k, e}, true
}

// Surrogate sets dst to the hard tanh clamp(x, -C, C).
func (e *STE) Surrogate(dst, x []float32) {
	checkLen("Surrogate", dst, x)
	c := e.clip()
	for i, v := range x {
		dst[i] = max(-c, min(c, v))
	}
}

// steKernel is the fast STE backward; cb holds the bits of the clip.
type steKernel struct{ cb uint32 }

// steKernels is the fast STE backward over one chunk: backwardGo, and the
// vector variants of ste_amd64.go.
var steKernels = impl.NewKernel(impls, (*steKernel).backwardGo)

func (k *steKernel) backward(dx, x, dy []float32) { steKernels.Get()(k, dx, x, dy) }

// backwardGo is the portable kernel. It works on the bits: loading them as
// uint32 saves a move from a float register per operand.
func (k *steKernel) backwardGo(dx, x, dy []float32) {
	xb, dyb, dxb := bitsOf(x), bitsOf(dy), bitsOf(dx)
	dyb, dxb = dyb[:len(xb)], dxb[:len(xb)]
	cb := k.cb
	for i, v := range xb {
		dxb[i] = dyb[i] & leMask(v&^signBit, cb)
	}
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }
