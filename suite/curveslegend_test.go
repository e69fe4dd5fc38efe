package suite

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestCurvesLegendDiverged: tried as a new user would on
// results/quick-since-fda, whose identity runs all diverged, the curves
// left identity out without a word (neither a line nor a legend entry),
// and a line averaged over the finished runs of an estimator some of
// whose runs diverged gave only their number. The legend now counts the
// diverged runs beside the finished ones, and names an estimator that has
// no line, saying why: no run finished, or, on a learning-rate grid, no
// rate was chosen because no run of its grid finished.
func TestCurvesLegendDiverged(t *testing.T) {
	nan := math.NaN()
	w := testWorkload(t)
	w.Recipe.Epochs = 3
	rs := []*Record{
		fakeRecord(&w, "fda", 1, 80), fakeRecord(&w, "fda", 2, 82), fakeRecord(&w, "fda", 3, nan),
		fakeRecord(&w, "identity", 1, nan), fakeRecord(&w, "identity", 2, nan), fakeRecord(&w, "identity", 3, nan),
		fakeRecord(&w, "ste", 1, 79), fakeRecord(&w, "ste", 2, 78), fakeRecord(&w, "ste", 3, 77),
	}
	var buf bytes.Buffer
	if err := WriteCurves(&buf, rs, []string{"fda", "identity", "ste"}); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	for _, want := range []string{">fda (n=2, 1 diverged)<", ">identity (no run finished: 3 diverged)<", ">ste (n=3)<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("curves SVG lacks the legend entry %q", want)
		}
	}
	// identity keeps its place in the palette: ste's lines are in the
	// third color, as when identity has a line.
	var colors []string
	for _, l := range svgLines(t, svg) {
		if !slices.Contains(colors, l.color) {
			colors = append(colors, l.color)
		}
	}
	if want := []string{"#1F77B4", "#2CA02C"}; !slices.Equal(colors, want) {
		t.Errorf("line colors %v, want fda's and ste's %v, the first and third of the palette", colors, want)
	}

	grid := []*Record{
		gridRecord("ste", 1, 1, 80, 0.5, 70), gridRecord("ste", 3, 1, nan, 0, 0),
		gridRecord("fda", 1, 1, nan, 0, 0), gridRecord("fda", 3, 1, nan, 0, 0),
	}
	buf.Reset()
	if err := WriteCurves(&buf, grid, nil); err != nil {
		t.Fatal(err)
	}
	svg = buf.String()
	for _, want := range []string{">ste (n=1)<", ">fda (no learning rate chosen: no run of its grid finished)<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("curves SVG of a grid lacks the legend entry %q", want)
		}
	}
}

// TestCurvesSizeOfTheChosenRuns: the picture was sized for the panels of
// the training diagnostics when any run of a learning-rate grid had them,
// but drew the panels of the runs at the chosen rates: runs without them
// at the chosen rate (records of an older gradbench) beside runs with them
// at another rate gave the two panels of accuracy and loss stretched over
// a canvas made for ten. The canvas is now sized for the panels drawn.
func TestCurvesSizeOfTheChosenRuns(t *testing.T) {
	chosen, other := gridRecord("ste", 1, 1, 80, 0.5, 70), gridRecord("ste", 3, 1, 70, 0.5, 60)
	other.Epochs[0].Diagnostics = &Diagnostics{Silent: 0.5}
	var buf bytes.Buffer
	if err := WriteCurves(&buf, []*Record{chosen, other}, nil); err != nil {
		t.Fatal(err)
	}
	if want := `<svg width="936pt" height="324pt"`; !strings.Contains(buf.String(), want) {
		t.Errorf("the curves of runs without diagnostics at the chosen rate: want a canvas of two panels, %s…, got %.120s", want, buf.String())
	}
}

// TestCurvesAllDiverged: tried as a new user would, a sweep whose runs
// all diverged (a learning rate far too high) drew its empty panels on
// gonum's default axes, from -1 to 1: epochs -1 to 1 and a top-1 of -1%
// to 1%. An empty panel now spans the recipe's epochs, 1 to its last,
// the accuracy panel 0 to 100%, and the others show no y values, since
// no run gave any.
func TestCurvesAllDiverged(t *testing.T) {
	nan := math.NaN()
	w := testWorkload(t)
	w.Recipe.Epochs = 3
	rs := []*Record{fakeRecord(&w, "ste", 1, nan), fakeRecord(&w, "ste", 2, nan)}
	var buf bytes.Buffer
	if err := WriteCurves(&buf, rs, nil); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	if !strings.Contains(svg, ">ste (no run finished: 2 diverged)<") {
		t.Errorf("curves SVG lacks the legend entry of the diverged runs")
	}
	for _, bad := range []string{">-1<", ">-0.5<"} {
		if strings.Contains(svg, bad) {
			t.Errorf("curves SVG of diverged runs labels a tick %s: gonum's default axis, not the recipe's epochs", bad)
		}
	}
	for _, want := range []string{">1<", ">2<", ">3<", ">100<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("curves SVG of diverged runs lacks the tick label %s (epochs 1 to 3, top-1 0 to 100%%)", want)
		}
	}
}
