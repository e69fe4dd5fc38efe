package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/suite"
)

// curvesFiles returns the curves files in dir, curves.svg and
// curves-*.svg, by name.
func curvesFiles(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	for _, n := range tree(t, dir) {
		if n == suite.CurvesFile || strings.HasPrefix(n, "curves-") && strings.HasSuffix(n, ".svg") {
			names = append(names, n)
		}
	}
	return names
}

// TestRunRemovesStaleCurves: a second sweep of another workload into an
// --out that held one workload's curves.svg writes a curves file per
// workload, and left curves.svg beside them, the first workload's
// curves as they were before, read as current. The curves run writes
// are the whole set: it removes a curves file gradbench names for
// another set of --out's workloads, and says so, and leaves the user's
// other files (curves-mine.svg). Back to one workload (the other's
// records removed), run --no-train, what the Slurm table job runs,
// writes curves.svg and removes that workload's own file.
func TestRunRemovesStaleCurves(t *testing.T) {
	dir, recipe, out := tinyWorkdir(t)
	first := []string{"--recipe", recipe, "--width", "0.25", "--estimators", "ste", "--out", out}
	gradbenchOK(t, append([]string{"run"}, first...)...)
	if got := curvesFiles(t, out); !slices.Equal(got, []string{suite.CurvesFile}) {
		t.Fatalf("one workload's sweep wrote curves %q, want %s alone", got, suite.CurvesFile)
	}
	mine := filepath.Join(out, "curves-mine.svg")
	if err := os.WriteFile(mine, []byte("<svg/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := map[string]bool{}
	for _, n := range tree(t, out) {
		before[n] = true
	}

	_, stderr := gradbenchOK(t, "run", "--recipe", otherRecipe(t, dir), "--width", "0.25", "--estimators", "ste", "--out", out)
	var two []string
	for _, n := range curvesFiles(t, out) {
		if n != "curves-mine.svg" {
			two = append(two, n)
		}
	}
	if len(two) != 2 || slices.Contains(two, suite.CurvesFile) {
		t.Fatalf("after a second workload's sweep, --out holds curves %q, want a file per workload and no %s", two, suite.CurvesFile)
	}
	stale := filepath.Join(out, suite.CurvesFile)
	if want := "removed " + stale + ": curves named for another set of workloads than " + out + " holds now, which the curves written replace\n"; !strings.Contains(stderr, want) {
		t.Errorf("stderr does not say %s was removed:\n%s\nwant the line %q", stale, stderr, want)
	}
	if b, err := os.ReadFile(mine); err != nil || string(b) != "<svg/>" {
		t.Errorf("the user's %s: %q, %v; want it left as it was", mine, b, err)
	}

	// The second sweep's records go: one workload again.
	for _, n := range tree(t, out) {
		if !before[n] && (strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".weights")) {
			if err := os.Remove(filepath.Join(out, n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, stderr = gradbenchOK(t, append([]string{"run", "--no-train"}, first...)...)
	var left []string
	for _, n := range two {
		if _, err := os.Stat(filepath.Join(out, n)); err == nil {
			left = append(left, n)
		}
	}
	// The removed workload's file is left: no record names it.
	if len(left) != 1 || !slices.Contains(curvesFiles(t, out), suite.CurvesFile) {
		t.Errorf("run --no-train of one workload left %q of %q and curves %q, want %s and the removed workload's file alone", left, two, curvesFiles(t, out), suite.CurvesFile)
	}
	if !strings.Contains(stderr, "removed "+filepath.Join(out, "curves-")) {
		t.Errorf("run --no-train does not say which curves file it removed:\n%s", stderr)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("the user's %s: %v; want it left", mine, err)
	}
}

// TestTableRemovesStaleCurves: gradbench table --curves c.svg over a
// directory of two workloads writes a file per workload, and left c.svg,
// an earlier table's curves of one of them, beside them; it removes it,
// and says so.
func TestTableRemovesStaleCurves(t *testing.T) {
	dir, recipe, out := tinyWorkdir(t)
	gradbenchOK(t, "run", "--quiet", "--recipe", recipe, "--width", "0.25", "--estimators", "ste", "--out", out)
	c := filepath.Join(dir, "fig", "c.svg")
	if err := os.Mkdir(filepath.Dir(c), 0o755); err != nil {
		t.Fatal(err)
	}
	gradbenchOK(t, "table", "--runs", out, "--curves", c)
	gradbenchOK(t, "run", "--quiet", "--recipe", otherRecipe(t, dir), "--width", "0.25", "--estimators", "ste", "--out", out)
	_, stderr := gradbenchOK(t, "table", "--runs", out, "--curves", c)
	got := tree(t, filepath.Dir(c))
	if len(got) != 2 || slices.Contains(got, "c.svg") {
		t.Errorf("table --curves %s over two workloads left %q, want a file per workload and no c.svg", c, got)
	}
	if want := "removed " + c + ": curves named for another set of workloads than those tabulated, which the curves written replace\n"; !strings.Contains(stderr, want) {
		t.Errorf("table's stderr does not say c.svg was removed:\n%s\nwant the line %q", stderr, want)
	}
}
