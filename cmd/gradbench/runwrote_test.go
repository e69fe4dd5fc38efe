package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/suite"
)

// TestRunSaysWhatKeepEpochsKept: run --keep-epochs names, in its final
// "wrote" line, the weights it kept after each epoch besides the table,
// curves and bench (tried as a new user would: they went unsaid), and
// --quiet keeps the line off stderr.
func TestRunSaysWhatKeepEpochsKept(t *testing.T) {
	dir, recipe, out := tinyWorkdir(t) // 2 epochs: weights after epoch 1
	_, stderr := gradbenchOK(t, "run", "--out", out, "--recipe", recipe, "--estimators", "ste", "--keep-epochs")
	recs, err := suite.ReadRecords(out)
	if err != nil || len(recs) != 1 {
		t.Fatalf("records: %v, %v", recs, err)
	}
	if _, err := os.Stat(suite.EpochWeightsPath(out, recs[0].Key, 1)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := lines[len(lines)-1]
	for _, want := range []string{
		"wrote " + filepath.Join(out, suite.TableFile) + ", ",
		" and 1 epoch weights file of --keep-epochs, " + filepath.Join(out, "<key>.e<epoch>.weights") + " (compare with: ",
	} {
		if !strings.Contains(last, want) {
			t.Errorf("run --keep-epochs ends with\n%s\nwant it to contain %q", last, want)
		}
	}
	// Without --keep-epochs the line names no weights.
	out2 := filepath.Join(dir, "runs2")
	if _, stderr, err := runGradbench(t, "run", "--out", out2, "--recipe", recipe, "--estimators", "ste"); err != nil || strings.Contains(stderr, "weights") {
		t.Errorf("run without --keep-epochs: %v, stderr:\n%s", err, stderr)
	}
	// trainOne fails on anything --quiet prints on stderr.
	trainOne(t, filepath.Join(dir, "quiet"), "--recipe", recipe, "--estimators", "ste", "--keep-epochs")
}
