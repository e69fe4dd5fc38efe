package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/suite"
)

// Environment variables that only this test binary reads: the gradbench
// binary a user runs knows neither.
const (
	// asGradbenchEnv=1 makes the test binary run its command line as the
	// gradbench binary does (TestMain), so that the job scripts of the
	// Slurm acceptance test can run it in place of a gradbench build.
	asGradbenchEnv = "GRADBENCH_TEST_AS_GRADBENCH"
	// failCellEnv, with asGradbenchEnv, names a cell key: `run --cell
	// <key>` fails at once, without training, while the cell has no
	// record. The Slurm acceptance test uses it for a cell that fails in
	// its first array and succeeds when resubmitted.
	failCellEnv = "GRADBENCH_TEST_FAIL_CELL"
)

func TestMain(m *testing.M) {
	if os.Getenv(asGradbenchEnv) == "1" {
		if err := injectedFault(os.Args[1:], os.Getenv(failCellEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "gradbench:", err)
			os.Exit(1)
		}
		main()
		os.Exit(0)
	}
	// Only a scontrol the test put first in PATH (fakeScontrol) is asked
	// for the cluster's MaxArraySize: one installed here may have no
	// controller to answer, and would slow every gradbench slurm by
	// seconds (the child processes above, such as TestSlurmArray's, ask
	// the real one).
	clusterMaxArraySize = func(ctx context.Context) (int64, error) {
		if path, err := exec.LookPath("scontrol"); err != nil || !strings.HasPrefix(path, os.TempDir()) {
			return 0, exec.ErrNotFound
		}
		return maxArraySize(ctx)
	}
	code := m.Run()
	removeTrainedTiny()
	os.Exit(code)
}

// injectedFault returns the failure of `gradbench run --cell <key>
// --out=<dir>` when key is the faulty cell's and it has no record in
// dir.
func injectedFault(args []string, key string) error {
	if key == "" || len(args) == 0 || args[0] != "run" {
		return nil
	}
	cell, out := "", ""
	for i, a := range args {
		switch {
		case a == "--cell" && i+1 < len(args):
			cell = args[i+1]
		case strings.HasPrefix(a, "--cell="):
			cell = strings.TrimPrefix(a, "--cell=")
		case a == "--out" && i+1 < len(args):
			out = args[i+1]
		case strings.HasPrefix(a, "--out="):
			out = strings.TrimPrefix(a, "--out=")
		}
	}
	if cell != key {
		return nil
	}
	if _, err := suite.ReadRecord(out, key); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("cell %s failed on purpose: %s names it (a fault of the test binary)", key, failCellEnv)
}

