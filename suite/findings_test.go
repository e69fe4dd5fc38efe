package suite

import (
	"regexp"
	"strings"
	"testing"
)

// findingRecord is a finished run of spec with the given final test top-1
// and training loss.
func findingRecord(spec string, seed uint64, top1, trainLoss float64) *Record {
	cfg := Config{Format: FormatVersion, Model: "resnet20", Dataset: "synthetic", Width: 1, Binarize: "both", Epochs: 1, Batch: 16,
		Optimizer: "sgd", LR: 0.1, Schedule: "cosine", Estimator: spec, Seed: seed}
	r := &Record{Key: cfg.Key(), Config: cfg, Recipe: "tiny", Status: StatusOK}
	r.Epochs = []Epoch{{Epoch: 1, TestTop1: top1, TestLoss: 1, TrainLoss: trainLoss}}
	r.Final = finalOf(r.Epochs)
	return r
}

// TestFindingOf checks the rule on hand-computed pairings: beyond noise
// only when the t interval excludes 0 and the sign-flip p < 0.05.
func TestFindingOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    []float64
		want finding
	}{
		// Six positive differences: p = 2/64 = 0.031, the t interval
		// (mean 1.5, s 0.187) is [1.30, 1.70].
		{"higher", []float64{1.2, 1.4, 1.5, 1.6, 1.7, 1.6}, findHigher},
		{"lower", []float64{-1.2, -1.4, -1.5, -1.6, -1.7, -1.6}, findLower},
		// Three positive differences: the t interval excludes 0 but the
		// smallest sign-flip p is 2/8.
		{"t only", []float64{1.0, 1.1, 1.2}, findTOnly},
		{"noise", []float64{1, -1, 0.5, -0.5, 0.2, -0.3}, findNoise},
		{"one pair", []float64{3}, findNone},
	} {
		pr := &pairing{D: tc.d}
		pr.Mean, pr.Lo, pr.Hi = meanCI(tc.d, confidence)
		if len(tc.d) >= 2 {
			pr.P, _ = signFlipP(tc.d)
		}
		if got := findingOf(pr); got != tc.want {
			t.Errorf("%s: findingOf(%v) = %d (CI [%g, %g], p %g), want %d", tc.name, tc.d, got, pr.Lo, pr.Hi, pr.P, tc.want)
		}
	}
}

