package main

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestFlagErrorsNameFlagsAsDocumented: the help, README and errors of
// gradbench write its flags --epochs, but the flag package's errors wrote
// -epochs ("invalid value "x" for flag -epochs"), which left a user to
// wonder whether they were one flag. Each form of the flag package's
// errors that names a flag names it --epochs, with the value, the reason,
// the flags the user may have meant and the line of usage kept, whichever
// of -epochs and --epochs was typed; both are still accepted.
func TestFlagErrorsNameFlagsAsDocumented(t *testing.T) {
	out := filepath.Join(t.TempDir(), "runs")
	usage := func(cmd string) string {
		return "\nusage: gradbench " + cmd + " [flags] (gradbench help " + cmd + " describes them)\n"
	}
	for _, tc := range []struct {
		args []string
		want string // the line of error
	}{
		// A flag the command does not define, with and without flags
		// the user may have meant.
		{[]string{"run", "--out", out, "--nosuch"}, "gradbench: run: flag provided but not defined: --nosuch"},
		{[]string{"run", "--out", out, "-nosuch"}, "gradbench: run: flag provided but not defined: --nosuch"},
		{[]string{"run", "--out", out, "--est=ste"}, "gradbench: run: flag provided but not defined: --est (did you mean --estimators?)"},
		{[]string{"plan", "--out", out, "-e"}, "gradbench: plan: flag provided but not defined: --e (did you mean --epochs, --estimate or --estimators?)"},
		// A flag given no value.
		{[]string{"run", "--out"}, "gradbench: run: flag needs an argument: --out"},
		{[]string{"plan", "--out", out, "-epochs"}, "gradbench: plan: flag needs an argument: --epochs"},
		// A value the flag refuses, also one that quotes the words
		// around the name.
		{[]string{"plan", "--out", out, "--epochs", "x"}, `gradbench: plan: invalid value "x" for flag --epochs: want a decimal integer`},
		{[]string{"plan", "--out", out, "-epochs=x"}, `gradbench: plan: invalid value "x" for flag --epochs: want a decimal integer`},
		{[]string{"plan", "--out", out, "--epochs", `1" for flag -seeds: x`}, `gradbench: plan: invalid value "1\" for flag -seeds: x" for flag --epochs: want a decimal integer`},
		// A boolean flag given a value that is no boolean.
		{[]string{"plan", "--out", out, "--quiet=maybe"}, `gradbench: plan: invalid boolean value "maybe" for --quiet: parse error`},
		{[]string{"plan", "--out", out, "-json=2"}, `gradbench: plan: invalid boolean value "2" for --json: parse error`},
		// An argument that is no flag's form names no flag: it is
		// quoted as typed.
		{[]string{"plan", "--out", out, "---epochs", "1"}, "gradbench: plan: bad flag syntax: ---epochs"},
	} {
		stdout, stderr, err := runGradbench(t, tc.args...)
		if want := tc.want + usage(tc.args[0]); !errors.Is(err, errUsage) || stdout != "" || stderr != want {
			t.Errorf("gradbench %q: %v, stdout %q, stderr\n%q\nwant\n%q", tc.args, err, stdout, stderr, want)
		}
	}
	// Both forms are still read, alike.
	one, _ := gradbenchOK(t, "plan", "-out", out, "-epochs", "1", "-seeds", "1", "-estimators", "ste", "-json")
	two, _ := gradbenchOK(t, "plan", "--out", out, "--epochs", "1", "--seeds", "1", "--estimators", "ste", "--json")
	if one == "" || one != two {
		t.Errorf("plan -epochs 1 … printed\n%s\nplan --epochs 1 … printed\n%s\nwant the same", one, two)
	}
}
