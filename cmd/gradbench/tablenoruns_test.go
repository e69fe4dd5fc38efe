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

// TestTableRunsParent: --runs naming the directory above the runs
// directories (results/study, whose records are in runs/ and
// optimizers/) said only that it holds no records, as for an empty
// directory. The error now names the subdirectories that hold records.
func TestTableRunsParent(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"runs", "optimizers", "notes"} {
		os.Mkdir(filepath.Join(dir, sub), 0o755)
	}
	for _, f := range []string{"runs/0123456789abcdef.json", "optimizers/fedcba9876543210.json", "notes/readme.json"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	empty := filepath.Join(dir, "notes")
	for _, c := range []struct{ runs, want string }{
		{dir, "suite: no run records in " + dir + ", but its subdirectories optimizers and runs hold some: name one of them, such as --runs " + filepath.Join(dir, "optimizers")},
		{empty, "suite: no run records in " + empty + " (gradbench run --out " + empty + " writes them)"},
	} {
		_, _, err := runGradbench(t, "table", "--runs", c.runs)
		if err == nil || err.Error() != c.want {
			t.Errorf("gradbench table --runs %s: %v\nwant %s", c.runs, err, c.want)
		}
	}
}
