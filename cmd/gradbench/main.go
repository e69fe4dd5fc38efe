// Command gradbench benchmarks the surrogate gradient estimators used to
// train binary neural networks: it trains every estimator on the same
// binarized network with the same seeds and reports the differences as
// markdown tables, plots and Go benchmark-format records.
//
// Usage:
//
//	gradbench <command> [flags]
//
// Run `gradbench help` for the list of commands and `gradbench help <command>`
// for one command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"al.essio.dev/pkg/shellescape"
	"github.com/gradbench/gradbench/internal/cli"
)

// A command is one gradbench subcommand. run receives the arguments after
// the command name and a FlagSet of its own, already named and with its
// output set; it defines its flags, parses them and does the work.
type command struct {
	name  string
	short string // one line for `gradbench help`
	long  string // prose help, printed above the flags
	run   func(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error
	// interruptible says that run stops, saying so, when ctx is
	// canceled: main then cancels it on SIGINT (Ctrl-C) or SIGTERM. The
	// other commands (quick, or only computing and printing, with their
	// files written atomically) keep the signals' default action, which
	// ends the process at once: catching a signal they never look at
	// would leave Ctrl-C and kill doing nothing.
	interruptible bool
}

// cmdEnv is what a command may touch of the outside world, so that tests can
// run commands in-process.
type cmdEnv struct {
	stdout, stderr io.Writer
	// stderrTTY reports whether stderr is a terminal (progress bars are drawn
	// only then).
	stderrTTY bool
	// stderrColumns returns the width of that terminal in columns, or 0
	// where it is not known (nil: never known). It is asked at every
	// redraw, so that a resized terminal is followed.
	stderrColumns func() int
}

// commands is the list of gradbench subcommands, sorted by name.
var commands = []*command{curvesCmd, evalCmd, exportCmd, fidelityCmd, listCmd, modelsCmd, planCmd, runCmd, slurmCmd, tableCmd}

// errUsage marks an error already explained by printed usage.
var errUsage = errors.New("usage")

func main() {
	ctx := context.Background()
	if catchesSignals(os.Args[1:]) {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	env := &cmdEnv{stdout: os.Stdout, stderr: os.Stderr, stderrTTY: isTerminal(os.Stderr),
		stderrColumns: func() int { return terminalColumns(os.Stderr) }}
	if err := gradbench(ctx, env, os.Args[1:]); err != nil {
		// Error text convention: the line reads "gradbench: " and then
		// the layers the error passed through, outermost first, each named
		// once: the package that made it ("suite:", "data:",
		// "estimators:", "models:", "xnor:") or, for a flag a command
		// checks itself, the command ("run:", "curves:"); a wrapper may
		// add its context ("suite: fidelity:", "--seeds:"), never a layer
		// the error already names (suite's wrapErr drops the repeat).
		// After the prefixes: the flag or file, the value, the problem.
		// A flag check made in package suite leads with "suite:" ("suite:
		// bad --epochs 0"), one the command makes with the command ("run:
		// --cell and --index-from-env …", "table: --missing …"), and a
		// flag the flag package refuses with the command too (parseFlags).
		// TestErrorPrefixesOnce checks, over every command, that no layer is
		// named twice.
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "gradbench:", err)
		}
		os.Exit(1)
	}
}

// catchesSignals reports whether main turns SIGINT and SIGTERM into the
// cancellation of the context of the command line args (without the
// program name): for an interruptible command only.
func catchesSignals(args []string) bool {
	if len(args) == 0 {
		return false
	}
	c := find(args[0])
	return c != nil && c.interruptible
}

