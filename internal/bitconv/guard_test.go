package bitconv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/internal/guardmem"
)

// TestGuardPages runs Pack, Forward, ForwardAdd and ForwardBits under
// every implementation with the float input, the packed codes and the
// outputs each ending (or starting) right at an inaccessible page
// (guardmem), on random shapes beyond convCases' (kernels up to 7,
// strides up to 3, channel counts around the words and tap groups), so
// that a kernel reading or writing past them faults; the dot products
// must equal naiveConv's, and ForwardBits the signs of ForwardAdd's
// outputs less the residual (exact here: integer dot products, residual
// 0).
func TestGuardPages(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(51, 52))
		const most = 1 << 16 // bytes
		rx, rb, ry, rres := guardmem.New(t, most), guardmem.New(t, most), guardmem.New(t, most), guardmem.New(t, most)
		for it := range 50 {
			n := 1 + r.IntN(2)
			c := []int{1, 2, 5, 12, 16, 21, 30, 32, 33, 63, 64, 65, 129}[r.IntN(13)]
			k := 1 + r.IntN(7)
			pad := r.IntN(k)
			h, w := max(1, k-2*pad)+r.IntN(8), max(1, k-2*pad)+r.IntN(18)
			s := Shape{In: c, Out: []int{1, 2, 7, 16, 17, 65}[r.IntN(6)], Kernel: k, Stride: r.IntN(4), Pad: pad}
			oh, ow := s.OutSize(h, w)
			if n*c*h*w*4 > most || n*h*w*WordsFor(c)*8 > most || n*s.Out*oh*ow*4 > most || n*s.Out*oh*ow*c*k*k > 1<<22 {
				continue
			}
			for _, end := range []bool{true, false} {
				t.Run(fmt.Sprintf("%d/%+v/n=%d/h=%d/w=%d/end=%v", it, s, n, h, w, end), func(t *testing.T) {
					wts := randSigns(r, s.Out*c*k*k)
					conv, err := NewConv(PackWeights(s, wts), ScaleOnly(ones(s.Out)))
					if err != nil {
						t.Fatal(err)
					}
					x := rx.Float32s(n*c*h*w, end)
					copy(x, randSigns(r, len(x)))
					want := naiveConv(x, wts, n, c, h, w, s)
					xb := NewBits(n, h, w, c)
					xb.Data = rb.Uint64s(len(xb.Data), end)
					Pack(xb, x)
					y, res := ry.Float32s(len(want), end), rres.Float32s(len(want), end)
					clear(res)
					for _, add := range []bool{false, true} {
						if add {
							conv.ForwardAdd(y, xb, res)
						} else {
							conv.Forward(y, xb)
						}
						for i := range want {
							if float64(y[i]) != want[i] {
								t.Fatalf("add=%v: dot product %d = %v, want %v", add, i, y[i], want[i])
							}
						}
					}
					var ob Bits
					conv.ForwardBits(&ob, xb)
					for i, v := range want {
						o, p, b := i/(oh*ow)%s.Out, i%(oh*ow), i/(oh*ow*s.Out)
						if bit := ob.Data[(b*oh*ow+p)*ob.Words+o/64] >> (o % 64) & 1; (bit == 1) != (v < 0) {
							t.Fatalf("ForwardBits of output %d (%v) = %d", i, v, bit)
						}
					}
				})
			}
		}
	})
}
