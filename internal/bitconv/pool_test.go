package bitconv

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAvgPool2 checks AvgPool2 under every implementation against its
// definition, ((((0 + a) + b) + c) + d)·0.25 over each 2×2 window at
// stride st, bit for bit (random values, so that another order of the sums
// rounds differently), on planes whose width leaves a column or a row out.
func TestAvgPool2(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(19, 5))
		for _, tc := range []struct{ h, w, st int }{{2, 2, 2}, {4, 6, 2}, {5, 7, 2}, {8, 8, 2}, {16, 33, 2}, {3, 5, 1}, {6, 9, 1}} {
			oh, ow := (tc.h-2)/tc.st+1, (tc.w-2)/tc.st+1
			src := make([]float32, tc.h*tc.w)
			for i := range src {
				src[i] = float32(r.NormFloat64() * 100)
			}
			dst := nanSlice(oh*ow + 3)
			AvgPool2(dst[:oh*ow], src, tc.w, oh, ow, tc.st)
			Done()
			for oy := range oh {
				for ox := range ow {
					i, j := oy*tc.st, ox*tc.st
					var zero float32
					want := (zero + src[i*tc.w+j] + src[i*tc.w+j+1] + src[(i+1)*tc.w+j] + src[(i+1)*tc.w+j+1]) * 0.25
					if got := dst[oy*ow+ox]; math.Float32bits(got) != math.Float32bits(want) {
						t.Fatalf("%dx%d stride %d: output (%d, %d) = %v, want %v", tc.h, tc.w, tc.st, oy, ox, got, want)
					}
				}
			}
			for _, v := range dst[oh*ow:] {
				if !math.IsNaN(float64(v)) {
					t.Fatalf("%dx%d stride %d: wrote past the %d outputs", tc.h, tc.w, tc.st, oh*ow)
				}
			}
		}
	})
}
