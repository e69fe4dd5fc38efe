package suite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gradbench/gradbench/nn/checkpoint"
)

// TestRunnerRefusesEmptyDir: a Runner whose Dir is "" is refused by Run,
// RunCell and RunCellLocked before anything trains, rather than writing
// records, checkpoints and locks into the working directory.
func TestRunnerRefusesEmptyDir(t *testing.T) {
	s, c := tinyCell(t, "ste", 1)
	t.Chdir(t.TempDir())
	r := &Runner{}
	ctx := context.Background()
	for name, do := range map[string]func() error{
		"Run":           func() error { _, err := r.Run(ctx, s); return err },
		"RunCell":       func() error { _, err := r.RunCell(ctx, c); return err },
		"RunCellLocked": func() error { _, err := r.RunCellLocked(ctx, c, LockConfig{}); return err },
	} {
		if err := do(); err == nil || !strings.HasPrefix(err.Error(), `suite: the runs directory is "" (--out "")`) {
			t.Errorf("%s with Dir \"\": error = %v, want the empty runs directory refused", name, err)
		}
		if ents, _ := os.ReadDir("."); len(ents) != 0 {
			t.Fatalf("%s with Dir \"\" wrote %d files into the working directory", name, len(ents))
		}
	}
}

// TestRunWaitsForBusyCell: Run leaves a cell that another live process
// holds for last, trains the others, then waits for it and takes it over
// once the holder lets go without a record: every cell of the sweep has
// its record, none is returned missing.
func TestRunWaitsForBusyCell(t *testing.T) {
	s := tinySweep(t, "ste,fda", 1)
	s.Workload.Recipe.Epochs = 1
	dir := t.TempDir()
	cells := s.Cells()
	lc := LockConfig{Heartbeat: 10 * time.Millisecond, Poll: 5 * time.Millisecond}
	held, _, err := tryLock(dir, cells[0].Key(), lc, false)
	if err != nil || held == nil {
		t.Fatal(held, err)
	}
	var order []string
	noted := make(chan struct{})
	r := &Runner{Dir: dir, Lock: lc, Progress: func(e Event) {
		switch e.Kind {
		case EventNote:
			if strings.Contains(e.Note, "coming back to it after the other cells") {
				close(noted)
			}
		case EventCellDone:
			order = append(order, e.Cell.Spec.String())
		}
	}}
	type result struct {
		recs []*Record
		err  error
	}
	done := make(chan result, 1)
	go func() {
		recs, err := r.Run(context.Background(), s)
		done <- result{recs, err}
	}()
	select {
	case <-noted:
	case res := <-done:
		t.Fatalf("Run returned %v, %v without saying it comes back to the busy cell, whose lock this process holds", res.recs, res.err)
	}
	held.release()
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	if len(res.recs) != 2 || res.recs[0] == nil || res.recs[1] == nil || res.recs[0].Key != cells[0].Key() {
		t.Fatalf("Run returned %v, want the records of both cells in cell order", res.recs)
	}
	if strings.Join(order, ",") != "fda,ste" {
		t.Errorf("cells trained in the order %v, want fda first and the busy ste last", order)
	}
}

// TestKeepEpochsCheckpointAfterCheck: a checkpoint written without
// KeepEpochs after the runner's check (by another process) is refused
// when the cell is about to resume from it, even when it holds a single
// epoch, rather than resumed into a run without that epoch's weights.
func TestKeepEpochsCheckpointAfterCheck(t *testing.T) {
	s, c := tinyCell(t, "ste", 3)
	dir := t.TempDir()
	interruptAfterFirstEpochKeep(t, dir, s, false)
	keep := &Runner{Dir: dir, KeepEpochs: true}
	var done int64
	_, err := keep.runCell(context.Background(), c, 1, &done, 0)
	want := c.Key() + " (ste seed 1: resumes after 1 epoch, no weights after epoch 1)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("runCell with KeepEpochs on a checkpoint of 1 epoch trained without them: error %v, want one naming %q", err, want)
	}
	if _, err := os.Stat(RecordPath(dir, c.Key())); err == nil {
		t.Error("the refused cell was trained")
	}
}

