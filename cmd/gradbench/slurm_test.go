package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/internal/golden"
	"github.com/gradbench/gradbench/internal/racebuild"
	"github.com/gradbench/gradbench/suite"
)

// normalizePaths replaces the gradbench binary and the test's directory
// in a generated script by $GRADBENCH and $TMP.
func normalizePaths(t *testing.T, s, dir string) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe, _ = filepath.Abs(exe)
	s = strings.ReplaceAll(s, exe, "$GRADBENCH")
	return strings.ReplaceAll(s, dir, "$TMP")
}

// TestSlurmScripts pins the two scripts gradbench slurm writes for a sweep
// with one cell already recorded: the array runs the three pending cells
// by key, the table job builds the table and lists what is still pending.
func TestSlurmScripts(t *testing.T) {
	// The scripts' text and the table job's outcome: nothing runs side by side.
	racebuild.Skip(t, "it checks the scripts written and the table job's outcome, with no goroutines of its own; the openblas and purego builds run it in full")
	dir, recipe, out := tinyWorkdir(t)
	sweep := []string{"--recipe", recipe, "--estimators", "ste,fda+na", "--seeds", "2", "--out", out}
	gradbenchOK(t, append([]string{"run", "--cell", "1"}, sweep...)...)
	stdout, stderr := gradbenchOK(t, append([]string{"slurm", "--partition", "debug", "--time", "0:30:00", "--cpus-per-task", "2",
		"--mem", "2G", "--max-parallel", "3", "--sbatch", "--account=proj", "--sbatch", "#SBATCH --qos=short"}, sweep...)...)
	// The scripts written are status, on stderr; stdout is the command
	// that submits them, alone.
	if !strings.HasPrefix(stderr, "wrote "+filepath.Join(out, "slurm", "cells.sh")+" (3 array tasks, one per pending cell of 4)") {
		t.Errorf("stderr:\n%s\nwant the scripts written", stderr)
	}
	if !strings.HasPrefix(stdout, "job=$(sbatch --parsable ") || !strings.Contains(stdout, "sbatch --dependency=afterany:") || strings.Count(stdout, "\n") != 1 {
		t.Errorf("stdout:\n%s\nwant the one command that submits the scripts", stdout)
	}
	for _, name := range []string{"cells.sh", "table.sh"} {
		b, err := os.ReadFile(filepath.Join(out, "slurm", name))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, "slurm-"+name+".golden", []byte(normalizePaths(t, string(b), dir)))
		if st, _ := os.Stat(filepath.Join(out, "slurm", name)); st.Mode()&0o100 == 0 {
			t.Errorf("%s is not executable", name)
		}
	}
	if st, err := os.Stat(filepath.Join(out, "slurm", "logs")); err != nil || !st.IsDir() {
		t.Errorf("no log directory: %v (Slurm does not create it, and a task without one fails silently)", err)
	}

	// The table job after an array whose tasks of ste all failed: only
	// fda+na's cell 1 has a record. gradbench table --estimators alone
	// refuses ste then; the job's table (gradbench run --no-train's)
	// shows ste as not run, and the job fails with a line naming the
	// three cells without a record.
	job := exec.Command("bash", filepath.Join(out, "slurm", "table.sh"))
	job.Env = append(os.Environ(), asGradbenchEnv+"=1")
	b, err := job.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("the table job with cells missing: %v, want exit status 1\n%s", err, b)
	}
	var failed []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "gradbench: FAILED: ") {
			failed = append(failed, l)
		}
	}
	if len(failed) != 1 || !strings.Contains(failed[0], "3 of the 4 cells have no record") ||
		!strings.Contains(failed[0], "cells 0 (ste seed 1, key ") || !strings.Contains(failed[0], ", 2 (ste seed 2, key ") ||
		!strings.Contains(failed[0], ", 3 (fda+na seed 2, key ") || strings.Contains(failed[0], " 1 (fda+na seed 1") {
		t.Errorf("the table job's failure lines %q, want one naming cells 0, 2 and 3:\n%s", failed, b)
	}
	if md, err := os.ReadFile(filepath.Join(out, "table.md")); err != nil || !regexp.MustCompile(`(?m)^\| ste +\| +not run \| 0 \|[^\n]*\n\| fda\+na `).Match(md) ||
		!strings.Contains(string(md), "| fda+na ") {
		t.Errorf("the table job with ste's cells missing wrote no table.md with ste not run: %v\n%s", err, md)
	}

	// --ablation paper: the table job also writes the paper's tables.
	paper := filepath.Join(dir, "paper")
	_, stderr = gradbenchOK(t, "slurm", "--recipe", recipe, "--ablation", "paper", "--out", paper)
	b, _ = os.ReadFile(filepath.Join(paper, "slurm", "table.sh"))
	if !strings.Contains(string(b), "run --no-train --out=\"$out\" --ablation=paper --recipe=") || !strings.Contains(stderr, "(9 array tasks") {
		t.Errorf("--ablation paper: stderr %q, table.sh:\n%s", stderr, b)
	}
	// The table job, as Slurm runs it once the cells are trained: every
	// command in it is one gradbench accepts, so table.md is written.
	gradbenchOK(t, "run", "--quiet", "--recipe", recipe, "--ablation", "paper", "--out", paper)
	job = exec.Command("bash", filepath.Join(paper, "slurm", "table.sh"))
	job.Env = append(os.Environ(), asGradbenchEnv+"=1")
	if b, err := job.CombinedOutput(); err != nil {
		t.Fatalf("the table job of --ablation paper: %v\n%s", err, b)
	}
	if b, err := os.ReadFile(filepath.Join(paper, "table.md")); err != nil || !strings.Contains(string(b), "Table 2 of the FDA paper") {
		t.Errorf("the table job of --ablation paper wrote no paper tables into table.md: %v\n%s", err, b)
	}
}