// TestInjectedFault checks the fault the Slurm acceptance test relies on,
// where no Slurm runs: the test binary run as gradbench fails the named
// cell while it has no record, and passes it once it has one.
func TestInjectedFault(t *testing.T) {
	_, recipe, out := tinyWorkdir(t)
	sweep := []string{"--recipe", recipe, "--estimators", "ste", "--seeds", "1", "--out=" + out}
	cells := planJSON(t, sweep...)
	if len(cells) != 1 {
		t.Fatalf("plan: %d cells, want 1", len(cells))
	}
	key := cells[0].Key
	run := func(fault string) (string, error) {
		cmd := exec.Command(os.Args[0], append([]string{"run", "--quiet", "--cell", key}, sweep...)...)
		cmd.Env = append(os.Environ(), asGradbenchEnv+"=1", failCellEnv+"="+fault)
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	if got, err := run(key); err == nil || got != "gradbench: cell "+key+" failed on purpose: "+failCellEnv+" names it (a fault of the test binary)\n" {
		t.Fatalf("the faulty cell: %v, output %q", err, got)
	}
	if got, err := run(""); err != nil || !strings.HasPrefix(got, "cell 0 of 1 (ste seed 1): top-1 ") {
		t.Fatalf("no fault: %v, output %q", err, got)
	}
	if got, err := run(key); err != nil || !strings.HasPrefix(got, "cell 0 of 1 (ste seed 1): top-1 ") {
		t.Fatalf("the faulty cell with a record: %v, output %q, want it found done", err, got)
	}
}

// TestFlagGivenTwice: a flag given twice is refused, naming it and its
// values, instead of the last value silently winning (plan --seeds 3
// --seeds 1 planned seed 1); nothing is written. --sbatch, meant to repeat,
// is still taken once per line (TestSlurmScripts).
func TestFlagGivenTwice(t *testing.T) {
	dir, recipe, out := tinyWorkdir(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "--recipe", recipe, "--seeds", "3", "--seeds", "1", "--estimators", "ste", "--estimators", "fda"},
			`plan: --seeds given 2 times ("3", then "1"); --estimators given 2 times ("ste", then "fda"): give each flag once`},
		{[]string{"run", "--recipe", recipe, "--out", out, "--seeds=2", "--seeds", "2"},
			`run: --seeds given 2 times ("2", then "2"): give each flag once`},
		{[]string{"run", "--recipe", recipe, "--out", out, "--quiet", "--quiet"},
			`run: --quiet given 2 times ("true", then "true"): give each flag once`},
		{[]string{"fidelity", "--init", "--recipe", recipe, "--seeds", "2", "--seeds", "3"},
			`fidelity: --seeds given 2 times ("2", then "3"): give each flag once`},
		{[]string{"table", "--runs", out, "--runs", dir},
			`table: --runs given 2 times ("` + out + `", then "` + dir + `"): give each flag once`},
	} {
		_, stderr, err := runGradbench(t, tc.args...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("gradbench %q: error %v, want %s\n%s", tc.args, err, tc.want, stderr)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused command wrote %s: %v", out, err)
	}
}

// TestFlagUnknown: a flag the command does not define is refused with the
// flags the user may have meant (the flag package names only the one
// given), and nothing is written.
func TestFlagUnknown(t *testing.T) {
	out := filepath.Join(t.TempDir(), "runs")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--out", out, "--est", "ste"}, "gradbench: run: flag provided but not defined: --est (did you mean --estimators?)"},
		{[]string{"plan", "--out", out, "-seed", "2"}, "gradbench: plan: flag provided but not defined: --seed (did you mean --seeds?)"},
		{[]string{"curves", "--x-min", "2"}, "gradbench: curves: flag provided but not defined: --x-min"},
	} {
		_, stderr, err := runGradbench(t, tc.args...)
		if err == nil {
			t.Errorf("gradbench %q: no error", tc.args)
			continue
		}
		if first, _, _ := strings.Cut(stderr, "\n"); first != tc.want {
			t.Errorf("gradbench %q: printed %q first, want %q", tc.args, first, tc.want)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused command wrote %s: %v", out, err)
	}
}

