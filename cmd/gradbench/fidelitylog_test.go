package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strconv"
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

// TestFidelityInitLogLines: with --init (one state) and one evaluation
// batch, where stderr is no terminal, the first unit line came only once
// the state's flips, nearly all of its work, were done: a log showed
// nothing but the expected time for most of the measurement. The flips
// now get a line at each tenth of them, with the passes done and an ETA;
// --quiet still prints none.
func TestFidelityInitLogLines(t *testing.T) {
	_, recipe, _ := tinyWorkdir(t)
	args := []string{"fidelity", "--init", "--recipe", recipe, "--estimators", "ste", "--batch", "8", "--sample", "2", "--bootstrap", "200"}
	_, stderr := gradbenchOK(t, args...)
	unit := regexp.MustCompile(`(?m)^fidelity: epoch 0: (\d+)% of the flips on evaluation batch 1 of 1 \((\d+)/(\d+) passes\)  ETA .+$`)
	got := unit.FindAllStringSubmatchIndex(stderr, -1)
	if len(got) == 0 {
		t.Fatalf("stderr has no line for the flips under way, want one at each tenth of them:\n%s", stderr)
	}
	done := strings.Index(stderr, "fidelity: epoch 0: the flips on evaluation batch 1 of 1 (")
	if done < 0 || got[0][0] > done {
		t.Errorf("the first unit line is not before the flips are done:\n%s", stderr)
	}
	last := 0
	for _, m := range got {
		pct, _ := strconv.Atoi(stderr[m[2]:m[3]])
		passes, _ := strconv.Atoi(stderr[m[4]:m[5]])
		total, _ := strconv.Atoi(stderr[m[6]:m[7]])
		if pct <= last || pct >= 100 || passes >= total {
			t.Errorf("unit line %q: want a share of the flips above the last (%d%%) and below 100%%, passes left", stderr[m[0]:m[1]], last)
		}
		last = pct
	}
	if _, stderr, err := runGradbench(t, append(args, "--quiet")...); err != nil || stderr != "" {
		t.Errorf("with --quiet: stderr %q, %v; want nothing", stderr, err)
	}
}