// fakeSbatch puts an sbatch first in PATH that logs its arguments to the
// returned file and prints the next job id (101;cluster, then 102, ...),
// or fails with a message when fail is set, and beside it a scontrol
// whose MaxArraySize is Slurm's default, 1001 (see fakeScontrol), so
// that no Slurm installed here is asked.
func fakeSbatch(t *testing.T, fail bool) (log string) {
	t.Helper()
	fakeScontrol(t, "1001")
	bin := t.TempDir()
	log = filepath.Join(bin, "sbatch.log")
	script := `#!/bin/sh
echo "$*" >>` + log + `
n=$(wc -l <` + log + `)
`
	if fail {
		script += "echo 'sbatch: error: invalid partition specified: nope' >&2\nexit 1\n"
	} else {
		script += `if [ "$n" = 1 ]; then echo "101;cluster"; else echo $((100 + n)); fi` + "\n"
	}
	if err := os.WriteFile(filepath.Join(bin, "sbatch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return log
}

func TestSlurmSubmit(t *testing.T) {
	log := fakeSbatch(t, false)
	// A cell another live process holds is not submitted again.
	sweep, out, cells := sweepHeld(t, 1)

	stdout, stderr := gradbenchOK(t, append([]string{"slurm", "--submit"}, sweep...)...)
	if want := "submitted array job 101 (3 tasks, one per pending cell of 4) and table job 102 (after job 101 ends)\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if !strings.Contains(stderr, "1 cell is being trained now by another process") {
		t.Errorf("stderr does not say that the running cell is left out:\n%s", stderr)
	}
	calls, _ := os.ReadFile(log)
	slurmDir := filepath.Join(out, "slurm")
	want := "--parsable " + filepath.Join(slurmDir, "cells.sh") + "\n--parsable --dependency=afterany:101 " + filepath.Join(slurmDir, "table.sh") + "\n"
	if string(calls) != want {
		t.Errorf("sbatch calls:\n%s\nwant\n%s", calls, want)
	}
	script, _ := os.ReadFile(filepath.Join(slurmDir, "cells.sh"))
	if strings.Contains(string(script), cells[0].Key) || !strings.Contains(string(script), "#SBATCH --array=0-2\n") {
		t.Errorf("cells.sh submits the running cell or not 3 tasks:\n%s", script)
	}

	// Every cell recorded: nothing is submitted.
	os.Remove(suite.LockPath(out, cells[0].Key))
	for i := range 4 {
		gradbenchOK(t, append([]string{"run", "--cell", string(rune('0' + i))}, sweep...)...)
	}
	stdout, stderr, err := runGradbench(t, append([]string{"slurm", "--submit"}, sweep...)...)
	if err != nil || stdout != "" || !strings.HasPrefix(stderr, "nothing to submit: all 4 cells of the sweep have records") {
		t.Errorf("slurm --submit with every cell recorded: %v, stdout %q, stderr %q; want nothing on stdout, the reason on stderr", err, stdout, stderr)
	}
	if again, _ := os.ReadFile(log); string(again) != string(calls) {
		t.Errorf("sbatch was called with nothing pending:\n%s", again)
	}
}

// TestSlurmSubmitCommand: without --submit, stdout is the command that
// submits the scripts and nothing else, so piping it to sh makes the
// same sbatch calls as --submit; with --quiet stderr is empty too.
func TestSlurmSubmitCommand(t *testing.T) {
	log := fakeSbatch(t, false)
	sweep, out, _ := sweepHeld(t, 0)
	stdout, stderr, err := runGradbench(t, append([]string{"slurm", "--quiet"}, sweep...)...)
	if err != nil || stderr != "" {
		t.Fatalf("slurm --quiet: %v, stderr %q, want none", err, stderr)
	}
	sh := exec.Command("sh")
	sh.Stdin = strings.NewReader(stdout)
	if b, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("sh < stdout %q: %v\n%s", stdout, err, b)
	}
	calls, _ := os.ReadFile(log)
	slurmDir := filepath.Join(out, "slurm")
	want := "--parsable " + filepath.Join(slurmDir, "cells.sh") + "\n--dependency=afterany:101 " + filepath.Join(slurmDir, "table.sh") + "\n"
	if string(calls) != want {
		t.Errorf("sbatch calls of stdout %q:\n%s\nwant\n%s", stdout, calls, want)
	}
}

func TestSlurmSubmitFails(t *testing.T) {
	fakeSbatch(t, true)
	_, recipe, runs := tinyWorkdir(t)
	_, _, err := runGradbench(t, "slurm", "--submit", "--recipe", recipe, "--estimators", "ste", "--out", runs, "--partition", "nope")
	if err == nil || !strings.Contains(err.Error(), "sbatch --parsable") || !strings.Contains(err.Error(), "invalid partition specified: nope") {
		t.Errorf("error = %v, want sbatch's message", err)
	}
}

