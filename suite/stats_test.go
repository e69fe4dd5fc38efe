package suite

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/perf/benchmath"

	"github.com/gradbench/gradbench/internal/racebuild"
)

// t quantiles t_{0.975, ν} for the 95% interval. ν = 1 and 2 have closed
// forms (Cauchy: tan(π(p − ½)); ν = 2: (2p − 1)/√(2p(1 − p))), computed
// here independently of gonum; the others are the usual table values to
// 12 digits.
var t975 = map[int]float64{
	1: math.Tan(math.Pi * (0.975 - 0.5)),            // 12.7062047362
	2: (2*0.975 - 1) / math.Sqrt(2*0.975*(1-0.975)), // 4.30265272975
	3: 3.18244630528,
	4: 2.77644510520,
	9: 2.26215716280,
}

// Hand-computed intervals, mean ± t·s/√n:
//   - {1, 2, 3}: mean 2, s = 1, so 2 ± 4.30265272975/√3 = 2 ± 2.48413771175;
//   - {1, 2, 3, 4}: mean 2.5, s = √(5/3), so 2.5 ± 3.18244630528·1.29099444874/2
//     = 2.5 ± 2.05426026;
//   - {0.5, 1.5}: mean 1, s = √½, so 1 ± 12.7062047362·0.70710678/√2 = 1 ± 6.35310237;
//   - {-2, -1, 0, 1, 7}: mean 1, s = √(50/4) = 3.53553391, so
//     1 ± 2.77644510520·3.53553391/√5 = 1 ± 4.38994517.
func TestMeanCI(t *testing.T) {
	for _, tc := range []struct {
		d          []float64
		mean, half float64
	}{
		{[]float64{1, 2, 3}, 2, 2.48413771175},
		{[]float64{1, 2, 3, 4}, 2.5, 2.05426026},
		{[]float64{0.5, 1.5}, 1, 6.35310237},
		{[]float64{-2, -1, 0, 1, 7}, 1, 4.38994517},
		{[]float64{3, 3, 3}, 3, 0}, // no spread: a point
	} {
		mean, lo, hi := meanCI(tc.d, 0.95)
		if math.Abs(mean-tc.mean) > 1e-12 || math.Abs(lo-(tc.mean-tc.half)) > 1e-7 || math.Abs(hi-(tc.mean+tc.half)) > 1e-7 {
			t.Errorf("meanCI(%v) = %g [%g, %g], want %g ± %g", tc.d, mean, lo, hi, tc.mean, tc.half)
		}
	}
	// Against the formula with the quantiles above, on random data.
	rng := rand.New(rand.NewPCG(3, 4))
	for nu, q := range t975 {
		d := make([]float64, nu+1)
		for i := range d {
			d[i] = rng.NormFloat64()*3 + 1
		}
		mean, lo, hi := meanCI(d, 0.95)
		var m, ss float64
		for _, x := range d {
			m += x
		}
		m /= float64(len(d))
		for _, x := range d {
			ss += (x - m) * (x - m)
		}
		half := q * math.Sqrt(ss/float64(nu)) / math.Sqrt(float64(len(d)))
		if math.Abs(mean-m) > 1e-12 || math.Abs(lo-(m-half)) > 1e-9*half || math.Abs(hi-(m+half)) > 1e-9*half {
			t.Errorf("ν=%d: meanCI = %g [%g, %g], want %g ± %g", nu, mean, lo, hi, m, half)
		}
		// And against benchmath's mean interval (go-moremath's own t
		// quantile), to its bisection's precision.
		s := benchmath.AssumeNormal.Summary(benchmath.NewSample(slices.Clone(d), &benchmath.DefaultThresholds), 0.95)
		if math.Abs(s.Lo-lo) > 1e-6*half || math.Abs(s.Hi-hi) > 1e-6*half {
			t.Errorf("ν=%d: meanCI = [%g, %g], benchmath says [%g, %g]", nu, lo, hi, s.Lo, s.Hi)
		}
	}
	if m, lo, hi := meanCI([]float64{4}, 0.95); m != 4 || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("meanCI(4) = %g [%g, %g], want 4 [NaN, NaN]", m, lo, hi)
	}
	if m, _, _ := meanCI(nil, 0.95); !math.IsNaN(m) {
		t.Errorf("meanCI() = %g, want NaN", m)
	}
}

