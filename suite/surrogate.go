package suite

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/estimators"
)

// SurrogateOptions say which estimators' surrogate gradients g(x) (the
// derivative each uses in place of d sign(x)/dx) [EvalSurrogates]
// evaluates, on which grid of x, and in which format their table is
// written. Its errors name the flags of `gradbench curves`.
type SurrogateOptions struct {
	// Estimators is a comma-separated list of estimator specs, such as
	// "fda:n=9,ste"; empty means every registered estimator at its
	// defaults, in the registry's order. A spec with noise adaptation
	// (+na, a learned module with no fixed curve) is refused.
	Estimators string
	// From and To are the first and last x of the grid, Points the number
	// of evenly spaced points on it. From must be less than To, both
	// finite and within float32's range (the estimators take x as
	// float32), and neither a nonzero number that float32 rounds to 0
	// (1e-50); Points must be in [2, 10000000], and few enough that the
	// points stay distinct once rounded to float32.
	From, To float64
	Points   int
	// Progress is the training progress, in [0, 1], at which estimators
	// with a schedule (fda's number of terms, ede's t) are evaluated: 0 at
	// the first epoch, 1 at the last.
	Progress float64
	// ProgressGiven says that Progress was asked for (gradbench curves
	// --progress): it is then refused where no estimator has a schedule
	// that changes its curve on the grid (fda:n=9 has none: n is fixed),
	// as it would be ignored.
	ProgressGiven bool
	// Format is the table's format: "tsv", "csv", or "" for no table.
	Format string
	// SVG, when set, is the file the caller will write the plot to
	// (WriteSVG): it is checked with the options, so that a file no
	// output may replace (see CheckOutputs) is refused before anything is
	// evaluated or printed.
	SVG string
	// Layout is the plot's layout: "overlay", every curve on one axis (two
	// panels, a side's each, when a spec is sided); "panels", a panel per
	// curve, each with its own y range; or "auto" or "", panels when one
	// curve's peak |g| is more than 10 times another's (biper's 20 beside
	// ste's 1 would flatten ste into a band near 0), else overlay.
	Layout string
	// Typed holds the flags' values as typed (cli.Typed), which the
	// refusals of --from, --to, --points and --progress quote.
	Typed Typed
}

// Surrogates are the surrogate gradients of a list of estimator specs on
// a grid of x, as [EvalSurrogates] returns them.
type Surrogates struct {
	Options SurrogateOptions
	Specs   []estimators.Spec // the parsed Options.Estimators
	X       []float32         // the grid, in increasing order
	// Curves hold one curve per plain spec and two per sided spec (the
	// weights' side, then the activations'), in the order of Specs.
	Curves []SurrogateCurve
	// FollowsProgress reports whether a curve changes with training
	// progress (see followsProgress), worked out where it matters: with
	// Options.ProgressGiven or Options.SVG, whose titles give the
	// progress only then.
	FollowsProgress bool
}

// A SurrogateCurve is g(x) on the grid for one spec, or one side of a
// sided spec.
type SurrogateCurve struct {
	Spec estimators.Spec // the spec as listed (sided, for either side's curve)
	// Side is "" for a plain spec, else "weights" or "activations".
	Side string
	G    []float32 // g(x) at each point of the grid
	pos  int       // Spec's position in Surrogates.Specs, which picks its color
}

// surrogateSides name the sides of a sided spec in column heads and panels.
var surrogateSides = [2]string{"weights", "activations"}

// Label heads the curve's column of the table: the spec, followed for a
// sided spec by its side in parentheses, as "w=fda/a=ste (weights)".
func (c SurrogateCurve) Label() string {
	if c.Side == "" {
		return c.Spec.String()
	}
	return c.Spec.String() + " (" + c.Side + ")"
}

