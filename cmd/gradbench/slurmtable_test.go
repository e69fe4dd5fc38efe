package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gradbench/gradbench/internal/racebuild"
	"github.com/gradbench/gradbench/suite"
)

// TestSlurmTableSharedOut: the table job of gradbench slurm writes the
// table.md, curves.svg and bench.txt that gradbench run writes for the
// same sweep and records. run's files cover every record in --out, the
// sweep's estimators first (see TestRunSharedOut); the table job ran
// gradbench table --estimators with the sweep's alone, so a sweep
// submitted into an --out that held another's records dropped that
// sweep's rows from table.md, its lines from curves.svg and its runs from
// bench.txt. The sweep here is a sides ablation, whose table job writes
// the sides table too, into a directory of another estimator's run.
func TestSlurmTableSharedOut(t *testing.T) {
	racebuild.Skip(t, "it trains five cells and compares the files two commands write, with no goroutines of its own; the openblas and purego builds run it in full")
	_, recipe, out := tinyWorkdir(t)
	gradbenchOK(t, "run", "--quiet", "--recipe", recipe, "--estimators", "approxsign", "--out", out)
	sweep := []string{"--recipe", recipe, "--ablation", "sides", "--estimators", "fda", "--out", out}
	gradbenchOK(t, append([]string{"slurm", "--quiet"}, sweep...)...)
	// The array's tasks, here one after another.
	for i := range 4 {
		gradbenchOK(t, append([]string{"run", "--quiet", "--cell", strconv.Itoa(i)}, sweep...)...)
	}
	job := exec.Command("bash", filepath.Join(out, "slurm", "table.sh"))
	job.Env = append(os.Environ(), asGradbenchEnv+"=1")
	if b, err := job.CombinedOutput(); err != nil {
		t.Fatalf("the table job: %v\n%s", err, b)
	}
	files := []string{suite.TableFile, suite.CurvesFile, suite.BenchFile}
	got := map[string]string{}
	for _, f := range files {
		got[f] = readFile(t, filepath.Join(out, f))
	}
	// gradbench run of the same sweep, with every cell recorded, trains
	// nothing and writes its files from the same records.
	gradbenchOK(t, append([]string{"run", "--quiet"}, sweep...)...)
	for _, f := range files {
		if want := readFile(t, filepath.Join(out, f)); got[f] != want {
			t.Errorf("the table job's %s:\n%s\nwant gradbench run's:\n%s", f, got[f], want)
		}
	}
}
