package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/dirtest"
)

func content(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// TestBatchCommit: the files staged appear together at Commit, none
// before, and an existing one is replaced.
func TestBatchCommit(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.md"), filepath.Join(dir, "b.txt")
	if err := os.WriteFile(b, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var batch Batch
	if err := batch.AddUmask(a, 0o666, content("A")); err != nil {
		t.Fatal(err)
	}
	if err := batch.AddUmask(b, 0o644, content("B")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(a); err == nil {
		t.Errorf("%s exists before Commit", a)
	}
	if got, _ := os.ReadFile(b); string(got) != "old" {
		t.Errorf("%s = %q before Commit, want \"old\"", b, got)
	}
	if err := batch.Commit(); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{a: "A", b: "B"} {
		if got, err := os.ReadFile(p); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", p, got, err, want)
		}
	}
	if names := dirtest.Names(t, dir); !slices.Equal(names, []string{"a.md", "b.txt"}) {
		t.Errorf("directory holds %q, want a.md and b.txt only", names)
	}
}

// TestBatchAddFails: a later file that cannot be written (here a
// directory of that name) fails in Add, and Abort leaves no file and no
// temporary file.
func TestBatchAddFails(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.md"), filepath.Join(dir, "b.svg")
	if err := os.Mkdir(b, 0o755); err != nil {
		t.Fatal(err)
	}
	var batch Batch
	if err := batch.AddUmask(a, 0o666, content("A")); err != nil {
		t.Fatal(err)
	}
	err := batch.AddUmask(b, 0o666, content("B"))
	if err == nil || err.Error() != "writing "+b+": it is a directory, want a file name" {
		t.Fatalf("Add onto a directory: %v", err)
	}
	batch.Abort()
	if names := dirtest.Names(t, dir); !slices.Equal(names, []string{"b.svg"}) {
		t.Errorf("after Abort, directory holds %q, want only b.svg", names)
	}
}

// TestBatchCommitFails: a rename that fails (the destination became a
// directory after Add) removes the files the batch created and the
// temporary files left.
func TestBatchCommitFails(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	var batch Batch
	for _, p := range []string{a, b, c} {
		if err := batch.AddUmask(p, 0o666, content(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(b, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := batch.Commit()
	if err == nil || !strings.HasPrefix(err.Error(), "writing "+b+": ") {
		t.Fatalf("Commit onto a directory: %v, want an error naming %s", err, b)
	}
	if names := dirtest.Names(t, dir); !slices.Equal(names, []string{"b"}) {
		t.Errorf("after a failed Commit, directory holds %q, want only b", names)
	}
}
