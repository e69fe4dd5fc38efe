package suite

import (
	"math"
	"testing"
)

// Exact two-sided Mann–Whitney U p-values, counted by hand from the null
// distribution of U (all C(n1+n2, n1) rankings equally likely):
//   - complete separation of n and n values: p = 2/C(2n, n), so 1/3 for
//     n = 2, 2/20 for n = 3, 2/70 for n = 4;
//   - {1,2,4} vs {3,5,6}: U = 1; P(U <= 1) = 2/20, so p = 0.2;
//   - {1,3,5} vs {2,4,6}: U = 3; P(U <= 3) = (1+1+2+3)/20, so p = 0.7.
func TestMannWhitney(t *testing.T) {
	tests := []struct {
		a, b []float64
		p    float64
	}{
		{[]float64{1, 2}, []float64{3, 4}, 1.0 / 3},
		{[]float64{1, 2, 3}, []float64{4, 5, 6}, 0.1},
		{[]float64{4, 5, 6}, []float64{1, 2, 3}, 0.1},
		{[]float64{1, 2, 3, 4}, []float64{5, 6, 7, 8}, 2.0 / 70},
		{[]float64{1, 2, 4}, []float64{3, 5, 6}, 0.2},
		{[]float64{1, 3, 5}, []float64{2, 4, 6}, 0.7},
		{[]float64{1, 2, 3}, []float64{1, 2, 3}, 1},
		{[]float64{5, 5}, []float64{5, 5}, 1}, // all equal: no difference
	}
	for _, tt := range tests {
		p, ok := mannWhitney(tt.a, tt.b)
		if !ok || math.Abs(p-tt.p) > 1e-9 {
			t.Errorf("mannWhitney(%v, %v) = %g, %v, want %g", tt.a, tt.b, p, ok, tt.p)
		}
	}
	if _, ok := mannWhitney([]float64{1}, []float64{2, 3}); ok {
		t.Error("mannWhitney with a single value gave a p-value, want none")
	}
	in := []float64{3, 1, 2}
	mannWhitney(in, []float64{4, 5})
	if in[0] != 3 {
		t.Error("mannWhitney sorted its input in place")
	}
}

func TestMinP(t *testing.T) {
	for _, tt := range []struct {
		n1, n2 int
		want   float64
	}{{1, 1, 1}, {2, 2, 1.0 / 3}, {3, 3, 0.1}, {4, 4, 2.0 / 70}, {5, 5, 2.0 / 252}, {3, 4, 2.0 / 35}} {
		if got := minP(tt.n1, tt.n2); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("minP(%d, %d) = %g, want %g", tt.n1, tt.n2, got, tt.want)
		}
		// The test itself reaches it on completely separated samples.
		a, b := make([]float64, tt.n1), make([]float64, tt.n2)
		for i := range a {
			a[i] = float64(i)
		}
		for i := range b {
			b[i] = float64(100 + i)
		}
		if p, ok := mannWhitney(a, b); ok && math.Abs(p-tt.want) > 1e-9 {
			t.Errorf("mannWhitney of separated samples %d+%d = %g, want minP %g", tt.n1, tt.n2, p, tt.want)
		}
	}
}

func TestMeanStd(t *testing.T) {
	m, s := meanStd([]float64{1, 2, 3, 4})
	if m != 2.5 || math.Abs(s-math.Sqrt(5.0/3)) > 1e-12 {
		t.Errorf("meanStd(1..4) = %g, %g, want 2.5, %g (sample std)", m, s, math.Sqrt(5.0/3))
	}
	if m, s := meanStd([]float64{7}); m != 7 || !math.IsNaN(s) {
		t.Errorf("meanStd(7) = %g, %g, want 7, NaN", m, s)
	}
}
