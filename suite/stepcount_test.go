package suite

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/recipetest"
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

// TestSweepTotalPast32Bits: Event.Total counts the steps of the whole
// sweep, cells × epochs × steps per epoch, which passes 2^31 where each
// run's own count still fits in a 32-bit int (checkBatch): two cells of
// MaxEpochs epochs of 2048 one-image batches are 4096000000 steps. A
// 32-bit build that counted them in an int reported -198967296. The
// sweep is stopped at its first step, whose event carries the total.
func TestSweepTotalPast32Bits(t *testing.T) {
	rc, err := ParseRecipe(strings.NewReader(recipetest.Tiny("long", MaxEpochs, 1, 0, 32)), "long")
	if err != nil {
		t.Fatal(err)
	}
	s := &Sweep{Workload: Workload{Recipe: *rc}, Specs: parseSpecs(t, "ste"), Seeds: []uint64{1, 2}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var first *Event
	r := &Runner{Dir: t.TempDir(), Progress: func(e Event) {
		if e.Kind == EventStep && first == nil {
			first = &e
			cancel()
		}
	}}
	if _, err := r.Run(ctx, s); !errors.Is(err, context.Canceled) {
		t.Fatalf("the sweep cancelled at its first step returned %v, want %v", err, context.Canceled)
	}
	if first == nil {
		t.Fatal("the sweep reported no training step")
	}
	if first.Steps != 2048 || first.Epochs != MaxEpochs {
		t.Fatalf("the first step's run has %d epochs of %d steps, want %d of 2048", first.Epochs, first.Steps, MaxEpochs)
	}
	const want int64 = 2 * MaxEpochs * 2048
	if first.Done != 1 || first.Total != want {
		t.Errorf("the first step of the sweep reports %d of %d steps done, want 1 of %d", first.Done, first.Total, want)
	}
}
