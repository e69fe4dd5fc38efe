package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

var (
	_ Estimator  = (*ApproxSign)(nil)
	_ Documenter = (*ApproxSign)(nil)
)

// ApproxSign is the piecewise-polynomial estimator of Bi-Real Net (Liu et
// al., "Bi-Real Net: Enhancing the Performance of 1-bit CNNs with Improved
// Representational Capability and Advanced Training Algorithm", ECCV 2018,
// arXiv 1808.00278):
//
//	forward   q(x) = sign(x), sign(0) = +1
//	backward  g(x) = max(0, 2 - 2|x|)
//
// Its smooth surrogate is -1 for x < -1, 2x + x² on [-1, 0), 2x - x² on
// [0, 1) and 1 for x >= 1. It has no hyperparameters. g(±Inf) = 0.
type ApproxSign struct {
	job job
	k   approxSignKernel
}

func newApproxSign(p *Params) (Estimator, error) { return &ApproxSign{}, p.Err() }

// Doc describes ApproxSign for `gradbench list` and the README.
func (e *ApproxSign) Doc() Doc {
	return Doc{
		Gradient: "max(0, 2 − 2|x|)",
		Source:   "Bi-Real Net, ECCV 2018 (arXiv 1808.00278)",
	}
}

// Name returns "approxsign".
func (e *ApproxSign) Name() string { return "approxsign" }

// Forward sets dst to sign(x).
func (e *ApproxSign) Forward(dst, x []float32) { e.job.sign(dst, x) }

// ForwardRef is the reference Forward.
func (e *ApproxSign) ForwardRef(dst, x []float32) { signRef(dst, x) }

// BackwardRef is the reference kernel:
//
//	dx[i] = dy[i] * max(0, 2-2*abs(x[i]))
func (e *ApproxSign) BackwardRef(dx, x, dy []float32) {
	backwardRef(dx, x, dy, approxSignG)
}

func approxSignG(x float64) float64 { return max(0, 2-2*math.Abs(x)) }

// Backward is the fast kernel: 2 - 2|x| with its negative values zeroed by
// a mask made from its own sign bit.
func (e *ApproxSign) Backward(dx, x, dy []float32) { e.job.backward(&e.k, dx, x, dy) }

// BackwardKernel returns Backward's kernel (see Splitter).
func (e *ApproxSign) BackwardKernel() (Kernel, bool) { return Kernel{&e.k, e}, true }

// Surrogate sets dst to the piecewise quadratic whose derivative is g.
func (e *ApproxSign) Surrogate(dst, x []float32) {
	surrogateRef(dst, x, approxSignS)
}

func approxSignS(x float64) float64 {
	switch {
	case x < -1:
		return -1
	case x < 0:
		return 2*x + x*x
	case x < 1:
		return 2*x - x*x
	}
	return 1
}

type approxSignKernel struct{}

// approxSignKernels is the fast ApproxSign backward over one chunk:
// approxSignGo, and the vector variants of approxsign_amd64.go.
var approxSignKernels = impl.NewKernel(impls, approxSignGo)

func (approxSignKernel) backward(dx, x, dy []float32) { approxSignKernels.Get()(dx, x, dy) }

// approxSignGo is the portable kernel: |x| is clamped to 1 on its bits
// (loaded as uint32, see bitsOf), so 2 - 2|x| needs no clearing of
// negative values.
func approxSignGo(dx, x, dy []float32) {
	xb := bitsOf(x)
	dx, dy = dx[:len(xb)], dy[:len(xb)]
	for i, v := range xb {
		a := math.Float32frombits(minBits(v&^signBit, oneBits))
		dx[i] = dy[i] * (2 - 2*a)
	}
}