// TestLockStaleOtherHost: a holder on another host is judged by its
// heartbeat alone, by default after 2 minutes (more than an NFS client's
// attribute cache): its process id means nothing here, even that of a
// process that has ended on this host.
func TestLockStaleOtherHost(t *testing.T) {
	now := time.Now()
	other := thisProcess()
	other.Host += "-elsewhere"
	other.PID, other.ProcStart, other.Token = deadPID(t), "", "theirs"
	for _, tt := range []struct {
		beat  time.Duration
		cfg   LockConfig
		stale bool
	}{
		{0, LockConfig{}, false},
		{90 * time.Second, LockConfig{}, false},
		{121 * time.Second, LockConfig{}, true},
		{90 * time.Second, LockConfig{StaleAfter: time.Minute}, true},
	} {
		l := other
		l.Heartbeat = now.Add(-tt.beat)
		if got := l.Stale(tt.cfg, now); got != tt.stale {
			t.Errorf("a holder on another host with a pid that has ended here, heartbeat %v ago, StaleAfter %v: Stale() = %v, want %v", tt.beat, tt.cfg.StaleAfter, got, tt.stale)
		}
	}
}

// TestTryLockVanishing: a lock that is there when tryLock creates its own
// but gone when it reads the holder (released in between) is tried
// again, not reported as an error; one that is taken again each time
// before tryLock's next try ends, after 10 attempts, in an error that
// says it keeps changing hands, not in a loop, and leaves the last
// holder's lock in place. The other process is staged through readHolder:
// no file on disk exists for creating and not for reading once a
// dangling link at the name is refused (TestLockPathNotALock).
func TestTryLockVanishing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		takes int // how many times the other process takes the lock again
		want  string
	}{
		{"released once", 1, ""},
		{"taken again every time", 1 << 30, "suite: lock %s: it keeps changing hands; giving up after 10 attempts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := LockPath(dir, lockKey)
			other := []byte(`{"key":"` + lockKey + `","host":"elsewhere","pid":1,"token":"other"}` + "\n")
			if err := os.WriteFile(path, other, filePerm); err != nil {
				t.Fatal(err)
			}
			reads, taken := 0, 0
			readHolder = func(p string) (*LockInfo, error) {
				reads++
				// The holder releases the lock as it is read...
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				l, err := readLock(p)
				// ...and another process takes it before the next try.
				if taken < tc.takes-1 {
					taken++
					if err := os.WriteFile(p, other, filePerm); err != nil {
						t.Fatal(err)
					}
				}
				return l, err
			}
			t.Cleanup(func() { readHolder = readLock })
			l, holder, err := tryLock(dir, lockKey, LockConfig{}, false)
			if tc.want == "" {
				if l == nil || err != nil || reads != 1 {
					t.Fatalf("tryLock on a lock released once while read = %v, %v, %v after %d reads; want it taken on the next try", l != nil, holder, err, reads)
				}
				if !l.ours() {
					t.Error("the lock file is not the lock tryLock took")
				}
				l.release()
				return
			}
			if want := fmt.Sprintf(tc.want, path); l != nil || holder != nil || err == nil || err.Error() != want || reads != 10 {
				t.Errorf("tryLock on a lock that changes hands each time it is read = %v, %v, %v after %d reads; want %q after 10", l != nil, holder, err, reads, want)
			}
			if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, other) {
				t.Errorf("the other process's lock is not left in place: %q, %v", b, err)
			}
		})
	}
}

