package suite

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// A Group is the runs of one estimator spec on one workload: the seeds of
// one table row.
type Group struct {
	Spec string // canonical estimator spec
	// Top1 and Top5 hold the final test accuracies (percent) of the runs
	// with status ok, sorted ascending; Top5 is empty where the dataset has
	// at most 10 classes.
	Top1, Top5 []float64
	// Diverged holds the epoch each diverged run stopped at, sorted.
	Diverged []int
	// SecondsPerEpoch is the mean wall time per epoch of the ok runs.
	SecondsPerEpoch float64
	// Runs are the records, ok and diverged, sorted by seed.
	Runs []*Record
}

// N returns the number of runs with status ok.
func (g *Group) N() int { return len(g.Top1) }

// meanStd returns the mean and the sample standard deviation (n-1) of xs;
// std is NaN for fewer than two values, both are NaN for none.
func meanStd(xs []float64) (mean, std float64) {
	switch len(xs) {
	case 0:
		return math.NaN(), math.NaN()
	case 1:
		return xs[0], math.NaN()
	}
	return stat.MeanStdDev(xs, nil)
}

// groups splits the records of one workload by estimator spec.
func groups(rs []*Record) map[string]*Group {
	gs := map[string]*Group{}
	for _, r := range rs {
		g := gs[r.Config.Estimator]
		if g == nil {
			g = &Group{Spec: r.Config.Estimator}
			gs[g.Spec] = g
		}
		g.Runs = append(g.Runs, r)
		switch r.Status {
		case StatusOK:
			g.Top1 = append(g.Top1, r.Final.TestTop1)
			if r.Final.TestTop5 != nil {
				g.Top5 = append(g.Top5, *r.Final.TestTop5)
			}
			g.SecondsPerEpoch += r.Final.SecondsPerEpoch
		case StatusDiverged:
			g.Diverged = append(g.Diverged, r.Diverged.Epoch)
		}
	}
	for _, g := range gs {
		if n := g.N(); n > 0 {
			g.SecondsPerEpoch /= float64(n)
		}
		sort.Float64s(g.Top1)
		sort.Float64s(g.Top5)
		sort.Ints(g.Diverged)
		sort.SliceStable(g.Runs, func(i, j int) bool { return g.Runs[i].Config.Seed < g.Runs[j].Config.Seed })
	}
	return gs
}

// A metric is a final number of a run that the tables compare between
// estimators, seed by seed.
type metric struct {
	name string // in column headings: "top-1", "test loss"
	// prec is the number of decimals the tables print.
	prec int
	// of returns the run's value, and false when the run has none (it
	// did not finish, or its record lacks the number).
	of func(*Record) (float64, bool)
}

// The metrics of the tables: the final test top-1 accuracy, the test loss
// after the last epoch (on the test split, evaluation mode) and the
// training loss of the last epoch (mean over its batches, training mode).
var (
	metricTop1 = metric{name: "top-1", prec: 2, of: func(r *Record) (float64, bool) {
		if r.Status != StatusOK || r.Final == nil {
			return 0, false
		}
		return r.Final.TestTop1, true
	}}
	metricTestLoss = metric{name: "test loss", prec: 3, of: func(r *Record) (float64, bool) {
		if r.Status != StatusOK || len(r.Epochs) == 0 {
			return 0, false
		}
		return r.Epochs[len(r.Epochs)-1].TestLoss, true
	}}
	metricTrainLoss = metric{name: "train loss", prec: 3, of: func(r *Record) (float64, bool) {
		if r.Status != StatusOK || r.Final == nil {
			return 0, false
		}
		return r.Final.TrainLoss, true
	}}
)

// values returns the metric of g's runs that have it, by seed.
func (g *Group) values(m metric) map[uint64]float64 {
	vs := map[uint64]float64{}
	for _, r := range g.Runs {
		if v, ok := m.of(r); ok {
			vs[r.Config.Seed] = v
		}
	}
	return vs
}

