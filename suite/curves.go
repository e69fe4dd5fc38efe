package suite

import (
	"fmt"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// WriteCurves draws the training curves of one workload's runs as an SVG
// with two panels: test top-1 accuracy and training loss against epoch,
// one line per estimator, each point the mean over the runs (seeds) with
// status ok. order is as for WriteTable. Diverged runs are left out of the
// means; the legend, in a column of its own right of the panels so that it
// hides no line, gives each line's number of runs.
func WriteCurves(w io.Writer, rs []*Record, order []string) error {
	const width, height = 13 * vg.Inch, 4.5 * vg.Inch
	canvas := vgsvg.New(width, height)
	if err := drawCurves(draw.New(canvas), rs, order); err != nil {
		return err
	}
	if _, err := canvas.WriteTo(w); err != nil {
		return fmt.Errorf("suite: curves: %w", err)
	}
	return nil
}

// drawCurves draws the two panels of WriteCurves on dc.
func drawCurves(dc draw.Canvas, rs []*Record, order []string) error {
	if len(rs) == 0 {
		return fmt.Errorf("suite: curves: no runs")
	}
	if wl := byWorkload(rs); len(wl) > 1 {
		return fmt.Errorf("suite: curves: runs of %d workloads, want one", len(wl))
	}
	if rs[0].Config.LRScale != 0 {
		// A learning-rate grid: each estimator at its chosen rate, as the
		// tables show it. When every run diverged nothing is chosen and
		// the panels stay empty, as they do for a sweep without a grid
		// whose runs all diverged (the tables say so): a sweep that
		// extends a grid upwards until it diverges is a result, not an
		// error.
		rs, _ = SelectLR(rs)
	}
	gs := groups(rs)
	acc := plot.New()
	acc.Title.Text = "test top-1 accuracy"
	acc.X.Label.Text = "epoch"
	acc.Y.Label.Text = "%"
	loss := plot.New()
	loss.Title.Text = "training loss"
	loss.X.Label.Text = "epoch"
	loss.Y.Label.Text = "cross-entropy"
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	for _, p := range []*plot.Plot{acc, loss} {
		p.Add(plotter.NewGrid())
	}
	for i, spec := range rowOrder(gs, order) {
		a, l, n := meanCurves(gs[spec])
		if n == 0 {
			continue
		}
		for _, c := range []struct {
			p   *plot.Plot
			xys plotter.XYs
		}{{acc, a}, {loss, l}} {
			line, points, err := plotter.NewLinePoints(c.xys)
			if err != nil {
				return fmt.Errorf("suite: curves: %w", err)
			}
			line.Color = plotutil.Color(i)
			line.Dashes = plotutil.Dashes(i / len(plotutil.DefaultColors))
			line.Width = vg.Points(1.5)
			points.Color = line.Color
			points.Shape = plotutil.Shape(i)
			points.Radius = vg.Points(2)
			c.p.Add(line, points)
			if c.p == loss {
				legend.Add(fmt.Sprintf("%s (n=%d)", spec, n), line, points)
			}
		}
	}
	// The legend column is as wide as its longest entry, with a quarter
	// more for viewers that substitute a wider font than the metrics
	// gonum/plot measured with; its first entry starts level with the top
	// of the panels' data areas (below the titles).
	pad := vg.Millimeter * 2
	lw := legend.Rectangle(dc).Size().X*5/4 + 2*pad
	panels, side := dc, dc
	panels.Max.X -= lw
	side.Min.X = panels.Max.X + pad
	side.Max.Y -= pad + acc.Title.TextStyle.Height(acc.Title.Text) + acc.Title.Padding
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	canvases := plot.Align([][]*plot.Plot{{acc, loss}}, tiles, panels)
	acc.Draw(canvases[0][0])
	loss.Draw(canvases[0][1])
	legend.Draw(side)
	return nil
}

// meanCurves returns, per epoch, the mean test top-1 and training loss of
// g's runs with status ok, and their number.
func meanCurves(g *Group) (acc, loss plotter.XYs, n int) {
	var ok []*Record
	for _, r := range g.Runs {
		if r.Status == StatusOK {
			ok = append(ok, r)
		}
	}
	if len(ok) == 0 {
		return nil, nil, 0
	}
	epochs := len(ok[0].Epochs)
	for _, r := range ok {
		epochs = min(epochs, len(r.Epochs))
	}
	for e := range epochs {
		var a, l float64
		for _, r := range ok {
			a += r.Epochs[e].TestTop1
			l += r.Epochs[e].TrainLoss
		}
		x := float64(e + 1)
		acc = append(acc, plotter.XY{X: x, Y: a / float64(len(ok))})
		loss = append(loss, plotter.XY{X: x, Y: l / float64(len(ok))})
	}
	return acc, loss, len(ok)
}
