package gemm

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

// fakeKernel returns a portable mr×nr kernel for tests of the engine
// selection (any shape, so that no CPU feature is needed).
func fakeKernel(name string, mr, nr int) kernel {
	return kernel{name: name, mr: mr, nr: nr}
}

// TestChoose checks that a product goes to the engine whose micro-tiles
// pad its m×n result least, the first listed on a tie. Every engine gives
// the right result, so the cross-checks against ref pass whichever it
// picks; only this test sees a choice that pads more than it need.
func TestChoose(t *testing.T) {
	k6x16, k4x24 := fakeKernel("6x16", 6, 16), fakeKernel("4x24", 4, 24)
	k12x32, k8x48, k12x16 := fakeKernel("12x32", 12, 32), fakeKernel("8x48", 8, 48), fakeKernel("12x16", 12, 16)
	for _, tc := range []struct {
		ks   []kernel
		m, n int
		want string
	}{
		{[]kernel{k6x16, k4x24}, 6, 16, "6x16"},            // 96 against 192
		{[]kernel{k6x16, k4x24}, 4, 24, "4x24"},            // 192 against 96
		{[]kernel{k6x16, k4x24}, 1, 1, "6x16"},             // 96 against 96: the first
		{[]kernel{k6x16, k4x24}, 12, 48, "6x16"},           // 576 against 576: the first
		{[]kernel{k4x24, k6x16}, 12, 48, "4x24"},           // the same, the other order
		{[]kernel{k6x16, k4x24}, 7, 17, "4x24"},            // 384 against 192
		{[]kernel{k12x32, k8x48, k12x16}, 12, 32, "12x32"}, // 384, 768, 384
		{[]kernel{k12x32, k8x48, k12x16}, 8, 48, "8x48"},   // 768, 384, 576
		{[]kernel{k12x32, k8x48, k12x16}, 12, 16, "12x16"}, // 384, 768, 192
		{[]kernel{k12x32, k8x48, k12x16}, 16, 100, "8x48"}, // 3072, 2304, 2688
	} {
		t.Run(fmt.Sprintf("%dx%d", tc.m, tc.n), func(t *testing.T) {
			es := make([]*blocked, len(tc.ks))
			for i, k := range tc.ks {
				es[i] = &blocked{kern: k}
			}
			if got := choose(es, tc.m, tc.n).kern.name; got != tc.want {
				t.Errorf("choose(%dx%d) among %v = %s, want %s", tc.m, tc.n, names(tc.ks), got, tc.want)
			}
		})
	}
}

func names(ks []kernel) []string {
	var s []string
	for _, k := range ks {
		s = append(s, k.name)
	}
	return s
}

// inPlaceKernels returns two portable 4×2 kernels, one that reads A in
// place (fnA) and one that reads B in place (fnB), which count in calls
// their calls of any variant: [0] the first kernel's, [1] the second's.
func inPlaceKernels(calls *[2]atomic.Int64) (ka, kb kernel) {
	counted := func(i int) func(k int, a, b []float32, beta float32, c []float32, ldc, m, n int) {
		return func(k int, a, b []float32, beta float32, c []float32, ldc, m, n int) {
			calls[i].Add(1)
			kernel4x2(k, a, b, beta, c, ldc, m, n)
		}
	}
	ka = kernel{name: "test-a", mr: 4, nr: 2, fn: counted(0),
		fnA: func(k int, a []float32, aoff []int, b []float32, beta float32, c []float32, ldc int) {
			calls[0].Add(1)
			var acc [8]float32
			for i := range 4 {
				for j := range 2 {
					for p := range k {
						acc[i*2+j] += a[aoff[i]+p] * b[p*2+j]
					}
				}
			}
			storeTile(acc[:], 2, beta, c, ldc, 4, 2)
		}}
	kb = kernel{name: "test-b", mr: 4, nr: 2, fn: counted(1),
		fnB: func(k int, a, b []float32, boff []int, beta float32, c []float32, ldc int) {
			calls[1].Add(1)
			var acc [8]float32
			for i := range 4 {
				for j := range 2 {
					for p := range k {
						acc[i*2+j] += a[p*4+i] * b[boff[p]+j]
					}
				}
			}
			storeTile(acc[:], 2, beta, c, ldc, 4, 2)
		}}
	return ka, kb
}