// TestRunLockedRecordWhileLocking: a record another process writes
// between the runner's look for it and its taking the lock (that process
// then released the lock) is found once the lock is held: the cell is
// not trained a second time, and the lock is let go. With KeepEpochs, a
// record written so without the epochs' weights is refused.
func TestRunLockedRecordWhileLocking(t *testing.T) {
	_, c := tinyCell(t, "ste", 2)
	rec := fakeRecord(c.Workload, "ste", 1, 50)
	orig := thisProcess
	t.Cleanup(func() { thisProcess = orig })
	for _, keep := range []bool{false, true} {
		dir := t.TempDir()
		// createLock asks thisProcess who it is right after the runner
		// looked for the record: the other process finishes then.
		written := false
		thisProcess = func() LockInfo {
			if !written {
				written = true
				if err := WriteRecord(dir, rec); err != nil {
					t.Error(err)
				}
			}
			return orig()
		}
		var found *Record
		train := func() (*Record, error) {
			t.Errorf("runLocked (KeepEpochs %v) trained a cell whose record was written while it took the lock", keep)
			return rec, nil
		}
		got, busy, err := (&Runner{Dir: dir, KeepEpochs: keep}).runLocked(context.Background(), c, LockConfig{}, true, train, func(r *Record) { found = r })
		if keep {
			want := c.Key() + " (ste seed 1: done, no weights after epoch 1)"
			if err == nil || !strings.Contains(err.Error(), want) || found != nil {
				t.Errorf("runLocked with KeepEpochs = %v, %v; cached got %v; want an error naming %q", got, err, found, want)
			}
		} else if err != nil || busy || got == nil || found == nil || got.Key != rec.Key {
			t.Errorf("runLocked = %v, busy %v, %v; cached got %v; want the other process's record", got, busy, err, found)
		}
		if _, err := ReadLock(dir, c.Key()); err == nil {
			t.Errorf("KeepEpochs %v: the lock was left behind", keep)
		}
	}
}

// TestRunLockedKeepEpochsRecordFound: with KeepEpochs, a record that
// another process wrote without them after the runner's check is refused
// when runLocked finds it, rather than returned as the cell's.
func TestRunLockedKeepEpochsRecordFound(t *testing.T) {
	_, c := tinyCell(t, "ste", 3)
	dir := t.TempDir()
	if err := WriteRecord(dir, fakeRecord(c.Workload, "ste", 1, 50)); err != nil {
		t.Fatal(err)
	}
	train := func() (*Record, error) { t.Error("runLocked trained a cell with a record"); return nil, nil }
	cached := func(*Record) { t.Error("runLocked returned a record without the epochs' weights KeepEpochs needs") }
	_, _, err := (&Runner{Dir: dir, KeepEpochs: true}).runLocked(context.Background(), c, LockConfig{}, true, train, cached)
	want := c.Key() + " (ste seed 1: done, no weights after epochs 1–2)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("runLocked with KeepEpochs on a record without them: error %v, want one naming %q", err, want)
	}
}

// TestResumeDiscardsCheckpointThatDoesNotFit: a checkpoint whose epoch
// disagrees with the epochs its progress records, or one that records
// every epoch of the run is discarded with a note and the run trains from
// its first epoch, rather than resumed into a record that is not the
// run's. (One of another run is refused and kept:
// checkpointOfTwoRuns interrupts ste's cell c of 3 epochs (seed 1) after
// its first epoch in a new runs directory dir, and returns it with an fda
// sweep of the same seed and epochs: own is ste's checkpoint, misnamed the
// name fda's cell's would have.
func checkpointOfTwoRuns(t *testing.T) (ste *Sweep, c Cell, fda *Sweep, dir, own, misnamed string) {
	t.Helper()
	ste, c = tinyCell(t, "ste", 3)
	fda = tinySweep(t, "fda", 1)
	fda.Workload.Recipe.Epochs = 3
	dir = t.TempDir()
	interruptAfterFirstEpoch(t, dir, ste)
	return ste, c, fda, dir, CheckpointPath(dir, c.Key()), CheckpointPath(dir, fda.Cells()[0].Key())
}

