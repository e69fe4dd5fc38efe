package suite

import (
	"bytes"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
)

// The points of the curves, averaged by hand: fda's two finished runs
// score 40 then 80 (seed 1) and 50 then 90 (seed 2) with training losses
// 1.5 then 1.0 and 1.3 then 0.8, so the accuracy curve is (1, 45), (2, 85)
// and the loss curve (1, 1.4), (2, 0.9); its diverged run (seed 3) is in
// neither mean nor count. The silent-weights curve averages the runs with
// diagnostics at each epoch: seed 1's 0.2 alone at epoch 1 (seed 2 has
// none there), 0.2 and 0.4 at epoch 2.
func TestCurvePoints(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 2
	a, b := fakeRecord(&w, "fda", 1, 80), fakeRecord(&w, "fda", 2, 90)
	div := fakeRecord(&w, "fda", 3, math.NaN())
	for i, v := range []struct{ top1, loss float64 }{{40, 1.5}, {80, 1.0}} {
		a.Epochs[i].TestTop1, a.Epochs[i].TrainLoss, a.Epochs[i].TestLoss = v.top1, v.loss, 9
		a.Epochs[i].Diagnostics = &Diagnostics{Silent: 0.2}
	}
	for i, v := range []struct{ top1, loss float64 }{{50, 1.3}, {90, 0.8}} {
		b.Epochs[i].TestTop1, b.Epochs[i].TrainLoss, b.Epochs[i].TestLoss = v.top1, v.loss, 9
	}
	b.Epochs[1].Diagnostics = &Diagnostics{Silent: 0.4}
	div.Epochs[0].Diagnostics = &Diagnostics{Silent: 1}
	g := groups([]*Record{a, b, div})["fda"]
	same := func(what string, got, want plotter.XYs) {
		t.Helper()
		ok := len(got) == len(want)
		for i := 0; ok && i < len(got); i++ {
			ok = got[i].X == want[i].X && math.Abs(got[i].Y-want[i].Y) < 1e-12
		}
		if !ok {
			t.Errorf("%s curve = %v, want %v", what, got, want)
		}
	}
	acc, loss, n := meanCurves(g)
	same("accuracy", acc, plotter.XYs{{X: 1, Y: 45}, {X: 2, Y: 85}})
	same("loss", loss, plotter.XYs{{X: 1, Y: 1.4}, {X: 2, Y: 0.9}})
	if n != 2 {
		t.Errorf("meanCurves counts %d runs, want the 2 finished", n)
	}
	k := -1
	for i, c := range diagnosticColumns {
		if c.head == "silent" {
			k = i
		}
	}
	if k < 0 {
		t.Fatal("no silent column")
	}
	same("silent", meanDiagnosticCurves(g)[k], plotter.XYs{{X: 1, Y: 0.2}, {X: 2, Y: 0.3}})
}

// TestCurvesOneEpochAxes: a workload of one epoch has one point per
// panel, whose y axis gonum spans from the value − 1 to the value + 1:
// a flip ratio of 0.01 sat on a tick labelled 0.0 between -0.8 and 0.8,
// and every fraction's panel had negative ticks. A panel whose values
// are all one number is spanned around it instead, on its own scale:
// every value drawn here is positive, so no tick is negative.
func TestCurvesOneEpochAxes(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 1
	r := fakeRecord(&w, "ste", 1, 53.6)
	r.Epochs[0].FlipRatio = 0.018
	r.Epochs[0].Diagnostics = &Diagnostics{Oscillation: 5e-5, Oscillating: 0.0017, Silent: 0.977, Saturation: 0.65, GradStability: 2e-4, Entropy: 0.69,
		Layers: []LayerDiagnostics{{GradNorm: 0.087, Entropy: 0.69}}}
	var buf bytes.Buffer
	if err := WriteCurves(&buf, []*Record{r}, nil); err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`>([-−]?[0-9.e+-]+)<`).FindAllStringSubmatch(buf.String(), -1) {
		if v, err := strconv.ParseFloat(strings.Replace(m[1], "−", "-", 1), 64); err == nil && v < 0 {
			t.Errorf("tick %s: a negative tick in a plot of positive values", m[1])
		}
	}
}

// TestEpochAxis: the training curves' epoch axes are ticked at whole
// epochs only: gonum's default ticks labelled a two-epoch axis 1.0, 1.5,
// 2.0, as if a run had half epochs. A long run is labelled at a round
// step of epochs, with at most five steps, as the small panels of the
// diagnostics have room for.
func TestEpochAxis(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		labels []string
	}{
		{1, 2, []string{"1", "2"}},
		{0, 2, []string{"0", "1", "2"}}, // one epoch, spanned around it
		{1, 3, []string{"1", "2", "3"}},
		{1, 5, []string{"1", "2", "3", "4", "5"}},
		{1, 10, []string{"2", "4", "6", "8", "10"}},
		{1, 15, []string{"5", "10", "15"}},
		{1, 100, []string{"20", "40", "60", "80", "100"}},
	} {
		p := epochPanel("title")
		if p.X.Label.Text != "epoch" || p.Title.Text != "title" {
			t.Errorf("epochPanel: x label %q, title %q; want epoch, title", p.X.Label.Text, p.Title.Text)
		}
		var labels []string
		for _, tk := range p.X.Tick.Marker.Ticks(tc.lo, tc.hi) {
			if tk.Value != math.Round(tk.Value) {
				t.Errorf("epochs %g to %g: a tick at %g, between whole epochs", tc.lo, tc.hi, tk.Value)
			}
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if !slices.Equal(labels, tc.labels) {
			t.Errorf("epochs %g to %g: labels %q, want %q", tc.lo, tc.hi, labels, tc.labels)
		}
	}
}