// TestFlagGivenEmpty: a flag given an empty or all-blank value is refused,
// naming it, instead of being taken as if it had not been given (run
// --model "" trained the recipe's model, curves --format "" printed
// nothing and exited 0); nothing is written.
func TestFlagGivenEmpty(t *testing.T) {
	dir, recipe, out := tinyWorkdir(t)
	svg := filepath.Join(dir, "c.svg")
	run := func(args ...string) []string {
		return append([]string{"run", "--recipe", recipe, "--out", out, "--quiet"}, args...)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{run("--model", ""), `run: --model "" is empty: give the name, or leave --model out for its default`},
		{run("--dataset", ""), `run: --dataset "" is empty: give the name, or leave --dataset out for its default`},
		{run("--optimizers", " "), `run: --optimizers " " is blank: give the optimizers, or leave --optimizers out for its default`},
		{run("--ablation", ""), `run: --ablation "" is empty: give the value, or leave --ablation out for its default`},
		{run("--lr-grid", "\t"), `run: --lr-grid "\t" is blank: give the multipliers, or leave --lr-grid out for its default`},
		{[]string{"run", "--recipe", recipe, "--out", ""}, `run: --out "" is empty: give the directory, or leave --out out for its default (` + filepath.Join("results", "runs") + `)`},
		{run("--cell", ""), `run: --cell "" is empty: give the cell (--cell has no default: left out, every cell is trained)`},
		{run("--epochs", ""), `run: --epochs "" is empty: give the value, or leave --epochs out for its default`},
		// A boolean flag's default (false) is not offered: --quiet= is
		// no way to ask for it.
		{run("--keep-epochs="), `run: --keep-epochs "" is empty: give the value, or leave --keep-epochs out for its default`},
		{run("--model=", "--dataset", " "), `run: --dataset " " is blank: give the name, or leave --dataset out for its default; --model "" is empty: give the name, or leave --model out for its default`},
		{[]string{"plan", "--recipe", "", "--out", out}, `plan: --recipe "" is empty: give the name, or leave --recipe out for its default (fmnist-10)`},
		{[]string{"eval", "--model", "m.gbnn", "--impl", ""}, `eval: --impl "" is empty: give the value, or leave --impl out for its default`},
		{[]string{"eval", "--model", "m.gbnn", "--dataset", ""}, `eval: --dataset "" is empty: give the name, or leave --dataset out for its default`},
		// Flags that do something only when given have no default to
		// leave them out for: the error says what leaving them out does.
		{[]string{"curves", "--svg", ""}, `curves: --svg "" is empty: give the file (--svg has no default: left out, no plot is written)`},
		{[]string{"curves", "--estimators", ""}, `curves: --estimators "" is empty: give the value, or leave --estimators out for its default`},
		{[]string{"curves", "--format", ""}, `curves: --format "" is empty: give the value, or leave --format out for its default (tsv)`},
		{[]string{"curves", "--svg", svg, "--format", ""}, `curves: --format "" is empty: give the value, or leave --format out for its default (tsv)`},
		{[]string{"table", "--runs", out, "--curves", ""}, `table: --curves "" is empty: give the file (--curves has no default: left out, no curves are written)`},
		{[]string{"table", "--runs", out, "--bench", ""}, `table: --bench "" is empty: give the file (--bench has no default: left out, no benchmark lines are written)`},
		{[]string{"slurm", "--recipe", recipe, "--out", out, "--partition", " "}, `slurm: --partition " " is blank: give the partition, or leave --partition out for its default`},
		{[]string{"fidelity", "--init", "--recipe", recipe, "--out", ""}, `fidelity: --out "" is empty: give the directory (--out has no default: left out, the report is printed only)`},
		{[]string{"models", "--model", ""}, `models: --model "" is empty: give the name (--model has no default: left out, every model is summarized in a row)`},
		{[]string{"models", "--input", ""}, `models: --input "" is empty: give the CxHxW, or leave --input out for its default`},
		{[]string{"export", "--run", "r.json", "--out", ""}, `export: --out "" is empty: give the file, or leave --out out for its default`},
		// Required flags have no default to leave them out for.
		{[]string{"eval", "--model", ""}, `eval: --model "" is empty: give the file (--model is required and has no default)`},
		{[]string{"export", "--run", " "}, `export: --run " " is blank: give the file (--run is required and has no default)`},
	} {
		stdout, stderr, err := runGradbench(t, tc.args...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("gradbench %q: error %v, want %s\n%s%s", tc.args, err, tc.want, stdout, stderr)
		}
	}
	for _, p := range []string{out, svg} {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a refused command wrote %s: %v", p, err)
		}
	}
}

