package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/dirtest"
)

// TestRunReadOnlyOut: gradbench run into an --out no file can be created
// in (a read-only file system; for a user other than root, a directory
// without write permission) is refused before the data is loaded or any
// step is timed, naming --out and the cause, as fidelity --out is, rather
// than with the bare error of the first cell's lock file after the
// estimate.
func TestRunReadOnlyOut(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	out, cause := dirtest.ReadOnly(t, dir)
	for _, o := range []string{out, filepath.Join(out, "sub")} {
		_, stderr, err := runGradbench(t, "run", "--recipe", recipe, "--estimators", "ste", "--out", o)
		want := "run: --out " + o + ": cannot write there: creating a file in " + out + ": " + cause + "; nothing was trained"
		if err == nil || err.Error() != want {
			t.Errorf("--out %s: error %v\nwant %s", o, err, want)
		}
		if strings.Contains(stderr, "expected:") {
			t.Errorf("--out %s: refused only after the estimate:\n%s", o, stderr)
		}
	}
}

// TestSlurmReadOnlyOut: gradbench slurm into an --out no file can be
// created in is refused as gradbench run refuses it, before the data is
// loaded, rather than when the scripts are written after it. The data
// given are files no dataset reader takes: loading them first would fail
// with their error instead.
func TestSlurmReadOnlyOut(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	data := filepath.Join(dir, "mnist")
	os.Mkdir(data, 0o755)
	for _, f := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		os.WriteFile(filepath.Join(data, f), []byte("not an IDX file"), 0o644)
	}
	out, cause := dirtest.ReadOnly(t, dir)
	for _, o := range []string{out, filepath.Join(out, "sub")} {
		_, _, err := runGradbench(t, "slurm", "--quiet", "--recipe", recipe, "--dataset", "mnist", "--data", data, "--estimators", "ste", "--out", o)
		want := "slurm: --out " + o + ": cannot write there: creating a file in " + out + ": " + cause + "; no script was written or submitted"
		if err == nil || err.Error() != want {
			t.Errorf("--out %s: error %v\nwant %s", o, err, want)
		}
	}
}
