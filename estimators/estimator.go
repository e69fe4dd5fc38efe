package estimators

// An Estimator binarizes a tensor in the forward pass and supplies the
// surrogate gradient that replaces d sign(x)/dx in the backward pass.
//
// All slices have the same length; a length mismatch is a programmer error
// and panics. Implementations must not retain the slices, must not write
// outside dst (dx), and must not modify x or dy. An Estimator is not safe for
// concurrent use: training creates one per binarized tensor (per layer), like
// a hash.Hash, and its kernels may split one call over the process's worker
// pool.
type Estimator interface {
	// Name returns the name the estimator is registered under, such as "fda".
	// The full configuration, as a canonical string, is Spec.String.
	Name() string

	// Forward sets dst[i] = q(x[i]) = +1 if x[i] >= 0 else -1, so that
	// q(+0) = q(-0) = +1 (a Binarizer's q is its own, such as BiPer's
	// sign(sin(ω·x))). A NaN input gives NaN, so that a diverged
	// network shows up in the loss instead of being binarized silently.
	Forward(dst, x []float32)

	// Backward sets dx[i] = dy[i]·g(x[i]), where g is the estimator's
	// surrogate derivative. For every finite x, g(x) is finite; for
	// x = ±Inf it is what the estimator documents (0 for every built-in
	// one but identity, whose g is 1 everywhere).
	// Learnable estimators (see Learner) also accumulate the gradient of their
	// scalars here.
	Backward(dx, x, dy []float32)
}

// A Scheduler is an Estimator whose surrogate changes over training, such as
// FDA's growing number of Fourier terms or EDE's sharpening tanh. The harness
// calls SetProgress before each epoch with p in [0, 1]: 0 at the first epoch,
// 1 at the last.
type Scheduler interface {
	SetProgress(p float64)
}

// A ProgressChecker is a Scheduler whose surrogate may not exist at every
// progress: an expr: formula that is finite at p = 0.1 may be infinite at
// p = 0.123. CheckProgress returns the error SetProgress(p) would panic
// with, or nil if SetProgress(p) succeeds; it does not change the
// estimator's progress. Callers that take p from a user (curves
// --progress) or that are about to train at a set of p values check them
// first (see CheckProgress).
type ProgressChecker interface {
	CheckProgress(p float64) error
}

// CheckProgress returns an error if e cannot be set to progress p: p is
// not in [0, 1], or e is a ProgressChecker that refuses p. Any other
// estimator accepts every p in [0, 1].
func CheckProgress(e Estimator, p float64) error {
	if err := progressInRange(p); err != nil {
		return err
	}
	if c, ok := e.(ProgressChecker); ok {
		return c.CheckProgress(p)
	}
	return nil
}

// A Learner is an Estimator with trainable scalars (DSQ's α and BNN+'s β with
// learn=true). Scalars returns pointers to them, the same ones on every
// call; the estimator's kernels read each Value and Backward adds dL/dValue
// to each Grad.
//
// The training engine (package nn) makes each Scalar the storage of one
// network parameter: the parameter's value and gradient are the Scalar's
// Value and Grad fields themselves, not copies. So the optimizer updates
// Value in place after each step, clamps it to [Min, Max] and zeroes Grad,
// and a checkpoint saves and restores Value; the estimator needs no hook.
type Learner interface {
	Scalars() []*Scalar
}

// A Scalar is one trainable hyperparameter of an estimator.
type Scalar struct {
	Name     string  // the spec key, such as "alpha"
	Value    float32 // the current value, read by every Forward/Backward
	Grad     float32 // accumulated gradient of the loss with respect to Value
	Min, Max float32 // the range the optimizer keeps Value in
}

// learned is the state of an estimator setting that Learn can make
// trainable (DSQ's α, BNN+'s β): the Scalar the optimizer updates, made
// on first use, and the list Scalars returns.
type learned struct {
	Scalar
	list []*Scalar
}

// scalars returns the learned scalar, made on first use with the spec key
// name, the value start and the range r, or nil unless learn.
func (l *learned) scalars(learn bool, name string, start float32, r Interval) []*Scalar {
	if learn && l.list == nil {
		l.Scalar = Scalar{Name: name, Value: start, Min: float32(r.Lo), Max: float32(r.Hi)}
		l.list = []*Scalar{&l.Scalar}
	}
	return l.list
}

// value returns the setting in force, clamped to r: the learned value
// with learn, start otherwise.
func (l *learned) value(learn bool, name string, start float32, r Interval) float64 {
	v := start
	if l.scalars(learn, name, start, r) != nil {
		v = l.Value
	}
	return float64(clamp32(v, r))
}

// A Splitter is an Estimator whose backward pass can run on pieces of one
// tensor from several goroutines at once, so that a consumer can apply it
// to each piece of a gradient as it computes that piece, while it is in
// cache (package nn does, in its binary convolutions' backward pass).
// Consumers take the kernel through KernelOf, which refuses a kernel
// that an embedded estimator's BackwardKernel made.
type Splitter interface {
	// BackwardKernel returns the kernel of Backward for the estimator's
	// current settings (its schedule's progress, its scalars), or false
	// where it has none: a learnable estimator, whose Backward also sums
	// its scalars' gradients in an order of its own. The kernel is valid
	// until the estimator's next method call; see Kernel for what it
	// promises.
	BackwardKernel() (Kernel, bool)
}

