package nn

import (
	"math"
	"testing"
)

// TestBatchNormRunningStats checks PyTorch's conventions: batch statistics
// with the biased variance in training, running statistics moved with
// momentum 0.1 towards the mean and the UNBIASED variance, and evaluation
// with the running statistics.
func TestBatchNormRunningStats(t *testing.T) {
	// Channel 0 holds 1, 2, 3, 6 (mean 3, biased variance 3.5, unbiased
	// 14/3); channel 1 holds 1e4 + {0, 1, 0, 1} (shifted values, to check
	// the one-pass variance does not cancel).
	x := &Tensor{N: 2, C: 2, H: 1, W: 2, Data: []float32{1, 2, 1e4, 1e4 + 1, 3, 6, 1e4, 1e4 + 1}}
	b := NewBatchNorm2d(2)
	y := b.Forward(x)
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-4*max(1, math.Abs(want)) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	near("y[0]", float64(y.Data[0]), (1-3)/math.Sqrt(3.5+1e-5))
	near("y[2]", float64(y.Data[2]), (0-0.5)/math.Sqrt(0.25+1e-5))
	near("running_mean[0]", float64(b.RunningMean.Data[0]), 0.1*3)
	near("running_var[0]", float64(b.RunningVar.Data[0]), 0.9+0.1*14.0/3)
	near("running_mean[1]", float64(b.RunningMean.Data[1]), 0.1*(1e4+0.5))
	near("running_var[1]", float64(b.RunningVar.Data[1]), 0.9+0.1*(0.25*4/3))

	b.SetTraining(false)
	y = b.Forward(x)
	near("eval y[0]", float64(y.Data[0]), (1-0.3)/math.Sqrt(0.9+0.1*14.0/3+1e-5))
	if got := b.Buffers(); len(got) != 2 || got[0].Name != "running_mean" || got[1].Name != "running_var" {
		t.Errorf("Buffers() = %v, want running_mean and running_var", got)
	}
}
