package suite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradbench/gradbench/internal/dirtest"
	"github.com/gradbench/gradbench/nn/checkpoint"
)

// interruptAfterFirstEpochKeep is interruptAfterFirstEpoch with the
// runner's KeepEpochs set to keep.
func interruptAfterFirstEpochKeep(t *testing.T, dir string, s *Sweep, keep bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &Runner{Dir: dir, KeepEpochs: keep, Progress: func(e Event) {
		if e.Kind == EventEpoch && e.Epoch == 0 {
			cancel()
		}
	}}
	if _, err := r.Run(ctx, s); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Run error = %v, want context.Canceled", err)
	}
}

// TestKeepEpochsRefusesCellsTrainedWithout: with KeepEpochs, a cell done
// or to resume without the weights of the epochs it already trained is
// refused before anything trains, by Run, RunCell and RunCellLocked alike,
// naming each such cell; cells trained with KeepEpochs go on.
func TestKeepEpochsRefusesCellsTrainedWithout(t *testing.T) {
	ste, fda := tinySweep(t, "ste", 1), tinySweep(t, "fda", 1)
	ste.Workload.Recipe.Epochs, fda.Workload.Recipe.Epochs = 3, 3
	both := tinySweep(t, "ste,fda,approxsign", 1)
	both.Workload.Recipe.Epochs = 3
	steKey, fdaKey := ste.Cells()[0].Key(), fda.Cells()[0].Key()

	// Without KeepEpochs: ste done, fda interrupted after epoch 1.
	dir := t.TempDir()
	if _, err := (&Runner{Dir: dir}).Run(context.Background(), ste); err != nil {
		t.Fatal(err)
	}
	interruptAfterFirstEpochKeep(t, dir, fda, false)
	before := dirtest.Names(t, dir)
	keep := &Runner{Dir: dir, KeepEpochs: true}
	_, err := keep.Run(context.Background(), both)
	for _, want := range []string{
		"suite: --keep-epochs: 2 cells in " + dir + " were trained without it and lack the weights of epochs they already trained, which running again would not make: ",
		steKey + " (ste seed 1: done, no weights after epochs 1–2); ",
		fdaKey + " (fda seed 1: resumes after 1 epoch, no weights after epoch 1); ",
		"give a new --out to train them with --keep-epochs, or drop --keep-epochs",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Run with KeepEpochs: error %v, want one saying %q", err, want)
		}
	}
	if after := dirtest.Names(t, dir); !slices.Equal(before, after) {
		t.Errorf("the refused Run changed the runs directory: %v, was %v", after, before)
	}
	for name, run := range map[string]func(Cell) error{
		"RunCell":       func(c Cell) error { _, err := keep.RunCell(context.Background(), c); return err },
		"RunCellLocked": func(c Cell) error { _, err := keep.RunCellLocked(context.Background(), c, LockConfig{}); return err },
	} {
		for _, c := range []Cell{ste.Cells()[0], fda.Cells()[0]} {
			err := run(c)
			if want := "suite: --keep-epochs: a cell in " + dir + " was trained without it and lacks the weights of epochs it already trained, which running again would not make: " + c.Key() + " (" + c.String() + ": "; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s(%s) with KeepEpochs: error %v, want one saying %q", name, c, err, want)
			}
		}
	}
	if after := dirtest.Names(t, dir); !slices.Equal(before, after) {
		t.Errorf("the refused cells changed the runs directory: %v, was %v", after, before)
	}

	// With KeepEpochs from the start: the same sweep resumes and keeps
	// the weights of every epoch but the last.
	dir = t.TempDir()
	if _, err := (&Runner{Dir: dir, KeepEpochs: true}).Run(context.Background(), ste); err != nil {
		t.Fatal(err)
	}
	interruptAfterFirstEpochKeep(t, dir, fda, true)
	recs, err := (&Runner{Dir: dir, KeepEpochs: true}).Run(context.Background(), both)
	if err != nil {
		t.Fatalf("Run with KeepEpochs over cells trained with it: %v", err)
	}
	for _, rec := range recs {
		for e := 1; e <= 2; e++ {
			if _, err := os.Stat(EpochWeightsPath(dir, rec.Key, e)); err != nil {
				t.Errorf("%s: no weights after epoch %d: %v", rec.Config.Estimator, e, err)
			}
		}
	}
	if recs[1].Resumes != 1 {
		t.Errorf("fda resumed %d times, want 1", recs[1].Resumes)
	}
	// The last epoch's weights are the run's weights: one missing file
	// there is no gap.
	if _, err := os.Stat(filepath.Join(dir, steKey+".e3.weights")); err == nil {
		t.Errorf("KeepEpochs kept the last epoch's weights twice")
	}
}

