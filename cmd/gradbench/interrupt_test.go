package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gradbench/gradbench/suite"
)

// TestFidelityInterrupted: gradbench fidelity stopped by Ctrl-C (its
// context canceled) says it was interrupted and that nothing was
// written, not a bare "context canceled", and writes none of its files.
func TestFidelityInterrupted(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste")
	out := filepath.Join(dir, "fid")
	interrupted(t, "fidelity interrupted: it keeps no partial measurement, so nothing was written; run the same command again to measure from the start",
		"fidelity", "--quiet", "--run", suite.RecordPath(runs, rec.Key),
		"--estimators", "ste", "--batch", "16", "--sample", "4", "--bootstrap", "200", "--out", out)
	for _, name := range suite.FidelityFiles {
		if _, err := os.Stat(filepath.Join(out, name)); err == nil {
			t.Errorf("an interrupted fidelity wrote %s", name)
		}
	}
}

// TestExportInterrupted: gradbench export stopped by Ctrl-C (its context
// canceled) says so and writes no model file. It took no context: the
// dataset it loads (a download, an image folder to decode) could not be
// interrupted, and once loaded it wrote the model file as if not asked to
// stop.
func TestExportInterrupted(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste")
	model := filepath.Join(dir, "m.gbnn")
	interrupted(t, "export interrupted: no model file was written; run the same command again to export the run",
		"export", "--run", suite.RecordPath(runs, rec.Key), "--out", model)
	if _, err := os.Stat(model); err == nil {
		t.Errorf("an interrupted export wrote %s", model)
	}
}

// TestEvalInterrupted: gradbench eval stopped by Ctrl-C says it was
// interrupted and prints no table, not "suite: eval: context canceled".
func TestEvalInterrupted(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste")
	model := filepath.Join(dir, "m.gbnn")
	gradbenchOK(t, "export", "--run", suite.RecordPath(runs, rec.Key), "--out", model)
	interrupted(t, "eval interrupted: it reports only a whole evaluation, so nothing was printed; run the same command again to evaluate from the start",
		"eval", "--model", model)
}

// interrupted runs gradbench with args as if stopped by Ctrl-C before it
// began (its context canceled), and checks that it fails with the error
// want and prints nothing on standard output (no table or summary of
// work it did not finish).
func interrupted(t *testing.T, want string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	err := gradbench(ctx, &cmdEnv{stdout: &stdout, stderr: &stderr}, args)
	if err == nil || err.Error() != want {
		t.Errorf("%s with its context canceled: %v, want %q", args[0], err, want)
	}
	if stdout.Len() != 0 {
		t.Errorf("an interrupted %s printed on standard output:\n%s", args[0], stdout.String())
	}
}