// TestFindings checks the sentences on records built so that fda beats
// ste on every one of 6 seeds, dsq is within noise, and bnnplus shares one
// seed only; for the training loss, fda is lower (better) on every seed.
func TestFindings(t *testing.T) {
	var rs []*Record
	for s := uint64(1); s <= 6; s++ {
		x := float64(s)
		rs = append(rs,
			findingRecord("ste", s, 70+x, 1.0+0.01*x),
			findingRecord("fda", s, 71.5+x+0.05*float64(s%2), 0.9+0.01*x),
			findingRecord("dsq", s, 70+x+[]float64{1, -1, 0.5, -0.5, 0.2, -0.3}[s-1], 1.0+0.01*x+[]float64{0.1, -0.1, 0.05, -0.05, 0.02, -0.03}[s-1]))
	}
	rs = append(rs, findingRecord("bnnplus", 1, 90, 0.5))
	table := tableText(t, TableFindings, rs, []string{"fda", "dsq", "bnnplus", "ste"})
	top1, loss, _ := strings.Cut(table, "\n- **Train loss**")
	hasAll(t, "top-1 findings", top1,
		"**Top-1 accuracy**, at one shared learning rate, paired seed by seed with ste: ",
		// fda passes both tests alone (p = 2/2^6), but not Holm's
		// correction for the two comparisons (2 × 0.031 = 0.062): it is
		// not called higher than ste beyond seed noise.
		"Higher than ste by both tests alone, not after Holm's correction: fda (Δ +1.52 points, 95% CI [",
		"p = 0.031, n = 6)",
		"Not distinguishable from ste with these seeds: dsq (Δ -0.02 points, 95% CI [",
		"Too few paired seeds to test: bnnplus (Δ +19.00 points, one paired seed).")
	hasAll(t, "loss findings", loss, "Lower than ste by both tests alone, not after Holm's correction: fda (Δ -0.100, 95% CI [", "over 6 paired seeds")
	hasNone(t, "findings", table, "than ste beyond seed noise", "Within seed noise", "differs from ste beyond seed noise")
	hasAll(t, "footnote", table, "Beyond seed noise: the Student t 95% interval of the paired difference excludes 0 and the two-sided sign-flip permutation p is below 0.05, "+
		"both over the seeds the two estimators share, and the p adjusted by Holm's correction for the comparisons of its metric is below 0.05 too.",
		// bnnplus, with one paired seed, is not tested: two comparisons
		// are made, as Holm's sentence below counts them.
		"Each test alone looks at one comparison: if no estimator differed from ste, about 0.1 of the 2 made per metric would still pass both by chance, "+
			"which is why a difference that passes them but not the correction is named apart (by both tests alone, not after Holm's correction) and not called beyond seed noise.",
		"Not distinguishable from ste with these seeds: neither test calls the difference different from 0, which says that these seeds cannot tell it from 0, not that it is 0",
		"Holm's correction (Holm 1979) takes the comparisons of a metric that have a p as one family of K")
	// fda and dsq have a p (bnnplus one seed): fda's 2/2^6 doubled is
	// 0.0625, and no p of 6 seeds could do better.
	hasAll(t, "top-1 findings", top1, "After Holm's correction for the 2 comparisons with ste on this metric, it does not stay beyond seed noise: fda (adjusted p = 0.062). "+
		"With 6 paired seeds no difference could: the smallest adjusted p is 2 × 2/2^6 = 0.062, not below 0.05, a limit of the design (too few seeds), not a result.")

	// fda alone against ste, beyond noise on both metrics (a family of
	// one, which Holm's correction leaves as it is), none within it: one
	// space before the widths' sentence (two were left when no "Not
	// distinguishable" sentence followed).
	var fdaOnly []*Record
	for _, r := range rs {
		if e := r.Config.Estimator; e == "fda" || e == "ste" {
			fdaOnly = append(fdaOnly, r)
		}
	}
	table = tableText(t, TableFindings, fdaOnly, nil)
	hasAll(t, "fda-only findings", table, "Higher than ste beyond seed noise: fda (Δ +1.52 points", "n = 6). The 95% interval of the difference is ",
		"below 0.05, both over the seeds the two estimators share. Not distinguishable")
	hasNone(t, "fda-only findings", table, "Holm")
	if strings.Contains(table, "  ") {
		t.Errorf("findings with two spaces in a row:\n%s", table)
	}

	// Nothing beyond noise: the plain statement.
	var none []*Record
	for _, r := range rs {
		if r.Config.Estimator != "fda" {
			none = append(none, r)
		}
	}
	table = tableText(t, TableFindings, none, nil)
	hasAll(t, "no-difference findings", table, "no estimator is distinguishable from ste with these seeds (of the 1 with two or more paired seeds): dsq (Δ -0.02 points, 95% CI [",
		"The 95% interval of the difference is ")
	// One interval has one width, not a range from it to itself.
	if strings.Contains(table, "intervals of the differences") || regexp.MustCompile(`(\d+\.\d+)–(\d+\.\d+) `).MatchString(table) {
		t.Errorf("one tested estimator's interval width given as a range:\n%s", table)
	}
	// A learning-rate grid's records say the rates were tuned.
	g := []*Record{gridRecord("ste", 1, 1, 80, 0.5, 70), gridRecord("fda", 1, 1, 80, 0.5, 71), gridRecord("ste", 1, 2, 80, 0.5, 72), gridRecord("fda", 1, 2, 80, 0.5, 72)}
	table = tableText(t, TableFindings, g, nil)
	hasAll(t, "tuned findings", table, "each at its own learning rate chosen on the validation split",
		"With 2 paired seeds no difference can be called beyond noise: the smallest sign-flip p is 2/2^2 = 0.5.")
	// Every run of an estimator diverged: said so, not tested.
	div := findingRecord("identity", 1, 0, 0)
	div.Status, div.Final, div.Epochs, div.Diverged = StatusDiverged, nil, nil, &Divergence{Epoch: 1}
	table = tableText(t, TableFindings, append(none, div), nil)
	// It counts neither among the tested nor among those with too few
	// seeds: of dsq, bnnplus and identity, dsq alone is tested.
	hasAll(t, "diverged findings", table, "Diverged on every seed it ran: identity.",
		"no estimator is distinguishable from ste with these seeds (of the 1 with two or more paired seeds)", "The 95% interval of the difference is ")
}

