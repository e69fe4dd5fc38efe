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

// TestIndicatorsSumOverLayers checks that an epoch's indicators are the
// weight estimators' diagnostics summed over the binary layers, worked by
// hand for ReSTE's estimating error ‖sign(w)·|w|^(1/3) − sign(w)‖₂ at its
// default o_end = 3: w = 0.125 gives |0.5 − 1| = 0.5, w = −1 gives 0, and
// w = 0.008 in the second layer gives |0.2 − 1| = 0.8; and that a run
// whose estimators offer none records no indicators.
func TestIndicatorsSumOverLayers(t *testing.T) {
	l1 := &nn.Param{Name: "a", Shape: []int{2}, Data: []float32{0.125, -1}}
	l2 := &nn.Param{Name: "b", Shape: []int{1}, Data: []float32{0.008}}
	reste, err := estimators.New("reste")
	if err != nil {
		t.Fatal(err)
	}
	ru := &run{binW: []*nn.Param{l1, l2}, binQ: []estimators.Estimator{reste, reste}}
	got := ru.indicators()
	if len(got) != 1 || math.Abs(got["estimating_error"]-1.3) > 1e-6 {
		t.Errorf("indicators %v, want estimating_error 0.5 + 0.8 = 1.3", got)
	}
	ste, err := estimators.New("ste")
	if err != nil {
		t.Fatal(err)
	}
	ru.binQ = []estimators.Estimator{ste, ste}
	if got := ru.indicators(); got != nil {
		t.Errorf("ste: indicators %v, want none", got)
	}
}

// TestRunRecordsIndicators checks that a training run with ReSTE on the
// weights records its estimating error in every epoch, that the record
// reads back with it, and that a run with the clipped STE records none.
func TestRunRecordsIndicators(t *testing.T) {
	dir, recs := runTiny(t, "w=reste/a=ste,ste", 2)
	for _, rec := range recs {
		back, err := ReadRecord(dir, rec.Key)
		if err != nil {
			t.Fatal(err)
		}
		for _, ep := range back.Epochs {
			v, ok := ep.Indicators["estimating_error"]
			switch rec.Config.Estimator {
			case "ste":
				if ep.Indicators != nil {
					t.Errorf("ste epoch %d: indicators %v, want none", ep.Epoch, ep.Indicators)
				}
			default:
				if !ok || !(v > 0) || math.IsInf(v, 0) {
					t.Errorf("%s epoch %d: indicators %v, want a finite estimating_error > 0", rec.Config.Estimator, ep.Epoch, ep.Indicators)
				}
			}
		}
	}
}