// EvalSurrogates checks o and evaluates g(x) of each of its estimators on
// its grid. Values come from each estimator's reference kernel (the spec's
// formula in float64) where it has one, else from its Backward. Options
// outside the ranges SurrogateOptions gives, and specs that do not parse,
// are refused.
func EvalSurrogates(o SurrogateOptions) (*Surrogates, error) {
	xs, err := o.grid()
	if err != nil {
		return nil, err
	}
	list := o.Estimators
	if list == "" {
		list = strings.Join(estimators.Names(), ",")
	}
	specs, err := estimators.ParseList(list)
	if err != nil {
		return nil, err
	}
	for _, s := range specs {
		if s.HasNA() {
			return nil, fmt.Errorf("suite: curves: %q: noise adaptation (+na) is a learned module with no fixed curve; drop the suffix", s.String())
		}
	}
	ones := make([]float32, len(xs))
	for i := range ones {
		ones[i] = 1
	}
	s := &Surrogates{Options: o, Specs: specs, X: xs}
	scheduled := false
	for i, spec := range specs {
		sides := []estimators.Spec{spec}
		if spec.Sided() {
			sides = []estimators.Spec{spec.Weights(), spec.Activations()}
		}
		for j, side := range sides {
			e, err := side.New()
			if err != nil {
				return nil, err
			}
			if err := estimators.CheckProgress(e, o.Progress); err != nil {
				what := spec.Typed()
				if spec.Sided() {
					what += " (" + surrogateSides[j] + ")"
				}
				return nil, fmt.Errorf("suite: curves: estimator %s at --progress %s: %w", what, o.Typed.of("progress", o.Progress), err)
			}
			sch, isSched := e.(estimators.Scheduler)
			if isSched {
				sch.SetProgress(o.Progress)
			}
			c := SurrogateCurve{Spec: spec, G: make([]float32, len(xs)), pos: i}
			if spec.Sided() {
				c.Side = surrogateSides[j]
			}
			eval := func(g []float32) {
				if r, ok := e.(estimators.Referencer); ok {
					r.BackwardRef(g, xs, ones)
				} else {
					e.Backward(g, xs, ones)
				}
			}
			eval(c.G)
			if isSched && (o.ProgressGiven || o.SVG != "") && !scheduled {
				scheduled = followsProgress(e, sch, c.G, eval)
			}
			s.Curves = append(s.Curves, c)
		}
	}
	s.FollowsProgress = scheduled
	if o.ProgressGiven && !scheduled {
		return nil, fmt.Errorf("suite: curves: --progress %s: none of the estimators has a schedule that changes its curve (as fda's n over a range lo..hi, ede's t and a formula in p do; fda:n=9 fixes n), so it would change no curve: drop --progress", o.Typed.of("progress", o.Progress))
	}
	return s, nil
}

// followsProgress reports whether the curve g of e, a Scheduler evaluated
// by eval at the progress asked for, changes with progress on the grid:
// it compares g with the curve at p = 0, 0.1, …, 1. A scheduler whose
// spec fixes its schedule (fda:n=9, ede with tmin = tmax, an expr formula
// without p) gives one curve at every p, and --progress would be given
// and then ignored. A p at which e's surrogate does not exist
// (CheckProgress) counts as a change.
func followsProgress(e estimators.Estimator, sch estimators.Scheduler, g []float32, eval func([]float32)) bool {
	other := make([]float32, len(g))
	for k := 0; k <= 10; k++ {
		p := float64(k) / 10
		if estimators.CheckProgress(e, p) != nil {
			return true
		}
		sch.SetProgress(p)
		eval(other)
		if !slices.Equal(other, g) {
			return true
		}
	}
	return false
}

// MaxPlotPoints is the most grid points curves draws per curve with --svg.
const MaxPlotPoints = 100_000