// TestHelp: gradbench help lists every command with its one-line
// summary, in name order; help COMMAND prints that command's prose and
// flags; an unknown command is refused by name; no command at all prints
// the list on stderr and fails. Leaving a command out of the list passed
// every other test, none of which read it.
func TestHelp(t *testing.T) {
	stdout, _ := gradbenchOK(t, "help")
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
		if want := fmt.Sprintf("\n\t%-10s %s\n", c.name, c.short); !strings.Contains(stdout, want) {
			t.Errorf("gradbench help lacks the line %q:\n%s", want, stdout)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("commands are not in name order: %q", names)
	}
	if got := strings.Count(stdout, "\n\t"); got != len(commands)+1 { // and the usage line
		t.Errorf("gradbench help has %d indented lines, want the usage line and %d commands:\n%s", got, len(commands), stdout)
	}
	for _, c := range commands {
		stdout, stderr, err := runGradbench(t, "help", c.name)
		if err != nil || stderr != "" {
			t.Errorf("gradbench help %s: %v, stderr %q", c.name, err, stderr)
		}
		first := strings.SplitN(strings.TrimSpace(c.long), "\n", 2)[0]
		// Tried as a new user would: gradbench help list ended with a
		// "Flags:" heading and nothing under it. A command without flags
		// says so instead.
		usage, flags := "usage: gradbench "+c.name+" [flags]\n", "\nFlags:\n  --"
		if c.name == "list" {
			usage, flags = "usage: gradbench list\n", "\nlist takes no flags.\n"
		}
		if !strings.HasPrefix(stdout, usage) || !strings.Contains(stdout, first) || !strings.HasSuffix(stdout, "\n") || !strings.Contains(stdout, flags) {
			t.Errorf("gradbench help %s lacks its usage line %q, prose (%q) or flags (%q):\n%s", c.name, usage, first, flags, stdout)
		}
	}
	if _, _, err := runGradbench(t, "help", "nosuch"); err == nil || !strings.Contains(err.Error(), `unknown command "nosuch" (have `+strings.Join(names, ", ")+")") {
		t.Errorf("gradbench help nosuch: %v, want an unknown command error listing the commands", err)
	}
	// Tried as a new user would: gradbench help help answered "unknown
	// command"; it prints help's own usage.
	if stdout, stderr, err := runGradbench(t, "help", "help"); err != nil || stderr != "" || !strings.HasPrefix(stdout, "usage: gradbench help [command]\n") {
		t.Errorf("gradbench help help: %v, stdout %q, stderr %q; want help's usage", err, stdout, stderr)
	}
	// Tried as a new user would: what follows the command was dropped
	// without a word.
	if _, _, err := runGradbench(t, "help", "run", "--epochs", "3"); err == nil || err.Error() != `help: unexpected argument "--epochs" after run: help takes one command, as in gradbench help run` {
		t.Errorf("gradbench help run --epochs 3: %v, want the argument after the command refused", err)
	}
	stdout, stderr, err := runGradbench(t)
	if !errors.Is(err, errUsage) || stdout != "" || !strings.Contains(stderr, "\n\tcurves ") {
		t.Errorf("gradbench with no command: err %v, stdout %q, stderr %q; want the usage on stderr and errUsage", err, stdout, stderr)
	}
}

// TestHelpFlagsTwoDashes: gradbench help COMMAND (and so COMMAND -h)
// lists every flag --name, as the README, the commands' examples and
// their errors write it: tried as a new user would, the Flags: list read
// -epochs, beside --epochs everywhere else. The listing is otherwise the
// flag package's (placeholders, usage, defaults), with only the dash at
// the head of each flag changed.
func TestHelpFlagsTwoDashes(t *testing.T) {
	for _, c := range commands {
		stdout, _, err := runGradbench(t, "help", c.name)
		if err != nil {
			t.Fatalf("gradbench help %s: %v", c.name, err)
		}
		fs := newFlagSet(c, io.Discard, io.Discard)
		_ = c.run(context.Background(), &cmdEnv{stdout: io.Discard, stderr: io.Discard}, fs, []string{"-h"})
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		_, listing, ok := strings.Cut(stdout, "\nFlags:\n")
		if len(names) == 0 {
			if ok {
				t.Errorf("gradbench help %s lists flags of a command without any:\n%s", c.name, stdout)
			}
			continue
		}
		if !ok {
			t.Errorf("gradbench help %s has no Flags: list:\n%s", c.name, stdout)
			continue
		}
		for _, name := range names {
			if !regexp.MustCompile(`(?m)^  --` + regexp.QuoteMeta(name) + `[ \t]|^  --` + regexp.QuoteMeta(name) + `$`).MatchString(listing) {
				t.Errorf("gradbench help %s does not list --%s", c.name, name)
			}
		}
		for _, line := range strings.Split(listing, "\n") {
			if strings.HasPrefix(line, "  -") && !strings.HasPrefix(line, "  --") {
				t.Errorf("gradbench help %s lists a flag with one dash: %q", c.name, line)
			}
		}
		var plain strings.Builder
		fs.SetOutput(&plain)
		cli.PrintDefaults(fs, "-")
		// The flag package starts each flag's entry "  -name" and every
		// further line of it with four spaces and a tab.
		if want := strings.ReplaceAll("\n"+plain.String(), "\n  -", "\n  --")[1:]; listing != want {
			t.Errorf("gradbench help %s lists\n%s\nwant the flag package's listing with --name for -name:\n%s", c.name, listing, want)
		}
	}
}

