package nn

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/parallel"
)

// Binary configures the binarization of a binary layer: the estimators of
// its two binarized tensors, the latent weights and the activations, as one
// estimator spec. A plain spec ("fda", "fda+na") gives both tensors the
// same estimator, as in §2.3 of the FDA paper (arXiv 2103.00841); a sided
// spec ("w=fda/a=approxsign", "w=fda+na/a=ste"; see estimators.Spec)
// names each. Each tensor takes its backward pass from a fresh
// estimators.Estimator made from its side's spec (Spec.Weights,
// Spec.Activations) and, if that side has the "+na" suffix, gets a
// NoiseAdaptation module of its own: "w=fda+na/a=ste" adapts the weights'
// noise only. An estimator for latent weights only
// (estimators.WeightsOnly) on the activations is an error.
type Binary struct {
	Estimator estimators.Spec
}

// binarizer binarizes one tensor: its estimator, the optional noise
// adaptation module and the estimator's learnable scalars as parameters.
type binarizer struct {
	est    estimators.Estimator
	sign   bool // est's Forward is sign (it is no estimators.Binarizer)
	na     *NoiseAdaptation
	params []*Param // one per learnable scalar, its storage
}

// binarySides is what BinaryConv2d and BinaryLinear share: the
// binarizers of the weights (w) and of the activations (a), whether noise
// adaptation is off (eval), the input of the last Forward and the
// gradient of the forward weights of the last Backward, with the methods
// that only read or set them.
type binarySides struct {
	w, a *binarizer
	eval bool
	in   *Tensor
	dwb  []float32
	rows weightRows // the weights' per-row job (binarizeWeights, backwardWeights)
}

// params returns weight, then the learnable estimator scalars and
// noise-adaptation parameters of the weights and of the activations.
func (l *binarySides) params(weight *Param) []*Param {
	ps := []*Param{weight}
	ps = append(ps, l.w.allParams()...)
	return append(ps, l.a.allParams()...)
}

// SetTraining turns noise adaptation on (training) or off (evaluation).
func (l *binarySides) SetTraining(training bool) { l.eval = !training }

// SetProgress passes p.P() to the estimators that have a schedule and sets
// the noise-adaptation α to p.NAAlpha().
func (l *binarySides) SetProgress(p Progress) {
	l.w.setProgress(p)
	l.a.setProgress(p)
}

// WeightEstimator and ActivationEstimator return the estimators of the two
// binarized tensors; WeightNA and ActivationNA their noise adaptation
// modules, or nil.
func (l *binarySides) WeightEstimator() estimators.Estimator     { return l.w.est }
func (l *binarySides) ActivationEstimator() estimators.Estimator { return l.a.est }
func (l *binarySides) WeightNA() *NoiseAdaptation                { return l.w.na }
func (l *binarySides) ActivationNA() *NoiseAdaptation            { return l.a.na }

// ForwardWeightGrad returns the gradient of the loss with respect to the
// forward weights s_o·q(W) (plus the noise-adaptation term) of the last
// Backward, before the weight estimator's g(W): ∂L/∂q(W_oj) is s_o times
// its entry. It is the layer's buffer, overwritten by the next Backward.
func (l *binarySides) ForwardWeightGrad() []float32 { return l.dwb }

// LastInput returns the input of the last Forward, the tensor whose
// binarization the activation estimator's g differentiates (nil before
// the first Forward). It is the previous layer's buffer, valid until the
// next Forward of the network; the training diagnostics read it.
func (l *binarySides) LastInput() *Tensor { return l.in }

// Check reports whether binary layers can be built with b: whether each
// side's spec makes an estimator, and the activations' is not one for
// latent weights only.
func (b Binary) Check() error {
	for _, side := range [...]string{"w", "a"} {
		if _, _, err := b.side(side); err != nil {
			return fmt.Errorf("nn: %w", err)
		}
	}
	return nil
}

