package suite

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

// tabulateSeeds writes rs into a runs directory and tabulates it with o,
// Runs set to that directory.
func tabulateSeeds(t *testing.T, rs []*Record, o TableOptions) (string, error) {
	t.Helper()
	o.Runs = t.TempDir()
	for _, r := range rs {
		// As a run writes them: a digest of the batches of every epoch.
		r.DataHashes = nil
		for e := range r.Epochs {
			r.DataHashes = append(r.DataHashes, fmt.Sprintf("%016x", e+1))
		}
		if err := WriteRecord(o.Runs, r); err != nil {
			t.Fatal(err)
		}
	}
	tab, err := Tabulate(o)
	if err != nil {
		return "", err
	}
	return string(tab.Table), nil
}

// TestTableSeedsKeepsListedSeeds: --seeds tabulates the runs of the
// listed seeds alone, pairs ste with fda over those seeds only (seed 5,
// which fda alone ran outside them, is no pair either way), and says under
// the heading which seeds the table covers.
func TestTableSeedsKeepsListedSeeds(t *testing.T) {
	var rs []*Record
	// fda − ste: +5 on seeds 1 and 2, +1 on seeds 3 and 4.
	for seed, d := range map[uint64]float64{1: 5, 2: 5, 3: 1, 4: 1} {
		rs = append(rs, findingRecord("ste", seed, 70+float64(seed), 0.5), findingRecord("fda", seed, 70+float64(seed)+d, 0.5))
	}
	rs = append(rs, findingRecord("fda", 5, 90, 0.5))
	all, err := tabulateSeeds(t, rs, TableOptions{Table: TableMain})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(all, "|         +3.00 |") || strings.Contains(all, "only (--seeds)") {
		t.Fatalf("without --seeds: want Δ +3.00 over seeds 1–4 and no seeds line:\n%s", all)
	}
	got, err := tabulateSeeds(t, rs, TableOptions{Table: TableMain, Seeds: []uint64{3, 4, 5}})
	if err != nil {
		t.Fatal(err)
	}
	// ste: seeds 3, 4 (73, 74); fda: 3, 4, 5 (74, 75, 90).
	texttest.ContainsAll(t, "--seeds 3,4,5", got,
		"Seeds 3–5 only (--seeds): every row and comparison below is over the runs of these seeds alone.\n",
		"| ste       |         73.50 ± 0.71 | 2 |",
		"| fda       |         79.67 ± 8.96 | 3 |",
		"|         +1.00 |")
	// The findings say the same pairs: n = 2, Δ +1.
	got, err = tabulateSeeds(t, rs, TableOptions{Table: TableFindings, Seeds: []uint64{3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "Seeds 3, 4 only (--seeds)") || !strings.Contains(got, "n = 2)") || strings.Contains(got, "n = 4)") {
		t.Errorf("findings --seeds 3,4: want the seeds line and pairs of n = 2 only:\n%s", got)
	}
	// A listed seed without runs is named.
	got, err = tabulateSeeds(t, rs, TableOptions{Table: TableMain, Seeds: []uint64{4, 7}})
	if err != nil {
		t.Fatal(err)
	}
	// One seed in each: "Seeds 4 only ... these seeds ... (seeds 7 of
	// --seeds have no runs here)" spoke of one seed as of several.
	if !strings.Contains(got, "Seed 4 only (--seeds): every row and comparison below is over the runs of this seed alone (seed 7 of --seeds has no runs here).") {
		t.Errorf("--seeds 4,7: want seed 7 named as without runs:\n%s", got)
	}
	got, err = tabulateSeeds(t, rs, TableOptions{Table: TableMain, Seeds: []uint64{3, 4, 7, 8}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "Seeds 3, 4 only (--seeds): every row and comparison below is over the runs of these seeds alone (seeds 7, 8 of --seeds have no runs here).") {
		t.Errorf("--seeds 3,4,7,8: want seeds 7 and 8 named as without runs:\n%s", got)
	}
}

// TestTableSeedsGridChoosesOnAllSeeds: on a learning-rate grid the rates
// compared are still chosen on the seeds that ran the grid (1 and 2), and
// the rows are of the listed seeds at those rates; the lr table, the
// choice alone, chooses on the listed seeds' runs.
func TestTableSeedsGridChoosesOnAllSeeds(t *testing.T) {
	var rs []*Record
	for _, spec := range []string{"ste", "fda"} {
		for seed := uint64(1); seed <= 2; seed++ {
			// ×1 wins on validation over ×3.
			rs = append(rs, gridRecord(spec, 1, seed, 80, 0.5, 70), gridRecord(spec, 3, seed, 60, 0.5, 50))
		}
		for seed := uint64(3); seed <= 4; seed++ {
			rs = append(rs, gridRecord(spec, 1, seed, 80, 0.5, 70+float64(seed)))
		}
		// ×3 on seeds 3 and 4 alone would win: a choice made on them
		// would differ.
		for seed := uint64(3); seed <= 4; seed++ {
			rs = append(rs, gridRecord(spec, 3, seed, 90, 0.5, 10))
		}
	}
	got, err := tabulateSeeds(t, rs, TableOptions{Table: TableMain, Seeds: []uint64{3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Seeds 3, 4 only (--seeds): every row and comparison below is over the runs of these seeds alone; the learning rates were chosen on every seed that ran the grid, as without --seeds.",
		"| ste       |         73.50 ± 0.71 | 2 |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("main --seeds 3,4 over a grid: want %q in:\n%s", want, got)
		}
	}
	// Every seed ran both multipliers: chosen on all four, ×1 (mean
	// validation 80) beats ×3 (60, 60, 90, 90: 75).
	if !strings.Contains(got, "0.1 (×1)") {
		t.Errorf("main --seeds 3,4: want ×1 chosen on every seed:\n%s", got)
	}
	got, err = tabulateSeeds(t, rs, TableOptions{Table: TableLR, Seeds: []uint64{3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "the learning rates below are chosen on the runs of these seeds alone") || !strings.Contains(got, "0.3 (×3)") {
		t.Errorf("lr --seeds 3,4: want ×3 chosen on seeds 3 and 4:\n%s", got)
	}
}

// TestTableSeedsRefused: a list none of whose seeds has a record is
// refused naming the seeds there are; so is an estimator of --estimators
// without runs of the listed seeds, and --seeds with --curves or --bench,
// which are drawn from every seed's runs.
func TestTableSeedsRefused(t *testing.T) {
	rs := []*Record{findingRecord("ste", 1, 70, 0.5), findingRecord("ste", 2, 71, 0.5), findingRecord("ste", 3, 72, 0.5),
		findingRecord("fda", 1, 72, 0.5)}
	for _, tc := range []struct {
		o    TableOptions
		want string
	}{
		{TableOptions{Table: TableMain, Seeds: []uint64{7, 8}},
			"--seeds 7, 8: no run records of these seeds in "},
		{TableOptions{Table: TableMain, Seeds: []uint64{2, 3}, Estimators: "ste,fda"},
			"suite: --estimators ste,fda --seeds 2, 3: no run records of fda of these seeds in "},
		{TableOptions{Table: TableMain, Seeds: []uint64{1}, Bench: "bench.txt"},
			"suite: --seeds with --curves or --bench"},
	} {
		_, err := tabulateSeeds(t, rs, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.o, err, tc.want)
		}
	}
	_, err := tabulateSeeds(t, rs, TableOptions{Table: TableMain, Seeds: []uint64{7, 8}})
	if err == nil || !strings.HasSuffix(err.Error(), "(it has records of seeds 1–3)") {
		t.Errorf("want the seeds the records have named: %v", err)
	}
	_, err = tabulateSeeds(t, rs, TableOptions{Table: TableMain, Seeds: []uint64{2, 3}, Estimators: "ste,fda"})
	if err == nil || !strings.Contains(err.Error(), "(fda has records of seeds 1)") {
		t.Errorf("want fda's seeds named: %v", err)
	}
}

// TestTableSeedsBaselineLeftOut: when --seeds leaves out every run of ste
// but not of the others, the tables say that ste has no runs of these
// seeds and which it ran, not that there are no ste runs.
func TestTableSeedsBaselineLeftOut(t *testing.T) {
	var rs []*Record
	for seed := uint64(1); seed <= 4; seed++ {
		if seed <= 2 {
			rs = append(rs, findingRecord("ste", seed, 70, 0.5))
		}
		rs = append(rs, findingRecord("fda", seed, 71, 0.5))
	}
	for table, want := range map[string]string{
		TableMain:     "No ste runs of these seeds (it ran seeds 1, 2): Δ, CI and p need the ste baseline.",
		TableFindings: "No ste runs of these seeds (it ran seeds 1, 2): the findings compare every estimator with ste.",
	} {
		got, err := tabulateSeeds(t, rs, TableOptions{Table: table, Seeds: []uint64{3, 4}})
		if err != nil {
			t.Fatal(err)
		}
		texttest.ContainsAll(t, table+" --seeds 3,4", got, want)
		if strings.Contains(got, "No ste runs:") {
			t.Errorf("%s --seeds 3,4 says there are no ste runs:\n%s", table, got)
		}
	}
	// Without ste runs at all, the table still says there are none.
	got, err := tabulateSeeds(t, rs[1:2], TableOptions{Table: TableMain, Seeds: []uint64{1}})
	if err != nil {
		t.Fatal(err)
	}
	texttest.ContainsAll(t, "fda alone", got, "No ste runs: Δ, CI and p need the ste baseline.")
}
