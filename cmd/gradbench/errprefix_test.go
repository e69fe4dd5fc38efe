package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repeatedPrefix returns a prefix segment that msg names twice, or "". A
// prefix segment is a bare lowercase word standing alone between ": "
// separators ("suite", "fidelity", "data"), so "suite: fidelity: --seeds:
// suite: bad seed" repeats "suite", while a word inside a segment ("the
// suite's") or the last segment, the message itself, is not one.
func repeatedPrefix(msg string) string {
	segs := strings.Split(msg, ": ")
	seen := map[string]bool{}
	for _, s := range segs[:len(segs)-1] {
		if !prefixWord.MatchString(s) {
			continue
		}
		if seen[s] {
			return s
		}
		seen[s] = true
	}
	return ""
}

var prefixWord = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

func TestRepeatedPrefix(t *testing.T) {
	for msg, want := range map[string]string{
		`gradbench: suite: fidelity: --seeds: suite: bad seed "0": not an integer >= 1`:    "suite",
		"gradbench: suite: export: suite: record x.json: unexpected EOF":                   "suite",
		"gradbench: curves: curves: --points must be at least 2":                           "curves",
		"gradbench: suite: eval: data: batch size 9 is larger than the 4 images":           "",
		`gradbench: estimators: "w=fda:n=-1/a=ste": weight side: fda: bad value n="-1"`:    "",
		"gradbench: suite: fidelity: run ab has no weights (suite's --keep-epochs): suite": "",
	} {
		if got := repeatedPrefix(msg); got != want {
			t.Errorf("repeatedPrefix(%q) = %q, want %q", msg, got, want)
		}
	}
}

// TestErrorPrefixesOnce runs failing invocations of every command, with
// bad flag values, missing and corrupt files, bad recipes and estimator
// specs, and checks that no error line, as main prints it, names a layer
// twice ("suite: fidelity: --seeds: suite: bad seed" once did), and that
// every error of a command names its layer first, after the program
// ("gradbench: suite: bad --epochs 0", "gradbench: table: --missing …"),
// where some led with the flag and others with a layer within one
// command: see the convention in main.
func TestErrorPrefixesOnce(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste")
	recipe := filepath.Join(dir, "tiny.json")
	record := filepath.Join(runs, rec.Key+".json")
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	badJSON := write("bad.json", `{"name": "bad", "epochs": `)
	typo := write("typo.json", `{"name": "typo", "epoch": 3}`)
	corrupt := write("corrupt/0123456789abcdef.json", "{")
	notModel := write("not.gbnn", "not a model")
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")
	out := filepath.Join(dir, "out")
	for _, args := range [][]string{
		{"nosuch"},
		{"run", "--recipe", "nosuch", "--out", out},
		{"run", "--recipe", missing, "--out", out},
		{"run", "--recipe", badJSON, "--out", out},
		{"run", "--recipe", typo, "--out", out},
		{"run", "--recipe", recipe, "--model", "resnet50", "--out", out},
		{"run", "--recipe", recipe, "--seeds", "0", "--out", out},
		{"run", "--recipe", recipe, "--estimators", "w=fda:n=-1/a=ste", "--out", out},
		{"run", "--recipe", recipe, "--epochs", "0", "--out", out},
		{"run", "--recipe", recipe, "--dataset", "mnist", "--data", empty, "--out", out},
		{"run", "--recipe", recipe, "--data", empty, "--out", out},
		{"run", "--recipe", recipe, "--width", "0.01", "--out", out},
		{"run", "--recipe", recipe, "--cell", "99", "--out", out},
		{"run", "--recipe", recipe, "--out", recipe},
		{"run", "--recipe", recipe, "--out", ""},
		{"plan", "--recipe", recipe, "--estimators", "fda,omega=0.2", "--out", out},
		{"plan", "--recipe", recipe, "--lr-grid", "0", "--out", out},
		{"table", "--runs", missing},
		{"table", "--runs", empty},
		{"table", "--runs", filepath.Dir(corrupt)},
		{"table", "--runs", runs, "--bench", empty},
		{"table", "--runs", runs, "--estimators", "fdaa"},
		{"curves", "--estimators", "fda+na"},
		{"curves", "--svg", empty},
		{"curves", "--points", "1"},
		{"export"},
		{"export", "--run", missing},
		{"export", "--run", corrupt},
		{"export", "--run", record, "--out", empty},
		{"export", "--run", record, "--data", empty},
		{"eval", "--model", missing},
		{"eval", "--model", notModel},
		{"fidelity"},
		{"fidelity", "--run", corrupt},
		{"fidelity", "--run", record, "--epochs", "0,5"},
		{"fidelity", "--run", record, "--out", record},
		{"fidelity", "--run", record, "--estimators", "fda:n=-1"},
		{"fidelity", "--init", "--recipe", badJSON},
		{"fidelity", "--init", "--recipe", recipe, "--seeds", "2,3"},
		{"fidelity", "--init", "--recipe", recipe, "--seeds", "0"},
		{"fidelity", "--init", "--recipe", recipe, "--data", empty},
		{"list", "extra"},
		{"models", "--model", "nosuch"},
		{"models", "--input", "3x3"},
		{"models", "--width", "0.001"},
		{"slurm", "--recipe", recipe, "--time", "99:99:99", "--out", out},
		{"slurm", "--recipe", recipe, "--mem", "lots", "--out", out},
		{"slurm", "--recipe", recipe, "--out", recipe},
		{"slurm", "--recipe", recipe, "--partition", "a b", "--out", out},
		{"run", "--recipe", recipe, "--cell", "0", "--index-from-env", "X", "--out", out},
		{"run", "--recipe", recipe, "--index-from-env", "GRADBENCH_UNSET_VARIABLE", "--out", out},
		{"run", "--recipe", recipe, "--ablation", "paper", "--estimators", "ste", "--out", out},
		{"table", "--runs", runs, "--missing", "skip"},
		{"table", "--runs", runs, "--missing", "show"},
		{"table", "--runs", runs, "--diagnostics", "--ablation", "main"},
		{"table", "--runs", runs, "--curves", record},
		// A file that cannot be written, tried as a new user would:
		// "gradbench: writing nodir/c.svg: ..." named no layer.
		{"table", "--runs", runs, "--curves", filepath.Join(dir, "nodir", "c.svg")},
		{"table", "--runs", runs, "--bench", filepath.Join(dir, "nodir", "b.txt")},
		{"export", "--run", record, "--out", filepath.Join(dir, "nodir", "m.gbnn")},
		{"curves", "--svg", filepath.Join(dir, "nodir", "c.svg")},
		{"table", "--runs", runs, "--ablation", "table9"},
		{"run", "--recipe", recipe, "--ablation", "table9", "--out", out},
		{"plan", "--recipe", recipe, "--ablation", "table9", "--out", out},
	} {
		_, _, err := runGradbench(t, args...)
		if err == nil {
			t.Errorf("gradbench %q succeeded: the case no longer fails", args)
			continue
		}
		msg := "gradbench: " + err.Error() // as main prints it
		if p := repeatedPrefix(msg); p != "" {
			t.Errorf("gradbench %q names %q twice:\n%s", args, p, msg)
		}
		// An unknown command has no command to name.
		if first, _, _ := strings.Cut(err.Error(), ": "); args[0] != "nosuch" && !prefixWord.MatchString(first) {
			t.Errorf("gradbench %q does not name its layer first:\n%s", args, msg)
		}
	}
}
