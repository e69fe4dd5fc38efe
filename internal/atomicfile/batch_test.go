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

// TestBatchRemove: a file staged for removal goes at Commit, after the
// new files are in place, and Removed names it (not one already gone); a
// rename that fails, or Abort, leaves it as it is.
func TestBatchRemove(t *testing.T) {
	dir := t.TempDir()
	a, old, gone := filepath.Join(dir, "a.svg"), filepath.Join(dir, "old.svg"), filepath.Join(dir, "gone.svg")
	if err := os.WriteFile(old, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var batch Batch
	if err := batch.AddUmask(a, 0o666, content("A")); err != nil {
		t.Fatal(err)
	}
	batch.Remove(old)
	batch.Remove(gone)
	if _, err := os.Stat(old); err != nil {
		t.Errorf("%s staged for removal is gone before Commit: %v", old, err)
	}
	if err := batch.Commit(); err != nil {
		t.Fatal(err)
	}
	if names := dirtest.Names(t, dir); !slices.Equal(names, []string{"a.svg"}) {
		t.Errorf("after Commit, directory holds %q, want a.svg only", names)
	}
	if got := batch.Removed(); !slices.Equal(got, []string{old}) {
		t.Errorf("Removed() = %q, want %q", got, []string{old})
	}

	// Abort, or a rename that fails, removes nothing.
	if err := os.WriteFile(old, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	batch.Remove(old)
	batch.Abort()
	if err := batch.Commit(); err != nil || len(batch.Removed()) != 0 {
		t.Errorf("Commit after Abort: %v, removed %q; want nothing done", err, batch.Removed())
	}
	b := filepath.Join(dir, "b.svg")
	if err := batch.AddUmask(b, 0o666, content("B")); err != nil {
		t.Fatal(err)
	}
	batch.Remove(old)
	if err := os.MkdirAll(filepath.Join(b, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := batch.Commit(); err == nil {
		t.Fatal("Commit onto a directory succeeded")
	}
	if got, err := os.ReadFile(old); err != nil || string(got) != "old" {
		t.Errorf("after a failed Commit, %s = %q, %v; want it as it was", old, got, err)
	}
	if len(batch.Removed()) != 0 {
		t.Errorf("after a failed Commit, Removed() = %q, want none", batch.Removed())
	}
}

// TestBatchRemoveFails: a removal that fails is an error naming the file
// once, after the new files are in place.
func TestBatchRemoveFails(t *testing.T) {
	dir := t.TempDir()
	a, sub := filepath.Join(dir, "a.svg"), filepath.Join(dir, "sub")
	if err := os.MkdirAll(filepath.Join(sub, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	var batch Batch
	if err := batch.AddUmask(a, 0o666, content("A")); err != nil {
		t.Fatal(err)
	}
	batch.Remove(sub) // a directory that is not empty
	err := batch.Commit()
	if err == nil || !strings.HasPrefix(err.Error(), "removing "+sub+": ") || strings.Count(err.Error(), sub) != 1 {
		t.Errorf("Commit removing a directory that is not empty: %v, want an error naming it once", err)
	}
	if got, err := os.ReadFile(a); err != nil || string(got) != "A" {
		t.Errorf("%s = %q, %v; want the new file in place", a, got, err)
	}
}
