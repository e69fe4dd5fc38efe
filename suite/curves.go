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

// SplitWorkloads splits records by workload, in the order in which each
// workload first appears in rs.
func SplitWorkloads(rs []*Record) [][]*Record { return byWorkload(rs) }

// WriteCurves draws the training curves of one workload's runs as an SVG
// with two panels: test top-1 accuracy and training loss against epoch,
// one line per estimator, each point the mean over the runs (seeds) with
// status ok. order is as for WriteTable. Diverged runs are left out of the
// means; the legend gives each line's number of runs.
func WriteCurves(w io.Writer, rs []*Record, order []string) error {
	const width, height = 11 * vg.Inch, 4.5 * vg.Inch
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
	gs := groups(rs)
	acc := plot.New()
	acc.Title.Text = "test top-1 accuracy"
	acc.X.Label.Text = "epoch"
	acc.Y.Label.Text = "%"
	loss := plot.New()
	loss.Title.Text = "training loss"
	loss.X.Label.Text = "epoch"
	loss.Y.Label.Text = "cross-entropy"
	// The loss falls from the left: its top right corner is free.
	loss.Legend.Top = true
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
				loss.Legend.Add(fmt.Sprintf("%s (n=%d)", spec, n), line, points)
			}
		}
	}
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align([][]*plot.Plot{{acc, loss}}, tiles, dc)
	acc.Draw(canvases[0][0])
	loss.Draw(canvases[0][1])
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
