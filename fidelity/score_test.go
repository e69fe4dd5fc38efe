package fidelity

import (
	"math"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/nn"
)

// quantile95 returns the 2.5% and 97.5% empirical quantiles of x, each the
// smallest value that at least that fraction of x is at or below, written
// out here rather than taken from gonum.
func quantile95(x []float64) (lo, hi float64) {
	s := slices.Sorted(slices.Values(x))
	at := func(p float64) float64 { return s[max(0, int(math.Ceil(p*float64(len(s))))-1)] }
	return at(0.025), at(0.975)
}

// TestBootstrapIntervals checks Bootstrap's intervals against resamples of
// the sites drawn here from the stream its comment names (one IntN(n) per
// site, in order) and scored with Score: the 2.5% and 97.5% percentiles of
// each score, NaN resamples left out. The only other test of Bootstrap
// compared it with BootstrapContext, the same code, so intervals without
// any resampling (every one the point score) passed.
func TestBootstrapIntervals(t *testing.T) {
	pred := []float64{-3, -1, 0.5, 2, 4, -2, 1, -0.5, 3, -4, 0.25, 1.5}
	dl := []float64{-5, 0.5, 1, 1.5, 9, -1, -0.5, 0.2, 2, -6, 0, -2}
	const reps, seed, noise = 400, 7, 1e-6
	got := Bootstrap(pred, dl, noise, reps, seed)

	r := nn.Stream(seed, "fidelity.bootstrap")
	n := len(pred)
	var pe, sp, sg, tk []float64
	bp, bd := make([]float64, n), make([]float64, n)
	for range reps {
		for i := range n {
			j := r.IntN(n)
			bp[i], bd[i] = pred[j], dl[j]
		}
		s := Score(bp, bd, noise)
		for _, v := range []struct {
			dst *[]float64
			x   float64
		}{{&pe, s.Pearson}, {&sp, s.Spearman}, {&sg, s.Sign}, {&tk, s.TopK}} {
			if !math.IsNaN(v.x) {
				*v.dst = append(*v.dst, v.x)
			}
		}
	}
	point := Score(pred, dl, noise)
	for _, c := range []struct {
		name          string
		draws         []float64
		lo, hi, point float64
	}{
		{"Pearson", pe, got.Lo.Pearson, got.Hi.Pearson, point.Pearson},
		{"Spearman", sp, got.Lo.Spearman, got.Hi.Spearman, point.Spearman},
		{"Sign", sg, got.Lo.Sign, got.Hi.Sign, point.Sign},
		{"TopK", tk, got.Lo.TopK, got.Hi.TopK, point.TopK},
	} {
		wlo, whi := quantile95(c.draws)
		if c.lo != wlo || c.hi != whi {
			t.Errorf("%s: interval [%v, %v], want the 2.5%% and 97.5%% percentiles [%v, %v] of %d resamples", c.name, c.lo, c.hi, wlo, whi, len(c.draws))
		}
		if !(c.lo < c.hi) {
			t.Errorf("%s: interval [%v, %v] around %v: no spread over resamples of 12 noisy sites", c.name, c.lo, c.hi, c.point)
		}
	}
}

// TestOverBatches checks OverBatches' means (NaN scores left out of their
// mean) by hand and its intervals against resamples of the batches drawn
// here from the stream its comment names (one IntN per batch, in order).
// The only other test compared it with OverBatchesContext, the same code.
func TestOverBatches(t *testing.T) {
	nan := math.NaN()
	per := []Scores{
		{N: 20, SignN: 18, K: 2, Pearson: 0.5, Spearman: 0.4, Sign: 0.9, TopK: 1, BaseRate: 0.4},
		{N: 20, SignN: 17, K: 2, Pearson: nan, Spearman: 0.2, Sign: 0.7, TopK: 0.5, BaseRate: 0.3},
		{N: 20, SignN: 19, K: 2, Pearson: 0.1, Spearman: 0.6, Sign: 0.8, TopK: 0, BaseRate: 0.5},
		{N: 20, SignN: 16, K: 2, Pearson: 0.3, Spearman: 0.0, Sign: 0.6, TopK: 0.5, BaseRate: 0.2},
	}
	const reps, seed = 300, 3
	mean, iv := OverBatches(per, reps, seed)
	want := Scores{N: 20, SignN: 18, K: 2, Pearson: 0.3, Spearman: 0.3, Sign: 0.75, TopK: 0.5, BaseRate: 0.35}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	if mean.N != want.N || mean.SignN != want.SignN || mean.K != want.K || !near(mean.Pearson, want.Pearson) ||
		!near(mean.Spearman, want.Spearman) || !near(mean.Sign, want.Sign) || !near(mean.TopK, want.TopK) || !near(mean.BaseRate, want.BaseRate) {
		t.Errorf("OverBatches mean = %+v, want %+v (Pearson over the three batches that have one)", mean, want)
	}

	get := []struct {
		name string
		f    func(*Scores) *float64
	}{
		{"Pearson", func(s *Scores) *float64 { return &s.Pearson }},
		{"Spearman", func(s *Scores) *float64 { return &s.Spearman }},
		{"Sign", func(s *Scores) *float64 { return &s.Sign }},
		{"TopK", func(s *Scores) *float64 { return &s.TopK }},
		{"BaseRate", func(s *Scores) *float64 { return &s.BaseRate }},
	}
	r := nn.Stream(seed, "fidelity.batches")
	draws := make([][]float64, len(get))
	idx := make([]int, len(per))
	for range reps {
		for i := range idx {
			idx[i] = r.IntN(len(per))
		}
		for j, g := range get {
			var sum float64
			k := 0
			for _, b := range idx {
				if v := *g.f(&per[b]); !math.IsNaN(v) {
					sum += v
					k++
				}
			}
			if k > 0 {
				draws[j] = append(draws[j], sum/float64(k))
			}
		}
	}
	for j, g := range get {
		wlo, whi := quantile95(draws[j])
		lo, hi := *g.f(&iv.Lo), *g.f(&iv.Hi)
		if lo != wlo || hi != whi {
			t.Errorf("%s: interval [%v, %v], want the 2.5%% and 97.5%% percentiles [%v, %v] of %d resamples", g.name, lo, hi, wlo, whi, len(draws[j]))
		}
		if !(lo < hi) {
			t.Errorf("%s: interval [%v, %v]: no spread over resamples of four different batches", g.name, lo, hi)
		}
	}
	// Fewer than two batches: NaN intervals.
	if _, iv := OverBatches(per[:1], reps, seed); !math.IsNaN(iv.Lo.Sign) || !math.IsNaN(iv.Hi.Sign) {
		t.Errorf("OverBatches of one batch: interval %+v, want NaN", iv)
	}
}

// TestPercentilesSmallCounts pins what the --bootstrap help and the
// refusal of fewer than MinFidelityReps resamples say: below 40 resamples
// a 95% interval's ends are the smallest and the largest resample, and at
// 40 the upper end is no longer the largest.
func TestPercentilesSmallCounts(t *testing.T) {
	for _, n := range []int{2, 20, 39, 40, 41} {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(n - i) // unsorted: percentiles sorts
		}
		lo, hi := percentiles(x)
		ends := lo == 1 && hi == float64(n)
		if ends != (n < 40) {
			t.Errorf("%d resamples: interval [%v, %v] of 1..%d: ends are the extremes %v, want %v", n, lo, hi, n, ends, n < 40)
		}
	}
}