// TestHelpFlagOnStdout: tried as a new user would, gradbench run -h
// printed the usage on stderr, where gradbench help run and gradbench -h
// print it on stdout, so gradbench run -h | less showed nothing to page.
// Asked for, with -h or --help, the usage is the command's output, on
// stdout, and the same text gradbench help prints. After a flag error
// stderr holds the error and one line of usage: tried as a new user
// would, the whole usage under the error (some 100 lines) scrolled the
// error off the terminal and left the last flag's description in view.
func TestHelpFlagOnStdout(t *testing.T) {
	for _, c := range commands {
		want, _, err := runGradbench(t, "help", c.name)
		if err != nil {
			t.Fatalf("gradbench help %s: %v", c.name, err)
		}
		for _, h := range []string{"-h", "--help"} {
			stdout, stderr, err := runGradbench(t, c.name, h)
			if err != nil || stderr != "" || stdout != want {
				t.Errorf("gradbench %s %s: %v, stderr %q, stdout %q; want the usage of gradbench help %s on stdout alone", c.name, h, err, stderr, stdout, c.name)
			}
		}
		stdout, stderr, err := runGradbench(t, c.name, "--nosuchflag")
		line := "usage: gradbench " + c.name + " [flags] (gradbench help " + c.name + " describes them)\n"
		if c.name == "list" {
			line = "usage: gradbench list (it takes no flags; see gradbench help list)\n"
		}
		if !errors.Is(err, errUsage) || stdout != "" || stderr != "gradbench: "+c.name+": flag provided but not defined: --nosuchflag\n"+line {
			t.Errorf("gradbench %s --nosuchflag: %v, stdout %q, stderr %q; want the error and one line of usage on stderr", c.name, err, stdout, stderr)
		}
	}
	// A bad value of a defined flag likewise.
	if _, stderr, err := runGradbench(t, "plan", "--epochs", "0x10"); !errors.Is(err, errUsage) || stderr != "gradbench: plan: invalid value \"0x10\" for flag --epochs: want a decimal integer\nusage: gradbench plan [flags] (gradbench help plan describes them)\n" {
		t.Errorf("gradbench plan --epochs 0x10: %v, stderr %q; want the error and one line of usage", err, stderr)
	}
}

// TestSpacedValuesRefused: tried as a new user would, --seeds " 3" was
// accepted (trimmed) while --width " 0.5" was refused. A list or number
// with white space around it is refused by every flag alike (plan takes
// run's sweep flags and trains nothing, whatever it accepts).
func TestSpacedValuesRefused(t *testing.T) {
	for _, args := range [][]string{
		{"plan", "--width", " 0.5"},
		{"plan", "--seeds", " 3"},
		{"plan", "--seeds", "1, 2"},
		{"plan", "--lr-grid", "0.3, 1"},
		{"plan", "--optimizers", "adam, bop"},
		{"plan", "--epochs", "3 "},
		// Estimator specs, in every command that takes them: they were
		// trimmed (" ste", "ste, fda", "fda:n= 4"). The commands that
		// train are given no data, so that one which accepted the
		// specs would fail at once rather than train.
		{"plan", "--estimators", " ste"},
		{"plan", "--estimators", "ste, fda"},
		{"plan", "--estimators", "fda: n=4"},
		{"plan", "--estimators", "fda:n= 4"},
		{"plan", "--estimators", "w=ste /a=fda"},
		{"run", "--estimators", "ste, fda", "--data", t.TempDir(), "--out", filepath.Join(t.TempDir(), "runs")},
		{"slurm", "--estimators", "ste, fda", "--out", filepath.Join(t.TempDir(), "runs")},
		{"curves", "--estimators", "ste, fda"},
		{"fidelity", "--init", "--estimators", "ste, fda", "--data", t.TempDir(), "--out", filepath.Join(t.TempDir(), "fidelity")},
	} {
		_, stderr, err := runGradbench(t, args...)
		if err == nil {
			t.Errorf("gradbench %q: no error, want the spaced value refused", args)
		} else if got := err.Error() + stderr; !strings.Contains(got, "white space is not allowed") && !strings.Contains(got, "invalid value") {
			t.Errorf("gradbench %q: %s, want the spaced value refused, saying so", args, got)
		}
	}
}

