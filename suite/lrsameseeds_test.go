package suite

import (
	"path/filepath"
	"strings"
	"testing"
)

// selectionGrid returns the records of a grid that ste and fda ran at ×1
// and ×3 on seeds 1 and 2 (×1 wins on validation), and at ×1 alone on
// seeds 3 to 5, as the standard study runs one: choose on a few seeds,
// then add seeds at the choice.
func selectionGrid() []*Record {
	var rs []*Record
	for _, spec := range []string{"ste", "fda"} {
		up := 0.0
		if spec == "fda" {
			up = 1
		}
		for seed := uint64(1); seed <= 2; seed++ {
			rs = append(rs, gridRecord(spec, 1, seed, 80, 0.5, 70+up+float64(seed)), gridRecord(spec, 3, seed, 60, 0.5, 50))
		}
		for seed := uint64(3); seed <= 5; seed++ {
			rs = append(rs, gridRecord(spec, 1, seed, 80, 0.5, 70+up+float64(seed)))
		}
	}
	return rs
}

// TestTableSaysSeedsChoseRates: a table that compares the estimators at
// learning rates chosen on some of the very seeds it compares on (seeds 1
// and 2 chose, seeds 1 to 5 are compared) says so under the choice, and
// how to compare on the seeds that did not choose: with the command that
// tabulates them, whose --runs names the table's directory of records,
// quoted for the shell (the table of results/study/optimizers advised
// gradbench table --seeds 3..10 alone, which read results/runs); the lr
// table alone compares nothing and says nothing of it.
func TestTableSaysSeedsChoseRates(t *testing.T) {
	runs := filepath.Join(t.TempDir(), "study runs")
	note := "Seeds 1 and 2 chose these learning rates and are among the seeds compared below: a comparison on the seeds that chose its rates is not independent of the choice, so its Δ and p may be optimistic; for one that is, tabulate the other seeds alone (gradbench table --runs '" + runs + "' --seeds 3..5) or run more seeds."
	for _, name := range []string{TableMain, TableFindings, TableSides} {
		got, err := tabulateSeeds(t, selectionGrid(), TableOptions{Table: name, Runs: runs})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got, note+"\n") {
			t.Errorf("%s over seeds 1–5, rates chosen on seeds 1, 2: want\n%s\nin:\n%s", name, note, got)
		}
	}
	// --seeds 2..4: seed 2 chose and is compared; 3 and 4 did not. The
	// records are in the default directory, which the command need not
	// name.
	t.Chdir(t.TempDir())
	got, err := tabulateSeeds(t, selectionGrid(), TableOptions{Table: TableMain, Seeds: []uint64{2, 3, 4}, Runs: DefaultRunsDir})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Seed 2 chose these learning rates and is among the seeds compared below: a comparison on the seeds that chose its rates is not independent of the choice, so its Δ and p may be optimistic; for one that is, tabulate the other seeds alone (gradbench table --seeds 3..4) or run more seeds."; !strings.Contains(got, want) {
		t.Errorf("main --seeds 2..4: want\n%s\nin:\n%s", want, got)
	}
	got, err = tabulateSeeds(t, selectionGrid(), TableOptions{Table: TableLR})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "chose these learning rates") {
		t.Errorf("the lr table compares no estimators: want no note of the seeds that chose:\n%s", got)
	}
}

// TestTableSeedsAllChose: when every seed compared chose the rates (every
// seed ran every multiplier) there are no other seeds to tabulate: the
// note says to run more at the chosen rates.
func TestTableSeedsAllChose(t *testing.T) {
	var rs []*Record
	for _, spec := range []string{"ste", "fda"} {
		for seed := uint64(1); seed <= 3; seed++ {
			rs = append(rs, gridRecord(spec, 1, seed, 80, 0.5, 70+float64(seed)), gridRecord(spec, 3, seed, 60, 0.5, 50))
		}
	}
	runs := t.TempDir()
	got, err := tabulateSeeds(t, rs, TableOptions{Table: TableMain, Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Seeds 1–3 chose these learning rates and are among the seeds compared below: a comparison on the seeds that chose its rates is not independent of the choice, so its Δ and p may be optimistic; for one that is, run more seeds at each estimator's chosen rate (gradbench run with --lr-grid its chosen multiplier alone and new --seeds) and tabulate those alone (gradbench table --runs " + runs + " --seeds)."; !strings.Contains(got, want) {
		t.Errorf("every seed chose: want\n%s\nin:\n%s", want, got)
	}
}

// TestTableSeedsNoneChose: a table over seeds that never chose a rate
// (--seeds 3..5, the standard study's seeds 3 to 10 alone), or over a
// choice among one rate, which chose nothing, has no such note.
func TestTableSeedsNoneChose(t *testing.T) {
	got, err := tabulateSeeds(t, selectionGrid(), TableOptions{Table: TableMain, Seeds: []uint64{3, 4, 5}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "chose these learning rates") {
		t.Errorf("--seeds 3..5, disjoint from the seeds that chose: want no note:\n%s", got)
	}
	var one []*Record
	for _, spec := range []string{"ste", "fda"} {
		for seed := uint64(1); seed <= 3; seed++ {
			one = append(one, gridRecord(spec, 3, seed, 80, 0.5, 70+float64(seed)))
		}
	}
	got, err = tabulateSeeds(t, one, TableOptions{Table: TableMain})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "chose these learning rates") || !strings.Contains(got, "the only rate run") {
		t.Errorf("one multiplier, nothing chosen: want no note of seeds that chose:\n%s", got)
	}
}
