package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/suite"
)

// TestPlanSides checks that --ablation sides plans each estimator on the
// weights only, on the activations only and on both, and ste once per
// seed, seed-major like every sweep.
func TestPlanSides(t *testing.T) {
	_, recipe, runs := tinyWorkdir(t)
	cells := planJSON(t, "--recipe", recipe, "--ablation", "sides", "--estimators", "fda,approxsign", "--seeds", "2", "--out", runs)
	specs := []string{"ste", "w=fda/a=ste", "w=ste/a=fda", "fda", "w=approxsign/a=ste", "w=ste/a=approxsign", "approxsign"}
	if len(cells) != 2*len(specs) {
		t.Fatalf("plan has %d cells, want %d", len(cells), 2*len(specs))
	}
	for i, c := range cells {
		want := specs[i%len(specs)]
		if c.Estimator != want || c.Seed != uint64(1+i/len(specs)) || c.Config.Estimator != want {
			t.Errorf("cell %d: %s seed %d, want %s seed %d", i, c.Estimator, c.Seed, want, 1+i/len(specs))
		}
	}
	_, _, err := runGradbench(t, "plan", "--recipe", recipe, "--ablation", "sides", "--estimators", "w=ste/a=fdaa")
	if err == nil || !strings.Contains(err.Error(), `activation side: unknown estimator "fdaa"`) {
		t.Errorf("plan --ablation sides with a bad spec: %v", err)
	}
}

// TestBopRefusesSides checks that run, plan and slurm refuse, before
// anything is written, a spec whose weight side Bop would not use and the
// sides ablation with --optimizers bop, each with the same error.
func TestBopRefusesSides(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--estimators", "w=fda/a=ste,ste"}, "suite: estimator w=fda/a=ste with bop: Bop flips the binary weights itself and keeps no latent weights, so the weight side fda would have no effect and the run would train as ste does: give ste"},
		{[]string{"--ablation", "sides", "--estimators", "fda"}, "suite: --ablation sides with --optimizers bop: the ablation puts each estimator on the latent weights alone, which Bop does not keep"},
	} {
		for _, cmd := range []string{"run", "plan", "slurm"} {
			out := filepath.Join(dir, "out-"+cmd)
			runRefused(t, out, tt.want, append([]string{cmd, "--recipe", recipe, "--optimizers", "sgd,bop", "--out", out}, tt.args...)...)
		}
	}
}

// TestRunSides trains the sides ablation of approxsign on the synthetic
// set and checks the tables it prints, the records, the benchmark lines,
// and that gradbench table rebuilds the same sides table from the records.
func TestRunSides(t *testing.T) {
	_, recipe, out := tinyWorkdir(t)
	stdout, _ := gradbenchOK(t, "run", "--recipe", recipe, "--ablation", "sides", "--estimators", "approxsign", "--seeds", "1", "--out", out)
	main, sides, ok := strings.Cut(stdout, "\n### ")
	if !ok {
		t.Fatalf("run printed one table, want the main table and the sides table:\n%s", stdout)
	}
	hasRows(t, "main table", main, "| ste ", "| w=approxsign/a=ste ", "| w=ste/a=approxsign ", "| approxsign ")
	hasRows(t, "sides table", sides, "| approxsign | weights only     | w=approxsign/a=ste |",
		"| approxsign | activations only | w=ste/a=approxsign |", "| approxsign | both             | approxsign         |")
	recs, err := suite.ReadRecords(out)
	if err != nil || len(recs) != 4 {
		t.Fatalf("%d records, %v; want 4", len(recs), err)
	}
	bench, err := os.ReadFile(filepath.Join(out, "bench.txt"))
	if err != nil || !strings.Contains(string(bench), "/est=w=approxsign∕a=ste ") {
		t.Errorf("bench.txt lacks the sided spec as one est value: %v\n%s", err, bench)
	}
	tb, _, err := runGradbench(t, "table", "--runs", out, "--ablation", "sides", "--estimators", "approxsign")
	if err != nil || "### "+sides != tb {
		t.Errorf("gradbench table --ablation sides = %v\n%s\nwant the run's sides table\n### %s", err, tb, sides)
	}
	tb, _, err = runGradbench(t, "table", "--runs", out, "--ablation", "sides")
	if err != nil || "### "+sides != tb {
		t.Errorf("gradbench table --ablation sides without --estimators = %v\n%s\nwant the run's sides table", err, tb)
	}
}

// hasRows checks that table has a line starting with each of rows.
func hasRows(t *testing.T, what, table string, rows ...string) {
	t.Helper()
	for _, r := range rows {
		if !strings.Contains(table, "\n"+r) {
			t.Errorf("%s lacks a row %q:\n%s", what, r, table)
		}
	}
}

// TestSidesRefusesSteAlone: --ablation sides --estimators ste planned the
// baseline alone (a sweep of plain ste under the ablation's name, and a
// sides table of no estimator); run, plan and slurm refuse it, saying
// what to give, before anything is written.
func TestSidesRefusesSteAlone(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	const want = "suite: --ablation sides: the estimators give ste alone, the ablation's baseline, which it trains once anyway: give an estimator to set on each side against it, such as fda"
	for _, cmd := range []string{"run", "plan", "slurm"} {
		out := filepath.Join(dir, "out-"+cmd)
		runRefused(t, out, want, cmd, "--recipe", recipe, "--ablation", "sides", "--estimators", "ste", "--out", out)
	}
}