func TestSlurmBadInput(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"time", []string{"--time", "1h"}, `bad --time "1h": want minutes, MM:SS, H:MM:SS`},
		{"mem", []string{"--mem", "4 G"}, `bad --mem "4 G"`},
		{"partition", []string{"--partition", "a b"}, `bad --partition "a b"`},
		{"cpus", []string{"--cpus-per-task", "-2"}, `invalid value "-2" for flag --cpus-per-task: want an integer >= 1`},
		{"cpus zero", []string{"--cpus-per-task", "0"}, `invalid value "0" for flag --cpus-per-task: want an integer >= 1`},
		{"cpus signed", []string{"--cpus-per-task", "+2"}, `invalid value "+2" for flag --cpus-per-task: want an integer >= 1 in plain digits`},
		{"max parallel", []string{"--max-parallel", "-1"}, `invalid value "-1" for flag --max-parallel: want an integer >= 1`},
		{"max parallel zero", []string{"--max-parallel", "0"}, `invalid value "0" for flag --max-parallel: want an integer >= 1`},
		// Plain digits past an int were refused as if they were not
		// plain digits.
		// ... and then gave math.MaxInt as the bound, past what Slurm
		// reads: the bound is each flag's own.
		{"max parallel past an int", []string{"--max-parallel", "99999999999999999999"}, `invalid value "99999999999999999999" for flag --max-parallel: value out of range: want an integer from 1 to 2147483647`},
		{"cpus past an int", []string{"--cpus-per-task", "99999999999999999999"}, `invalid value "99999999999999999999" for flag --cpus-per-task: value out of range: want an integer from 1 to 2147483646`},
		// Past what Slurm reads: sbatch refuses the first only when
		// submitting, and slurmctld wraps the second's %N (4294967297
		// ran one task at a time).
		{"cpus past sbatch", []string{"--cpus-per-task", "2147483647"}, `bad --cpus-per-task 2147483647: more than 2147483646, the most sbatch reads`},
		{"max parallel past slurm", []string{"--max-parallel", "4294967297"}, `bad --max-parallel 4294967297: more than 2147483647, the most Slurm reads`},
		{"job name", []string{"--job-name", "my job"}, `bad --job-name "my job"`},
		{"sbatch not an option", []string{"--sbatch", "account=proj"}, `bad --sbatch "account=proj": want an sbatch option`},
		{"sbatch array", []string{"--sbatch", "#SBATCH --array=0-9"}, "gradbench slurm sets --array itself"},
		{"sbatch dependency", []string{"--sbatch", "-d afterok:1"}, "gradbench slurm sets --dependency itself"},
		{"sbatch job name", []string{"--sbatch", "-J other"}, "use gradbench slurm's --job-name"},
		{"sbatch output", []string{"--sbatch", "--output=x.log"}, "gradbench slurm sets --output itself"},
		// A line for what a flag sets would contradict the flag's line.
		{"sbatch time", []string{"--time", "10", "--sbatch", "--time=20"}, `bad --sbatch "--time=20": "--time=20" sets --time: use gradbench slurm's --time`},
		{"sbatch cpus", []string{"--cpus-per-task", "8", "--sbatch", "--cpus-per-task=4"}, "use gradbench slurm's --cpus-per-task"},
		{"sbatch partition", []string{"--sbatch", "-p cpu"}, "use gradbench slurm's --partition"},
		{"sbatch mem", []string{"--sbatch", "--mem=4G"}, "use gradbench slurm's --mem"},
		// Attached short values, grouped options and later words are
		// options too, as sbatch reads them.
		{"sbatch attached cpus", []string{"--cpus-per-task", "4", "--sbatch", "-c2"}, `bad --sbatch "-c2": "-c2" sets --cpus-per-task (-c): use gradbench slurm's --cpus-per-task`},
		{"sbatch attached array", []string{"--sbatch", "-a1"}, "gradbench slurm sets --array itself"},
		{"sbatch attached output", []string{"--sbatch", "-ox"}, "gradbench slurm sets --output itself"},
		{"sbatch attached job name", []string{"--sbatch", "-Jx"}, "use gradbench slurm's --job-name"},
		{"sbatch attached partition", []string{"--sbatch", "-pcpu"}, "use gradbench slurm's --partition"},
		{"sbatch attached time", []string{"--sbatch", "-t1"}, "use gradbench slurm's --time"},
		{"sbatch attached dependency", []string{"--sbatch", "-dafterok:1"}, "gradbench slurm sets --dependency itself"},
		{"sbatch error", []string{"--sbatch", "--error=x"}, `"--error=x" sets --error: gradbench slurm sets --output itself`},
		{"sbatch short error", []string{"--sbatch", "-e x"}, "sets --error (-e)"},
		{"sbatch second word", []string{"--sbatch", "--account=proj -c2"}, "sets --cpus-per-task (-c)"},
		{"sbatch abbreviated", []string{"--sbatch", "--part=cpu"}, "sets --partition"},
		{"sbatch two lines", []string{"--sbatch", "--qos=a\n--qos=b"}, "one line only"},
		{"unknown estimator", []string{"--estimators", "fdaa"}, `unknown estimator "fdaa"`},
		{"data for synthetic", []string{"--data", dir}, "synthetic dataset is generated, not read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tt.name, " ", "-"))
			_, stderr, err := runGradbench(t, append([]string{"slurm", "--recipe", recipe, "--out", out}, tt.args...)...)
			// A flag's own check prints its message before the usage.
			if err == nil || !strings.Contains(err.Error()+"\n"+stderr, tt.want) {
				t.Fatalf("gradbench slurm %v: error %v (stderr %q), want %q", tt.args, err, stderr, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("--out %s was created on bad input", out)
			}
		})
	}
}