// Sign-flip p-values counted by hand. Flipping the signs of a subset whose
// absolute values sum to k turns T = Σ|d| into Σ|d| − 2k, so p is the
// share of subsets k of the absolute values with |Σ|d| − 2k| ≥ |Σ d|. With
// {1, …, m} the counts are those of partitions into distinct parts,
// q(0..8) = 1, 1, 1, 2, 2, 3, 4, 5, 6:
//   - n = 3, {1, 2, 3}: only the two one-signed patterns reach |T| = 6: 2/8;
//   - n = 3, {-1, 2, 4}: T = 5; of the sums ±1 ± 2 ± 4 ∈ {±7, ±5, ±3, ±1}
//     four reach 5: 4/8;
//   - n = 3, {1, 2, -3}: T = 0, every pattern reaches it: 1;
//   - n = 4, {-1, 2, 3, 4}: Σ|d| = 10, T = 8, |10 − 2k| ≥ 8 for k ≤ 1 (2
//     subsets) or k ≥ 9 (2): 4/16;
//   - n = 5, {1, 2, 3, 4, -5}: Σ|d| = 15, T = 5, k ≤ 5 (1+1+1+2+2+3 = 10)
//     or k ≥ 10 (10): 20/32;
//   - n = 6, {1, …, 5, -6}: Σ|d| = 21, T = 9, k ≤ 6 (14) or k ≥ 15 (14): 28/64;
//   - n = 7, {1, …, 6, -7}: Σ|d| = 28, T = 14, k ≤ 7 (19) or k ≥ 21 (19): 38/128;
//   - n = 8, {1, …, 7, -8}: Σ|d| = 36, T = 20, k ≤ 8 (25) or k ≥ 28 (25): 50/256;
//   - n = 3..8 with every difference positive: 2/2^n.
func TestSignFlipP(t *testing.T) {
	tests := []struct {
		d []float64
		p float64
	}{
		{[]float64{1, 2, 3}, 2.0 / 8},
		{[]float64{-1, 2, 4}, 4.0 / 8},
		{[]float64{1, 2, -3}, 1},
		{[]float64{0.1, 0.2, -0.3}, 1}, // T = 5.6e-17: zero up to rounding
		{[]float64{-1, 2, 3, 4}, 4.0 / 16},
		{[]float64{1, 2, 3, 4, -5}, 20.0 / 32},
		{[]float64{1, 2, 3, 4, 5, -6}, 28.0 / 64},
		{[]float64{1, 2, 3, 4, 5, 6, -7}, 38.0 / 128},
		{[]float64{1, 2, 3, 4, 5, 6, 7, -8}, 50.0 / 256},
		{[]float64{0, 0, 0}, 1},
	}
	for n := 3; n <= 8; n++ {
		d := make([]float64, n)
		for i := range d {
			d[i] = float64(i+1) * 0.37
		}
		tests = append(tests, struct {
			d []float64
			p float64
		}{d, 2 / math.Pow(2, float64(n))})
	}
	if p, _ := signFlipP([]float64{1, math.NaN(), 2}); !math.IsNaN(p) {
		t.Errorf("signFlipP with a NaN = %g, want NaN", p)
	}
	for _, tc := range tests {
		if p, draws := signFlipP(tc.d); p != tc.p || draws != 0 {
			t.Errorf("signFlipP(%v) = %g (%d draws), want %g exactly", tc.d, p, draws, tc.p)
		}
		neg := make([]float64, len(tc.d))
		for i, x := range tc.d {
			neg[i] = -x
		}
		if p, _ := signFlipP(neg); p != tc.p {
			t.Errorf("signFlipP(%v) = %g, want %g (the same as its negation)", neg, p, tc.p)
		}
	}
}

// bruteSignFlipP counts the sign patterns by recursion over all 2^n of
// them, in exact rational arithmetic on integer data: an enumeration
// written independently of signFlipP's Gray code.
func bruteSignFlipP(d []int) float64 {
	obs := 0
	for _, x := range d {
		obs += x
	}
	obs = max(obs, -obs)
	var count func(i, t int) int
	count = func(i, t int) int {
		if i == len(d) {
			if max(t, -t) >= obs {
				return 1
			}
			return 0
		}
		return count(i+1, t+d[i]) + count(i+1, t-d[i])
	}
	return float64(count(0, 0)) / math.Ldexp(1, len(d))
}

func TestSignFlipPBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 2; n <= 14; n++ {
		for range 20 {
			d := make([]int, n)
			f := make([]float64, n)
			for i := range d {
				d[i] = rng.IntN(41) - 15 // zeros and ties included
				// A scale that is not a power of two, so that the float
				// sums round.
				f[i] = float64(d[i]) * 0.01
			}
			want := bruteSignFlipP(d)
			if got, _ := signFlipP(f); math.Abs(got-want) > 1e-15 {
				t.Errorf("signFlipP(%v) = %g, enumeration says %g", f, got, want)
			}
		}
	}
}

