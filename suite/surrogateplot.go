package suite

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// WriteSVG draws the curves with gonum/plot (the picture of Figure 1 of
// the FDA paper, arXiv 2103.00841) and writes the SVG to path as every
// output file is written ([WriteOutput]: atomically; a directory is
// refused). The curves of one spec share a color. In the overlay layout
// the curves share one axis, or, when a spec is sided, two panels side by
// side, the latent weights' curves and the activations'; a plain spec's
// curve is in both. In the panels layout (Options.Layout, and by default
// when one curve's peak would flatten another's, see [SurrogateOptions])
// each curve has its own panel, its own y range from 0 to its extremes
// and the x range they all share, in a grid under a heading that says the
// y scales differ.
func (s *Surrogates) WriteSVG(path string) error {
	layout := s.layout()
	panels, err := s.plots(layout)
	if err != nil {
		return err
	}
	var wt io.WriterTo
	switch {
	case len(layout) > 0 && layout[0].own:
		wt = s.drawGrid(panels)
	case len(panels) > 1:
		const width, height = 14 * vg.Inch, 5 * vg.Inch
		canvas := vgsvg.New(width, height)
		dc := draw.New(canvas)
		tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 6, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
		canvases := plot.Align([][]*plot.Plot{panels}, tiles, dc)
		for k, p := range panels {
			p.Draw(canvases[0][k])
		}
		wt = canvas
	default:
		if wt, err = panels[0].WriterTo(8*vg.Inch, 5*vg.Inch, "svg"); err != nil {
			return fmt.Errorf("suite: curves: %w", err)
		}
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return fmt.Errorf("suite: curves: %w", err)
	}
	if err := WriteOutput(path, b.Bytes()); err != nil {
		return fmt.Errorf("suite: curves: %w", err)
	}
	return nil
}

// plots returns the plots of layout's panels.
func (s *Surrogates) plots(layout []surrogatePanel) ([]*plot.Plot, error) {
	lines := make([]*plotter.Line, len(s.Curves))
	for i, c := range s.Curves {
		var err error
		if lines[i], err = surrogateLine(s.X, c); err != nil {
			return nil, fmt.Errorf("suite: curves: %s: %w", c.Spec, err)
		}
	}
	var panels []*plot.Plot
	for _, l := range layout {
		p := s.panel(l.title)
		for k, i := range l.curves {
			p.Add(lines[i])
			if !l.own {
				p.Legend.Add(l.legend[k], lines[i])
			}
		}
		if l.own {
			p.Y.Label.Text = "g(x)"
			p.Y.Min, p.Y.Max = ownRange(s.Curves[l.curves[0]].G)
			p.Y.Tick.Marker = labelledTicks{max: 5}
			p.X.Tick.Marker = labelledTicks{max: 5}
		}
		panels = append(panels, p)
	}
	return panels, nil
}

// panelCols is the number of columns of the panels layout's grid.
func panelCols(n int) int { return min(n, 4) }

// drawGrid draws the panels layout: the panels in rows of panelCols,
// aligned so that their x axes line up, under a heading.
func (s *Surrogates) drawGrid(panels []*plot.Plot) io.WriterTo {
	cols := panelCols(len(panels))
	rows := (len(panels) + cols - 1) / cols
	const panelW, panelH = 3.4 * vg.Inch, 2.4 * vg.Inch
	heading := plot.New().Title.TextStyle
	heading.XAlign, heading.YAlign = draw.XLeft, draw.YTop
	pad := vg.Millimeter * 2
	headH := heading.Height(s.gridHeading()) + 2*pad
	// At least as wide as the heading, with half as much again for
	// viewers that substitute a wider font (rsvg-convert's is a third
	// wider than the metrics gonum/plot measures with); left-aligned, so
	// that such a font runs right, not off the left edge.
	width := max(vg.Length(cols)*panelW, heading.Width(s.gridHeading())*3/2+2*pad)
	canvas := vgsvg.New(width, vg.Length(rows)*panelH+headH)
	dc := draw.New(canvas)
	dc.FillText(heading, vg.Point{X: dc.Min.X + pad, Y: dc.Max.Y - pad}, s.gridHeading())
	dc.Max.Y -= headH
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for c := range grid[r] {
			if k := r*cols + c; k < len(panels) {
				grid[r][c] = panels[k]
			}
		}
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 5, PadY: vg.Millimeter * 4, PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for c, p := range grid[r] {
			if p != nil {
				p.Draw(canvases[r][c])
			}
		}
	}
	return canvas
}

// gridHeading is the heading of the panels layout.
func (s *Surrogates) gridHeading() string {
	return "Surrogate gradients g(x)" + s.atProgress() + "\none panel per curve, each y axis on its own scale"
}

// atProgress is the titles' " at training progress p = P", or "" where no
// curve changes with progress (fda:n=9, ste): naming a progress there
// would say the curves depend on it.
func (s *Surrogates) atProgress() string {
	if !s.FollowsProgress {
		return ""
	}
	return fmt.Sprintf(" at training progress p = %g", s.Options.Progress)
}

// ownRange is the y range of a curve's own panel: from 0 or the curve's
// least value, whichever is lower, to 0 or its greatest, whichever is
// higher, with a twentieth of the span more either side, so that a
// constant curve is a line at its height above the zero line and not a
// line across a range gonum would invent.
func ownRange(g []float32) (lo, hi float64) {
	for _, v := range g {
		lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
	}
	if hi == lo {
		return -1, 1
	}
	m := (hi - lo) / 20
	return lo - m, hi + m
}