// TestResumeRefusesCheckpointOfAnotherRun.)
func TestResumeDiscardsCheckpointThatDoesNotFit(t *testing.T) {
	s, c := tinyCell(t, "ste", 3)
	for name, edit := range map[string]func(*checkpoint.State, *progressState){
		"epoch other than its progress's": func(st *checkpoint.State, _ *progressState) { st.Epoch = 2 },
		"every epoch trained": func(st *checkpoint.State, ps *progressState) {
			for e := 2; e <= 3; e++ {
				ep := ps.Epochs[0]
				ep.Epoch = e
				ps.Epochs, ps.DataHashes = append(ps.Epochs, ep), append(ps.DataHashes, ps.DataHashes[0])
			}
			st.Epoch = 3
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			interruptAfterFirstEpoch(t, dir, s)
			r, notes := noteRunner(dir)
			editCheckpoint(t, r, c, edit)
			recs, err := r.Run(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			if rec := recs[0]; rec.Resumes != 0 || len(rec.Epochs) != 3 || len(rec.Segments) != 1 || !strings.Contains(strings.Join(*notes, "\n"), "discarding its checkpoint and starting over") {
				t.Errorf("record of %d resumes, %d epochs, segments %+v (notes %q); want the checkpoint discarded and the run trained whole", rec.Resumes, len(rec.Epochs), rec.Segments, *notes)
			}
		})
	}
}

// TestResumeOlderCheckpoint: a checkpoint without diagnostics state (one
// written with NoDiagnostics, or before diagnostics existed) resumes into
// a record whose later epochs have no diagnostics, rather than ones
// counted again from zero; one without training segments (written before
// records kept them) into a record without segments, which reads back;
// one without data digests into a record without them.
// Either way the record keeps the start of the first process.
func TestResumeOlderCheckpoint(t *testing.T) {
	s, c := tinyCell(t, "ste", 3)
	for name, edit := range map[string]func(*checkpoint.State, *progressState){
		"no diagnostics":  func(st *checkpoint.State, _ *progressState) { delete(st.Extra, diagStateKey) },
		"no segments":     func(_ *checkpoint.State, ps *progressState) { ps.Segments = nil },
		"no data digests": editCheckpointData,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			interruptAfterFirstEpoch(t, dir, s)
			r := &Runner{Dir: dir}
			editCheckpoint(t, r, c, edit)
			resumed := time.Now()
			if _, err := r.Run(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			rec, err := ReadRecord(dir, c.Key())
			if err != nil {
				t.Fatal(err)
			}
			if rec.Resumes != 1 {
				t.Fatalf("the record counts %d resumes, want 1", rec.Resumes)
			}
			if !rec.Started.Before(resumed) {
				t.Errorf("the record says the run started at %v, after the resume at %v: want the first process's start", rec.Started, resumed)
			}
			switch name {
			case "no diagnostics":
				for _, e := range rec.Epochs[1:] {
					if e.Diagnostics != nil {
						t.Errorf("epoch %d after a resume without diagnostics state has diagnostics %+v, want none", e.Epoch, e.Diagnostics)
					}
				}
			case "no segments":
				if rec.Segments != nil {
					t.Errorf("segments %+v, want none: the checkpoint does not say who trained epoch 1", rec.Segments)
				}
			case "no data digests":
				if rec.Data != nil {
					t.Errorf("data digests %+v, want none: the checkpoint does not say what epoch 1 was trained on", rec.Data)
				}
			}
		})
	}
}

// TestEpochLR: each epoch records the learning rate it started at: the
// base rate for the first epoch of a cosine schedule, a lower one after.
func TestEpochLR(t *testing.T) {
	_, recs := runTiny(t, "ste", 2)
	r := recs[0]
	if base := r.Config.TrainLR(); r.Epochs[0].LR != base || !(r.Epochs[1].LR < base && r.Epochs[1].LR > 0) {
		t.Errorf("epochs' learning rates %v and %v, want %v and one below it", r.Epochs[0].LR, r.Epochs[1].LR, base)
	}
}

// TestKeepEpochsDivergedCell: a run that diverged in its first epoch,
// trained with KeepEpochs, trained no epoch whose weights it could keep:
// running its sweep again with KeepEpochs finds it done, not lacking the
// weights of the epoch it diverged in.
func TestKeepEpochsDivergedCell(t *testing.T) {
	s := tinySweep(t, "nantest", 1)
	s.Workload.Recipe.Epochs = 3
	dir, recs := runSweep(t, s, true)
	if recs[0].Status != StatusDiverged {
		t.Fatalf("status %s, want diverged", recs[0].Status)
	}
	if _, err := (&Runner{Dir: dir, KeepEpochs: true}).Run(context.Background(), s); err != nil {
		t.Errorf("Run with KeepEpochs again over a run that diverged in epoch 1: %v", err)
	}
}

