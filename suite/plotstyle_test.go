package suite

import (
	"fmt"
	"image/color"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lucasb-eyer/go-colorful"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// An svgLine is a data line of an SVG picture gonum/plot drew: an open
// stroked path of three or more points. Axes, ticks, grid lines and legend
// thumbnails have two points; point shapes are closed paths, arcs or
// separate strokes.
type svgLine struct {
	color  string // #RRGGBB
	dashed bool
	xs     []float64
}

var (
	svgPathRE   = regexp.MustCompile(`<path d="([^"]*)" style="([^"]*)"`)
	svgOpenRE   = regexp.MustCompile(`^M[-0-9.e]+,[-0-9.e]+(L[-0-9.e]+,[-0-9.e]+){2,}$`)
	svgStrokeRE = regexp.MustCompile(`stroke:(#[0-9A-Fa-f]{6})`)
	svgTextRE   = regexp.MustCompile(`<text x="([-0-9.e]+)" y="[-0-9.e]+"[^>]*>([^<]*)</text>`)
)

// svgLines returns the data lines of svg.
func svgLines(t *testing.T, svg string) []svgLine {
	t.Helper()
	var lines []svgLine
	for _, m := range svgPathRE.FindAllStringSubmatch(svg, -1) {
		d, style := m[1], m[2]
		stroke := svgStrokeRE.FindStringSubmatch(style)
		if !svgOpenRE.MatchString(d) || !strings.Contains(style, "fill:none") || stroke == nil {
			continue
		}
		l := svgLine{color: strings.ToUpper(stroke[1]), dashed: strings.Contains(style, "stroke-dasharray")}
		for _, pt := range strings.FieldsFunc(d, func(r rune) bool { return r == 'M' || r == 'L' }) {
			x, _, _ := strings.Cut(pt, ",")
			v, err := strconv.ParseFloat(x, 64)
			if err != nil {
				t.Fatalf("path %q: %v", d, err)
			}
			l.xs = append(l.xs, v)
		}
		lines = append(lines, l)
	}
	return lines
}

// svgTextX returns the x at which each text of svg starts that is not
// rotated (tick labels written upwards are in a rotated group).
func svgTextX(svg string) map[string][]float64 {
	out := map[string][]float64{}
	for _, m := range svgTextRE.FindAllStringSubmatchIndex(svg, -1) {
		if strings.HasSuffix(strings.TrimSpace(svg[:m[0]]), `<g transform="rotate(90)">`) {
			continue
		}
		x, _ := strconv.ParseFloat(svg[m[2]:m[3]], 64)
		text := svg[m[4]:m[5]]
		out[text] = append(out[text], x)
	}
	return out
}

// deltaE is the CIE76 color difference of two sRGB colors: the distance
// in CIELAB (D65), about 2.3 for a just noticeable difference. colorful's
// Lab has L in [0, 1], so its distance is scaled to the usual 0–100.
func deltaE(a, b color.Color) float64 {
	ca, _ := colorful.MakeColor(a)
	cb, _ := colorful.MakeColor(b)
	return 100 * ca.DistanceCIE76(cb)
}

// minDeltaE is how far apart in CIE76 ΔE every two line colors must be:
// tab10's closest pair (purple and pink) is 27.7 apart; gonum's plotutil
// palette, used before, has red and brown-red (its first and sixth
// colors, ste and fda in the study's order) 23.7 apart and purple and pink
// 20.3.
const minDeltaE = 25

func hexColor(t *testing.T, s string) color.Color {
	t.Helper()
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	if err != nil {
		t.Fatalf("color %q: %v", s, err)
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

// checkLineColors checks that the data lines of svg come in want colors,
// every two of them at least minDeltaE apart, and returns the lines.
func checkLineColors(t *testing.T, what, svg string, want int) []svgLine {
	t.Helper()
	lines := svgLines(t, svg)
	var colors []string
	for _, l := range lines {
		if !slices.Contains(colors, l.color) {
			colors = append(colors, l.color)
		}
	}
	if len(colors) != want {
		t.Errorf("%s: %d data lines in %d colors %v, want %d colors", what, len(lines), len(colors), colors, want)
	}
	for i, a := range colors {
		for _, b := range colors[i+1:] {
			if d := deltaE(hexColor(t, a), hexColor(t, b)); d < minDeltaE {
				t.Errorf("%s: line colors %s and %s are %.1f apart (CIE76 ΔE), want at least %d", what, a, b, d, minDeltaE)
			}
		}
	}
	return lines
}

// TestLineStyle: the first ten lines have ten colors every two of which a
// reader tells apart; past ten the colors repeat, dashed, a pattern per
// ten lines, so that every line up to 30 has a style of its own.
func TestLineStyle(t *testing.T) {
	seen := map[string]int{}
	for i := range 30 {
		c, dashes := lineStyle(i)
		if (len(dashes) == 0) != (i < len(lineColors)) {
			t.Errorf("line %d: dashes %v, want solid for the first %d lines only", i, dashes, len(lineColors))
		}
		key := fmt.Sprint(c, dashes)
		if j, ok := seen[key]; ok {
			t.Errorf("lines %d and %d have the same style %s", j, i, key)
		}
		seen[key] = i
		for j := range min(i, len(lineColors)) {
			if i >= len(lineColors) {
				break
			}
			cj, _ := lineStyle(j)
			if d := deltaE(c, cj); d < minDeltaE {
				t.Errorf("colors of lines %d and %d are %.1f apart (CIE76 ΔE), want at least %d", j, i, d, minDeltaE)
			}
		}
	}
}

// TestSigned: cell values and scale marks use the typographic minus, and a
// value that rounds to zero has no sign.
func TestSigned(t *testing.T) {
	for in, want := range map[string]string{"-0.50": "−0.50", "0.25": "0.25", "-0.00": "0.00", "0.00": "0.00", "-1": "−1", "-0": "0", "1.00": "1.00"} {
		if got := signed(in); got != want {
			t.Errorf("signed(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTextOnWhite: white on dark cells, black on pale ones.
func TestTextOnWhite(t *testing.T) {
	for _, c := range []struct {
		bg    color.Color
		white bool
	}{
		{color.Black, true}, {color.White, false},
		{color.RGBA{0xb4, 0x04, 0x26, 0xff}, true},  // the agreement's 1 (dark red)
		{color.RGBA{0x3b, 0x4c, 0xc0, 0xff}, true},  // its −1 (dark blue)
		{color.RGBA{0xdd, 0xdd, 0xdd, 0xff}, false}, // its 0 (pale grey)
		{color.RGBA{0xf4, 0x98, 0x7a, 0xff}, false}, // 0.5 (salmon)
	} {
		if got := textOnWhite(c.bg); got != c.white {
			t.Errorf("textOnWhite(%v) = %v, want %v", c.bg, got, c.white)
		}
	}
}

// TestLegendBeside: the legend's column is right of the plots' area, pad
// from it, as wide as the legend's entries and a quarter more, with pad
// right of it too; the area and the column share the canvas.
func TestLegendBeside(t *testing.T) {
	legend := plot.NewLegend()
	line, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		t.Fatal(err)
	}
	legend.Add("w=fda:n=9/a=approxsign", line)
	entries := legend.Rectangle(draw.Canvas{}).Size().X
	const pad = vg.Length(5)
	dc := draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: 600, Y: 400}}}
	area, side := legendBeside(dc, legend, pad)
	near := func(a, b vg.Length) bool { return math.Abs(float64(a-b)) < 1e-9 }
	if w := legendWidth(legend, pad); !near(w, entries*5/4+2*pad) {
		t.Errorf("legend column %g wide, want 5/4 of its entries' %g and 2 × %g", w, entries, pad)
	}
	if area.Min != dc.Min || area.Max.Y != dc.Max.Y || !near(side.Min.X, area.Max.X+pad) || side.Max != dc.Max ||
		!near(side.Max.X-side.Min.X, entries*5/4+pad) || side.Min.Y != dc.Min.Y {
		t.Errorf("area %v, legend %v of canvas %v: want the legend %g right of the area, %g wide", area.Rectangle, side.Rectangle, dc.Rectangle, pad, entries*5/4+pad)
	}
}
