package bitconv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPlanCache runs one convolution on a series of input sizes that
// differ in one of batch, height and width at a time, more of them than
// it keeps plans for, and back to earlier ones, and checks each output
// bit for bit against a new convolution's. A plan looked up on part of
// the size (a batch or height alone) would compute with another size's
// geometry and padding corrections, which no test of one size per
// convolution sees.
func TestPlanCache(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(23, 6))
		for _, s := range []Shape{{In: 16, Out: 8, Kernel: 3, Pad: 1}, {In: 70, Out: 9, Kernel: 3, Stride: 2, Pad: 1}} {
			w := PackWeights(s, randSigns(r, s.Out*s.In*s.Kernel*s.Kernel))
			a := Affine{Mul: make([]float32, s.Out), Add: make([]float32, s.Out)}
			for o := range s.Out {
				a.Mul[o] = float32(r.NormFloat64())
				a.Add[o] = float32(r.NormFloat64())
			}
			conv, err := NewConv(w, a)
			if err != nil {
				t.Fatal(err)
			}
			// One packed output for every size, as a layer reuses its
			// buffer: ForwardBits reshapes it, shrinking and growing.
			var gb Bits
			sizes := [][3]int{{1, 5, 6}, {1, 5, 9}, {1, 5, 6}, {2, 5, 9}, {2, 6, 9}, {1, 5, 12}, {1, 5, 9}, {3, 4, 4}, {1, 5, 6}, {2, 6, 9}}
			for _, sz := range sizes {
				n, h, wd := sz[0], sz[1], sz[2]
				x := NewBits(n, h, wd, s.In)
				Pack(x, randSigns(r, n*s.In*h*wd))
				fresh, err := NewConv(w, a)
				if err != nil {
					t.Fatal(err)
				}
				oh, ow := s.OutSize(h, wd)
				where := fmt.Sprintf("%+v on %v after %v", s, x, sizes)
				got, want := nanSlice(n*s.Out*oh*ow), nanSlice(n*s.Out*oh*ow)
				conv.Forward(got, x)
				fresh.Forward(want, x)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: output %d = %v, want %v (a new Conv's)", where, i, got[i], want[i])
					}
				}
				var wb Bits
				conv.ForwardBits(&gb, x)
				fresh.ForwardBits(&wb, x)
				if gb.String() != wb.String() || !slices.Equal(gb.Data, wb.Data) {
					t.Fatalf("%s: packed outputs %v differ from a new Conv's %v", where, &gb, &wb)
				}
			}
		}
	})
}
