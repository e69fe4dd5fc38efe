package suite

import (
	"math"
	"strings"
	"testing"
)

// The rule's edges, on pairings set by hand: "beyond seed noise" needs p
// strictly below alpha and an interval that excludes 0, so an interval
// with a bound at 0 includes it. Exact sign-flip p-values are k/2^(n-1)
// and never 0.05, and differences that are all 0 (an estimator that
// trains exactly like ste) give the point interval [0, 0] and p = 1:
// the same as ste, within noise, not "the t interval excludes 0".
func TestFindingOfEdges(t *testing.T) {
	for _, tc := range []struct {
		name         string
		mean, lo, hi float64
		p            float64
		want         finding
	}{
		{"p at alpha", 2, 1, 3, alpha, findTOnly},
		{"p below alpha", 2, 1, 3, math.Nextafter(alpha, 0), findHigher},
		{"p below alpha, lower", -2, -3, -1, 0.03125, findLower},
		{"lower bound at 0", 2, 0, 4, 0.03125, findPermOnly},
		{"upper bound at 0", -2, -4, 0, 0.03125, findPermOnly},
		{"both tests fail", 2, -1, 5, 0.5, findNoise},
	} {
		pr := &pairing{D: []float64{1, 2, 3, 4, 5, 6}, Mean: tc.mean, Lo: tc.lo, Hi: tc.hi, P: tc.p}
		if got := findingOf(pr); got != tc.want {
			t.Errorf("%s: findingOf(Δ %g, CI [%g, %g], p %g) = %d, want %d", tc.name, tc.mean, tc.lo, tc.hi, tc.p, got, tc.want)
		}
	}
	// In a family of more than one, a difference beyond noise by both
	// tests alone is called so only when its Holm-adjusted p is below
	// alpha too; a family of one is left as it is.
	for _, tc := range []struct {
		name      string
		mean, adj float64
		k         int
		want      finding
	}{
		{"adjusted p at alpha", 2, alpha, 2, findHigherAlone},
		{"adjusted p at alpha, lower", -2, alpha, 6, findLowerAlone},
		{"adjusted p below alpha", 2, math.Nextafter(alpha, 0), 2, findHigher},
		{"family of one", 2, alpha, 1, findHigher},
	} {
		lo, hi := tc.mean-1, tc.mean+1
		pr := &pairing{D: []float64{1, 2, 3, 4, 5, 6}, Mean: tc.mean, Lo: lo, Hi: hi, P: 0.03125, Holm: tc.adj}
		if got := findingIn(pr, tc.k); got != tc.want {
			t.Errorf("%s: findingIn(Δ %g, adjusted p %g, family %d) = %d, want %d", tc.name, tc.mean, tc.adj, tc.k, got, tc.want)
		}
	}
	zero := []float64{0, 0, 0, 0, 0, 0}
	pr := &pairing{D: zero}
	pr.Mean, pr.Lo, pr.Hi = meanCI(zero, confidence)
	pr.P, _ = signFlipP(zero)
	if pr.Lo != 0 || pr.Hi != 0 || pr.P != 1 || findingOf(pr) != findNoise {
		t.Errorf("all-zero differences: CI [%g, %g], p %g, finding %d; want [0, 0], 1, within noise (%d)", pr.Lo, pr.Hi, pr.P, findingOf(pr), findNoise)
	}
}

// The * marks p < 0.05, not p ≤ 0.05.
func TestCompareCellsStar(t *testing.T) {
	for _, tc := range []struct {
		p    float64
		want string
	}{{alpha, "0.050"}, {0.049, "0.049 *"}, {0.03125, "0.031 *"}, {0.0625, "0.062"}} {
		pr := &pairing{D: []float64{1, 2}, Mean: 1.5, Lo: -4.85, Hi: 7.85, P: tc.p}
		if got := compareCells(pr, metricTop1); got[2] != tc.want || got[0] != "+1.50" || got[1] != "[-4.85, +7.85]" {
			t.Errorf("compareCells(p = %g) = %q, want [+1.50 [-4.85, +7.85] %s]", tc.p, got, tc.want)
		}
	}
}

// One seed far off: differences 0.1, 0.2, 0.1, 0.2, 0.1 and 12 from ste
// are all positive, so p = 2/2^6 = 0.031, but the spread of the sixth
// widens the t interval to [-2.96, +7.20] (mean 2.1167; scipy's
// ttest_1samp(d, 0).confidence_interval(0.95) gives [-2.96478, 7.19811]),
// which includes 0 (to 1e-7, the precision TestMeanCI asks of gonum's t
// quantile). Only the sign-flip test calls it different, so the
// findings say so and count it neither higher nor lower.
func TestFindingsPermutationOnly(t *testing.T) {
	var rs []*Record
	for i, d := range []float64{0.1, 0.2, 0.1, 0.2, 0.1, 12} {
		s := uint64(i + 1)
		rs = append(rs, findingRecord("ste", s, 70, 1), findingRecord("x", s, 70+d, 1))
	}
	pr := pair(groups(rs)["ste"], groups(rs)["x"], metricTop1)
	if math.Abs(pr.Lo - -2.9647768496493723) > 1e-7 || math.Abs(pr.Hi-7.198110182982706) > 1e-7 || pr.P != 0.03125 || findingOf(&pr) != findPermOnly {
		t.Errorf("CI [%g, %g], p %g, finding %d; want [-2.96478, 7.19811], 0.03125, sign-flip only (%d)", pr.Lo, pr.Hi, pr.P, findingOf(&pr), findPermOnly)
	}
	top1, _, _ := strings.Cut(tableText(t, TableFindings, rs, nil), "\n- **Train loss**")
	hasAll(t, "top-1 findings", top1,
		"no estimator is distinguishable from ste with these seeds.",
		"One test alone, not both, calls these different (not counted above): x (Δ +2.12 points, 95% CI [-2.96, +7.20], p = 0.031, n = 6).")
	hasNone(t, "top-1 findings", top1, "Higher than ste", "Lower than ste")
}
