package main

import (
	"bytes"
	"context"
	"testing"
)

// TestRunInterruptedCounts: gradbench run stopped by Ctrl-C (its context
// canceled) says how many runs of the sweep have a record in --out and
// that the same command resumes. It counted only the runs the sweep had
// reached (0 when stopped while it loaded the data, though an earlier
// command had recorded some), and pointed to gradbench table for the
// finished runs also when there were none, where that command only says
// there are no records.
func TestRunInterruptedCounts(t *testing.T) {
	dir, runs, _ := trainTiny(t, "--estimators", "ste")
	recipe := writeRecipe(t, dir, tinyRecipe)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		estimators, want string
	}{
		{"fda", "interrupted after 0 of 1 runs; run the same command again to resume"},
		{"ste,fda", "interrupted after 1 of 2 runs; run the same command again to resume (gradbench table --runs " + runs + " shows the finished ones)"},
	} {
		var stdout, stderr bytes.Buffer
		err := gradbench(ctx, &cmdEnv{stdout: &stdout, stderr: &stderr}, []string{"run", "--quiet", "--recipe", recipe, "--estimators", tc.estimators, "--out", runs})
		if err == nil || err.Error() != tc.want {
			t.Errorf("run --estimators %s with its context canceled: %v, want %q", tc.estimators, err, tc.want)
		}
	}
}
