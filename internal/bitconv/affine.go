package bitconv

import (
	"fmt"
	"math"
)

// An Affine is the output transform of a binary convolution, one
// multiply-add per output channel applied to the integer dot product d of
// the ±1 codes:
//
//	y_o = float32(Mul[o]·float32(d)) + Add[o]
//
// evaluated in float32 exactly in this order, never as a fused
// multiply-add, so that every kernel (and the thresholds derived from it)
// gives bit-identical results. With the weight scale alone, Mul = s and
// Add = 0 ([ScaleOnly]); with the BatchNorm that follows the convolution
// folded in, see [FoldBatchNorm].
type Affine struct {
	Mul, Add []float32
}

// ScaleOnly returns the transform y_o = s_o·d: the binary convolution's own
// output, conv(q(x), q(W)·s).
func ScaleOnly(scale []float32) Affine {
	return Affine{Mul: append([]float32(nil), scale...), Add: make([]float32, len(scale))}
}

// FoldBatchNorm returns the transform of a binary convolution with weight
// scales s followed by an evaluation-mode BatchNorm with weight γ, bias β,
// running mean μ and running variance σ², ε = eps:
//
//	BN(s·d) = γ·(s·d − μ)/√(σ² + ε) + β = Mul·d + Add
//
// The BatchNorm constants are rounded as the training engine's evaluation
// forward rounds them (inv = float32(1/√(σ²+ε)), k = γ·inv, Add = β − μ·k in
// float32), then Mul = s·k. Slices of different lengths are a programmer
// error and panic.
func FoldBatchNorm(scale, gamma, beta, mean, variance []float32, eps float64) Affine {
	n := len(scale)
	if len(gamma) != n || len(beta) != n || len(mean) != n || len(variance) != n {
		panic(fmt.Sprintf("xnor: FoldBatchNorm: lengths %d (scale), %d, %d, %d, %d (BatchNorm) differ",
			n, len(gamma), len(beta), len(mean), len(variance)))
	}
	a := Affine{Mul: make([]float32, n), Add: make([]float32, n)}
	for o := range n {
		inv := float32(1 / math.Sqrt(float64(variance[o])+eps))
		k := gamma[o] * inv
		a.Add[o] = beta[o] - float32(mean[o]*k)
		a.Mul[o] = float32(float64(scale[o]) * float64(k))
	}
	return a
}

// validate reports an error for a transform of the wrong length or with a
// value that is not finite.
func (a Affine) validate(out int) error {
	if len(a.Mul) != out || len(a.Add) != out {
		return fmt.Errorf("xnor: output transform has %d multipliers and %d offsets, want %d (one per output channel)", len(a.Mul), len(a.Add), out)
	}
	for o := range out {
		m, b := float64(a.Mul[o]), float64(a.Add[o])
		if math.IsNaN(m) || math.IsInf(m, 0) || math.IsNaN(b) || math.IsInf(b, 0) {
			return fmt.Errorf("xnor: output transform of channel %d is %g·d + %g, want finite values", o, m, b)
		}
	}
	return nil
}

// apply is the transform of one channel, the definition every kernel
// follows.
func apply(mul, add float32, d int64) float32 {
	return float32(mul*float32(d)) + add
}

// threshold returns (flip, tau) such that, for every integer d in [−k, k],
//
//	apply(mul, add, d) < 0  ⟺  (d XOR flip) − flip < tau
//
// with flip = 0 (compare d) or −1 (compare −d). It is found by bisection
// on apply itself, which is monotone in d (float rounding is monotone), so
// the packed output of a layer is exactly the sign of its float output,
// ties included: y = 0 (or −0) gives +1, as q(0) = +1.
func threshold(mul, add float32, k int64) (flip, tau int64) {
	neg := func(d int64) bool { return apply(mul, add, d) < 0 }
	switch {
	case mul > 0:
		// neg is true on [−k, τ) and false on [τ, k]: find τ.
		lo, hi := -k, k+1 // neg(lo−1) true by convention, neg(hi) false
		if !neg(lo) {
			return 0, lo
		}
		for hi-lo > 1 { // invariant: neg(lo), and neg false at hi (or hi = k+1)
			mid := lo + (hi-lo)/2
			if neg(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		return 0, hi
	case mul < 0:
		// neg is false on [−k, τ'] and true on (τ', k]: d > τ' ⟺ −d < −τ'.
		lo, hi := -k-1, k // neg false at lo (or lo = −k−1), neg(hi) true
		if !neg(hi) {
			return -1, -k // −d < −k never holds for d <= k
		}
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			if neg(mid) {
				hi = mid
			} else {
				lo = mid
			}
		}
		return -1, -lo
	default: // mul is ±0: the sign of add, whatever d
		if add < 0 {
			return 0, k + 1
		}
		return 0, -k
	}
}
