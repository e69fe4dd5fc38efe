package fidelity

import (
	"math"
	"slices"

	"github.com/gradbench/gradbench/nn"
)

// A Step is the effect of one step W' = W − η·g on the binary layers'
// latent weights: the true-loss change L(W') − L(W) and the number of
// binary weights whose sign it flips.
type Step struct {
	Eta   float64
	DL    float64
	Flips int
}

// Descent returns, for each η, the effect on the true loss of net on b of
// stepping the latent weights of its binary layers by −η·g, g holding one
// direction per binary layer (as LatentGrads returns). The full-precision
// layers stay as they are, so that the step changes only what the binary
// layers' estimators decide: which signs flip (and the scales s_o). The
// network's state is left unchanged.
func Descent(net nn.Layer, loss Loss, b Batch, g [][]float32, etas []float64) []Step {
	ls := binaryLayers(net)
	if len(g) != len(ls) {
		panic("fidelity: Descent: one direction per binary layer")
	}
	saved := make([][]float32, len(ls))
	for i, l := range ls {
		saved[i] = slices.Clone(l.weight.Data)
	}
	base := TrueLoss(net, loss, b)
	steps := make([]Step, len(etas))
	for k, eta := range etas {
		flips := 0
		for i, l := range ls {
			for j, w := range saved[i] {
				v := w - float32(eta)*g[i][j]
				l.weight.Data[j] = v
				if (v < 0) != (w < 0) {
					flips++
				}
			}
		}
		steps[k] = Step{Eta: eta, DL: TrueLoss(net, loss, b) - base, Flips: flips}
		for i, l := range ls {
			copy(l.weight.Data, saved[i])
		}
	}
	return steps
}

// Norm returns the Euclidean norm of g over every layer.
func Norm(g [][]float32) float64 {
	var s float64
	for _, l := range g {
		for _, v := range l {
			s += float64(v) * float64(v)
		}
	}
	return math.Sqrt(s)
}

// RandomLike returns a direction drawn from nn.Stream(seed,
// "fidelity.random"), Gaussian within each layer and scaled to the norm of
// that layer of g: the step that carries no information about the loss.
func RandomLike(g [][]float32, seed uint64) [][]float32 {
	r := nn.Stream(seed, "fidelity.random")
	out := make([][]float32, len(g))
	for i, l := range g {
		out[i] = make([]float32, len(l))
		var want, have float64
		for j, v := range l {
			want += float64(v) * float64(v)
			x := r.NormFloat64()
			out[i][j] = float32(x)
			have += x * x
		}
		if have > 0 {
			k := float32(math.Sqrt(want / have))
			for j := range out[i] {
				out[i][j] *= k
			}
		}
	}
	return out
}

// DescentOn returns Descent(net, loss, b, gs[i], etas[i]) for every
// direction gs[i], the directions split over the worker pool, each on one
// of the workers (networks in the same state, see Worker): the same
// numbers as one after another on one network. Every worker's state is
// left unchanged.
func DescentOn(ws []Worker, b Batch, gs [][][]float32, etas [][]float64) [][]Step {
	if len(etas) != len(gs) {
		panic("fidelity: DescentOn: one list of learning rates per direction")
	}
	out := make([][]Step, len(gs))
	split(len(gs), len(ws), func(w, lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = Descent(ws[w].Net, ws[w].Loss, b, gs[i], etas[i])
		}
	})
	return out
}
