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

// TestBatchNormMomentumField checks that a BatchNorm's Momentum field is
// the one its running statistics move with: a BatchNorm that moved with
// 0.1 whatever the field said passed every test.
func TestBatchNormMomentumField(t *testing.T) {
	x := &Tensor{N: 2, C: 1, H: 1, W: 2, Data: []float32{1, 2, 3, 6}}
	b := NewBatchNorm2d(1)
	b.Momentum = 0.5
	b.Forward(x)
	if got, want := b.RunningMean.Data[0], float32(0.5*3); got != want {
		t.Errorf("running_mean = %v with momentum 0.5, want %v", got, want)
	}
	if got, want := float64(b.RunningVar.Data[0]), 0.5+0.5*14.0/3; math.Abs(got-want) > 1e-6 {
		t.Errorf("running_var = %v with momentum 0.5, want %v", got, want)
	}
}

// TestBatchNormEvalEps checks that evaluation mode adds ε to the running
// variance, on a channel whose running variance is 0 (a constant channel
// in training): without ε the output is infinite, and a BatchNorm that
// dropped ε in evaluation passed every test of the nn package, whose
// running variances dwarf ε.
func TestBatchNormEvalEps(t *testing.T) {
	b := NewBatchNorm2d(1)
	b.RunningMean.Data[0], b.RunningVar.Data[0] = 1, 0
	b.SetTraining(false)
	y := b.Forward(&Tensor{N: 1, C: 1, H: 1, W: 1, Data: []float32{2}})
	if want := 1 / math.Sqrt(1e-5); math.Abs(float64(y.Data[0])-want) > 1e-3 {
		t.Errorf("eval output = %v with running variance 0, want 1/√ε = %v", y.Data[0], want)
	}
}

// TestBatchNormOneValueRefused checks that training refuses a batch with
// one value per channel, whose unbiased variance m/(m-1) divides by zero
// into the running variance, and that evaluation takes it: a BatchNorm
// that took it in training passed every test.
func TestBatchNormOneValueRefused(t *testing.T) {
	b := NewBatchNorm2d(2)
	x := &Tensor{N: 1, C: 2, H: 1, W: 1, Data: []float32{3, 4}}
	checkRefusals(t, []refusal{{"training 1x2x1x1", func() { b.Forward(x) },
		"nn: BatchNorm.Forward: training needs more than one value per channel, input is 1x2x1x1"}})
	b.SetTraining(false)
	if y := b.Forward(x); math.Abs(float64(y.Data[1])-4/math.Sqrt(1+1e-5)) > 1e-6 {
		t.Errorf("eval output %v, want x/√(1+ε)", y.Data)
	}
	if b.RunningMean.Data[0] != 0 || b.RunningVar.Data[0] != 1 {
		t.Errorf("running statistics moved to %v, %v", b.RunningMean.Data, b.RunningVar.Data)
	}
}
