package suite

import (
	"image/color"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/gradbench/gradbench/fidelity"
)

// plotFidelity is a made-up fidelity result of the study's seven
// estimators on five binary layers, shaped like the committed ones: the
// correlations small in the first layers and all near 1 at the control
// (last) layer, where the lines meet at the top right of the data area.
// The agreement of estimators i and j is cosine[i][j].
func plotFidelity(cosine [][]float64) *FidelityResult {
	ests := []string{"ste", "approxsign", "dsq", "bnnplus", "ede", "fda", "fda+na"}
	r := &FidelityResult{Estimators: ests, Layers: []string{"l1", "l2", "l3", "l4", "control"}}
	st := FidelityState{Name: "epoch 10", Cosine: [][][]float64{cosine}}
	for i, e := range ests {
		row := FidelityRow{Estimator: e}
		for l := range r.Layers {
			row.PerLayer = append(row.PerLayer, fidelity.Scores{Pearson: []float64{0.1, -0.1, 0.2, 0.5, 0.99}[l] + float64(i)/100})
		}
		st.Rows = append(st.Rows, row)
	}
	r.States = []FidelityState{st}
	return r
}

// symmetric returns the n × n matrix with 1 on the diagonal and v(i, j)
// at i < j and j < i.
func symmetric(n int, v func(i, j int) float64) [][]float64 {
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
		for j := range m[i] {
			switch {
			case i == j:
				m[i][j] = 1
			case i < j:
				m[i][j] = v(i, j)
			default:
				m[i][j] = v(j, i)
			}
		}
	}
	return m
}

// TestFidelityLayersSVG: one line per estimator, in seven colors a reader
// tells apart, and the legend beside the data, not over the lines that
// meet near 1 at the control layer.
func TestFidelityLayersSVG(t *testing.T) {
	r := plotFidelity(symmetric(7, func(i, j int) float64 { return 0.5 }))
	b, err := r.layersSVG()
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	lines := checkLineColors(t, "flip fidelity per layer", svg, 7)
	if len(lines) != 7 {
		t.Fatalf("%d data lines, want 7", len(lines))
	}
	right := 0.0
	for _, l := range lines {
		for _, x := range l.xs {
			right = max(right, x)
		}
	}
	texts := svgTextX(svg)
	for _, e := range r.Estimators {
		xs := texts[e]
		if len(xs) != 1 {
			t.Errorf("legend entry %q written %d times, want once", e, len(xs))
			continue
		}
		if xs[0] <= right {
			t.Errorf("legend entry %q starts at x=%g, over the data (the lines reach x=%g)", e, xs[0], right)
		}
	}
}

// TestFidelityAgreementSVG: every cell's value is written in it, to two
// decimals, white on the dark cells and black on the pale ones, and a
// color bar from −1 to 1 gives the scale.
func TestFidelityAgreementSVG(t *testing.T) {
	cos := symmetric(7, func(i, j int) float64 { return float64(i*7+j)/50 - 0.4 })
	cos[0][1], cos[1][0] = -0.004, -0.004 // rounds to 0.00, with no sign
	cos[0][2], cos[2][0] = -0.5, -0.5
	r := plotFidelity(cos)
	b, err := r.agreementSVG()
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	cell := regexp.MustCompile(`style="([^"]*)">(−?[0-9]\.[0-9]{2})</text>`)
	white := map[string]bool{}
	n := 0
	for _, m := range cell.FindAllStringSubmatch(svg, -1) {
		white[m[2]] = strings.Contains(m[1], "fill:#FFFFFF")
		n++
	}
	if n != 7*7 {
		t.Errorf("%d cell values written, want 7 × 7", n)
	}
	for i := range cos {
		for j := range cos {
			want := signed(strconv.FormatFloat(cos[i][j], 'f', 2, 64))
			if _, ok := white[want]; !ok {
				t.Errorf("cell (%s, %s): value %s not written", r.Estimators[i], r.Estimators[j], want)
			}
		}
	}
	for v, w := range map[string]bool{"1.00": true, "−0.50": false, "0.00": false} {
		if white[v] != w {
			t.Errorf("cell %s written in white: %v, want %v", v, white[v], w)
		}
	}
	if strings.Contains(svg, ">-0.00<") || strings.Contains(svg, ">−0.00<") {
		t.Error("a value that rounds to zero is written with a sign")
	}
	if !strings.Contains(svg, ">cosine</text>") {
		t.Error("the color bar has no label")
	}
	texts := svgTextX(svg)
	for _, want := range []string{"−1", "−0.5", "0", "0.5", "1"} {
		if len(texts[want]) == 0 {
			t.Errorf("the color bar lacks the mark %q", want)
		}
	}
}

