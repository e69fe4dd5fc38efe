package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/suite"
)

var listCmd = &command{
	name:  "list",
	short: "list estimators and their defaults, models, datasets, recipes",
	long: `
List prints what a sweep can be made of: the estimators with their
surrogate gradient, source and every hyperparameter, its default and its
allowed values (the keys of a spec string such as fda:n=9..18,omega=0.1),
the settings of the +na suffix, the sided form of a spec (w=SPEC/a=SPEC,
an estimator for the latent weights and one for the activations), the
models, the datasets and the built-in recipes. The allowed values are
exactly those a spec accepts; numbers are float32, as the kernels use
them: a number names its nearest float32, which the spec's canonical
form prints (c=1.00000001 is c=1), and a magnitude float32 cannot hold
(above 3.4028235e+38, or below 1.1754944e-38 other than 0) is refused.
The exception is expr's knots, which are float64: any magnitude in
[0, c), printed in its shortest float64 form (knots=1e-300 is a knot).
A recipe's lr, momentum and weight_decay are float32 in training too:
each trains as its nearest float32, and one that is 0, infinite or
subnormal as float32 is refused.`,
	run: runList,
}

func runList(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// Written whole once made, so that a failed write (a full disk, a
	// closed pipe) is an error, as table's and plan's are, not an exit 0
	// with the list lost.
	var b bytes.Buffer
	if err := writeList(&b); err != nil {
		return err
	}
	_, err := env.stdout.Write(b.Bytes())
	return err
}

func writeList(w io.Writer) error {
	fmt.Fprintln(w, "Estimators (spec: name[:key=value,...][+na[:key=value,...]], or w=SPEC/a=SPEC; numbers are float32: 0 or magnitudes 1.1754944e-38 to 3.4028235e+38, but expr's knots are float64):")
	for _, name := range estimators.Names() {
		ps, err := estimators.Defaults(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %-12s %s\n", name, params(ps))
		d, err := estimators.Describe(name)
		if err != nil {
			return err
		}
		if d != (estimators.Doc{}) {
			fmt.Fprintf(w, "  %-12s %s\n", "", d)
		}
		if e, err := estimators.New(name); err == nil {
			if wo, ok := e.(estimators.WeightsOnly); ok {
				fmt.Fprintf(w, "  %-12s %s\n", "", wo.WeightsOnly())
			}
		}
	}
	fmt.Fprintf(w, "  %-12s %s\n", "+na", params(estimators.NADefaults()))
	if d := estimators.NADoc(); d != "" {
		fmt.Fprintf(w, "  %-12s %s\n", "", d)
	}
	fmt.Fprintf(w, "  %-12s %s\n", "w=…/a=…", "a sided spec: w=SPEC/a=SPEC names the estimator of the latent weights and of the activations apart, each a spec as above (w=fda/a=approxsign; w=fda+na/a=ste adapts the weights' noise only); a plain spec names one for both, and w=E/a=E is E")
	fmt.Fprintln(w, "\nModels:")
	for _, name := range models.Names() {
		fmt.Fprintf(w, "  %-12s %s\n", name, models.Doc(name))
	}
	own := ""
	if os.Getenv(data.EnvDataDir) == "" {
		own = fmt.Sprintf("; set $%s to look in a directory of your own first", data.EnvDataDir)
	}
	fmt.Fprintf(w, "\nDatasets (with --data DIR looked for in DIR alone, else in %s, in that order, and downloaded into the user cache when found nowhere%s):\n",
		strings.Join(data.SearchDirs("NAME"), ", "), own)
	for _, name := range data.Names() {
		fmt.Fprintf(w, "  %-14s %s\n", name, data.Doc(name))
	}
	fmt.Fprintln(w, "\nRecipes (lr, momentum and weight_decay train as their nearest float32):")
	for _, r := range suite.Recipes() {
		fmt.Fprintf(w, "  %-15s %s\n", r.Name, r.Description)
		fmt.Fprintf(w, "  %-15s %s\n", "", recipeLine(r))
	}
	return nil
}

// params formats hyperparameters as "key=default (allowed)", one after
// another.
func params(ps []estimators.Param) string {
	if len(ps) == 0 {
		return "(no parameters)"
	}
	var s []string
	for _, p := range ps {
		s = append(s, fmt.Sprintf("%s=%s (%s)", p.Key, p.Default, p.Allowed))
	}
	return strings.Join(s, "; ")
}

// recipeLine gives a recipe's values in one line.
func recipeLine(r *suite.Recipe) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	var b strings.Builder
	fmt.Fprintf(&b, "%s", r.Model)
	if r.Width != 1 {
		fmt.Fprintf(&b, " (width %s)", f(r.Width))
	}
	fmt.Fprintf(&b, " on %s", r.Dataset)
	if r.TrainSubset > 0 {
		fmt.Fprintf(&b, " (%d training images)", r.TrainSubset)
	}
	fmt.Fprintf(&b, ", %d epochs, batch %d, %s lr %s", r.Epochs, r.Batch, r.Optimizer, f(r.LR))
	if r.Optimizer == "sgd" && r.Momentum != 0 {
		fmt.Fprintf(&b, " momentum %s", f(r.Momentum))
	}
	fmt.Fprintf(&b, " %s, weight decay %s", r.Schedule, f(r.WeightDecay))
	if r.Augment {
		b.WriteString(", crop+flip")
	}
	return b.String()
}
