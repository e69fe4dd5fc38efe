//go:build unix

package atomicfile

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/gradbench/gradbench/internal/dirtest"
)

// TestWriteNotRegular: a path that names a named pipe, or a link to one
// (as /dev/stdout is to the pipe of `gradbench export --out /dev/stdout |
// ...`), is refused by name and left as it was. Write used to rename its
// temporary file over the name: the pipe, or the link /dev/stdout itself,
// was replaced by a regular file.
func TestWriteNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no named pipes:", err)
	}
	link := filepath.Join(dir, "stdout")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	want := ": it is a named pipe, not a regular file: want a file name (an output is renamed into place, which would replace a named pipe rather than write to it)"
	for _, path := range []string{fifo, link} {
		if err := WriteFile(path, []byte("x"), 0o644); err == nil || err.Error() != "writing "+path+want {
			t.Errorf("WriteFile(%s) = %v, want writing %s%s", path, err, path, want)
		}
		var b Batch
		if err := b.AddUmask(path, 0o666, func(io.Writer) error { return nil }); err == nil || err.Error() != "writing "+path+want {
			t.Errorf("Batch.AddUmask(%s) = %v, want writing %s%s", path, err, path, want)
		}
		b.Abort()
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("fifo is now %v, %v; want the named pipe", st.Mode(), err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("stdout is now %v, %v; want the link", st.Mode(), err)
	}
	if names := dirtest.Names(t, dir); len(names) != 2 {
		t.Errorf("directory holds %q, want only fifo and stdout", names)
	}
}

// TestWriteStdoutFile: a path that is the process's standard output
// redirected to a regular file, by that file's name or by a link to it
// (as /dev/stdout is, in `gradbench table --bench /dev/stdout > out.txt`),
// is refused, and the link and the file are left as they were. Write
// followed the link to a regular file, found nothing to refuse and
// renamed its temporary file over the link: /dev/stdout became a regular
// file holding the output, for every process, and out.txt got none of it.
func TestWriteStdoutFile(t *testing.T) {
	dir := t.TempDir()
	out, link, restore := dirtest.StdoutFile(t, dir)

	want := "it is the standard output of this process (a redirection to that file, or /dev/stdout), not a file of its own: an output is renamed into place, which would replace that file rather than write to the stream"
	for _, path := range []string{out, link} {
		if why := Refusal(path); why != want {
			t.Errorf("Refusal(%s) = %q, want %q", path, why, want)
		}
		if err := WriteFile(path, []byte("bench\n"), 0o644); err == nil || err.Error() != "writing "+path+": "+want {
			t.Errorf("WriteFile(%s) = %v, want writing %s: %s", path, err, path, want)
		}
		var b Batch
		if err := b.AddUmask(path, 0o666, func(io.Writer) error { return nil }); err == nil || err.Error() != "writing "+path+": "+want {
			t.Errorf("Batch.AddUmask(%s) = %v, want writing %s: %s", path, err, path, want)
		}
		b.Abort()
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("stdout is now %v, %v; want the link", st.Mode(), err)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != "table\n" {
		t.Errorf("out.txt holds %q, %v; want what was written to standard output", b, err)
	}
	if names := dirtest.Names(t, dir); len(names) != 2 {
		t.Errorf("directory holds %q, want only out.txt and stdout", names)
	}
	restore()
	if err := WriteFile(link, []byte("bench\n"), 0o644); err != nil {
		t.Errorf("WriteFile(%s) with standard output elsewhere = %v, want nil", link, err)
	}
}