// TestSlurmZeroLimits: --time 0 and --mem 0 are written as given, and
// Slurm reads them as no time limit and all of a node's memory, not as a
// limit of 0. Tried as a new user would: the help promised a "time limit"
// and a "memory" with no word of that. The help now says what 0 means,
// and negative or unparsable values are refused by name.
func TestSlurmZeroLimits(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	for _, tc := range []struct{ flag, value, line string }{
		{"--time", "0", "#SBATCH --time=0\n"},
		{"--time", "0:00:00", "#SBATCH --time=0:00:00\n"},
		{"--mem", "0", "#SBATCH --mem=0\n"},
		// The most sbatch reads (see the refusals below).
		{"--time", "35791393", "#SBATCH --time=35791393\n"},
		{"--time", "24855-03:13:00", "#SBATCH --time=24855-03:13:00\n"},
		{"--time", "596523:13:00", "#SBATCH --time=596523:13:00\n"},
		{"--mem", "9223372036854775807", "#SBATCH --mem=9223372036854775807\n"},
		{"--mem", "9007199254740991G", "#SBATCH --mem=9007199254740991G\n"},
		{"--mem", "8796093022207t", "#SBATCH --mem=8796093022207t\n"},
	} {
		out := filepath.Join(dir, "out"+strings.ReplaceAll(tc.flag+tc.value, ":", ""))
		gradbenchOK(t, "slurm", "--recipe", recipe, "--estimators", "ste", "--out", out, tc.flag, tc.value)
		b, _ := os.ReadFile(filepath.Join(out, "slurm", "cells.sh"))
		if !strings.Contains(string(b), tc.line) {
			t.Errorf("%s %s: cells.sh lacks %q:\n%s", tc.flag, tc.value, tc.line, b)
		}
	}
	help, _, _ := runGradbench(t, "help", "slurm")
	help = strings.Join(strings.Fields(help), " ")
	for _, want := range []string{"0 is Slurm's no limit", "0 is Slurm's all of a node's memory"} {
		if !strings.Contains(help, want) {
			t.Errorf("gradbench help slurm does not say %q", want)
		}
	}
	for _, tc := range []struct{ flag, value, want string }{
		{"--time", "-5", `bad --time "-5": want minutes, MM:SS, H:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS`},
		{"--time", "-0", `bad --time "-0"`},
		{"--time", "0.5", `bad --time "0.5"`},
		{"--mem", "-1", `bad --mem "-1": want an integer with an optional unit K, M, G or T`},
		{"--mem", "4GB", `bad --mem "4GB"`},
		{"--mem", "0.5G", `bad --mem "0.5G"`},
		// Tried as a new user would: a limit past what sbatch reads was
		// written as given, for sbatch to refuse later or, adding up
		// the seconds in a 32-bit int, to read as another limit.
		{"--time", "99999999999999999999", `bad --time "99999999999999999999": longer than 35791393 minutes (24855-03:13:00), the longest time limit sbatch reads`},
		{"--time", "35791394", `bad --time "35791394": longer than 35791393 minutes`},
		{"--time", "35791393:01", `bad --time "35791393:01": longer than 35791393 minutes`},
		{"--time", "24855-03:13:01", `bad --time "24855-03:13:01": longer than 35791393 minutes`},
		{"--time", "24856-00", `bad --time "24856-00": longer than 35791393 minutes`},
		{"--time", "596523:14:00", `bad --time "596523:14:00": longer than 35791393 minutes`},
		{"--time", "1-99999999999999999999", `bad --time "1-99999999999999999999": 99999999999999999999 hours after the days, want 0 to 23`},
		{"--mem", "99999999999999999999", `bad --mem "99999999999999999999": more than 9223372036854775807M, the most sbatch reads: it holds --mem in megabytes in a signed 64-bit integer (at most 8796093022207T, 9007199254740991G or 9223372036854775807 megabytes)`},
		{"--mem", "9223372036854775808K", `bad --mem "9223372036854775808K": more than 9223372036854775807K`},
		{"--mem", "9007199254740992G", `bad --mem "9007199254740992G": more than 9007199254740991G`},
		{"--mem", "8796093022208t", `bad --mem "8796093022208t": more than 8796093022207T`},
	} {
		out := filepath.Join(dir, "refused")
		_, _, err := runGradbench(t, "slurm", "--recipe", recipe, "--out", out, tc.flag, tc.value)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: error %v, want %q", tc.flag, tc.value, err, tc.want)
		}
	}
}

// TestSlurmSpaces: paths with blanks are escaped in the #SBATCH lines (a
// backslash, as sbatch reads them) and quoted in the commands.
func TestSlurmSpaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my runs")
	recipe := writeRecipe(t, t.TempDir(), tinyRecipe)
	gradbenchOK(t, "slurm", "--recipe", recipe, "--estimators", "ste", "--out", dir)
	b, _ := os.ReadFile(filepath.Join(dir, "slurm", "cells.sh"))
	for _, want := range []string{`#SBATCH --output=` + strings.ReplaceAll(dir, " ", `\ `) + `/slurm/logs/%A_%a.out`, `--out='` + dir + `'`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("cells.sh lacks %s:\n%s", want, b)
		}
	}
	b, _ = os.ReadFile(filepath.Join(dir, "slurm", "table.sh"))
	if want := `out='` + dir + `'`; !strings.Contains(string(b), want) {
		t.Errorf("table.sh lacks %s:\n%s", want, b)
	}
}