func TestEpochRanges(t *testing.T) {
	for _, tt := range []struct {
		es   []int
		want string
	}{{[]int{1}, "1"}, {[]int{1, 2, 3}, "1–3"}, {[]int{1, 3, 4, 5, 7}, "1, 3–5, 7"}} {
		if got := epochRanges(tt.es); got != tt.want {
			t.Errorf("epochRanges(%v) = %q, want %q", tt.es, got, tt.want)
		}
	}
}

// TestKeepEpochsCheckpointOfOtherInit: a checkpoint trained without
// KeepEpochs from other initial weights than the run's (its progress's
// init hash differs: a build that initialised the network differently)
// is no gap, because resume discards it and trains every epoch; the check
// used to refuse it as a cell that resumes after its epoch 1. The same
// checkpoint with the run's init hash is still refused.
func TestKeepEpochsCheckpointOfOtherInit(t *testing.T) {
	s, c := tinyCell(t, "fda", 3)
	dir := t.TempDir()
	interruptAfterFirstEpochKeep(t, dir, s, false)
	keep := &Runner{Dir: dir, KeepEpochs: true}
	if err := keep.checkKeepEpochs(context.Background(), []Cell{c}); err == nil || !strings.Contains(err.Error(), "resumes after 1 epoch, no weights after epoch 1") {
		t.Fatalf("checkpoint of the run's initial weights: error %v, want the cell refused", err)
	}

	// Rewrite the checkpoint's init hash, as another build would have.
	editCheckpoint(t, keep, c, func(_ *checkpoint.State, ps *progressState) { ps.InitHash = "0123456789abcdef" })

	var notes []string
	keep.Progress = func(e Event) {
		if e.Kind == EventNote {
			notes = append(notes, e.Note)
		}
	}
	recs, err := keep.Run(context.Background(), s)
	if err != nil {
		t.Fatalf("Run with KeepEpochs over a checkpoint of other initial weights: %v", err)
	}
	if recs[0].Resumes != 0 || !strings.Contains(strings.Join(notes, "\n"), "discarding its checkpoint and starting over") {
		t.Errorf("the run resumed %d times (notes %q), want it to discard the checkpoint", recs[0].Resumes, notes)
	}
	for e := 1; e <= 2; e++ {
		if _, err := os.Stat(EpochWeightsPath(dir, c.Key(), e)); err != nil {
			t.Errorf("no weights after epoch %d: %v", e, err)
		}
	}
}

