package estimatortest

import (
	"math"

	"github.com/gradbench/gradbench/estimators"
)

var _ estimators.Estimator = (*Minimal)(nil)

// Minimal is an estimator with nothing but what the Estimator interface
// asks for, as a user's first estimator would be: Name, Forward (sign(x),
// estimators.Sign) and Backward, the derivative of the soft sign
// 2σ(K·x) - 1,
//
//	g(x) = 2K·σ(Kx)·(1 - σ(Kx)),
//
// as a plain float64 loop, and none of the optional interfaces (no
// reference kernels, schedule, learnable scalars, smooth surrogate or
// doc). Packages that consume estimators register it in their tests
// (import package minimal, which registers it as "minimal", or call
// MinimalFactory) to check that they ask for the optional interfaces
// instead of assuming them.
type Minimal struct {
	Label string  // the name it is registered under
	K     float32 // the slope; > 0
}

// MinimalFactory returns the factory of Minimal estimators registered as
// name, with one parameter, k (K, default 4, > 0):
//
//	func init() { estimators.Register("minimal", estimatortest.MinimalFactory("minimal")) }
func MinimalFactory(name string) estimators.Factory {
	return func(p *estimators.Params) (estimators.Estimator, error) {
		return &Minimal{Label: name, K: p.Float("k", 4, estimators.Above(0))}, p.Err()
	}
}

// Name returns the name the estimator is registered under.
func (e *Minimal) Name() string { return e.Label }

// Forward sets dst to sign(x).
func (e *Minimal) Forward(dst, x []float32) { estimators.Sign(dst, x) }

// Backward sets dx = dy·g(x).
func (e *Minimal) Backward(dx, x, dy []float32) {
	if len(dx) != len(x) || len(dy) != len(x) {
		panic("estimatortest: Minimal.Backward: slice lengths differ")
	}
	k := float64(e.K)
	for i, v := range x {
		s := 1 / (1 + math.Exp(-k*float64(v)))
		dx[i] = float32(float64(dy[i]) * 2 * k * s * (1 - s))
	}
}
