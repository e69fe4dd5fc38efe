package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/suite"
)

var curvesCmd = &command{
	name:  "curves",
	short: "print or plot the surrogate gradient g(x) of estimators",
	long: `
Curves evaluates the surrogate derivative g(x) that each estimator uses in
place of d sign(x)/dx (by default every registered estimator, at its
defaults), on an evenly spaced grid of x from --from to --to,
and prints a table: a header "x" and one column per estimator, labelled
with its canonical spec, then one row per point. Estimators with a
schedule (fda's number of terms, ede's t) are evaluated at training
progress --progress, 0 at the first epoch and 1 at the last. Values come
from each estimator's reference kernel (the spec's formula in float64)
where it has one.

With --svg FILE it also draws the curves in one plot (the picture of
Figure 1 of the FDA paper, arXiv 2103.00841) and writes it as SVG; the
table is then printed only if --format is given.

A sided spec (w=fda/a=approxsign) has a curve per side: two columns,
headed with the spec and "(weights)" or "(activations)", and, when a
spec's sides differ, two panels side by side, the latent weights' and the
activations', each with every spec's curve for that side (a plain spec's
in both).

Example:

	gradbench curves --estimators fda:n=9,ste --from -2 --to 2 --points 401 --format tsv`,
	run: runCurves,
}

// curvesConfig are the validated flags of `gradbench curves`.
type curvesConfig struct {
	specs    []estimators.Spec
	from, to float64
	points   int
	progress float64
	format   string // "tsv", "csv" or "" (no table)
	svg      string
}

