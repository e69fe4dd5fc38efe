package xnor

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/gradbench/gradbench/nn"
)

// A Comparison is the result of [Compare]: the float network and the
// packed network on the same images.
type Comparison struct {
	Images int
	// FloatCorrect and PackedCorrect count correct top-1 predictions;
	// Agree counts images where the two networks predict the same class.
	FloatCorrect, PackedCorrect, Agree int
	// FloatTime and PackedTime are the wall times of the two networks'
	// forward passes, summed over the batches.
	FloatTime, PackedTime time.Duration
	// MaxLogitDiff is the largest |packed − float| over all logits.
	MaxLogitDiff float64
	// BeyondRounding counts the images with a logit farther from the
	// float network's than float32 rounding: |packed − float| above
	// RoundingTolerance·max(1, |float|), or a NaN on one side only. The
	// two networks round differently (the packed one folds each
	// BatchNorm into one multiply-add), so their logits differ by a few
	// ulps; they differ by more where an input of a binary layer lies
	// within that rounding of 0 and the two networks binarize it to
	// opposite signs, a change the later layers carry to the logits.
	BeyondRounding int
}

// RoundingTolerance is the relative difference of two logits, of
// magnitude 1 at least, that [Comparison].BeyondRounding counts as more
// than float32 rounding: float32's epsilon (1.2e-7) accumulated over a
// few hundred roundings. On the whole Fashion-MNIST test split, the
// committed study's ResNet-20 (results/fmnist-10/498b8aff7402f0eb) has
// logits 4e-6 apart at most on all images but a dozen, and those differ
// by 0.02 at least, each after a sign that the two networks take apart.
const RoundingTolerance = 1e-4

// WithinRounding returns the number of images whose logits all agree
// within float32 rounding (Images − BeyondRounding).
func (c Comparison) WithinRounding() int { return c.Images - c.BeyondRounding }

// FloatTop1 and PackedTop1 return the accuracies in percent.
func (c Comparison) FloatTop1() float64  { return pct(c.FloatCorrect, c.Images) }
func (c Comparison) PackedTop1() float64 { return pct(c.PackedCorrect, c.Images) }

// Agreement returns the share of equal predictions in percent.
func (c Comparison) Agreement() float64 { return pct(c.Agree, c.Images) }

// Speedup returns FloatTime / PackedTime.
func (c Comparison) Speedup() float64 {
	if c.PackedTime <= 0 {
		return 0
	}
	return float64(c.FloatTime) / float64(c.PackedTime)
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// A Batch is a batch of images and their labels, as [Compare] consumes them.
type Batch struct {
	X      *nn.Tensor // N×C×H×W
	Labels []int32    // N labels
}

// Compare runs the float network (in evaluation mode) and its packed
// version (from [Compile]) on every batch next returns until it returns
// false, and counts their predictions (top-1: the largest logit, the first
// one on ties, NaN below every number, as nn.Correct counts a run's top-1)
// against the labels and against each other. Logits are the
// networks' N×classes outputs. It stops early with ctx's error.
//
// The float network's binary convolutions run on their float path, the
// reference nn keeps (nn.SetBinaryForward(false) for each of its forward
// passes, nn's setting restored after each), so that FloatTime and the
// speed-up are a float network's and not those of the training engine's
// default forward pass, whose binary convolutions run on this package's
// XNOR kernels. The two paths give bit-identical outputs, so the counts
// do not depend on it. As nn.SetBinaryForward, do not call Compare while
// another network runs.
func Compare(ctx context.Context, float, packed nn.Layer, next func() (Batch, bool)) (Comparison, error) {
	nn.SetTraining(float, false)
	var c Comparison
	var fl []float32
	for {
		if err := ctx.Err(); err != nil {
			return c, err
		}
		b, ok := next()
		if !ok {
			return c, nil
		}
		n := b.X.N
		if len(b.Labels) != n {
			return c, fmt.Errorf("xnor: Compare: batch of %d images has %d labels", n, len(b.Labels))
		}
		y, d := floatForward(float, b.X)
		c.FloatTime += d
		fl = append(fl[:0], y.Data...)
		t0 := time.Now()
		z := packed.Forward(b.X)
		c.PackedTime += time.Since(t0)
		if z.Len() != len(fl) || z.N != n {
			return c, fmt.Errorf("xnor: Compare: float network output %v, packed network output %v", y, z)
		}
		k := len(fl) / n
		for i := range n {
			f, p := argmaxRow(fl[i*k:][:k]), argmaxRow(z.Data[i*k:][:k])
			if int32(f) == b.Labels[i] {
				c.FloatCorrect++
			}
			if int32(p) == b.Labels[i] {
				c.PackedCorrect++
			}
			if f == p {
				c.Agree++
			}
		}
		for i, v := range fl {
			d := float64(z.Data[i] - v)
			c.MaxLogitDiff = max(c.MaxLogitDiff, d, -d)
		}
		for i := range n {
			if beyondRounding(fl[i*k:][:k], z.Data[i*k:][:k]) {
				c.BeyondRounding++
			}
		}
		c.Images += n
	}
}

// floatForward runs the float network on x with its binary convolutions
// on their float path (nn.SetBinaryForward(false)), not on the XNOR
// kernels the training engine takes by default, and restores nn's setting
// after. It returns the output and the forward pass's wall time.
func floatForward(float nn.Layer, x *nn.Tensor) (*nn.Tensor, time.Duration) {
	defer nn.SetBinaryForward(nn.SetBinaryForward(false))
	t0 := time.Now()
	y := float.Forward(x)
	return y, time.Since(t0)
}

// beyondRounding reports whether a row of packed logits differs from the
// float network's row by more than float32 rounding (RoundingTolerance).
func beyondRounding(float, packed []float32) bool {
	for i, f := range float {
		p := packed[i]
		fnan, pnan := f != f, p != p
		if fnan || pnan {
			if fnan != pnan {
				return true
			}
			continue
		}
		d := math.Abs(float64(p) - float64(f))
		if d > RoundingTolerance*max(1, math.Abs(float64(f))) {
			return true
		}
	}
	return false
}

// argmaxRow returns the class a row of logits predicts, ranked as
// nn.Correct ranks them (the run's own test top-1): the largest value, the
// first on ties, NaN below every number (the first class when all are NaN).
func argmaxRow(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] || x[best] != x[best] && v == v {
			best = i
		}
	}
	return best
}
