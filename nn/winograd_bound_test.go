package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/gemm"
)

// BenchmarkWinogradBound bounds what Winograd F(2×2, 3×3) could save in
// the backward pass of BenchmarkTrainStep's ResNet-20 (28×28 inputs): it
// times, for one part of a batch of 128 (16 images) on one core, the
// backward GEMMs of the 16 stride-1 binary convolutions (6 of 16 channels
// at 28×28, 5 of 32 at 14×14, 5 of 64 at 7×7) as the engine runs them
// (op=direct: the grid path's GEMMs, in its groups), against only the
// 16 small GEMMs per group that Winograd would run instead (op=wino-gemm-*:
// C_out×C_in times C_in×tiles for each of the 4×4 transformed positions,
// tiles of 2×2 outputs, odd maps rounded up), with no transforms at all:
// a Winograd backward pass costs at least its GEMMs, so direct − wino-gemm
// is more than Winograd could save. wino-gemm-grid uses the grid path's group
// sizes, wino-gemm-part all 16 images in one group; the bound takes the
// faster. dir=data is the input gradient, dir=weights the weight gradient.
// results/winograd-bound.sh records it.
func BenchmarkWinogradBound(b *testing.B) {
	r := rand.New(rand.NewPCG(67, 68))
	const part = 16
	layers := []struct{ c, h, count int }{{16, 28, 6}, {32, 14, 5}, {64, 7, 5}}
	for _, dir := range []string{"data", "weights"} {
		for _, op := range []string{"direct", "wino-gemm-grid", "wino-gemm-part"} {
			var runs []func()
			for _, l := range layers {
				run := winogradBoundLayer(r, l.c, l.h, part, dir, op)
				for range l.count {
					runs = append(runs, run)
				}
			}
			b.Run(fmt.Sprintf("dir=%s/op=%s", dir, op), func(b *testing.B) {
				for b.Loop() {
					for _, run := range runs {
						run()
					}
				}
			})
		}
	}
}

// winogradBoundLayer returns the backward GEMMs of one part of n images
// through a c→c 3×3 stride-1 convolution of h×h maps (see
// BenchmarkWinogradBound).
func winogradBoundLayer(r *rand.Rand, c, h, n int, dir, op string) func() {
	img := c * (h + 1) * (h + 1)
	g := max(1, min(n, gridTarget/img))
	groups := (n + g - 1) / g
	g = (n + groups - 1) / groups
	if op == "direct" {
		gr := newGrid(h, h, 1, g)
		off := make([]int, 9*c)
		gr.offsets(off, c, 3)
		nq := gr.nq(g)
		xp, dyp := make([]float32, c*gr.s), make([]float32, c*gr.s)
		w, out := make([]float32, 9*c*c), make([]float32, c*nq)
		fill(r, xp)
		fill(r, dyp)
		fill(r, w)
		return func() {
			for range groups {
				if dir == "data" {
					gemm.SgemmRowsB(false, c, nq, 9*c, 1, w, 9*c, dyp, off, 0, out, nq)
				} else {
					gemm.SgemmRowsA(true, 9*c, c, nq, 1, xp, off, dyp[gr.origin():], gr.s, 1, w, c)
				}
			}
		}
	}
	if op == "wino-gemm-part" {
		g, groups = n, 1
	}
	t := g * ((h + 1) / 2) * ((h + 1) / 2) // tiles of a group
	u, v, m := make([]float32, 16*c*c), make([]float32, 16*c*t), make([]float32, 16*c*t)
	fill(r, u)
	fill(r, v)
	return func() {
		for range groups {
			for i := range 16 {
				ui, vi, mi := u[i*c*c:], v[i*c*t:], m[i*c*t:]
				if dir == "data" {
					gemm.Sgemm(false, false, c, t, c, 1, ui, c, vi, t, 0, mi, t)
				} else {
					gemm.Sgemm(false, true, c, c, t, 1, vi, t, mi, t, 1, ui, c)
				}
			}
		}
	}
}