// TestKeepEpochsCheckNoGap: what the check of KeepEpochs lets through. A
// checkpoint of another run at the cell's path is no gap: resume discards
// it and trains every epoch with KeepEpochs. Nor is a cell done with them
// whose lock a process that trains without them still holds (it wrote
// the record and has not yet let go).
func TestKeepEpochsCheckNoGap(t *testing.T) {
	s, c := tinyCell(t, "ste", 3)
	other := tinySweep(t, "fda", 1).Cells()[0].Key()
	dir := t.TempDir()
	interruptAfterFirstEpochKeep(t, dir, s, false)
	keep := &Runner{Dir: dir, KeepEpochs: true}
	editCheckpoint(t, keep, c, func(_ *checkpoint.State, ps *progressState) { ps.Key = other })
	if err := keep.checkKeepEpochs(context.Background(), []Cell{c}); err != nil {
		t.Errorf("KeepEpochs over another run's checkpoint: %v, want no gap", err)
	}

	dir, _ = runSweep(t, s, true)
	held, _, err := tryLock(dir, c.Key(), LockConfig{Heartbeat: time.Hour}, false)
	if err != nil || held == nil {
		t.Fatal(held, err)
	}
	defer held.release()
	if err := (&Runner{Dir: dir, KeepEpochs: true}).checkKeepEpochs(context.Background(), []Cell{c}); err != nil {
		t.Errorf("KeepEpochs over a cell done with them whose lock is still held without them: %v, want no gap", err)
	}
}

