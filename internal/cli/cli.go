// Package cli holds what the repository's commands share: numeric flags
// read in base 10 only (gradbench's and the small commands'), and, for
// the small commands (bench/peer, bench/cmd/...), a flag set whose -h
// names the command's package documentation, the exit on error, and the
// label=path arguments of those that compare their inputs (Labels).
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// FlagSet returns a flag set for the command name that returns its errors
// (flag.ContinueOnError) and whose usage reads "usage: synopsis", then
// "Run `go doc pkg` for what." and the flags.
func FlagSet(name, synopsis, pkg, what string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s\n\nRun `go doc %s` for %s.\n\nFlags:\n", synopsis, pkg, what)
		PrintDefaults(fs, "-")
	}
	return fs
}

// Parse parses args into fs, a flag set of FlagSet. A flag it refuses is
// printed as Main prints the command's other errors, "name: error" (with
// the flags the user may have meant: Explain), then
// the usage, and its error is returned marked as printed (Main does not
// print it again); the flag package would print the line bare, and Main
// then repeat it with the name.
//
// A flag given twice is refused, but for one whose Value is a Repeatable:
// the flag package would keep the last value without a word, the first
// given and then ignored.
func Parse(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	given := map[string][]string{}
	var twice []string
	orig := map[*flag.Flag]flag.Value{}
	fs.VisitAll(func(f *flag.Flag) {
		if _, ok := f.Value.(Repeatable); ok {
			return
		}
		orig[f] = f.Value
		f.Value = &counted{Value: f.Value, set: func(v string) {
			given[f.Name] = append(given[f.Name], v)
			if len(given[f.Name]) == 2 {
				twice = append(twice, f.Name)
			}
		}}
	})
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	for f, v := range orig {
		f.Value = v // the flags' own Values, for the usage's defaults
	}
	fs.SetOutput(out)
	fs.Usage = usage
	if err == nil && len(twice) > 0 {
		return fmt.Errorf("%s: give each flag once", GivenTwice("-", twice, given))
	}
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(out, "%s: %v\n", fs.Name(), Explain(fs, err, "-"))
			err = printedError{err}
		}
		usage()
		return err
	}
	var blank []string
	fs.Visit(func(f *flag.Flag) {
		if g, ok := f.Value.(flag.Getter); ok {
			if v, ok := g.Get().(string); ok && strings.TrimSpace(v) == "" {
				blank = append(blank, emptyString(f, v))
			}
		}
	})
	if len(blank) > 0 {
		return errors.New(strings.Join(blank, "; "))
	}
	return nil
}

// GivenTwice describes the flags named in twice, each given more than
// once, with the values given of each, in order: `-n given 2 times ("1",
// then "2")`, joined by "; ", for a refusal. dash leads each name ("-" or
// "--", as the command's usage writes its flags).
func GivenTwice(dash string, twice []string, given map[string][]string) string {
	var each []string
	for _, name := range twice {
		var vals []string
		for _, v := range given[name] {
			vals = append(vals, strconv.Quote(v))
		}
		each = append(each, fmt.Sprintf("%s%s given %d times (%s)", dash, name, len(vals), strings.Join(vals, ", then ")))
	}
	return strings.Join(each, "; ")
}

// Repeatable is the Value of a flag that may be given more than once,
// each value adding to the others (benchreport's -target, gradbench
// slurm --sbatch): Parse, and gradbench's own flag parsing, let it repeat.
type Repeatable interface {
	flag.Value
	Repeatable()
}

// counted wraps a flag's Value while Parse parses: set records each value
// given.
type counted struct {
	flag.Value
	set func(string)
}

func (c *counted) Set(s string) error {
	c.set(s)
	return c.Value.Set(s)
}

// IsBoolFlag keeps a boolean flag's form without a value (-paired).
func (c *counted) IsBoolFlag() bool {
	b, ok := c.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// emptyString says that the string flag f was given the empty or blank
// value v, which is refused: a string flag's zero value means "not given"
// (-o "" would write to standard output, as if -o were left out), so a
// value given empty would be silently replaced by the default.
func emptyString(f *flag.Flag, v string) string {
	what, want := Blank(f, v)
	switch {
	case strings.Contains(f.Usage, "(required)"):
		return fmt.Sprintf("-%s %q is %s: give the %s (-%s is required)", f.Name, v, what, want, f.Name)
	case f.DefValue == "":
		return fmt.Sprintf("-%s %q is %s: give the %s, or leave -%s out", f.Name, v, what, want, f.Name)
	}
	return fmt.Sprintf("-%s %q is %s: give the %s, or leave -%s out for its default (%q)", f.Name, v, what, want, f.Name, f.DefValue)
}

// Blank says how flag f's empty or blank value v is to be named in its
// refusal, "empty" or "blank", and what the flag wants instead: the name
// its usage gives its value (`file`), or "value" where the usage names
// none and only its type would be printed. Both command lines' refusals
// (gradbench's --flag and the bench tools' -flag) start from it.
func Blank(f *flag.Flag, v string) (what, want string) {
	what = "empty"
	if v != "" {
		what = "blank"
	}
	want, _ = flag.UnquoteUsage(f)
	switch want {
	case "", "string", "int", "uint", "float", "duration", "value":
		want = "value" // a type's name, not a name from the usage
	}
	return what, want
}

// A printedError has been printed already, as Main would.
type printedError struct{ error }

func (e printedError) Unwrap() error { return e.error }

// Main runs the command and exits with the status exitCode gives,
// printing "name: error" on standard error unless the error is
// flag.ErrHelp (the flag set has printed the usage) or Parse printed it.
func Main(name string, run func() error) {
	if err := run(); err != nil {
		if !errors.Is(err, flag.ErrHelp) && !errors.As(err, new(printedError)) {
			fmt.Fprintln(os.Stderr, name+":", err)
		}
		os.Exit(exitCode(err))
	}
}

// exitCode is 0 for flag.ErrHelp, as for gradbench's own --help and the
// flag package's ExitOnError: help that was asked for is not a failure,
// so `tool -h && …` goes on. Every other error is 1.
func exitCode(err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 1
}
