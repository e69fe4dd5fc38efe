// Package cli holds what the repository's commands share: numeric flags
// read in base 10 only (gradbench's and the small commands'), and, for
// the small commands (bench/peer, bench/cmd/...), a flag set whose -h
// names the command's package documentation, and the exit on error.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

// FlagSet returns a flag set for the command name that returns its errors
// (flag.ContinueOnError) and whose usage reads "usage: synopsis", then
// "Run `go doc pkg` for what." and the flags.
func FlagSet(name, synopsis, pkg, what string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s\n\nRun `go doc %s` for %s.\n\nFlags:\n", synopsis, pkg, what)
		PrintDefaults(fs)
	}
	return fs
}

// Main runs the command and exits with status 1 if it fails, printing
// "name: error" on standard error unless the error is flag.ErrHelp (the
// flag set has printed the usage).
func Main(name string, run func() error) {
	if err := run(); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, name+":", err)
		}
		os.Exit(1)
	}
}
