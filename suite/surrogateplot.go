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
// refused). The curves of one spec share a color. When a spec is sided it
// draws two panels side by side, the latent weights' curves and the
// activations'; a plain spec's curve is in both.
func (s *Surrogates) WriteSVG(path string) error {
	layout := s.layout()
	lines := make([]*plotter.Line, len(s.Curves))
	for i, c := range s.Curves {
		var err error
		if lines[i], err = surrogateLine(s.X, c); err != nil {
			return fmt.Errorf("curves: %s: %w", c.Spec, err)
		}
	}
	var panels []*plot.Plot
	for _, l := range layout {
		p := s.panel(l.title)
		for k, i := range l.curves {
			p.Add(lines[i])
			p.Legend.Add(l.legend[k], lines[i])
		}
		panels = append(panels, p)
	}
	var wt io.WriterTo
	if len(panels) > 1 {
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
	if err := WriteOutput(path, b.Bytes()); err != nil {
		return fmt.Errorf("curves: %w", err)
	}
	return nil
}

// A surrogatePanel is one panel of the picture: its title, the curves it
// draws (indices into Surrogates.Curves) and their legend entries.
type surrogatePanel struct {
	title  string
	curves []int
	legend []string
}

// layout returns the panels of the picture: one of every curve or, when a
// spec is sided, the latent weights' and the activations', a plain spec's
// curve in both; each curve's legend entry is its spec.
func (s *Surrogates) layout() []surrogatePanel {
	sided := false
	for _, c := range s.Curves {
		sided = sided || c.Side != ""
	}
	progress := s.Options.Progress
	if !sided {
		p := surrogatePanel{title: fmt.Sprintf("Surrogate gradients g(x) at training progress p = %g", progress)}
		for i, c := range s.Curves {
			p.curves, p.legend = append(p.curves, i), append(p.legend, c.Spec.String())
		}
		return []surrogatePanel{p}
	}
	var panels []surrogatePanel
	for k, side := range []string{"latent weights", "activations"} {
		p := surrogatePanel{title: fmt.Sprintf("g(x) on the %s at training progress p = %g", side, progress)}
		for i, c := range s.Curves {
			if c.Side == "" || c.Side == surrogateSides[k] {
				p.curves, p.legend = append(p.curves, i), append(p.legend, c.Spec.String())
			}
		}
		panels = append(panels, p)
	}
	return panels
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
	p.Legend.Padding = vg.Points(2)
	p.X.Min, p.X.Max = s.Options.From, s.Options.To
	p.X.Tick.Marker = labelledTicks{}
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

// labelledTicks labels every major tick at a round step that gives 4 to 10
// labels, with unlabelled minor ticks halfway.
type labelledTicks struct{}

// Ticks returns the ticks between lo and hi.
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
