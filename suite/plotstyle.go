package suite

import (
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// lineColors is the palette of every line plot the suite draws (the
// training curves, the flip fidelity per binary layer, the surrogate
// gradients g(x)): ten colors easily told apart (the "tab10" palette).
// gonum's plotutil palette, used before, gives the first and sixth lines
// (ste and fda in the study's order) two reds a reader cannot tell apart.
var lineColors = []color.Color{
	color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0xff, 0x7f, 0x0e, 0xff}, color.RGBA{0x2c, 0xa0, 0x2c, 0xff},
	color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x94, 0x67, 0xbd, 0xff}, color.RGBA{0x8c, 0x56, 0x4b, 0xff},
	color.RGBA{0xe3, 0x77, 0xc2, 0xff}, color.RGBA{0x7f, 0x7f, 0x7f, 0xff}, color.RGBA{0xbc, 0xbd, 0x22, 0xff},
	color.RGBA{0x17, 0xbe, 0xcf, 0xff},
}

// lineStyle returns the color and dashes of the i-th line (from 0) of a
// line plot: the i-th color of lineColors, solid for the first ten lines,
// then the same colors again with plotutil's dash patterns, one pattern
// per ten lines.
func lineStyle(i int) (color.Color, []vg.Length) {
	return lineColors[i%len(lineColors)], plotutil.Dashes(i / len(lineColors))
}

// spaceLegendRows sets legend's Padding, the space gonum/plot leaves
// between its rows, so that each row's baseline is the font's line height
// (ascent, descent and line gap) and a quarter of its size under the
// previous one. gonum/plot steps a row by an entry's height, which it
// measures as the font's ascent less its line gap, without the descent:
// with no padding the rows of its 12-point font were 10.2 points apart,
// closer than the font's size, and one row's descenders met the next
// row's capitals. The padding changes only the rows' spacing: the
// legend's width, so the space it takes beside the plots, stays as it is.
// Call it after setting legend's TextStyle.
func spaceLegendRows(legend *plot.Legend) {
	sty := legend.TextStyle
	// The height gonum/plot steps a row of one line by (Legend.Draw).
	entry := sty.Rectangle(" ").Max.Y
	legend.Padding = sty.FontExtents().Height + sty.Font.Size/4 - entry
}

// legendBeside splits dc into the area of the plots and, right of it, a
// column for legend, so that the legend hides no data wherever the lines
// run. The column is as wide as the legend's longest entry, with a quarter
// more for viewers that substitute a wider font than the metrics
// gonum/plot measured with, and pad either side.
func legendBeside(dc draw.Canvas, legend plot.Legend, pad vg.Length) (area, side draw.Canvas) {
	area, side = dc, dc
	area.Max.X -= legendWidth(legend, pad)
	side.Min.X = area.Max.X + pad
	return area, side
}

// legendWidth is the width of legendBeside's column.
func legendWidth(legend plot.Legend, pad vg.Length) vg.Length {
	return legend.Rectangle(draw.Canvas{}).Size().X*5/4 + 2*pad
}

// yTicks are gonum's default ticks, whose labels name the tick's value
// to too few digits in some ranges: a training loss from 1.558 to 1.651
// had ticks at 1.56, 1.60 and 1.64, all three labelled "1.6". Where a
// label does not read as its value (within a millionth of the labels'
// spacing), every label is written again with the fewest digits after the
// point (in gonum's notation, plain or exponent) at which each does;
// otherwise the ticks are gonum's as they are.
type yTicks struct{}

// Ticks returns the ticks between lo and hi.
func (yTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	var labelled []int // indices of the labelled ticks, in increasing value
	format := byte('f')
	for i, t := range ticks {
		if t.Label != "" {
			labelled = append(labelled, i)
			if strings.ContainsAny(t.Label, "eE") {
				format = 'g'
			}
		}
	}
	if len(labelled) < 2 {
		return ticks
	}
	spacing := math.Inf(1)
	for k := 1; k < len(labelled); k++ {
		spacing = min(spacing, math.Abs(ticks[labelled[k]].Value-ticks[labelled[k-1]].Value))
	}
	names := func(label string, v float64) bool {
		x, err := strconv.ParseFloat(label, 64)
		return err == nil && math.Abs(x-v) <= spacing*1e-6
	}
	// every reports whether label(t) reads as t's value for every
	// labelled tick t.
	every := func(label func(t plot.Tick) string) bool {
		for _, i := range labelled {
			if !names(label(ticks[i]), ticks[i].Value) {
				return false
			}
		}
		return true
	}
	if every(func(t plot.Tick) string { return t.Label }) {
		return ticks
	}
	for prec := 0; prec <= 17; prec++ {
		write := func(t plot.Tick) string { return strconv.FormatFloat(t.Value, format, prec, 64) }
		if every(write) {
			for _, i := range labelled {
				ticks[i].Label = write(ticks[i])
			}
			break
		}
	}
	return ticks
}
