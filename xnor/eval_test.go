package xnor

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gradbench/gradbench/nn"
)

// logitsLayer outputs fixed logits whatever its input, to give Compare
// predictions worked out by hand.
type logitsLayer struct{ y nn.Tensor }

func (l *logitsLayer) Forward(*nn.Tensor) *nn.Tensor  { return &l.y }
func (l *logitsLayer) Backward(*nn.Tensor) *nn.Tensor { panic("logitsLayer: no backward pass") }

func logits(n int, v ...float32) *logitsLayer {
	return &logitsLayer{nn.Tensor{N: n, C: len(v) / n, H: 1, W: 1, Data: v}}
}

// TestCompareCounts checks Compare's counts on logits worked out by hand:
// ties go to the first class, the largest logit difference is the largest
// in magnitude, and the counts add up over batches.
func TestCompareCounts(t *testing.T) {
	float := logits(3,
		1, 3, 3, 0, // tie: class 1
		0, 0, 0, 0, // all tied: class 0
		5, 1, 2, 6) // class 3
	packed := logits(3,
		1, 3, 2.5, 0, // class 1, difference -0.5
		0, 0.25, 0, 0, // class 1, difference 0.25
		5, 1, 2, 4) // class 0, difference -2
	labels := []int32{1, 1, 0}
	batches := 0
	next := func() (Batch, bool) {
		batches++
		return Batch{X: nn.NewTensor(3, 1, 1, 1), Labels: labels}, batches <= 2
	}
	c, err := Compare(context.Background(), float, packed, next)
	if err != nil {
		t.Fatal(err)
	}
	// Float predicts 1, 0, 3 (1 correct), packed 1, 1, 0 (3 correct);
	// they agree on the first image; per batch.
	if c.Images != 6 || c.FloatCorrect != 2 || c.PackedCorrect != 6 || c.Agree != 2 || c.MaxLogitDiff != 2 {
		t.Errorf("Compare = %+v, want 6 images, 2 float and 6 packed correct, 2 agreeing, largest difference 2", c)
	}
	for _, v := range []struct {
		name      string
		got, want float64
	}{{"FloatTop1", c.FloatTop1(), 100.0 / 3}, {"PackedTop1", c.PackedTop1(), 100}, {"Agreement", c.Agreement(), 100.0 / 3}} {
		if math.Abs(v.got-v.want) > 1e-9 {
			t.Errorf("%s() = %v, want %v", v.name, v.got, v.want)
		}
	}
	if s := (Comparison{FloatTime: 6 * time.Second, PackedTime: 2 * time.Second}).Speedup(); s != 3 {
		t.Errorf("Speedup() of 6s over 2s = %v, want 3", s)
	}
	if s := (Comparison{FloatTime: time.Second}).Speedup(); s != 0 {
		t.Errorf("Speedup() without packed time = %v, want 0", s)
	}
	if p := (Comparison{}).FloatTop1(); p != 0 {
		t.Errorf("FloatTop1() of no images = %v, want 0", p)
	}
}

// TestCompareBeyondRounding: Compare counts the images any of whose
// logits differ from the float network's by more than RoundingTolerance
// of them (relative, at least 1 in magnitude): logits a few ulps apart are
// rounding, one half a unit apart is not, and a NaN against a number
// differs while NaN against NaN does not.
func TestCompareBeyondRounding(t *testing.T) {
	nan := float32(math.NaN())
	float := logits(5,
		10, -3, // rounding: a few ulps of 10 and of 3
		0, 0.5, // beyond: 0 against 1e-3, the tolerance there being 1e-4
		2, 1, // beyond: 2 against 2.5
		nan, 1, // NaN on both: equal
		1, 1) // NaN against a number: beyond
	packed := logits(5,
		10.000004, -2.9999998,
		1e-3, 0.5,
		2.5, 1,
		nan, 1,
		nan, 1)
	done := false
	next := func() (Batch, bool) {
		if done {
			return Batch{}, false
		}
		done = true
		return Batch{X: nn.NewTensor(5, 1, 1, 1), Labels: []int32{0, 0, 0, 0, 0}}, true
	}
	c, err := Compare(context.Background(), float, packed, next)
	if err != nil {
		t.Fatal(err)
	}
	if c.BeyondRounding != 3 {
		t.Errorf("Compare counts %d images with logits beyond rounding, want 3 (%+v)", c.BeyondRounding, c)
	}
	if c.WithinRounding() != 2 {
		t.Errorf("WithinRounding() = %d, want 2", c.WithinRounding())
	}
}

// binaryForward reads nn's forward path of binary convolutions (true: the
// XNOR kernels), which nn exports only as SetBinaryForward's previous
// setting: it sets it and puts it back.
func binaryForward() bool {
	v := nn.SetBinaryForward(true)
	nn.SetBinaryForward(v)
	return v
}

