package suite

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/vgsvg"
)

// TestLabelledTicks: the x axis of the surrogate plot is labelled at a
// round step, 1, 2 or 5 times a power of ten, the smallest that leaves at
// most ten steps between the ends, the labels written without float noise
// ("0.6", not "0.6000000000000001"; "0", not the "-0" that
// `gradbench curves --from -1 --to 1` wrote at the origin), the ends
// included, with an unlabelled tick halfway between two labels.
func TestLabelledTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		labels []string
		first  float64
		ticks  int
	}{
		{-2, 2, []string{"-2", "-1.5", "-1", "-0.5", "0", "0.5", "1", "1.5", "2"}, -2, 17},
		{-1, 1, []string{"-1", "-0.8", "-0.6", "-0.4", "-0.2", "0", "0.2", "0.4", "0.6", "0.8", "1"}, -1, 21},
		{0, 3, []string{"0", "0.5", "1", "1.5", "2", "2.5", "3"}, 0, 13},
		{0.3, 7.7, []string{"1", "2", "3", "4", "5", "6", "7"}, 0.5, 15},
		// A range of 100: a step of 20, ticks every 10.
		{-50, 50, []string{"-40", "-20", "0", "20", "40"}, -50, 11},
	} {
		ticks := labelledTicks{}.Ticks(tc.lo, tc.hi)
		var labels []string
		for _, tk := range ticks {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if !slices.Equal(labels, tc.labels) || len(ticks) != tc.ticks || math.Abs(ticks[0].Value-tc.first) > 1e-9 {
			t.Errorf("Ticks(%g, %g): %d ticks from %g, labels %q; want %d from %g, labels %q", tc.lo, tc.hi, len(ticks), ticks[0].Value, labels, tc.ticks, tc.first, tc.labels)
		}
	}
}

