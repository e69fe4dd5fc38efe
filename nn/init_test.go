package nn

import (
	"math"
	"slices"
	"testing"
)

// TestInitDistributions checks the documented initial distributions by
// their moments and ranges: a convolution's weights from N(0, 2/fan_in)
// (Kaiming), a linear layer's from U(-1/√fan_in, 1/√fan_in) (PyTorch's
// default). A Kaiming std of √(1/fan_in) or a uniform draw that was not
// zero-mean failed only golden hashes of training steps, which say that
// something changed, not what.
func TestInitDistributions(t *testing.T) {
	moments := func(w []float32) (mean, std float64) {
		for _, v := range w {
			mean += float64(v)
		}
		mean /= float64(len(w))
		for _, v := range w {
			std += (float64(v) - mean) * (float64(v) - mean)
		}
		return mean, math.Sqrt(std / float64(len(w)))
	}
	conv := NewConv2d(Conv{In: 16, Out: 64, Kernel: 3}, NewInit(1))
	want := math.Sqrt(2.0 / (16 * 9))
	if mean, std := moments(conv.Weight.Data); math.Abs(mean) > 0.05*want || math.Abs(std/want-1) > 0.05 {
		t.Errorf("conv weights: mean %.4g, std %.4g; want 0 and %.4g", mean, std, want)
	}
	lin := NewLinear(100, 50, true, NewInit(1))
	bound := 0.1
	for _, p := range []*Param{lin.Weight, lin.Bias} {
		lo, hi := float64(slices.Min(p.Data)), float64(slices.Max(p.Data))
		if lo < -bound || hi > bound || lo > -0.8*bound || hi < 0.8*bound {
			t.Errorf("linear %s in [%.4g, %.4g], want it to fill U(-%v, %v)", p.Name, lo, hi, bound, bound)
		}
	}
	if mean, _ := moments(lin.Weight.Data); math.Abs(mean) > 0.05*bound {
		t.Errorf("linear weights: mean %.4g, want 0", mean)
	}
}
