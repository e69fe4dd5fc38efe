package suite

import (
	"math"
	"sort"

	"golang.org/x/perf/benchmath"
	"gonum.org/v1/gonum/stat"
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

// MeanStd returns the mean and the sample standard deviation (n-1) of the
// final top-1 accuracy; std is NaN for fewer than two runs, both are NaN
// for none.
func (g *Group) MeanStd() (mean, std float64) { return meanStd(g.Top1) }

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

// alpha is the significance level of the tables' p-value marker.
const alpha = 0.05

// mannWhitney returns the two-sided p-value of the Mann–Whitney U test
// that a and b come from the same distribution (benchmath.AssumeNothing,
// the test benchstat uses), and false when either sample has fewer than
// two values.
//
// For samples of up to 25 values (ties included) the p-value comes from the
// exact U distribution, not a normal approximation.
func mannWhitney(a, b []float64) (p float64, ok bool) {
	if len(a) < 2 || len(b) < 2 {
		return 0, false
	}
	th := benchmath.DefaultThresholds
	th.CompareAlpha = alpha
	sa := benchmath.NewSample(append([]float64(nil), a...), &th)
	sb := benchmath.NewSample(append([]float64(nil), b...), &th)
	// All values equal gives P = 1 with a warning: no difference.
	return benchmath.AssumeNothing.Compare(sa, sb).P, true
}

// minP returns the smallest two-sided p-value the Mann–Whitney U test can
// give for samples of sizes n1 and n2 (complete separation, no ties):
// 2/C(n1+n2, n1), capped at 1.
func minP(n1, n2 int) float64 {
	c := 1.0 // C(n1+n2, n1), built up as a product
	for i := 1; i <= n1; i++ {
		c = c * float64(n2+i) / float64(i)
	}
	return math.Min(1, 2/c)
}