// TestFidelityLayersData: the per-layer plot shows the last state, each
// estimator's Pearson correlations (not another score) at its layers,
// under the names of those layers, a NaN left out, and each line's legend
// entry is its estimator.
func TestFidelityLayersData(t *testing.T) {
	r := reportFidelity()
	r.States[1].Rows[1].PerLayer[1].Pearson = math.NaN()
	st, ticks, lines := r.layersData()
	if st.Name != "epoch 2" {
		t.Errorf("plots state %q, want the last, epoch 2", st.Name)
	}
	want := []plot.Tick{{Value: 1, Label: "l1"}, {Value: 2, Label: "l2"}, {Value: 3, Label: "control"}}
	if !slices.Equal(ticks, want) {
		t.Errorf("ticks %v, want %v", ticks, want)
	}
	wantLines := []layersLine{
		{"ste", []plotter.XYs{{{X: 1, Y: 0.011}, {X: 2, Y: 0.022}, {X: 3, Y: 0.833}}}},
		{"fda", []plotter.XYs{{{X: 1, Y: 0.111}}, {{X: 3, Y: 0.933}}}},
	}
	if len(lines) != len(wantLines) {
		t.Fatalf("%d lines, want %d", len(lines), len(wantLines))
	}
	for i, w := range wantLines {
		l := lines[i]
		ok := l.label == w.label && len(l.segs) == len(w.segs)
		for s := 0; ok && s < len(w.segs); s++ {
			ok = len(l.segs[s]) == len(w.segs[s])
			for k := 0; ok && k < len(w.segs[s]); k++ {
				ok = l.segs[s][k].X == w.segs[s][k].X && math.Abs(l.segs[s][k].Y-w.segs[s][k].Y) < 1e-12
			}
		}
		if !ok {
			t.Errorf("line %d: %q %v, want %q %v", i, l.label, l.segs, w.label, w.segs)
		}
	}
}

// TestFidelityLayersNaNBreaksLine: a layer whose correlation is NaN was
// left out and the line drawn straight from the layer before it to the
// layer after, a value the measurement never gave. The line now breaks
// there, its points left alone are drawn as dots, and an estimator with
// no correlation at any layer says so in the legend instead of naming a
// line the plot does not have.
func TestFidelityLayersNaNBreaksLine(t *testing.T) {
	r := reportFidelity()
	fda := r.States[1].Rows[1].PerLayer
	fda[1].Pearson = math.NaN()
	b, err := r.layersSVG()
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	// Stroked paths per color: a line's and its legend thumbnail's.
	stroked := map[string]int{}
	for _, m := range svgPathRE.FindAllStringSubmatch(svg, -1) {
		if c := svgStrokeRE.FindStringSubmatch(m[2]); c != nil && strings.Contains(m[2], "fill:none") {
			stroked[strings.ToUpper(c[1])]++
		}
	}
	// ste (the palette's first color) has its line; fda (the second) only
	// its thumbnail: its layers 1 and 3 have no neighbour with a value.
	if stroked["#1F77B4"] != 2 || stroked["#FF7F0E"] != 1 {
		t.Errorf("stroked paths: ste's %d, fda's %d, want 2 (line and thumbnail) and 1 (thumbnail)", stroked["#1F77B4"], stroked["#FF7F0E"])
	}
	if dots := strings.Count(strings.ToUpper(svg), "FILL:#FF7F0E"); dots != 2 {
		t.Errorf("%d dots in fda's color, want 2, at layers 1 and 3", dots)
	}
	for k := range fda {
		fda[k].Pearson = math.NaN()
	}
	if b, err = r.layersSVG(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), ">fda (no correlation at any layer)<") {
		t.Errorf("legend of an estimator without a correlation at any layer:\n%s", b)
	}
}

// TestFidelityAgreementData: the agreement plot shows the last state's
// cosines averaged over its layers, estimator i's name at i on both axes,
// and each cell's label is its own value, at its place.
func TestFidelityAgreementData(t *testing.T) {
	r := reportFidelity()
	// Layers whose cosines average to 0.3 (not 0.2, 0.5 or 0.8 alone).
	r.States[1].Cosine = [][][]float64{{{1, 0.1}, {0.1, 1}}, {{1, 0.2}, {0.2, 1}}, {{1, 0.6}, {0.6, 1}}}
	st, g, ticks := r.agreementData()
	if st.Name != "epoch 2" {
		t.Errorf("plots state %q, want the last, epoch 2", st.Name)
	}
	if len(g) != 2 || math.Abs(g[0][1]-0.3) > 1e-12 || math.Abs(g[1][0]-0.3) > 1e-12 || g[0][0] != 1 || g[1][1] != 1 {
		t.Errorf("grid %v, want the mean over the layers, 0.3 off the diagonal", g)
	}
	if want := []plot.Tick{{Value: 0, Label: "ste"}, {Value: 1, Label: "fda"}}; !slices.Equal(ticks, want) {
		t.Errorf("ticks %v, want %v", ticks, want)
	}
	// Every value distinct, off the diagonal too, so that a label at the
	// wrong cell shows.
	grid := cosineGrid{{1, -0.25}, {0.75, 0.5}}
	cm := moreland.SmoothBlueRed()
	cm.SetMin(-1)
	cm.SetMax(1)
	l, err := cellLabels(grid, cm)
	if err != nil {
		t.Fatal(err)
	}
	got := map[plotter.XY]string{}
	for i, xy := range l.XYs {
		got[xy] = l.Labels[i]
	}
	want := map[plotter.XY]string{{X: 0, Y: 0}: "1.00", {X: 0, Y: 1}: "−0.25", {X: 1, Y: 0}: "0.75", {X: 1, Y: 1}: "0.50"}
	if !maps.Equal(got, want) {
		t.Errorf("cell labels %v, want %v", got, want)
	}
	for c := range 2 {
		for r := range 2 {
			if grid.Z(c, r) != grid[c][r] || grid.X(c) != float64(c) || grid.Y(r) != float64(r) {
				t.Errorf("cell (%d, %d) of the heat map at (%g, %g) = %g, want column %d row %d = %g", c, r, grid.X(c), grid.Y(r), grid.Z(c, r), c, r, grid[c][r])
			}
		}
	}
}