// Above maxExactFlips differences, p is a Monte Carlo estimate. With every
// |d_s| = 1 and k negative, T = n − 2k and the number B of minus signs in a
// random pattern is Binomial(n, ½), so p = P(|n − 2B| ≥ |n − 2k|) exactly.
// n = 70 takes more than one 64-bit word of random signs per pattern, and
// its negative differences (the first k) meet positive ones 32 places on,
// so that signs drawn for one place and reused for another would show.
func TestSignFlipPMonteCarlo(t *testing.T) {
	racebuild.Skip(t, "it checks numerics only, with no goroutines of its own; the openblas and purego builds run it in full")
	binom := func(n, k int) float64 { // C(n, k)
		c := 1.0
		for i := 1; i <= k; i++ {
			c = c * float64(n-k+i) / float64(i)
		}
		return c
	}
	for _, tc := range []struct {
		n  int
		ks []int
	}{{24, []int{0, 8, 12}}, {70, []int{0, 25, 35}}} {
		n := tc.n
		for _, k := range tc.ks {
			d := make([]float64, n)
			for i := range d {
				d[i] = 1
				if i < k {
					d[i] = -1
				}
			}
			obs := math.Abs(float64(n - 2*k))
			want := 0.0
			for b := 0; b <= n; b++ {
				if math.Abs(float64(n-2*b)) >= obs {
					want += binom(n, b)
				}
			}
			want /= math.Ldexp(1, n)
			got, draws := signFlipP(d)
			if draws != signFlipDraws {
				t.Fatalf("signFlipP of %d values: %d draws, want %d", n, draws, signFlipDraws)
			}
			// Within 5 standard errors, and never below the resolution
			// 1/(1 + draws).
			se := math.Sqrt(want*(1-want)/float64(draws)) + 1/float64(draws)
			if math.Abs(got-want) > 5*se || got < 1/float64(1+draws) {
				t.Errorf("signFlipP(k=%d of %d negative) = %g, want %g ± %g", k, n, got, want, 5*se)
			}
			if k == 8 {
				if again, _ := signFlipP(d); again != got {
					t.Errorf("signFlipP(k=%d) = %g then %g: not reproducible", k, got, again)
				}
			}
		}
	}
}

func TestMinSignFlipP(t *testing.T) {
	for n := 1; n <= 10; n++ {
		d := make([]float64, n)
		for i := range d {
			d[i] = float64(2 + i)
		}
		p, _ := signFlipP(d)
		if want := minSignFlipP(n); p != want || (n > 1 && want != math.Ldexp(1, 1-n)) {
			t.Errorf("n=%d: signFlipP of one-signed values = %g, minSignFlipP = %g, want 2/2^n", n, p, want)
		}
	}
}

// pair compares seed by seed: with ref seeds 1–4 and row seeds 1, 2, 4, 5,
// seed 3 (ref only) and 5 (row only) are left out, and Δ is the mean of
// the three differences, not the difference of the means.
func TestPairCommonSeeds(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 3 // so that a NaN top-1 diverges
	var rs []*Record
	for s, v := range map[uint64]float64{1: 80, 2: 82, 3: 70, 4: 84} {
		rs = append(rs, fakeRecord(&w, "ste", s, v))
	}
	for s, v := range map[uint64]float64{1: 81, 2: 84, 4: 87, 5: 99} {
		rs = append(rs, fakeRecord(&w, "fda", s, v))
	}
	rs = append(rs, fakeRecord(&w, "fda", 3, math.NaN())) // diverged
	gs := groups(rs)
	pr := pair(gs["ste"], gs["fda"], metricTop1)
	if !slices.Equal(pr.Seeds, []uint64{1, 2, 4}) || !slices.Equal(pr.OnlyRef, []uint64{3}) || !slices.Equal(pr.OnlyRow, []uint64{5}) {
		t.Errorf("pair seeds = %v, only ste %v, only fda %v; want [1 2 4], [3], [5]", pr.Seeds, pr.OnlyRef, pr.OnlyRow)
	}
	if !slices.Equal(pr.D, []float64{1, 2, 3}) || pr.Mean != 2 || pr.P != 0.25 || !pr.Unpaired() {
		t.Errorf("pair = D %v, mean %g, p %g, unpaired %v; want [1 2 3], 2, 0.25, true", pr.D, pr.Mean, pr.P, pr.Unpaired())
	}
	if math.Abs(pr.Lo-(2-2.48413771175)) > 1e-7 || math.Abs(pr.Hi-(2+2.48413771175)) > 1e-7 {
		t.Errorf("pair CI = [%g, %g], want 2 ± 2.48413771175", pr.Lo, pr.Hi)
	}
	if same := pair(gs["ste"], gs["ste"], metricTop1); same.Unpaired() || same.Mean != 0 || same.P != 1 {
		t.Errorf("ste against itself: unpaired %v, Δ %g, p %g; want false, 0, 1", same.Unpaired(), same.Mean, same.P)
	}
}

