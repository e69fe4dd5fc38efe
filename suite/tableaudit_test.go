package suite

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// The diverged column lists the epochs runs stopped at in increasing
// order, whatever the order of their seeds: seed 1 stopped at epoch 3,
// seed 2 at epoch 2.
func TestTableDivergedEpochsSorted(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 3 // so that a NaN top-1 diverges
	late := fakeRecord(&w, "fda", 1, math.NaN())
	late.Diverged.Epoch = 3
	rs := []*Record{fakeRecord(&w, "ste", 1, 80), fakeRecord(&w, "ste", 2, 81), late, fakeRecord(&w, "fda", 2, math.NaN())}
	hasAll(t, "main table", tableText(t, TableMain, rs, nil), "| fda | – | 0 | 2 (epochs 2, 3) |")
}

// With one paired seed the footnote says there is no CI or p, and how many
// seeds a test needs: 6, the fewest n with 2/2^n < 0.05 (2/2^5 = 0.0625,
// 2/2^6 = 0.03125).
func TestTableOnePairedSeedNote(t *testing.T) {
	w := testWorkload(t)
	rs := []*Record{fakeRecord(&w, "ste", 1, 80), fakeRecord(&w, "fda", 1, 82)}
	table := tableText(t, TableMain, rs, nil)
	hasAll(t, "main table of one seed", table,
		"| fda | 82.00 ± – | 1 | 0 | +2.00 | – | – |",
		"With one paired seed there is no CI or p: use --seeds 6 or more to test differences.")
	hasNone(t, "main table of one seed", table, "With at most")
}

// Without an order the main table shows ste first, then the other
// estimators in increasing order of their specs; with --missing=show an
// estimator of the order without records has a "not run" row with n = 0.
func TestTableMainRowOrder(t *testing.T) {
	w := testWorkload(t)
	var rs []*Record
	for _, spec := range []string{"fda", "ste", "bnnplus"} {
		rs = append(rs, fakeRecord(&w, spec, 1, 80), fakeRecord(&w, spec, 2, 81))
	}
	table := tableText(t, TableMain, rs, nil)
	first := table[:strings.Index(table, "Final losses")]
	if i, j, k := strings.Index(first, "| ste "), strings.Index(first, "| bnnplus "), strings.Index(first, "| fda "); !(0 <= i && i < j && j < k) {
		t.Errorf("main table rows: want ste, bnnplus, fda in that order:\n%s", table)
	}
	var b bytes.Buffer
	if err := writeTable(&b, TableMain, rs, []string{"fda", "dsq", "ste", "bnnplus"}, true); err != nil {
		t.Fatal(err)
	}
	hasAll(t, "main table with dsq not run", b.String(), "| dsq | not run | 0 | – | – | – | – | – |")
}

// Runs with a top-5 accuracy (more than 10 classes) get a top-5 column:
// ste's 95 and 97 are 96.00 ± 1.41 (s = √2), beside top-1's 81.00 ± 1.41.
func TestTableMainTop5(t *testing.T) {
	w := testWorkload(t)
	var rs []*Record
	for seed, v := range map[uint64]float64{1: 80, 2: 82} {
		r := fakeRecord(&w, "ste", seed, v)
		top5 := v + 15
		r.Final.TestTop5 = &top5
		rs = append(rs, r)
	}
	hasAll(t, "main table with top-5", tableText(t, TableMain, rs, nil),
		"| estimator | top-1 % (mean ± std) | top-5 % (mean ± std) | n |",
		"| ste | 81.00 ± 1.41 | 96.00 ± 1.41 | 2 |")
}

// An estimator whose every run diverged has no curve, and the estimators
// after it in the legend still have theirs.
func TestCurvesAfterAllDiverged(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 2
	var buf bytes.Buffer
	rs := []*Record{fakeRecord(&w, "ste", 1, math.NaN()), fakeRecord(&w, "fda", 1, 80)}
	if err := WriteCurves(&buf, rs, nil); err != nil {
		t.Fatal(err)
	}
	if svg := buf.String(); !strings.Contains(svg, "fda (n=1)") || strings.Contains(svg, "ste (n=") {
		t.Errorf("curves of an all-diverged ste and fda: want fda's line alone in the legend")
	}
}
