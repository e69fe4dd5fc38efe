package main

import (
	"strings"
	"testing"
)

// TestTableSeeds: table --seeds is read as run --seeds reads it, refused
// with ParseSeeds's words when malformed, and reaches the table: only the
// listed seeds' runs, said under the heading, and a list none of whose
// seeds has a record refused naming those there are.
func TestTableSeeds(t *testing.T) {
	_, recipe, runs := tinyWorkdir(t)
	gradbenchOK(t, "run", "--quiet", "--recipe", recipe, "--estimators", "ste,fda", "--seeds", "2", "--out", runs)
	out, _ := gradbenchOK(t, "table", "--runs", runs, "--seeds", "2..3")
	if !strings.Contains(out, "\nSeed 2 only (--seeds): every row and comparison below is over the runs of this seed alone (seed 3 of --seeds has no runs here).\n") ||
		!strings.Contains(out, "| ste       |") || strings.Contains(out, "| 2 |") {
		t.Errorf("table --seeds 2..3: want seed 2's runs alone, said under the heading:\n%s", out)
	}
	for _, tc := range []struct{ seeds, want string }{
		{"3-4", `suite: bad seeds "3-4": a range is written with two dots, lo..hi: write "3..4"`},
		{"1..2,5", `suite: bad seeds "1..2,5": a range and a list do not combine`},
		{"0", `suite: bad seeds "0": the count must be in 1..1000`},
		{"5,7", "suite: --seeds 5,7: no run records of these seeds in " + runs + " (it has records of seeds 1 and 2)"},
		{"07..7", "suite: --seeds 07..7: no run records of this seed in " + runs + " (it has records of seeds 1 and 2)"},
	} {
		if _, _, err := runGradbench(t, "table", "--runs", runs, "--seeds", tc.seeds); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("table --seeds %s: error %v, want it to start %q", tc.seeds, err, tc.want)
		}
	}
	// A malformed list reads as run and plan word it, once: "table:
	// --seeds: suite: bad seeds" named the flag twice over.
	for _, seeds := range []string{"0", "3-4"} {
		_, _, terr := runGradbench(t, "table", "--runs", runs, "--seeds", seeds)
		_, _, rerr := runGradbench(t, "plan", "--recipe", recipe, "--seeds", seeds, "--out", runs)
		if terr == nil || rerr == nil || terr.Error() != rerr.Error() {
			t.Errorf("--seeds %q: table error %v\nplan error %v\nwant the same", seeds, terr, rerr)
		}
	}
}
