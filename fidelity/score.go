package fidelity

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/gradbench/gradbench/nn"
)

// Scores compare predicted loss changes δ with the true changes ΔL of the
// same sites.
type Scores struct {
	N        int     // sites
	Pearson  float64 // correlation of δ with ΔL; NaN if either is constant
	Spearman float64 // correlation of their ranks (ties share their mean rank)
	// Sign is the fraction of the sites with |ΔL| > noise where δ and ΔL
	// have the same sign, over SignN such sites (NaN if none).
	Sign  float64
	SignN int
	// TopK is the fraction of the K sites with the most negative δ whose
	// ΔL < −noise (a flip predicted to lower the loss that does), and
	// BaseRate the fraction of all sites whose ΔL < −noise: the top-k
	// precision of a random ranking.
	TopK     float64
	K        int
	BaseRate float64
}

// Score returns the scores of the predictions pred of the true changes dl,
// with the top K = max(1, ⌈n/10⌉) and noise the |ΔL| below which a change
// counts as float noise: finite and not negative. pred and dl must have
// the same length.
func Score(pred, dl []float64, noise float64) Scores {
	if len(pred) != len(dl) {
		panic("fidelity: Score of slices of different lengths")
	}
	checkNoise("Score", noise)
	n := len(pred)
	s := Scores{N: n, Pearson: math.NaN(), Spearman: math.NaN(), Sign: math.NaN(), TopK: math.NaN(), BaseRate: math.NaN()}
	if n == 0 {
		return s
	}
	order := sortedOrder(pred) // for the ranks of pred and the top k
	if n > 1 {
		s.Pearson = stat.Correlation(pred, dl, nil)
		s.Spearman = stat.Correlation(ranksOf(pred, order), ranks(dl), nil)
	}
	agree := 0
	lower := 0
	for i, d := range dl {
		if d < -noise {
			lower++
		}
		if math.Abs(d) <= noise {
			continue
		}
		s.SignN++
		if (pred[i] > 0) == (d > 0) && pred[i] != 0 {
			agree++
		}
	}
	if s.SignN > 0 {
		s.Sign = float64(agree) / float64(s.SignN)
	}
	s.BaseRate = float64(lower) / float64(n)
	s.K = max(1, (n+9)/10)
	hit := 0
	for _, i := range order[:s.K] {
		if dl[i] < -noise {
			hit++
		}
	}
	s.TopK = float64(hit) / float64(s.K)
	return s
}

// ranks returns the ranks (1-based) of x, ties given the mean of the ranks
// they share. gonum/stat has no rank transform, so it is written here.
func ranks(x []float64) []float64 { return ranksOf(x, sortedOrder(x)) }

