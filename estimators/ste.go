package estimators

import "math"

var _ Estimator = (*STE)(nil)

// STE is the clipped straight-through estimator (Hubara et al., "Binarized
// Neural Networks", NeurIPS 2016):
//
//	forward   q(x) = sign(x), sign(0) = +1
//	backward  g(x) = 1 if |x| <= C else 0
//
// Its smooth surrogate is the hard tanh clamp(x, -C, C).
// Spec key: c (C, default 1, > 0). g(±Inf) = 0.
type STE struct {
	C float32 // clip; the zero value means the default, 1
}

func newSTE(p *Params) (Estimator, error) {
	c := p.Float("c", 1, "a number > 0", func(v float64) bool { return v > 0 })
	return &STE{C: float32(c)}, p.Err()
}

func (e *STE) clip() float32 {
	if e.C == 0 {
		return 1
	}
	return e.C
}

// Name returns "ste".
func (e *STE) Name() string { return "ste" }

// Forward sets dst to sign(x).
func (e *STE) Forward(dst, x []float32) { signFast(dst, x) }

// ForwardRef is the reference Forward.
func (e *STE) ForwardRef(dst, x []float32) { signRef(dst, x) }

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

// Backward passes dy where |x| <= C, with a bit mask instead of a branch:
// for non-negative floats the bit patterns order like the values.
func (e *STE) Backward(dx, x, dy []float32) {
	checkLen("Backward", dx, x)
	checkLen("Backward", dy, x)
	cb := int32(math.Float32bits(e.clip()))
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		ab := int32(math.Float32bits(v) &^ (1 << 31))
		keep := uint32(^((cb - ab) >> 31)) // all ones if |x| <= c
		dx[i] = math.Float32frombits(math.Float32bits(dy[i]) & keep)
	}
}

// Surrogate sets dst to the hard tanh clamp(x, -C, C).
func (e *STE) Surrogate(dst, x []float32) {
	checkLen("Surrogate", dst, x)
	c := e.clip()
	for i, v := range x {
		dst[i] = max(-c, min(c, v))
	}
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }
