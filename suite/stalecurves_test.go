package suite

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWriteSweepOutputsStaleCurves: the curves a sweep writes into its
// directory are the whole set. One workload's curves.svg goes once a
// second workload is added; a workload's own file goes once its name
// changes (curves-S.svg of an sgd workload becomes curves-S-sgd.svg
// beside an adam workload of the same name); back to one workload, its
// own file goes. A name gradbench gives no file of these workloads
// (curves-mine.svg), and a link or a directory at one it does, are left.
func TestWriteSweepOutputsStaleCurves(t *testing.T) {
	sgd := testWorkload(t)
	adam := testWorkload(t)
	adam.Recipe.Optimizer, adam.Recipe.LR = "adam", 0.001
	other := testWorkload(t)
	other.Recipe.Epochs++
	a, b, c := fakeRecord(&sgd, "ste", 1, 80), fakeRecord(&other, "ste", 1, 70), fakeRecord(&adam, "ste", 1, 60)
	dir := t.TempDir()
	mine := filepath.Join(dir, "curves-mine.svg")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(recs ...*Record) (curves, removed []string) {
		t.Helper()
		written, removed, err := WriteSweepOutputs(dir, []byte("table\n"), recs, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range written[1 : len(written)-1] {
			curves = append(curves, filepath.Base(p))
		}
		for i, p := range removed {
			removed[i] = filepath.Base(p)
		}
		return curves, removed
	}
	check := func(what string, removed, wantRemoved []string) {
		t.Helper()
		if !slices.Equal(removed, wantRemoved) {
			t.Errorf("%s: removed %q, want %q", what, removed, wantRemoved)
		}
		for _, n := range wantRemoved {
			if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
				t.Errorf("%s: %s is still there", what, n)
			}
		}
		if _, err := os.Stat(mine); err != nil {
			t.Errorf("%s: the user's curves-mine.svg: %v", what, err)
		}
	}
	one, removed := write(a)
	check("one workload", removed, nil)
	two, removed := write(a, b)
	check("a second workload", removed, one)
	three, removed := write(a, b, c)
	if three[1] != two[1] || slices.Contains(three, two[0]) {
		t.Fatalf("curves of three workloads %q, want the second's name of two %q and the first's changed", three, two)
	}
	check("an adam workload of the first's name", removed, two[:1])
	_, removed = write(b)
	check("one workload again", removed, three[1:2])

	// A link, or a directory, at a name of another set is not
	// gradbench's to remove: curves.svg, and the adam workload's name
	// beside the first (curves-S-adam.svg), when the adam workload has
	// a name of its own beside the second's.
	link := filepath.Join(dir, CurvesFile)
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("curves-mine.svg", link); err != nil {
		t.Fatal(err)
	}
	// (The adam workload's file is there still: without its records,
	// nothing names it.)
	if err := os.Remove(filepath.Join(dir, three[2])); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, three[2]), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, removed = write(b, c); len(removed) != 0 {
		t.Errorf("with a link and a directory at curves names of other sets: removed %q, want none", removed)
	}
	for _, n := range []string{CurvesFile, three[2]} {
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s: %v, want it left", n, err)
		}
	}
}
