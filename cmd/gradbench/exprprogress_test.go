package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exprOffTenth is a formula that passes the parse-time check at p = 0,
// 0.1, ..., 1 and is infinite at p = 1/3, which epoch 2 of a 4-epoch run
// trains at.
const exprOffTenth = "expr:g=1/abs(p-1/3)"

// TestExprProgressRefused: a formula in p that fails at a progress a run
// trains at is refused by run (whole sweep and one --cell), plan and
// slurm before anything is written to --out, naming the spec, the epoch
// and p; it used to pass plan and panic in the middle of training.
func TestExprProgressRefused(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	const want = "suite: estimator expr:g=1/abs(p-1/3): nn: epoch 2 of 4 trains at progress p = 0.3333333333333333: estimators: expr: g(x=0) = +Inf at p=0.3333333333333333: want finite values on [-c, c] = [-1, 1]"
	sweep := []string{"--quiet", "--recipe", recipe, "--epochs", "4", "--estimators", "ste," + exprOffTenth}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"run", append([]string{"run"}, sweep...), want},
		{"run --cell", append([]string{"run", "--cell", "1"}, sweep...), want},
		{"plan", append([]string{"plan"}, sweep...), want},
		{"slurm", append([]string{"slurm"}, sweep...), want},
		{"run sided", []string{"run", "--quiet", "--recipe", recipe, "--epochs", "4", "--estimators", "w=ste/a=expr:g=1/abs(p-2/3)"},
			"suite: estimator w=ste/a=expr:g=1/abs(p-2/3): nn: activation estimator expr:g=1/abs(p-2/3): epoch 3 of 4 trains at progress p = 0.6666666666666666: estimators: expr: g(x=0) = +Inf at p=0.6666666666666666: want finite values on [-c, c] = [-1, 1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			_, _, err := runGradbench(t, append(tc.args, "--out", out)...)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("--out %s was created on refusal (stat: %v)", out, err)
			}
		})
	}
	// At 3 or 5 epochs (p = 0, 0.5, 1 and 0, 0.25, 0.5, 0.75, 1) the
	// formula is finite at every epoch: plan takes it.
	for _, epochs := range []string{"3", "5"} {
		if _, stderr, err := runGradbench(t, "plan", "--quiet", "--recipe", recipe, "--epochs", epochs, "--estimators", exprOffTenth, "--out", filepath.Join(dir, "ok"+epochs)); err != nil {
			t.Errorf("plan --epochs %s: %v\n%s", epochs, err, stderr)
		}
	}
}

// TestCurvesProgressRefused: curves --progress at a p where a formula is
// not finite is an error naming the spec and p, not a panic, and prints
// and writes nothing.
func TestCurvesProgressRefused(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "c.svg")
	for _, tc := range []struct {
		est, want string
	}{
		{"ste,expr:g=1/abs(p-0.123)", "suite: curves: estimator expr:g=1/abs(p-0.123) at --progress 0.123: estimators: expr: g(x=0) = +Inf at p=0.123: want finite values on [-c, c] = [-1, 1]"},
		{"w=ste/a=expr:g=1/abs(p-0.123)", "suite: curves: estimator w=ste/a=expr:g=1/abs(p-0.123) (activations) at --progress 0.123: estimators: expr: g(x=0) = +Inf at p=0.123: want finite values on [-c, c] = [-1, 1]"},
	} {
		stdout, _, err := runGradbench(t, "curves", "--estimators", tc.est, "--points", "5", "--progress", "0.123", "--svg", svg, "--format", "tsv")
		if err == nil || err.Error() != tc.want {
			t.Errorf("curves --estimators %s: error = %v, want %q", tc.est, err, tc.want)
		}
		if stdout != "" {
			t.Errorf("curves --estimators %s printed %q", tc.est, stdout)
		}
		if _, err := os.Stat(svg); !os.IsNotExist(err) {
			t.Errorf("curves --estimators %s wrote %s", tc.est, svg)
		}
	}
	if _, _, err := runGradbench(t, "curves", "--estimators", "expr:g=1/abs(p-0.123)", "--points", "5", "--progress", "0.5"); err != nil {
		t.Errorf("curves at --progress 0.5: %v", err)
	}
}
