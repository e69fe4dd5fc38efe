package fidelity

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// TestBootstrapStopsOnCancel: the resampling loops, which a large reps
// makes long, stop with the context's error once it is done, and give the
// same intervals as without a context otherwise.
func TestBootstrapStopsOnCancel(t *testing.T) {
	pred, dl := []float64{-3, -1, 2, 4, 1, 0.5}, []float64{-6, -2, 4, 8, -1, 1}
	if iv, err := BootstrapContext(context.Background(), pred, dl, 1e-6, 200, 1); err != nil || iv != Bootstrap(pred, dl, 1e-6, 200, 1) {
		t.Errorf("BootstrapContext = %+v, %v; want Bootstrap's %+v", iv, err, Bootstrap(pred, dl, 1e-6, 200, 1))
	}
	per := []Scores{Score(pred, dl, 1e-6), Score(dl, pred, 1e-6), Score(pred, pred, 1e-6)}
	wantMean, wantIV := OverBatches(per, 200, 1)
	if mean, iv, err := OverBatchesContext(context.Background(), per, 200, 1); err != nil || mean != wantMean || iv != wantIV {
		t.Errorf("OverBatchesContext = %+v, %+v, %v; want OverBatches's %+v, %+v", mean, iv, err, wantMean, wantIV)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := BootstrapContext(ctx, pred, dl, 1e-6, math.MaxInt, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("BootstrapContext past its deadline: %v, want %v", err, context.DeadlineExceeded)
	}
	if _, _, err := OverBatchesContext(ctx, per, math.MaxInt, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("OverBatchesContext past its deadline: %v, want %v", err, context.DeadlineExceeded)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("stopping took %s", d)
	}
}
