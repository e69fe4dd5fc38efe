package suite

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

// tabulateSeeds writes rs into a runs directory and tabulates it with o,
// Runs set to that directory.
func tabulateSeeds(t *testing.T, rs []*Record, o TableOptions) (string, error) {
	t.Helper()
	if o.Runs == "" {
		o.Runs = t.TempDir()
	} else if err := os.MkdirAll(o.Runs, 0o755); err != nil {
		t.Fatal(err)
	}
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
	if !strings.Contains(got, "Seeds 3 and 4 only (--seeds)") || !strings.Contains(got, "n = 2)") || strings.Contains(got, "n = 4)") {
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
	if !strings.Contains(got, "Seeds 3 and 4 only (--seeds): every row and comparison below is over the runs of these seeds alone (seeds 7 and 8 of --seeds have no runs here).") {
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
		"Seeds 3 and 4 only (--seeds): every row and comparison below is over the runs of these seeds alone; the learning rates were chosen on every seed that ran the grid, as without --seeds.",
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
	// The other tables with these --seeds show ×1, chosen on every seed
	// (above): the lr table's note is not to say they show the rates it
	// chose.
	if strings.Contains(got, "show each estimator at its chosen learning rate") ||
		!strings.Contains(got, "The other tables (gradbench table --ablation main and the rest, --seeds too) show each estimator at the learning rate chosen on every seed that ran the grid, which may differ from the one chosen here on these seeds alone.") {
		t.Errorf("lr --seeds 3,4: the note under the choice says the other tables show the rates chosen here, where they show those chosen on every seed:\n%s", got)
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
	// One seed is "seed", not "seeds"; --seeds is quoted as typed.
	_, err := tabulateSeeds(t, rs, TableOptions{Table: TableMain, Seeds: []uint64{7}, SeedsTyped: "07..7"})
	if err == nil || !strings.HasPrefix(err.Error(), "suite: --seeds 07..7: no run records of this seed in ") {
		t.Errorf("want --seeds quoted as typed, of this seed: %v", err)
	}
	_, err = tabulateSeeds(t, rs, TableOptions{Table: TableMain, Seeds: []uint64{7, 8}})
	if err == nil || !strings.HasSuffix(err.Error(), "(it has records of seeds 1–3)") {
		t.Errorf("want the seeds the records have named: %v", err)
	}
	_, err = tabulateSeeds(t, rs, TableOptions{Table: TableMain, Seeds: []uint64{2, 3}, Estimators: "ste,fda"})
	if err == nil || !strings.Contains(err.Error(), "(fda has records of seed 1)") {
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
		TableMain:     "No ste runs of these seeds (it ran seeds 1 and 2): Δ, CI and p need the ste baseline.",
		TableFindings: "No ste runs of these seeds (it ran seeds 1 and 2): the findings compare every estimator with ste.",
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

// TestTableSeedsGridNotesScoped: on a learning-rate grid with --seeds the
// learning rates are chosen on every seed's runs and the table's rows are
// of the listed seeds: the notes on records without a data digest and on
// machine types must say so, one pair over the records the rates were
// chosen on, above the choice, and one over the table's own records,
// above the table. Here seeds 1 and 2 ran the grid on another machine
// before records kept digests; seeds 3 and 4 have digests: a table of
// seeds 3 and 4 has no note of its own, one of seeds 2 and 3 has both.
func TestTableSeedsGridNotesScoped(t *testing.T) {
	build := func() []*Record {
		var rs []*Record
		for _, spec := range []string{"ste", "fda"} {
			for seed := uint64(1); seed <= 4; seed++ {
				scales := []float64{1}
				if seed <= 2 {
					scales = []float64{1, 3}
				}
				for _, sc := range scales {
					r := gridRecord(spec, sc, seed, 80-10*sc, 0.5, 70+float64(seed))
					r.Machine = Machine{CPU: "Old CPU", GEMM: "avx2", Arch: "amd64"}
					if seed > 2 {
						r.Data = &DataDigest{Train: "sha256:" + strings.Repeat("a", 64), Test: "sha256:" + strings.Repeat("b", 64)}
						r.Machine = Machine{CPU: "New CPU", GEMM: "avx512", Arch: "amd64"}
					}
					rs = append(rs, r)
				}
			}
		}
		return rs
	}
	got, err := tabulateSeeds(t, build(), TableOptions{Table: TableMain, Seeds: []uint64{3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	table := strings.Index(got, "| estimator | top-1")
	if table < 0 {
		t.Fatalf("no main table in:\n%s", got)
	}
	choice := got[:table]
	for _, want := range []string{
		"Note: 8 of the 12 records of the whole sweep, which the learning-rate choice below reads, carry no data digest",
		"Note: the 12 records of the whole sweep, which the learning-rate choice below reads, were trained on 2 machine types",
	} {
		if !strings.Contains(choice, want) {
			t.Errorf("main --seeds 3,4 over a grid: want %q above the choice in:\n%s", want, got)
		}
	}
	if strings.Contains(choice, "these 12 records") || strings.Count(got, "Note: ") != 2 {
		t.Errorf("main --seeds 3,4 over a grid: the notes must speak of the choice's records, and the table of seeds 3, 4 (one machine, digests) has none of its own:\n%s", got)
	}
	got, err = tabulateSeeds(t, build(), TableOptions{Table: TableMain, Seeds: []uint64{2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	table = strings.Index(got, "| estimator | top-1")
	if table < 0 {
		t.Fatalf("no main table in:\n%s", got)
	}
	tail := got[strings.Index(got, "Learning rates chosen"):table]
	for _, want := range []string{
		"Note: 2 of these 4 records carry no data digest (written before gradbench kept them), so whether they were trained on the same data as the others could not be checked: every record of seed 2.",
		"Note: these 4 records were trained on 2 machine types",
		"Old CPU, GEMM avx2: 2 records, seed 2; New CPU, GEMM avx512: 2 records, seed 3.",
	} {
		if !strings.Contains(tail, want) {
			t.Errorf("main --seeds 2,3 over a grid: want %q between the choice and the table in:\n%s", want, got)
		}
	}
	// Without --seeds, and in the lr table (chosen on the listed seeds),
	// one pair of notes over the records, as before.
	got, err = tabulateSeeds(t, build(), TableOptions{Table: TableMain})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "Note: 8 of these 12 records carry no data digest") || strings.Count(got, "Note: ") != 2 {
		t.Errorf("main over a grid: want one pair of notes over the 12 records:\n%s", got)
	}
}

// TestTableNotesOfRowsRecords: the notes on records speak of those the
// table's rows are computed from: a paper table of fixed rows leaves out
// the records of other estimators, and the diagnostics table the runs
// without diagnostics, so a note on them (here the only records without
// a digest, and of another machine) would describe runs the table never
// read.
func TestTableNotesOfRowsRecords(t *testing.T) {
	w := testWorkload(t)
	digest := &DataDigest{Train: "sha256:" + strings.Repeat("a", 64), Test: "sha256:" + strings.Repeat("b", 64)}
	build := func() []*Record {
		var rs []*Record
		for _, spec := range []string{"ste", "fda", "fda+na", "dsq"} {
			for seed := uint64(1); seed <= 2; seed++ {
				r := fakeRecord(&w, spec, seed, 70+float64(seed))
				r.Machine = Machine{CPU: "New CPU", GEMM: "avx512", Arch: "amd64"}
				r.Data = digest
				if spec == "dsq" {
					r.Machine.CPU, r.Data = "Old CPU", nil
				} else {
					r.Epochs[len(r.Epochs)-1].Diagnostics = &Diagnostics{Entropy: 0.5, Layers: []LayerDiagnostics{{Name: "conv", Entropy: 0.5}}}
				}
				rs = append(rs, r)
			}
		}
		return rs
	}
	for _, table := range []string{TableSineNA, TableDiagnostics} {
		got, err := tabulateSeeds(t, build(), TableOptions{Table: table})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(got, "Note: ") {
			t.Errorf("%s: a note on records the table does not read:\n%s", table, got)
		}
	}
	// The main table reads them all.
	got, err := tabulateSeeds(t, build(), TableOptions{Table: TableMain})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "Note: 2 of these 8 records carry no data digest") || !strings.Contains(got, "Note: these 8 records were trained on 2 machine types") {
		t.Errorf("main: want both notes over the 8 records:\n%s", got)
	}
}