// editCheckpoint rewrites the epoch checkpoint of cell c in r.Dir with
// edit, which may change its state and its progress.
func editCheckpoint(t *testing.T, r *Runner, c Cell, edit func(st *checkpoint.State, ps *progressState)) {
	t.Helper()
	path := CheckpointPath(r.Dir, c.Key())
	p, err := r.load(context.Background(), c.Workload)
	if err != nil {
		t.Fatal(err)
	}
	ru, err := r.newRun(c, p, 1, new(int64), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer ru.close()
	st := &checkpoint.State{Net: ru.model.Net, Opt: ru.opt}
	if err := checkpoint.Load(path, st); err != nil {
		t.Fatal(err)
	}
	var ps progressState
	if err := json.Unmarshal(st.Extra["progress"], &ps); err != nil {
		t.Fatal(err)
	}
	edit(st, &ps)
	if st.Extra["progress"], err = json.Marshal(ps); err != nil {
		t.Fatal(err)
	}
	if err := saveState(path, st); err != nil {
		t.Fatal(err)
	}
}

// TestKeepEpochsRefusesCellTrainedNowWithout: with KeepEpochs, a cell
// without a record whose lock a live process holds without KeepEpochs
// (one that has written nothing else yet) is refused before anything
// trains, by Run, RunCell and RunCellLocked alike, naming the cell and its
// holder; they used to skip it as busy, train it unlocked, or wait for a
// record they would then refuse. runLocked refuses such a holder met
// after the check, in both of its modes.
func TestKeepEpochsRefusesCellTrainedNowWithout(t *testing.T) {
	s := tinySweep(t, "ste,fda", 1)
	cells := s.Cells()
	c := cells[1]
	dir := t.TempDir()
	lc := LockConfig{Heartbeat: 10 * time.Millisecond, Poll: 5 * time.Millisecond}
	held, _, err := tryLock(dir, c.Key(), lc, false)
	if err != nil || held == nil {
		t.Fatal(held, err)
	}
	defer held.release()
	before := dirtest.Names(t, dir)
	self := thisProcess()
	want := "suite: --keep-epochs: a cell in " + dir + " is being trained now by another process without it, which will not keep the weights of its epochs: " +
		c.Key() + " (fda seed 1: being trained now by " + self.String() + " without --keep-epochs); give a new --out to train it with --keep-epochs, or drop --keep-epochs"

	// A timeout, so that a runner that waits for the holder fails.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	keep := &Runner{Dir: dir, KeepEpochs: true, Lock: lc}
	for name, run := range map[string]func() error{
		"Run":           func() error { _, err := keep.Run(ctx, s); return err },
		"RunCell":       func() error { _, err := keep.RunCell(ctx, c); return err },
		"RunCellLocked": func() error { _, err := keep.RunCellLocked(ctx, c, lc); return err },
	} {
		if err := run(); err == nil || err.Error() != want {
			t.Errorf("%s with KeepEpochs while %s trains the cell without it: error %v, want %q", name, &self, err, want)
		}
	}
	if after := dirtest.Names(t, dir); !slices.Equal(before, after) {
		t.Errorf("the refused runs changed the runs directory: %v, was %v", after, before)
	}

	// A holder that took the lock after the check.
	for _, wait := range []bool{false, true} {
		train := func() (*Record, error) {
			t.Errorf("runLocked(wait %v) trained a cell held by another process", wait)
			return nil, nil
		}
		cached := func(*Record) { t.Errorf("runLocked(wait %v) found a record", wait) }
		_, busy, err := keep.runLocked(ctx, c, lc, wait, train, cached)
		if err == nil || err.Error() != want || busy {
			t.Errorf("runLocked(wait %v) with KeepEpochs while %s trains the cell without it: busy %v, error %v; want %q", wait, &self, busy, err, want)
		}
	}
	if after := dirtest.Names(t, dir); !slices.Equal(before, after) {
		t.Errorf("runLocked changed the runs directory: %v, was %v", after, before)
	}
}

// TestKeepEpochsLockHolders: which holders of a cell's lock the check of
// KeepEpochs refuses. A live holder without KeepEpochs is refused, also
// one from a build before locks said so (no keep_epochs: it cannot be
// shown to keep them); a holder with KeepEpochs, a stale lock (judged by
// the runner's LockConfig) and a lock file not yet written are not.
func TestKeepEpochsLockHolders(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	c := s.Cells()[0]
	self := thisProcess()
	self.Key, self.Token = c.Key(), "0123456789abcdef"
	withKeep := self
	withKeep.KeepEpochs = true
	other := self
	other.Host += "-elsewhere"
	dead := self
	dead.PID, dead.ProcStart = deadPID(t), ""
	now := time.Now()
	older := func(info LockInfo) []byte {
		return fmt.Appendf(nil, `{"key":%q,"host":%q,"pid":%d,"proc_start":%q,"token":%q,"acquired":"2026-11-26T10:00:00Z"}`+"\n",
			info.Key, info.Host, info.PID, info.ProcStart, info.Token)
	}
	tests := []struct {
		name    string
		info    LockInfo // the holder
		raw     []byte   // the lock file, if not info as JSON
		beat    time.Time
		lock    LockConfig // the runner's
		refused bool
	}{
		{name: "live, without KeepEpochs", info: self, beat: now, refused: true},
		{name: "live, with KeepEpochs", info: withKeep, beat: now},
		{name: "live, from a build before keep_epochs", info: self, raw: older(self), beat: now, refused: true},
		{name: "other host, fresh", info: other, beat: now.Add(-time.Minute), refused: true},
		{name: "other host, silent for longer than StaleAfter", info: other, beat: now.Add(-3 * time.Minute)},
		{name: "other host, silent for less than the runner's StaleAfter", info: other, beat: now.Add(-3 * time.Minute), lock: LockConfig{StaleAfter: time.Hour}, refused: true},
		{name: "dead holder on this host", info: dead, beat: now},
		{name: "created but not yet written", raw: []byte{}, beat: now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.info.PID == dead.PID && procStart(self.PID) == "" && !killTellsGone {
				t.Skip("no /proc nor kill: only the heartbeat tells that a holder is gone")
			}
			dir := t.TempDir()
			if tt.raw != nil {
				path := LockPath(dir, c.Key())
				if err := os.WriteFile(path, tt.raw, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(path, tt.beat, tt.beat); err != nil {
					t.Fatal(err)
				}
			} else {
				writeLock(t, dir, c.Key(), tt.info, tt.beat)
			}
			r := &Runner{Dir: dir, KeepEpochs: true, Lock: tt.lock}
			err := r.checkKeepEpochs(context.Background(), []Cell{c})
			if want := c.Key() + " (ste seed 1: being trained now by " + (&tt.info).String() + " without --keep-epochs)"; tt.refused && (err == nil || !strings.Contains(err.Error(), want)) {
				t.Errorf("error %v, want one saying %q", err, want)
			} else if !tt.refused && err != nil {
				t.Errorf("refused: %v", err)
			}
			// Without KeepEpochs nothing is refused.
			if err := (&Runner{Dir: dir, Lock: tt.lock}).checkKeepEpochs(context.Background(), []Cell{c}); err != nil {
				t.Errorf("without KeepEpochs: %v", err)
			}
		})
	}
}

// TestKeepEpochsWaitsForHolderWithIt: with KeepEpochs, a cell whose lock a
// live process holds with KeepEpochs too is no gap: RunCellLocked waits
// for the holder and, when it ends without a record, takes the lock over
// and trains the cell, keeping its epochs. A lock file not yet written is
// waited for in the same way, and Run's first pass leaves the cell busy.
func TestKeepEpochsWaitsForHolderWithIt(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	c := s.Cells()[0]
	dir := t.TempDir()
	lc := LockConfig{Heartbeat: 10 * time.Millisecond, Poll: 5 * time.Millisecond}

	if err := os.WriteFile(LockPath(dir, c.Key()), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	keep := &Runner{Dir: dir, KeepEpochs: true, Lock: lc}
	fail := func() (*Record, error) { t.Error("runLocked trained a cell held by another process"); return nil, nil }
	if _, busy, err := keep.runLocked(context.Background(), c, lc, false, fail, func(*Record) {}); err != nil || !busy {
		t.Errorf("runLocked(no wait) over a lock file not yet written: busy %v, %v; want the cell busy", busy, err)
	}
	os.Remove(LockPath(dir, c.Key()))

	held, _, err := tryLock(dir, c.Key(), lc, true)
	if err != nil || held == nil {
		t.Fatal(held, err)
	}
	if err := keep.checkKeepEpochs(context.Background(), []Cell{c}); err != nil {
		t.Fatalf("a holder with KeepEpochs refused: %v", err)
	}
	waiting := make(chan struct{})
	var once sync.Once
	keep.Progress = func(e Event) {
		if e.Kind == EventNote && strings.Contains(e.Note, "is training it") {
			once.Do(func() { close(waiting) })
		}
	}
	go func() {
		<-waiting
		held.release()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rec, err := keep.RunCellLocked(ctx, c, lc)
	if err != nil {
		t.Fatalf("RunCellLocked with KeepEpochs while a holder with it trains the cell: %v", err)
	}
	if _, err := os.Stat(EpochWeightsPath(dir, rec.Key, 1)); err != nil {
		t.Errorf("no weights after epoch 1: %v", err)
	}
}

// TestKeptEpochsErrorHolders: the error's opening sentence fits what it
// lists: cells trained without KeepEpochs, cells trained now without it,
// or both.
func TestKeptEpochsErrorHolders(t *testing.T) {
	cells := tinySweep(t, "ste", 1, 2, 3, 4, 5, 6, 7).Cells()
	h := &LockInfo{Host: "node7", PID: 4242, Token: "t"}
	trained := func(c Cell) keptEpochsGap { return keptEpochsGap{cell: c, how: "done", missing: []int{1}} }
	held := func(c Cell) keptEpochsGap { return keptEpochsGap{cell: c, holder: h} }
	for _, tt := range []struct {
		gaps []keptEpochsGap
		want string
	}{
		{[]keptEpochsGap{held(cells[0]), held(cells[1])},
			"suite: --keep-epochs: 2 cells in d are being trained now by other processes without it, which will not keep the weights of their epochs: " +
				cells[0].Key() + " (ste seed 1: being trained now by node7 pid 4242 without --keep-epochs); " +
				cells[1].Key() + " (ste seed 2: being trained now by node7 pid 4242 without --keep-epochs); give a new --out to train them with --keep-epochs, or drop --keep-epochs"},
		{[]keptEpochsGap{trained(cells[0]), held(cells[1])},
			"suite: --keep-epochs: 2 cells in d were trained without it, or are being trained now by other processes without it, and lack the weights of epochs they trained or will train, which running again would not make: " +
				cells[0].Key() + " (ste seed 1: done, no weights after epoch 1); " +
				cells[1].Key() + " (ste seed 2: being trained now by node7 pid 4242 without --keep-epochs); give a new --out to train them with --keep-epochs, or drop --keep-epochs"},
		// A holder past the cells listed still counts.
		{[]keptEpochsGap{trained(cells[0]), trained(cells[1]), trained(cells[2]), trained(cells[3]), trained(cells[4]), trained(cells[5]), held(cells[6])},
			"suite: --keep-epochs: 7 cells in d were trained without it, or are being trained now"},
	} {
		if err := keptEpochsError("d", tt.gaps); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("keptEpochsError = %v, want %q", err, tt.want)
		}
	}
}

// TestKeepEpochsWeightsBeforeCheckpoint: with KeepEpochs, a run stopped
// between an epoch's checkpoint and that epoch's weights (killed, or its
// weights write failing) resumes with KeepEpochs and ends with the
// numbers and weights of an uninterrupted run. Written checkpoint first,
// the checkpoint claimed an epoch whose weights were never written, and
// the cell was refused as one "trained without" KeepEpochs, which it was
// not. Tried as a new user would: killed a --keep-epochs run, ran it
// again.
func TestKeepEpochsWeightsBeforeCheckpoint(t *testing.T) {
	s, c := tinyCell(t, "ste", 3)
	key := c.Key()
	wholeDir := t.TempDir()
	whole, err := (&Runner{Dir: wholeDir, KeepEpochs: true}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}

	// Block the weights after epoch 1 once training has begun (after the
	// runner has cleared an earlier attempt's files): a directory that
	// is not empty cannot be replaced by a file.
	dir := t.TempDir()
	blocker := EpochWeightsPath(dir, key, 1)
	blocked := false
	r := &Runner{Dir: dir, KeepEpochs: true, Progress: func(e Event) {
		if e.Kind == EventStep && !blocked {
			blocked = true
			if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}}
	if _, err := r.Run(context.Background(), s); err == nil || !strings.Contains(err.Error(), blocker) {
		t.Fatalf("Run with the weights after epoch 1 blocked: error %v, want one naming %s", err, blocker)
	}
	if err := os.RemoveAll(blocker); err != nil {
		t.Fatal(err)
	}

	resumed, err := (&Runner{Dir: dir, KeepEpochs: true}).Run(context.Background(), s)
	if err != nil {
		t.Fatalf("Run with KeepEpochs after a stop between an epoch's checkpoint and its weights: %v", err)
	}
	if d := sameNumbers(whole[0], resumed[0]); d != "" {
		t.Errorf("the run differs from an uninterrupted one in %s", d)
	}
	for _, name := range []string{key + ".e1.weights", key + ".e2.weights", key + ".weights"} {
		a, errA := os.ReadFile(filepath.Join(wholeDir, name))
		b, errB := os.ReadFile(filepath.Join(dir, name))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: differs from an uninterrupted run's (errors %v, %v)", name, errA, errB)
		}
	}
}
