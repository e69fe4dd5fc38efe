// Package dirtest prepares and reads directories for tests: a file standing
// in for the standard output, a file with a second name, and what a test
// left in a directory.
package dirtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Names returns the names of dir's entries, sorted; it fails the test
// when dir cannot be read.
func Names(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// StdoutFile makes the standard output of the test's process a regular
// file, as a shell's redirection does: it creates dir/out.txt holding
// "table\n" and a link dir/stdout to it (as /dev/stdout is one), and sets
// os.Stdout to out.txt until restore is called or the test ends. It skips
// the test where links cannot be made.
func StdoutFile(t testing.TB, dir string) (out, link string, restore func()) {
	t.Helper()
	out = filepath.Join(dir, "out.txt")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.WriteString("table\n"); err != nil {
		t.Fatal(err)
	}
	link = filepath.Join(dir, "stdout")
	if err := os.Symlink(out, link); err != nil {
		t.Skip("no symbolic links:", err)
	}
	stdout := os.Stdout
	os.Stdout = f
	restore = func() { os.Stdout = stdout }
	t.Cleanup(restore)
	return out, link, restore
}

// HardLinked writes content to path and makes link a hard link to it,
// another name of the same file: through it a test sees whether a write
// to path replaced the file by renaming (link keeps content) or wrote it
// in place, and whether a rule that compares files sees one file under
// two names. It skips the test where hard links cannot be made.
func HardLinked(t testing.TB, path, content, link string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(path, link); err != nil {
		t.Skip("no hard links here:", err)
	}
}
