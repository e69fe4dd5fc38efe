package suite

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"gonum.org/v1/plot"
)

// svgBaselineRE matches a text of an SVG gonum/plot drew: its x, its
// baseline y (in the flipped frame of transform="scale(1, -1)", so the
// lower row has the greater y) and its text.
var svgBaselineRE = regexp.MustCompile(`<text x="([-0-9.e]+)" y="([-0-9.e]+)" transform="scale\(1, -1\)"[^>]*>([^<]*)</text>`)

// checkLegendRows checks that the legend entries of svg, written in
// labels' order, are rows one under the other whose baselines are at
// least the line height of the legend's font apart: the height a line of
// text of that font takes, ascent, descent and line gap, below which a
// row's descenders meet the next row's capitals.
func checkLegendRows(t *testing.T, what, svg string, labels []string) {
	t.Helper()
	at := map[string][2]float64{}
	for _, m := range svgBaselineRE.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		at[m[3]] = [2]float64{x, y}
	}
	style := plot.NewLegend().TextStyle
	lineHeight := float64(style.FontExtents().Height)
	for k, l := range labels {
		p, ok := at[l]
		if !ok {
			t.Fatalf("%s: no legend entry %q", what, l)
		}
		if k == 0 {
			continue
		}
		q := at[labels[k-1]]
		if p[0] != q[0] {
			t.Errorf("%s: legend entry %q at x=%g, %q above it at x=%g; want one column", what, l, p[0], labels[k-1], q[0])
		}
		if gap := p[1] - q[1]; gap < lineHeight {
			t.Errorf("%s: legend entry %q's baseline %.2f pt under %q's, want at least the font's line height %.2f pt (%g pt %s)",
				what, l, gap, labels[k-1], lineHeight, style.Font.Size, style.Font.Typeface)
		}
	}
}

// TestLegendRows: the legends of the training curves (results/
// quick-since-fda/curves.svg: "rbnn (n=3)", "identity (no run finished:
// 3 diverged)" and "ste (n=3)"), of the flip fidelity per layer and of
// the surrogate gradients g(x) drew their rows touching or overlapping:
// gonum/plot spaces a legend's rows by the height of an entry's text,
// which it measures as the font's ascent less its line gap, without the
// descent (10.2 pt for the 12 pt font), and the surrogates' 2 pt of
// padding did not make up for it. Each row's baseline is now at least the
// font's line height under the previous one.
func TestLegendRows(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 2
	nan := math.NaN()
	var rs []*Record
	specs := []string{"reste", "rbnn", "identity", "ste", "fda"}
	for i, spec := range specs {
		for seed := uint64(1); seed <= 2; seed++ {
			top1 := 70 + float64(i)
			if spec == "identity" {
				top1 = nan
			}
			rs = append(rs, fakeRecord(&w, spec, seed, top1))
		}
	}
	var buf bytes.Buffer
	if err := WriteCurves(&buf, rs, specs); err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, spec := range specs {
		if spec == "identity" {
			labels = append(labels, "identity (no run finished: 2 diverged)")
		} else {
			labels = append(labels, spec+" (n=2)")
		}
	}
	checkLegendRows(t, "training curves", buf.String(), labels)

	r := plotFidelity(symmetric(5, func(i, j int) float64 { return 0.5 }))
	b, err := r.layersSVG()
	if err != nil {
		t.Fatal(err)
	}
	checkLegendRows(t, "flip fidelity per layer", string(b), r.Estimators)

	s, err := EvalSurrogates(SurrogateOptions{Estimators: "fda:n=9,ste,dsq,approxsign,bnnplus", From: -2, To: 2, Points: 41, Layout: "overlay"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "g.svg")
	if err := s.WriteSVG(path); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, c := range s.Curves {
		entries = append(entries, c.Spec.String())
	}
	checkLegendRows(t, fmt.Sprintf("surrogate gradients of %d estimators", len(entries)), string(svg), entries)
}
