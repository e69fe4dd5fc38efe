package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputInMissingDir: tried as a new user would, a file flag naming a
// directory that does not exist was found only by the write, after the
// table was built or the model loaded ("suite: curves: writing
// nodir/c.svg: creating a file in nodir: no such file or directory").
// Each is refused before the work, naming the flag, its value and the
// directory.
func TestOutputInMissingDir(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste")
	record := filepath.Join(runs, rec.Key+".json")
	nodir := filepath.Join(dir, "nodir")
	for _, tc := range []struct {
		args       []string
		flag, path string
	}{
		{[]string{"table", "--runs", runs, "--curves"}, "--curves", filepath.Join(nodir, "c.svg")},
		{[]string{"table", "--runs", runs, "--bench"}, "--bench", filepath.Join(nodir, "b.txt")},
		{[]string{"export", "--run", record, "--out"}, "--out", filepath.Join(nodir, "m.gbnn")},
		{[]string{"curves", "--svg"}, "--svg", filepath.Join(nodir, "c.svg")},
	} {
		args := append(tc.args, tc.path)
		_, _, err := runGradbench(t, args...)
		want := tc.flag + " " + tc.path + ": its directory " + nodir + " does not exist: make it first, or name a file in a directory that exists"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("gradbench %q: %v, want an error with %q", args, err, want)
		}
	}
}