// TestSurrogateLayout: plain specs share one panel; a sided spec, wherever
// it is in the list, splits the picture into the latent weights' panel and
// the activations', each with its side's curve of the sided spec and every
// plain spec's curve; legend entries are the specs, titles give the
// progress as given.
func TestSurrogateLayout(t *testing.T) {
	eval := func(list string) *Surrogates {
		s, err := EvalSurrogates(SurrogateOptions{Estimators: list, From: -1, To: 1, Points: 5, Progress: 0.25, ProgressGiven: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		list string
		want []surrogatePanel
	}{
		{"ste,fda", []surrogatePanel{{"Surrogate gradients g(x) at training progress p = 0.25", []int{0, 1}, []string{"ste", "fda"}, false}}},
		{"ste,w=fda/a=approxsign", []surrogatePanel{
			{"g(x) on the latent weights at training progress p = 0.25", []int{0, 1}, []string{"ste", "w=fda/a=approxsign"}, false},
			{"g(x) on the activations at training progress p = 0.25", []int{0, 2}, []string{"ste", "w=fda/a=approxsign"}, false}}},
		{"w=fda/a=approxsign,ste", []surrogatePanel{
			{"g(x) on the latent weights at training progress p = 0.25", []int{0, 2}, []string{"w=fda/a=approxsign", "ste"}, false},
			{"g(x) on the activations at training progress p = 0.25", []int{1, 2}, []string{"w=fda/a=approxsign", "ste"}, false}}},
	} {
		s := eval(tc.list)
		got := s.layout()
		ok := len(got) == len(tc.want)
		for k := 0; ok && k < len(got); k++ {
			ok = got[k].title == tc.want[k].title && slices.Equal(got[k].curves, tc.want[k].curves) && slices.Equal(got[k].legend, tc.want[k].legend)
		}
		if !ok {
			t.Errorf("%s: panels %+v, want %+v", tc.list, got, tc.want)
		}
		for k := range got {
			for _, i := range got[k].curves {
				if c := s.Curves[i]; c.Side != "" && c.Side != surrogateSides[k] {
					t.Errorf("%s: panel %d draws the %s curve", tc.list, k, c.Side)
				}
			}
		}
	}
}

// TestSurrogateLineData: a curve's line is g at each x of the grid, in the
// color of its spec's place in the list, and the panels' x axes span the
// grid.
func TestSurrogateLineData(t *testing.T) {
	s, err := EvalSurrogates(SurrogateOptions{Estimators: "ste,w=fda/a=approxsign", From: -1.5, To: 2, Points: 8})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range s.Curves {
		line, err := surrogateLine(s.X, c)
		if err != nil {
			t.Fatal(err)
		}
		for k, xy := range line.XYs {
			if xy.X != float64(s.X[k]) || xy.Y != float64(c.G[k]) {
				t.Errorf("curve %s: point %d at (%g, %g), want (%g, %g)", c.Label(), k, xy.X, xy.Y, s.X[k], c.G[k])
				break
			}
		}
		pos := min(i, 1) // ste, then both sides of the sided spec
		if col, _ := lineStyle(pos); line.Color != col {
			t.Errorf("curve %s: color %v, want %v (line %d's)", c.Label(), line.Color, col, pos)
		}
	}
	if p := s.panel("x"); p.X.Min != -1.5 || p.X.Max != 2 {
		t.Errorf("x axis [%g, %g], want the grid's [-1.5, 2]", p.X.Min, p.X.Max)
	}
}

// TestSurrogatePanelsLayout: tried as a new user would, `gradbench curves
// --svg` with every registered estimator drew them on one axis, where
// biper's ω·cos(ωx), of peak 20, flattened the others (ste's peak is 1)
// into a band near 0. By default a curve whose peak is more than ten times
// another's now puts each curve in a panel of its own, whose y range is
// its own from 0 (ste's ends a little above 1, biper's spans ±20); curves
// of like peaks still share one axis, and --layout forces either.
func TestSurrogatePanelsLayout(t *testing.T) {
	eval := func(list, layout string) *Surrogates {
		s, err := EvalSurrogates(SurrogateOptions{Estimators: list, From: -2, To: 2, Points: 401, Layout: layout})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		list, layout string
		own          bool
	}{
		{"", "", true}, // every registered estimator, biper among them
		{"", "auto", true},
		{"", "overlay", false},
		{"ste,biper", "", true},
		{"ste,w=biper/a=approxsign", "", true},
		{"fda:n=9,ste,dsq,approxsign,bnnplus", "", false}, // peaks 1 to 5
		{"fda:n=9,ste", "panels", true},
	} {
		s := eval(tc.list, tc.layout)
		got := s.layout()
		if tc.own != got[0].own || (tc.own && len(got) != len(s.Curves)) || (!tc.own && len(got) > 2) {
			t.Errorf("%q --layout %q: %d panels (own %v) of %d curves, want a panel per curve: %v", tc.list, tc.layout, len(got), got[0].own, len(s.Curves), tc.own)
		}
	}

	s := eval("ste,biper,w=biper/a=approxsign", "")
	layout := s.layout()
	if want := "w=biper/a=approxsign\n(activations)"; layout[3].title != want || layout[3].legend[0] != "w=biper/a=approxsign (activations)" {
		t.Errorf("sided panel titled %q, legend %q; want %q", layout[3].title, layout[3].legend, want)
	}
	plots, err := s.plots(layout)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range [][2]float64{{-0.05, 1.05}, {-22, 22}, {-22, 22}, {-0.1, 2.1}} {
		p := plots[k]
		if math.Abs(p.Y.Min-want[0]) > 0.01 || math.Abs(p.Y.Max-want[1]) > 0.01 || p.X.Min != -2 || p.X.Max != 2 {
			t.Errorf("panel %d (%s): x [%g, %g], y [%g, %g]; want x [-2, 2], y [%g, %g]", k, layout[k].title, p.X.Min, p.X.Max, p.Y.Min, p.Y.Max, want[0], want[1])
		}
	}
}

// TestOwnRange: a panel's y range runs from 0 or the curve's least value,
// whichever is lower, to 0 or its greatest, a twentieth of the span more
// either side; a curve 0 everywhere gets [-1, 1].
func TestOwnRange(t *testing.T) {
	for _, tc := range []struct {
		g      []float32
		lo, hi float64
	}{
		{[]float32{1, 1, 1}, -0.05, 1.05},
		{[]float32{0.5, 2}, -0.1, 2.1},
		{[]float32{-1, -3}, -3.15, 0.15},
		{[]float32{0, 0}, -1, 1},
	} {
		if lo, hi := ownRange(tc.g); math.Abs(lo-tc.lo) > 1e-9 || math.Abs(hi-tc.hi) > 1e-9 {
			t.Errorf("ownRange(%v) = [%g, %g], want [%g, %g]", tc.g, lo, hi, tc.lo, tc.hi)
		}
	}
}

// TestLabelledTicksMax: the panels' axes, a quarter of the width, take at
// most five steps: [-2, 2] in steps of 1, ±21 in steps of 10.
func TestLabelledTicksMax(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		labels []string
	}{
		{-2, 2, []string{"-2", "-1", "0", "1", "2"}},
		{-21, 21, []string{"-20", "-10", "0", "10", "20"}},
		{-0.05, 1.05, []string{"0", "0.5", "1"}},
	} {
		var labels []string
		for _, tk := range (labelledTicks{max: 5}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if !slices.Equal(labels, tc.labels) {
			t.Errorf("Ticks(%g, %g) at most 5 steps: labels %q, want %q", tc.lo, tc.hi, labels, tc.labels)
		}
	}
}

// TestSurrogateGridFitsHeading: a panels picture of one or two curves was
// narrower than its one-line heading, which ran off the edge (more so in
// viewers, such as rsvg-convert, whose substitute font is about a third
// wider than gonum/plot's metrics): the heading is two lines and the
// canvas at least half as wide again as it measures.
func TestSurrogateGridFitsHeading(t *testing.T) {
	for _, list := range []string{"biper", "ste,biper", ""} {
		s, err := EvalSurrogates(SurrogateOptions{Estimators: list, From: -2, To: 2, Points: 41, Layout: "panels"})
		if err != nil {
			t.Fatal(err)
		}
		plots, err := s.plots(s.layout())
		if err != nil {
			t.Fatal(err)
		}
		c, ok := s.drawGrid(plots).(*vgsvg.Canvas)
		if !ok {
			t.Fatalf("drawGrid returned %T, want a *vgsvg.Canvas", s.drawGrid(plots))
		}
		w, _ := c.Size()
		h := s.gridHeading()
		if need := plot.New().Title.TextStyle.Width(h) * 3 / 2; w < need || strings.Count(h, "\n") != 1 {
			t.Errorf("%q: canvas %v wide for a heading of %v (%q), want at least %v and two lines", list, w, plot.New().Title.TextStyle.Width(h), h, need)
		}
	}
}

// TestSurrogateTitleProgress: tried as a new user would (gradbench
// curves --estimators fda:n=9,ste,dsq --svg g.svg, the README's tour),
// the plot was titled "at training progress p = 0" though none of its
// curves changes with training progress, which --progress refuses for
// such a list. The titles give the progress only where a curve follows
// it, in every layout.
func TestSurrogateTitleProgress(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "g.svg")
	for _, tc := range []struct {
		list, layout string
		want         bool
	}{
		{"fda:n=9,ste,dsq", "", false},
		{"ste,w=ste/a=approxsign", "", false},
		{"fda:n=9,biper", "", false},
		{"fda,ste", "", true},
		{"ste,w=ste/a=fda", "", true},
		{"ede,biper", "", true},
	} {
		s, err := EvalSurrogates(SurrogateOptions{Estimators: tc.list, From: -1, To: 1, Points: 5, SVG: svg, Layout: tc.layout})
		if err != nil {
			t.Fatal(err)
		}
		titles := []string{}
		if s.panelsLayout() {
			titles = append(titles, s.gridHeading())
		} else {
			for _, p := range s.layout() {
				titles = append(titles, p.title)
			}
		}
		for _, title := range titles {
			if got := strings.Contains(title, "training progress p = 0"); got != tc.want {
				t.Errorf("%s: title %q; want the progress named: %v", tc.list, title, tc.want)
			}
		}
	}
}
