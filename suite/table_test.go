package suite

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/golden"
	"github.com/gradbench/gradbench/internal/texttest"
)

// hasAll checks that the table (what) contains every one of wants, with
// runs of spaces (the padding of its columns) read as one.
func hasAll(t *testing.T, what, table string, wants ...string) {
	t.Helper()
	flat := texttest.Squash(table)
	for _, want := range wants {
		if !strings.Contains(flat, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, table)
		}
	}
}

// hasNone checks that the table (what) contains none of unwanted, with
// runs of spaces read as one, as hasAll does.
func hasNone(t *testing.T, what, table string, unwanted ...string) {
	t.Helper()
	flat := texttest.Squash(table)
	for _, u := range unwanted {
		if strings.Contains(flat, u) {
			t.Errorf("%s has %q:\n%s", what, u, table)
		}
	}
}

// tableText returns the table name of rs in order, as WriteTable writes
// it, or fails the test.
func tableText(t *testing.T, name string, rs []*Record, order []string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTable(&buf, name, rs, order); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// paperRecords is a small sweep over every spec of the paper's ablations,
// 6 seeds (enough for a sign-flip p below 0.05), with one diverged run (dsq+na, seed 3), made up so that the
// numbers are easy to check by eye: spec i scores 80 + i + seed/10, plus
// 0.1 on every third (spec, seed) so that the paired differences vary; its
// final test loss is 1 − i/20 + seed/100 and its training loss
// 1.2 − i/10 + (i·seed mod 3)/50.
func paperRecords(t *testing.T) []*Record {
	w := testWorkload(t)
	w.Recipe.Epochs = 3
	var rs []*Record
	for i, spec := range PaperSpecs() {
		for seed := uint64(1); seed <= 6; seed++ {
			rs = append(rs, madeUpRecord(&w, i, spec.String(), seed, spec.String() == "dsq+na" && seed == 3))
		}
	}
	return rs
}

// madeUpRecord is the record of spec, the i-th spec of a made-up sweep
// like paperRecords, at seed: its numbers as paperRecords says, or
// diverged.
func madeUpRecord(w *Workload, i int, spec string, seed uint64, diverged bool) *Record {
	top1 := 80 + float64(i) + float64(seed)/10
	if (i+int(seed))%3 == 0 {
		top1 += 0.1
	}
	if diverged {
		top1 = math.NaN()
	}
	r := fakeRecord(w, spec, seed, top1)
	if r.Status == StatusOK {
		setLosses(r, 1-float64(i)/20+float64(seed)/100, 1.2-float64(i)/10+float64(i*int(seed)%3)/50)
	}
	return r
}

// setLosses sets the test and training loss of r's last epoch, and its
// final numbers to match.
func setLosses(r *Record, test, train float64) {
	last := &r.Epochs[len(r.Epochs)-1]
	last.TestLoss, last.TrainLoss = test, train
	r.Final = finalOf(r.Epochs)
}

func TestTablesGolden(t *testing.T) {
	rs := paperRecords(t)
	var order []string
	for _, s := range PaperSpecs() {
		order = append(order, s.String())
	}
	for _, name := range []string{TableMain, TableSineNA, TableNAOthers, TableEta} {
		t.Run(name, func(t *testing.T) {
			table := tableText(t, name, rs, order)
			golden.Check(t, "table-"+name+".md", []byte(table))
		})
	}
}

// The main table's numbers, checked by hand: ste:c=2 scores 10, 11 and 9
// points above ste on seeds 1, 2 and 3, so Δ = 10 with s = 1 and the 95%
// interval 10 ± 4.30265/√3 = 10 ± 2.48 (t_{0.975,2} = 4.30265), and all
// three differences are positive: p = 2/2^3 = 0.25. Its test losses are
// 0.1, 0.2, 0.3 below ste's (Δ = −0.2 ± 4.30265·0.1/√3 = −0.2 ± 0.248) and
// its training losses 0.05 below on every seed (a point interval).
func TestTableMainNumbers(t *testing.T) {
	w := testWorkload(t)
	rs := []*Record{
		fakeRecord(&w, "ste", 1, 80), fakeRecord(&w, "ste", 2, 81), fakeRecord(&w, "ste", 3, 82),
		fakeRecord(&w, "ste:c=2", 1, 90), fakeRecord(&w, "ste:c=2", 2, 92), fakeRecord(&w, "ste:c=2", 3, 91),
	}
	for i, r := range rs {
		seed := float64(r.Config.Seed)
		if i < 3 {
			setLosses(r, 1, 0.9)
		} else {
			setLosses(r, 1-seed/10, 0.85)
		}
	}
	table := tableText(t, TableMain, rs, nil)
	hasAll(t, "main table", table,
		"| estimator | top-1 % (mean ± std) | n | diverged | Δ vs ste (pp) | 95% CI | p | p (Holm) | sec/epoch |",
		"| ste | 81.00 ± 1.00 | 3 | 0 | – | – | – | – | 14.0 |",
		// A family of one: the adjusted p is p.
		"| ste:c=2 | 91.00 ± 1.00 | 3 | 0 | +10.00 | [+7.52, +12.48] | 0.250 | 0.250 | 14.0 |",
		"over the table's one comparison with a p (so it equals p)",
		"| ste | 1.000 ± 0.000 | – | – | 0.900 ± 0.000 | – | – |",
		"| ste:c=2 | 0.800 ± 0.100 | -0.200 | [-0.448, +0.048] | 0.850 ± 0.000 | -0.050 | [-0.050, -0.050] |",
		"With at most 3 paired seeds the sign-flip p cannot go below 2/2^3 = 0.25",
		"sign-flip permutation test",
		"Student t interval",
	)
	hasNone(t, "main table of equal seed sets", table, "Mann", "seeds column", "left out")
}

// A table over rows with unequal seed sets (ste seeds 1–4, bnnplus 1–3,
// fda 2 and 4–6) pairs each row only with the seeds it shares with ste,
// shows which seeds each row has and which were paired, and says that the
// others are left out. bnnplus is 5 above ste on seeds 1–3, so Δ = +5.00
// although its mean (85) is 4.50 above ste's (80.5: seed 4 scores 82);
// fda shares seeds 2 and 4 and is 1 and 3 above: Δ = +2.00, p = 2/4.
func TestTableUnequalSeeds(t *testing.T) {
	w := testWorkload(t)
	var rs []*Record
	for s, v := range map[uint64]float64{1: 80, 2: 80, 3: 80, 4: 82} {
		rs = append(rs, fakeRecord(&w, "ste", s, v))
	}
	for s, v := range map[uint64]float64{1: 85, 2: 85, 3: 85} {
		rs = append(rs, fakeRecord(&w, "bnnplus", s, v))
	}
	for s, v := range map[uint64]float64{2: 81, 4: 85, 5: 70, 6: 70} {
		rs = append(rs, fakeRecord(&w, "fda", s, v))
	}
	sortRecords(rs)
	table := tableText(t, TableMain, rs, []string{"ste", "bnnplus", "fda"})
	hasAll(t, "table of unequal seed sets", table,
		"| estimator | top-1 % (mean ± std) | n | diverged | seeds | paired with ste | Δ vs ste (pp) | 95% CI | p | p (Holm) | sec/epoch |",
		"| ste | 80.50 ± 1.00 | 4 | 0 | 1–4 | – | – | – | – | – |",
		// Holm over the two: 2 × 0.25 and max(0.5, 1 × 0.5).
		"| bnnplus | 85.00 ± 0.00 | 3 | 0 | 1–3 | 1–3 | +5.00 | [+5.00, +5.00] | 0.250 | 0.500 |",
		"| fda | 76.50 ± 7.68 | 4 | 0 | 2, 4–6 | 2, 4 | +2.00 |",
		"| 0.500 | 0.500 |",
		"Rows finished different seeds (seeds column): Δ, CI and p pair a row only with the seeds it shares with ste (paired column) and leave the other seeds of both out",
		"Seeds only one of the two rows finished are left out of Δ and CI.",
	)
	// The same in an ablation table: Table 3's bnnplus → bnnplus+na with
	// seeds 1–3 against 2–4.
	rs = nil
	for s := uint64(1); s <= 4; s++ {
		if s <= 3 {
			rs = append(rs, fakeRecord(&w, "bnnplus", s, 80+float64(s)))
		}
		if s >= 2 {
			rs = append(rs, fakeRecord(&w, "bnnplus+na", s, 90+float64(s)))
		}
	}
	table = tableText(t, TableNAOthers, rs, nil)
	hasAll(t, "Table 3 of unequal seed sets", table,
		"| BNN+ (bnnplus → bnnplus+na) | 82.00 ± 1.00 | 93.00 ± 1.00 | 3 / 3 | 0 / 0 | 1–3 / 2–4 | 2, 3 | +10.00 | [+10.00, +10.00] | 0.500 | 0.500 |",
		"pair a row only with the seeds it shares with the row without NA",
	)
}

// The p (Holm) column, worked by hand. Against ste (70 on seeds 1–8),
// approxsign's differences are 1, …, 8 (p = 2/2^8 = 0.0078), dsq's 1, …,
// 7, −1 (p = 6/256 = 0.0234) and bnnplus's 1, …, 7, −2 (p = 8/256 =
// 0.03125); fda shares one seed with ste and has no p, so the family is
// the other three (m = 3). Sorted by p, approxsign's adjusted p is 3 ×
// 0.0078 = 0.0234, dsq's 2 × 0.0234 = 0.0469, and bnnplus's 1 × 0.03125
// is raised to dsq's 0.0469, the running maximum; all are below 0.05 and
// marked.
func TestTableHolm(t *testing.T) {
	w := testWorkload(t)
	specs := []string{"approxsign", "dsq", "bnnplus", "fda"}
	rows := [][]float64{{1, 2, 3, 4, 5, 6, 7, 8}, {1, 2, 3, 4, 5, 6, 7, -1}, {1, 2, 3, 4, 5, 6, 7, -2}, {5}}
	var rs []*Record
	for s := uint64(1); s <= 8; s++ {
		rs = append(rs, fakeRecord(&w, "ste", s, 70))
	}
	for k, spec := range specs {
		for i, d := range rows[k] {
			rs = append(rs, fakeRecord(&w, spec, uint64(i+1), 70+d))
		}
	}
	sortRecords(rs)
	table := tableText(t, TableMain, rs, append([]string{"ste"}, specs...))
	hasAll(t, "main table", table,
		"| Δ vs ste (pp) | 95% CI | p | p (Holm) | sec/epoch |",
		"| ste | 70.00 ± 0.00 | 8 | 0 | 1–8 | – | – | – | – | – |",
		"| approxsign | 74.50 ± 2.45 | 8 | 0 | 1–8 | 1–8 | +4.50 | [+2.45, +6.55] | 0.008 * | 0.023 * |",
		"| dsq | 73.38 ± 2.67 | 8 | 0 | 1–8 | 1–8 | +3.38 | [+1.14, +5.61] | 0.023 * | 0.047 * |",
		"| bnnplus | 73.25 ± 2.92 | 8 | 0 | 1–8 | 1–8 | +3.25 | [+0.81, +5.69] | 0.031 * | 0.047 * |",
		"| fda | 75.00 ± – | 1 | 0 | 1 | 1 | +5.00 | – | – | – |",
		"over the table's 3 comparisons with a p",
	)
	// Six estimators 1 to 6 points above ste on each of 6 seeds: p =
	// 2/2^6 = 0.031 for each, and 6 × 0.031 = 0.19 for every adjusted p,
	// the smallest 6 comparisons can have with 6 seeds; the note says so,
	// and how many seeds would let one reach 0.05 (6 × 2/2^8 = 0.047).
	rs = nil
	for s := uint64(1); s <= 6; s++ {
		rs = append(rs, fakeRecord(&w, "ste", s, 70))
		for i, spec := range []string{"approxsign", "dsq", "bnnplus", "ede", "fda", "fda+na"} {
			rs = append(rs, fakeRecord(&w, spec, s, 71+float64(i)+float64(s)/10))
		}
	}
	sortRecords(rs)
	table = tableText(t, TableMain, rs, nil)
	hasAll(t, "main table of 6 seeds", table,
		"| 0.031 * | 0.188 |",
		"With 6 comparisons and at most 6 paired seeds, p (Holm) cannot go below 6 × 2/2^6 = 0.19, so no row can be marked in it: use --seeds 8 or more.")
	hasNone(t, "main table of 6 seeds", table, "0.188 *")
}

// User text goes into headings and cells escaped: a recipe name with
// markdown syntax reads as itself.
func TestTableEscapesMarkdown(t *testing.T) {
	w := testWorkload(t)
	rs := []*Record{fakeRecord(&w, "ste", 1, 80)}
	rs[0].Recipe = "a*b_[c](d)<e>&f`g|h\\i\r"
	table := tableText(t, TableMain, rs, nil)
	want := "recipe a\\*b\\_\\[c\\](d)\\<e\\>\\&f\\`g|h\\\\i\\r: 1 epoch"
	if first, _, _ := strings.Cut(table, "\n"); !strings.Contains(first, want) {
		t.Errorf("heading = %q, want it to contain %q", first, want)
	}
	for _, tc := range []struct{ in, want string }{
		{"fda+na:eta=x", "fda+na:eta=x"},
		{"fmnist-10", "fmnist-10"},
		{"#1 ~x~ $y$", "\\#1 \\~x\\~ \\$y\\$"},
		{"a\x00b", "a\\x00b"},
	} {
		if got := escapeMarkdown(tc.in); got != tc.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFmtSeeds(t *testing.T) {
	for _, tc := range []struct {
		seeds []uint64
		want  string
	}{
		{nil, "none"},
		{[]uint64{1}, "1"},
		{[]uint64{1, 2}, "1, 2"},
		{[]uint64{1, 2, 3}, "1–3"},
		{[]uint64{1, 2, 3, 5, 7, 8, 9, 10}, "1–3, 5, 7–10"},
		{[]uint64{2, 4, 5}, "2, 4, 5"},
	} {
		if got := fmtSeeds(tc.seeds); got != tc.want {
			t.Errorf("fmtSeeds(%v) = %q, want %q", tc.seeds, got, tc.want)
		}
	}
}

func TestTableErrors(t *testing.T) {
	if err := WriteTable(new(bytes.Buffer), "table5", paperRecords(t), nil); err == nil || !strings.Contains(err.Error(), `unknown table "table5" (have main, sine-na, na-others, eta, paper, sides, lr, findings, diagnostics)`) {
		t.Errorf("WriteTable(table5) = %v, want unknown table", err)
	}
	if err := WriteTable(new(bytes.Buffer), TableMain, nil, nil); err == nil {
		t.Error("WriteTable(no records) = nil, want an error")
	}
}

func TestPaperSpecs(t *testing.T) {
	var got []string
	for _, s := range PaperSpecs() {
		got = append(got, s.String())
	}
	want := "ste fda fda+na dsq dsq+na bnnplus bnnplus+na fda+na:eta=0 fda+na:eta=x"
	if strings.Join(got, " ") != want {
		t.Errorf("PaperSpecs() = %v, want %s", got, want)
	}
}

func TestCurvesSVG(t *testing.T) {
	rs := paperRecords(t)
	var buf bytes.Buffer
	if err := WriteCurves(&buf, rs, nil); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	if !strings.HasPrefix(svg, "<?xml") || !strings.Contains(svg, "<svg") {
		t.Fatalf("WriteCurves output is not an SVG: %.200s", svg)
	}
	for _, want := range []string{"test top-1 accuracy", "training loss", "fda+na:eta=x (n=6)", "dsq+na (n=5, 1 diverged)", "epoch"} {
		if !strings.Contains(svg, want) {
			t.Errorf("curves SVG lacks %q", want)
		}
	}
	// Nine estimators, nine colors a reader tells apart (lineStyle), in
	// both panels.
	if lines := checkLineColors(t, "curves", svg, 9); len(lines) != 2*9 {
		t.Errorf("curves: %d data lines, want 2 panels × 9 estimators", len(lines))
	}
	w2 := testWorkload(t)
	w2.Recipe.LR = 0.5
	if err := WriteCurves(new(bytes.Buffer), append(rs, fakeRecord(&w2, "ste", 1, 80)), nil); err == nil {
		t.Error("WriteCurves of two workloads = nil, want an error")
	}
}

func TestNoiseAdaptationNoteOneEpoch(t *testing.T) {
	w := testWorkload(t) // one epoch
	rs := []*Record{fakeRecord(&w, "ste", 1, 80), fakeRecord(&w, "ste+na", 1, 80)}
	table := tableText(t, TableMain, rs, nil)
	if !strings.Contains(table, "every +na row equals its estimator without NA") {
		t.Errorf("one-epoch table with +na lacks the note on α = 0:\n%s", table)
	}
	w.Recipe.Epochs = 2
	table = tableText(t, TableMain, []*Record{fakeRecord(&w, "ste+na", 1, 80)}, nil)
	if strings.Contains(table, "+na row equals") {
		t.Errorf("two-epoch table has the one-epoch note:\n%s", table)
	}
}

// Above maxExactFlips paired seeds the footnote says that p is a Monte
// Carlo estimate and from how many sign patterns, and no longer that it is
// exact over all 2^n sign patterns: it said both. At maxExactFlips seeds
// it is exact, and the footnote says so without a condition.
func TestTableMonteCarloNote(t *testing.T) {
	w := testWorkload(t)
	var rs []*Record
	for s := uint64(1); s <= maxExactFlips+1; s++ {
		rs = append(rs, fakeRecord(&w, "ste", s, 80), fakeRecord(&w, "fda", s, 80+float64(s%3)))
	}
	table := tableText(t, TableMain, rs, nil)
	for _, want := range []string{
		"Where more than 20 seeds are paired, p is estimated from 1048576 random sign patterns",
		"p: two-sided sign-flip permutation test of the paired differences, exact over all 2^n sign patterns of the n differences where n ≤ 20 (distribution-free)",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table of 21 seeds lacks %q:\n%s", want, table)
		}
	}
	table = tableText(t, TableMain, rs[:2*maxExactFlips], nil)
	want := "p: two-sided sign-flip permutation test of the paired differences, exact over all 2^n sign patterns of the n differences (distribution-free)"
	if !strings.Contains(table, want) || strings.Contains(table, "random sign patterns") {
		t.Errorf("table of 20 seeds: want %q and no Monte Carlo note:\n%s", want, table)
	}
}

// TestTableSecondsSpread: where the finished runs of one row differ
// widely in seconds per epoch, the main table says so under its sec/epoch
// column, naming the row of the widest spread: a run's wall time is the
// machine's and its load's as much as the estimator's, and a table of
// runs trained at different times (ste while other work ran, an
// estimator later on an idle machine: ste 3.1 s, w=approxsign/a=ste
// 0.9 s on the same workload) showed them as if the estimators alone
// made the difference.
func TestTableSecondsSpread(t *testing.T) {
	w := testWorkload(t)
	rs := []*Record{
		fakeRecord(&w, "ste", 1, 80), fakeRecord(&w, "ste", 2, 81),
		fakeRecord(&w, "fda", 1, 82), fakeRecord(&w, "fda", 2, 83),
	}
	table := tableText(t, TableMain, rs, nil)
	// fakeRecord's runs take 13 and 14 s per epoch: no note.
	hasNone(t, "main table of like wall times", table, "s per epoch (")
	for i := range rs[1].Epochs {
		rs[1].Epochs[i].TrainSeconds = 40 // ste, seed 2: 42 s per epoch
	}
	rs[1].Final = finalOf(rs[1].Epochs)
	for i := range rs[3].Epochs {
		rs[3].Epochs[i].TrainSeconds = 20 // fda, seed 2: 22 s, a narrower spread
	}
	rs[3].Final = finalOf(rs[3].Epochs)
	table = tableText(t, TableMain, rs, nil)
	hasAll(t, "main table of unlike wall times", table,
		"| ste | 80.50 ± 0.71 | 2 | 0 | – | – | – | – | 27.5 |",
		"sec/epoch: training and evaluation wall time. The runs of one row took from 13.0 to 42.0 s per epoch (ste): a run's wall time is also the machine's and its load's when it trained, so sec/epoch compares rows only where their runs trained together on one otherwise idle machine.",
	)
}
