package suite

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestRunLockedEmptyLock: a cell whose lock file names no holder (a
// process killed between creating its lock and writing it, or a lock
// emptied by hand) is said to be so in the note, with the lock's path and
// when it is taken for abandoned. The note used to read " pid 0 is
// training it (lock taken 0001-01-01 00:00:00, ...)".
func TestRunLockedEmptyLock(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	dir := t.TempDir()
	c := s.Cells()[0]
	path := LockPath(dir, c.Key())
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r, notes := noteRunner(dir)
	train := func() (*Record, error) {
		t.Fatal("trained a cell whose lock was taken a moment ago")
		return nil, nil
	}
	_, busy, err := r.runLocked(context.Background(), c, LockConfig{StaleAfter: time.Hour}, false, train, func(*Record) {})
	if err != nil || !busy {
		t.Fatalf("runLocked = busy %v, %v; want busy, nil", busy, err)
	}
	// The seconds since the lock was touched are left out: 0s, or more
	// on a loaded machine.
	head := c.String() + ": its lock " + path + " names no holder (a lock being written, or a file that is not a lock), last touched "
	tail := " ago; it is taken for abandoned once untouched for 1h0m0s; coming back to it after the other cells"
	if len(*notes) != 1 || !strings.HasPrefix((*notes)[0], head) || !strings.HasSuffix((*notes)[0], tail) {
		t.Errorf("notes %q, want [%q]", *notes, head+"<seconds>"+tail)
	}
	for _, n := range *notes {
		if strings.Contains(n, "pid 0") || strings.Contains(n, "0001-01-01") {
			t.Errorf("note %q shows an empty lock's zero values", n)
		}
	}
}
