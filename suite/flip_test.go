package suite

import (
	"math"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/nn"
)

// TestFlipRatioAsksTheEstimator checks that the flip ratio counts changes
// of the binary code the estimator's forward pass gives, not of sign(w):
// with BiPer (q = sign(sin(20w))), moving w from 0.1 to 0.2 flips its code
// (sin(2) > 0 > sin(4)) without changing its sign, and moving it from 0.05
// to -0.05 flips both; with STE only the second counts.
func TestFlipRatioAsksTheEstimator(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want float64
	}{{"biper", 1}, {"ste", 0.5}} {
		w := &nn.Param{Name: "weight", Shape: []int{2}, Data: []float32{0.1, 0.05}}
		e, err := estimators.New(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		ru := &run{binW: []*nn.Param{w}, binQ: []estimators.Estimator{e}, signs: make([]bool, 2)}
		ru.snapshotSigns()
		w.Data[0], w.Data[1] = 0.2, -0.05
		if got := ru.flipRatio(); math.Abs(got-tc.want) > 0 {
			t.Errorf("%s: flip ratio %g, want %g", tc.spec, got, tc.want)
		}
	}
}