// offsetRecords returns ste's records of seeds 1 to n, each of top-1 70,
// and for each of specs the records of seeds 1, 2, … with top-1 70 plus
// its rows' differences in turn; every training loss is 1.
func offsetRecords(n uint64, rows map[string][]float64, specs []string) []*Record {
	var rs []*Record
	for s := uint64(1); s <= n; s++ {
		rs = append(rs, findingRecord("ste", s, 70, 1))
	}
	for _, spec := range specs {
		for i, d := range rows[spec] {
			rs = append(rs, findingRecord(spec, uint64(i+1), 70+d, 1))
		}
	}
	return rs
}

// The widths and seed counts the findings give, worked by hand. Against
// ste (70 on seeds 1–6), a's top-1 differences are 1, 2, 3 (half-width
// t_{0.975,2}·1/√3 = 4.30265·0.57735 = 2.48414, width 4.97), b's 1, 2, 3,
// 1, 2, 3 (s = √0.8, half-width t_{0.975,5}·√0.8/√6 = 2.57058·0.36515 =
// 0.93865, width 1.88) and c's 1, 2, 3, 4 (s = √(5/3), half-width
// 3.18245·1.29099/2 = 2.05426, width 4.11, an interval that excludes 0
// while p = 2/16 does not reach 0.05): the widest is a's, and the
// smallest sign-flip p of the most paired seeds (b's six) is 2/2^6 < 0.05,
// so no row is said to lack the seeds to reach it.
func TestFindingsWidths(t *testing.T) {
	rows := map[string][]float64{"a": {1, 2, 3}, "b": {1, 2, 3, 1, 2, 3}, "c": {1, 2, 3, 4}}
	rs := func(specs ...string) []*Record { return offsetRecords(6, rows, specs) }
	table := tableText(t, TableFindings, rs("a", "b", "c"), []string{"ste", "a", "b", "c"})
	top1, _, _ := strings.Cut(table, "\n- **Train loss**")
	hasAll(t, "top-1 findings", top1,
		// b's p = 2/2^6 times the 3 comparisons is 0.094: not kept.
		"Higher than ste by both tests alone, not after Holm's correction: b (Δ +2.00 points, 95% CI [+1.06, +2.94], p = 0.031, n = 6).",
		"Not distinguishable from ste with these seeds: a (Δ +2.00 points, 95% CI [-0.48, +4.48], p = 0.250, n = 3).",
		"The 95% intervals of the differences are 1.88–4.97 points wide over 3–6 paired seeds.",
		"One test alone, not both, calls these different (not counted above): c (Δ +2.50 points, 95% CI [+0.45, +4.55], p = 0.125, n = 4).")
	hasNone(t, "top-1 findings", top1, "no difference can be called beyond noise")
	hasAll(t, "footnote", table, "if no estimator differed from ste, about 0.15 of the 3 made per metric would still pass both by chance")
	// Two comparisons are two made per metric, and say so.
	table = tableText(t, TableFindings, rs("a", "b"), nil)
	hasAll(t, "footnote of two comparisons", table, "if no estimator differed from ste, about 0.1 of the 2 made per metric would still pass both by chance")
}

