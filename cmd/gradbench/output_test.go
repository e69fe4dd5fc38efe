package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/suite"
)

// TestOutputsSpareRuns: no output flag replaces a file of a runs
// directory or an input of the same command; each is refused by the
// flag's value and why, and the run's record and weights are left as
// they were (table still reads the directory, export still packs the
// run).
func TestOutputsSpareRuns(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste", "--seeds", "1")
	key := rec.Key
	record, weights := suite.RecordPath(runs, key), suite.WeightsPath(runs, key)
	lock, ckpt := suite.LockPath(runs, key), suite.CheckpointPath(runs, key)
	// An unusual spelling of the record's path: the same file.
	recordAlias := filepath.Join(runs, "..", "runs", ".", key+".json")
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	before := map[string][]byte{record: read(record), weights: read(weights)}
	const runFile = "which only gradbench run writes and no output may replace; name another file"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "--run", record, "--out", weights},
			"suite: export: --out " + weights + ": refusing to write there: it names a run's weights (*.weights), " + runFile},
		{[]string{"export", "--run", weights, "--out", record},
			"suite: export: --out " + record + ": refusing to write there: it names a run record (<key>.json), " + runFile},
		{[]string{"export", "--run", record, "--out", lock},
			"suite: export: --out " + lock + ": refusing to write there: it names a cell lock of a runs directory (<key>.lock), " + runFile},
		{[]string{"table", "--runs", runs, "--bench", record},
			"suite: --bench " + record + ": refusing to write there: it names a run record (<key>.json), " + runFile},
		{[]string{"table", "--runs", runs, "--bench", recordAlias},
			"suite: --bench " + recordAlias + ": refusing to write there: it names a run record (<key>.json), " + runFile},
		{[]string{"table", "--runs", runs, "--curves", weights},
			"suite: --curves " + weights + ": refusing to write there: it names a run's weights (*.weights), " + runFile},
		{[]string{"table", "--runs", runs, "--curves", ckpt},
			"suite: --curves " + ckpt + ": refusing to write there: it names a run's epoch checkpoint (*.ckpt), " + runFile},
		{[]string{"table", "--runs", runs, "--curves", filepath.Join(dir, "x.svg"), "--bench", filepath.Join(dir, ".", "x.svg")},
			"suite: --bench " + filepath.Join(dir, ".", "x.svg") + ": refusing to write there: it is the same file as --curves " + filepath.Join(dir, "x.svg") + ", which this command also writes; name another file"},
		{[]string{"curves", "--estimators", "ste", "--svg", weights},
			"suite: curves: --svg " + weights + ": refusing to write there: it names a run's weights (*.weights), " + runFile},
	} {
		stdout, _, err := runGradbench(t, tc.args...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("gradbench %s:\nerror %v\nwant  %s", strings.Join(tc.args, " "), err, tc.want)
		}
		if stdout != "" {
			t.Errorf("gradbench %s printed before refusing:\n%s", strings.Join(tc.args, " "), stdout)
		}
	}
	for p, b := range before {
		if !bytes.Equal(read(p), b) {
			t.Errorf("%s changed", p)
		}
	}
	for _, p := range []string{lock, ckpt, filepath.Join(dir, "x.svg")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	if _, stderr, err := runGradbench(t, "table", "--runs", runs); err != nil {
		t.Errorf("table after the refusals: %v\n%s", err, stderr)
	}
	// The same outputs under names of their own are written.
	model := filepath.Join(dir, "m.gbnn")
	if _, stderr, err := runGradbench(t, "export", "--run", record, "--out", model); err != nil {
		t.Errorf("export --out %s: %v\n%s", model, err, stderr)
	}
	if _, stderr, err := runGradbench(t, "table", "--runs", runs, "--bench", filepath.Join(dir, "bench.txt"), "--curves", filepath.Join(dir, "c.svg")); err != nil {
		t.Errorf("table --bench --curves: %v\n%s", err, stderr)
	}
}