// TestRowsEngine checks that SgemmRowsA's products (A given by row
// offsets) go to the engine whose kernel reads A in place and SgemmRowsB's
// to the one that reads B in place, whichever is listed first and though
// both tile the result alike, and that they compute the product through
// the in-place paths of the blocked loop with portable kernels (on an
// amd64 CPU only the assembly kernels have in-place variants). The
// packing path gives the same products, so the cross-checks against ref
// pass whichever engine runs; only the calls show the choice.
func TestRowsEngine(t *testing.T) {
	var calls [2]atomic.Int64
	ka, kb := inPlaceKernels(&calls)
	r := rand.New(rand.NewPCG(13, 14))
	for _, order := range [][]kernel{{ka, kb}, {kb, ka}} {
		es := engines{&blocked{kern: order[0]}, &blocked{kern: order[1]}}
		for _, rowsA := range []bool{false, true} {
			want := 1 // the kernel that reads B in place
			if rowsA {
				want = 0
			}
			// Edge tiles in both directions, two depth blocks, and more
			// rows than a row block (mc).
			for _, s := range [][3]int{{9, 7, 300}, {mc + 5, 3, 20}} {
				m, n, k := s[0], s[1], s[2]
				calls[0].Store(0)
				calls[1].Store(0)
				name := fmt.Sprintf("order=%s,%s/rowsA=%v/m=%d/n=%d/k=%d", order[0].name, order[1].name, rowsA, m, n, k)
				t.Run(name, func(t *testing.T) {
					checkRowsGemm(t, r, rowsA, m, n, k, -0.75, 1.5, es.rows)
					if calls[want].Load() == 0 || calls[1-want].Load() != 0 {
						t.Errorf("calls of %s %d, of %s %d: want only the kernel that reads %s in place",
							ka.name, calls[0].Load(), kb.name, calls[1].Load(), map[bool]string{true: "A", false: "B"}[rowsA])
					}
				})
			}
		}
	}
	// With no kernel that reads the offset operand in place, the one that
	// pads least, the operand packed.
	k6x16, k4x24 := fakeKernel("6x16", 6, 16), fakeKernel("4x24", 4, 24)
	es := []*blocked{{kern: k6x16}, {kern: k4x24}}
	if got := rowsEngine(es, true, 4, 24).kern.name; got != "4x24" {
		t.Errorf("rowsEngine without in-place kernels, 4x24 = %s, want 4x24", got)
	}
	ka6 := k6x16
	ka6.fnA = ka.fnA
	es = []*blocked{{kern: ka6}, {kern: k4x24}}
	if got := rowsEngine(es, true, 4, 24).kern.name; got != "6x16" {
		t.Errorf("rowsEngine(rows of A, 4x24) = %s, want 6x16, the only kernel that reads A in place, though 4x24 pads less", got)
	}
	if got := rowsEngine(es, false, 6, 16).kern.name; got != "6x16" {
		t.Errorf("rowsEngine(rows of B, 6x16) = %s, want 6x16, which pads least (no kernel reads B in place)", got)
	}
}

// TestDepthBlock checks that the depth is cut into as few blocks of at
// most kc as it takes, all of the same size but the last, which is at most
// nb−1 shorter (k = 288 is two blocks of 144, not 256 and 32). The block
// size fixes the order of each entry's sum, and so its rounding, without
// changing the product beyond it: the cross-checks against ref, within a
// rounding tolerance, pass any cut.
func TestDepthBlock(t *testing.T) {
	for k, want := range map[int]int{1: 1, 255: 255, kc: kc, kc + 1: 129, 288: 144, 2 * kc: kc, 2*kc + 1: 171, 3 * kc: kc, 1000: 250} {
		if got := depthBlock(k); got != want {
			t.Errorf("depthBlock(%d) = %d, want %d", k, got, want)
		}
	}
	for k := 1; k <= 4*kc; k++ {
		kb := depthBlock(k)
		nb := (k + kb - 1) / kb
		if kb > kc || nb != (k+kc-1)/kc || k-(nb-1)*kb > kb || kb-(k-(nb-1)*kb) >= nb {
			t.Fatalf("depthBlock(%d) = %d: %d blocks, the last of %d; want %d blocks of at most %d, the last short by less than the block count",
				k, kb, nb, k-(nb-1)*kb, (k+kc-1)/kc, kc)
		}
	}
}

// TestFreeListGetOrMake checks that the first getOrMake(n) on an empty
// list makes n values, keeps n−1 for the next gets and returns the last,
// so that the parts of the first parallel product find their workspaces
// made (a value made later, in whatever step first runs more parts at
// once, allocates 3 MB in the middle of a timed loop; no allocation test
// sees that, since each warms up first).
func TestFreeListGetOrMake(t *testing.T) {
	var l freeList[int]
	first := l.getOrMake(3)
	seen := map[*int]bool{first: true}
	for i := range 2 {
		if len(l.free) != 2-i {
			t.Fatalf("after getOrMake(3) and %d gets, %d values free, want %d", i, len(l.free), 2-i)
		}
		v := l.get()
		if seen[v] {
			t.Fatalf("get %d returned a value already handed out", i)
		}
		seen[v] = true
	}
	if len(l.free) != 0 {
		t.Fatalf("%d values free, want 0", len(l.free))
	}
	// A list with values free hands one out and makes none.
	l.put(first)
	if v := l.getOrMake(3); v != first || len(l.free) != 0 {
		t.Errorf("getOrMake(3) with one free = a new value or %d left free, want the free one and none left", len(l.free))
	}
	// n < 1 makes one.
	var e freeList[int]
	if v := e.getOrMake(0); v == nil || len(e.free) != 0 {
		t.Errorf("getOrMake(0) on an empty list = %v with %d free, want a new value and none free", v, len(e.free))
	}
}
