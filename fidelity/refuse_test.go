package fidelity

import (
	"context"
	"math"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/texttest"
	"github.com/gradbench/gradbench/nn"
)

// TestRefusesCounts: Sample with a negative count failed with a runtime
// slice error and with 0 returned no sites; Bootstrap and OverBatches with
// no resamples returned NaN intervals, as if the scores had none.
func TestRefusesCounts(t *testing.T) {
	l, err := nn.NewBinaryLinear(8, 4, nn.Binary{Estimator: estimators.MustParse("ste")}, nn.NewInit(1))
	if err != nil {
		t.Fatal(err)
	}
	pred, dl := []float64{1, -1, 2, 0.5}, []float64{1, -2, 1, -0.1}
	per := []Scores{Score(pred, dl, 0), Score(dl, pred, 0)}
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"Sample 0", func() { Sample(l, 0, 1) }, "fidelity: Sample: perStratum 0, want at least 1 weight per stratum"},
		{"Sample -3", func() { Sample(l, -3, 1) }, "fidelity: Sample: perStratum -3, want at least 1"},
		{"Bootstrap 0", func() { Bootstrap(pred, dl, 0, 0, 1) }, "fidelity: Bootstrap: reps 0, want at least 1 resample"},
		{"BootstrapContext -5", func() { BootstrapContext(context.Background(), pred, dl, 0, -5, 1) }, "fidelity: Bootstrap: reps -5, want at least 1 resample"},
		{"OverBatches 0", func() { OverBatches(per, 0, 1) }, "fidelity: OverBatches: reps 0, want at least 1 resample"},
		{"OverBatchesContext -1", func() { OverBatchesContext(context.Background(), per, -1, 1) }, "fidelity: OverBatches: reps -1"},
		{"Score NaN noise", func() { Score(pred, dl, math.NaN()) }, "fidelity: Score: noise threshold NaN, want a finite value >= 0"},
		{"Score +Inf noise", func() { Score(pred, dl, math.Inf(1)) }, "fidelity: Score: noise threshold +Inf"},
		{"Score negative noise", func() { Score(pred, dl, -1e-6) }, "fidelity: Score: noise threshold -1e-06"},
		{"Bootstrap NaN noise", func() { Bootstrap(pred, dl, math.NaN(), 10, 1) }, "fidelity: Bootstrap: noise threshold NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) { texttest.CheckPanic(t, tc.f, tc.want) })
	}
	if n := len(Sample(l, 1, 1)); n != 2 {
		t.Errorf("Sample(1) gave %d sites, want 2 (one per stratum)", n)
	}
}
