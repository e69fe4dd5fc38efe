package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/recipetest"
)

// TestTableEstimatorsAllOrRefused: table --estimators tabulates every
// estimator it names or says which have no records: refused when the
// runs directory has none of them, a note when one workload lacks what
// another has; and the paper's tables, whose rows are fixed, refuse
// --estimators instead of showing rows as not run.
func TestTableEstimatorsAllOrRefused(t *testing.T) {
	_, runs := twoWorkloadRuns(t)
	const mainTables = "main, sides, lr, findings, diagnostics"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--estimators", "ste,dsq"},
			"suite: --estimators ste,dsq: no run records of dsq in " + runs + " (it has records of fda, fda+na, ste); drop it or run it first"},
		{[]string{"--estimators", "dsq,ste,bnnplus"},
			"suite: --estimators dsq,ste,bnnplus: no run records of dsq, bnnplus in " + runs + " (it has records of fda, fda+na, ste); drop them or run them first"},
		// None of those named has records: what the directory has is
		// said as when some are missing, and --missing=show cannot help
		// (no record gives the workload a row would be shown in).
		{[]string{"--estimators", "dsq,bnnplus"},
			"suite: --estimators dsq,bnnplus: no run records of dsq, bnnplus in " + runs + " (it has records of fda, fda+na, ste); name estimators it has, or run them first"},
		{[]string{"--estimators", "fda:n=9", "--missing=show"},
			"suite: --estimators fda:n=9: no run records of fda:n=9 in " + runs + " (it has records of fda, fda+na, ste); name estimators it has, or run it first: --missing=show shows unrecorded estimators beside recorded ones, and none of these has a record"},
		// Without --estimators (or --first) nothing can be missing:
		// --missing=show would do nothing.
		{[]string{"--missing=show"},
			"suite: --missing show without --estimators or --first: it shows an estimator they name that has no records as not run, and without them every estimator tabulated has records; name the estimators, or drop --missing"},
		{[]string{"--ablation", "sides", "--estimators", "fda"},
			"suite: --estimators fda: no run records of w=fda/a=ste, w=ste/a=fda in " + runs + " (it has records of fda, fda+na, ste); drop them or run them first"},
		{[]string{"--ablation", "sine-na", "--estimators", "fda"},
			"suite: --estimators fda with --ablation sine-na: that table's rows are fixed (ste, fda, fda+na), so --estimators cannot choose them; drop --estimators (it selects the rows of " + mainTables + ")"},
		{[]string{"--ablation", "eta", "--estimators", "fda+na"},
			"suite: --estimators fda+na with --ablation eta: that table's rows are fixed (fda+na:eta=0, fda+na:eta=x, fda+na), so --estimators cannot choose them; drop --estimators (it selects the rows of " + mainTables + ")"},
		{[]string{"--ablation", "na-others", "--estimators", "ste,fda,fda+na"},
			"suite: --estimators ste,fda,fda+na with --ablation na-others: that table's rows are fixed (dsq, dsq+na, bnnplus, bnnplus+na, fda, fda+na), so --estimators cannot choose them; drop --estimators (it selects the rows of " + mainTables + ")"},
		// Tried as a new user would: the specs were trimmed, while
		// --seeds and --lr-grid refuse white space.
		{[]string{"--estimators", "ste, fda"},
			`estimators: "ste, fda": white space is not allowed around the item " fda": remove it, as in "ste,fda"`},
		{[]string{"--ablation", "paper", "--estimators", "ste"},
			"suite: --estimators ste with --ablation paper: that table's rows are fixed (ste, fda, fda+na, dsq, dsq+na, bnnplus, bnnplus+na, fda+na:eta=0, fda+na:eta=x), so --estimators cannot choose them; drop --estimators (it selects the rows of " + mainTables + ")"},
	} {
		stdout, _, err := runGradbench(t, append([]string{"table", "--runs", runs}, tc.args...)...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("table %s:\nerror %v\nwant  %s", strings.Join(tc.args, " "), err, tc.want)
		}
		if stdout != "" {
			t.Errorf("table %s printed a table:\n%s", strings.Join(tc.args, " "), stdout)
		}
	}
	// fda ran on one workload only: its table is printed, with a note.
	stdout, stderr := gradbenchOK(t, "table", "--runs", runs, "--estimators", "fda,ste")
	if !strings.Contains(stdout, "| fda ") || !strings.Contains(stdout, "tiny2") {
		t.Errorf("table lacks fda or the second workload:\n%s", stdout)
	}
	if n := strings.Count(stderr, "note: "); n != 1 || !strings.Contains(stderr, "tiny2") ||
		!strings.Contains(stderr, " has no records of fda, which its table leaves out (--estimators fda,ste)\n") {
		t.Errorf("stderr, want one note on tiny2's missing fda:\n%s", stderr)
	}
	// fda alone: tiny2 has no record of it, so no table at all, which
	// is noted as well rather than left out without a word.
	stdout, stderr = gradbenchOK(t, "table", "--runs", runs, "--estimators", "fda")
	if !strings.Contains(stdout, "| fda ") || strings.Contains(stdout, "tiny2") {
		t.Errorf("table --estimators fda: want fda's workload alone:\n%s", stdout)
	}
	if n := strings.Count(stderr, "note: "); n != 1 || !strings.Contains(stderr, "tiny2") ||
		!strings.Contains(stderr, " has no records of fda, so it has no table (--estimators fda)\n") {
		t.Errorf("stderr, want one note on tiny2's missing fda and table:\n%s", stderr)
	}
	// --missing=show: what the refusals above refused is shown as not
	// run, in the order named, and nothing is noted on stderr where
	// every workload has a table.
	stdout, stderr = gradbenchOK(t, "table", "--runs", runs, "--estimators", "dsq,ste,bnnplus", "--missing=show")
	if !regexp.MustCompile(`(?m)^\| dsq +\| +not run \| 0 \|.*\n\| ste +\| +\d.*\n\| bnnplus +\| +not run \| 0 \|`).MatchString(stdout) ||
		strings.Contains(stdout, "| fda ") || stderr != "" {
		t.Errorf("table --missing=show: want rows dsq (not run), ste, bnnplus (not run) on each workload, no note:\n%s\nstderr:\n%s", stdout, stderr)
	}
	// A workload with none of them has no table to show them in, in
	// this mode as in the default one: it is noted, not left out
	// without a word.
	stdout, stderr = gradbenchOK(t, "table", "--runs", runs, "--estimators", "fda", "--missing=show")
	if !strings.Contains(stdout, "| fda ") || strings.Contains(stdout, "tiny2") {
		t.Errorf("table --estimators fda --missing=show: want fda's workload alone:\n%s", stdout)
	}
	if n := strings.Count(stderr, "note: "); n != 1 || !strings.Contains(stderr, "tiny2") ||
		!strings.Contains(stderr, " has no records of fda, so it has no table (--estimators fda)\n") {
		t.Errorf("table --estimators fda --missing=show: stderr, want one note on tiny2's missing fda and table:\n%s", stderr)
	}
	stdout, _, err := runGradbench(t, "table", "--runs", runs, "--ablation", "sides", "--estimators", "fda", "--missing=show")
	if err != nil || !regexp.MustCompile(`(?m)^\| fda +\| weights only +\| w=fda/a=ste +\| +not run \|`).MatchString(stdout) {
		t.Errorf("table --ablation sides --missing=show: %v, want fda's one-sided rows not run:\n%s", err, stdout)
	}
	stdout, _, err = runGradbench(t, "table", "--runs", runs, "--ablation", "findings", "--estimators", "ste,dsq", "--missing=show")
	if err != nil || !strings.Contains(stdout, "\nNot run (no records): dsq.\n") {
		t.Errorf("table --ablation findings --missing=show: %v, want a line saying dsq was not run:\n%s", err, stdout)
	}
	for _, args := range [][]string{
		{"--estimators", "dsq,bnnplus", "--missing=show"}, // nothing to show but rows not run
		{"--estimators", "ste", "--missing=yes"},
	} {
		if _, _, err := runGradbench(t, append([]string{"table", "--runs", runs}, args...)...); err == nil {
			t.Errorf("table %s succeeded, want a refusal", strings.Join(args, " "))
		}
	}
	// Every estimator named has records of every workload: no note.
	if _, stderr, err := runGradbench(t, "table", "--runs", runs, "--estimators", "ste"); err != nil || strings.Contains(stderr, "note: ") {
		t.Errorf("table --estimators ste: %v\n%s", err, stderr)
	}
}

