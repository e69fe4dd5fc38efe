package suite

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestPlanRefusesWhatRunRefuses: a cell without a record whose lock's
// name holds a directory or a link (one that leads nowhere, or a loop),
// or whose checkpoint's or final weights' name holds a directory, is
// refused by Plan with the error Run gives before it trains the cell.
// Plan listed such a cell as pending, or with a directory at the
// checkpoint's name as resumable, while run refused it at once. Tried as
// a new user would: plan, then run, of a runs directory so damaged.
func TestPlanRefusesWhatRunRefuses(t *testing.T) {
	s, c := tinyCell(t, "ste", 2)
	key := c.Key()
	for name, tc := range map[string]struct {
		path func(dir string) string
		make func(path string) error
	}{
		"lock directory":       {func(d string) string { return LockPath(d, key) }, mkdirWithFile},
		"lock dangling link":   {func(d string) string { return LockPath(d, key) }, func(p string) error { return os.Symlink("/nonexistent/gradbench.lock", p) }},
		"lock loop":            {func(d string) string { return LockPath(d, key) }, linkToItself},
		"checkpoint directory": {func(d string) string { return CheckpointPath(d, key) }, mkdirWithFile},
		"weights directory":    {func(d string) string { return WeightsPath(d, key) }, mkdirWithFile},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := tc.make(tc.path(dir)); err != nil {
				t.Skipf("cannot make it here: %v", err)
			}
			states, planErr := s.Plan(dir)
			trained := false
			r := &Runner{Dir: dir, Progress: func(e Event) { trained = trained || e.Kind == EventStep || e.Kind == EventEpoch }}
			_, runErr := r.Run(context.Background(), s)
			if runErr == nil || trained {
				t.Fatalf("Run: error %v, trained %v; want a refusal before training", runErr, trained)
			}
			if planErr == nil || planErr.Error() != runErr.Error() {
				var state string
				if len(states) > 0 {
					state = states[0].State
				}
				t.Errorf("Plan: state %q, error %v\nwant Run's: %v", state, planErr, runErr)
			}
		})
	}
}

// TestPlanRefusesCheckpointOfAnotherRun: a cell whose checkpoint holds
// another run's progress (copied or renamed by hand) is refused by Plan
// and Slurm with the error Run gives when it comes to the cell, naming
// the file, the run it holds and where that run would resume from it:
// Plan listed the cell as resumable, and Slurm planned an array task for
// it that failed. Also when the file is damaged in its values (Plan does
// not read them): Run, which does, refuses it alike. Moved back under its
// own run's name, the checkpoint is listed as resumable; cut short, under
// either name, it is listed as resumable as before, and Run discards it.
// Tried as a new user would: renamed a checkpoint to the key of another
// cell of the sweep, then plan, slurm and run.
func TestPlanRefusesCheckpointOfAnotherRun(t *testing.T) {
	ste, c, fda, dir, own, misnamed := checkpointOfTwoRuns(t)
	good, err := os.ReadFile(own)
	if err != nil {
		t.Fatal(err)
	}
	slurm := func(s *Sweep) (*SlurmJobs, error) {
		return (&Runner{}).Slurm(context.Background(), SlurmSpec{Sweep: s, Exe: os.Args[0], Out: dir, Options: SlurmOptions{JobName: "gradbench"}})
	}
	state := func(s *Sweep) string {
		t.Helper()
		states, err := s.Plan(dir)
		if err != nil {
			t.Fatalf("Plan: %v", err)
		}
		return states[0].State
	}
	write := func(path string, data []byte) {
		t.Helper()
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(own); err != nil {
		t.Fatal(err)
	}
	damaged := slices.Clone(good)
	damaged[len(damaged)/2] ^= 1
	for name, data := range map[string][]byte{"as written": good, "damaged in its values": damaged} {
		write(misnamed, data)
		_, planErr := fda.Plan(dir)
		_, slurmErr := slurm(fda)
		_, runErr := (&Runner{Dir: dir}).Run(context.Background(), fda)
		if runErr == nil || !strings.Contains(runErr.Error(), "checkpoint "+misnamed+" holds the checkpoint of run "+c.Key()) || !strings.Contains(runErr.Error(), "move it to "+own) {
			t.Fatalf("%s: Run of fda with ste's checkpoint under its name: error %v, want one naming the file, the run it holds and where it belongs", name, runErr)
		}
		for cmd, err := range map[string]error{"Plan": planErr, "Slurm": slurmErr} {
			if err == nil || err.Error() != runErr.Error() {
				t.Errorf("%s: %s: error %v\nwant Run's: %v", name, cmd, err, runErr)
			}
		}
		if after, err := os.ReadFile(misnamed); err != nil || !bytes.Equal(after, data) {
			t.Errorf("%s: the other run's checkpoint was not kept as it was (%v)", name, err)
		}
	}

	if err := os.Rename(misnamed, own); err != nil {
		t.Fatal(err)
	}
	write(own, good)
	if got := state(ste); got != CellResumable {
		t.Errorf("ste with its own checkpoint: %s, want %s", got, CellResumable)
	}
	if j, err := slurm(ste); err != nil || len(j.Pending) != 1 || j.Pending[0].State != CellResumable {
		t.Errorf("Slurm of ste with its own checkpoint: %+v, %v; want its one cell resumable", j, err)
	}

	// Cut short, a checkpoint does not say whose it is: Plan lists it as
	// resumable under either name, and Run discards it.
	write(own, good[:len(good)/2])
	write(misnamed, good[:len(good)-1])
	for _, s := range []*Sweep{ste, fda} {
		if got := state(s); got != CellResumable {
			t.Errorf("%s with a checkpoint cut short: %s, want %s", s.Cells()[0], got, CellResumable)
		}
		var discarded bool
		r := &Runner{Dir: dir, Progress: func(e Event) {
			discarded = discarded || e.Kind == EventNote && strings.Contains(e.Note, "discarding its checkpoint")
		}}
		if recs, err := r.Run(context.Background(), s); err != nil || !discarded || recs[0].Resumes != 0 {
			t.Errorf("Run of %s with a checkpoint cut short: %v (discarded: %v), want it discarded and the run trained", s.Cells()[0], err, discarded)
		}
	}
}