// TestRunCellRefusesBadRecord: RunCell refuses a cell whose record is
// there but unreadable (edited by hand), by name, and leaves it as it is,
// rather than training the cell again over it.
func TestRunCellRefusesBadRecord(t *testing.T) {
	_, c := tinyCell(t, "ste", 1)
	dir := t.TempDir()
	path := RecordPath(dir, c.Key())
	if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := (&Runner{Dir: dir}).RunCell(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "suite: record "+path+": it holds no run key") {
		t.Errorf("RunCell over an unreadable record: error %v, want it refused by name", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "{}" {
		t.Errorf("RunCell replaced the unreadable record with %q", b)
	}
}

// TestKeptEpochsErrorLongList: the error of --keep-epochs names at most 5
// cells and counts the others.
func TestKeptEpochsErrorLongList(t *testing.T) {
	cells := tinySweep(t, "ste", 1, 2, 3, 4, 5, 6, 7).Cells()
	var gaps []keptEpochsGap
	for _, c := range cells {
		gaps = append(gaps, keptEpochsGap{cell: c, how: "done", missing: []int{1}})
	}
	msg := fmt.Sprint(keptEpochsError("runs", gaps))
	for i, c := range cells {
		if named := strings.Contains(msg, c.Key()); named != (i < maxListedCells) {
			t.Errorf("cell %d of 7 named: %v, want the first %d named", i+1, named, maxListedCells)
		}
	}
	if !strings.Contains(msg, "; and 2 more; give a new --out") || !strings.Contains(msg, "7 cells in runs were trained without it") {
		t.Errorf("error %s\nwant 7 cells counted, 5 of them named and 2 more", msg)
	}
}

// TestRunCancelledReturnsFinished: a sweep cancelled after its first cell
// returns the error and the records finished so far, and only those: no
// empty entry for a cell it did not finish.
func TestRunCancelledReturnsFinished(t *testing.T) {
	s := tinySweep(t, "ste,fda", 1)
	s.Workload.Recipe.Epochs = 1
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &Runner{Dir: t.TempDir(), Progress: func(e Event) {
		if e.Kind == EventCellDone {
			cancel()
		}
	}}
	recs, err := r.Run(ctx, s)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run cancelled after its first cell: error %v, want context.Canceled", err)
	}
	if len(recs) != 1 || recs[0] == nil || recs[0].Config.Estimator != "ste" {
		t.Errorf("Run cancelled after its first cell returned %v, want the first cell's record alone", recs)
	}
}

// TestRunCellLockedRecordWithoutData: RunCellLocked returns the record of
// a finished cell before it loads any data, as a batch system's task for
// a cell already done must (the dataset may be absent on that host, or
// costly to load). The cell's dataset here cannot be opened: MNIST read
// from a data directory that holds none of its files, which is an error
// naming them, never a download. The record is returned, cached, with no
// error and nothing written beside it.
func TestRunCellLockedRecordWithoutData(t *testing.T) {
	ctx := context.Background()
	s := tinySweep(t, "ste", 1)
	s.Workload.Recipe.Dataset = "mnist"
	s.Workload.DataDir = t.TempDir()
	if _, _, err := OpenDataset(context.Background(), "mnist", s.Workload.DataDir); err == nil {
		t.Fatalf("MNIST opened from the empty data directory %s", s.Workload.DataDir)
	}
	c := s.Cells()[0]
	dir := t.TempDir()
	want := fakeRecord(&s.Workload, "ste", 1, 80)
	if err := WriteRecord(dir, want); err != nil {
		t.Fatal(err)
	}
	var kinds []EventKind
	r := &Runner{Dir: dir, Progress: func(e Event) { kinds = append(kinds, e.Kind) }}
	rec, err := r.RunCellLocked(ctx, c, LockConfig{})
	if err != nil || rec == nil || rec.Key != want.Key || rec.Final == nil || rec.Final.TestTop1 != want.Final.TestTop1 {
		t.Fatalf("RunCellLocked of a finished cell whose dataset cannot be opened: record %+v, error %v; want its record %s and no error", rec, err, want.Key)
	}
	if len(kinds) != 1 || kinds[0] != EventCached {
		t.Errorf("events %v, want one EventCached (%d)", kinds, EventCached)
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 1 {
		t.Errorf("the runs directory holds %d files (%v), want the record alone", len(ents), err)
	}
}

// TestCheckpointOfDoneCellRemoved: a process killed after a run's record
// was renamed into place but before its checkpoint was removed leaves
// both. The next Run, RunCell or RunCellLocked that finds the record
// removes the checkpoint, which nothing reads again; it had stayed for
// good, a file as large as the network and its optimizer's state for
// every such cell. Tried as a new user would: killed a run while it
// wrote its results.
func TestCheckpointOfDoneCellRemoved(t *testing.T) {
	s, c := tinyCell(t, "ste", 2)
	doneDir := t.TempDir()
	interruptAfterFirstEpoch(t, doneDir, s)
	ckpt, err := os.ReadFile(CheckpointPath(doneDir, c.Key()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&Runner{Dir: doneDir}).Run(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	for name, run := range map[string]func(r *Runner) error{
		"Run":           func(r *Runner) error { _, err := r.Run(context.Background(), s); return err },
		"RunCell":       func(r *Runner) error { _, err := r.RunCell(context.Background(), c); return err },
		"RunCellLocked": func(r *Runner) error { _, err := r.RunCellLocked(context.Background(), c, LockConfig{}); return err },
	} {
		dir := t.TempDir()
		for _, f := range []string{RecordPath(doneDir, c.Key()), WeightsPath(doneDir, c.Key())} {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(CheckpointPath(dir, c.Key()), ckpt, 0o644); err != nil {
			t.Fatal(err)
		}
		r := &Runner{Dir: dir, Progress: func(e Event) {
			if e.Kind == EventStep {
				t.Fatalf("%s: a finished run trained again", name)
			}
		}}
		if err := run(r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := os.Stat(CheckpointPath(dir, c.Key())); err == nil {
			t.Errorf("%s: the checkpoint of a run with a record is left behind", name)
		}

		// While a live process holds the cell's lock, it has just
		// written the record and removes the checkpoint itself: it is
		// left to it, without a note that would say it was stopped.
		if err := os.WriteFile(CheckpointPath(dir, c.Key()), ckpt, 0o644); err != nil {
			t.Fatal(err)
		}
		held, _, err := tryLock(dir, c.Key(), LockConfig{}, false)
		if err != nil || held == nil {
			t.Fatal(held, err)
		}
		r.Progress = func(e Event) {
			if e.Kind == EventNote && strings.Contains(e.Note, "checkpoint") || e.Kind == EventStep {
				t.Errorf("%s with the lock held: event %+v", name, e)
			}
		}
		err = run(r)
		held.release()
		if err != nil {
			t.Fatalf("%s with the lock held: %v", name, err)
		}
		if _, err := os.Stat(CheckpointPath(dir, c.Key())); err != nil {
			t.Errorf("%s removed the checkpoint of a cell whose lock a live process holds: %v", name, err)
		}
	}
}

// TestResumeRefusesCheckpointOfAnotherRun: a checkpoint named for one
// cell that holds another run's progress (copied or renamed by hand) is
// refused, naming it, the run it holds and what to do, and kept: it was
// deleted as unusable, losing the epochs the other run had trained, here
// one of the same seed, so of the same initial weights and network.
// Moved back to its run's name, that run resumes from it. Tried as a new
// user would: renamed a checkpoint to the key of another cell of the
// sweep and ran the sweep.
func TestResumeRefusesCheckpointOfAnotherRun(t *testing.T) {
	ste, c, fda, dir, own, misnamed := checkpointOfTwoRuns(t)
	if err := os.Rename(own, misnamed); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(misnamed)
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&Runner{Dir: dir}).Run(context.Background(), fda)
	if err == nil || !strings.Contains(err.Error(), "checkpoint "+misnamed+" holds the checkpoint of run "+c.Key()) || !strings.Contains(err.Error(), "move it to "+own) {
		t.Fatalf("Run of fda with ste's checkpoint under its name: error %v, want one naming the file, the run it holds and where it belongs", err)
	}
	if after, err := os.ReadFile(misnamed); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("the other run's checkpoint was not kept as it was (%v)", err)
	}
	if _, err := ReadRecord(dir, fda.Cells()[0].Key()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("fda has a record after the refusal (%v)", err)
	}
	if err := os.Rename(misnamed, own); err != nil {
		t.Fatal(err)
	}
	recs, err := (&Runner{Dir: dir}).Run(context.Background(), ste)
	if err != nil || recs[0].Resumes != 1 {
		t.Fatalf("ste with its checkpoint moved back: %v, want it resumed", err)
	}
}

// TestDoneCellKeepsCheckpointOfAnotherRun: a finished cell's checkpoint
// name that holds another run's progress (copied or renamed by hand) is
// kept, with a note naming the run it holds, where resume and Plan
// refuse it so: it was removed as the epoch checkpoint the finished run
// left, losing the epochs the other run had trained. Tried as a new user
// would: renamed a checkpoint to the key of a cell already recorded, then
// ran that cell's sweep again.
func TestDoneCellKeepsCheckpointOfAnotherRun(t *testing.T) {
	_, c, fda, dir, own, misnamed := checkpointOfTwoRuns(t)
	done := t.TempDir()
	if _, err := (&Runner{Dir: done}).Run(context.Background(), fda); err != nil {
		t.Fatal(err)
	}
	rec, err := os.ReadFile(RecordPath(done, fda.Cells()[0].Key()))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(RecordPath(dir, fda.Cells()[0].Key()), rec, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(own, misnamed); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(misnamed)
	if err != nil {
		t.Fatal(err)
	}
	r, notes := noteRunner(dir)
	if _, err := r.Run(context.Background(), fda); err != nil {
		t.Fatal(err)
	}
	if _, err := r.RunCellLocked(context.Background(), fda.Cells()[0], LockConfig{}); err != nil {
		t.Fatal(err)
	}
	if after, err := os.ReadFile(misnamed); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("the other run's checkpoint under the finished cell's name was not kept as it was (%v); notes %q", err, *notes)
	}
	if all := strings.Join(*notes, "\n"); !strings.Contains(all, "holds the checkpoint of run "+c.Key()) {
		t.Errorf("notes %q, want one naming the run the checkpoint holds", *notes)
	}
}
