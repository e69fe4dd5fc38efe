package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestFidelityLogLines: where stderr is no terminal (a log file, a Slurm
// task's log), fidelity printed the expected time at the start and one
// line at the end, minutes apart. Each finished unit of work now gets a
// permanent line, with the passes done and an ETA: the flips of each
// evaluation batch of a state and each state. Not with --quiet, and not
// on a terminal, whose status line shows the progress.
func TestFidelityLogLines(t *testing.T) {
	_, runs, rec := trainTiny(t, "--estimators", "ste")
	args := []string{"fidelity", "--run", filepath.Join(runs, rec.Key+".json"), "--estimators", "ste", "--batch", "8", "--sample", "2", "--bootstrap", "200"}
	_, stderr := gradbenchOK(t, args...)
	unit := regexp.MustCompile(`(?m)^fidelity: (epoch \d+: the flips on evaluation batch 1 of 1|epoch \d+ measured, state \d of 2) \((\d+)/(\d+) passes\)(  ETA .+)?$`)
	got := unit.FindAllStringSubmatch(stderr, -1)
	want := []string{"epoch 0: the flips on evaluation batch 1 of 1", "epoch 0 measured, state 1 of 2", "epoch 2: the flips on evaluation batch 1 of 1", "epoch 2 measured, state 2 of 2"}
	if len(got) != len(want) {
		t.Fatalf("stderr has %d unit lines, want %d (%q):\n%s", len(got), len(want), want, stderr)
	}
	for i, m := range got {
		last := i == len(got)-1
		switch {
		case m[1] != want[i]:
			t.Errorf("unit line %d is of %q, want %q", i+1, m[1], want[i])
		case last && (m[2] != m[3] || m[4] != ""):
			t.Errorf("last unit line %q: want all passes done and no ETA", m[0])
		case !last && (m[2] == m[3] || m[4] == ""):
			t.Errorf("unit line %q: want passes left and an ETA", m[0])
		}
	}
	if _, stderr, err := runGradbench(t, append(args, "--quiet")...); err != nil || stderr != "" {
		t.Errorf("with --quiet: stderr %q, %v; want nothing", stderr, err)
	}
	// On a terminal: the status line, redrawn, and no unit lines.
	var out, errb bytes.Buffer
	env := &cmdEnv{stdout: &out, stderr: &errb, stderrTTY: true, stderrColumns: func() int { return 120 }}
	if err := gradbench(context.Background(), env, args); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(errb.String(), "measured, state") || strings.Contains(errb.String(), "the flips on evaluation batch") {
		t.Errorf("on a terminal, stderr has unit lines:\n%s", errb.String())
	}
}
