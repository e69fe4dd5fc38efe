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