// seeds returns the seeds of g's runs that have the metric, ascending.
func (g *Group) seeds(m metric) []uint64 {
	var s []uint64
	for seed := range g.values(m) {
		s = append(s, seed)
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

// list returns the metric of g's runs that have it, in seed order.
func (g *Group) list(m metric) []float64 {
	var xs []float64
	for _, r := range g.Runs {
		if v, ok := m.of(r); ok {
			xs = append(xs, v)
		}
	}
	return xs
}

// Significance and confidence of the tables: the p-value marker and the
// confidence intervals.
const (
	alpha      = 0.05
	confidence = 0.95
)

// A pairing is the paired comparison of a table row with its reference row
// on one metric. Every estimator of a seed starts from the same weights and
// sees the same batches, so the unit of comparison is the seed: the
// difference d_s = row(s) − ref(s) over the seeds both rows finished.
type pairing struct {
	Seeds []uint64  // seeds both rows have a value for, ascending
	D     []float64 // d_s for each seed of Seeds
	// OnlyRef and OnlyRow are the seeds only one of the two rows has:
	// left out of D and of everything computed from it.
	OnlyRef, OnlyRow []uint64
	// Mean is the mean of D; Lo and Hi bound its Student t confidence
	// interval (NaN for fewer than two pairs).
	Mean, Lo, Hi float64
	// P is the two-sided sign-flip permutation p-value of D (NaN for fewer
	// than two pairs); Draws is 0 when P is exact, or the number of random
	// sign patterns it was estimated from.
	P     float64
	Draws int
	// Holm is P adjusted by Holm's method over the comparisons of its
	// table on the same metric (holmAdjust); NaN until then, and for a
	// comparison without P.
	Holm float64
}

// pair compares row with ref on m, seed by seed.
func pair(ref, row *Group, m metric) pairing {
	a, b := ref.values(m), row.values(m)
	var pr pairing
	for _, s := range ref.seeds(m) {
		if _, ok := b[s]; !ok {
			pr.OnlyRef = append(pr.OnlyRef, s)
		}
	}
	for _, s := range row.seeds(m) {
		if _, ok := a[s]; ok {
			pr.Seeds = append(pr.Seeds, s)
			pr.D = append(pr.D, b[s]-a[s])
		} else {
			pr.OnlyRow = append(pr.OnlyRow, s)
		}
	}
	pr.Mean, pr.Lo, pr.Hi = meanCI(pr.D, confidence)
	pr.P, pr.Draws, pr.Holm = math.NaN(), 0, math.NaN()
	if len(pr.D) >= 2 {
		pr.P, pr.Draws = signFlipP(pr.D)
	}
	return pr
}

// N returns the number of pairs.
func (pr *pairing) N() int { return len(pr.D) }

// Unpaired reports whether some seed of either row was left out.
func (pr *pairing) Unpaired() bool { return len(pr.OnlyRef)+len(pr.OnlyRow) > 0 }

// meanCI returns the mean of d and the bounds of its two-sided Student t
// confidence interval at level conf: mean ± t_{(1+conf)/2, n−1}·s/√n, with
// s the sample standard deviation. The bounds are NaN for fewer than two
// values, all three for none.
func meanCI(d []float64, conf float64) (mean, lo, hi float64) {
	switch len(d) {
	case 0:
		return math.NaN(), math.NaN(), math.NaN()
	case 1:
		return d[0], math.NaN(), math.NaN()
	}
	mean, s := stat.MeanStdDev(d, nil)
	n := float64(len(d))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile((1 + conf) / 2)
	w := t * s / math.Sqrt(n)
	return mean, mean - w, mean + w
}

// Sizes of the sign-flip test: exact up to maxExactFlips values (2^19 sign
// patterns, a few milliseconds), else a Monte Carlo estimate over
// signFlipDraws random patterns from a fixed seed, so that a table is the
// same every time it is built.
const (
	maxExactFlips = 20
	signFlipDraws = 1 << 20
)

// signFlipP returns the two-sided p-value of the sign-flip permutation test
// of the paired differences d: under the null hypothesis of no difference
// between the two rows, each d_s is as likely to have come out as −d_s, so
// each of the 2^n sign patterns ε gives an equally likely T(ε) = Σ ε_s d_s,
// and p is the fraction of patterns with |T(ε)| ≥ |Σ d_s|. The smallest p
// with n nonzero differences is 2/2^n.
//
// For n ≤ maxExactFlips the count is exact. Since T(−ε) = −T(ε), only the
// 2^(n−1) patterns with ε_0 = +1 are visited, in Gray-code order so that
// each step flips one sign and updates T in O(1). Above that, draws is
// signFlipDraws and p = (1 + hits)/(1 + draws) over random patterns, the
// Monte Carlo p-value that never falls below its own resolution (Phipson
// and Smyth 2010, "Permutation p-values should never be zero").
//
// Sums are compared with a tolerance of 1e-9·Σ|d_s|, so that patterns
// equal to the observed one up to rounding count as reaching it. A NaN or
// infinite difference gives NaN.
func signFlipP(d []float64) (p float64, draws int) {
	n := len(d)
	var obs, abs float64
	for _, x := range d {
		obs += x
		abs += math.Abs(x)
	}
	switch {
	case math.IsNaN(abs) || math.IsInf(abs, 0):
		return math.NaN(), 0
	case abs == 0:
		return 1, 0
	}
	obs = math.Abs(obs) - 1e-9*abs
	if n <= maxExactFlips {
		hits := 0
		t := 0.0
		for _, x := range d {
			t += x
		}
		sign := make([]float64, n)
		for i := range sign {
			sign[i] = 1
		}
		patterns := 1 << (n - 1)
		for k := 0; ; k++ {
			if math.Abs(t) >= obs {
				hits++
			}
			if k+1 == patterns {
				break
			}
			j := 1 + bits.TrailingZeros(uint(k+1)) // the Gray-code bit to flip, never ε_0
			t -= 2 * sign[j] * d[j]
			sign[j] = -sign[j]
		}
		return float64(hits) / float64(patterns), 0
	}
	rng := rand.New(rand.NewPCG(1, 2))
	hits := 0
	for range signFlipDraws {
		t := 0.0
		for i := 0; i < n; i += 64 {
			signs := rng.Uint64()
			for j := i; j < min(n, i+64); j++ {
				if signs&(1<<(j-i)) != 0 {
					t -= d[j]
				} else {
					t += d[j]
				}
			}
		}
		if math.Abs(t) >= obs {
			hits++
		}
	}
	return float64(1+hits) / float64(1+signFlipDraws), signFlipDraws
}

// minSignFlipP returns the smallest p-value the sign-flip test can give
// with n pairs: 2/2^n, all differences of one sign.
func minSignFlipP(n int) float64 { return math.Min(1, math.Ldexp(2, -n)) }

// holm returns Holm's step-down adjusted p-values of the family ps, in
// the order of ps (Holm 1979, "A simple sequentially rejective multiple
// test procedure", Scandinavian Journal of Statistics 6(2):65–70). With
// the m p-values of the family sorted ascending, p_(1) ≤ … ≤ p_(m), the
// adjusted value of the i-th is
//
//	p̃_(i) = max over j ≤ i of min(1, (m − j + 1)·p_(j)),
//
// the running maximum keeping the adjusted values in the order of the raw
// ones. Calling a comparison different where p̃ < alpha keeps the chance
// of calling any of the family different, when none is, below alpha,
// whatever the dependence between the comparisons.
//
// A NaN entry is a comparison without a p-value (too few pairs): it is not
// in the family, does not count in m, and its adjusted value is NaN. Equal
// p-values keep the order of ps (a stable sort); the adjusted values do
// not depend on it, since of two equal p-values the later one's product is
// the smaller and the running maximum gives it the earlier one's.
func holm(ps []float64) []float64 {
	adj := make([]float64, len(ps))
	var idx []int
	for i, p := range ps {
		adj[i] = math.NaN()
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	m := len(idx)
	run := 0.0
	for j, i := range idx { // j is 0-based: the factor is m − (j+1) + 1
		run = math.Max(run, math.Min(1, float64(m-j)*ps[i]))
		adj[i] = run
	}
	return adj
}

// holmAdjust sets the Holm field of every comparison of prs, the
// comparisons of one table (or one findings paragraph) on one metric: the
// family is those with a p-value (two or more pairs; nil entries, the
// reference's own row among them, are not in it).
func holmAdjust(prs []*pairing) {
	ps := make([]float64, len(prs))
	for i, pr := range prs {
		ps[i] = math.NaN()
		if pr != nil {
			ps[i] = pr.P
		}
	}
	for i, a := range holm(ps) {
		if prs[i] != nil {
			prs[i].Holm = a
		}
	}
}

// holmFamily returns the number of comparisons of prs in the family
// holmAdjust corrects over: those with a p-value.
func holmFamily(prs []*pairing) int {
	k := 0
	for _, pr := range prs {
		if pr != nil && !math.IsNaN(pr.P) {
			k++
		}
	}
	return k
}
