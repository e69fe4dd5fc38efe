package cli

import (
	"errors"
	"flag"
	"io"
	"testing"
)

func TestExplain(t *testing.T) {
	newFS := func() *flag.FlagSet {
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Int("epochs", 0, "")
		fs.String("estimators", "", "")
		fs.String("seeds", "", "")
		fs.String("data", "", "")
		fs.String("dataset", "", "")
		fs.String("lr-grid", "", "")
		return fs
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-est", "ste"}, "flag provided but not defined: --est (did you mean --estimators?)"},
		{[]string{"--est=ste"}, "flag provided but not defined: --est (did you mean --estimators?)"},
		{[]string{"-e"}, "flag provided but not defined: --e (did you mean --epochs or --estimators?)"},
		{[]string{"-seed", "1"}, "flag provided but not defined: --seed (did you mean --seeds?)"},
		{[]string{"-epochs5"}, "flag provided but not defined: --epochs5 (did you mean --epochs?)"},
		{[]string{"-datas"}, "flag provided but not defined: --datas (did you mean --data or --dataset?)"},
		{[]string{"-d"}, "flag provided but not defined: --d (did you mean --data or --dataset?)"},
		{[]string{"-lr", "0.1"}, "flag provided but not defined: --lr (did you mean --lr-grid?)"},
		// No flag near: the flag package's error, the flag renamed.
		{[]string{"-x-min", "2"}, "flag provided but not defined: --x-min"},
		// Other errors are renamed alone.
		{[]string{"-epochs", "1e1"}, `invalid value "1e1" for flag --epochs: parse error`},
	} {
		fs := newFS()
		perr := fs.Parse(tc.args)
		if perr == nil {
			t.Fatalf("%q: parsed", tc.args)
		}
		got := Explain(fs, perr, "--")
		if got.Error() != tc.want {
			t.Errorf("%q: %q, want %q", tc.args, got, tc.want)
		}
		if !errors.Is(got, perr) {
			t.Errorf("%q: the explained error does not wrap the flag package's", tc.args)
		}
	}
	if Explain(newFS(), nil, "--") != nil {
		t.Error("Explain(nil) is not nil")
	}
}

// failingBool is a boolean flag that refuses every value, "true" too,
// for the flag package's error of a boolean flag given without one.
type failingBool struct{}

func (failingBool) String() string   { return "false" }
func (failingBool) Set(string) error { return errors.New("refused") }
func (failingBool) IsBoolFlag() bool { return true }

// TestExplainForms: each error of the flag package that names a flag
// names it after the dash given, its value, reason and hints kept, from
// a real parse (a change of the package's wording fails here); an error
// that names none, or text of no form known, is returned as it is.
func TestExplainForms(t *testing.T) {
	newFS := func() *flag.FlagSet {
		fs := flag.NewFlagSet("tool", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		Int(fs, "epochs", 0, "")
		fs.String("out", "", "")
		fs.Bool("quiet", false, "")
		fs.Var(failingBool{}, "strict", "")
		return fs
	}
	for _, tc := range []struct {
		args      []string
		flagText  string // the flag package's error
		dd, dash1 string // Explain's, with "--" and with "-"
	}{
		{[]string{"--nosuch"}, "flag provided but not defined: -nosuch",
			"flag provided but not defined: --nosuch", "flag provided but not defined: -nosuch"},
		{[]string{"-ou"}, "flag provided but not defined: -ou",
			"flag provided but not defined: --ou (did you mean --out?)", "flag provided but not defined: -ou (did you mean -out?)"},
		{[]string{"-out"}, "flag needs an argument: -out",
			"flag needs an argument: --out", "flag needs an argument: -out"},
		{[]string{"--epochs", "x"}, `invalid value "x" for flag -epochs: want a decimal integer`,
			`invalid value "x" for flag --epochs: want a decimal integer`, `invalid value "x" for flag -epochs: want a decimal integer`},
		// A value that holds the words before a name, and a colon.
		{[]string{"-epochs", `" for flag -out: y`}, `invalid value "\" for flag -out: y" for flag -epochs: want a decimal integer`,
			`invalid value "\" for flag -out: y" for flag --epochs: want a decimal integer`, `invalid value "\" for flag -out: y" for flag -epochs: want a decimal integer`},
		{[]string{"--quiet=maybe"}, `invalid boolean value "maybe" for -quiet: parse error`,
			`invalid boolean value "maybe" for --quiet: parse error`, `invalid boolean value "maybe" for -quiet: parse error`},
		{[]string{"--strict"}, "invalid boolean flag strict: refused",
			"invalid boolean flag --strict: refused", "invalid boolean flag -strict: refused"},
		// Names no flag: as it is.
		{[]string{"---epochs"}, "bad flag syntax: ---epochs", "bad flag syntax: ---epochs", "bad flag syntax: ---epochs"},
		{[]string{"-=1"}, "bad flag syntax: -=1", "bad flag syntax: -=1", "bad flag syntax: -=1"},
	} {
		fs := newFS()
		perr := fs.Parse(tc.args)
		if perr == nil || perr.Error() != tc.flagText {
			t.Errorf("%q: the flag package's error is %v, want %q", tc.args, perr, tc.flagText)
			continue
		}
		for dash, want := range map[string]string{"--": tc.dd, "-": tc.dash1} {
			got := Explain(fs, perr, dash)
			if got.Error() != want || !errors.Is(got, perr) {
				t.Errorf("%q: Explain(%q) = %q, want %q wrapping the flag package's error", tc.args, dash, got, want)
			}
		}
	}
	// -h names no flag either.
	fs := newFS()
	if err := fs.Parse([]string{"-h"}); Explain(fs, err, "--") != flag.ErrHelp {
		t.Errorf("-h: Explain = %v, want flag.ErrHelp as it is", Explain(fs, err, "--"))
	}
	// Text of a form not known, or of a known lead not followed by a
	// flag, is left as it is.
	for _, msg := range []string{
		"flag provided but not defined: ",
		"flag provided but not defined: nodash",
		`invalid value "x for flag -epochs: y`,
		`invalid value "x" for -epochs: y`,
		`invalid value "x" for flag -epochs`,
		"invalid boolean flag strict",
		"some other error naming -epochs",
	} {
		err := errors.New(msg)
		if got := Explain(newFS(), err, "--"); got != err {
			t.Errorf("%q: Explain = %q, want it as it is", msg, got)
		}
	}
}
