package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestFidelitySaysWhatItWrote: fidelity --out names the files it wrote
// on stderr in the line run and table print ("wrote <files>"); it wrote
// them silently, tried as a new user would. With --quiet it stays quiet,
// as run does.
func TestFidelitySaysWhatItWrote(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste")
	record := filepath.Join(runs, rec.Key+".json")
	out := filepath.Join(dir, "fid")
	args := []string{"fidelity", "--run", record, "--estimators", "ste", "--batch", "8", "--sample", "2", "--bootstrap", "200", "--out", out}
	_, stderr := gradbenchOK(t, args...)
	var files []string
	for _, name := range []string{"fidelity.md", "fidelity-bench.txt", "fidelity.svg", "fidelity-agreement.svg"} {
		files = append(files, filepath.Join(out, name))
	}
	// The whole last line, in the form run, table and export use: a
	// suffix would also match "fidelity: wrote …".
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if want := "wrote " + strings.Join(files, ", "); !strings.HasSuffix(stderr, "\n") || lines[len(lines)-1] != want {
		t.Errorf("stderr ends\n%s\nwant its last line to be %q", stderr, want)
	}
	if _, stderr, err := runGradbench(t, append(args, "--quiet")...); err != nil || stderr != "" {
		t.Errorf("with --quiet: stderr %q, %v; want nothing", stderr, err)
	}
}
