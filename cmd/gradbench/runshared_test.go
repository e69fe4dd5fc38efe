package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/suite"
)

// TestRunSharedOut: two sweeps run with the same --out (results/runs, the
// default, is shared by every sweep not given its own) leave a table.md
// and curves of both. The second sweep's table.md and curves.svg
// replaced the first's, which then survived only as records: table.md,
// curves and bench.txt now cover every record in --out, as bench.txt
// did already, while stdout prints the sweep's own table. A sweep run
// again, with nothing left to train, writes the same files, and a
// directory of one sweep's records gets the table printed, as before.
func TestRunSharedOut(t *testing.T) {
	dir, recipe, out := tinyWorkdir(t)
	first := []string{"run", "--recipe", recipe, "--width", "0.25", "--estimators", "ste", "--out", out}
	second := []string{"run", "--recipe", recipe, "--width", "0.25", "--estimators", "fda", "--out", out}
	stdout1, stderr1 := gradbenchOK(t, first...)
	if table := readFile(t, filepath.Join(out, suite.TableFile)); table != stdout1 {
		t.Errorf("one sweep's table.md:\n%s\nwant the table printed:\n%s", table, stdout1)
	}
	if strings.Contains(stderr1, "other sweeps") {
		t.Errorf("one sweep's stderr speaks of other sweeps:\n%s", stderr1)
	}
	stdout2, stderr2 := gradbenchOK(t, second...)
	if !strings.Contains(stdout2, "| fda ") || strings.Contains(stdout2, "| ste ") {
		t.Errorf("the second sweep printed, want its own fda row alone:\n%s", stdout2)
	}
	table := readFile(t, filepath.Join(out, suite.TableFile))
	curves := readFile(t, filepath.Join(out, suite.CurvesFile))
	// What gradbench table makes of every record, the sweep's estimators
	// first.
	want, _ := gradbenchOK(t, "table", "--runs", out, "--estimators", "fda,ste", "--curves", filepath.Join(dir, "c.svg"))
	if table != want {
		t.Errorf("table.md after a second sweep into --out:\n%s\nwant the table of every record in --out:\n%s", table, want)
	}
	if c := readFile(t, filepath.Join(dir, "c.svg")); curves != c {
		t.Errorf("curves.svg after a second sweep into --out is not the curves of every record in --out")
	}
	if !strings.Contains(stderr2, "1 run of other sweeps") {
		t.Errorf("stderr does not say the files cover other sweeps' runs:\n%s", stderr2)
	}
	// Resumed, with every run done: the same table printed and written.
	again, _ := gradbenchOK(t, second...)
	if again != stdout2 {
		t.Errorf("the second sweep again printed\n%s\nwant as before:\n%s", again, stdout2)
	}
	if got := readFile(t, filepath.Join(out, suite.TableFile)); got != table {
		t.Errorf("the second sweep again wrote table.md\n%s\nwant as before:\n%s", got, table)
	}
	if got := readFile(t, filepath.Join(out, suite.CurvesFile)); got != curves {
		t.Errorf("the second sweep again wrote other curves")
	}
	// The first again: its own table printed, every record's written.
	if again, _ := gradbenchOK(t, first...); again != stdout1 {
		t.Errorf("the first sweep again printed\n%s\nwant as before:\n%s", again, stdout1)
	}
	want, _ = gradbenchOK(t, "table", "--runs", out, "--estimators", "ste,fda")
	if got := readFile(t, filepath.Join(out, suite.TableFile)); got != want {
		t.Errorf("the first sweep again wrote table.md\n%s\nwant the table of every record in --out:\n%s", got, want)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
