package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCurvesThroughLink: an --svg that is a symbolic link (plot.svg ->
// ../figs/plot.svg) is written through, tried as a new user would: the
// link stays and the file it points to gets the plot. The output used to
// replace the link with a regular file.
func TestCurvesThroughLink(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"work", "figs"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "work", "plot.svg")
	if err := os.Symlink("../figs/plot.svg", link); err != nil {
		t.Skip("no symbolic links:", err)
	}
	gradbenchOK(t, "curves", "--svg", link)
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("%s is now %v, %v; want the link", link, st.Mode(), err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "figs", "plot.svg")); err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("figs/plot.svg holds %.40q, %v; want the plot", b, err)
	}
}
