package nn

import (
	"fmt"
	"math"
)

// SoftmaxCrossEntropy is the classification loss: the mean over the batch
// of -Σ_k t_k·log softmax(z)_k, with targets t = one-hot(label) or, with
// label smoothing ε, t = (1-ε)·one-hot + ε/K (PyTorch's label_smoothing).
type SoftmaxCrossEntropy struct {
	// Smoothing is the label smoothing ε in [0, 1); 0 is plain cross-entropy.
	Smoothing float64

	logits *Tensor
	labels []int
	prob   []float32
	dx     buffer
}

// Forward returns the mean loss of logits (N×K×1×1, or any N×… read as N
// rows of K = C·H·W values) for the given labels, each in [0, K). It keeps
// the softmax for Backward. A label out of range, and a Smoothing outside
// [0, 1) (NaN included), panic.
func (l *SoftmaxCrossEntropy) Forward(logits *Tensor, labels []int) float64 {
	logits.check("SoftmaxCrossEntropy", "Forward")
	if !(l.Smoothing >= 0 && l.Smoothing < 1) {
		panic(fmt.Sprintf("nn: SoftmaxCrossEntropy.Forward: label smoothing %v, want a number in [0, 1)", l.Smoothing))
	}
	n, k := logits.N, logits.Sample()
	if len(labels) != n {
		panic(fmt.Sprintf("nn: SoftmaxCrossEntropy.Forward: %d labels for %d logit rows", len(labels), n))
	}
	l.logits, l.labels = logits, labels
	prob := floats(&l.prob, n*k)
	eps := l.Smoothing
	var total float64
	for i, y := range labels {
		if y < 0 || y >= k {
			panic(fmt.Sprintf("nn: SoftmaxCrossEntropy.Forward: label %d of row %d is outside [0, %d)", y, i, k))
		}
		z := logits.Data[i*k:][:k]
		p := prob[i*k:][:k]
		mx := z[0]
		for _, v := range z {
			mx = max(mx, v)
		}
		var s float64
		for j, v := range z {
			e := math.Exp(float64(v - mx))
			p[j] = float32(e)
			s += e
		}
		logS := math.Log(s)
		inv := float32(1 / s)
		var sumLogP float64
		for j, v := range z {
			p[j] *= inv
			sumLogP += float64(v-mx) - logS
		}
		logPy := float64(z[y]-mx) - logS
		total += -(1-eps)*logPy - eps/float64(k)*sumLogP
	}
	return total / float64(n)
}

// Backward returns the gradient of the mean loss with respect to the
// logits: (softmax(z) - t)/N.
func (l *SoftmaxCrossEntropy) Backward() *Tensor {
	z := l.logits
	if z == nil {
		panic("nn: SoftmaxCrossEntropy.Backward called before Forward")
	}
	n, k := z.N, z.Sample()
	dx := l.dx.shape(z.N, z.C, z.H, z.W)
	inv := float32(1 / float64(n))
	off := float32(l.Smoothing / float64(k))
	on := float32(1 - l.Smoothing)
	for i, y := range l.labels {
		p, d := l.prob[i*k:][:k], dx.Data[i*k:][:k]
		for j, v := range p {
			d[j] = (v - off) * inv
		}
		d[y] -= on * inv
	}
	return dx
}

// Correct returns how many rows of logits have their largest value (the
// first, on ties) at the label: CorrectTopK with k = 1, and it panics as
// CorrectTopK does, naming Correct.
func Correct(logits *Tensor, labels []int) int { return correctTopK("Correct", logits, labels, 1) }

// CorrectTopK returns how many rows of logits have the label among their
// k largest values. Classes rank by value, larger first, and equal values
// by class index, lower first; NaN ranks below every number. A label
// counts when fewer than k classes rank above it, so every row has exactly
// k classes in its top k.
//
// labels holds one label per row (logits.N of them), each a class in
// 0..C·H·W−1, and k is in 1..C·H·W; anything else (or logits whose Data
// does not hold their shape) is a programmer error and panics with a
// message naming CorrectTopK, the argument and its value.
func CorrectTopK(logits *Tensor, labels []int, k int) int {
	return correctTopK("CorrectTopK", logits, labels, k)
}

func correctTopK(fn string, logits *Tensor, labels []int, k int) int {
	c := logits.Sample()
	switch {
	case logits.N < 0 || logits.C < 1 || logits.H < 1 || logits.W < 1 || len(logits.Data) != logits.Len():
		panic(fmt.Sprintf("nn: %s: logits %v with %d values, want N >= 0, C, H, W >= 1 and N·C·H·W values", fn, logits, len(logits.Data)))
	case len(labels) != logits.N:
		panic(fmt.Sprintf("nn: %s: %d labels for logits %v, want one per row (%d)", fn, len(labels), logits, logits.N))
	case k < 1 || k > c:
		panic(fmt.Sprintf("nn: %s: k = %d, want 1..%d (the number of classes)", fn, k, c))
	}
	hits := 0
	for i, y := range labels {
		if y < 0 || y >= c {
			panic(fmt.Sprintf("nn: %s: label %d of row %d is out of range, want 0..%d", fn, y, i, c-1))
		}
		z := logits.Data[i*c:][:c]
		above := 0
		for j, v := range z {
			above += b2i(ranksAbove(v, j, z[y], y))
		}
		hits += b2i(above < k)
	}
	return hits
}

// ranksAbove reports whether class j with logit v ranks above class y with
// logit w (see CorrectTopK).
func ranksAbove(v float32, j int, w float32, y int) bool {
	vNaN, wNaN := v != v, w != w
	switch {
	case vNaN != wNaN:
		return wNaN // a number ranks above NaN
	case vNaN:
		return j < y
	}
	return v > w || v == w && j < y
}
