package suite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunRefusesUnwritableRunFiles: a directory, or a loop of symbolic
// links, at the name of a cell's epoch checkpoint or final weights is
// refused before the cell trains, naming it, why and what to do. The
// checkpoint's name failed only when the first epoch's checkpoint was
// written, losing the epoch; a directory at the weights' name failed with
// a bare "directory not empty". Tried as a new user would: a runs
// directory with a directory, and with a link to itself, at those names.
// With KeepEpochs the names of the weights kept after each epoch but the
// last are refused so too: a directory at the second epoch's name failed
// with a bare "directory not empty", and a loop of links at the first
// epoch's was deleted without a word; without KeepEpochs, the same
// befell the epochs' names as the weights an earlier attempt kept were
// removed.
func TestRunRefusesUnwritableRunFiles(t *testing.T) {
	s, c := tinyCell(t, "ste", 3)
	key := c.Key()
	for name, tc := range map[string]struct {
		path func(dir string) string
		make func(path string) error
		why  string
		keep bool
	}{
		"checkpoint directory":      {func(d string) string { return CheckpointPath(d, key) }, mkdirWithFile, "it is a directory, want a file name", false},
		"checkpoint loop":           {func(d string) string { return CheckpointPath(d, key) }, linkToItself, "it is a chain of more than", false},
		"weights directory":         {func(d string) string { return WeightsPath(d, key) }, mkdirWithFile, "it is a directory, want a file name", false},
		"epoch 2 weights directory": {func(d string) string { return EpochWeightsPath(d, key, 2) }, mkdirWithFile, "it is a directory, want a file name", true},
		"epoch 1 weights loop":      {func(d string) string { return EpochWeightsPath(d, key, 1) }, linkToItself, "it is a chain of more than", true},
		// Without KeepEpochs no epoch's name is written, but the
		// weights an earlier attempt kept are removed: a directory
		// there failed with a bare "directory not empty", and an empty
		// one or a loop of links was deleted without a word.
		"epoch 2 weights directory, not kept":       {func(d string) string { return EpochWeightsPath(d, key, 2) }, mkdirWithFile, "it is a directory, want a file name", false},
		"epoch 2 weights empty directory, not kept": {func(d string) string { return EpochWeightsPath(d, key, 2) }, func(p string) error { return os.Mkdir(p, 0o755) }, "it is a directory, want a file name", false},
		"epoch 1 weights loop, not kept":            {func(d string) string { return EpochWeightsPath(d, key, 1) }, linkToItself, "it is a chain of more than", false},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := tc.path(dir)
			if err := tc.make(path); err != nil {
				t.Skipf("cannot make it here: %v", err)
			}
			trained := false
			r := &Runner{Dir: dir, KeepEpochs: tc.keep, Progress: func(e Event) { trained = trained || e.Kind == EventStep || e.Kind == EventEpoch }}
			_, err := r.Run(context.Background(), s)
			want := "suite: " + path + " cannot be written: " + tc.why
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "; remove it or move it out of the runs directory (nothing was trained)") {
				t.Errorf("Run: error %v, want %s...", err, want)
			}
			if trained {
				t.Error("the cell trained before the name was refused")
			}
			if _, err := os.Lstat(path); err != nil {
				t.Errorf("what stood at %s is gone: %v", path, err)
			}
		})
	}
}

func mkdirWithFile(path string) error {
	if err := os.Mkdir(path, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(path, "notes"), []byte("kept\n"), 0o644)
}

func linkToItself(path string) error { return os.Symlink(filepath.Base(path), path) }