// The sentence on Holm's correction, each variant on rows worked by hand.
// Against ste (70 on seeds 1–8): a's top-1 differences 1, …, 8 give p =
// 2/2^8 = 0.0078, b's 1, …, 7, −1 p = 6/256 = 0.0234, e's 1, …, 7, −3 p =
// 12/256 = 0.0469 (its t interval [+0.46, +5.79] excludes 0, so it is
// beyond seed noise alone), and z's small differences of both signs are
// noise (p ≈ 0.9).
func TestFindingsHolm(t *testing.T) {
	rows := map[string][]float64{
		"a": {1, 2, 3, 4, 5, 6, 7, 8},
		"b": {1, 2, 3, 4, 5, 6, 7, -1},
		"e": {1, 2, 3, 4, 5, 6, 7, -3},
		"z": {1, -1, 0.5, -0.5, 0.2, -0.3, 0.1, -0.2},
		"y": {-1, 1, -0.5, 0.5, -0.2, 0.3, -0.1, 0.2},
		"l": {-1, -2, -3, -4, -5, -6, -7, -8}, // lower: below ste on every seed
		"f": {-1, -2, -3, -4, -5, -6, -7, 3},  // e below ste
	}
	findings := func(specs ...string) string {
		t.Helper()
		top1, _, _ := strings.Cut(tableText(t, TableFindings, offsetRecords(8, rows, specs), append([]string{"ste"}, specs...)), "\n- **Train loss**")
		return top1
	}
	for _, tc := range []struct {
		name       string
		specs      []string
		has, lacks []string
	}{
		// Some stay: of a, e and z (m = 3), a's 3 × 0.0078 = 0.023 stays,
		// e's max(0.023, 2 × 0.0469) = 0.094 does not.
		{"some stay", []string{"a", "e", "z"}, []string{
			"Higher than ste beyond seed noise: a (Δ +4.50 points",
			"Higher than ste by both tests alone, not after Holm's correction: e (Δ +3.12 points",
			"After Holm's correction for the 3 comparisons with ste on this metric, these stay beyond seed noise: a (adjusted p = 0.023); these do not: e (adjusted p = 0.094).",
		}, nil},
		// All stay: a's 2 × 0.0078 = 0.016, b's 0.0234. Then with l,
		// below ste on every seed (m = 3): l and a tie at 0.0078, the
		// first gets 3 × 0.0078 = 0.023 and the second 2 × 0.0078 raised
		// to it, b 0.0234; named better first (b, a higher), then worse
		// (l).
		{"both stay", []string{"a", "b"}, []string{
			"After Holm's correction for the 2 comparisons with ste on this metric, both stay beyond seed noise: a (adjusted p = 0.016); b (adjusted p = 0.023).",
		}, nil},
		{"all stay, better first", []string{"l", "b", "a"}, []string{
			"Higher than ste beyond seed noise: b (",
			"Lower than ste beyond seed noise: l (",
			"all 3 stay beyond seed noise: b (adjusted p = 0.023); a (adjusted p = 0.023); l (adjusted p = 0.023).",
		}, nil},
		// One that stays: a alone beyond noise, z noise (m = 2).
		{"one stays", []string{"a", "z"}, []string{
			"After Holm's correction for the 2 comparisons with ste on this metric, it stays beyond seed noise: a (adjusted p = 0.016).",
		}, nil},
		// None stays, and not for want of seeds (3 × 2/2^8 = 0.023 <
		// 0.05): e's 0.0469 is the smallest p, times 3; f, e mirrored
		// below ste, ties with it (2 × 0.0469 raised to 0.141).
		{"none stays", []string{"e", "z", "y"}, []string{
			"After Holm's correction for the 3 comparisons with ste on this metric, it does not stay beyond seed noise: e (adjusted p = 0.141).",
		}, []string{"a limit of the design"}},
		{"none of two stays", []string{"f", "e", "z"}, []string{
			"After Holm's correction for the 3 comparisons with ste on this metric, none of them stays beyond seed noise: e (adjusted p = 0.141); f (adjusted p = 0.141).",
		}, []string{"a limit of the design"}},
		// No correction to speak of for a family of one.
		{"a family of one", []string{"a"}, nil, []string{"Holm's correction for the"}},
		// Nothing beyond noise, enough seeds: nothing to say.
		{"only noise", []string{"z", "y"}, nil, []string{"Holm's correction for the"}},
	} {
		top1 := findings(tc.specs...)
		hasAll(t, tc.name, top1, tc.has...)
		hasNone(t, tc.name, top1, tc.lacks...)
	}

	// Six seeds and six comparisons: 6 × 2/2^6 = 0.19, none could stay;
	// with nothing beyond noise, the limit is still said.
	six := func(rows map[string][]float64) string {
		t.Helper()
		var rs []*Record
		var specs []string
		for s := uint64(1); s <= 6; s++ {
			rs = append(rs, findingRecord("ste", s, 70, 1))
		}
		for spec, ds := range rows {
			specs = append(specs, spec)
			for i, d := range ds {
				rs = append(rs, findingRecord(spec, uint64(i+1), 70+d, 1))
			}
		}
		top1, _, _ := strings.Cut(tableText(t, TableFindings, rs, nil), "\n- **Train loss**")
		return top1
	}
	noise := []float64{1, -1, 0.5, -0.5, 0.2, -0.3}
	limit := map[string][]float64{"p": {1, 2, 3, 4, 5, 6}, "q": noise, "r": noise, "s": noise, "u": noise, "v": noise}
	limit["r"] = []float64{-1, -2, -3, -4, -5, -6}
	hasAll(t, "design limit", six(limit),
		"After Holm's correction for the 6 comparisons with ste on this metric, none of them stays beyond seed noise: p (adjusted p = 0.188); r (adjusted p = 0.188). "+
			"With 6 paired seeds no difference could: the smallest adjusted p is 6 × 2/2^6 = 0.19, not below 0.05, a limit of the design (too few seeds), not a result.")
	limit["p"], limit["r"] = noise, noise
	hasAll(t, "design limit, nothing beyond noise", six(limit),
		"With 6 paired seeds no difference could survive Holm's correction for the 6 comparisons with ste on this metric: the smallest adjusted p is 6 × 2/2^6 = 0.19, not below 0.05, a limit of the design (too few seeds), not a result.")
	// Fewer seeds in some rows: the limit is that of the most.
	limit["q"] = noise[:5]
	hasAll(t, "design limit of unequal seeds", six(limit), "With at most 6 paired seeds no difference could survive")
}

