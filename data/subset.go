package data

import (
	"cmp"
	"math/rand/v2"
	"slices"
)

// stratifiedSubset picks n of the images pool (indices into labels, in
// increasing order), each class keeping its share of n (largest
// remainder, ties to the lower class), drawn without replacement with r.
// The result is sorted.
func stratifiedSubset(labels []int32, pool []int, classes, n int, r *rand.Rand) []int {
	byClass := make([][]int, classes)
	for _, i := range pool {
		y := labels[i]
		byClass[y] = append(byClass[y], i)
	}
	// The shares in int64: n·len(idx) passes 2^31 for classes of tens of
	// thousands of images, which a 32-bit int would wrap.
	total := int64(len(pool))
	quota := make([]int, classes)
	type rem struct {
		frac  int64
		class int
	}
	rems := make([]rem, 0, classes)
	taken := 0
	for k, idx := range byClass {
		share := int64(n) * int64(len(idx))
		q := share / total
		quota[k] = int(q)
		taken += int(q)
		rems = append(rems, rem{share - q*total, k})
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return cmp.Compare(b.frac, a.frac) })
	for i := 0; taken < n; i++ {
		k := rems[i%classes].class
		if quota[k] < len(byClass[k]) {
			quota[k]++
			taken++
		}
	}
	out := make([]int, 0, n)
	for k, idx := range byClass {
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		out = append(out, idx[:quota[k]]...)
	}
	slices.Sort(out)
	return out
}

// complement returns the images of pool (sorted) that are not in held
// (sorted), in order.
func complement(pool, held []int) []int {
	out := make([]int, 0, len(pool)-len(held))
	j := 0
	for _, i := range pool {
		if j < len(held) && held[j] == i {
			j++
			continue
		}
		out = append(out, i)
	}
	return out
}