// pathLayer is a logitsLayer that records, at each Forward, whether nn's
// binary convolutions would take the XNOR path.
type pathLayer struct {
	*logitsLayer
	xnor []bool
}

func (l *pathLayer) Forward(x *nn.Tensor) *nn.Tensor {
	l.xnor = append(l.xnor, binaryForward())
	return l.logitsLayer.Forward(x)
}

// TestCompareFloatPath: Compare times the float network it names, its
// binary convolutions on their float path, not on the XNOR kernels the
// training engine's forward pass takes by default (the packed network's
// kernels, which would make the speed-up XNOR against XNOR), and puts
// nn's setting back before the packed network runs and when it returns.
func TestCompareFloatPath(t *testing.T) {
	if !binaryForward() {
		t.Fatal("nn's binary convolutions do not take the XNOR path by default")
	}
	float := &pathLayer{logitsLayer: logits(1, 1, 0)}
	packed := &pathLayer{logitsLayer: logits(1, 1, 0)}
	batches := 0
	next := func() (Batch, bool) {
		batches++
		return Batch{X: nn.NewTensor(1, 1, 1, 1), Labels: []int32{0}}, batches <= 2
	}
	if _, err := Compare(context.Background(), float, packed, next); err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, false}; !slices.Equal(float.xnor, want) {
		t.Errorf("float network's passes took the XNOR path: %v, want %v", float.xnor, want)
	}
	if want := []bool{true, true}; !slices.Equal(packed.xnor, want) {
		t.Errorf("packed network's passes with nn's XNOR path: %v, want %v (the setting as it was)", packed.xnor, want)
	}
	if !binaryForward() {
		t.Error("Compare left nn's binary convolutions on the float path")
	}
}

// TestCompareRefuses: a batch whose labels do not match its images, a
// packed output for another number of images, and a cancelled context
// are errors.
func TestCompareRefuses(t *testing.T) {
	float := logits(2, 1, 0, 0, 1)
	once := func(b Batch) func() (Batch, bool) {
		done := false
		return func() (Batch, bool) {
			if done {
				return Batch{}, false
			}
			done = true
			return b, true
		}
	}
	x := nn.NewTensor(2, 1, 1, 1)
	for _, tc := range []struct {
		name   string
		packed nn.Layer
		labels []int32
		want   string
	}{
		{"more labels", float, []int32{0, 1, 1}, "batch of 2 images has 3 labels"},
		{"fewer labels", float, []int32{0}, "batch of 2 images has 1 labels"},
		{"other images", logits(1, 1, 0, 0, 1), []int32{0, 1}, "packed network output"},
	} {
		_, err := Compare(context.Background(), float, tc.packed, once(Batch{X: x, Labels: tc.labels}))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Compare error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, err := Compare(ctx, float, float, once(Batch{X: x, Labels: []int32{0, 1}}))
	if !errors.Is(err, context.Canceled) || c.Images != 0 {
		t.Errorf("cancelled context: Compare = %+v, %v; want no images and context.Canceled", c, err)
	}
}

// TestCompareNaNRanksLast: Compare counts a row's prediction as nn.Correct
// does, the run's own test top-1, where NaN ranks below every number: a
// row whose first logit is NaN predicts its largest number, not class 0,
// and only a row of NaN alone predicts the first class. Otherwise eval's
// float top-1 would not be the run's on the same weights and images.
func TestCompareNaNRanksLast(t *testing.T) {
	nan := float32(math.NaN())
	rows := [][]float32{
		{nan, 1, 2},   // class 2
		{nan, 3, nan}, // class 1
		{1, nan, 0},   // class 0
		{nan, nan, nan},
		{2, nan, 2}, // tie: class 0
	}
	var v []float32
	for _, r := range rows {
		v = append(v, r...)
	}
	n := len(rows)
	float := logits(n, v...)
	for label := range int32(3) {
		labels := make([]int32, n)
		ints := make([]int, n)
		for i := range labels {
			labels[i], ints[i] = label, int(label)
		}
		done := false
		next := func() (Batch, bool) {
			if done {
				return Batch{}, false
			}
			done = true
			return Batch{X: nn.NewTensor(n, 1, 1, 1), Labels: labels}, true
		}
		c, err := Compare(context.Background(), float, float, next)
		if err != nil {
			t.Fatal(err)
		}
		if want := nn.Correct(&float.y, ints); c.FloatCorrect != want || c.PackedCorrect != want {
			t.Errorf("label %d for every row: Compare counts %d float and %d packed correct, nn.Correct %d", label, c.FloatCorrect, c.PackedCorrect, want)
		}
	}
}
