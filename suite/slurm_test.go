package suite

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"al.essio.dev/pkg/shellescape"

	"github.com/gradbench/gradbench/estimators"
)

func TestCheckExecutable(t *testing.T) {
	for _, bad := range []string{"/tmp/go-build123/b001/exe/gradbench", "/home/u/.cache/go-build/33/33e72cf3-d/gradbench"} {
		if err := checkExecutable(bad); err == nil || !strings.Contains(err.Error(), "which go run built") {
			t.Errorf("a go run binary %s: %v, want an error", bad, err)
		}
	}
	for _, ok := range []string{"/home/u/bin/gradbench", "/tmp/go-build123/b001/gradbench.test", "/opt/exe/gradbench"} {
		if err := checkExecutable(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// TestShellQuote checks that the arguments the Slurm scripts quote
// (shellescape.Quote) come back from bash as given: plain ones bare, the
// rest in single quotes.
func TestShellQuote(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for in, bare := range map[string]bool{
		"--estimators=fda:n=9,ste+na": true,
		"/a b/recipe.json":            false,
		"it's":                        false,
		"":                            false,
		"$HOME":                       false,
		"a\nb;rm -rf x|`y`&*":         false,
	} {
		q := shellescape.Quote(in)
		if (q == in) != bare {
			t.Errorf("Quote(%q) = %s: bare %v, want %v", in, q, q == in, bare)
		}
		out, err := exec.Command("bash", "-c", "printf %s "+q).Output()
		if err != nil || string(out) != in {
			t.Errorf("bash read Quote(%q) = %s as %q (%v)", in, q, out, err)
		}
	}
}

// TestTableScriptRunsNoTrain checks that the Slurm table job writes its
// files with gradbench run --no-train and the sweep's flags, its
// --ablation among them, quoted as the array's tasks get them, so that
// they are those gradbench run writes for the sweep.
func TestTableScriptRunsNoTrain(t *testing.T) {
	s := &SlurmSpec{Sweep: tinySweep(t, "ste,fda", 1), Exe: "/bin/gradbench", Out: "/runs",
		Args: []string{"--ablation=sides", "--estimators=ste,expr:g=1 - x*x"}}
	want := `if "$gradbench" run --no-train --out="$out" --ablation=sides '--estimators=ste,expr:g=1 - x*x' >/dev/null; then` + "\n"
	if got := s.tableScript(nil); !strings.Contains(got, want) {
		t.Errorf("table script lacks %q:\n%s", want, got)
	}
}

// TestCellsScriptKeepEpochs checks that the array's tasks run gradbench
// run --keep-epochs with KeepEpochs, and without it only the sweep's
// flags.
func TestCellsScriptKeepEpochs(t *testing.T) {
	pending := []CellState{{Key: "0123456789abcdef"}}
	for _, keep := range []bool{false, true} {
		s := &SlurmSpec{Sweep: tinySweep(t, "ste", 1), Exe: "/bin/gradbench", Out: "/runs", Args: []string{"--estimators=ste"}, KeepEpochs: keep}
		got := s.cellsScript(pending, 1)
		want := `exec /bin/gradbench run --cell "${cells[task]}" --out=/runs --estimators=ste` + map[bool]string{false: "\n", true: " --keep-epochs\n"}[keep]
		if !strings.Contains(got, want) {
			t.Errorf("KeepEpochs %v: the script lacks %q:\n%s", keep, want, got)
		}
	}
}

// TestCheckSlurmTimeFormats: every format the help lists is accepted, and
// a field out of its clock range is refused by its name. Tried as a new
// user would: --time 1-00:00 (D-HH:MM, one day) was refused with
// "bad --time \"1-00:00\":  seconds, want 0 to 59", an empty field read
// as the seconds the format does not have.
func TestCheckSlurmTimeFormats(t *testing.T) {
	for _, s := range []string{"90", "10:00", "1:00:00", "1-00", "1-00:00", "1-0:30", "2-23:59", "1-00:00:00"} {
		if err := checkSlurmTime(s); err != nil {
			t.Errorf("checkSlurmTime(%q) = %v, want it accepted", s, err)
		}
	}
	for s, want := range map[string]string{
		"1-00:60":    "60 minutes, want 0 to 59",
		"1-00:00:60": "60 seconds, want 0 to 59",
		"1-00:60:00": "60 minutes, want 0 to 59",
		"10:60":      "60 seconds, want 0 to 59",
		"1:60:00":    "60 minutes, want 0 to 59",
		"1-24:00":    "24 hours after the days, want 0 to 23",
	} {
		if err := checkSlurmTime(s); err == nil || err.Error() != want {
			t.Errorf("checkSlurmTime(%q) = %v, want %q", s, err, want)
		}
	}
}

// TestSlurmOutputLine checks that the #SBATCH --output lines of both
// scripts, read as sbatch reads an #SBATCH line (sbatchWords), name the
// logs directory under --out whatever the directory's name holds: an
// unquoted # started a comment that cut the path short (every task then
// wrote one file named by the rest), a single quote opened a quote to the
// end of the line, and a % was read by Slurm as a file name pattern.
func TestSlurmOutputLine(t *testing.T) {
	for _, out := range []string{"/runs", "/a b/runs", "/runs#2", "/it's", `/say "x"`, "/50%A", "/t\tab"} {
		s := &SlurmSpec{Sweep: tinySweep(t, "ste", 1), Exe: "/bin/gradbench", Out: out}
		logs := strings.ReplaceAll(out, "%", "%%") + "/slurm/logs/"
		for _, tc := range []struct{ script, pattern string }{
			{s.cellsScript([]CellState{{Key: "0123456789abcdef"}}, 1), "%A_%a.out"},
			{s.tableScript(nil), "table-%j.out"},
		} {
			var line string
			for _, l := range strings.Split(tc.script, "\n") {
				if strings.HasPrefix(l, "#SBATCH --output=") {
					line = strings.TrimPrefix(l, "#SBATCH ")
				}
			}
			words, err := sbatchWords(line)
			if want := "--output=" + logs + tc.pattern; err != nil || len(words) != 1 || words[0] != want {
				t.Errorf("--out %q: sbatch reads %q as %q (%v), want [%q]", out, line, words, err, want)
			}
		}
	}
}

// TestCellsScriptArgLineBreak: an array task passes on a sweep flag that
// holds a line break (a recipe file whose name has one) as given, and its
// script's heading stays comments with a cell whose estimator was given
// with one. The script's comment that shows the task's gradbench run
// command let the line break end the comment, so that bash read the rest of the flag as
// a command and the quote it left open swallowed the script up to the
// next quote.
func TestCellsScriptArgLineBreak(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	exe := filepath.Join(dir, "args")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\nprintf '%s\\0' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"--recipe=/a\nb's.json", "--estimators=ste"}
	s := &SlurmSpec{Sweep: tinySweep(t, "ste", 1), Exe: exe, Out: "/runs", Args: args}
	script := filepath.Join(dir, "cells.sh")
	spec, err := estimators.Parse("expr:g=1 -\nx * x") // an estimator may hold one too
	if err != nil {
		t.Fatal(err)
	}
	text := s.cellsScript([]CellState{{Key: "0123456789abcdef", Cell: Cell{Spec: spec}}}, 1)
	if err := os.WriteFile(script, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(text, "set -euo pipefail\n")
	for _, l := range strings.Split(strings.TrimSuffix(head, "\n"), "\n") {
		if !strings.HasPrefix(l, "#") {
			t.Errorf("line %q of the script's heading is no comment: bash runs it", l)
		}
	}
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(), "SLURM_ARRAY_TASK_ID=0")
	out, err := cmd.Output()
	want := append([]string{"run", "--cell", "0123456789abcdef", "--out=/runs"}, args...)
	if got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00"); err != nil || !slices.Equal(got, want) {
		t.Errorf("the task ran %q (%v), want %q; script:\n%s", got, err, want, text)
	}
}

// TestSlurmRefusesBackslashOut: an --out holding a backslash is refused
// by name: Slurm reads a backslash in --output as turning its patterns
// off, so that every array task would write the one log file literally
// named ...%A_%a.out.
func TestSlurmRefusesBackslashOut(t *testing.T) {
	out := filepath.Join(t.TempDir(), `a\b`)
	_, err := (&Runner{}).Slurm(context.Background(), SlurmSpec{Sweep: tinySweep(t, "ste", 1), Exe: os.Args[0], Out: out, Options: SlurmOptions{JobName: "gradbench"}})
	if err == nil || !strings.Contains(err.Error(), "holds a backslash") {
		t.Errorf("Slurm with --out %s: %v, want it refused for the backslash", out, err)
	}
}
