package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
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
	out := filepath.Join(dir, "ro")
	os.Mkdir(out, 0o755)
	cause := "read-only file system"
	if os.Geteuid() != 0 {
		os.Chmod(out, 0o555)
		t.Cleanup(func() { os.Chmod(out, 0o755) })
		cause = "permission denied"
	} else if err := syscall.Mount("tmpfs", out, "tmpfs", syscall.MS_RDONLY, "size=64k"); err != nil {
		t.Skipf("no read-only --out to try (root, and mounting a read-only tmpfs failed: %v)", err)
	} else {
		t.Cleanup(func() { syscall.Unmount(out, 0) })
	}
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
