package suite

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestRunPrintsEstimate checks that Run says how long it expects the
// sweep to take before it trains: from timed steps in an empty directory,
// from the finished runs of the same workload and estimator when there
// are some, and that nothing is left when every cell has a record.
func TestRunPrintsEstimate(t *testing.T) {
	s := tinySweep(t, "ste,fda", 1)
	s.Workload.Recipe.Epochs = 1
	dir := t.TempDir()
	run := func() []string {
		r, notes := noteRunner(dir)
		recs, err := r.Run(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 {
			t.Fatalf("%d records, want 2", len(recs))
		}
		return *notes
	}
	notes := run()
	if len(notes) == 0 || !strings.HasPrefix(notes[0], "expected: ") || !strings.Contains(notes[0], " for the 2 of 2 cells still to train (3 training steps timed") {
		t.Fatalf("first run's notes %q, want the estimate from timed steps first", notes)
	}
	if notes := run(); len(notes) == 0 || notes[0] != "expected: nothing to train, every one of the 2 cells has a record" {
		t.Errorf("second run's notes %q, want nothing to train", notes)
	}
	// fda's seed 2 has no record, seed 1's gives its time.
	s2 := tinySweep(t, "fda", 2)
	s2.Workload.Recipe.Epochs = 1
	est, err := (&Runner{Dir: dir}).Estimate(context.Background(), s2)
	if err != nil {
		t.Fatal(err)
	}
	if est.Pending != 1 || !strings.Contains(est.String(), "from the seconds per epoch of the finished runs of the same workload and estimator") {
		t.Errorf("estimate %q with fda's seed 1 recorded, want seed 2's from that record", est)
	}
}

// TestEstimateString: the expected time is said once, in the form of the
// rest of gradbench's output (a Go duration, as the progress bar's ETA and
// fidelity's "expected 5s"). It was said twice, "about 56s (56 s)", and
// below a second as "about a second (0 s)", the words and the number at
// odds.
func TestEstimateString(t *testing.T) {
	for _, tc := range []struct {
		total time.Duration
		want  string
	}{
		{400 * time.Millisecond, "expected: under a second for the 1 of 2 cells"},
		{4200 * time.Millisecond, "expected: about 4s for the 1 of 2 cells"},
		{56 * time.Second, "expected: about 56s for the 1 of 2 cells"},
		{95 * time.Second, "expected: about 1m35s for the 1 of 2 cells"},
		{5012 * time.Second, "expected: about 1h24m for the 1 of 2 cells"},
		// Just under an hour rounds to one, said in minutes as the
		// other hours are, not "about 1h0m0s".
		{time.Hour - 300*time.Millisecond, "expected: about 1h0m for the 1 of 2 cells"},
	} {
		got := Estimate{Cells: 2, Pending: 1, Total: tc.total, Basis: "b"}.String()
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%v: %q, want it to begin %q", tc.total, got, tc.want)
		}
	}
	held := Estimate{Cells: 3, Pending: 1, Held: 2, Total: 56 * time.Second, Basis: "b"}.String()
	if want := "expected: about 56s for the 1 of 3 cells still to train that no other process is training (b); 2 cells"; !strings.HasPrefix(held, want) {
		t.Errorf("with held cells: %q, want it to begin %q", held, want)
	}
}

// TestEstimateResumedCell: a cell with an epoch checkpoint was counted
// whole, so resuming an interrupted run announced the time of the whole
// run (an fmnist-10 run stopped after 9 of its 10 epochs announced ten
// epochs). It counts for the epochs it has left.
func TestEstimateResumedCell(t *testing.T) {
	dir := t.TempDir()
	done := tinySweep(t, "fda", 1)
	done.Workload.Recipe.Epochs = 3
	recs, err := (&Runner{Dir: dir}).Run(context.Background(), done)
	if err != nil {
		t.Fatal(err)
	}
	s := tinySweep(t, "fda", 2)
	s.Workload.Recipe.Epochs = 3
	interruptAfterFirstEpoch(t, dir, s)
	est, err := (&Runner{Dir: dir}).Estimate(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	// From seed 1's record: its seconds per epoch, for the 2 epochs left.
	want := 2 * time.Duration(recs[0].Final.SecondsPerEpoch*float64(time.Second))
	if est.Pending != 1 || est.Total != want {
		t.Errorf("estimate %v for %d pending cells, want %v (2 of 3 epochs at seed 1's %.3f s/epoch) for 1", est.Total, est.Pending, want, recs[0].Final.SecondsPerEpoch)
	}
	if !strings.Contains(est.String(), "1 cell resumes from its epoch checkpoint and counts for the epochs it has left") {
		t.Errorf("estimate %q does not say that the cell resumes", est)
	}
}

// TestEstimateLeavesHeldCells: a cell whose lock another live process
// holds is not counted in the time expected, since Run leaves it to that
// process and waits for its record; the estimate says it is left out. It
// used to be counted with the cells this process trains. A stale lock
// does not hold its cell.
func TestEstimateLeavesHeldCells(t *testing.T) {
	s := tinySweep(t, "ste,fda", 1)
	s.Workload.Recipe.Epochs = 1
	dir := t.TempDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cells := s.Cells()
	live := LockInfo{Host: "node7", PID: 4242, Token: "t", Acquired: time.Now()}
	writeLock(t, dir, cells[0].Key(), live, time.Now())
	est, err := (&Runner{Dir: dir}).Estimate(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if got := est.String(); est.Pending != 1 || !strings.Contains(got, "for the 1 of 2 cells still to train that no other process is training (") ||
		!strings.HasSuffix(got, "; 1 cell is being trained by another process (a live lock), not counted here: a run waits for its record") {
		t.Errorf("one cell held: estimate %q for %d cells, want 1 counted and the held one named", got, est.Pending)
	}
	writeLock(t, dir, cells[1].Key(), live, time.Now())
	est, err = (&Runner{Dir: dir}).Estimate(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	want := "expected: nothing to train of the 2 cells but what other processes are training: 2 cells are being trained by other processes (live locks), not counted here: a run waits for their records"
	if got := est.String(); est.Pending != 0 || got != want {
		t.Errorf("both cells held: estimate %q, want %q", got, want)
	}
	// Stale: untouched for longer than StaleAfter.
	old := time.Now().Add(-time.Hour)
	writeLock(t, dir, cells[0].Key(), live, old)
	writeLock(t, dir, cells[1].Key(), live, old)
	est, err = (&Runner{Dir: dir}).Estimate(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if got := est.String(); est.Pending != 2 || !strings.Contains(got, "for the 2 of 2 cells still to train (") {
		t.Errorf("stale locks: estimate %q, want both cells counted", got)
	}
}
