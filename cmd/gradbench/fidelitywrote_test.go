package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestFidelitySaysWhatItWrote: fidelity --out names the files it wrote
// on stderr, as run and table do; it wrote them silently, tried as a new
// user would. With --quiet it stays quiet, as run does.
func TestFidelitySaysWhatItWrote(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste")
	record := filepath.Join(runs, rec.Key+".json")
	out := filepath.Join(dir, "fid")
	args := []string{"fidelity", "--run", record, "--estimators", "ste", "--batch", "8", "--sample", "2", "--bootstrap", "200", "--out", out}
	_, stderr, err := runGradbench(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, name := range []string{"fidelity.md", "fidelity-bench.txt", "fidelity.svg", "fidelity-agreement.svg"} {
		files = append(files, filepath.Join(out, name))
	}
	want := "fidelity: wrote " + strings.Join(files, ", ") + "\n"
	if !strings.HasSuffix(stderr, want) {
		t.Errorf("stderr ends\n%s\nwant it to end %q", stderr, want)
	}
	if _, stderr, err := runGradbench(t, append(args, "--quiet")...); err != nil || stderr != "" {
		t.Errorf("with --quiet: stderr %q, %v; want nothing", stderr, err)
	}
}
