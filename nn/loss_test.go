package nn

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestCorrectTopK(t *testing.T) {
	nan := float32(math.NaN())
	// Three rows of 6 classes.
	logits := &Tensor{N: 3, C: 6, H: 1, W: 1, Data: []float32{
		0, 1, 2, 3, 4, 5,
		5, 5, 5, 5, 5, 5,
		nan, 2, nan, 1, 2, 0,
	}}
	for _, tt := range []struct {
		labels []int
		k      int
		want   int
	}{
		{[]int{5, 0, 1}, 1, 3}, // exact argmax; ties go to the lowest index; NaN ranks last
		{[]int{0, 5, 4}, 5, 1}, // class 0 is 6th in row 0; class 5 loses all ties in row 1; class 4 is 2nd in row 2
		{[]int{1, 4, 0}, 5, 3}, // in row 2, the NaN of class 0 is 5th (after the numbers, before class 2)
		{[]int{1, 4, 2}, 5, 2}, // the NaN of class 2 is 6th
		{[]int{0, 0, 0}, 6, 3}, // every class is in the top 6
	} {
		if got := CorrectTopK(logits, tt.labels, tt.k); got != tt.want {
			t.Errorf("CorrectTopK(labels %v, k %d) = %d, want %d", tt.labels, tt.k, got, tt.want)
		}
	}
	// Correct is the top 1; on rows without NaN, that is the first of the
	// largest values.
	for _, labels := range [][]int{{5, 0, 1}, {4, 1, 4}} {
		if got, want := Correct(logits, labels), CorrectTopK(logits, labels, 1); got != want {
			t.Errorf("Correct(labels %v) = %d, CorrectTopK k=1 %d", labels, got, want)
		}
	}
}

// TestSoftmaxCrossEntropyLarge checks the loss and its gradient on logits
// far apart, where exp overflows unless the row's largest value is
// subtracted first, and the refusal of a label equal to the number of
// classes: a check off by one, which let such a label index past its row
// into a runtime error, passed every test.
func TestSoftmaxCrossEntropyLarge(t *testing.T) {
	var ce SoftmaxCrossEntropy
	logits := &Tensor{N: 2, C: 3, H: 1, W: 1, Data: []float32{1000, 0, -1000, 0, 200, 0}}
	loss := ce.Forward(logits, []int{0, 0})
	if want := 200.0 / 2; math.Abs(loss-want) > 1e-9 {
		t.Errorf("loss = %v, want %v", loss, want)
	}
	d := ce.Backward().Data
	if want := []float32{0, 0, 0, -0.5, 0.5, 0}; !slices.Equal(d, want) {
		t.Errorf("gradient = %v, want %v", d, want)
	}
	checkRefusals(t, []refusal{{"label 3 of 3", func() { ce.Forward(logits, []int{0, 3}) },
		"nn: SoftmaxCrossEntropy.Forward: label 3 of row 1 is outside [0, 3)"}})
}

// TestSoftmaxCrossEntropyRefusesSmoothing: a label smoothing outside the
// documented [0, 1) was used as given, so a negative ε gave the true class
// a target above 1, ε above 1 a negative one, and NaN a loss of NaN with
// no word of why.
func TestSoftmaxCrossEntropyRefusesSmoothing(t *testing.T) {
	logits := &Tensor{N: 1, C: 3, H: 1, W: 1, Data: []float32{1, 2, 3}}
	var cases []refusal
	for _, eps := range []float64{-0.1, 1, 1.5, math.NaN(), math.Inf(1)} {
		ce := &SoftmaxCrossEntropy{Smoothing: eps}
		cases = append(cases, refusal{fmt.Sprint(eps), func() { ce.Forward(logits, []int{0}) },
			fmt.Sprintf("nn: SoftmaxCrossEntropy.Forward: label smoothing %v, want a number in [0, 1)", eps)})
	}
	checkRefusals(t, cases)
	for _, eps := range []float64{0, 0.1, 0.999} {
		ce := &SoftmaxCrossEntropy{Smoothing: eps}
		if loss := ce.Forward(logits, []int{0}); math.IsNaN(loss) {
			t.Errorf("smoothing %v: loss NaN", eps)
		}
	}
}
