package bitconv

import (
	"math/rand/v2"
	"testing"
)

// TestConvAlternatingSizesAllocateNothing: a layer that alternates
// between the input sizes of full and last batches, and of up to four
// sizes in all, allocates nothing after the first call of each (the
// plans of recent sizes are kept), under every implementation.
func TestConvAlternatingSizesAllocateNothing(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(29, 3))
		s := Shape{In: 16, Out: 16, Kernel: 3, Pad: 1}
		conv, err := NewConv(PackWeights(s, randSigns(r, 16*16*9)), ScaleOnly(make([]float32, 16)))
		if err != nil {
			t.Fatal(err)
		}
		var xs []*Bits
		var ys [][]float32
		for _, sz := range [][3]int{{4, 8, 8}, {3, 8, 8}, {4, 6, 6}, {1, 8, 8}} {
			xb := NewBits(sz[0], sz[1], sz[2], s.In)
			Pack(xb, randSigns(r, sz[0]*s.In*sz[1]*sz[2]))
			xs = append(xs, xb)
			ys = append(ys, make([]float32, sz[0]*s.Out*sz[1]*sz[2]))
		}
		var yb Bits
		yb.Reshape(4, 8, 8, s.Out)
		run := func() {
			for i, xb := range xs {
				conv.Forward(ys[i], xb)
				conv.ForwardBits(&yb, xb)
			}
		}
		run()
		if a := testing.AllocsPerRun(5, run); a != 0 {
			t.Errorf("Forward and ForwardBits on 4 alternating input sizes allocate %v times per run, want 0", a)
		}
	})
}
