package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/suite"
)

// tree lists the files and directories under dir, relative to it.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// blockWith makes path a directory (or, with file set, a file), so that
// a command cannot write its output there.
func blockWith(t *testing.T, path string, file bool) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	if file {
		err = os.WriteFile(path, nil, 0o644)
	} else {
		err = os.Mkdir(path, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// checkBlocked checks that a command refused with want and left dir
// holding only what it held before (before, relative names).
func checkBlocked(t *testing.T, args []string, err error, want, dir string, before []string) {
	t.Helper()
	if err == nil || err.Error() != want {
		t.Errorf("gradbench %s:\nerror %v\nwant  %s", strings.Join(args, " "), err, want)
	}
	if got := tree(t, dir); !slices.Equal(got, before) {
		t.Errorf("gradbench %s left %q in %s, want only %q", strings.Join(args, " "), got, dir, before)
	}
}

// TestRunOutputBlocked: gradbench run with a file it writes after the
// sweep blocked by a directory of that name is refused before it trains,
// naming --out and the path, and leaves nothing in --out: no table.md,
// no curves, no records.
func TestRunOutputBlocked(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	for _, name := range []string{suite.CurvesFile, suite.BenchFile, suite.TableFile} {
		out := filepath.Join(dir, "out-"+name)
		blockWith(t, filepath.Join(out, name), false)
		args := []string{"run", "--quiet", "--recipe", recipe, "--estimators", "ste", "--out", out}
		_, _, err := runGradbench(t, args...)
		checkBlocked(t, args, err, "run: --out "+out+": refusing to write "+filepath.Join(out, name)+" there: it is a directory, want a file name; remove it or name another directory", out, []string{name})
	}

	// A sweep of two workloads (two optimizers) writes a curves file for
	// each, named after it: those are checked as well.
	two := []string{"--recipe", recipe, "--estimators", "ste", "--optimizers", "sgd,adam"}
	ref := filepath.Join(dir, "ref")
	gradbenchOK(t, append([]string{"run", "--quiet", "--out", ref}, two...)...)
	var curves []string
	for _, n := range tree(t, ref) {
		if strings.HasPrefix(n, "curves-") {
			curves = append(curves, n)
		}
	}
	if len(curves) != 2 {
		t.Fatalf("a sweep of two workloads wrote curves %q, want two files", curves)
	}
	out := filepath.Join(dir, "two")
	blockWith(t, filepath.Join(out, curves[1]), false)
	args := append([]string{"run", "--quiet", "--out", out}, two...)
	_, _, err := runGradbench(t, args...)
	checkBlocked(t, args, err, "run: --out "+out+": refusing to write "+filepath.Join(out, curves[1])+" there: it is a directory, want a file name; remove it or name another directory", out, []string{curves[1]})
}

// TestFidelityOutputBlocked: gradbench fidelity --out with one of its
// files blocked by a directory is refused before the measurement, naming
// --out and the path, and writes none of its files.
func TestFidelityOutputBlocked(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste")
	for _, name := range []string{"fidelity.svg", "fidelity-bench.txt", "fidelity-agreement.svg"} {
		out := filepath.Join(dir, "fid-"+name)
		blockWith(t, filepath.Join(out, name), false)
		args := []string{"fidelity", "--quiet", "--run", suite.RecordPath(runs, rec.Key), "--estimators", "ste", "--batch", "16", "--sample", "4", "--bootstrap", "200", "--out", out}
		stdout, _, err := runGradbench(t, args...)
		checkBlocked(t, args, err, "fidelity: --out "+out+": refusing to write "+filepath.Join(out, name)+" there: it is a directory, want a file name; remove it or name another directory", out, []string{name})
		if stdout != "" {
			t.Errorf("fidelity measured before refusing --out:\n%s", stdout)
		}
	}
}

// TestSlurmOutputBlocked: gradbench slurm with a script blocked by a
// directory, or the logs directory by a file, is refused before it plans,
// naming --out and the path, and writes no script; an --out that is a
// file is refused as --out, not by a record path under it.
func TestSlurmOutputBlocked(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	for _, tc := range []struct {
		name string
		file bool
		why  string
	}{
		{"slurm/table.sh", false, "it is a directory, want a file name"},
		{"slurm/cells.sh", false, "it is a directory, want a file name"},
		{"slurm/logs", true, "it is a file, want a directory"},
	} {
		out := filepath.Join(dir, strings.ReplaceAll(tc.name, "/", "-"))
		blockWith(t, filepath.Join(out, tc.name), tc.file)
		args := []string{"slurm", "--quiet", "--recipe", recipe, "--estimators", "ste", "--out", out}
		_, _, err := runGradbench(t, args...)
		checkBlocked(t, args, err, "suite: --out "+out+": refusing to write "+filepath.Join(out, tc.name)+" there: "+tc.why+"; remove it or name another directory", out, []string{"slurm", tc.name})
	}

	file := filepath.Join(dir, "afile")
	blockWith(t, file, true)
	for _, cmd := range []string{"slurm", "plan"} {
		for _, out := range []string{file, filepath.Join(file, "sub")} {
			args := []string{cmd, "--quiet", "--recipe", recipe, "--estimators", "ste", "--out", out}
			_, _, err := runGradbench(t, args...)
			want := "suite: --out " + file + ": not a directory: name a directory to write into (it is created if missing)"
			if out != file {
				want = "suite: --out " + out + ": refusing to write there: " + file + " is a file, not a directory; name another directory"
			}
			if err == nil || err.Error() != want {
				t.Errorf("gradbench %s:\nerror %v\nwant  %s", strings.Join(args, " "), err, want)
			}
		}
	}
	if got := tree(t, dir); !slices.Equal(got, []string{"afile", "slurm-cells.sh", "slurm-cells.sh/slurm", "slurm-cells.sh/slurm/cells.sh",
		"slurm-logs", "slurm-logs/slurm", "slurm-logs/slurm/logs", "slurm-table.sh", "slurm-table.sh/slurm", "slurm-table.sh/slurm/table.sh", "tiny.json"}) {
		t.Errorf("left %q", got)
	}
}

// TestTableOutputBlocked: gradbench table with --bench a directory is
// refused by --bench before it writes --curves, and writes neither.
func TestTableOutputBlocked(t *testing.T) {
	dir, runs, _ := trainTiny(t, "--estimators", "ste")
	out := filepath.Join(dir, "out")
	blockWith(t, filepath.Join(out, "bench.txt"), false)
	args := []string{"table", "--runs", runs, "--curves", filepath.Join(out, "c.svg"), "--bench", filepath.Join(out, "bench.txt")}
	stdout, _, err := runGradbench(t, args...)
	checkBlocked(t, args, err, "suite: --bench "+filepath.Join(out, "bench.txt")+": refusing to write there: it is a directory, want a file name; name another file", out, []string{"bench.txt"})
	if stdout != "" {
		t.Errorf("table printed before refusing:\n%s", stdout)
	}
}

// TestFidelityOutputUnwritable: gradbench fidelity --out in a directory
// it may not write is refused before the measurement, naming --out. It
// used to measure first (minutes at the defaults) and fail only when it
// created --out, with no file of its results written.
func TestFidelityOutputUnwritable(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste")
	var out, where string
	switch {
	case os.Geteuid() != 0:
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(ro, 0o755) })
		out, where = filepath.Join(ro, "fid"), ro
	case runtime.GOOS == "linux":
		// Root writes any directory; /proc takes no new file.
		out, where = "/proc/gradbench-no-such-dir/fid", "/proc"
	default:
		t.Skip("running as root: no directory it may not write")
	}
	args := []string{"fidelity", "--quiet", "--run", suite.RecordPath(runs, rec.Key), "--estimators", "ste", "--batch", "16", "--sample", "4", "--bootstrap", "200", "--out", out}
	stdout, _, err := runGradbench(t, args...)
	want := "fidelity: --out " + out + ": cannot write there: creating a file in " + where + ": "
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "; nothing was measured") {
		t.Errorf("%v: %v, want %s...; nothing was measured", args, err, want)
	}
	if stdout != "" {
		t.Errorf("fidelity measured before refusing --out:\n%s", stdout)
	}
}