// twoWorkloadRuns returns a runs directory of two workloads, and the
// directory it is in: ste, fda and fda+na on the tiny recipe, ste alone
// on tiny2 (otherRecipe), seed 1.
func twoWorkloadRuns(t *testing.T) (dir, runs string) {
	t.Helper()
	dir, recipe, runs := tinyWorkdir(t)
	for _, args := range [][]string{
		{"--recipe", recipe, "--estimators", "ste,fda,fda+na"},
		{"--recipe", otherRecipe(t, dir), "--estimators", "ste"},
	} {
		gradbenchOK(t, append([]string{"run", "--quiet", "--seeds", "1", "--out", runs}, args...)...)
	}
	return dir, runs
}

// otherRecipe writes tiny2, a recipe of one epoch that is otherwise the
// tiny recipe's, into dir/other, and returns its file.
func otherRecipe(t *testing.T, dir string) string {
	t.Helper()
	other := filepath.Join(dir, "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	return writeRecipe(t, other, recipetest.Tiny("tiny2", 1, 16, 32, 32))
}

// TestTableMissingRefused: a --missing other than refuse or show is
// refused naming the flag and the value, before any record is read. An
// error that lost the flag's name passed every other test.
func TestTableMissingRefused(t *testing.T) {
	_, _, err := runGradbench(t, "table", "--runs", t.TempDir(), "--estimators", "ste", "--missing", "skip")
	if want := `table: --missing "skip": want refuse or show`; err == nil || err.Error() != want {
		t.Errorf("table --missing skip: error %v, want %s", err, want)
	}
}
