package suite

import (
	"context"
	"os"
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