// TestBareArgumentHint: tried as a new user would, `gradbench eval
// m.gbnn` said only "unexpected argument". A lone bare argument to a
// command that reads a file or directory names the flag it most likely
// meant; it never does when that flag was given, when there are more
// arguments or the argument looks like a flag, or where the command has
// no input flag.
func TestBareArgumentHint(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "m.gbnn"}, `eval: unexpected argument "m.gbnn" (flags only: did you mean --model m.gbnn?; see gradbench help eval)`},
		{[]string{"export", "runs/a b.json"}, `export: unexpected argument "runs/a b.json" (flags only: did you mean --run 'runs/a b.json'?; see gradbench help export)`},
		{[]string{"fidelity", "r.json"}, `fidelity: unexpected argument "r.json" (flags only: did you mean --run r.json?; see gradbench help fidelity)`},
		{[]string{"table", "results/runs"}, `table: unexpected argument "results/runs" (flags only: did you mean --runs results/runs?; see gradbench help table)`},
		{[]string{"eval", "--model", "m.gbnn", "x"}, `eval: unexpected argument "x" (flags only; see gradbench help eval)`},
		{[]string{"eval", "a", "b"}, `eval: unexpected argument "a" (flags only; see gradbench help eval)`},
		{[]string{"eval", "--", "-x"}, `eval: unexpected argument "-x" (flags only; see gradbench help eval)`},
		{[]string{"curves", "ste"}, `curves: unexpected argument "ste" (flags only; see gradbench help curves)`},
		{[]string{"models", "resnet20"}, `models: unexpected argument "resnet20" (flags only: did you mean --model resnet20?; see gradbench help models)`},
		// run has a --model too, a name it trains, not what it reads.
		{[]string{"run", "fda"}, `run: unexpected argument "fda" (flags only; see gradbench help run)`},
		// A list written with spaces, its flag's value separate or not.
		{[]string{"run", "--estimators", "ste", "fda", "dsq"}, `run: unexpected argument "fda" (flags only: did you mean --estimators ste,fda,dsq? lists take commas, not spaces; see gradbench help run)`},
		{[]string{"plan", "--quiet", "--seeds=1", "2"}, `plan: unexpected argument "2" (flags only: did you mean --seeds 1,2? lists take commas, not spaces; see gradbench help plan)`},
		{[]string{"table", "--estimators", "fda:n=9", "fda+na"}, `table: unexpected argument "fda+na" (flags only: did you mean --estimators fda:n=9,fda+na? lists take commas, not spaces; see gradbench help table)`},
		// Tried as a new user would: a list written with a comma and a
		// space was told to write ste,,fda, which is refused in turn; a
		// sided spec written with spaces, w=ste,/,a=fda.
		{[]string{"plan", "--estimators", "ste,", "fda"}, `plan: unexpected argument "fda" (flags only: did you mean --estimators ste,fda? lists take commas, not spaces; see gradbench help plan)`},
		{[]string{"plan", "--estimators", "ste", ",fda"}, `plan: unexpected argument ",fda" (flags only: did you mean --estimators ste,fda? lists take commas, not spaces; see gradbench help plan)`},
		{[]string{"plan", "--estimators", "ste", ",", "fda"}, `plan: unexpected argument "," (flags only: did you mean --estimators ste,fda? lists take commas, not spaces; see gradbench help plan)`},
		{[]string{"plan", "--estimators", "ste,", ",fda"}, `plan: unexpected argument ",fda" (flags only: did you mean --estimators ste,fda? lists take commas, not spaces; see gradbench help plan)`},
		{[]string{"plan", "--seeds", "1,", "2"}, `plan: unexpected argument "2" (flags only: did you mean --seeds 1,2? lists take commas, not spaces; see gradbench help plan)`},
		{[]string{"plan", "--estimators", "w=ste", "/", "a=fda"}, `plan: unexpected argument "/" (flags only: did you mean --estimators w=ste/a=fda? lists take commas, not spaces; see gradbench help plan)`},
		{[]string{"plan", "--estimators", "ste", "w=fda/", "a=ste"}, `plan: unexpected argument "w=fda/" (flags only: did you mean --estimators ste,w=fda/a=ste? lists take commas, not spaces; see gradbench help plan)`},
		// Tried as a new user would: flags after the bare arguments,
		// which the flag package never parses, left them without a hint.
		{[]string{"run", "--lr-grid", "1", "3", "--epochs"}, `run: unexpected argument "3" (flags only: did you mean --lr-grid 1,3? lists take commas, not spaces; see gradbench help run)`},
		{[]string{"plan", "--estimators", "ste", "fda", "--out", "d"}, `plan: unexpected argument "fda" (flags only: did you mean --estimators ste,fda? lists take commas, not spaces; see gradbench help plan)`},
		{[]string{"eval", "m.gbnn", "--quiet"}, `eval: unexpected argument "m.gbnn" (flags only: did you mean --model m.gbnn?; see gradbench help eval)`},
		{[]string{"eval", "m.gbnn", "--model=x"}, `eval: unexpected argument "m.gbnn" (flags only; see gradbench help eval)`},
		{[]string{"eval", "a", "b", "--quiet"}, `eval: unexpected argument "a" (flags only; see gradbench help eval)`},
		{[]string{"run", "--quiet", "--", "-x", "y"}, `run: unexpected argument "-x" (flags only; see gradbench help run)`},
		{[]string{"run", "--quiet", "x"}, `run: unexpected argument "x" (flags only; see gradbench help run)`},
	} {
		_, _, err := runGradbench(t, c.args...)
		if err == nil || err.Error() != c.want {
			t.Errorf("gradbench %s: %v\nwant %s", strings.Join(c.args, " "), err, c.want)
		}
	}
}

