package suite

import (
	"context"
	"reflect"
	"testing"

	"github.com/gradbench/gradbench/fidelity"
	"github.com/gradbench/gradbench/nn"
)

// TestFidelityRecomputed measures the tiny recipe's initial state with two
// estimators on two evaluation batches and computes every number again
// here from package fidelity's parts: the flips on each batch, each
// estimator's δ on each batch and gradients on the first and on the
// training batch, the scores with their noise thresholds and intervals,
// the descent steps (gradients of the training batch, the loss of the
// evaluation batch) and the agreement. The other tests compared Fidelity
// with itself, so deliberate bugs that took the first batch's δ for every
// batch's, the evaluation batch's gradient for the descent or measured
// the descent on the training batch passed.
func TestFidelityRecomputed(t *testing.T) {
	r := parseTinyRecipe(t)
	wl := &Workload{Recipe: *r}
	const seed, per, reps, nb, batch = 2, 3, MinFidelityReps, 2, 8
	specs := parseSpecs(t, "ste,approxsign")
	res, err := Fidelity(context.Background(), FidelitySpec{Init: true, Workload: wl, Seed: seed, Estimators: specs,
		Batch: batch, PerStratum: per, Reps: reps, EvalBatches: nb})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.States) != 1 {
		t.Fatalf("%d states, want the initial one", len(res.States))
	}
	st := res.States[0]
	if want := "initial state of seed 2, " + wl.Label(); res.Label != want || st.Name != "epoch 0" {
		t.Errorf("label %q, state %q; want %q, epoch 0", res.Label, st.Name, want)
	}

	cfg := wl.config()
	cfg.Seed = seed
	train, _, err := OpenDataset(context.Background(), cfg.Dataset, "")
	if err != nil {
		t.Fatal(err)
	}
	pool, _, _ := fidelityImages(cfg, train)
	evals, trainBatch, err := fidelityBatches(context.Background(), train, pool, batch, cfg.Batch, nb)
	if err != nil {
		t.Fatal(err)
	}
	mc := cfg.modelConfig(train)
	ref, err := mc.build(specs[0], seed)
	if err != nil {
		t.Fatal(err)
	}
	var ce nn.SoftmaxCrossEntropy
	sites := fidelity.Sample(&ref.Net, per, seed)
	bases := make([]float64, nb)
	dls := make([][]float64, nb)
	for k := range nb {
		bases[k], dls[k] = fidelity.TrueChanges(&ref.Net, &ce, evals[k], sites, nil)
	}
	if st.Loss != bases[0] {
		t.Errorf("true loss %v, want %v (the first evaluation batch's)", st.Loss, bases[0])
	}
	var grads, tgs [][][]float32
	for i, e := range specs {
		m, err := mc.build(e, seed)
		if err != nil {
			t.Fatal(err)
		}
		fidelity.CopyState(&m.Net, &ref.Net)
		nn.SetProgress(&m.Net, nn.Progress{Epoch: 0, Epochs: cfg.Epochs})
		row := st.Rows[i]
		for k := range nb {
			pred := fidelity.Predicted(&m.Net, &ce, evals[k], sites)
			want := fidelity.Score(pred, dls[k], flipNoise(bases[k]))
			if !reflect.DeepEqual(row.Batches[k], want) {
				t.Errorf("%s: scores on batch %d %+v, want %+v", e, k+1, row.Batches[k], want)
			}
			if k > 0 {
				continue
			}
			if !reflect.DeepEqual(row.Overall, want) {
				t.Errorf("%s: overall scores %+v, want the first batch's %+v", e, row.Overall, want)
			}
			if iv := fidelity.Bootstrap(pred, dls[0], flipNoise(bases[0]), reps, seed); !reflect.DeepEqual(row.CI, iv) {
				t.Errorf("%s: interval %+v, want %+v", e, row.CI, iv)
			}
		}
		grads = append(grads, fidelity.LatentGrads(&m.Net, &ce, evals[0]))
		tgs = append(tgs, fidelity.LatentGrads(&m.Net, &ce, trainBatch))
		if mean, iv := fidelity.OverBatches(row.Batches, reps, seed); !reflect.DeepEqual(row.BatchMean, mean) || !reflect.DeepEqual(row.BatchCI, iv) {
			t.Errorf("%s: over batches %+v %+v, want %+v %+v", e, row.BatchMean, row.BatchCI, mean, iv)
		}
	}
	dirs, etas := descentSteps(cfg.LR, seed, tgs)
	for i := range dirs {
		want := fidelity.Descent(&ref.Net, &ce, evals[0], dirs[i], etas[i])
		got := st.Random
		if i < len(specs) {
			got = st.Descent[i]
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("descent along direction %d: %+v, want %+v", i, got, want)
		}
	}
	for l := range res.Layers {
		if c := fidelity.Cosine(grads[0][l], grads[1][l]); st.Cosine[l][0][1] != c || st.Cosine[l][1][0] != c {
			t.Errorf("layer %d: agreement %v, want %v", l, st.Cosine[l], c)
		}
	}
}
