package suite

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestRunnerRefusesEmptyDir: a Runner whose Dir is "" is refused by Run,
// RunCell and RunCellLocked before anything trains, rather than writing
// records, checkpoints and locks into the working directory.
func TestRunnerRefusesEmptyDir(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	s.Workload.Recipe.Epochs = 1
	c := s.Cells()[0]
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
