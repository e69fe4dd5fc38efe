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