// gradbench runs the command line args (without the program name).
func gradbench(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) == 0 {
		usage(env.stderr)
		return errUsage
	}
	name, rest := args[0], args[1:]
	if name == "help" || name == "-h" || name == "-help" || name == "--help" {
		if len(rest) == 0 {
			usage(env.stdout)
			return nil
		}
		c := find(rest[0])
		if c == nil && rest[0] != "help" {
			return fmt.Errorf("unknown command %q (have %s)", rest[0], commandNames())
		}
		if len(rest) > 1 {
			// Not dropped: help of one command takes nothing else.
			return fmt.Errorf("help: unexpected argument %q after %s: help takes one command, as in gradbench help %s", rest[1], rest[0], rest[0])
		}
		if c == nil {
			// help is no entry of commands (it runs none of them) but
			// is asked about as one: gradbench help help.
			fmt.Fprint(env.stdout, helpUsage)
			return nil
		}
		fs := newFlagSet(c, env.stdout, env.stdout)
		// Define the flags without running: parse -h, which prints usage.
		_ = c.run(ctx, env, fs, []string{"-h"})
		return nil
	}
	c := find(name)
	if c == nil {
		return fmt.Errorf("unknown command %q (have %s)", name, commandNames())
	}
	fs := newFlagSet(c, env.stdout, env.stderr)
	err := c.run(ctx, env, fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// newFlagSet returns command c's flag set. Its usage goes to help when the
// user asks for it (-h, --help), as gradbench help COMMAND and gradbench
// -h print theirs, so that gradbench run -h | less pages it. A flag
// error goes to errs, with one line of usage (usageLine) rather than
// all of it.
func newFlagSet(c *command, help, errs io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(&usageOutput{help: help, errs: errs})
	fs.Usage = func() {
		w := fs.Output()
		if !hasFlags(fs) {
			// No "[flags]" and no empty Flags: heading for a command
			// that defines none (list).
			fmt.Fprintf(w, "usage: gradbench %s\n\n%s\n\n%s takes no flags.\n", c.name, strings.TrimSpace(c.long), c.name)
			return
		}
		fmt.Fprintf(w, "usage: gradbench %s [flags]\n\n%s\n\nFlags:\n", c.name, strings.TrimSpace(c.long))
		cli.PrintDefaults(fs, "--") // --epochs, as the README and the errors write it
	}
	return fs
}

// usageLine is the one line of usage printed under a flag error: the
// command's form and where its flags are described.
func usageLine(fs *flag.FlagSet) string {
	if !hasFlags(fs) {
		return fmt.Sprintf("usage: gradbench %s (it takes no flags; see gradbench help %s)", fs.Name(), fs.Name())
	}
	return fmt.Sprintf("usage: gradbench %s [flags] (gradbench help %s describes them)", fs.Name(), fs.Name())
}

// hasFlags reports whether fs defines any flag (list defines none).
func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// usageOutput is a flag set's output: errs, until parseFlags finds that
// the user asked for the usage, and help from then on.
type usageOutput struct {
	help, errs io.Writer
	asked      bool
}

func (u *usageOutput) Write(p []byte) (int, error) {
	if u.asked {
		return u.help.Write(p)
	}
	return u.errs.Write(p)
}

// parseFlags parses args into fs and rejects positional arguments, which no
// gradbench command takes, a flag given twice (the flag package would
// silently keep the last value), but for flags meant to repeat (their
// Value is a repeatable), and a flag given an empty or all-blank value.
//
// An empty value is refused for every flag, not only where the command
// would fail on it: most flags' zero value means "not given" (--model ""
// would train the recipe's model, curves --format "" would print
// nothing), so a value given empty would be silently replaced by a
// default. No gradbench flag gives "" a meaning of its own.
func parseFlags(fs *flag.FlagSet, args []string) error {
	// Count each flag's values through a wrapper, put back once parsed (and
	// before usage is printed: the defaults are read from the flags'
	// own Values).
	var twice, blank []string
	given := map[string][]string{}
	orig := map[*flag.Flag]flag.Value{}
	restore := func() {
		for f, v := range orig {
			f.Value = v
		}
		clear(orig)
	}
	defer restore()
	fs.VisitAll(func(f *flag.Flag) {
		if _, ok := f.Value.(cli.Repeatable); ok {
			return
		}
		orig[f] = f.Value
		f.Value = &onceValue{Value: f.Value, set: func(v string) bool {
			given[f.Name] = append(given[f.Name], v)
			if len(given[f.Name]) == 2 {
				twice = append(twice, f.Name)
			}
			if strings.TrimSpace(v) == "" {
				// Not applied: a numeric flag would fail on it with the
				// whole usage; it is refused once parsing ends.
				blank = append(blank, f.Name)
				return false
			}
			return len(given[f.Name]) == 1
		}}
	})
	// The flag package would print a parse error bare, before the usage;
	// it is printed here instead, led by the program and the command as
	// the command's other errors are ("gradbench: run: invalid value …").
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(out)
	if err != nil {
		restore() // the flags' own Values, for the usage's defaults
		if errors.Is(err, flag.ErrHelp) {
			if u, ok := out.(*usageOutput); ok {
				u.asked = true
			}
			usage()
			return err
		}
		// The error and where the flags are described, not the whole
		// usage under it: a command's usage runs to some 100 lines, which
		// scrolled the error off a terminal and left the last flag's
		// description in view, as if that flag were the one refused.
		// The flag is named --epochs, as the help and README write it,
		// where the flag package writes -epochs (cli.Explain).
		fmt.Fprintf(out, "gradbench: %s: %v\n%s\n", fs.Name(), cli.Explain(fs, err, "--"), usageLine(fs))
		return errUsage
	}
	if len(twice) > 0 {
		return fmt.Errorf("%s: %s: give each flag once", fs.Name(), cli.GivenTwice("--", twice, given))
	}
	if len(blank) > 0 {
		restore() // the flags' own Values, to tell their kinds and defaults
		sort.Strings(blank)
		var each []string
		for _, name := range blank {
			each = append(each, emptyFlag(fs.Lookup(name), given[name][0]))
		}
		return fmt.Errorf("%s: %s", fs.Name(), strings.Join(each, "; "))
	}
	if fs.NArg() > 0 {
		if !hasFlags(fs) {
			// "flags only" would send the user looking for one (list).
			return fmt.Errorf("%s: unexpected argument %q (%s takes no arguments and no flags; see gradbench help %s)", fs.Name(), fs.Arg(0), fs.Name(), fs.Name())
		}
		return fmt.Errorf("%s: unexpected argument %q (flags only%s; see gradbench help %s)", fs.Name(), fs.Arg(0), bareArgHint(fs, args, given), fs.Name())
	}
	return nil
}

// inputFlags name the flag that gives what a command reads or shows: a
// user who gives such a command one bare argument, as in `gradbench eval
// m.gbnn`, most likely meant it.
var inputFlags = map[string]string{"eval": "model", "export": "run", "fidelity": "run", "table": "runs", "models": "model"}

// listFlags are the flags whose value is a comma-separated list: bare
// arguments right after one (--estimators ste fda) were most likely more
// of its items.
var listFlags = map[string]bool{"estimators": true, "seeds": true, "optimizers": true, "lr-grid": true}

// bareArgHint returns ": did you mean …?" for the bare arguments fs was
// left with out of args: the list they continue, written with commas,
// when they follow a list flag's value; or the command's input flag, not
// given, with the argument, when there is one; or "" otherwise. The flag
// package stops at the first bare argument, so flags may follow them
// (run --estimators ste fda --recipe quick): the bare arguments meant
// are those before the first that looks like a flag.
func bareArgHint(fs *flag.FlagSet, args []string, given map[string][]string) string {
	rest := fs.Args()
	n := 0
	for n < len(rest) && !strings.HasPrefix(rest[n], "-") {
		n++
	}
	if n == 0 {
		return ""
	}
	bare := rest[:n]
	// The flag and value just before the first bare argument: "--name
	// value" or "--name=value".
	i := len(args) - len(rest)
	name, value := "", ""
	if i >= 1 {
		if n, v, ok := strings.Cut(strings.TrimLeft(args[i-1], "-"), "="); ok && strings.HasPrefix(args[i-1], "-") {
			name, value = n, v
		} else if i >= 2 && strings.HasPrefix(args[i-2], "-") && !strings.Contains(args[i-2], "=") {
			name, value = strings.TrimLeft(args[i-2], "-"), args[i-1]
		}
	}
	if listFlags[name] && fs.Lookup(name) != nil {
		return fmt.Sprintf(": did you mean --%s %s? lists take commas, not spaces", name, shellescape.Quote(listJoin(append([]string{value}, bare...))))
	}
	if name := inputFlags[fs.Name()]; len(bare) == 1 && name != "" && len(given[name]) == 0 && !givesFlag(rest[n:], name) {
		return fmt.Sprintf(": did you mean --%s %s?", name, shellescape.Quote(bare[0]))
	}
	return ""
}

// givesFlag reports whether args, left unparsed after a bare argument, give
// the flag name (-name, --name or either with =value).
func givesFlag(args []string, name string) bool {
	for _, a := range args {
		a, _, _ = strings.Cut(strings.TrimLeft(a, "-"), "=")
		if a == name {
			return true
		}
	}
	return false
}

// listJoin joins the pieces of a list value that the shell split at its
// spaces into the list they most likely are: a comma between two pieces,
// but none added where one of them has it already ("ste, fda" is ste,fda,
// not ste,,fda, which is refused in turn) or where they meet at the '/'
// of a sided spec ("w=ste / a=fda" is w=ste/a=fda).
func listJoin(pieces []string) string {
	s := pieces[0]
	for _, p := range pieces[1:] {
		switch {
		case strings.HasSuffix(s, ",") && strings.HasPrefix(p, ","):
			s += p[1:]
		case strings.HasSuffix(s, ",") || strings.HasPrefix(p, ","),
			strings.HasSuffix(s, "/") || strings.HasPrefix(p, "/"):
			s += p
		default:
			s += "," + p
		}
	}
	return s
}

// emptyFlag says that flag f was given the empty or blank value v, what
// it wants instead (the name its usage gives its value) and that leaving
// it out gives its default; or, for a flag without one, that it has none
// and what leaving it out does.
func emptyFlag(f *flag.Flag, v string) string {
	what, want := cli.Blank(f, v)
	if _, ok := f.Value.(requiredFlag); ok {
		// No default to fall back to: leaving it out is refused too.
		return fmt.Sprintf("--%s %q is %s: give the %s (--%s is required and has no default)", f.Name, v, what, want, f.Name)
	}
	if o, ok := f.Value.(optionalString); ok {
		return fmt.Sprintf("--%s %q is %s: give the %s (--%s has no default: left out, %s)", f.Name, v, what, want, f.Name, o.leftOut)
	}
	def := ""
	if _, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok && f.DefValue != "" && f.DefValue != "0" {
		def = " (" + f.DefValue + ")"
	}
	return fmt.Sprintf("--%s %q is %s: give the %s, or leave --%s out for its default%s", f.Name, v, what, want, f.Name, def)
}

// requiredFlag is the Value of a flag the command cannot run without,
// which has no default: an empty value is refused without offering one.
type requiredFlag interface {
	flag.Value
	required()
}

// requiredString is a string flag that must be given (see requiredFlag);
// the command still checks that it was.
type requiredString struct{ p *string }

func (r requiredString) String() string {
	if r.p == nil {
		return ""
	}
	return *r.p
}
func (r requiredString) Set(s string) error { *r.p = s; return nil }
func (requiredString) required()            {}

// stringRequired defines a requiredString flag.
func stringRequired(fs *flag.FlagSet, name, usage string) *string {
	p := new(string)
	fs.Var(requiredString{p}, name, usage)
	return p
}

// optionalString is a string flag without a default: it asks for
// something (a plot, a cell) that is not done at all when it is left
// out. An empty value is refused saying so, rather than offering to
// leave the flag out "for its default": --svg "" has no default file.
type optionalString struct {
	p       *string
	leftOut string // what the command does without the flag: "no plot is written"
}

func (o optionalString) String() string {
	if o.p == nil {
		return ""
	}
	return *o.p
}
func (o optionalString) Set(s string) error { *o.p = s; return nil }

// stringOptional defines an optionalString flag, whose absence does
// leftOut, and returns where its value is stored.
func stringOptional(fs *flag.FlagSet, name, leftOut, usage string) *string {
	p := new(string)
	stringVarOptional(fs, p, name, leftOut, usage)
	return p
}

// stringVarOptional defines an optionalString flag stored in p.
func stringVarOptional(fs *flag.FlagSet, p *string, name, leftOut, usage string) {
	fs.Var(optionalString{p, leftOut}, name, usage)
}

// onceValue wraps a flag's Value while parseFlags parses: set records each
// value given and says whether it is the first, the only one applied.
type onceValue struct {
	flag.Value
	set func(string) bool
}

func (o *onceValue) Set(s string) error {
	if !o.set(s) {
		return nil // refused once parsing ends, naming the flag
	}
	return o.Value.Set(s)
}

// IsBoolFlag keeps a boolean flag's form without a value (--quiet).
func (o *onceValue) IsBoolFlag() bool {
	b, ok := o.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func find(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func commandNames() string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// helpUsage is help's own usage, printed by gradbench help help.
const helpUsage = "usage: gradbench help [command]\n\nWithout a command, help lists the commands; with one, it prints that command's usage and flags.\n\nhelp takes no flags.\n"

func usage(w io.Writer) {
	fmt.Fprint(w, "gradbench benchmarks the surrogate gradients that train binary neural networks.\n\nUsage:\n\n\tgradbench <command> [flags]\n\nCommands:\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-10s %s\n", c.name, c.short)
	}
	fmt.Fprint(w, "\nRun `gradbench help <command>` for a command's flags.\n")
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
