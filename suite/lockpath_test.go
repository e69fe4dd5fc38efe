package suite

import (
	"os"
	"testing"
)

// TestLockPathNotALock: a directory, or a symbolic link that leads to no
// file (dangling, or a loop), where a cell's lock would be is refused
// naming it and what to do. The dangling link made the lock read as
// released again and again, and run gave up saying the lock "keeps
// changing hands"; the directory failed with a bare read error. Tried as
// a new user would: a runs directory holding a link, left by a tool, at a
// cell's lock name, and a directory there.
func TestLockPathNotALock(t *testing.T) {
	key := "0123456789abcdef"
	for name, tc := range map[string]struct {
		make func(path string) error
		want string
	}{
		"dangling link": {func(p string) error { return os.Symlink("/nonexistent/lock", p) }, " is a symbolic link to /nonexistent/lock, where the lock of run " + key + " would be (a file gradbench run creates): remove the link"},
		"loop":          {func(p string) error { return os.Symlink(key+".lock", p) }, " is a symbolic link to " + key + ".lock, where the lock of run " + key + " would be (a file gradbench run creates): remove the link"},
		"directory":     {func(p string) error { return os.Mkdir(p, 0o755) }, " is a directory, where the lock of run " + key + " would be (a file gradbench run creates): move it out of the runs directory"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := LockPath(dir, key)
			if err := tc.make(path); err != nil {
				t.Skipf("cannot make it here: %v", err)
			}
			l, holder, err := tryLock(dir, key, LockConfig{}, false)
			if l != nil {
				l.release()
			}
			if want := "suite: " + path + tc.want; err == nil || err.Error() != want {
				t.Errorf("tryLock: lock %v, holder %v, error %v; want %s", l != nil, holder, err, want)
			}
		})
	}
}
