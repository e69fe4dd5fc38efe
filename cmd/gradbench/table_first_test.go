package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTableFirst: table --first lists the estimators it names first and
// every other after them, keeping every record in the table, the curves
// and the benchmark lines, as gradbench run writes its files over its
// --out (and gradbench slurm's table job with it). Its values are checked
// as --estimators' are; with --missing=show an estimator it names without
// any record is not run in the workloads with records of the others, and
// a workload that lacks only some of them, or all (another sweep's), is
// tabulated as it is, with no row not run.
func TestTableFirst(t *testing.T) {
	dir, runs := twoWorkloadRuns(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--first", "ste,dsq"},
			"suite: --first ste,dsq: no run records of dsq in " + runs + " (it has records of fda, fda+na, ste); drop it or run it first"},
		{[]string{"--first", "dsq,bnnplus", "--missing=show"},
			"suite: --first dsq,bnnplus: no run records of dsq, bnnplus in " + runs + " (it has records of fda, fda+na, ste); name estimators it has, or run them first: --missing=show shows unrecorded estimators beside recorded ones, and none of these has a record"},
		{[]string{"--first", "fda", "--estimators", "ste"},
			"suite: --estimators ste with --first fda: --estimators keeps only the estimators it names, --first lists them first and keeps every other; give one of them"},
		{[]string{"--first", "ste", "--ablation", "sine-na"},
			"suite: --first ste with --ablation sine-na: that table's rows are fixed (ste, fda, fda+na), so --first cannot choose them; drop --first (it orders the rows of main, sides, lr, findings, diagnostics)"},
		{[]string{"--first", ""},
			`table: --first "" is empty: give the specs, or leave --first out for its default`},
		{[]string{"--first", "fda,fda"},
			`estimators: "fda" listed twice (canonical form "fda"): list each spec once, as in "fda"`},
		{[]string{"--first", "ste, fda"},
			`estimators: "ste, fda": white space is not allowed around the item " fda": remove it, as in "ste,fda"`},
	} {
		stdout, _, err := runGradbench(t, append([]string{"table", "--runs", runs}, tc.args...)...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("table %q:\nerror %v\nwant  %s", tc.args, err, tc.want)
		}
		if stdout != "" {
			t.Errorf("table %q printed a table:\n%s", tc.args, stdout)
		}
	}

	// fda first, then ste and fda+na; tiny2's table, which has no fda, is
	// there too, and nothing is noted.
	curves, bench := filepath.Join(dir, "c.svg"), filepath.Join(dir, "b.txt")
	stdout, stderr := gradbenchOK(t, "table", "--runs", runs, "--first", "fda", "--curves", curves, "--bench", bench)
	tiny, tiny2 := workloadTable(stdout, "recipe tiny:"), workloadTable(stdout, "recipe tiny2:")
	if !regexp.MustCompile(`(?m)^\| fda +\|.*\n\| ste +\|.*\n\| fda\+na +\|`).MatchString(tiny) ||
		!regexp.MustCompile(`(?m)^\| ste +\|`).MatchString(tiny2) || strings.Contains(tiny2, "| fda") {
		t.Errorf("table --first fda: want rows fda, ste, fda+na, then tiny2's ste:\n%s", stdout)
	}
	if strings.Contains(stderr, "note: ") {
		t.Errorf("table --first fda noted:\n%s", stderr)
	}
	// The curves and the benchmark lines of every record: those of the
	// table without --first, which tabulates every record too.
	all := filepath.Join(dir, "all")
	if err := os.Mkdir(all, 0o755); err != nil {
		t.Fatal(err)
	}
	gradbenchOK(t, "table", "--runs", runs, "--curves", filepath.Join(all, "c.svg"), "--bench", filepath.Join(all, "b.txt"))
	if got, want := readFile(t, bench), readFile(t, filepath.Join(all, "b.txt")); got != want || strings.Count(got, "BenchmarkTrain") != 4 {
		t.Errorf("table --first fda --bench wrote\n%s\nwant every record's lines:\n%s", got, want)
	}
	for _, name := range []string{"c-tiny", "c-tiny2"} {
		matches, _ := filepath.Glob(filepath.Join(dir, name+"-*.svg"))
		if len(matches) != 1 {
			t.Fatalf("table --first fda --curves: %d files %s-*.svg, want one per workload", len(matches), name)
		}
		if !strings.Contains(readFile(t, matches[0]), ">ste (n=1)<") {
			t.Errorf("%s has no line of ste", matches[0])
		}
	}

	// dsq has no record at all: not run in tiny's table (which has fda),
	// not in tiny2's (which has neither). fda, which tiny2 lacks but tiny
	// has, is not run nowhere.
	stdout, stderr = gradbenchOK(t, "table", "--runs", runs, "--first", "dsq,fda", "--missing=show")
	tiny, tiny2 = workloadTable(stdout, "recipe tiny:"), workloadTable(stdout, "recipe tiny2:")
	if !regexp.MustCompile(`(?m)^\| dsq +\| +not run \| 0 \|.*\n\| fda +\| +\d.*\n\| ste +\|.*\n\| fda\+na +\|`).MatchString(tiny) ||
		strings.Contains(tiny2, "not run") || strings.Contains(tiny2, "| fda") || stderr != "" {
		t.Errorf("table --first dsq,fda --missing=show: want dsq not run in tiny's table alone:\n%s\nstderr:\n%s", stdout, stderr)
	}
	stdout, _ = gradbenchOK(t, "table", "--runs", runs, "--first", "ste,fda", "--missing=show")
	if want, _ := gradbenchOK(t, "table", "--runs", runs, "--first", "ste,fda"); stdout != want || strings.Contains(stdout, "not run") {
		t.Errorf("table --first ste,fda --missing=show, with records of both, differs from without --missing=show:\n%s\nwant:\n%s", stdout, want)
	}
	// The findings table says what it has no rows for on a line.
	stdout, _ = gradbenchOK(t, "table", "--runs", runs, "--ablation", "findings", "--first", "ste,dsq", "--missing=show")
	if strings.Count(stdout, "\nNot run (no records): dsq.\n") != 2 {
		t.Errorf("table --ablation findings --first ste,dsq --missing=show: want dsq not run in both workloads (both have ste):\n%s", stdout)
	}
}

// workloadTable returns the section of a table whose heading holds
// label, up to the next heading.
func workloadTable(md, label string) string {
	for _, sec := range strings.Split(md, "\n### ") {
		if heading, _, _ := strings.Cut(sec, "\n"); strings.Contains(heading, label) {
			return sec
		}
	}
	return ""
}
