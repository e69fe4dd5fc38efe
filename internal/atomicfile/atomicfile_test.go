package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/dirtest"
)

func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(path, 0o644, func(w io.Writer) error {
		// Half-way, readers still see the old file, and the new bytes
		// go to a hidden temporary file that *.json does not match.
		if _, err := io.WriteString(w, "ne"); err != nil {
			return err
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
			t.Errorf("during Write, ReadFile = %q, %v; want \"old\", nil", b, err)
		}
		if got, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(got) != 1 {
			t.Errorf("during Write, *.json matches %q, want only r.json", got)
		}
		tmp := filepath.Base(w.(*os.File).Name())
		if !strings.HasPrefix(tmp, ".r.json.") || !strings.HasSuffix(tmp, ".tmp") {
			t.Errorf("temporary file %s, want .r.json.*.tmp", tmp)
		}
		_, err := io.WriteString(w, "w")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "new" {
		t.Errorf("after Write, ReadFile = %q, %v; want \"new\", nil", b, err)
	}
	if names := dirtest.Names(t, dir); len(names) != 1 {
		t.Errorf("after Write, directory holds %q, want only r.json", names)
	}
}

func TestWriteFileCreates(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "table.md")
	if err := WriteFile(path, []byte("| a |\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "| a |\n" {
		t.Errorf("ReadFile = %q, %v; want \"| a |\\n\", nil", b, err)
	}
}

func TestWriteFillFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.ckpt")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("checksum mismatch")
	err := Write(path, 0o600, func(w io.Writer) error {
		io.WriteString(w, "half of the new content")
		return broken
	})
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), path) {
		t.Errorf("Write = %v, want an error naming %s and wrapping %v", err, path, broken)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
		t.Errorf("after a failed Write, ReadFile = %q, %v; want \"old\", nil", b, err)
	}
	if names := dirtest.Names(t, dir); len(names) != 1 {
		t.Errorf("after a failed Write, directory holds %q, want only c.ckpt", names)
	}
}

func TestWritePerm(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
	dir := t.TempDir()
	for _, perm := range []os.FileMode{0o600, 0o640, 0o644} {
		path := filepath.Join(dir, "f")
		if err := WriteFile(path, []byte("x"), perm); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != perm {
			t.Errorf("WriteFile(perm=%v): file mode %v, want %v", perm, got, perm)
		}
	}
}

func TestWriteMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "r.json")
	err := WriteFile(path, []byte("x"), 0o644)
	want := "writing " + path + ": creating a file in " + filepath.Dir(path) + ": no such file or directory"
	if !errors.Is(err, os.ErrNotExist) || err == nil || err.Error() != want {
		t.Errorf("WriteFile into a missing directory = %v, want %s (the directory named, no temporary file), wrapping fs.ErrNotExist", err, want)
	}
}

func TestWriteRelative(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := WriteFile("bench.txt", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile("bench.txt"); err != nil || string(b) != "x" {
		t.Errorf("ReadFile = %q, %v; want \"x\", nil", b, err)
	}
}

// TestWriteDirectory: a path that names a directory is refused by name,
// and nothing is left behind.
func TestWriteDirectory(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "out")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{WriteFile(sub, []byte("x"), 0o644), WriteFileUmask(sub, []byte("x"), 0o666)} {
		if err == nil || err.Error() != "writing "+sub+": it is a directory, want a file name" {
			t.Errorf("writing onto a directory: %v", err)
		}
	}
	if names := dirtest.Names(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q, want only out", names)
	}
}

// TestWriteNoFileName: a path with no file name ("" or a name ending in a
// slash that is no directory yet) is refused by name before anything is
// created; "" used to stage "..<random>.tmp" in the working directory and
// fail at the rename with "writing : rename ..<random>.tmp : no such file
// or directory".
func TestWriteNoFileName(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, path := range []string{"", "new/", filepath.Join(dir, "new") + "/"} {
		err := WriteFile(path, []byte("x"), 0o644)
		if want := "writing \"" + path + "\": no file name, want a path such as out/table.md"; err == nil || err.Error() != want {
			t.Errorf("WriteFile(%q) = %v, want %s", path, err, want)
		}
		var b Batch
		if err := b.AddUmask(path, 0o644, func(io.Writer) error { return nil }); err == nil || !strings.Contains(err.Error(), "no file name") {
			t.Errorf("Batch.AddUmask(%q) = %v, want a refusal naming no file name", path, err)
		}
		b.Abort()
	}
	if names := dirtest.Names(t, dir); len(names) != 0 {
		t.Errorf("directory holds %q, want nothing", names)
	}
}
