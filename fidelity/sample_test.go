package fidelity

import (
	"cmp"
	"math"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/nn"
)

// TestSampleSmallStratum: the second stratum is the tenth of the layer's
// weights smallest in magnitude, not the most negative ones, and the sites
// say which stratum they came from in words.
func TestSampleSmallStratum(t *testing.T) {
	l := binaryLinear(t, 8, 10, "ste", nn.NewInit(3))
	w := l.Weight.Data
	order := make([]int, len(w))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(math.Abs(float64(w[a])), math.Abs(float64(w[b]))) })
	want := slices.Sorted(slices.Values(order[:8])) // the 8 smallest |w| of 80
	var got []int
	for _, s := range Sample(l, 8, 1) {
		if s.Stratum == SmallAbs {
			got = append(got, s.Index)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("small-stratum sites %v, want the 8 smallest |w| %v", got, want)
	}
	if u, s := Uniform.String(), SmallAbs.String(); u != "uniform" || s != "small" {
		t.Errorf("strata print as %q and %q, want uniform and small", u, s)
	}
}

// TestFlipZeroWeight: a latent weight of exactly 0 has the sign +1, and
// its flip makes it negative: the change is the one the estimators
// predict with b = +1 (the loss is linear in the last layer's signs), not
// zero.
func TestFlipZeroWeight(t *testing.T) {
	net, bl, b, loss := linearNet(t, "ste")
	bl.Weight.Data[7] = 0
	sites := []Site{{Layer: 0, Index: 7}}
	_, dl := TrueChanges(net, loss, b, sites, nil)
	pred := Predicted(net, loss, b, sites)
	if dl[0] == 0 || math.Abs(dl[0]-pred[0]) > 1e-5*math.Abs(pred[0]) {
		t.Errorf("flip of a zero weight: ΔL = %g, predicted δ = %g (b = +1)", dl[0], pred[0])
	}
	if bl.Weight.Data[7] != 0 {
		t.Errorf("the zero weight is %g after the flip", bl.Weight.Data[7])
	}
}

// TestDescentFlipsAtZero: a step that lands a latent weight on exactly 0
// gives it the sign +1: from a positive weight no flip, from a negative
// one a flip.
func TestDescentFlipsAtZero(t *testing.T) {
	net, bl, b, loss := linearNet(t, "ste")
	w := bl.Weight.Data
	pos := slices.IndexFunc(w, func(v float32) bool { return v > 0 })
	neg := slices.IndexFunc(w, func(v float32) bool { return v < 0 })
	for _, tc := range []struct {
		j     int
		flips int
	}{{pos, 0}, {neg, 1}} {
		g := [][]float32{make([]float32, len(w))}
		g[0][tc.j] = w[tc.j] // W − 1·g puts weight j on 0
		if s := Descent(net, loss, b, g, []float64{1}); s[0].Flips != tc.flips {
			t.Errorf("step from w = %g to 0: %d flips, want %d", w[tc.j], s[0].Flips, tc.flips)
		}
	}
}

// TestStratumSizes: a layer's small stratum is its tenth, at least one
// weight, as Sample draws it.
func TestStratumSizes(t *testing.T) {
	net := nn.Sequential{binaryLinear(t, 2, 4, "ste", nn.NewInit(1)), binaryLinear(t, 4, 20, "ste", nn.NewInit(2))}
	if got, want := StratumSizes(net), [][2]int{{8, 1}, {80, 8}}; !slices.Equal(got, want) {
		t.Errorf("StratumSizes = %v, want %v", got, want)
	}
	small := 0
	for _, s := range Sample(net, 50, 1) {
		if s.Layer == 0 && s.Stratum == SmallAbs {
			small++
		}
	}
	if small != 1 {
		t.Errorf("Sample drew %d weights of the 8-weight layer's small stratum, want 1", small)
	}
}

// TestPredictedGradsCopies: the gradients PredictedGrads returns are the
// caller's, as LatentGrads' are: a later pass on the network leaves them.
func TestPredictedGradsCopies(t *testing.T) {
	net := convNet(t, "ste", 1)
	var ce nn.SoftmaxCrossEntropy
	b := convBatch()
	_, gs := PredictedGrads(net, &ce, b, Sample(net, 2, 1))
	before := slices.Clone(gs[0])
	other := Batch{X: randTensor(12, 16, 1, 6, 6), Labels: b.Labels}
	LatentGrads(net, &ce, other)
	if !slices.Equal(gs[0], before) {
		t.Error("a later pass changed the gradients PredictedGrads returned")
	}
}