// TestHelpLineWidths: every line of a command's prose help, its examples
// included, fits in 80 columns (a tab to the next multiple of 8), as the
// text is wrapped by hand: models' help had one line of 115 columns
// among lines of 75, and slurm's examples ran to 151. So does every line
// of gradbench help without a command, the list of commands a new user
// reads first, whose lines ran to 109 columns (fidelity's and eval's).
func TestHelpLineWidths(t *testing.T) {
	const width = 80
	for _, c := range append([]*command{{name: ""}}, commands...) {
		args := []string{"help"}
		if c.name != "" {
			args = append(args, c.name)
		}
		stdout, _ := gradbenchOK(t, args...)
		prose, _, _ := strings.Cut(stdout, "\nFlags:\n")
		for i, line := range strings.Split(prose, "\n") {
			cols := 0
			for _, r := range line {
				if r == '\t' {
					cols += 8 - cols%8
				} else {
					cols++
				}
			}
			if cols > width {
				t.Errorf("gradbench help %s: line %d has %d columns, want at most %d:\n%s", c.name, i+1, cols, width, line)
			}
		}
	}
}

// TestHelpPlaceholdersNoValues: the flag package takes the first
// back-quoted word of a flag's usage for the placeholder of its value,
// and gradbench table -h listed "--missing refuse": the default value
// it quoted, read as the name of what to give, which hid that show is
// the other. No flag of any command has one of its values, its default,
// for placeholder.
func TestHelpPlaceholdersNoValues(t *testing.T) {
	for _, c := range commands {
		fs := newFlagSet(c, io.Discard, io.Discard)
		_ = c.run(context.Background(), &cmdEnv{stdout: io.Discard, stderr: io.Discard}, fs, []string{"-h"})
		fs.VisitAll(func(f *flag.Flag) {
			if name, _ := flag.UnquoteUsage(f); name != "" && name == f.DefValue {
				t.Errorf("gradbench %s -h lists --%s %s: its default value for placeholder", c.name, f.Name, name)
			}
		})
	}
}