func runCurves(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	est := fs.String("estimators", "", "comma-separated estimator specs, such as fda:n=9,ste (default: every registered estimator at its defaults)")
	from := fs.Float64("from", -2, "first x of the grid")
	to := fs.Float64("to", 2, "last x of the grid")
	points := fs.Int("points", 401, "number of grid points (>= 2)")
	progress := fs.Float64("progress", 0, "training progress in [0, 1] at which schedules are evaluated")
	format := fs.String("format", "tsv", "table format: tsv or csv")
	svg := fs.String("svg", "", "also write the curves as an SVG plot to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	formatSet := false
	fs.Visit(func(f *flag.Flag) { formatSet = formatSet || f.Name == "format" })
	cfg := curvesConfig{from: *from, to: *to, points: *points, progress: *progress, format: *format, svg: *svg}
	if cfg.svg != "" && !formatSet {
		cfg.format = ""
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	list := *est
	if list == "" {
		list = strings.Join(estimators.Names(), ",")
	}
	specs, err := estimators.ParseList(list)
	if err != nil {
		return err
	}
	for _, s := range specs {
		if s.HasNA() {
			return fmt.Errorf("curves: %q: noise adaptation (+na) is a learned module with no fixed curve; drop the suffix", s.String())
		}
	}
	cfg.specs = specs
	xs, cols, err := evalCurves(cfg)
	if err != nil {
		return err
	}
	if cfg.format != "" {
		if err := writeCurves(env.stdout, cfg, xs, cols); err != nil {
			return err
		}
	}
	if cfg.svg != "" {
		if err := writeCurvesSVG(cfg, xs, cols); err != nil {
			return err
		}
		fmt.Fprintf(env.stderr, "curves: wrote %s (%d curves, %d points)\n", cfg.svg, len(cols), len(xs))
	}
	return nil
}

func (c *curvesConfig) validate() error {
	finite := func(name string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("curves: --%s must be a finite number, got %v", name, v)
		}
		return nil
	}
	if err := errors.Join(finite("from", c.from), finite("to", c.to)); err != nil {
		return err
	}
	switch {
	case c.from >= c.to:
		return fmt.Errorf("curves: --from must be less than --to, got --from %v --to %v", c.from, c.to)
	case c.points < 2:
		return fmt.Errorf("curves: --points must be at least 2, got %d", c.points)
	case c.points > 10_000_000:
		return fmt.Errorf("curves: --points must be at most 10000000, got %d", c.points)
	case !(c.progress >= 0 && c.progress <= 1):
		return fmt.Errorf("curves: --progress must be in [0, 1], got %v", c.progress)
	case c.format != "" && c.format != "tsv" && c.format != "csv":
		return fmt.Errorf("curves: --format must be tsv or csv, got %q", c.format)
	}
	// The kernels take x as float32: every grid point must be a finite
	// float32, and the points must stay distinct once rounded to it.
	for _, f := range []struct {
		name string
		v    float64
	}{{"from", c.from}, {"to", c.to}} {
		if math.Abs(f.v) > math.MaxFloat32 {
			return fmt.Errorf("curves: --%s %v is outside float32's range (±%v), in which the estimators take x", f.name, f.v, float32(math.MaxFloat32))
		}
	}
	xs := grid(c.from, c.to, c.points)
	for i := 1; i < len(xs); i++ {
		if xs[i] <= xs[i-1] {
			return fmt.Errorf("curves: --points %d between %v and %v are closer than float32 resolves (x %v repeats): give fewer points or a wider range", c.points, c.from, c.to, xs[i])
		}
	}
	return nil
}

// grid returns n evenly spaced x from from to to, as float32.
func grid(from, to float64, n int) []float32 {
	xs := make([]float32, n)
	for i := range xs {
		xs[i] = float32(from + (to-from)*float64(i)/float64(n-1))
	}
	return xs
}

// A curve is g(x) on the grid for one side of a spec.
type curve struct {
	spec int    // index in curvesConfig.specs
	side string // "" for a plain spec, else sideNames[0] or sideNames[1]
	g    []float32
}

// sideNames name the sides of a sided spec in column heads and panels.
var sideNames = [2]string{"weights", "activations"}

// label heads the curve's column: the spec, and the side of a sided one.
func (c curve) label(cfg curvesConfig) string {
	if c.side == "" {
		return cfg.specs[c.spec].String()
	}
	return cfg.specs[c.spec].String() + " (" + c.side + ")"
}

// evalCurves returns the grid and the curves on it: one for each plain
// spec, one per side of each sided one.
func evalCurves(cfg curvesConfig) (xs []float32, cols []curve, err error) {
	xs = grid(cfg.from, cfg.to, cfg.points)
	ones := make([]float32, len(xs))
	for i := range ones {
		ones[i] = 1
	}
	for i, s := range cfg.specs {
		sides := []estimators.Spec{s}
		if s.Sided() {
			sides = []estimators.Spec{s.Weights(), s.Activations()}
		}
		for j, side := range sides {
			e, err := side.New()
			if err != nil {
				return nil, nil, err
			}
			if sch, ok := e.(estimators.Scheduler); ok {
				sch.SetProgress(cfg.progress)
			}
			c := curve{spec: i, g: make([]float32, len(xs))}
			if s.Sided() {
				c.side = sideNames[j]
			}
			if r, ok := e.(estimators.Referencer); ok {
				r.BackwardRef(c.g, xs, ones)
			} else {
				e.Backward(c.g, xs, ones)
			}
			cols = append(cols, c)
		}
	}
	return xs, cols, nil
}

func formatValue(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }

// writeCurves prints the table: a header, then one row per point.
func writeCurves(w io.Writer, cfg curvesConfig, xs []float32, cols []curve) error {
	header := []string{"x"}
	for _, c := range cols {
		header = append(header, c.label(cfg))
	}
	row := make([]string, len(header))
	if cfg.format == "csv" {
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		for i, x := range xs {
			row[0] = formatValue(x)
			for j, c := range cols {
				row[j+1] = formatValue(c.g[i])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
	var b strings.Builder
	b.WriteString(strings.Join(header, "\t") + "\n")
	for i, x := range xs {
		row[0] = formatValue(x)
		for j, c := range cols {
			row[j+1] = formatValue(c.g[i])
		}
		b.WriteString(strings.Join(row, "\t") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// curveColors are ten easily told apart colors (the "tab10" palette);
// past ten curves the lines are dashed.
var curveColors = []color.Color{
	color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0xff, 0x7f, 0x0e, 0xff}, color.RGBA{0x2c, 0xa0, 0x2c, 0xff},
	color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x94, 0x67, 0xbd, 0xff}, color.RGBA{0x8c, 0x56, 0x4b, 0xff},
	color.RGBA{0xe3, 0x77, 0xc2, 0xff}, color.RGBA{0x7f, 0x7f, 0x7f, 0xff}, color.RGBA{0xbc, 0xbd, 0x22, 0xff},
	color.RGBA{0x17, 0xbe, 0xcf, 0xff},
}

// labelledTicks labels every major tick at a round step that gives 4 to 10
// labels, with unlabelled minor ticks halfway.
type labelledTicks struct{}

func (labelledTicks) Ticks(lo, hi float64) []plot.Tick {
	step := math.Pow(10, math.Floor(math.Log10(hi-lo)))
	for _, m := range []float64{0.2, 0.5, 1} {
		if (hi-lo)/(step*m) <= 10 {
			step *= m
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step*2) * step / 2; v <= hi+step*1e-9; v += step / 2 {
		t := plot.Tick{Value: v}
		if k := v / step; math.Abs(k-math.Round(k)) < 1e-9 {
			t.Label = strconv.FormatFloat(math.Round(k)*step, 'g', 6, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// writeCurvesSVG draws the curves with gonum/plot and writes the SVG
// as every output file is written (suite.WriteOutput: atomically).
// When a spec's sides differ it draws two panels, the weights' curves and
// the activations'; a plain spec's curve is in both.
func writeCurvesSVG(cfg curvesConfig, xs []float32, cols []curve) error {
	sided := false
	for _, c := range cols {
		sided = sided || c.side != ""
	}
	panels := []*plot.Plot{curvesPlot(cfg, fmt.Sprintf("Surrogate gradients g(x) at training progress p = %g", cfg.progress))}
	if sided {
		panels = nil
		for _, side := range []string{"latent weights", "activations"} {
			panels = append(panels, curvesPlot(cfg, fmt.Sprintf("g(x) on the %s at training progress p = %g", side, cfg.progress)))
		}
	}
	for _, c := range cols {
		line, err := curveLine(xs, c)
		if err != nil {
			return fmt.Errorf("curves: %s: %w", cfg.specs[c.spec], err)
		}
		for k, p := range panels {
			if c.side == "" || c.side == sideNames[k] {
				p.Add(line)
				p.Legend.Add(cfg.specs[c.spec].String(), line)
			}
		}
	}
	var wt io.WriterTo
	if sided {
		const width, height = 14 * vg.Inch, 5 * vg.Inch
		canvas := vgsvg.New(width, height)
		dc := draw.New(canvas)
		tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 6, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
		canvases := plot.Align([][]*plot.Plot{panels}, tiles, dc)
		for k, p := range panels {
			p.Draw(canvases[0][k])
		}
		wt = canvas
	} else {
		var err error
		if wt, err = panels[0].WriterTo(8*vg.Inch, 5*vg.Inch, "svg"); err != nil {
			return fmt.Errorf("curves: %w", err)
		}
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return fmt.Errorf("curves: %w", err)
	}
	if err := suite.WriteOutput(cfg.svg, b.Bytes()); err != nil {
		return fmt.Errorf("curves: %w", err)
	}
	return nil
}

// curvesPlot returns an empty panel of curves with the given title.
func curvesPlot(cfg curvesConfig, title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "x"
	p.Y.Label.Text = "g(x), used in place of d sign(x)/dx"
	p.Add(plotter.NewGrid())
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(12), -vg.Points(6)
	p.Legend.Padding = vg.Points(2)
	p.X.Min, p.X.Max = cfg.from, cfg.to
	p.X.Tick.Marker = labelledTicks{}
	return p
}

// curveLine draws one curve, in the color of its spec.
func curveLine(xs []float32, c curve) (*plotter.Line, error) {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i].X, pts[i].Y = float64(xs[i]), float64(c.g[i])
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	line.Color = curveColors[c.spec%len(curveColors)]
	line.Dashes = plotutil.Dashes(c.spec / len(curveColors))
	line.Width = vg.Points(1.5)
	return line, nil
}
