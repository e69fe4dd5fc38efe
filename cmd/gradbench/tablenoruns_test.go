package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTableRunsMissing: tried as a new user would, gradbench table in a
// fresh clone, before any gradbench run had made its default --runs,
// said only "suite: reading runs: open results/runs: no such file or
// directory", and a --runs naming a file "open …: not a directory". Both
// now say what --runs wants, and the first which command writes it.
func TestTableRunsMissing(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "table.md")
	if err := os.WriteFile(file, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "runs")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"default", []string{"table"}, "suite: --runs results/runs does not exist: want the directory of run records that gradbench run --out wrote (gradbench run --out results/runs writes them)"},
		{"missing", []string{"table", "--runs", missing}, "suite: --runs " + missing + " does not exist: want the directory of run records that gradbench run --out wrote (gradbench run --out " + missing + " writes them)"},
		{"file", []string{"table", "--runs", file}, "suite: --runs " + file + " is a file, not a directory: want the directory of run records that gradbench run --out wrote"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Chdir(dir) // no results/runs here
			_, _, err := runGradbench(t, c.args...)
			if err == nil || err.Error() != c.want {
				t.Errorf("gradbench %q: %v\nwant %s", c.args, err, c.want)
			}
		})
	}
}
