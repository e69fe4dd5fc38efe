package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/internal/dirtest"
)

// TestWriteSyncsBeforeRename guards durability: the staged file must be
// synced before it is renamed over the destination, or a power loss just
// after the rename can leave an empty or partial file under the final
// name. The sync is made to fail: Write must then report it, keep the old
// content (the rename never happened) and leave no temporary file. A
// write that skipped the sync, or ignored its error, succeeds here.
func TestWriteSyncsBeforeRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	failed := errors.New("sync failed")
	synced := 0
	defer func(f func(*os.File) error) { syncFile = f }(syncFile)
	syncFile = func(f *os.File) error {
		synced++
		if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
			t.Errorf("at the sync, %s holds %q (%v), want the old content: renamed before the sync", path, b, err)
		}
		return failed
	}
	err := WriteFile(path, []byte("new"), 0o644)
	if !errors.Is(err, failed) {
		t.Errorf("WriteFile with a failing sync = %v, want its error", err)
	}
	if synced != 1 {
		t.Errorf("WriteFile synced the staged file %d times, want 1", synced)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("after a failed sync, %s holds %q, want the old content", path, b)
	}
	if names := dirtest.Names(t, dir); !slices.Equal(names, []string{"out"}) {
		t.Errorf("after a failed sync, directory holds %q, want only out", names)
	}
}