// CheckEpochs reports whether a run of epochs epochs can train with b:
// Check, and CheckProgress at every epoch, Progress{e, epochs} for
// e = 0..epochs-1, the values SetProgress passes the run's layers. An
// expr: formula is checked at p = 0, 0.1, ..., 1 when it is parsed; a run
// of 4 epochs also sets p = 1/3 and 2/3, at which it may not be finite.
// A run of fewer than 1 epoch is an error.
func (b Binary) CheckEpochs(epochs int) error {
	if epochs < 1 {
		return fmt.Errorf("nn: %d epochs, want a run of at least 1", epochs)
	}
	if err := b.Check(); err != nil {
		return err
	}
	for e := range epochs {
		if err := b.CheckProgress(Progress{Epoch: e, Epochs: epochs}); err != nil {
			return err
		}
	}
	return nil
}

// CheckProgress reports whether each side's estimator accepts the
// progress SetProgress(p) would pass it, p.P() (estimators.CheckProgress),
// where SetProgress would panic. The error names the side (of a sided
// spec), the epoch and p. A p that is no position of a run (Epochs < 1,
// or Epoch outside 0..Epochs-1, which P would clamp into [0, 1]) is an
// error too.
func (b Binary) CheckProgress(p Progress) error {
	if p.Epochs < 1 || p.Epoch < 0 || p.Epoch >= p.Epochs {
		return fmt.Errorf("nn: progress %+v is no epoch of a run: want Epochs >= 1 and Epoch in 0..Epochs-1", p)
	}
	for _, side := range [...]string{"w", "a"} {
		if side == "a" && !b.Estimator.Sided() {
			break // a plain spec's activations have its weights' estimator
		}
		spec, e, err := b.side(side)
		if err != nil {
			return fmt.Errorf("nn: %w", err)
		}
		if err := estimators.CheckProgress(e, p.P()); err != nil {
			what := ""
			if b.Estimator.Sided() {
				what = map[string]string{"w": "weight", "a": "activation"}[side] + " estimator " + spec.Typed() + ": "
			}
			return fmt.Errorf("nn: %sepoch %d of %d trains at progress p = %v: %w", what, p.Epoch+1, p.Epochs, p.P(), err)
		}
	}
	return nil
}

// side returns the plain spec of one side ("w" or "a") of b and a fresh
// estimator made from it.
func (b Binary) side(side string) (estimators.Spec, estimators.Estimator, error) {
	spec, word := b.Estimator.Weights(), "weight"
	if side == "a" {
		spec, word = b.Estimator.Activations(), "activation"
	}
	e, err := spec.New()
	if err != nil {
		return spec, nil, fmt.Errorf("%s estimator: %w", word, err)
	}
	if w, ok := e.(estimators.WeightsOnly); ok && side == "a" {
		err = fmt.Errorf("activation estimator: %s", w.WeightsOnly())
		if !b.Estimator.Sided() {
			err = fmt.Errorf("%w (the plain spec %q names it for the activations too: w=%s/a=ste names it for the weights only)", err, spec, spec)
		}
		return spec, nil, err
	}
	return spec, e, nil
}

// newBinarizer makes the binarizer of one side ("w" or "a") of a layer,
// for rows of d values.
func newBinarizer(layer, side string, b Binary, d int, init *Init) (*binarizer, error) {
	z := &binarizer{}
	spec, e, err := b.side(side)
	if err != nil {
		return nil, fmt.Errorf("nn: %s: %w", layer, err)
	}
	if w, ok := e.(estimators.WeightsOnly); ok && side == "a" {
		return nil, fmt.Errorf("nn: %s: activation estimator: %s", layer, w.WeightsOnly())
	}
	z.est = e
	_, other := e.(estimators.Binarizer)
	z.sign = !other
	if l, ok := e.(estimators.Learner); ok {
		for _, s := range l.Scalars() {
			z.params = append(z.params, scalarParam("est."+side+"."+s.Name, s))
		}
	}
	na, err := naSettings(spec)
	if err != nil {
		return nil, err
	}
	if na != nil {
		z.na = NewNoiseAdaptation("na."+side, d, na, init.na("New"+layer))
	}
	return z, nil
}

func (z *binarizer) allParams() []*Param {
	ps := z.params
	if z.na != nil {
		ps = append(ps[:len(ps):len(ps)], z.na.Params()...)
	}
	return ps
}

