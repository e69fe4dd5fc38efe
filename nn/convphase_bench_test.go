package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkPhaseGrid times the phase grid's moves at the two stride-2
// convolutions of BenchmarkTrainStep's ResNet-20 (16 channels of 28×28
// and 32 of 14×14, k = 3, pad 1), on one worker's half of a batch of 128
// (64 images) in the groups setupPhase forms: the fill (scatter), the
// fill with the codes, and the input gradient's reverse (interleave).
// results/ab-phase.sh runs it at a base commit and the current code
// (it uses only what both have).
func BenchmarkPhaseGrid(b *testing.B) {
	r := rand.New(rand.NewPCG(65, 66))
	for _, s := range []struct{ c, h int }{{16, 28}, {32, 14}} {
		const n = 64
		oh := (s.h+2-3)/2 + 1
		img := s.c * 4 * (oh + 1) * (oh + 1)
		g := max(1, min(n, gridTarget/img))
		groups := (n + g - 1) / g
		g = (n + groups - 1) / groups
		pg := newPhaseGrid(s.h, s.h, oh, oh, 3, 2, 1, g)
		chw := s.c * s.h * s.h
		x, dx := make([]float32, n*chw), make([]float32, n*chw)
		fill(r, x)
		planes := make([]float32, pg.planes(s.c)*pg.size)
		fill(r, planes)
		for _, op := range []string{"scatter", "scatter-codes", "interleave"} {
			b.Run(fmt.Sprintf("in=%dx%dx%d/op=%s", s.c, s.h, s.h, op), func(b *testing.B) {
				b.SetBytes(int64(4 * len(x)))
				for b.Loop() {
					for n0 := 0; n0 < n; n0 += g {
						gg := min(g, n-n0)
						if op == "interleave" {
							pg.interleave(dx[n0*chw:], planes, s.c, gg)
						} else {
							pg.scatter(planes, x[n0*chw:], s.c, gg, op == "scatter-codes")
						}
					}
				}
			})
		}
	}
}