func TestMeanStd(t *testing.T) {
	m, s := meanStd([]float64{1, 2, 3, 4})
	if m != 2.5 || math.Abs(s-math.Sqrt(5.0/3)) > 1e-12 {
		t.Errorf("meanStd(1..4) = %g, %g, want 2.5, %g (sample std)", m, s, math.Sqrt(5.0/3))
	}
	if m, s := meanStd([]float64{7}); m != 7 || !math.IsNaN(s) {
		t.Errorf("meanStd(7) = %g, %g, want 7, NaN", m, s)
	}
}

// Holm's adjusted p-values worked by hand (p̃_(i) = max over j ≤ i of
// min(1, (m − j + 1)·p_(j)), p sorted ascending, m the family's size).
func TestHolm(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name   string
		ps     []float64
		want   []float64
		family int // entries that are not NaN
	}{
		// Sorted: 0.005, 0.01, 0.03, 0.04, 0.5; times 5, 4, 3, 2, 1:
		// 0.025, 0.04, 0.09, 0.08, 0.5. The fourth, 0.08, is below the
		// third's 0.09 and is raised to it: the adjusted values keep the
		// order of the raw ones.
		{"step-down", []float64{0.01, 0.04, 0.03, 0.005, 0.5}, []float64{0.04, 0.09, 0.09, 0.025, 0.5}, 5},
		// Sorted 0.01, 0.6, 0.7: 0.03, 2 × 0.6 = 1.2 capped at 1, and
		// 0.7 raised to that 1.
		{"clamp", []float64{0.6, 0.01, 0.7}, []float64{1, 0.03, 1}, 3},
		// Two 0.03: the first in sorted order gets 3 × 0.03 = 0.09, the
		// second 2 × 0.03 = 0.06 raised to 0.09, whichever came first.
		{"ties", []float64{0.03, 0.01, 0.03, 0.2}, []float64{0.09, 0.04, 0.09, 0.2}, 4},
		// A family of one: nothing to correct.
		{"one", []float64{0.3}, []float64{0.3}, 1},
		{"one among no-p", []float64{nan, 0.04, nan}, []float64{nan, 0.04, nan}, 1},
		// NaN (no p) is not in the family: m = 2, not 4.
		{"no p left out", []float64{nan, 0.01, 0.03, nan}, []float64{nan, 0.02, 0.03, nan}, 2},
		{"empty", nil, []float64{}, 0},
	} {
		check := func(ps, want []float64) {
			t.Helper()
			got := holm(ps)
			if len(got) != len(want) {
				t.Fatalf("%s: holm(%v) = %v, want %v", tc.name, ps, got, want)
			}
			for i := range want {
				if math.IsNaN(want[i]) != math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > 1e-12 {
					t.Errorf("%s: holm(%v) = %v, want %v", tc.name, ps, got, want)
					return
				}
			}
		}
		check(tc.ps, tc.want)
		// The result, entry by entry, does not depend on the order of
		// the family, ties included: every rotation and the reversal.
		n := len(tc.ps)
		for r := 1; r < n; r++ {
			check(append(slices.Clone(tc.ps[r:]), tc.ps[:r]...), append(slices.Clone(tc.want[r:]), tc.want[:r]...))
		}
		rev, revWant := slices.Clone(tc.ps), slices.Clone(tc.want)
		slices.Reverse(rev)
		slices.Reverse(revWant)
		check(rev, revWant)
		prs := make([]*pairing, n+1) // and a nil: the reference's own row
		for i, p := range tc.ps {
			prs[i+1] = &pairing{P: p}
		}
		if k := holmFamily(prs); k != tc.family {
			t.Errorf("%s: holmFamily = %d, want %d", tc.name, k, tc.family)
		}
		holmAdjust(prs)
		for i, pr := range prs[1:] {
			if math.IsNaN(pr.Holm) != math.IsNaN(tc.want[i]) || math.Abs(pr.Holm-tc.want[i]) > 1e-12 {
				t.Errorf("%s: holmAdjust set %d's Holm to %v, want %v", tc.name, i, pr.Holm, tc.want[i])
			}
		}
	}
	// The adjusted p is never below the raw one, never above 1, and
	// rises with it, on random families.
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		ps := make([]float64, 1+rng.IntN(12))
		for i := range ps {
			ps[i] = float64(1+rng.IntN(64)) / 64 // ties are common
		}
		adj := holm(ps)
		for i := range ps {
			if adj[i] < ps[i] || adj[i] > 1 {
				t.Fatalf("holm(%v)[%d] = %v, outside [p, 1]", ps, i, adj[i])
			}
			for j := range ps {
				if ps[i] <= ps[j] && adj[i] > adj[j] {
					t.Fatalf("holm(%v): p %v ≤ %v but adjusted %v > %v", ps, ps[i], ps[j], adj[i], adj[j])
				}
			}
		}
	}
}
