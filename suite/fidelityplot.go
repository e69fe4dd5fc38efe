package suite

import (
	"bytes"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// WriteSVG plots the Pearson correlation per binary layer of the last
// state, one line per estimator, to the file path.
func (r *FidelityResult) WriteSVG(path string) error {
	return writePlot(path, r.layersSVG)
}

// WriteAgreementSVG draws the agreement matrix of the last state (the
// cosine between the estimators' latent gradients, mean over binary
// layers) as a heat map from −1 (blue) to 1 (red), to the file path.
func (r *FidelityResult) WriteAgreementSVG(path string) error {
	return writePlot(path, r.agreementSVG)
}

// writePlot writes the SVG picture render makes to path atomically
// (WriteOutput), so that an interrupted write never leaves half a
// picture.
func writePlot(path string, render func() ([]byte, error)) error {
	b, err := render()
	if err != nil {
		return err
	}
	return WriteOutput(path, b)
}

// layersSVG is WriteSVG's picture. The legend is in a column of its own
// right of the plot: the lines run anywhere in [−1, 1], and all of them
// rise towards 1 at the control layer, so no corner of the data area is
// free by rule.
func (r *FidelityResult) layersSVG() ([]byte, error) {
	st := r.States[len(r.States)-1]
	p := plot.New()
	p.Title.Text = "flip fidelity per binary layer, " + st.Name
	p.X.Label.Text = "binary layer (the last is the control)"
	p.Y.Label.Text = "Pearson corr(δ, ΔL)"
	p.Add(plotter.NewGrid())
	// Each layer by its name, the per-layer table's (gradbench models'),
	// written upwards under its point so that neighbours do not overlap.
	ticks := make([]plot.Tick, len(r.Layers))
	for l, name := range r.Layers {
		ticks[l] = plot.Tick{Value: float64(l + 1), Label: name}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	for i, row := range st.Rows {
		pts := make(plotter.XYs, 0, len(row.PerLayer))
		for l, s := range row.PerLayer {
			if !math.IsNaN(s.Pearson) {
				pts = append(pts, plotter.XY{X: float64(l + 1), Y: s.Pearson})
			}
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("suite: fidelity plot: %w", err)
		}
		line.Color, line.Dashes = lineStyle(i)
		line.Width = vg.Points(1.5)
		p.Add(line)
		legend.Add(row.Estimator, line)
	}
	pad := vg.Millimeter * 2
	canvas := vgsvg.New(6*vg.Inch+legendWidth(legend, pad), 5.5*vg.Inch)
	dc := draw.New(canvas)
	area, side := legendBeside(dc, legend, pad)
	p.Draw(area)
	// The first entry level with the top of the data area.
	side.Max.Y = p.DataCanvas(area).Max.Y
	legend.Draw(side)
	return canvasSVG(canvas)
}

// canvasSVG returns the SVG picture drawn on c.
func canvasSVG(c *vgsvg.Canvas) ([]byte, error) {
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("suite: fidelity plot: %w", err)
	}
	return b.Bytes(), nil
}

// plotSVG renders p as an SVG picture of size w × h.
func plotSVG(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	wt, err := p.WriterTo(w, h, "svg")
	if err != nil {
		return nil, fmt.Errorf("suite: fidelity plot: %w", err)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("suite: fidelity plot: %w", err)
	}
	return b.Bytes(), nil
}

// cosineGrid is the agreement matrix of one state, averaged over the binary
// layers, as a plotter.GridXYZ: column i and row j are estimators i and j.
type cosineGrid [][]float64

func (g cosineGrid) Dims() (c, r int)   { return len(g), len(g) }
func (g cosineGrid) Z(c, r int) float64 { return g[c][r] }
func (g cosineGrid) X(c int) float64    { return float64(c) }
func (g cosineGrid) Y(r int) float64    { return float64(r) }
func (g cosineGrid) Min() float64       { return -1 }
func (g cosineGrid) Max() float64       { return 1 }

// meanCosine returns the cosine matrix of st averaged over its layers.
func meanCosine(st FidelityState, n int) cosineGrid {
	g := make(cosineGrid, n)
	for i := range g {
		g[i] = make([]float64, n)
		for j := range g[i] {
			for l := range st.Cosine {
				g[i][j] += st.Cosine[l][i][j]
			}
			g[i][j] /= float64(len(st.Cosine))
		}
	}
	return g
}

// agreementSVG is WriteAgreementSVG's picture.
func (r *FidelityResult) agreementSVG() ([]byte, error) {
	st := r.States[len(r.States)-1]
	n := len(r.Estimators)
	p := plot.New()
	p.Title.Text = "agreement: cosine of latent gradients, " + st.Name
	p.Add(plotter.NewHeatMap(meanCosine(st, n), moreland.SmoothBlueRed().Palette(255)))
	ticks := make([]plot.Tick, n)
	for i, e := range r.Estimators {
		ticks[i] = plot.Tick{Value: float64(i), Label: e}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Label.Rotation = 0.6
	p.X.Tick.Label.XAlign = -1
	return plotSVG(p, 5*vg.Inch, 5*vg.Inch)
}
