package suite

import (
	"math"
	"slices"
	"testing"
)

// Records reach the tables in whatever order a directory listing or a
// merged sweep gives them. Here ste and fda both ran seeds 1–6, ste's
// records come as seeds 3, 1, 6, 2, 5, 4 and fda's as 6 down to 1, and
// the comparison must pair them by seed. By seed the differences are 1.5,
// 1.0, 1.9, 1.2, 1.1 and 1.3: mean 4/3, s = 0.32659863, and with
// t_{0.975,5} = 2.57058184 the 95% interval is [0.99058909, 1.67607758]
// (scipy.stats.ttest_1samp(d, 0).confidence_interval(0.95)); all six are
// positive, so p = 2/2^6 = 0.03125. Paired by position in the order
// given, the differences would be 5.3, 4.1, 0.2, 0.9, 0, -2.5: the same
// mean (all seeds are paired), but the interval [-1.68, 4.35] and p =
// 20/64, so only the interval and p tell the pairings apart.
func TestPairBySeedInAnyRecordOrder(t *testing.T) {
	ste := map[uint64]float64{1: 70, 2: 72, 3: 71, 4: 74, 5: 73, 6: 75}
	fda := map[uint64]float64{1: 71.5, 2: 73, 3: 72.9, 4: 75.2, 5: 74.1, 6: 76.3}
	var rs []*Record
	for _, s := range []uint64{3, 1, 6, 2, 5, 4} {
		rs = append(rs, findingRecord("ste", s, ste[s], 1))
	}
	for _, s := range []uint64{6, 5, 4, 3, 2, 1} {
		rs = append(rs, findingRecord("fda", s, fda[s], 1))
	}
	gs := groups(rs)
	pr := pair(gs["ste"], gs["fda"], metricTop1)
	if !slices.Equal(pr.Seeds, []uint64{1, 2, 3, 4, 5, 6}) || pr.Unpaired() {
		t.Errorf("paired seeds %v (unpaired %v), want 1–6, none left out", pr.Seeds, pr.Unpaired())
	}
	want := []float64{1.5, 1.0, 1.9, 1.2, 1.1, 1.3}
	for i := range want {
		if i >= len(pr.D) || math.Abs(pr.D[i]-want[i]) > 1e-9 {
			t.Fatalf("differences %v, want %v (seed by seed)", pr.D, want)
		}
	}
	if math.Abs(pr.Mean-4.0/3) > 1e-9 || math.Abs(pr.Lo-0.9905890884513685) > 1e-9 || math.Abs(pr.Hi-1.676077578215299) > 1e-9 || pr.P != 0.03125 {
		t.Errorf("Δ %g, CI [%g, %g], p %g; want 1.3333, [0.99058909, 1.67607758], 0.03125", pr.Mean, pr.Lo, pr.Hi, pr.P)
	}
	hasAll(t, "main table of records in mixed seed order", tableText(t, TableMain, rs, nil),
		"| fda | 73.83 ± 1.73 | 6 | 0 | +1.33 | [+0.99, +1.68] | 0.031 * |")
}

// Up to maxExactFlips = 20 pairs p is counted over every sign pattern,
// not estimated. The differences 1, …, 20 with the first five negative
// sum to 180 of Σ|d| = 210; flipping a subset of absolute sum k gives
// 210 − 2k, which reaches 180 in size for k ≤ 15 or k ≥ 195. Subsets of
// {1, …, 20} summing to at most 15 are the partitions of 0…15 into
// distinct parts, 1+1+1+2+2+3+4+5+6+8+10+12+15+18+22+27 = 137, and as
// many reach 195 or more, so p = 274/2^20 exactly (as
// scipy.stats.permutation_test with permutation_type='samples' and
// n_resamples=inf counts it). A Monte Carlo estimate, (1+hits)/(1+2^20),
// is not that number.
func TestSignFlipPExactAtTwenty(t *testing.T) {
	d := make([]float64, 20)
	for i := range d {
		d[i] = float64(i + 1)
		if i < 5 {
			d[i] = -d[i]
		}
	}
	if p, draws := signFlipP(d); p != 274.0/(1<<20) || draws != 0 {
		t.Errorf("signFlipP(-1, …, -5, 6, …, 20) = %g (%d draws), want 274/2^20 = %g exactly", p, draws, 274.0/(1<<20))
	}
}