// TestColorScaleBands: the agreement's color bar is steps bands from the
// map's Min at the bottom to its Max at the top, band i in the map's color
// at its middle, each reaching up into the next (drawn over it) so that
// no renderer leaves a seam between two bands.
func TestColorScaleBands(t *testing.T) {
	cm := moreland.SmoothBlueRed()
	cm.SetMin(-1)
	cm.SetMax(1)
	rec := &recorder.Canvas{}
	c := draw.Canvas{Canvas: rec, Rectangle: vg.Rectangle{Max: vg.Point{X: 20, Y: 200}}}
	p := plot.New()
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, -1, 1
	const steps = 4
	colorScale{cm, steps}.Plot(c, p)
	type band struct {
		lo, hi vg.Length
		col    color.Color
	}
	var bands []band
	var col color.Color
	for _, a := range rec.Actions {
		switch a := a.(type) {
		case *recorder.SetColor:
			col = a.Color
		case *recorder.Fill:
			b := band{lo: 1e9, hi: -1e9, col: col}
			for _, cmp := range a.Path {
				if cmp.Type == vg.MoveComp || cmp.Type == vg.LineComp {
					b.lo, b.hi = min(b.lo, cmp.Pos.Y), max(b.hi, cmp.Pos.Y)
				}
			}
			bands = append(bands, b)
		}
	}
	if len(bands) != steps {
		t.Fatalf("%d bands, want %d", len(bands), steps)
	}
	h := vg.Length(200) / steps
	for i, b := range bands {
		wantHi := min(vg.Length(i+2)*h, 200)
		if math.Abs(float64(b.lo-vg.Length(i)*h)) > 1e-9 || math.Abs(float64(b.hi-wantHi)) > 1e-9 {
			t.Errorf("band %d from y=%g to %g, want %g to %g", i, b.lo, b.hi, vg.Length(i)*h, wantHi)
		}
		want, _ := cm.At(-1 + (float64(i)+0.5)*2/steps)
		r1, g1, b1, _ := b.col.RGBA()
		r2, g2, b2, _ := want.RGBA()
		if r1 != r2 || g1 != g2 || b1 != b2 {
			t.Errorf("band %d in %v, want %v", i, b.col, want)
		}
	}
}

// TestFidelityLayersZeroLine: tried as a new user would (gradbench
// fidelity --init --recipe quick), correlations from -0.45 to the
// control's 1 drew a y axis labelled -0.3, 0.3 and 0.9 alone: no
// label or grid line at 0, where a correlation changes sign, and the
// control's 1 on the top edge. The axis spans a correlation's range, -1
// to 1, so that 0 is labelled, and the plots of two states share a
// scale.
func TestFidelityLayersZeroLine(t *testing.T) {
	r := plotFidelity(symmetric(7, func(i, j int) float64 { return 0.5 }))
	for i := range r.States[0].Rows {
		for l := range r.States[0].Rows[i].PerLayer {
			r.States[0].Rows[i].PerLayer[l].Pearson = []float64{-0.45, 0.1, 0.55, -0.2, 1}[l]
		}
	}
	b, err := r.layersSVG()
	if err != nil {
		t.Fatal(err)
	}
	texts := svgTextX(string(b))
	for _, v := range []float64{-1, 0, 1} {
		found := false
		for text := range texts {
			if x, err := strconv.ParseFloat(strings.Replace(text, "−", "-", 1), 64); err == nil && x == v {
				found = true
			}
		}
		if !found {
			t.Errorf("the correlation axis has no label %g; its labels are among %q", v, slices.Sorted(maps.Keys(texts)))
		}
	}
}
