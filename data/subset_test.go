package data

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestStratifiedSubsetQuotas checks the largest-remainder rule: each
// class gets the floor of its exact share n·size/total, and the images
// left go one each to the classes with the largest remainders, ties to
// the lower class, never past a class's size. The other subset tests
// accept a count within one of each share, which a rule that gave the
// extra images to the first classes instead would also meet.
func TestStratifiedSubsetQuotas(t *testing.T) {
	for _, tc := range []struct {
		sizes []int
		n     int
		want  []int
	}{
		// shares 6.5, 3.9, 1.95, 0.65: floors 6, 3, 1, 0; remainders
		// 0.5, 0.9, 0.95, 0.65 give the three left to classes 2, 1, 3.
		{[]int{50, 30, 15, 5}, 13, []int{6, 4, 2, 1}},
		// equal remainders: the lower class first.
		{[]int{10, 10, 10}, 4, []int{2, 1, 1}},
		{[]int{10, 10, 10}, 29, []int{10, 10, 9}},
		// every image.
		{[]int{3, 1, 2}, 6, []int{3, 1, 2}},
		// a class too small for a share of one.
		{[]int{98, 1, 1}, 3, []int{3, 0, 0}},
	} {
		var labels []int32
		for k, s := range tc.sizes {
			for range s {
				labels = append(labels, int32(k))
			}
		}
		// The pool in another order than the labels.
		r := rand.New(rand.NewPCG(1, 2))
		pool := r.Perm(len(labels))
		got := stratifiedSubset(labels, pool, len(tc.sizes), tc.n, rand.New(rand.NewPCG(3, 4)))
		counts := make([]int, len(tc.sizes))
		for _, i := range got {
			counts[labels[i]]++
		}
		if !slices.Equal(counts, tc.want) {
			t.Errorf("sizes %v, n %d: per class %v, want %v", tc.sizes, tc.n, counts, tc.want)
		}
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("sizes %v, n %d: %v is not sorted and distinct", tc.sizes, tc.n, got)
		}
	}
}

// TestStratifiedSubsetLargeClasses: the shares n·size/total of classes of
// tens of thousands of images exceed 2^31 before the division (here
// 100000·90000), which a 32-bit build's int cannot hold: the quotas must
// still be each class's share, not a wrapped product's.
func TestStratifiedSubsetLargeClasses(t *testing.T) {
	sizes := []int{90000, 30000}
	var labels []int32
	for k, s := range sizes {
		for range s {
			labels = append(labels, int32(k))
		}
	}
	pool := make([]int, len(labels))
	for i := range pool {
		pool[i] = i
	}
	for _, tc := range []struct {
		n    int
		want []int
	}{{100000, []int{75000, 25000}}, {100001, []int{75001, 25000}}} {
		got := stratifiedSubset(labels, pool, len(sizes), tc.n, rand.New(rand.NewPCG(3, 4)))
		counts := make([]int, len(sizes))
		for _, i := range got {
			counts[labels[i]]++
		}
		if !slices.Equal(counts, tc.want) {
			t.Errorf("%d of classes of %v: per class %v, want %v", tc.n, sizes, counts, tc.want)
		}
	}
}
