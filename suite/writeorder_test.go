package suite

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// blockAt puts a non-empty directory at path, so that writing a file
// there fails.
func blockAt(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestFinalWeightsBeforeRecord guards the order in which a finished run
// is written: its final weights, then its record. A record with status ok
// always has weights to export; written first, a process stopped (or a
// write failing) between the two leaves a run that is never trained
// again and has no weights. The weights' name is blocked during the last
// epoch: the run must fail without a record.
func TestFinalWeightsBeforeRecord(t *testing.T) {
	_, c := tinyCell(t, "ste", 1)
	dir := t.TempDir()
	r := &Runner{Dir: dir, Progress: func(e Event) {
		if e.Kind == EventEval {
			blockAt(t, WeightsPath(dir, c.Key()))
		}
	}}
	if _, err := r.RunCell(context.Background(), c); err == nil {
		t.Fatal("RunCell with its final weights unwritable succeeded, want an error")
	}
	if _, err := ReadRecord(dir, c.Key()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after the final weights failed to write, ReadRecord = %v, want no record (written before the weights)", err)
	}
}

// TestCheckpointFailureStopsRun guards an epoch's checkpoint: a run that
// cannot write it must stop with the error, not train on without one and
// leave nothing to resume from when it is stopped later.
func TestCheckpointFailureStopsRun(t *testing.T) {
	_, c := tinyCell(t, "ste", 2)
	dir := t.TempDir()
	r := &Runner{Dir: dir, Progress: func(e Event) {
		if e.Kind == EventEval && e.Epoch == 0 {
			blockAt(t, CheckpointPath(dir, c.Key()))
		}
		if e.Kind == EventStep && e.Epoch == 1 {
			t.Fatal("the run trained its second epoch after its first epoch's checkpoint failed")
		}
	}}
	if _, err := r.RunCell(context.Background(), c); err == nil {
		t.Fatal("RunCell with its checkpoint unwritable succeeded, want an error")
	}
	if _, err := ReadRecord(dir, c.Key()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after the checkpoint failed to write, ReadRecord = %v, want no record", err)
	}
}
