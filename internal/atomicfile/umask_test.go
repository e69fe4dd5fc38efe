//go:build unix

package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteUmask: WriteUmask leaves the umask's bits out of perm, Write
// does not.
func TestWriteUmask(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for _, tt := range []struct {
		write func(path string) error
		want  os.FileMode
	}{
		{func(p string) error { return WriteFileUmask(p, []byte("x"), 0o666) }, 0o640},
		{func(p string) error { return WriteFileUmask(p, []byte("x"), 0o777) }, 0o750},
		{func(p string) error { return WriteFile(p, []byte("x"), 0o666) }, 0o666},
	} {
		path := filepath.Join(dir, "f")
		if err := tt.write(path); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != tt.want {
			t.Errorf("mode %v, %v; want %v", st.Mode().Perm(), err, tt.want)
		}
	}
}
