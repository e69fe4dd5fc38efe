package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// readOnlyOut makes dir/ro a directory no file can be created in and
// returns it with the cause the probe names: for root, whom permissions
// do not stop, a read-only tmpfs mounted there (the test is skipped where
// that cannot be mounted); for another user, a directory without write
// permission.
func readOnlyOut(t *testing.T, dir string) (out, cause string) {
	t.Helper()
	out = filepath.Join(dir, "ro")
	os.Mkdir(out, 0o755)
	if os.Geteuid() != 0 {
		os.Chmod(out, 0o555)
		t.Cleanup(func() { os.Chmod(out, 0o755) })
		return out, "permission denied"
	}
	if err := syscall.Mount("tmpfs", out, "tmpfs", syscall.MS_RDONLY, "size=64k"); err != nil {
		t.Skipf("no read-only --out to try (root, and mounting a read-only tmpfs failed: %v)", err)
	}
	t.Cleanup(func() { syscall.Unmount(out, 0) })
	return out, "read-only file system"
}

// TestRunReadOnlyOut: gradbench run into an --out no file can be created
// in (a read-only file system; for a user other than root, a directory
// without write permission) is refused before the data is loaded or any
// step is timed, naming --out and the cause, as fidelity --out is, rather
// than with the bare error of the first cell's lock file after the
// estimate.
func TestRunReadOnlyOut(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	out, cause := readOnlyOut(t, dir)
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
	out, cause := readOnlyOut(t, dir)
	for _, o := range []string{out, filepath.Join(out, "sub")} {
		_, _, err := runGradbench(t, "slurm", "--quiet", "--recipe", recipe, "--dataset", "mnist", "--data", data, "--estimators", "ste", "--out", o)
		want := "slurm: --out " + o + ": cannot write there: creating a file in " + out + ": " + cause + "; no script was written or submitted"
		if err == nil || err.Error() != want {
			t.Errorf("--out %s: error %v\nwant %s", o, err, want)
		}
	}
}
