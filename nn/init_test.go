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

// TestStreamIndependent checks that Stream's numbers depend on each of
// the seed, the purpose and the indices, in order: a Stream that ignored
// its indices passed every test (no caller passes indices yet).
func TestStreamIndependent(t *testing.T) {
	first := func(r interface{ Uint64() uint64 }) uint64 { return r.Uint64() }
	base := first(Stream(1, "data/order", 3, 4))
	if again := first(Stream(1, "data/order", 3, 4)); again != base {
		t.Fatalf("Stream is not deterministic: %x, then %x", base, again)
	}
	for name, r := range map[string]interface{ Uint64() uint64 }{
		"seed":          Stream(2, "data/order", 3, 4),
		"purpose":       Stream(1, "init/weights", 3, 4),
		"first index":   Stream(1, "data/order", 5, 4),
		"second index":  Stream(1, "data/order", 3, 5),
		"index order":   Stream(1, "data/order", 4, 3),
		"fewer indices": Stream(1, "data/order", 3),
	} {
		if first(r) == base {
			t.Errorf("a different %s gave the same stream", name)
		}
	}
	// NewInit's two streams are the documented purposes' (an NA stream
	// that was the weights' failed only golden hashes).
	in := NewInit(7)
	if w, na := first(in.Weights), first(in.NA); w != first(Stream(7, "init/weights")) || na != first(Stream(7, "init/na")) || w == na {
		t.Errorf("NewInit(7) streams begin %x and %x, want Stream(7, \"init/weights\") and Stream(7, \"init/na\")", w, na)
	}
}
