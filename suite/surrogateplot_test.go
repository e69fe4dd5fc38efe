package suite

import (
	"math"
	"slices"
	"testing"
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
		s, err := EvalSurrogates(SurrogateOptions{Estimators: list, From: -1, To: 1, Points: 5, Progress: 0.25})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		list string
		want []surrogatePanel
	}{
		{"ste,fda", []surrogatePanel{{"Surrogate gradients g(x) at training progress p = 0.25", []int{0, 1}, []string{"ste", "fda"}}}},
		{"ste,w=fda/a=approxsign", []surrogatePanel{
			{"g(x) on the latent weights at training progress p = 0.25", []int{0, 1}, []string{"ste", "w=fda/a=approxsign"}},
			{"g(x) on the activations at training progress p = 0.25", []int{0, 2}, []string{"ste", "w=fda/a=approxsign"}}}},
		{"w=fda/a=approxsign,ste", []surrogatePanel{
			{"g(x) on the latent weights at training progress p = 0.25", []int{0, 2}, []string{"w=fda/a=approxsign", "ste"}},
			{"g(x) on the activations at training progress p = 0.25", []int{1, 2}, []string{"w=fda/a=approxsign", "ste"}}}},
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