// TestFindingsFootnoteCountsTested: the footnote's number of comparisons
// made per metric counts those with a p, not every estimator: of dsq,
// bnnplus and fda against ste on seeds 1–3, fda diverged on every seed
// and bnnplus shares one seed with ste, so one comparison is made and the
// footnote on chance and Holm's family is not written; with bnnplus on
// seeds 1–3 too, two are.
func TestFindingsFootnoteCountsTested(t *testing.T) {
	rows := map[string][]float64{"dsq": {1, 2, 3}, "bnnplus": {1}, "fda": {}}
	rs := offsetRecords(3, rows, []string{"dsq", "bnnplus"})
	div := findingRecord("fda", 1, 0, 0)
	div.Status, div.Final, div.Epochs, div.Diverged = StatusDiverged, nil, nil, &Divergence{Epoch: 1}
	rs = append(rs, div)
	table := tableText(t, TableFindings, rs, nil)
	hasNone(t, "one comparison made", table, "made per metric", "of the 3 made", "Holm's correction (Holm 1979)")
	rows["bnnplus"] = []float64{1, 2, 1}
	table = tableText(t, TableFindings, append(offsetRecords(3, rows, []string{"dsq", "bnnplus"}), div), nil)
	hasAll(t, "two comparisons made", table, "if no estimator differed from ste, about 0.1 of the 2 made per metric would still pass both by chance")
	hasNone(t, "two comparisons made", table, "of the 3 made")
}
