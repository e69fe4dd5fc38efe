package suite

import (
	"fmt"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// WriteCurves draws the training curves of one workload's runs as an SVG
// with two panels: test top-1 accuracy and training loss against epoch,
// one line per estimator (the suite's line palette, lineStyle, with a
// point shape of its own), each point the mean over the runs (seeds) with
// status ok. When the records hold training diagnostics (Epoch.Diagnostics)
// a panel per diagnostic follows (diagnosticColumns: flip ratio,
// oscillation, oscillating and silent weights, activation saturation and
// entropy, gradient stability and norm), each point the mean over the runs
// that have it. order is as for WriteTable. Diverged runs are left out of
// the means; the legend, in a column of its own right of the panels so that
// it hides no line, gives each line's number of runs and of diverged runs,
// and names every estimator without a line and why: none of its runs
// finished, or, on a learning-rate grid, none of its grid's, so that no
// rate was chosen.
func WriteCurves(w io.Writer, rs []*Record, order []string) error {
	// Its lines are compared as runs on the same images, as a table's
	// rows are: records of other data are refused (checkSameData).
	if err := checkSameData(rs); err != nil {
		return err
	}
	width, height := 13*vg.Inch, 4.5*vg.Inch
	// Sized for the panels drawCurves draws: those of the runs shown.
	if hasDiagnostics(shownRuns(rs)) {
		width, height = 24*vg.Inch, 9*vg.Inch
	}
	canvas := vgsvg.New(width, height)
	if err := drawCurves(draw.New(canvas), rs, order); err != nil {
		return err
	}
	if _, err := canvas.WriteTo(w); err != nil {
		return wrapErr("suite: curves", err)
	}
	return nil
}

// hasDiagnostics reports whether an epoch of a run with status ok has
// training diagnostics.
func hasDiagnostics(rs []*Record) bool {
	for _, r := range rs {
		if r.Status != StatusOK {
			continue
		}
		for _, e := range r.Epochs {
			if e.Diagnostics != nil {
				return true
			}
		}
	}
	return false
}

// drawCurves draws the two panels of WriteCurves on dc.
func drawCurves(dc draw.Canvas, rs []*Record, order []string) error {
	if len(rs) == 0 {
		return fmt.Errorf("suite: curves: no runs")
	}
	if wl := byWorkload(rs); len(wl) > 1 {
		return fmt.Errorf("suite: curves: runs of %d workloads, want one", len(wl))
	}
	// Every estimator of the records has a place in the legend and in the
	// palette, also one without a line.
	all := groups(rs)
	epochs := rs[0].Config.Epochs // one workload's, so every record's
	rs = shownRuns(rs)
	gs := groups(rs)
	acc := epochPanel("test top-1 accuracy")
	acc.Y.Label.Text = "%"
	loss := epochPanel("training loss")
	loss.Y.Label.Text = "cross-entropy"
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	spaceLegendRows(&legend)
	panels := []*plot.Plot{acc, loss}
	diag := hasDiagnostics(rs)
	if diag {
		for _, c := range diagnosticColumns {
			panels = append(panels, epochPanel(c.title))
		}
	}
	for _, p := range panels {
		p.Add(plotter.NewGrid())
	}
	for i, spec := range rowOrder(all, order) {
		g := gs[spec]
		if g == nil {
			legend.Add(spec + " (no learning rate chosen: no run of its grid finished)")
			continue
		}
		a, l, n := meanCurves(g)
		label := fmt.Sprintf("%s (n=%d)", spec, n)
		if d := len(g.Diverged); n == 0 {
			legend.Add(fmt.Sprintf("%s (no run finished: %d diverged)", spec, d))
			continue
		} else if d > 0 {
			label = fmt.Sprintf("%s (n=%d, %d diverged)", spec, n, d)
		}
		type curve struct {
			p   *plot.Plot
			xys plotter.XYs
		}
		curves := []curve{{acc, a}, {loss, l}}
		if diag {
			for k, xys := range meanDiagnosticCurves(g) {
				if len(xys) > 0 {
					curves = append(curves, curve{panels[2+k], xys})
				}
			}
		}
		for _, c := range curves {
			line, points, err := plotter.NewLinePoints(c.xys)
			if err != nil {
				return wrapErr("suite: curves", err)
			}
			line.Color, line.Dashes = lineStyle(i)
			line.Width = vg.Points(1.5)
			points.Color = line.Color
			points.Shape = plotutil.Shape(i)
			points.Radius = vg.Points(2)
			c.p.Add(line, points)
			if c.p == loss {
				legend.Add(label, line, points)
			}
		}
	}
	for _, p := range panels {
		spanFlat(&p.Y)
		spanEmpty(p, epochs, p == acc)
	}
	// The legend's first entry starts level with the top of the panels'
	// data areas (below the titles).
	pad := vg.Millimeter * 2
	area, side := legendBeside(dc, legend, pad)
	side.Max.Y -= pad + acc.Title.TextStyle.Height(acc.Title.Text) + acc.Title.Padding
	grid := [][]*plot.Plot{{acc, loss}}
	if diag {
		// Two rows of five: accuracy, loss and three diagnostics, then
		// the other five.
		grid = [][]*plot.Plot{panels[:5], panels[5:10]}
	}
	tiles := draw.Tiles{Rows: len(grid), Cols: len(grid[0]), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4, PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	canvases := plot.Align(grid, tiles, area)
	for r, row := range grid {
		for c, p := range row {
			p.Draw(canvases[r][c])
		}
	}
	legend.Draw(side)
	return nil
}

// epochPanel returns a panel of the training curves titled title, its x
// axis the epoch, ticked at whole epochs only: gonum's default ticks
// labelled a two-epoch axis 1.0, 1.5, 2.0, as if a run had half epochs.
// Its y axis labels every tick with its value (yTicks).
func epochPanel(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.X.Tick.Marker = labelledTicks{max: 5, whole: true}
	p.Y.Tick.Marker = yTicks{}
	return p
}

// spanFlat gives an axis whose data are all one value v (a workload of
// one epoch, or a diagnostic that stays put) a range on v's own scale,
// v ± |v|/10, or 0 to 1 for v = 0: gonum spans such data from v − 1 to
// v + 1, so a flip ratio of 0.018 sat on a tick labelled 0.0 between
// -0.8 and 0.8. An axis without data is left as it is.
func spanFlat(a *plot.Axis) {
	if a.Min != a.Max {
		return
	}
	if v := a.Min; v == 0 {
		a.Min, a.Max = 0, 1
	} else {
		d := math.Abs(v) / 10
		a.Min, a.Max = v-d, v+d
	}
}

// spanEmpty gives a panel that no run gave a point (every run diverged)
// the axes its points would have had: the x axis the recipe's epochs, 1
// to epochs, and the y axis of a percentage 0 to 100; another y axis, of
// no values, is drawn without ticks. gonum spans an axis without data
// from -1 to 1, which labelled epoch -1 and a top-1 of -1%.
func spanEmpty(p *plot.Plot, epochs int, percent bool) {
	if !math.IsInf(p.X.Min, +1) {
		return
	}
	p.X.Min, p.X.Max = 1, float64(epochs)
	p.Y.Min, p.Y.Max = 0, 1
	if percent {
		p.Y.Max = 100
	} else {
		p.Y.Tick.Marker = plot.ConstantTicks(nil)
	}
}

// shownRuns returns the runs of rs that the curves draw: on a
// learning-rate grid, each estimator's at its chosen rate, as the tables
// show it; else all of them. When every run of the grid diverged nothing
// is chosen and the panels stay empty but for the legend, which says so,
// as they do for a sweep without a grid whose runs all diverged: a sweep
// that extends a grid upwards until it diverges is a result, not an
// error.
func shownRuns(rs []*Record) []*Record {
	if len(rs) > 0 && rs[0].Config.LRScale != 0 {
		rs, _ = SelectLR(rs)
	}
	return rs
}

// meanDiagnosticCurves returns, per column of diagnosticColumns, the mean
// per epoch over g's runs with status ok that have diagnostics at that
// epoch; an epoch no run has them for has no point.
func meanDiagnosticCurves(g *Group) []plotter.XYs {
	out := make([]plotter.XYs, len(diagnosticColumns))
	epochs := 0
	for _, r := range g.Runs {
		if r.Status == StatusOK {
			epochs = max(epochs, len(r.Epochs))
		}
	}
	for e := range epochs {
		for k, c := range diagnosticColumns {
			var sum float64
			n := 0
			for _, r := range g.Runs {
				if r.Status != StatusOK || e >= len(r.Epochs) || r.Epochs[e].Diagnostics == nil {
					continue
				}
				sum += c.value(&r.Epochs[e])
				n++
			}
			if n > 0 {
				out[k] = append(out[k], plotter.XY{X: float64(e + 1), Y: sum / float64(n)})
			}
		}
	}
	return out
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
