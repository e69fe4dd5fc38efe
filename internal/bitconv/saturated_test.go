package bitconv

import "testing"

// TestConvSaturatedWords: every input −1 and every weight +1, so that
// every word of every window mismatches in all 64 bits, over windows of
// 32 and 36 words (the AVX2 kernel's per-byte counts must not wrap at
// 256 = 32 words of 8 mismatches per byte), and the opposite signs of
// half the filters, under every implementation, against the float
// convolution.
func TestConvSaturatedWords(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		for _, s := range []Shape{{In: 2048, Out: 4, Kernel: 1}, {In: 256, Out: 6, Kernel: 3, Pad: 1}, {In: 256, Out: 2, Kernel: 3}} {
			const n, h, w = 1, 4, 5
			x := make([]float32, n*s.In*h*w)
			for i := range x {
				x[i] = -1
			}
			d := s.In * s.Kernel * s.Kernel
			wt := make([]float32, s.Out*d)
			for i := range wt {
				wt[i] = 1
				if i/d%2 == 1 {
					wt[i] = -1
				}
			}
			scale := make([]float32, s.Out)
			for i := range scale {
				scale[i] = 1
			}
			conv, err := NewConv(PackWeights(s, wt), ScaleOnly(scale))
			if err != nil {
				t.Fatal(err)
			}
			xb := NewBits(n, h, w, s.In)
			Pack(xb, x)
			want := naiveConv(x, wt, n, s.In, h, w, s)
			got := nanSlice(len(want))
			conv.Forward(got, xb)
			for i := range want {
				if float64(got[i]) != want[i] {
					t.Fatalf("%+v: output %d = %v, want %v", s, i, got[i], want[i])
				}
			}
		}
	})
}