// A surrogatePanel is one panel of the picture: its title, the curves it
// draws (indices into Surrogates.Curves) and their legend entries. own
// marks a panel of the panels layout, of one curve on its own y scale.
type surrogatePanel struct {
	title  string
	curves []int
	legend []string
	own    bool
}

// layout returns the panels of the picture. In the panels layout (see
// panelsLayout) it is a panel per curve, titled with the curve's label. In
// the overlay layout it is one panel of every curve or, when a spec is
// sided, the latent weights' and the activations', a plain spec's curve
// in both; each curve's legend entry is its spec.
func (s *Surrogates) layout() []surrogatePanel {
	if s.panelsLayout() {
		var panels []surrogatePanel
		for i, c := range s.Curves {
			title := c.Label()
			if c.Side != "" { // the side on a line of its own: a panel is narrow
				title = c.Spec.String() + "\n(" + c.Side + ")"
			}
			panels = append(panels, surrogatePanel{title: title, curves: []int{i}, legend: []string{c.Label()}, own: true})
		}
		return panels
	}
	sided := false
	for _, c := range s.Curves {
		sided = sided || c.Side != ""
	}
	if !sided {
		p := surrogatePanel{title: "Surrogate gradients g(x)" + s.atProgress()}
		for i, c := range s.Curves {
			p.curves, p.legend = append(p.curves, i), append(p.legend, c.Spec.String())
		}
		return []surrogatePanel{p}
	}
	var panels []surrogatePanel
	for k, side := range []string{"latent weights", "activations"} {
		p := surrogatePanel{title: "g(x) on the " + side + s.atProgress()}
		for i, c := range s.Curves {
			if c.Side == "" || c.Side == surrogateSides[k] {
				p.curves, p.legend = append(p.curves, i), append(p.legend, c.Spec.String())
			}
		}
		panels = append(panels, p)
	}
	return panels
}

// overlayRatio is the largest ratio of two curves' peaks (greatest |g|)
// that the auto layout draws on one axis: beyond it the smaller curve
// would span less than a tenth of the axis, a flat band near 0 (biper's
// ω·cos(ωx), of peak 20, beside ste's 1).
const overlayRatio = 10

// panelsLayout reports whether the picture is a panel per curve: when
// Options.Layout says "panels", or, by default ("auto" or ""), when one
// curve's peak exceeds overlayRatio times another's. Curves that are 0
// everywhere on the grid do not count.
func (s *Surrogates) panelsLayout() bool {
	switch s.Options.Layout {
	case "panels":
		return true
	case "overlay":
		return false
	}
	lo, hi := math.Inf(1), 0.0
	for _, c := range s.Curves {
		peak := 0.0
		for _, v := range c.G {
			peak = math.Max(peak, math.Abs(float64(v)))
		}
		if peak > 0 {
			lo, hi = math.Min(lo, peak), math.Max(hi, peak)
		}
	}
	return hi > overlayRatio*lo
}

// panel returns an empty panel of s's curves with the given title.
func (s *Surrogates) panel(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "x"
	p.Y.Label.Text = "g(x), used in place of d sign(x)/dx"
	p.Add(plotter.NewGrid())
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(12), -vg.Points(6)
	spaceLegendRows(&p.Legend)
	p.X.Min, p.X.Max = s.Options.From, s.Options.To
	p.X.Tick.Marker = labelledTicks{}
	p.Y.Tick.Marker = yTicks{}
	return p
}

// surrogateLine draws one curve, in the color of its spec (lineStyle).
func surrogateLine(xs []float32, c SurrogateCurve) (*plotter.Line, error) {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i].X, pts[i].Y = float64(xs[i]), float64(c.G[i])
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	line.Color, line.Dashes = lineStyle(c.pos)
	line.Width = vg.Points(1.5)
	return line, nil
}

// labelledTicks labels every major tick at a round step, the smallest
// that leaves at most max steps between the ends (10 when max is 0), with
// unlabelled minor ticks halfway. With whole, every tick is at a whole
// number (epochs): the step is at least 1, and a minor tick is drawn
// only where halfway is whole.
type labelledTicks struct {
	max   int
	whole bool
}

// Ticks returns the ticks between lo and hi.
func (t labelledTicks) Ticks(lo, hi float64) []plot.Tick {
	most := 10.0
	if t.max > 0 {
		most = float64(t.max)
	}
	step := math.Pow(10, math.Floor(math.Log10(hi-lo)))
	for _, m := range []float64{0.2, 0.5, 1, 2} {
		if (hi-lo)/(step*m) <= most {
			step *= m
			break
		}
	}
	half := step / 2
	if t.whole {
		step = max(step, 1)
		if half = step / 2; half != math.Trunc(half) {
			half = step // no minor ticks between whole ones
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/half) * half; v <= hi+step*1e-9; v += half {
		t := plot.Tick{Value: v}
		if k := v / step; math.Abs(k-math.Round(k)) < 1e-9 {
			// The ticks are sums of inexact halves of the step: the one at 0
			// can be a hair below it, whose rounded k is −0, which
			// FormatFloat writes "-0".
			x := math.Round(k) * step
			if x == 0 {
				x = 0
			}
			t.Label = strconv.FormatFloat(x, 'g', 6, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}
