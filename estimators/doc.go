// Package estimators defines what a surrogate gradient is: the rule that
// replaces d sign(x)/dx, which is zero almost everywhere, when a binary
// neural network is trained.
//
// Every estimator but one binarizes with sign(x) in the forward pass
// (sign(0) = +1) and differs only in its backward surrogate g(x); BiPer's
// forward pass is sign(sin(ω·x)), for latent weights only (see
// [Binarizer] and [WeightsOnly]). The package knows nothing of tensors,
// layers or training: it works on plain []float32 slices.
//
// # Spec strings
//
// Estimators are named by spec strings, parsed by [Parse] and [ParseList]:
//
//	name[:key=value,...][+na[:key=value,...]]
//
// for example "fda", "fda:n=9" (a fixed number of Fourier terms),
// "fda:n=9..18,omega=0.1", "dsq:alpha=0.4", "bnnplus:beta=10,learn=true",
// "fda+na", "dsq+na:eta=x", or an estimator defined by a formula,
// "expr:g=max(0, 2 - 2*abs(x)),c=1.5" (see [Expr]; commas inside brackets
// do not split a parameter list, and "+na" is a suffix only outside
// brackets and at the end or before ':'). The "+na" suffix asks for the noise
// adaptation module of the FDA paper, a layer that the training engine
// (package nn) builds around the estimator; nn states and reads its
// settings and registers them here ([RegisterNA]). A parsed [Spec] prints
// back in a canonical form, used as table label and cache key.
//
// A binary layer binarizes two tensors, its latent weights and its
// activations, and a plain spec names the estimator of both. A sided spec
// names each apart:
//
//	w=PLAIN/a=PLAIN
//
// for example "w=fda/a=approxsign", "w=fda+na/a=ste" (FDA with noise
// adaptation on the weights, the clipped STE on the activations) or
// "w=dsq:alpha=0.4/a=ste:c=2". Each side is a whole plain spec, with its
// own parameters and +na suffix; both sides must be named, in either
// order, and a comma-separated list may mix plain and sided specs
// ("ste,w=fda:n=9,omega=0.2/a=ste"). The canonical form names the weights
// first and is the plain spec when both sides are the same: "a=ste/w=fda"
// prints "w=fda/a=ste", and "w=fda/a=fda" prints "fda". An estimator that
// is only for latent weights ([WeightsOnly]) is refused on the activation
// side. [Spec.Weights] and [Spec.Activations] return the sides (a plain
// spec's are itself), and [Sides] makes a sided spec from two plain ones.
//
// A value in a spec is used exactly as given or refused. Each factory
// states each hyperparameter once, with its default and accepted values
// ([Params], [Interval]); `gradbench list` prints those, and the parser
// checks them. Numbers are the float32 the kernels use: a literal names
// its nearest float32 (as a Go float32 constant does), the value is
// checked after the conversion, one whose magnitude float32 cannot hold
// to its precision (below 1.1754944e-38 or above 3.4028235e+38, other
// than 0) is refused, and the canonical form prints the float32, so a
// record shows the number that was used. The one exception is expr's
// knots, which are float64 (any magnitude in [0, c), printed in its
// shortest float64 form).
//
// The same holds for an estimator built as a struct literal, such as
// &STE{C: 0.5}: a zero field means its default, and any other value the
// spec would refuse for that key (a negative C, a NaN, an FDA.NStart
// above 100000) makes each method that reads the field panic, naming the
// type, field, value and accepted range; it is never replaced by another
// value. (DSQ's α and BNN+'s β are clamped to their ranges, as their
// docs say, and panic only for NaN or ±Inf.)
//
// # Interfaces
//
// [Estimator] is the small core every estimator implements. What only some
// have is found by type assertion: [Scheduler] (a surrogate that changes with
// training progress), [Learner] (trainable scalars), [Smoother] (the smooth
// forward surrogate whose derivative is g), [Referencer] (the obvious
// reference kernels that the fast ones are checked against) and
// [Documenter] (a one-line description for `gradbench list` and the
// README); [Binarizer] (a forward pass other than sign, which consumers
// then call instead of assuming sign), [WeightsOnly] (an estimator for
// latent weights only, which the training engine refuses on activations)
// and [Indicator] (a diagnostic measured on the binarized tensor, such as
// ReSTE's estimating error). Every consumer in gradbench asks for these by type assertion
// and skips what an estimator does not offer, so Name, Forward and
// Backward are enough to train, plot and benchmark one.
//
// # Kernels
//
// Every built-in estimator has two implementations of its kernels. The
// reference ones (ForwardRef, BackwardRef; see [Referencer]) are the
// obvious loops over the formulas of their doc comments, in float64; FDA's is the explicit
// sum of n+1 cosines. The fast ones (Forward, Backward), used in training,
// are float32, allocation-free and branch-free (masks from the bits of |x|,
// which order like the values), use the polynomial sin and exp of
// fastmath.go (maximum errors documented there and tested), compute FDA in
// closed form so that its cost does not depend on n, and split slices of
// 2^15 elements or more over the process's worker pool. Learnable scalars'
// gradients are summed over fixed blocks of 4096 elements, in order, so
// they do not depend on the number of cores.
//
// The fast kernels run on vector instructions where the CPU has them,
// chosen once at start-up and named by [Impl]: Go assembly with AVX-512
// (16 lanes, "avx512") or with AVX2 and FMA (8 lanes, "avx2") in every
// build on amd64, no cgo or GOEXPERIMENT needed, and the portable Go loops
// ("go") on other CPUs and architectures or with the build tag purego. The
// package follows the kernel convention of internal/impl: each estimator's
// file declares its kernels with their portable loop, and its arch file
// (fda_amd64.go and fda_amd64.s, ...) adds the vector variants in an init
// function, so an estimator with fast kernels of its own touches no other
// file. Every variant is tested against the portable loops and by package
// estimatortest against the reference kernels; results/kernels.md has
// their timings.
//
// Their accuracy: Backward's dx differs from dy·g(x), evaluated in
// float64, by at most 1e-5·peak|g|·|dy| for every float32 dy, those near
// ±MaxFloat32 and the subnormal ones included (plus a few steps of the
// subnormals there), and it is ±Inf only where that product is within the
// same tolerance of overflowing float32: no kernel's intermediate
// overflows where dy·g does not. (DSQ's and EDE's vector kernels divide dy·4sk·e, or dy·4kt·e, by
// (1+e)², a numerator up to 4 times dy·g: where |dy| >= 2 they divide
// both by 4 first, exactly, which changes no bit of a result that did not
// overflow; see SECH2Y in asm_amd64.h.) Package estimatortest checks this
// for every estimator; TestKernelsMatchPortable checks every
// implementation against the portable loops with dy near ±MaxFloat32, and
// that scaling dy by 2^k scales dx by 2^k bit for bit. The gradient of a
// learnable scalar sums, over the elements, dy times the derivative of
// the surrogate in the scalar, a bounded float32 factor: each product is
// formed and summed in float64, where it is exact and cannot overflow,
// so the gradient is the float64 sum of its terms within 1e-5 of their
// magnitudes' sum, and ±Inf only where that sum is within the same
// tolerance of overflowing float32, dy near ±MaxFloat32 included (package
// estimatortest checks this).
//
// # Bring your own estimator
//
// [Register] adds an estimator under a new name; it then works everywhere a
// built-in one does. Package estimatortest checks any estimator against the
// properties every estimator must have.
package estimators
