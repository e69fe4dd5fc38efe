package suite

import (
	"testing"

	"github.com/gradbench/gradbench/nn"
)

// TestCorrectTop5FewClasses checks that the top-5 accuracy of a dataset
// with fewer than 5 classes counts every row instead of asking
// nn.CorrectTopK for more classes than there are, which it refuses.
func TestCorrectTop5FewClasses(t *testing.T) {
	logits := &nn.Tensor{N: 2, C: 3, H: 1, W: 1, Data: []float32{1, 2, 3, 3, 2, 1}}
	if got := correctTop5(logits, []int{0, 2}); got != 2 {
		t.Errorf("correctTop5 of 3 classes = %d, want 2 (every row)", got)
	}
	logits = &nn.Tensor{N: 1, C: 6, H: 1, W: 1, Data: []float32{6, 5, 4, 3, 2, 1}}
	if got := correctTop5(logits, []int{5}); got != 0 {
		t.Errorf("correctTop5 of the smallest of 6 classes = %d, want 0", got)
	}
}
