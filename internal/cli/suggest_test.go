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
		{[]string{"-est", "ste"}, "flag provided but not defined: -est (did you mean --estimators?)"},
		{[]string{"--est=ste"}, "flag provided but not defined: -est (did you mean --estimators?)"},
		{[]string{"-e"}, "flag provided but not defined: -e (did you mean --epochs or --estimators?)"},
		{[]string{"-seed", "1"}, "flag provided but not defined: -seed (did you mean --seeds?)"},
		{[]string{"-epochs5"}, "flag provided but not defined: -epochs5 (did you mean --epochs?)"},
		{[]string{"-datas"}, "flag provided but not defined: -datas (did you mean --data or --dataset?)"},
		{[]string{"-d"}, "flag provided but not defined: -d (did you mean --data or --dataset?)"},
		{[]string{"-lr", "0.1"}, "flag provided but not defined: -lr (did you mean --lr-grid?)"},
		// No flag near: the flag package's error as it is.
		{[]string{"-x-min", "2"}, "flag provided but not defined: -x-min"},
		// Other errors are not touched.
		{[]string{"-epochs", "1e1"}, `invalid value "1e1" for flag -epochs: parse error`},
	} {
		fs := newFS()
		perr := fs.Parse(tc.args)
		if perr == nil {
			t.Fatalf("%q: parsed", tc.args)
		}
		got := Explain(fs, perr)
		if got.Error() != tc.want {
			t.Errorf("%q: %q, want %q", tc.args, got, tc.want)
		}
		if !errors.Is(got, perr) && got != perr {
			t.Errorf("%q: the explained error does not wrap the flag package's", tc.args)
		}
	}
	if Explain(newFS(), nil) != nil {
		t.Error("Explain(nil) is not nil")
	}
}