// TestSlurmKeepEpochs: gradbench slurm --keep-epochs writes an array whose
// tasks run gradbench run --keep-epochs, so that a sweep trained on a
// cluster keeps the weights gradbench fidelity --epochs measures; task 0,
// run as Slurm would run it, keeps its run's weights after epoch 1. Over
// an --out whose cells were trained without it, it is refused as gradbench
// run refuses it, naming the cell, before any script is written.
func TestSlurmKeepEpochs(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash to run the array script with")
	}
	dir, recipe, out := tinyWorkdir(t) // 2 epochs
	sweep := []string{"--recipe", recipe, "--estimators", "ste,fda", "--out", out}
	gradbenchOK(t, append([]string{"slurm", "--keep-epochs"}, sweep...)...)
	cellsPath := filepath.Join(out, "slurm", "cells.sh")
	b, err := os.ReadFile(cellsPath)
	if err != nil {
		t.Fatal(err)
	}
	script := string(b)
	exe, _ := os.Executable()
	exe, _ = filepath.Abs(exe)
	run := "exec " + exe + ` run --cell "${cells[task]}" --out=` + out + " --estimators=ste,fda --recipe=" + recipe + " --keep-epochs\n"
	if !strings.Contains(script, run) || !strings.Contains(script, "#   gradbench run --estimators=ste,fda --recipe="+recipe+" --keep-epochs\n") {
		t.Errorf("cells.sh does not run its cells with --keep-epochs (want %q):\n%s", run, script)
	}

	// Task 0, as Slurm runs it: the script under bash, the test binary
	// as gradbench.
	var cells []planCell
	stdout, _, _ := runGradbench(t, append([]string{"plan", "--json"}, sweep...)...)
	if err := json.Unmarshal([]byte(stdout), &cells); err != nil || len(cells) != 2 {
		t.Fatalf("plan --json: %v\n%s", err, stdout)
	}
	task := exec.Command("bash", cellsPath)
	task.Env = append(os.Environ(), asGradbenchEnv+"=1", "SLURM_ARRAY_TASK_ID=0")
	if b, err := task.CombinedOutput(); err != nil {
		t.Fatalf("array task 0: %v\n%s", err, b)
	}
	if _, err := suite.ReadRecord(out, cells[0].Key); err != nil {
		t.Fatalf("array task 0 recorded no run: %v", err)
	}
	if _, err := os.Stat(suite.EpochWeightsPath(out, cells[0].Key, 1)); err != nil {
		t.Errorf("array task 0 kept no weights after epoch 1: %v", err)
	}

	// The same sweep into an --out trained without --keep-epochs: refused
	// as gradbench run refuses it, with no script written.
	plain := filepath.Join(dir, "plain")
	rec := trainOne(t, plain, "--recipe", recipe, "--estimators", "ste")
	_, _, err = runGradbench(t, "slurm", "--keep-epochs", "--recipe", recipe, "--estimators", "ste,fda", "--out", plain)
	want := "suite: --keep-epochs: a cell in " + plain + " was trained without it and lacks the weights of epochs it already trained, which running again would not make: " +
		rec.Key + " (ste seed 1: done, no weights after epoch 1); give a new --out to train it with --keep-epochs, or drop --keep-epochs"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("slurm --keep-epochs over runs trained without it: error %v, want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(plain, "slurm")); err == nil {
		t.Errorf("the refused slurm --keep-epochs wrote %s", filepath.Join(plain, "slurm"))
	}
	// Without --keep-epochs the same --out is fine.
	if _, stderr, err := runGradbench(t, "slurm", "--recipe", recipe, "--estimators", "ste,fda", "--out", plain); err != nil {
		t.Errorf("slurm without --keep-epochs: %v\n%s", err, stderr)
	}
}

// TestSlurmKeepEpochsCellTrainedNow: gradbench slurm --keep-epochs over an
// --out where a live process trains a cell now without --keep-epochs (its
// lock says so; it has written nothing else yet) is refused, naming the
// cell and the process, before any script is written. A holder with
// --keep-epochs is left to train its cell, as any running cell is.
func TestSlurmKeepEpochsCellTrainedNow(t *testing.T) {
	_, recipe, out := tinyWorkdir(t)
	sweep := []string{"slurm", "--keep-epochs", "--recipe", recipe, "--estimators", "ste,fda", "--out", out}
	cells := planJSON(t, sweep[2:]...)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	for _, keep := range []bool{false, true} {
		lock, _ := json.Marshal(suite.LockInfo{Key: cells[1].Key, Host: host, PID: os.Getpid(), Token: "t", KeepEpochs: keep})
		if err := os.WriteFile(suite.LockPath(out, cells[1].Key), lock, 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr, err := runGradbench(t, sweep...)
		if keep {
			if err != nil {
				t.Errorf("slurm --keep-epochs while a process with it trains a cell: %v\n%s", err, stderr)
			} else if !strings.Contains(stderr, "1 cell is being trained now by another process") {
				t.Errorf("stderr does not say that the running cell is left out:\n%s", stderr)
			}
			continue
		}
		want := "suite: --keep-epochs: a cell in " + out + " is being trained now by another process without it, which will not keep the weights of its epochs: " +
			cells[1].Key + " (fda seed 1: being trained now by " + host + " pid " + strconv.Itoa(os.Getpid()) + " without --keep-epochs); give a new --out to train it with --keep-epochs, or drop --keep-epochs"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("slurm --keep-epochs while a process without it trains a cell: error %v, want %q", err, want)
		}
		if _, err := os.Stat(filepath.Join(out, "slurm")); err == nil {
			t.Errorf("the refused slurm --keep-epochs wrote %s", filepath.Join(out, "slurm"))
		}
	}
}

