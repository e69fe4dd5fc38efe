// Readme prints the parts of README.md that are generated from the code,
// for results/update-readme.sh to copy into it (and to check, in CI, that
// they are current):
//
//	go run ./internal/readme estimators
//
// prints the table of estimators: every registered estimator with its
// parameters (default and accepted values, from estimators.Defaults) and
// its surrogate gradient and source (from estimators.Describe).
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/mdtable"
)

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "readme:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, args []string) error {
	if len(args) != 1 || args[0] != "estimators" {
		return fmt.Errorf("usage: readme estimators")
	}
	return estimatorTable(w)
}

// estimatorTable writes the markdown table of the registered estimators.
func estimatorTable(w io.Writer) error {
	var rows [][]string
	for _, name := range estimators.Names() {
		ps, err := estimators.Defaults(name)
		if err != nil {
			return err
		}
		d, err := estimators.Describe(name)
		if err != nil {
			return err
		}
		rows = append(rows, []string{"`" + name + "`", params(ps), orDash(d.Gradient), orDash(d.Source)})
	}
	return mdtable.Write(w, 4, []string{"spec", "parameters (default, accepted)", "g(x)", "source"}, rows)
}

// params formats parameters as "`key=default` (accepted)", the accepted
// values of numbers only (a bool is true or false).
func params(ps []estimators.Param) string {
	if len(ps) == 0 {
		return "–"
	}
	var s []string
	for _, p := range ps {
		c := "`" + p.Key + "=" + p.Default + "`"
		switch p.Kind {
		case "number", "integer", "range":
			c += " (" + p.In.String() + ")"
		case "choice":
			c += " (" + strings.Join(p.Choices, ", ") + ")"
		}
		s = append(s, c)
	}
	return strings.Join(s, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
