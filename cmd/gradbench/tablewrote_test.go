package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTableSaysWhatItWrote: table --curves and --bench end with one line
// on stderr naming every file written, as run and fidelity do. Tried as a
// new user would: with the records of one workload, table --curves said
// nothing, and --bench never did.
func TestTableSaysWhatItWrote(t *testing.T) {
	dir, runs, _ := trainTiny(t, "--estimators", "ste")
	svg, bench := filepath.Join(dir, "c.svg"), filepath.Join(dir, "b.txt")
	for _, tc := range []struct {
		args  []string
		files []string
	}{
		{[]string{"--curves", svg}, []string{svg}},
		{[]string{"--bench", bench}, []string{bench}},
		{[]string{"--curves", svg, "--bench", bench}, []string{svg, bench}},
	} {
		_, stderr, err := runGradbench(t, append([]string{"table", "--runs", runs}, tc.args...)...)
		if err != nil {
			t.Fatalf("table %q: %v", tc.args, err)
		}
		var line string
		for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
			if strings.HasPrefix(l, "wrote ") {
				if line != "" {
					t.Errorf("table %q says wrote twice:\n%s", tc.args, stderr)
				}
				line = l
			}
		}
		if line == "" {
			t.Errorf("table %q does not say what it wrote:\n%s", tc.args, stderr)
			continue
		}
		if want := "wrote " + strings.Join(tc.files, ", "); line != want {
			t.Errorf("table %q says\n%s\nwant\n%s", tc.args, line, want)
		}
	}
	// Without an output flag, nothing is written and nothing said.
	if _, stderr, err := runGradbench(t, "table", "--runs", runs); err != nil || strings.Contains(stderr, "wrote") {
		t.Errorf("table without --curves or --bench: %v, stderr:\n%s", err, stderr)
	}
}
