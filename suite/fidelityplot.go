package suite

import (
	"bytes"
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/lucasb-eyer/go-colorful"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// layersSVG plots the Pearson correlation per binary layer of the last
// state, one line per estimator, broken at a layer without one (NaN), a
// point left without a neighbour drawn as a dot (fidelity.svg of
// WriteFiles). The legend is in a column of its own
// right of the plot: the lines run anywhere in [−1, 1], and all of them
// rise towards 1 at the control layer, so no corner of the data area is
// free by rule.
func (r *FidelityResult) layersSVG() ([]byte, error) {
	st, ticks, lines := r.layersData()
	p := plot.New()
	p.Title.Text = withNote(p.Title.TextStyle, 6*vg.Inch, "flip fidelity per binary layer, "+st.Name, initialNote(st))
	p.X.Label.Text = "binary layer (the last is the control)"
	p.Y.Label.Text = "Pearson corr(δ, ΔL)"
	p.Add(plotter.NewGrid())
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	spaceLegendRows(&legend)
	for i, l := range lines {
		col, dashes := lineStyle(i)
		var thumbs []plot.Thumbnailer
		for _, seg := range l.segs {
			line, err := plotter.NewLine(seg)
			if err != nil {
				return nil, wrapErr("suite: fidelity plot", err)
			}
			line.Color, line.Dashes = col, dashes
			line.Width = vg.Points(1.5)
			p.Add(line)
			if len(seg) == 1 {
				// A line of one point draws nothing: a dot shows it.
				dot, err := plotter.NewScatter(seg)
				if err != nil {
					return nil, wrapErr("suite: fidelity plot", err)
				}
				dot.Color, dot.Shape, dot.Radius = col, draw.CircleGlyph{}, vg.Points(2.5)
				p.Add(dot)
			}
			if thumbs == nil {
				thumbs = []plot.Thumbnailer{line}
			}
		}
		label := l.label
		if thumbs == nil {
			label += " (no correlation at any layer)"
		}
		legend.Add(label, thumbs...)
	}
	// A correlation's whole range, whatever the data span: gonum's
	// ticks for -0.45 to 1 were -0.3, 0.3 and 0.9, with no label or grid
	// line at 0, where a correlation changes sign, and the control's 1
	// on the top edge; and the plots of two states share a scale.
	p.Y.Min, p.Y.Max = -1, 1
	var yticks []plot.Tick
	for k := -4; k <= 4; k++ {
		t := plot.Tick{Value: float64(k) / 4} // a labelled tick every 0.5
		if k%2 == 0 {
			t.Label = signed(strconv.FormatFloat(t.Value, 'g', -1, 64)) // as the agreement plot's color bar
		}
		yticks = append(yticks, t)
	}
	p.Y.Tick.Marker = plot.ConstantTicks(yticks)
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

// withNote is a plot's title with a note, if any, below it, broken into
// lines at spaces so that each fits width in style (a word longer than
// that stands alone), with a fifth to spare: a renderer without the
// plot's font draws it in a wider one (rsvg-convert's serif, 13% wider).
func withNote(style text.Style, width vg.Length, title, note string) string {
	lines := []string{title}
	line := ""
	for _, w := range strings.Fields(note) {
		if line != "" && style.Width(line+" "+w) > 0.8*width {
			lines, line = append(lines, line), ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// A layersLine is one estimator's line of the per-layer plot: its legend
// entry and its points, in segments of neighbouring layers. A layer whose
// correlation is NaN (δ or ΔL constant over its sampled weights) has no
// point and breaks the line, which would otherwise run across it as if
// it had a value between its neighbours'.
type layersLine struct {
	label string
	segs  []plotter.XYs
}

// layersData is what the per-layer plot shows: the last state; the x
// axis's ticks, each layer by its name, the per-layer table's (gradbench
// models'), at x = l+1 for layer l (written upwards under its point so that
// neighbours do not overlap); and per estimator, in the order of the
// state's rows, its Pearson correlation at each layer, a NaN left out and
// the line broken there.
func (r *FidelityResult) layersData() (FidelityState, []plot.Tick, []layersLine) {
	st := r.States[len(r.States)-1]
	ticks := make([]plot.Tick, len(r.Layers))
	for l, name := range r.Layers {
		ticks[l] = plot.Tick{Value: float64(l + 1), Label: name}
	}
	var lines []layersLine
	for _, row := range st.Rows {
		var segs []plotter.XYs
		var seg plotter.XYs
		for l, s := range row.PerLayer {
			if math.IsNaN(s.Pearson) {
				if seg != nil {
					segs, seg = append(segs, seg), nil
				}
				continue
			}
			seg = append(seg, plotter.XY{X: float64(l + 1), Y: s.Pearson})
		}
		if seg != nil {
			segs = append(segs, seg)
		}
		lines = append(lines, layersLine{row.Estimator, segs})
	}
	return st, ticks, lines
}

// canvasSVG returns the SVG picture drawn on c.
func canvasSVG(c *vgsvg.Canvas) ([]byte, error) {
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, wrapErr("suite: fidelity plot", err)
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

// agreementSVG draws the agreement matrix of the last state (the cosine
// between the estimators' latent gradients, mean over binary layers) as a
// heat map from −1 (blue) to 1 (red), each cell's value written in it (two
// decimals, in black or white, whichever stands out more against the
// cell's color), and a color bar beside it (fidelity-agreement.svg of
// WriteFiles).
func (r *FidelityResult) agreementSVG() ([]byte, error) {
	st, g, ticks := r.agreementData()
	n := len(r.Estimators)
	cm := moreland.SmoothBlueRed()
	cm.SetMin(g.Min())
	cm.SetMax(g.Max())
	p := plot.New()
	// The cells at least half an inch wide, so that their values fit.
	side := max(5*vg.Inch, 1.6*vg.Inch+vg.Length(n)*0.5*vg.Inch)
	p.Title.Text = withNote(p.Title.TextStyle, side, "agreement: cosine of latent gradients, "+st.Name, initialNote(st))
	p.Add(plotter.NewHeatMap(g, cm.Palette(255)))
	cells, err := cellLabels(g, cm)
	if err != nil {
		return nil, wrapErr("suite: fidelity plot", err)
	}
	p.Add(cells)
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Label.Rotation = 0.6
	p.X.Tick.Label.XAlign = draw.XRight
	bar := plot.New()
	bar.Add(colorScale{cm, 200})
	bar.HideX()
	bar.X.Padding, bar.Y.Padding = 0, 0
	bar.Y.Label.Text = "cosine"
	var marks []plot.Tick
	for v := -1.0; v <= 1; v += 0.5 {
		marks = append(marks, plot.Tick{Value: v, Label: signed(strconv.FormatFloat(v, 'g', -1, 64))})
	}
	bar.Y.Tick.Marker = plot.ConstantTicks(marks)
	// The bar's column: its axis (label and tick labels) and, right of
	// it, the bar, about a quarter of an inch wide.
	const barWidth = 1.1 * vg.Inch
	canvas := vgsvg.New(side+barWidth, side)
	dc := draw.New(canvas)
	area, right := dc, dc
	area.Max.X -= barWidth
	right.Min.X = area.Max.X + vg.Millimeter*2
	right.Max.X -= vg.Millimeter * 4
	// The bar as tall as the heat map: its canvas grown by the room its
	// end tick labels take.
	da := p.DataCanvas(area)
	right.Min.Y, right.Max.Y = da.Min.Y, da.Max.Y
	bd := bar.DataCanvas(right)
	right.Min.Y -= bd.Min.Y - da.Min.Y
	right.Max.Y += da.Max.Y - bd.Max.Y
	p.Draw(area)
	bar.Draw(right)
	return canvasSVG(canvas)
}

// agreementData is what the agreement plot shows: the last state, its
// cosines averaged over the layers, and the ticks naming estimator i at i
// on both axes (column i and row j of the grid).
func (r *FidelityResult) agreementData() (FidelityState, cosineGrid, []plot.Tick) {
	st := r.States[len(r.States)-1]
	ticks := make([]plot.Tick, len(r.Estimators))
	for i, e := range r.Estimators {
		ticks[i] = plot.Tick{Value: float64(i), Label: e}
	}
	return st, meanCosine(st, len(r.Estimators)), ticks
}

// colorScale is a color bar of cm from its Min (bottom) to its Max (top),
// drawn as steps bands of vector rectangles. (plotter.ColorBar embeds a
// one pixel wide PNG labelled image/jpg: rsvg-convert draws nothing for
// it, and, labelled image/png, a bar one pixel wide, as the SVG's default
// preserveAspectRatio asks.) Each band reaches into the next, which is
// drawn over it, so that no renderer leaves a seam between them.
type colorScale struct {
	cm    palette.ColorMap
	steps int
}

// Plot draws the bar across the width of the data area c.
func (s colorScale) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	lo, hi := s.cm.Min(), s.cm.Max()
	step := (hi - lo) / float64(s.steps)
	for i := range s.steps {
		v := lo + (float64(i)+0.5)*step
		col, err := s.cm.At(v)
		if err != nil {
			continue
		}
		bottom, top := trY(lo+float64(i)*step), trY(min(lo+float64(i+2)*step, hi))
		c.FillPolygon(col, []vg.Point{{X: c.Min.X, Y: bottom}, {X: c.Max.X, Y: bottom}, {X: c.Max.X, Y: top}, {X: c.Min.X, Y: top}})
	}
}

// DataRange is the map's range on y.
func (s colorScale) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, 1, s.cm.Min(), s.cm.Max()
}

// cellLabels writes each cell's value of g in it, to two decimals, in
// black or in white, whichever contrasts more with the cell's color in cm.
func cellLabels(g cosineGrid, cm palette.ColorMap) (*plotter.Labels, error) {
	c, rows := g.Dims()
	var xyl plotter.XYLabels
	for i := range c {
		for j := range rows {
			xyl.XYs = append(xyl.XYs, plotter.XY{X: g.X(i), Y: g.Y(j)})
			xyl.Labels = append(xyl.Labels, signed(strconv.FormatFloat(g.Z(i, j), 'f', 2, 64)))
		}
	}
	l, err := plotter.NewLabels(xyl)
	if err != nil {
		return nil, err
	}
	k := 0
	for i := range c {
		for j := range rows {
			sty := &l.TextStyle[k]
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
			sty.Color = color.Black
			v := g.Z(i, j)
			if col, err := cm.At(min(max(v, cm.Min()), cm.Max())); err == nil && !math.IsNaN(v) && textOnWhite(col) {
				sty.Color = color.White
			}
			k++
		}
	}
	return l, nil
}

// signed writes a number's minus sign as the typographic minus, which a
// reader does not mistake for a hyphen, and drops the sign of a value that
// rounds to zero ("-0.00").
func signed(s string) string {
	if strings.Trim(s, "-0.") == "" {
		return strings.TrimPrefix(s, "-")
	}
	return strings.Replace(s, "-", "−", 1)
}

// textOnWhite reports whether white text contrasts more than black with
// background bg: the ratio of relative luminances (WCAG 2) of white
// against bg is the higher.
func textOnWhite(bg color.Color) bool {
	c, _ := colorful.MakeColor(bg)
	r, g, b := c.LinearRgb()
	y := 0.2126*r + 0.7152*g + 0.0722*b
	return 1.05/(y+0.05) > (y+0.05)/0.05
}
