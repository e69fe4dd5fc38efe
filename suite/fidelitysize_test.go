package suite

import (
	"context"
	"strings"
	"testing"
)

// TestFidelityImages: the images the batches come from are the run's
// training subset, or the training split less the validation split a
// learning-rate grid holds out, and the refusals name them so.
func TestFidelityImages(t *testing.T) {
	train, _, err := OpenDataset(context.Background(), "synthetic", "")
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 2048 {
		t.Fatalf("the synthetic training split has %d images, want 2048", train.N)
	}
	for _, tc := range []struct {
		subset     int
		validation float64
		holdout, n int
		what       string
	}{
		{0, 0, 0, 2048, "training images of synthetic"},
		{32, 0, 0, 32, "images of the run's train_subset of synthetic"},
		{2048, 0, 0, 2048, "training images of synthetic"},
		{0, 0.1, 205, 1843, "training images of synthetic that the run's validation split (205 images) leaves"},
		{300, 0.2, 410, 300, "images of the run's train_subset of synthetic"},
	} {
		cfg := Config{Dataset: "synthetic", Seed: 3, TrainSubset: tc.subset, Validation: tc.validation}
		pool, n, what := fidelityImages(cfg, train)
		if pool.Seed != 3 || pool.Subset != tc.subset || pool.Holdout != tc.holdout || n != tc.n || what != tc.what {
			t.Errorf("subset %d, validation %g: pool %+v, %d %q; want holdout %d, %d %q", tc.subset, tc.validation, pool, n, what, tc.holdout, tc.n, tc.what)
		}
	}
}

// TestFidelityBatchTooLarge: an evaluation batch, or evaluation batches
// and the training batch between the first two, that the run's images
// cannot fill are refused with the numbers that fit, before any network
// is built.
func TestFidelityBatchTooLarge(t *testing.T) {
	r := parseTinyRecipe(t) // train_subset 32
	for _, tc := range []struct {
		batch, nb int
		typed     Typed
		want      string
	}{
		{40, 1, nil, "suite: fidelity: --batch 40 is more than the 32 images of the run's train_subset of synthetic: want at most 31, which leaves one for the training batch after it"},
		{32, 1, nil, "suite: fidelity: --batch 32 takes all the 32 images of the run's train_subset of synthetic, leaving none for the training batch after it: want at most 31"},
		{12, 2, nil, "suite: fidelity: --eval-batches 2 with --batch 12: the evaluation batches and the batch between the first two (the training batch's) need 36 images, more than the 32 images of the run's train_subset of synthetic"},
		// Quoted as typed, not as the parsed numbers print.
		{40, 1, Typed{"batch": "040"}, "suite: fidelity: --batch 040 is more than the 32 images"},
		{32, 1, Typed{"batch": "0032"}, "suite: fidelity: --batch 0032 takes all the 32 images"},
		{12, 2, Typed{"batch": "012", "eval-batches": "02"}, "suite: fidelity: --eval-batches 02 with --batch 012: "},
	} {
		spec := FidelitySpec{Init: true, Workload: &Workload{Recipe: *r}, Seed: 1, Estimators: parseSpecs(t, "ste"), Batch: tc.batch, PerStratum: 1, Reps: MinFidelityReps, EvalBatches: tc.nb, Typed: tc.typed}
		if _, err := Fidelity(context.Background(), spec); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("batch %d × %d, typed %v: %v\nwant %s", tc.batch, tc.nb, tc.typed, err, tc.want)
		}
	}
}