// sortedOrder returns the indices of x in increasing order of x, equal
// values in increasing order of index: the order a stable sort gives, by
// the faster unstable sort with the index breaking ties.
func sortedOrder(x []float64) []int {
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(x[a], x[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return order
}

// ranksOf returns the ranks of x given its sortedOrder.
func ranksOf(x []float64, order []int) []float64 {
	r := make([]float64, len(x))
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && x[order[j]] == x[order[i]] {
			j++
		}
		mean := float64(i+j+1) / 2 // ranks i+1 .. j
		for _, k := range order[i:j] {
			r[k] = mean
		}
		i = j
	}
	return r
}

// Interval is a bootstrap percentile interval of each score.
type Interval struct{ Lo, Hi Scores }

// Bootstrap returns the 95% percentile intervals of the scores of pred
// against dl over reps resamples of the sites with replacement, drawn from
// nn.Stream(seed, "fidelity.bootstrap"). Resamples whose score is NaN are
// left out of that score's interval. reps < 1 is a programmer error and
// panics with a message naming the function and the value.
func Bootstrap(pred, dl []float64, noise float64, reps int, seed uint64) Interval {
	iv, _ := BootstrapContext(context.Background(), pred, dl, noise, reps, seed)
	return iv
}

// BootstrapContext is Bootstrap that stops with ctx's error once ctx is
// done, checked before every resample: a large reps takes long.
func BootstrapContext(ctx context.Context, pred, dl []float64, noise float64, reps int, seed uint64) (Interval, error) {
	checkReps("Bootstrap", reps)
	checkNoise("Bootstrap", noise)
	r := nn.Stream(seed, "fidelity.bootstrap")
	n := len(pred)
	bp, bd := make([]float64, n), make([]float64, n)
	var pe, sp, sg, tk []float64
	for range reps {
		if err := ctx.Err(); err != nil {
			return Interval{}, err
		}
		for i := range n {
			j := r.IntN(n)
			bp[i], bd[i] = pred[j], dl[j]
		}
		s := Score(bp, bd, noise)
		pe, sp, sg, tk = appendNum(pe, s.Pearson), appendNum(sp, s.Spearman), appendNum(sg, s.Sign), appendNum(tk, s.TopK)
	}
	var iv Interval
	iv.Lo.Pearson, iv.Hi.Pearson = percentiles(pe)
	iv.Lo.Spearman, iv.Hi.Spearman = percentiles(sp)
	iv.Lo.Sign, iv.Hi.Sign = percentiles(sg)
	iv.Lo.TopK, iv.Hi.TopK = percentiles(tk)
	return iv, nil
}

func appendNum(s []float64, v float64) []float64 {
	if math.IsNaN(v) {
		return s
	}
	return append(s, v)
}

// percentiles returns the 2.5% and 97.5% empirical quantiles of x (NaN if
// x is empty).
// checkReps panics, naming fn, for a number of resamples below 1: the
// intervals were NaN, as if the scores had none.
func checkReps(fn string, reps int) {
	if reps < 1 {
		panic(fmt.Sprintf("fidelity: %s: reps %d, want at least 1 resample", fn, reps))
	}
}

// checkNoise panics, naming fn, for a noise threshold that is NaN,
// infinite or negative: with NaN every change counted as a real one (no
// comparison with NaN holds), with +Inf none did, and a negative one
// counted even a zero change.
func checkNoise(fn string, noise float64) {
	if math.IsNaN(noise) || math.IsInf(noise, 0) || noise < 0 {
		panic(fmt.Sprintf("fidelity: %s: noise threshold %v, want a finite value >= 0", fn, noise))
	}
}

func percentiles(x []float64) (lo, hi float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	slices.Sort(x)
	return stat.Quantile(0.025, stat.Empirical, x, nil), stat.Quantile(0.975, stat.Empirical, x, nil)
}

// OverBatches returns the mean over evaluation batches of each score of
// per (per[k] the scores on batch k, NaN scores left out of their mean)
// and its 95% percentile interval over reps resamples of the batches with
// replacement, drawn from nn.Stream(seed, "fidelity.batches"): how much
// the scores depend on the batch the true loss is measured on. Fewer than
// two batches give NaN intervals; reps < 1 panics, as in Bootstrap.
func OverBatches(per []Scores, reps int, seed uint64) (Scores, Interval) {
	mean, iv, _ := OverBatchesContext(context.Background(), per, reps, seed)
	return mean, iv
}

// OverBatchesContext is OverBatches that stops with ctx's error once ctx
// is done, checked before every resample.
func OverBatchesContext(ctx context.Context, per []Scores, reps int, seed uint64) (Scores, Interval, error) {
	checkReps("OverBatches", reps)
	nan := math.NaN()
	mean := Scores{Pearson: nan, Spearman: nan, Sign: nan, TopK: nan, BaseRate: nan}
	iv := Interval{Lo: mean, Hi: mean}
	if len(per) == 0 {
		return mean, iv, nil
	}
	mean.N, mean.SignN, mean.K = per[0].N, per[0].SignN, per[0].K
	get := []func(*Scores) *float64{
		func(s *Scores) *float64 { return &s.Pearson },
		func(s *Scores) *float64 { return &s.Spearman },
		func(s *Scores) *float64 { return &s.Sign },
		func(s *Scores) *float64 { return &s.TopK },
		func(s *Scores) *float64 { return &s.BaseRate },
	}
	avg := func(idx []int, f func(*Scores) *float64) float64 {
		var sum float64
		n := 0
		for _, k := range idx {
			if v := *f(&per[k]); !math.IsNaN(v) {
				sum += v
				n++
			}
		}
		if n == 0 {
			return nan
		}
		return sum / float64(n)
	}
	all := make([]int, len(per))
	for k := range all {
		all[k] = k
	}
	for _, f := range get {
		*f(&mean) = avg(all, f)
	}
	if len(per) < 2 {
		return mean, iv, nil
	}
	r := nn.Stream(seed, "fidelity.batches")
	idx := make([]int, len(per))
	draws := make([][]float64, len(get))
	for range reps {
		if err := ctx.Err(); err != nil {
			return Scores{}, Interval{}, err
		}
		for i := range idx {
			idx[i] = r.IntN(len(per))
		}
		for j, f := range get {
			draws[j] = appendNum(draws[j], avg(idx, f))
		}
	}
	for j, f := range get {
		*f(&iv.Lo), *f(&iv.Hi) = percentiles(draws[j])
	}
	return mean, iv, nil
}
