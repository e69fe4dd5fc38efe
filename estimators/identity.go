package estimators

var (
	_ Estimator  = (*Identity)(nil)
	_ Documenter = (*Identity)(nil)
	_ Referencer = (*Identity)(nil)
	_ Smoother   = (*Identity)(nil)
)

// Identity is the unclipped straight-through estimator, the control that
// "Understanding Straight-Through Estimator in Training Activation
// Quantized Neural Nets" (ICLR 2019, arXiv 1903.05662) shows
// can be unstable; it is here so that every table ranking estimators can
// show it:
//
//	forward   q(x) = sign(x), sign(0) = +1
//	backward  g(x) = 1 for every x (±Inf and NaN included)
//
// Its smooth surrogate is the identity x. It has no hyperparameters.
type Identity struct {
	job job
	k   identityKernel
}

func newIdentity(p *Params) (Estimator, error) { return &Identity{}, p.Err() }

// Doc describes Identity for `gradbench list` and the README.
func (e *Identity) Doc() Doc {
	return Doc{
		Gradient: "1 everywhere (STE without the clip)",
		Source:   "ICLR 2019 (arXiv 1903.05662), as a control",
	}
}

// Name returns "identity".
func (e *Identity) Name() string { return "identity" }

// Forward sets dst to sign(x).
func (e *Identity) Forward(dst, x []float32) { e.job.sign(dst, x) }

// ForwardRef is the reference Forward.
func (e *Identity) ForwardRef(dst, x []float32) { signRef(dst, x) }

// BackwardRef is the reference kernel:
//
//	dx[i] = dy[i]
func (e *Identity) BackwardRef(dx, x, dy []float32) {
	checkLen("Backward", dx, x)
	checkLen("Backward", dy, x)
	for i := range x {
		dx[i] = dy[i]
	}
}

// Backward is the fast kernel, a copy of dy, in parallel for long slices.
func (e *Identity) Backward(dx, x, dy []float32) { e.job.backward(&e.k, dx, x, dy) }

// BackwardKernel returns Backward's kernel (see Splitter).
func (e *Identity) BackwardKernel() (Kernel, bool) { return Kernel{&e.k, e}, true }

// Surrogate sets dst to x.
func (e *Identity) Surrogate(dst, x []float32) {
	checkLen("Surrogate", dst, x)
	copy(dst, x)
}

type identityKernel struct{}

func (identityKernel) backward(dx, x, dy []float32) { copy(dx[:len(x)], dy[:len(x)]) }
