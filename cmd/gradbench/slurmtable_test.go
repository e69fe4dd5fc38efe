package main

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gradbench/gradbench/internal/racebuild"
	"github.com/gradbench/gradbench/suite"
)

// TestSlurmTableSharedOut: the table job of gradbench slurm writes the
// table.md, curves and bench.txt that gradbench run writes for the same
// sweep and records. run's files cover every record in --out, the
// sweep's estimators first and its workloads first, in its order (see
// TestRunSharedOut); the table job ran gradbench table --estimators with
// the sweep's alone, so a sweep submitted into an --out that held
// another's records dropped that sweep's rows from table.md, its lines
// from the curves and its runs from bench.txt; and gradbench table lists
// workloads by record key, so the sections of a sweep of several
// workloads, or of a sweep into a directory of another recipe's records,
// came in another order than run's.
func TestSlurmTableSharedOut(t *testing.T) {
	racebuild.Skip(t, "it trains a few cells per case and compares the files two commands write, with no goroutines of its own; the openblas and purego builds run it in full")
	for _, tc := range []struct {
		name string
		// before trains another sweep into --out (OTHER is another
		// recipe's file); sweep is the one submitted, of cells cells,
		// on the tiny recipe.
		before, sweep []string
		cells         int
	}{
		// A sides ablation, whose table job writes the sides table too,
		// into a directory of another estimator's run.
		{"sides", []string{"--recipe", "TINY", "--estimators", "approxsign"}, []string{"--ablation", "sides", "--estimators", "fda"}, 4},
		// Two workloads, which run lists in --optimizers order.
		{"optimizers", nil, []string{"--optimizers", "sgd,adam", "--estimators", "fda,ste"}, 4},
		// A directory of another recipe's run: run lists its sweep's
		// workload first.
		{"recipes", []string{"--recipe", "OTHER", "--estimators", "approxsign"}, []string{"--estimators", "ste,fda"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, recipe, out := tinyWorkdir(t)
			if tc.before != nil {
				before := append([]string{"run", "--quiet", "--out", out}, tc.before...)
				for i, a := range before {
					switch a {
					case "TINY":
						before[i] = recipe
					case "OTHER":
						before[i] = otherRecipe(t, dir)
					}
				}
				gradbenchOK(t, before...)
			}
			sweep := append([]string{"--recipe", recipe, "--out", out}, tc.sweep...)
			gradbenchOK(t, append([]string{"slurm", "--quiet"}, sweep...)...)
			// The array's tasks, here one after another.
			for i := range tc.cells {
				gradbenchOK(t, append([]string{"run", "--quiet", "--cell", strconv.Itoa(i)}, sweep...)...)
			}
			// The files of the sweep before, such as the curves.svg of a
			// directory of one workload, which its files of two leave.
			removeRunFiles(t, out)
			job := exec.Command("bash", filepath.Join(out, "slurm", "table.sh"))
			job.Env = append(os.Environ(), asGradbenchEnv+"=1")
			if b, err := job.CombinedOutput(); err != nil {
				t.Fatalf("the table job: %v\n%s", err, b)
			}
			files, err := filepath.Glob(filepath.Join(out, "*.svg"))
			if err != nil || len(files) == 0 {
				t.Fatalf("the table job wrote no curves: %v", err)
			}
			files = append(files, filepath.Join(out, suite.TableFile), filepath.Join(out, suite.BenchFile))
			got := map[string]string{}
			for _, f := range files {
				got[f] = readFile(t, f)
			}
			removeRunFiles(t, out)
			// gradbench run of the same sweep, with every cell recorded,
			// trains nothing and writes its files from the same records.
			gradbenchOK(t, append([]string{"run", "--quiet"}, sweep...)...)
			for _, f := range files {
				if want := readFile(t, f); got[f] != want {
					t.Errorf("the table job's %s:\n%s\nwant gradbench run's:\n%s", filepath.Base(f), got[f], want)
				}
			}
			if again, _ := filepath.Glob(filepath.Join(out, "*.svg")); len(again) != len(files)-2 {
				t.Errorf("gradbench run wrote curves %q, the table job %q", again, files[:len(files)-2])
			}
		})
	}
}

// removeRunFiles removes the files gradbench run writes after a sweep
// from out.
func removeRunFiles(t *testing.T, out string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(out, "*.svg"))
	for _, f := range append(files, filepath.Join(out, suite.TableFile), filepath.Join(out, suite.BenchFile)) {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
}