// grid checks o's grid, progress and format and returns the grid's
// points as float32.
func (o SurrogateOptions) grid() ([]float32, error) {
	finite := func(name string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("suite: curves: --%s must be a finite number, got %s", name, o.Typed.of(name, v))
		}
		return nil
	}
	if err := errors.Join(finite("from", o.From), finite("to", o.To)); err != nil {
		return nil, err
	}
	// The kernels take x as float32: every grid point must be a finite
	// float32 (checked before the ends' order: --from 1e39 is refused
	// for its range, which no --to can mend), and the points must stay
	// distinct once rounded to it (below).
	for _, f := range []struct {
		name string
		v    float64
	}{{"from", o.From}, {"to", o.To}} {
		// An end is its nearest float32: one just past float32's
		// largest value, such as the 3.4028235e+38 this error prints,
		// rounds to it, and only one that rounds to ±Inf is refused.
		if math.IsInf(float64(float32(f.v)), 0) {
			return nil, fmt.Errorf("suite: curves: --%s %s is outside float32's range (±%v), in which the estimators take x", f.name, o.Typed.of(f.name, f.v), float32(math.MaxFloat32))
		}
		// A nonzero end that float32 rounds to 0 would put x = 0 in the
		// table where the flag asked for another number.
		if f.v != 0 && float32(f.v) == 0 {
			return nil, fmt.Errorf("suite: curves: --%s %s is 0 as float32, in which the estimators take x (its smallest magnitude is %v): give 0 or a number at least that far from it", f.name, o.Typed.of(f.name, f.v), float32(math.SmallestNonzeroFloat32))
		}
	}
	if err := CheckOutputs([]NamedFile{{"--svg", o.SVG}}, nil); err != nil {
		return nil, fmt.Errorf("suite: curves: %w", err)
	}
	if err := CheckFormat("--svg", o.SVG, FormatSVG); err != nil {
		return nil, fmt.Errorf("suite: curves: %w", err)
	}
	switch {
	case o.From >= o.To:
		return nil, fmt.Errorf("suite: curves: --from must be less than --to, got --from %s --to %s", o.Typed.of("from", o.From), o.Typed.of("to", o.To))
	case o.Points < 2:
		return nil, fmt.Errorf("suite: curves: --points must be at least 2, got %s", o.Typed.of("points", o.Points))
	case o.Points > 10_000_000:
		return nil, fmt.Errorf("suite: curves: --points must be at most 10000000, got %s", o.Typed.of("points", o.Points))
	case o.SVG != "" && o.Points > MaxPlotPoints:
		// Drawing takes about 0.3 KB of memory a point: the 11 default
		// curves at 10000000 points would need tens of GB, for a
		// picture a few hundred points wide.
		return nil, fmt.Errorf("suite: curves: --points %s with --svg: a plot draws at most %d points per curve (drawing takes about 0.3 KB of memory a point, and the picture is a few hundred points wide); give fewer points, or leave out --svg for the table alone (up to 10000000 points)", o.Typed.of("points", o.Points), MaxPlotPoints)
	case !(o.Progress >= 0 && o.Progress <= 1):
		return nil, fmt.Errorf("suite: curves: --progress must be in [0, 1], got %s", o.Typed.of("progress", o.Progress))
	case strings.EqualFold(o.Format, "svg"):
		// Tried as a new user would: the plot is a file of its own.
		return nil, fmt.Errorf("suite: curves: --format must be tsv or csv, got %q: the plot is drawn by --svg FILE, with or without --format", o.Format)
	case o.Format != "" && o.Format != "tsv" && o.Format != "csv":
		return nil, fmt.Errorf("suite: curves: --format must be tsv or csv, got %q", o.Format)
	case o.Layout != "" && o.Layout != "auto" && o.Layout != "overlay" && o.Layout != "panels":
		return nil, fmt.Errorf("suite: curves: --layout must be auto, overlay or panels, got %q", o.Layout)
	}
	xs := make([]float32, o.Points)
	for i := range xs {
		xs[i] = float32(o.From + (o.To-o.From)*float64(i)/float64(o.Points-1))
	}
	for i := 1; i < len(xs); i++ {
		if xs[i] <= xs[i-1] {
			return nil, fmt.Errorf("suite: curves: --points %s between %s and %s are closer than float32 resolves (x %v repeats): give fewer points or a wider range", o.Typed.of("points", o.Points), o.Typed.of("from", o.From), o.Typed.of("to", o.To), xs[i])
		}
	}
	return xs, nil
}

// WriteTable writes the curves to w as a table in Options.Format: a header
// "x" and one column per curve, headed with its Label, then one row per
// point of the grid, each value in the fewest digits that give its
// float32 back. With Format "" it writes nothing.
func (s *Surrogates) WriteTable(w io.Writer) error {
	if s.Options.Format == "" {
		return nil
	}
	header := []string{"x"}
	for _, c := range s.Curves {
		header = append(header, c.Label())
	}
	row := make([]string, len(header))
	fill := func(i int) {
		row[0] = formatFloat32(s.X[i])
		for j, c := range s.Curves {
			row[j+1] = formatFloat32(c.G[i])
		}
	}
	if s.Options.Format == "csv" {
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		for i := range s.X {
			fill(i)
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
	var b strings.Builder
	b.WriteString(strings.Join(header, "\t") + "\n")
	for i := range s.X {
		fill(i)
		b.WriteString(strings.Join(row, "\t") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// formatFloat32 formats v in the fewest digits that give it back.
func formatFloat32(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }
