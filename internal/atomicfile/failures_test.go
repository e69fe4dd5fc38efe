//go:build unix

package atomicfile

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/gradbench/gradbench/internal/dirtest"
)

// TestWriteRenameFails: when the rename itself fails (the destination
// became a non-empty directory while the content was written), Write
// names the destination and leaves no temporary file behind.
func TestWriteRenameFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	err := Write(path, 0o644, func(w io.Writer) error {
		if err := os.MkdirAll(filepath.Join(path, "sub"), 0o755); err != nil {
			return err
		}
		_, err := w.Write([]byte("x"))
		return err
	})
	if err == nil || !strings.HasPrefix(err.Error(), "writing "+path+": ") {
		t.Fatalf("Write onto a directory made during fill = %v, want an error naming %s", err, path)
	}
	if names := dirtest.Names(t, dir); !slices.Equal(names, []string{"out"}) {
		t.Errorf("after a failed rename, directory holds %q, want only out", names)
	}
}

// TestNotFileNamesTheKind: the refusal says which kind of file the path
// is, a character device for /dev/null.
func TestNotFileNamesTheKind(t *testing.T) {
	for _, tc := range []struct {
		mode fs.FileMode
		want string
	}{
		{fs.ModeDevice | fs.ModeCharDevice, "it is a character device, not a regular file"},
		{fs.ModeDevice, "it is a device, not a regular file"},
		{fs.ModeSocket, "it is a socket, not a regular file"},
		{fs.ModeDir, "it is a directory"},
		{0o644, ""},
	} {
		if got := NotFile(tc.mode); !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("NotFile(%v) = %q, want it to start %q", tc.mode, got, tc.want)
		}
	}
	if _, err := os.Stat("/dev/null"); err == nil {
		err := WriteFile("/dev/null", []byte("x"), 0o644)
		if err == nil || !strings.Contains(err.Error(), "it is a character device") {
			t.Errorf("WriteFile(/dev/null) = %v, want a character-device refusal", err)
		}
	}
}

// TestBatchCommitFailsKeepsReplaced: a failed Commit removes the files it
// created but keeps a file it had already replaced, with its new content
// (the old one is gone).
func TestBatchCommitFailsKeepsReplaced(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	if err := os.WriteFile(a, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var batch Batch
	for _, p := range []string{a, b, c} {
		if err := batch.AddUmask(p, 0o666, content("new")); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(c, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := batch.Commit(); err == nil {
		t.Fatal("Commit onto a directory succeeded")
	}
	if names := dirtest.Names(t, dir); !slices.Equal(names, []string{"a", "c"}) {
		t.Errorf("after a failed Commit, directory holds %q, want a and c", names)
	}
	if got, err := os.ReadFile(a); err != nil || string(got) != "new" {
		t.Errorf("a = %q, %v after a failed Commit, want its new content", got, err)
	}
}

// TestBatchAddUmask: AddUmask leaves the umask's bits out of perm, as
// WriteUmask.
func TestBatchAddUmask(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	u := filepath.Join(dir, "u")
	var batch Batch
	if err := batch.AddUmask(u, 0o666, content("u")); err != nil {
		t.Fatal(err)
	}
	if err := batch.Commit(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(u)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Mode().Perm(), os.FileMode(0o640); got != want {
		t.Errorf("%s: mode %v, want %v", u, got, want)
	}
}

// TestBatchEmptyAfterCommit: Commit empties the batch, so that a second
// Commit, or an Abort, does nothing.
func TestBatchEmptyAfterCommit(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	var batch Batch
	if err := batch.AddUmask(a, 0o666, content("A")); err != nil {
		t.Fatal(err)
	}
	if err := batch.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := batch.Commit(); err != nil {
		t.Errorf("second Commit = %v, want nil (nothing staged)", err)
	}
	batch.Abort()
	if got, err := os.ReadFile(a); err != nil || string(got) != "A" {
		t.Errorf("a = %q, %v, want A", got, err)
	}
}