// scalarParam returns the parameter of a learnable estimator scalar: its
// Data and Grad are s.Value and s.Grad themselves (one-element slices over
// the fields), so the optimizer updates, clamps and zeroes the very values
// the estimator's kernels read and add to, with no copies between passes.
// It is not weight-decayed.
func scalarParam(name string, s *estimators.Scalar) *Param {
	return &Param{
		Name:    name,
		Shape:   []int{1},
		Data:    unsafe.Slice(&s.Value, 1),
		Grad:    unsafe.Slice(&s.Grad, 1),
		NoDecay: true,
		Min:     s.Min,
		Max:     s.Max,
	}
}

func (z *binarizer) setProgress(p Progress) {
	if s, ok := z.est.(estimators.Scheduler); ok {
		s.SetProgress(p.P())
	}
	if z.na != nil {
		z.na.Alpha = float32(p.NAAlpha())
	}
}

// The per-row work on a binary layer's weights, around the weight
// estimator's calls on the whole tensor: the scales and scaled codes of
// the forward pass, the scaled gradient of the backward pass. A training
// step runs it for every binary layer in both passes, so it runs on the
// worker pool by blocks of rows (weightRows), each row computed as on one
// goroutine: the results do not depend on the number of cores.

// weightRowsGrain is the fewest weights a chunk of weightRows takes:
// enough to outlast the pool's hand-off.
const weightRowsGrain = 1 << 14

// weightRows is the job over the rows (d values each) of a binary layer's
// weights: with w set, s[o] = mean|w_o| first; then dst_o = src_o·s[o].
type weightRows struct {
	d              int
	s, w, src, dst []float32
}

// run runs j over the rows of s, then clears j.
func (j *weightRows) run() {
	parallel.For(len(j.s), max(1, weightRowsGrain/j.d), 1, j)
	*j = weightRows{}
}

// Do runs rows [lo, hi).
func (j *weightRows) Do(lo, hi int) {
	d, s := j.d, j.s[lo:hi]
	if j.w != nil {
		meanAbs(s, j.w[lo*d:hi*d], d)
	}
	src, dst := j.src[lo*d:hi*d], j.dst[lo*d:hi*d]
	for o, k := range s {
		sr, dr := src[o*d:][:d], dst[o*d:][:d]
		for i, v := range sr {
			dr[i] = v * k
		}
	}
}

// meanAbs sets s[o] to the mean absolute value of row o of w (rows of d
// values), summed in float64 in order. It takes four rows at a time:
// their sums are independent chains of additions, which the CPU overlaps,
// where one row's waits on each addition's latency.
func meanAbs(s, w []float32, d int) {
	o := 0
	for ; o+4 <= len(s); o += 4 {
		r0, r1, r2, r3 := w[o*d:][:d], w[(o+1)*d:][:d], w[(o+2)*d:][:d], w[(o+3)*d:][:d]
		var a0, a1, a2, a3 float64
		for i := range d {
			a0 += math.Abs(float64(r0[i]))
			a1 += math.Abs(float64(r1[i]))
			a2 += math.Abs(float64(r2[i]))
			a3 += math.Abs(float64(r3[i]))
		}
		s[o], s[o+1], s[o+2], s[o+3] = float32(a0/float64(d)), float32(a1/float64(d)), float32(a2/float64(d)), float32(a3/float64(d))
	}
	for ; o < len(s); o++ {
		var a float64
		for _, v := range w[o*d:][:d] {
			a += math.Abs(float64(v))
		}
		s[o] = float32(a / float64(d))
	}
}

// binarizeWeights sets wq = q(w), wb = q(w)·s row by row (rows of d
// values) and s to the rows' mean absolute values. wq may be wb.
func (l *binarySides) binarizeWeights(wq, wb, s, w []float32, d int) {
	l.w.est.Forward(wq, w)
	l.rows = weightRows{d: d, s: s, w: w, src: wq, dst: wb}
	l.rows.run()
}

// backwardWeights adds s_o·dwb·g(w) to grad, with scaled and tmp as
// scratch; dwb is left unchanged for the noise-adaptation backward, which
// applies the scale itself. g is the estimator's Backward on the whole
// tensor, which splits itself over the worker pool.
func (l *binarySides) backwardWeights(grad, scaled, tmp, dwb, w, s []float32, d int) {
	l.rows = weightRows{d: d, s: s, src: dwb, dst: scaled}
	l.rows.run()
	l.w.est.Backward(tmp, w, scaled)
	addTo(grad, grad, tmp)
}
