package suite

import (
	"context"
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/data"
)

// TestFidelityBatchesFromRunImages: fidelity drew its evaluation and
// training batches from the whole training split, whatever the run's
// train_subset or validation split, so a run of the quick recipe (10,000
// of 60,000 images) was measured mostly on images it never trained on.
// The batches now come from the images the run's loader chooses.
func TestFidelityBatchesFromRunImages(t *testing.T) {
	train, _, err := OpenDataset(context.Background(), "synthetic", "")
	if err != nil {
		t.Fatal(err)
	}
	key := func(x []float32) string {
		b := make([]byte, 4*len(x))
		for i, v := range x {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		return string(b)
	}
	for _, pool := range []data.Config{
		{Seed: 3, Subset: 96},
		{Seed: 3, Holdout: train.N / 2},
		{Seed: 4, Subset: 200, Holdout: 100},
	} {
		// The images a run with that subset and holdout trains on.
		rc := pool
		rc.BatchSize = 8
		l, err := data.NewLoader(train, rc)
		if err != nil {
			t.Fatal(err)
		}
		ran := map[string]bool{}
		it := l.Epoch(context.Background(), 0)
		for it.Next() {
			b := it.Batch()
			per := b.C * b.H * b.W
			for i := range b.N {
				ran[key(b.X[i*per:][:per])] = true
			}
		}
		it.Close()
		l.Close()
		evals, step, err := fidelityBatches(context.Background(), train, pool, 16, 8, 3)
		if err != nil {
			t.Fatal(err)
		}
		// The first evaluation batch is the first batch of the run's
		// seeded shuffle of its images (epoch 0), images and labels.
		sc := pool
		sc.BatchSize, sc.Shuffle = 16, true
		sl, err := data.NewLoader(train, sc)
		if err != nil {
			t.Fatal(err)
		}
		sit := sl.Epoch(context.Background(), 0)
		if !sit.Next() {
			t.Fatal(sit.Err())
		}
		first := sit.Batch()
		labels := make([]int, first.N)
		for i, y := range first.Y {
			labels[i] = int(y)
		}
		if !slices.Equal(evals[0].X.Data, first.X[:len(evals[0].X.Data)]) || !slices.Equal(evals[0].Labels, labels) {
			t.Errorf("subset %d, holdout %d: the first evaluation batch is not the first batch of the seeded shuffle, with its labels", pool.Subset, pool.Holdout)
		}
		sit.Close()
		sl.Close()
		// The first evaluation batch and the training batch are the same
		// whatever the number of evaluation batches, the training batch
		// the one after the first.
		evals1, step1, err := fidelityBatches(context.Background(), train, pool, 16, 8, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(evals1[0].X.Data, evals[0].X.Data) || !slices.Equal(step1.X.Data, step.X.Data) || !slices.Equal(step1.Labels, step.Labels) || step.X.N != 8 {
			t.Errorf("subset %d, holdout %d: the first evaluation batch or the training batch (%d images) differ between 1 and 3 evaluation batches", pool.Subset, pool.Holdout, step.X.N)
		}
		for i, b := range append(evals, step) {
			per := b.X.C * b.X.H * b.X.W
			out := 0
			for j := range b.X.N {
				if !ran[key(b.X.Data[j*per:][:per])] {
					out++
				}
			}
			if out > 0 {
				t.Errorf("subset %d, holdout %d: batch %d has %d of %d images the run does not train on", pool.Subset, pool.Holdout, i, out, b.X.N)
			}
		}
	}
}
