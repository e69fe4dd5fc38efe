package suite

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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

// dirNames lists the files of dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
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
	before := dirNames(t, dir)
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
	if after := dirNames(t, dir); !slices.Equal(before, after) {
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
	if after := dirNames(t, dir); !slices.Equal(before, after) {
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
	s := tinySweep(t, "fda", 1)
	s.Workload.Recipe.Epochs = 3
	c := s.Cells()[0]
	dir := t.TempDir()
	interruptAfterFirstEpochKeep(t, dir, s, false)
	keep := &Runner{Dir: dir, KeepEpochs: true}
	if err := keep.checkKeepEpochs(context.Background(), []Cell{c}); err == nil || !strings.Contains(err.Error(), "resumes after 1 epoch, no weights after epoch 1") {
		t.Fatalf("checkpoint of the run's initial weights: error %v, want the cell refused", err)
	}

	// Rewrite the checkpoint's init hash, as another build would have.
	path := CheckpointPath(dir, c.Key())
	p, err := keep.load(context.Background(), c.Workload)
	if err != nil {
		t.Fatal(err)
	}
	ru, err := keep.newRun(c, p, 1, new(int), 1)
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
	ps.InitHash = "0123456789abcdef"
	if st.Extra["progress"], err = json.Marshal(ps); err != nil {
		t.Fatal(err)
	}
	if err := saveState(path, st); err != nil {
		t.Fatal(err)
	}

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
