package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/suite"
)

// TestRunNoTrain: run --no-train writes the files of a sweep whose cells
// were trained elsewhere (--cell, a Slurm array) from their records and
// trains nothing: the cells without a record are left out and said on
// stderr, an estimator none of whose cells has one is a row not run; a
// sweep none of whose cells has a record is refused with nothing written,
// as are --no-train with --cell and with --keep-epochs. Once every cell
// has a record it writes what run writes.
func TestRunNoTrain(t *testing.T) {
	_, recipe, out := tinyWorkdir(t)
	sweep := []string{"--recipe", recipe, "--estimators", "ste,fda", "--seeds", "2", "--out", out}
	noTrain := append([]string{"run", "--no-train"}, sweep...)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{noTrain, "run: --no-train: none of the sweep's 4 cells has a record in " + out + ": train them first (gradbench run without --no-train, or gradbench slurm); nothing was written"},
		{append(noTrain, "--cell", "0"), "run: --no-train with --cell or --index-from-env: --no-train trains no cell, they train one; give one of them"},
		{append(noTrain, "--keep-epochs"), "run: --no-train with --keep-epochs: --no-train trains nothing, so keeps no epoch's weights; drop one of them"},
	} {
		if _, _, err := runGradbench(t, tc.args...); err == nil || err.Error() != tc.want {
			t.Errorf("gradbench %q: error %v, want %s", tc.args, err, tc.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a refused --no-train created --out")
	}
	// fda's cell of seed 1 alone: ste is not run, the other cells left out.
	gradbenchOK(t, append([]string{"run", "--quiet", "--cell", "1"}, sweep...)...)
	stdout, stderr := gradbenchOK(t, noTrain...)
	if !regexp.MustCompile(`(?m)^\| ste +\| +not run \| 0 \|.*\n\| fda +\| +\d`).MatchString(stdout) {
		t.Errorf("run --no-train with ste's cells unrecorded printed, want ste not run:\n%s", stdout)
	}
	if table := readFile(t, filepath.Join(out, suite.TableFile)); table != stdout {
		t.Errorf("table.md:\n%s\nwant the table printed:\n%s", table, stdout)
	}
	if !strings.Contains(stderr, "3 of the sweep's 4 cells have no record, which the tables leave out (gradbench plan --pending lists them)\n") ||
		!strings.Contains(stderr, "wrote "+filepath.Join(out, suite.TableFile)) || strings.Contains(stderr, "epoch") {
		t.Errorf("stderr:\n%s\nwant the files written and the 3 cells without a record, and nothing trained", stderr)
	}
	if ents, _ := filepath.Glob(filepath.Join(out, "*.json")); len(ents) != 1 {
		t.Errorf("run --no-train left %d records, want the one trained with --cell", len(ents))
	}
	// Every cell recorded: what run writes, which then trains nothing.
	gradbenchOK(t, append([]string{"run", "--quiet"}, sweep...)...)
	want := map[string]string{}
	for _, f := range []string{suite.TableFile, suite.CurvesFile, suite.BenchFile} {
		want[f] = readFile(t, filepath.Join(out, f))
	}
	removeRunFiles(t, out)
	stdout, stderr = gradbenchOK(t, noTrain...)
	for f, w := range want {
		if got := readFile(t, filepath.Join(out, f)); got != w {
			t.Errorf("run --no-train wrote %s:\n%s\nwant run's:\n%s", f, got, w)
		}
	}
	if stdout != want[suite.TableFile] || strings.Contains(stderr, "no record") {
		t.Errorf("run --no-train of a recorded sweep printed\n%s\nwant run's table; stderr:\n%s", stdout, stderr)
	}
}

// TestRunNoTrainOtherSweep: an estimator none of whose cells has a
// record is shown as not run in the sweep's own workloads only. --out
// holds another recipe's sweep of ste alone; the sweep of ste and fda
// whose fda cells all failed showed an "fda not run" row in that other
// sweep's section too (it has records of ste, one of the sweep's
// estimators), a row run of that sweep never writes and which reads as
// if that sweep had asked for fda.
func TestRunNoTrainOtherSweep(t *testing.T) {
	dir, recipe, out := tinyWorkdir(t)
	gradbenchOK(t, "run", "--quiet", "--out", out, "--recipe", otherRecipe(t, dir), "--estimators", "ste")
	sweep := []string{"--recipe", recipe, "--estimators", "ste,fda", "--seeds", "1", "--out", out}
	gradbenchOK(t, append([]string{"run", "--quiet", "--cell", "0"}, sweep...)...) // ste's cell
	stdout, _ := gradbenchOK(t, append([]string{"run", "--no-train"}, sweep...)...)
	if n := len(regexp.MustCompile(`(?m)^\| fda +\| +not run \|`).FindAllString(stdout, -1)); n != 1 {
		t.Errorf("run --no-train printed %d fda rows not run, want 1 (the sweep's workload):\n%s", n, stdout)
	}
	table := readFile(t, filepath.Join(out, suite.TableFile))
	sections := strings.Split(table, "### ")
	if len(sections) != 3 {
		t.Fatalf("table.md has %d sections, want 2:\n%s", len(sections)-1, table)
	}
	if own := sections[1]; !regexp.MustCompile(`(?m)^\| fda +\| +not run \|`).MatchString(own) {
		t.Errorf("the sweep's section of table.md lacks fda not run:\n%s", own)
	}
	if other := sections[2]; strings.Contains(other, "fda") {
		t.Errorf("the other sweep's section of table.md names fda, which it never ran nor asked for:\n%s", other)
	}
}

// TestRunNoTrainPerWorkload: in a sweep of several workloads (two
// optimizers), an estimator whose cells of one workload all failed, but
// not those of the other, had no row in that workload's table at all:
// run --no-train showed as not run only an estimator without a record
// in any workload, so the Slurm table job printed the adam section
// without fda and without a word, where the table job before --no-train
// (gradbench table --estimators --missing=show) showed it as not run.
// Each of the sweep's workloads shows the sweep's estimators it lacks
// as not run.
func TestRunNoTrainPerWorkload(t *testing.T) {
	_, recipe, out := tinyWorkdir(t)
	sweep := []string{"--recipe", recipe, "--estimators", "ste,fda", "--optimizers", "sgd,adam", "--seeds", "1", "--out", out}
	gradbenchOK(t, append([]string{"run", "--quiet"}, sweep...)...)
	recs, err := suite.ReadRecords(out)
	if err != nil {
		t.Fatal(err)
	}
	removed := 0
	for _, r := range recs {
		if r.Config.Estimator == "fda" && r.Config.Optimizer == "adam" {
			if err := os.Remove(filepath.Join(out, r.Key+".json")); err != nil {
				t.Fatal(err)
			}
			removed++
		}
	}
	if removed != 1 {
		t.Fatalf("removed %d records of fda with adam, want 1", removed)
	}
	removeRunFiles(t, out)
	stdout, _ := gradbenchOK(t, append([]string{"run", "--no-train"}, sweep...)...)
	sections := strings.Split(stdout, "### ")
	if len(sections) != 3 {
		t.Fatalf("run --no-train printed %d sections, want 2:\n%s", len(sections)-1, stdout)
	}
	notRun := regexp.MustCompile(`(?m)^\| fda +\| +not run \|`)
	for _, s := range sections[1:] {
		adam := strings.Contains(strings.SplitN(s, "\n", 2)[0], "adam")
		if got := notRun.MatchString(s); got != adam {
			t.Errorf("section (adam: %v) shows fda not run: %v, want %v:\n%s", adam, got, adam, s)
		}
		if !regexp.MustCompile(`(?m)^\| fda `).MatchString(s) {
			t.Errorf("section has no fda row:\n%s", s)
		}
	}
	if table := readFile(t, filepath.Join(out, suite.TableFile)); table != stdout {
		t.Errorf("table.md:\n%s\nwant the table printed:\n%s", table, stdout)
	}
}