// A Kernel is the backward pass of a Splitter, from BackwardKernel.
type Kernel struct {
	k     kernel
	owner Estimator // the estimator whose BackwardKernel made it
}

// KernelOf returns e's Backward kernel, or false where e has none of its
// own: e is no Splitter, BackwardKernel says false, or the kernel was
// made by another estimator. The last is a type that embeds a built-in
// estimator, say struct{ *estimators.STE }, to change its Backward: it
// gets the embedded BackwardKernel by promotion, and that kernel computes
// the embedded estimator's g, not the new Backward's. Consumers that
// apply an estimator's backward pass to pieces of a tensor get the kernel
// here, never from BackwardKernel directly, so that such a type trains
// with its own Backward over the whole tensor.
func KernelOf(e Estimator) (Kernel, bool) {
	sp, ok := e.(Splitter)
	if !ok {
		return Kernel{}, false
	}
	k, ok := sp.BackwardKernel()
	if !ok || k.owner != e {
		return Kernel{}, false
	}
	return k, true
}

// Backward sets dx[i] = dy[i]·g(x[i]) on the calling goroutine; calls on
// disjoint slices may run concurrently. On a piece of a tensor that starts
// at a multiple of 64 elements of it and ends at another or at its end
// (the boundaries at which Estimator.Backward itself splits a long slice
// over the worker pool), it sets the bits Backward on the whole tensor
// would.
func (k Kernel) Backward(dx, x, dy []float32) {
	checkLen("Backward", dx, x)
	checkLen("Backward", dy, x)
	k.k.backward(dx, x, dy)
}

// A Smoother is an Estimator whose surrogate derivative is the derivative of
// a smooth forward function q̃ (the soft sign the estimator pretends the
// network uses). Surrogate sets dst[i] = q̃(x[i]). It exists for plots and
// for checking Backward against finite differences.
type Smoother interface {
	Surrogate(dst, x []float32)
}

// A Referencer is an Estimator that also carries its reference kernels: the
// obvious loop, written for clarity, against which the fast Forward and
// Backward are tested and benchmarked.
type Referencer interface {
	ForwardRef(dst, x []float32)
	BackwardRef(dx, x, dy []float32)
}

// A Documenter is an Estimator that describes itself, for `gradbench list`
// and the README's table of estimators (see Describe). Every built-in
// estimator is one.
type Documenter interface {
	Doc() Doc
}

// A Doc describes an estimator in plain text, one line each.
type Doc struct {
	// Gradient is the surrogate gradient g(x), in the notation of the
	// estimator's doc comment: "1 where |x| ≤ c, else 0".
	Gradient string
	// Source names where the method comes from, with the arXiv id of its
	// paper: "Bi-Real Net, ECCV 2018 (arXiv 1808.00278)".
	Source string
}

// String returns the doc in one line: "g(x) = <Gradient> — <Source>".
func (d Doc) String() string {
	s := "g(x) = " + d.Gradient
	if d.Source != "" {
		s += " — " + d.Source
	}
	return s
}

// A Binarizer is an Estimator whose forward pass is not sign(x), such as
// BiPer's sign(sin(ωw)). Binarize returns its q(x) for one value, in
// float64: ±1, or NaN where q is undefined (NaN and whatever else the
// estimator documents); Forward sets dst[i] = Binarize(x[i]). Code that
// would assume q = sign, such as the flip ratio of training or the packing
// of a trained model for XNOR inference, calls the estimator's Forward
// instead, and package estimatortest checks Forward against Binarize.
type Binarizer interface {
	Binarize(x float64) float64
}

// A WeightsOnly estimator binarizes latent weights only (BiPer: its
// forward is periodic in w, which has no meaning for activations).
// WeightsOnly says so in a sentence, for the error the training engine
// returns when asked to use it on activations.
type WeightsOnly interface {
	WeightsOnly() string
}

// An Indicator is an Estimator with a diagnostic measured on the latent
// tensor it binarizes, such as ReSTE's estimating error. Indicator returns
// the diagnostic's name and its value on x; a training run reports the sum
// over the binary layers' weight estimators.
type Indicator interface {
	Indicator(x []float32) (name string, value float64)
}

// checkLen panics when the slices of a kernel call differ in length.
func checkLen(op string, a, b []float32) {
	if len(a) != len(b) {
		panic("estimators: " + op + ": slice lengths differ")
	}
}

// backwardRef is the loop of the reference Backward kernels whose gradient
// depends on x alone: dx[i] = dy[i]·g(x[i]), evaluated in float64.
func backwardRef(dx, x, dy []float32, g func(float64) float64) {
	checkLen("Backward", dx, x)
	checkLen("Backward", dy, x)
	for i, v := range x {
		dx[i] = float32(float64(dy[i]) * g(float64(v)))
	}
}

// surrogateRef is the loop of the Surrogate methods: dst[i] = s(x[i]),
// evaluated in float64.
func surrogateRef(dst, x []float32, s func(float64) float64) {
	checkLen("Surrogate", dst, x)
	for i, v := range x {
		dst[i] = float32(s(float64(v)))
	}
}