// TestSlurmRelativeData: an array task may start in another directory
// than gradbench slurm did, so a relative --data reaches cells.sh as the
// absolute path of the directory it named. Passing --data on as given
// passed every other test, none of which gave slurm a --data.
func TestSlurmRelativeData(t *testing.T) {
	dir := t.TempDir()
	writeMNIST(t, filepath.Join(dir, "digits"), "train", 64)
	writeMNIST(t, filepath.Join(dir, "digits"), "t10k", 40)
	recipe := writeRecipe(t, dir, tinyRecipe)
	t.Chdir(dir)
	gradbenchOK(t, "slurm", "--recipe", recipe, "--dataset", "mnist", "--data", "digits", "--estimators", "ste", "--out", "runs")
	b, err := os.ReadFile(filepath.Join(dir, "runs", "slurm", "cells.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if want := " --data=" + filepath.Join(dir, "digits") + " "; !strings.Contains(string(b), want) {
		t.Errorf("cells.sh lacks %q, the relative --data digits made absolute:\n%s", want, b)
	}
}

// TestSlurmRelativeDataEnv: a relative $GRADBENCH_DATA reached the array
// tasks through their environment as it was, to name another directory
// where a task starts elsewhere (sbatch --submit starts them in --out):
// gradbench slurm checked one directory and the tasks read another. It is
// refused; an absolute one is taken.
func TestSlurmRelativeDataEnv(t *testing.T) {
	dir := t.TempDir()
	writeMNIST(t, filepath.Join(dir, "sets", "mnist"), "train", 64)
	writeMNIST(t, filepath.Join(dir, "sets", "mnist"), "t10k", 40)
	recipe := writeRecipe(t, dir, tinyRecipe)
	t.Chdir(dir)
	t.Setenv(data.EnvDataDir, "sets")
	args := []string{"slurm", "--recipe", recipe, "--dataset", "mnist", "--estimators", "ste", "--out", "runs"}
	want := `suite: $GRADBENCH_DATA is "sets", a relative path: the array tasks may start in another directory, where it would name another one: set it to an absolute path, or give --data`
	if _, _, err := runGradbench(t, args...); err == nil || err.Error() != want {
		t.Errorf("slurm with $GRADBENCH_DATA=sets: %v, want %s", err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "runs", "slurm")); err == nil {
		t.Error("the refused slurm wrote its scripts")
	}
	t.Setenv(data.EnvDataDir, filepath.Join(dir, "sets"))
	if _, stderr, err := runGradbench(t, args...); err != nil {
		t.Errorf("slurm with an absolute $GRADBENCH_DATA: %v\n%s", err, stderr)
	}
}

// TestSlurmSubmitNoJobID: an sbatch that prints no job id (here what
// sbatch prints without --parsable) is an error quoting what it printed,
// and no table job is submitted after an array job with no id to depend
// on. Taking any output as the id passed every other test, whose fake
// sbatch printed ids.
func TestSlurmSubmitNoJobID(t *testing.T) {
	fakeScontrol(t, "1001")
	bin := t.TempDir()
	log := filepath.Join(bin, "sbatch.log")
	script := "#!/bin/sh\necho \"$*\" >>" + log + "\necho 'Submitted batch job 101'\n"
	if err := os.WriteFile(filepath.Join(bin, "sbatch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	_, recipe, out := tinyWorkdir(t)
	_, _, err := runGradbench(t, "slurm", "--submit", "--recipe", recipe, "--estimators", "ste", "--out", out)
	want := "slurm: sbatch --parsable " + filepath.Join(out, "slurm", "cells.sh") + ` printed "Submitted batch job 101", want a job id`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	if calls, _ := os.ReadFile(log); strings.Count(string(calls), "\n") != 1 {
		t.Errorf("sbatch calls:\n%s\nwant the array job's alone", calls)
	}
}

// TestSlurmTwoRunning: with two cells held by live processes, slurm says
// how many it leaves out, and submits the others. Counting every cell of
// the sweep there passed every other test, which held one cell (a line
// of its own).
func TestSlurmTwoRunning(t *testing.T) {
	sweep, _, _ := sweepHeld(t, 2)
	stdout, stderr := gradbenchOK(t, append([]string{"slurm"}, sweep...)...)
	if want := "2 cells are being trained now by other processes (live locks): not submitted again\n"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if !strings.Contains(stderr, "(2 array tasks, one per pending cell of 4)") || !strings.HasPrefix(stdout, "job=$(sbatch") {
		t.Errorf("slurm does not write 2 of 4 cells:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}

// TestSlurmRecipeName: a built-in recipe's name reaches cells.sh as the
// name, not made into a path of the directory slurm ran in (a recipe
// file's path is made absolute). Making every --recipe absolute passed
// every other test, all of which gave a recipe file.
func TestSlurmRecipeName(t *testing.T) {
	out := filepath.Join(t.TempDir(), "runs")
	gradbenchOK(t, "slurm", "--recipe", "fmnist-10", "--dataset", "synthetic", "--estimators", "ste", "--out", out)
	b, err := os.ReadFile(filepath.Join(out, "slurm", "cells.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), " --recipe=fmnist-10 ") && !strings.Contains(string(b), " --recipe=fmnist-10\n") {
		t.Errorf("cells.sh does not pass --recipe=fmnist-10 on:\n%s", b)
	}
}

// sweepHeld returns the flags of a sweep of 4 cells (a tiny recipe, ste
// and fda, 2 seeds), its output directory and its cells, the first held
// of them locked by a live process (this one), as a run on another node
// would hold them.
func sweepHeld(t *testing.T, held int) (sweep []string, out string, cells []planCell) {
	t.Helper()
	_, recipe, out := tinyWorkdir(t)
	sweep = []string{"--recipe", recipe, "--estimators", "ste,fda", "--seeds", "2", "--out", out}
	stdout, _ := gradbenchOK(t, append([]string{"plan", "--json"}, sweep...)...)
	if err := json.Unmarshal([]byte(stdout), &cells); err != nil || len(cells) != 4 {
		t.Fatalf("plan --json: %v\n%s", err, stdout)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	for _, c := range cells[:held] {
		lock, _ := json.Marshal(suite.LockInfo{Key: c.Key, Host: host, PID: os.Getpid(), Token: "t"})
		if err := os.WriteFile(suite.LockPath(out, c.Key), lock, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return sweep, out, cells
}

// TestSlurmTableNamesSpecWithSpaces: tried as a new user would, a sweep
// with an expr: estimator, whose spec holds spaces, got a table job whose
// failure line read the estimator and seed from the plan's columns and
// named the cell "(expr:g=1 seed -, key ...)". It names each cell
// missing by its whole spec and seed.
func TestSlurmTableNamesSpecWithSpaces(t *testing.T) {
	_, recipe, out := tinyWorkdir(t)
	gradbenchOK(t, "slurm", "--recipe", recipe, "--estimators", "ste,expr:g=1 - x*x", "--seeds", "1", "--out", out)
	job := exec.Command("bash", filepath.Join(out, "slurm", "table.sh"))
	job.Env = append(os.Environ(), asGradbenchEnv+"=1")
	b, _ := job.CombinedOutput()
	var failed string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "gradbench: FAILED: ") {
			failed = l
		}
	}
	if !strings.Contains(failed, "cells 0 (ste seed 1, key ") || !strings.Contains(failed, ", 1 (expr:g=1 - x * x seed 1, key ") {
		t.Errorf("the table job's failure line %q, want cells 0 (ste seed 1, ...) and 1 (expr:g=1 - x * x seed 1, ...):\n%s", failed, b)
	}
}

// fakeScontrol puts a scontrol first in PATH whose show config prints
// MaxArraySize = limit among other lines, as Slurm's does, or, with limit
// "", fails as one whose controller does not answer.
func fakeScontrol(t *testing.T, limit string) {
	t.Helper()
	bin := t.TempDir()
	script := "#!/bin/sh\n[ \"$*\" = 'show config' ] || { echo \"unexpected scontrol $*\" >&2; exit 2; }\n"
	if limit == "" {
		script += "echo 'slurm_load_ctl_conf error: Unable to contact slurm controller (connect failure)' >&2\nexit 1\n"
	} else {
		script += "echo 'Configuration data as of 2026-12-07T02:00:00'\necho 'MaxArrayHint            = 9'\necho 'MaxArraySize            = " + limit + "'\necho 'MaxJobCount             = 10000'\n"
	}
	if err := os.WriteFile(filepath.Join(bin, "scontrol"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// TestSlurmMaxArraySize: an array of more tasks than the cluster's
// MaxArraySize allows (its indices run to MaxArraySize-1) is refused
// before anything is written or submitted, with both numbers and what to
// do, rather than left to sbatch's terse "Invalid job array
// specification". An array that fits is submitted; a cluster whose
// scontrol does not answer is said on stderr, and the array submitted
// unchecked, as before (not with --quiet: sbatch, which needs the same
// controller, then says why it fails).
func TestSlurmMaxArraySize(t *testing.T) {
	log := fakeSbatch(t, false)
	sweep, out, _ := sweepHeld(t, 0)
	for _, tc := range []struct{ limit, want string }{
		{"3", "slurm: the sweep has 4 pending cells, one array task each, more than the 3 tasks this cluster's MaxArraySize (scontrol show config) lets one job array hold: submit the sweep in parts of at most 3 cells into the same --out (a range of --seeds, such as --seeds 1..3 and then 4..6, or fewer --estimators) and, once their arrays have ended, this command, which submits whatever is still pending; or ask the cluster's administrators to raise MaxArraySize"},
		{"0", "slurm: this cluster's MaxArraySize (scontrol show config) is 0, which turns job arrays off, and gradbench slurm submits the sweep's 4 pending cells as one: ask the cluster's administrators to turn them on, or train the cells with gradbench run (--cell <key> trains one; gradbench plan lists the keys)"},
	} {
		fakeScontrol(t, tc.limit)
		_, _, err := runGradbench(t, append([]string{"slurm", "--submit"}, sweep...)...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("MaxArraySize %s, 4 pending cells: error\n%v\nwant\n%s", tc.limit, err, tc.want)
		}
		if _, err := os.Stat(filepath.Join(out, "slurm", "cells.sh")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("MaxArraySize %s: cells.sh written (%v), want nothing written", tc.limit, err)
		}
		if calls, _ := os.ReadFile(log); len(calls) != 0 {
			t.Errorf("MaxArraySize %s: sbatch called:\n%s", tc.limit, calls)
		}
	}
	fakeScontrol(t, "4")
	if stdout, _ := gradbenchOK(t, append([]string{"slurm", "--submit"}, sweep...)...); !strings.HasPrefix(stdout, "submitted array job 101 (4 tasks") {
		t.Errorf("MaxArraySize 4, 4 pending cells: stdout %q, want the array submitted", stdout)
	}
	fakeScontrol(t, "")
	stdout, stderr := gradbenchOK(t, append([]string{"slurm", "--submit"}, sweep...)...)
	if !strings.HasPrefix(stdout, "submitted array job 103 (4 tasks") || !strings.Contains(stderr, "the array of 4 tasks is not checked against the cluster's MaxArraySize: scontrol show config: slurm_load_ctl_conf error: Unable to contact slurm controller") {
		t.Errorf("scontrol failing: stdout %q, stderr %q; want the array submitted and the check said to be left out", stdout, stderr)
	}
	if stdout, stderr = gradbenchOK(t, append([]string{"slurm", "--submit", "--quiet"}, sweep...)...); !strings.HasPrefix(stdout, "submitted array job 105 (4 tasks") || stderr != "" {
		t.Errorf("scontrol failing, --quiet: stdout %q, stderr %q; want the array submitted and nothing on stderr", stdout, stderr)
	}
}

// TestSlurmMaxArraySizeWithoutSubmit: without --submit, gradbench slurm
// wrote an array of more tasks than the cluster's MaxArraySize allows,
// and printed the command that submits it, which sbatch then refuses with
// "Invalid job array specification". Where scontrol tells the limit, such
// an array is refused as --submit refuses it, before anything is written;
// one that fits says so; where the limit is not known, stderr says how
// many tasks the array has and what bounds them, and cells.sh says it in
// its comments.
func TestSlurmMaxArraySizeWithoutSubmit(t *testing.T) {
	sweep, out, _ := sweepHeld(t, 0)
	cells := filepath.Join(out, "slurm", "cells.sh")
	fakeScontrol(t, "3")
	want := "slurm: the sweep has 4 pending cells, one array task each, more than the 3 tasks this cluster's MaxArraySize (scontrol show config) lets one job array hold"
	if _, _, err := runGradbench(t, append([]string{"slurm"}, sweep...)...); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("MaxArraySize 3, 4 pending cells, no --submit: error %v, want %s...", err, want)
	}
	if _, err := os.Stat(cells); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("MaxArraySize 3: cells.sh written (%v), want nothing written", err)
	}
	fakeScontrol(t, "4")
	if _, stderr := gradbenchOK(t, append([]string{"slurm"}, sweep...)...); !strings.Contains(stderr, "the array's 4 tasks are within this cluster's MaxArraySize, 4 (scontrol show config)\n") {
		t.Errorf("MaxArraySize 4, 4 pending cells: stderr\n%s\nwant the limit checked", stderr)
	}
	fakeScontrol(t, "")
	_, stderr := gradbenchOK(t, append([]string{"slurm"}, sweep...)...)
	if want := "the array of 4 tasks is not checked against the cluster's MaxArraySize: scontrol show config: slurm_load_ctl_conf error: Unable to contact slurm controller (connect failure); Slurm takes an array only if its last index, 3, is below it (1001 unless the cluster sets another)\n"; !strings.Contains(stderr, want) {
		t.Errorf("scontrol failing: stderr\n%s\nwant\n%s", stderr, want)
	}
	// A controller that does not answer is waited for scontrolWait alone.
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "scontrol"), []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	defer func(w time.Duration) { scontrolWait = w }(scontrolWait)
	scontrolWait = 200 * time.Millisecond
	start := time.Now()
	_, stderr = gradbenchOK(t, append([]string{"slurm"}, sweep...)...)
	if want := "the array of 4 tasks is not checked against the cluster's MaxArraySize: scontrol show config did not answer within 200ms; Slurm takes"; !strings.Contains(stderr, want) || time.Since(start) > 30*time.Second {
		t.Errorf("scontrol not answering: stderr\n%s\nwant %s..., at once (took %v)", stderr, want, time.Since(start))
	}
	t.Setenv("PATH", t.TempDir())
	_, stderr = gradbenchOK(t, append([]string{"slurm"}, sweep...)...)
	if want := "the array of 4 tasks is not checked against a cluster's MaxArraySize (no scontrol on PATH); Slurm takes an array only if its last index, 3, is below it (1001 unless the cluster sets another)\n"; !strings.Contains(stderr, want) {
		t.Errorf("no scontrol: stderr\n%s\nwant\n%s", stderr, want)
	}
	if _, stderr = gradbenchOK(t, append([]string{"slurm", "--quiet"}, sweep...)...); stderr != "" {
		t.Errorf("no scontrol, --quiet: stderr %q, want nothing", stderr)
	}
	b, err := os.ReadFile(cells)
	if err != nil {
		t.Fatal(err)
	}
	if want := "# This array has 4 tasks, indices 0 to 3: Slurm takes it only where its last\n# index, 3, is below the cluster's MaxArraySize (1001 unless the cluster sets\n# another; scontrol show config shows it).\n"; !strings.Contains(string(b), want) {
		t.Errorf("cells.sh does not say how many tasks the array has and what bounds them:\n%s\nwant\n%s", b, want)
	}
}

// TestSlurmInterruptedWhileScontrolRuns: an interrupt (Ctrl-C) that came
// while scontrol was asked for the cluster's MaxArraySize was taken for a
// scontrol that could not tell it: gradbench slurm said the array was
// not checked, then wrote the scripts and printed the command that
// submits them (exit status 0), or with --submit wrote them and went on
// to sbatch. It stops there, nothing written, and says it was
// interrupted.
func TestSlurmInterruptedWhileScontrolRuns(t *testing.T) {
	sweep, out, _ := sweepHeld(t, 0)
	defer func(f func(context.Context) (int64, error)) { clusterMaxArraySize = f }(clusterMaxArraySize)
	for _, submit := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		clusterMaxArraySize = func(ctx context.Context) (int64, error) {
			cancel() // Ctrl-C while scontrol runs, which it kills
			<-ctx.Done()
			return 0, errors.New("scontrol show config: signal: killed")
		}
		args := append([]string{"slurm"}, sweep...)
		if submit {
			args = append(args, "--submit")
		}
		var stdout, stderr bytes.Buffer
		err := gradbench(ctx, &cmdEnv{stdout: &stdout, stderr: &stderr}, args)
		if !errors.Is(err, context.Canceled) || !strings.Contains(fmt.Sprint(err), "interrupted") {
			t.Errorf("slurm (--submit %v) interrupted while scontrol runs: %v, want an error saying it was interrupted", submit, err)
		}
		if _, err := os.Stat(filepath.Join(out, "slurm", "cells.sh")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("slurm (--submit %v) interrupted while scontrol runs: cells.sh written (%v), want nothing written", submit, err)
		}
		if stdout.Len() > 0 || strings.Contains(stderr.String(), "not checked") {
			t.Errorf("slurm (--submit %v) interrupted while scontrol runs: stdout %q, stderr %q; want no command and no note", submit, stdout.String(), stderr.String())
		}
		cancel()
	}
}
