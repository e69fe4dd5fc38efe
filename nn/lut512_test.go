package nn

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/internal/impl"
)

// lutImplPair selects each of the two implementations in turn for run and
// returns its two results; it skips the test where either is missing.
func lutImplPair[T any](t *testing.T, a, b string, run func() T) (T, T) {
	t.Helper()
	if !slices.Contains(Impls(), a) || !slices.Contains(Impls(), b) {
		t.Skipf("needs implementations %s and %s (have %v)", a, b, Impls())
	}
	defer SetImpl(Impl())
	var out [2]T
	for i, name := range []string{a, b} {
		if err := SetImpl(name); err != nil {
			t.Fatal(err)
		}
		out[i] = run()
	}
	return out[0], out[1]
}

// TestLUTInputGradAVX512 checks that the AVX-512 table build and lookup
// agree with the AVX2 ones bit for bit: on resnet20's grid groups and on
// ragged shapes (channel counts that leave 1, 2 or 3 channels past the
// lookup's groups of four, a last chunk padded with zero-scale terms, a
// last column block overlapping the one before, blocks of unequal size).
func TestLUTInputGradAVX512(t *testing.T) {
	cases := []lutCase{
		{16, 16, 3, 32, 32, 3, 3}, // resnet20's groups
		{32, 32, 3, 16, 16, 6, 6},
		{64, 64, 3, 8, 8, 8, 8},
		{1, 5, 3, 9, 9, 2, 2},
		{2, 7, 3, 8, 9, 2, 2},
		{3, 6, 3, 9, 8, 2, 1},
		{5, 13, 3, 7, 9, 3, 3},
		{6, 3, 1, 11, 13, 1, 1},
		{7, 37, 3, 6, 11, 2, 2},
		{13, 9, 3, 10, 10, 2, 2},
	}
	r := rand.New(rand.NewPCG(91, 92))
	for _, tc := range cases {
		t.Run(tc.String(), func(t *testing.T) {
			wq, s, dyp, offDy, gr := lutSetup(r, tc)
			nq := gr.nq(tc.n)
			if nq < lutCols {
				t.Fatalf("nq = %d: narrower than a column block, the assembly would not run", nq)
			}
			var lw lutWeights
			lw.prepare(tc.in, tc.out, tc.k, wq, s, offDy)
			a, b := lutImplPair(t, impl.AVX2, impl.AVX512, func() []float32 {
				xg := make([]float32, tc.in*nq)
				var tab []float32
				lw.lutGrad(xg, nq, tc.in, nq, dyp, &tab)
				return xg
			})
			checkBits(t, "avx512 against avx2", b, a)
		})
	}
}

// TestLUTWeightGradAVX512 checks that the AVX-512 rows kernel agrees with
// the AVX2 one bit for bit: the weight gradient with its padding
// correction on resnet20's grid groups, and lutProduct on ragged shapes
// (row counts that leave rows past the kernel's groups of eight and four,
// channel counts with panels of 16 and 32 and a rest, a partial last
// chunk, β 0 and 1).
func TestLUTWeightGradAVX512(t *testing.T) {
	r := rand.New(rand.NewPCG(93, 94))
	for _, s := range []struct{ c, hw int }{{16, 32}, {32, 16}, {64, 8}} {
		t.Run(fmt.Sprintf("resnet20-%dx%dx%d", s.c, s.hw, s.hw), func(t *testing.T) {
			cv := Conv{In: s.c, Out: s.c, Kernel: 3, Stride: 1, Pad: 1}
			c := &convCore{conv: cv, h: s.hw, w: s.hw, parts: make([]convPart, reduceParts)}
			c.k = cv.In * 9
			c.setupGrid(128)
			g := c.grid.g
			_, xp, dyp, nq := lutGridCase(r, cv, s.hw, s.hw, g, g)
			c.off = make([]int, c.k)
			c.grid.offsets(c.off, cv.In, cv.Kernel)
			dw0 := make([]float32, c.k*cv.Out)
			fill(r, dw0)
			a, b := lutImplPair(t, impl.AVX2, impl.AVX512, func() []float32 {
				p := &convPart{dw: slices.Clone(dw0)}
				c.weightGradLUT(p, p, xp, dyp, g, nq, 1)
				return p.dw
			})
			checkBits(t, "avx512 against avx2", b, a)
		})
	}
	for trial := range 40 {
		out := []int{16, 32, 64, 48, 80, 24, 17, 8}[trial%8]
		k := []int{1, 3, 4, 7, 8, 9, 12, 13, 15, 27, 144}[trial%11]
		nq := 1 + r.IntN(400)
		if trial%4 == 0 {
			nq = 4 * (1 + r.IntN(100))
		}
		ldy := nq + r.IntN(3)
		beta := float32(trial % 2)
		x := make([]float32, 4*nq+9*k)
		fill(r, x)
		off := make([]int, k)
		for kk := range off {
			off[kk] = r.IntN(len(x) - nq + 1)
		}
		dy := make([]float32, (out-1)*ldy+nq)
		fill(r, dy)
		dw0 := make([]float32, k*out)
		fill(r, dw0)
		t.Run(fmt.Sprintf("out=%d/k=%d/nq=%d/beta=%v", out, k, nq, beta), func(t *testing.T) {
			a, b := lutImplPair(t, impl.AVX2, impl.AVX512, func() []float32 {
				var sc lutScratch
				v := sc.lutSigns(x)
				dw := slices.Clone(dw0)
				lutProduct(&sc, dw, out, x, v, 0, off, dy, ldy, nq, beta)
				return dw
			})
			checkBits(t, "avx512 against avx2", b, a)
		})
	}
}
