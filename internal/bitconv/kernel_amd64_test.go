//go:build !purego

package bitconv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

// TestCheckKernel checks the bounds the assembly XOR-popcount kernels get
// from checkKernel, which has no other check behind it: the assembly reads
// src at base[b] + koff[k] for every block b < nblk without bounds checks,
// and the convolutions only ever pass arguments within bounds, so no other
// test reaches a refusal.
func TestCheckKernel(t *testing.T) {
	pc := make([]uint64, 2*64*8)
	src := make([]uint64, 20)
	koff := []int{0, 2}
	w := make([]uint64, 64*len(koff))
	if kw := checkKernel("k", pc, src, [2]int{0, 10}, koff, 10, w, 64, 2); kw != 2 {
		t.Errorf("checkKernel = %d, want len(koff) = 2", kw)
	}
	checkKernel("k", pc, src, [2]int{10, 11}, koff, 10, w[:2*2], 2, 1) // block 1 unused: its base is not read
	for _, tc := range []struct {
		name       string
		pc, src, w []uint64
		base       [2]int
		koff       []int
		kmax       int
		nc, nblk   int
	}{
		{"second block past the end", pc, src, w, [2]int{0, 11}, koff, 10, 64, 2},
		{"first block past the end", pc, src, w, [2]int{11, 0}, koff, 10, 64, 1},
		{"negative base", pc, src, w, [2]int{0, -1}, koff, 10, 64, 2},
		{"odd channel count", pc, src, w, [2]int{0, 10}, koff, 10, 63, 2},
		{"too many channels", pc, src, append(w, w...), [2]int{0, 10}, koff, 10, 66, 2},
		{"no channels", pc, src, w, [2]int{0, 10}, koff, 10, 0, 2},
		{"short weights", pc, src, w[:2*64-1], [2]int{0, 10}, koff, 10, 64, 2},
		{"short popcounts", pc[:2*64*8-1], src, w, [2]int{0, 10}, koff, 10, 64, 2},
		{"three blocks", pc, src, w, [2]int{0, 10}, koff, 10, 64, 3},
		{"no blocks", pc, src, w, [2]int{0, 10}, koff, 10, 64, 0},
		{"no window words", pc, src, w, [2]int{0, 10}, nil, 10, 64, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			texttest.CheckPanic(t, func() {
				checkKernel("kernelTest", tc.pc, tc.src, tc.base, tc.koff, tc.kmax, tc.w, tc.nc, tc.nblk)
			}, fmt.Sprintf("xnor: kernelTest: bad sizes len(src)=%d base=%v", len(tc.src), tc.base))
		})
	}
}

// TestFusedPrefetchedOutput is TestFusedChannelGroups on an output of
// prefetchMin values or more, the size from which the fused kernel
// prefetches the output lines it stores next (fusedArgs.pf): below it
// the prefetching branches of the kernel's stores run in no test of this
// package. 16 channels of 130×130 (padded, merged taps): pairs whose
// outputs are consecutive and pairs stored apart (17 blocks a row), with
// border lanes and a residual.
func TestFusedPrefetchedOutput(t *testing.T) {
	tc := fusedCase{n: 1, c: 16, h: 130, w: 130, out: 16, pad: 1}
	if n := tc.n * tc.out * tc.h * tc.w; n < prefetchMin {
		t.Fatalf("%+v: an output of %d values, fewer than prefetchMin (%d): no prefetch to test", tc, n, prefetchMin)
	}
	checkFusedCase(t, rand.New(rand.NewPCG(21, 5)), tc)
}
