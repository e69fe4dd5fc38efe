package suite

import (
	"fmt"
	"math"
	"strconv"
	"testing"
)

// TestCheckBatchStepCount: a run counts its steps (epochs × batches per
// epoch) in an int. MaxEpochs epochs of 2^20 one-image batches are about
// 2^40 steps: a 64-bit build runs them, a 32-bit one must refuse them
// rather than wrap the count (the cosine schedule's length) negative.
func TestCheckBatchStepCount(t *testing.T) {
	r := &Recipe{Name: "r", Dataset: "synthetic", Epochs: MaxEpochs, Batch: 1}
	err := checkBatch(r, 0, 1<<20)
	if strconv.IntSize == 64 {
		if err != nil {
			t.Fatalf("%d epochs of %d batches on a 64-bit build: %v", MaxEpochs, 1<<20, err)
		}
		return
	}
	want := fmt.Sprintf("suite: recipe r: 1000000 epochs of 1048576 batches are 1048576000000 steps, more than this build's int holds (%d): want at most %d epochs", math.MaxInt, math.MaxInt/(1<<20))
	if err == nil || err.Error() != want {
		t.Errorf("%d epochs of %d batches on a 32-bit build: error %v, want %q", MaxEpochs, 1<<20, err, want)
	}
	// The most epochs that fit are taken.
	r.Epochs = math.MaxInt / (1 << 20)
	if err := checkBatch(r, 0, 1<<20); err != nil {
		t.Errorf("%d epochs of %d batches: %v", r.Epochs, 1<<20, err)
	}
}
