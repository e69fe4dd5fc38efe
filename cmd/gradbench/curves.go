package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/suite"
)

var curvesCmd = &command{
	name:  "curves",
	short: "print or plot the surrogate gradient g(x) of estimators",
	long: `
Curves evaluates the surrogate derivative g(x) that each estimator uses in
place of d sign(x)/dx (by default every registered estimator, at its
defaults), on an evenly spaced grid of x from --from to --to, each
point its nearest float32 (the estimators take x as float32; a grid
whose points float32 cannot tell apart is refused), and prints a table:
a header "x" and one column per estimator, labelled with its canonical
spec, then one row per point. Estimators with a schedule (fda's number
of terms, ede's t) are evaluated at training progress --progress, 0 at
the first epoch and 1 at the last; --progress is refused where no
estimator listed has a schedule that changes its curve (fda:n=9, whose
n is fixed, has none), as it would be ignored. Values come from each estimator's
reference kernel (the spec's formula in float64) where it has one.

With --svg FILE it also draws the curves and writes the plot as SVG; the
table is then printed only if --format is given. --layout overlay draws
every curve on one axis (the picture of Figure 1 of the FDA paper, arXiv
2103.00841); --layout panels draws a panel per curve, each with its own
y range from 0 to its extremes, all on the same x range. The default,
auto, overlays the curves unless one's peak |g| is more than 10 times
another's (biper's ω·cos(ωx), of peak 20, would flatten the rest into a
band near 0), and then draws panels.

A sided spec (w=fda/a=approxsign) has a curve per side: two columns,
headed with the spec and "(weights)" or "(activations)", and, when a
spec's sides differ, two panels side by side, the latent weights' and the
activations', each with every spec's curve for that side (a plain spec's
in both); in the panels layout each side has its own panel.

Example:

	gradbench curves --estimators fda:n=9,ste --from -2 --to 2 \
	    --points 401 --format tsv`,
	run: runCurves,
}

// runCurves parses the flags, evaluates the curves (suite.EvalSurrogates)
// and prints their table and/or writes their SVG.
func runCurves(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	est := fs.String("estimators", "", "comma-separated estimator specs, such as fda:n=9,ste (default: every registered estimator at its defaults)")
	from := cli.Float64(fs, "from", -2, "first x of the grid, as its nearest float32 (the estimators take x as float32)")
	to := cli.Float64(fs, "to", 2, "last x of the grid, as its nearest float32")
	points := cli.Int(fs, "points", 401, "number of grid points, from 2 to 10000000, or to 100000 with --svg")
	progress := cli.Float64(fs, "progress", 0, "training progress in [0, 1] at which schedules are evaluated, 0 (the first epoch) when not given; refused where no estimator listed has a schedule that changes its curve (fda:n=9 has none)")
	format := fs.String("format", "tsv", "table format: tsv or csv")
	svg := stringOptional(fs, "svg", "no plot is written", "write the curves as an SVG plot to this `file` (name.svg, or a name without an extension; another format's, such as .png, is refused); the table is then printed only if --format is given")
	layout := fs.String("layout", "auto", "with --svg: plot layout: overlay (one axis), panels (one per curve, each its own y range) or auto (panels when one curve's peak is over 10 times another's)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	formatSet, layoutSet, progressSet := false, false, false
	fs.Visit(func(f *flag.Flag) {
		formatSet = formatSet || f.Name == "format"
		layoutSet = layoutSet || f.Name == "layout"
		progressSet = progressSet || f.Name == "progress"
	})
	if layoutSet && *svg == "" {
		// The layout is the plot's: without one it would be given and
		// then ignored.
		return fmt.Errorf("curves: --layout %q without --svg: the layout is the plot's, and only --svg FILE draws one; give --svg, or drop --layout", *layout)
	}
	o := suite.SurrogateOptions{Estimators: *est, From: *from, To: *to, Points: *points, Progress: *progress, ProgressGiven: progressSet, Format: *format, SVG: *svg, Layout: *layout, Typed: cli.Typed(fs)}
	if *svg != "" && !formatSet {
		o.Format = "" // with --svg, a table only when asked for
	}
	s, err := suite.EvalSurrogates(o)
	if err != nil {
		return err
	}
	if err := s.WriteTable(env.stdout); err != nil {
		return err
	}
	if *svg != "" {
		if err := s.WriteSVG(*svg); err != nil {
			return err
		}
		fmt.Fprintf(env.stderr, "wrote %s (%s, %s)\n", *svg, plural(len(s.Curves), "curve"), plural(len(s.X), "point"))
	}
	return nil
}
