package dirtest

import (
	"os"
	"path/filepath"
	"testing"
)

// ReadOnly makes dir/ro a directory no file can be created in and
// returns it with the cause a write there fails with: for root, whom
// permissions do not stop, a read-only tmpfs mounted there (Linux; the
// test is skipped where that cannot be mounted); for another user, a
// directory without write permission.
func ReadOnly(t testing.TB, dir string) (ro, cause string) {
	t.Helper()
	ro = filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o755)
	if os.Geteuid() != 0 {
		os.Chmod(ro, 0o555)
		t.Cleanup(func() { os.Chmod(ro, 0o755) })
		return ro, "permission denied"
	}
	unmount, err := mountReadOnly(ro)
	if err != nil {
		t.Skipf("no read-only directory to try (root, and mounting a read-only tmpfs failed: %v)", err)
	}
	t.Cleanup(unmount)
	return ro, "read-only file system"
}
