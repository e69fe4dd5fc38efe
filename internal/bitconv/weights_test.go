package bitconv

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSetSigns checks every bit SetSigns writes, over one and several
// words per tap and a filter count that the worker pool splits, against
// the codes' definition: −1 (bit set) for a negative value, +1 for zero,
// −0 and NaN, and padding bits clear.
func TestSetSigns(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	vals := []float32{-1, 1, 0, float32(math.Copysign(0, -1)), float32(math.NaN())}
	for _, s := range []Shape{{In: 16, Out: 8, Kernel: 3}, {In: 64, Out: 5, Kernel: 1}, {In: 130, Out: 70, Kernel: 3}} {
		x := make([]float32, s.Out*s.In*s.Kernel*s.Kernel)
		for i := range x {
			x[i] = vals[r.IntN(len(vals))] * float32(1+r.IntN(3))
		}
		w := PackWeights(s, make([]float32, len(x)))
		for i := range w.Bits {
			w.Bits[i] = ^uint64(0) // SetSigns writes every word
		}
		w.SetSigns(x)
		for o := range s.Out {
			for c := range s.In {
				for ky := range s.Kernel {
					for kx := range s.Kernel {
						v := x[((o*s.In+c)*s.Kernel+ky)*s.Kernel+kx]
						if want := map[bool]float32{true: -1, false: 1}[v < 0]; w.Sign(o, c, ky, kx) != want {
							t.Fatalf("%+v: code of weight (%d, %d, %d, %d) = %v is %v, want %v", s, o, c, ky, kx, v, w.Sign(o, c, ky, kx), want)
						}
					}
				}
			}
		}
		if c := s.In % 64; c != 0 {
			for i := w.Words - 1; i < len(w.Bits); i += w.Words {
				if w.Bits[i]>>c != 0 {
					t.Fatalf("%+v: padding bits set in word %d: %#x", s, i, w.Bits[i])
				}
			}
		}
	}
}
