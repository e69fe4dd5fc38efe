package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRunEpochLines: with stderr a file or a pipe, as a Slurm task's log
// or nohup's is, gradbench run printed nothing while a run trained (a
// status line is drawn on a terminal only) and a run's one line when it
// ended: a 10-epoch fmnist-10 run was silent for 8 minutes. Each
// finished epoch now gets one line, in a whole sweep as in one cell of
// it (what a Slurm array task runs); with --quiet, none.
func TestRunEpochLines(t *testing.T) {
	_, recipe, out := tinyWorkdir(t)
	epoch := regexp.MustCompile(`^\[1/1\] ste seed 1: epoch ([12])/2  train loss \d+\.\d{4}  test top-1 \d+\.\d{2}%  \d+ img/s(  ETA \S+)?$`)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"run", []string{"run", "--recipe", recipe, "--estimators", "ste"}},
		{"run --cell 0", []string{"run", "--recipe", recipe, "--estimators", "ste", "--cell", "0"}},
	} {
		_, stderr := gradbenchOK(t, append(tc.args, "--out", filepath.Join(out, tc.name))...)
		var epochs []string
		for _, l := range strings.Split(stderr, "\n") {
			if m := epoch.FindStringSubmatch(l); m != nil {
				epochs = append(epochs, m[1])
			} else if strings.Contains(l, "epoch") && !strings.Contains(l, "after 2 epochs") && !strings.Contains(l, "s/epoch") {
				t.Errorf("%s: an epoch line not as expected: %q", tc.name, l)
			}
		}
		if strings.Join(epochs, ",") != "1,2" || strings.Contains(stderr, "\r") {
			t.Errorf("%s: epoch lines for epochs %v, want 1 and 2, one line each (and no status line):\n%s", tc.name, epochs, stderr)
		}

		if _, stderr := gradbenchOK(t, append(tc.args, "--quiet", "--out", filepath.Join(out, tc.name+" quiet"))...); stderr != "" {
			t.Errorf("%s --quiet printed on stderr:\n%s", tc.name, stderr)
		}
	}
}
