package main

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/gradbench/gradbench/suite"
)

// TestRunInterruptedCounts: gradbench run stopped by Ctrl-C (its context
// canceled) says how many runs of the sweep have a record in --out and
// that the same command resumes. It counted only the runs the sweep had
// reached (0 when stopped while it loaded the data, though an earlier
// command had recorded some), and pointed to gradbench table for the
// finished runs also when there were none, where that command only says
// there are no records. A run stopped part-way, whose checkpoint keeps its
// finished epochs, is named too: "interrupted after 0 of 1 runs" alone,
// after a run had shown several epochs, read as if they were lost.
func TestRunInterruptedCounts(t *testing.T) {
	dir, runs, _ := trainTiny(t, "--estimators", "ste")
	recipe := writeRecipe(t, dir, tinyRecipe)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		estimators, want string
		partway          []string // specs whose cell has a checkpoint
	}{
		{"fda", "interrupted after 0 of 1 runs; run the same command again to resume", nil},
		{"ste,fda", "interrupted after 1 of 2 runs; run the same command again to resume (gradbench table --runs " + runs + " shows the finished ones)", nil},
		{"ste,fda", "interrupted after 1 of 2 runs; 1 more stopped part-way keeps its finished epochs in its checkpoint; run the same command again to resume (gradbench table --runs " + runs + " shows the finished ones)", []string{"fda"}},
		{"approxsign,dsq", "interrupted after 0 of 2 runs; 2 more stopped part-way keep their finished epochs in their checkpoints; run the same command again to resume", []string{"approxsign", "dsq"}},
	} {
		// A placeholder: Plan reads a checkpoint only for the run
		// it names, and this one names none.
		var ckpts []string
		for _, spec := range tc.partway {
			cells := planJSON(t, "--quiet", "--recipe", recipe, "--estimators", spec, "--out", runs)
			ckpt := suite.CheckpointPath(runs, cells[0].Key)
			if err := os.WriteFile(ckpt, []byte("placeholder"), 0o644); err != nil {
				t.Fatal(err)
			}
			ckpts = append(ckpts, ckpt)
		}
		var stdout, stderr bytes.Buffer
		err := gradbench(ctx, &cmdEnv{stdout: &stdout, stderr: &stderr}, []string{"run", "--quiet", "--recipe", recipe, "--estimators", tc.estimators, "--out", runs})
		if err == nil || err.Error() != tc.want {
			t.Errorf("run --estimators %s with its context canceled: %v, want %q", tc.estimators, err, tc.want)
		}
		for _, ckpt := range ckpts {
			if err := os.Remove(ckpt); err != nil {
				t.Fatal(err)
			}
		}
	}
}
