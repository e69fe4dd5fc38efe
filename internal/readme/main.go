// Readme prints the parts of README.md that are generated from the code,
// for results/update-readme.sh to copy into it (and to check, in CI, that
// they are current):
//
//	go run ./internal/readme estimators
//
// prints the table of estimators: every registered estimator with its
// parameters (default and accepted values, from estimators.Defaults) and
// its surrogate gradient and source (from estimators.Describe);
//
//	go run ./internal/readme machines DIR
//
// prints a sentence that says where and at which commit the run records
// in DIR were trained (their Machine), for the line under each results
// table whose seconds per epoch are that machine's and that code's.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/mdtable"
	"github.com/gradbench/gradbench/suite"
)

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "readme:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, args []string) error {
	switch {
	case len(args) == 1 && args[0] == "estimators":
		return estimatorTable(w)
	case len(args) == 2 && args[0] == "machines":
		return machines(w, args[1])
	}
	return fmt.Errorf("usage: readme estimators | readme machines DIR")
}

// machines writes a sentence naming the machines (CPU and cores), commits
// and GEMM implementations the records in dir were trained with, with the
// number of runs of each where they differ.
func machines(w io.Writer, dir string) error {
	recs, err := suite.ReadRecords(dir)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return fmt.Errorf("no run records in %s", dir)
	}
	type where struct {
		cpu          string
		cores        int
		commit, gemm string
	}
	n := map[where]int{}
	var order []where
	for _, r := range recs {
		m := r.Machine
		c, _, _ := strings.Cut(m.Commit, "+")
		if len(c) > 7 {
			c = c[:7] + strings.TrimPrefix(m.Commit, c)
		} else {
			c = m.Commit
		}
		k := where{m.CPU, m.Cores, c, m.GEMM}
		if n[k] == 0 {
			order = append(order, k)
		}
		n[k]++
	}
	var parts []string
	for _, k := range order {
		p := fmt.Sprintf("a %d-core %s at commit %s (GEMM %s)", k.cores, k.cpu, k.commit, k.gemm)
		if len(order) > 1 {
			runs := "runs"
			if n[k] == 1 {
				runs = "run"
			}
			p = fmt.Sprintf("%d %s on %s", n[k], runs, p)
		}
		parts = append(parts, p)
	}
	_, err = fmt.Fprintf(w, "Trained on %s: the seconds per epoch are that machine's and that code's (results/timing.md times the current code).\n", strings.Join(parts, "; "))
	return err
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
