package suite

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/fidelity"
	"github.com/gradbench/gradbench/internal/racebuild"
	"github.com/gradbench/gradbench/nn"
)

// TestFidelityTrainedEstimatorState: the states went through a network of
// the plain sign estimator, so an estimator's own trained state (the noise
// adaptation's weights of fda+na, DSQ's learned α) never reached the
// measurement: a run measured mid-training with its own estimator was
// measured with that state's initial values, silently. An estimator that
// is the run's spec is now measured with the run's trained state: its
// scores at epoch 1 of 3 (where the noise adaptation's α is not 0) are
// those of δ from the run's own network after epoch 1, and differ from
// those of δ with the initial estimator state. An estimator with state of
// its own measured on a run trained with another is listed in
// FidelityResult.Initial and the markdown, and not at the initial state,
// where every estimator's state is its initial one.
func TestFidelityTrainedEstimatorState(t *testing.T) {
	// Numerics of the state measured; the fidelity tests kept under -race
	// take its concurrent passes.
	racebuild.Skip(t, "it checks which estimator state is measured, with no goroutines of its own; the openblas and purego builds run it in full")
	s := tinySweep(t, "fda+na,dsq:learn=true", 1)
	s.Workload.Recipe.Epochs = 3
	dir, recs := runSweep(t, s, true)
	ctx := context.Background()
	for _, rec := range recs {
		es, err := rec.Config.EstimatorSpec()
		if err != nil {
			t.Fatal(err)
		}
		spec := FidelitySpec{Run: RecordPath(dir, rec.Key), Epochs: []int{1}, Estimators: []estimators.Spec{es}, Batch: 8, PerStratum: 4, Reps: MinFidelityReps, EvalBatches: 1}
		res, err := Fidelity(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Initial) != 0 {
			t.Errorf("%s on its own run: listed as measured with its initial state: %+v", es, res.Initial)
		}

		// The same state, batches and sites by hand: δ of the run's own
		// network after epoch 1, at the progress of epoch 1.
		cfg, states, _, _, err := spec.states()
		if err != nil {
			t.Fatal(err)
		}
		st := states[0]
		train, err := openTrainSplit(ctx, cfg.Dataset, "")
		if err != nil {
			t.Fatal(err)
		}
		pool, _, _ := fidelityImages(cfg, train)
		evals, trainBatch, err := fidelityBatches(ctx, train, pool, spec.Batch, cfg.Batch, 1)
		if err != nil {
			t.Fatal(err)
		}
		mc := cfg.modelConfig(train)
		ref, err := mc.build(estimators.MustParse("ste"), cfg.Seed)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.load(&ref.Net, train); err != nil {
			t.Fatal(err)
		}
		sites := fidelity.Sample(&ref.Net, spec.PerStratum, cfg.Seed)
		own, err := st.own(train)
		if err != nil {
			t.Fatal(err)
		}
		nn.SetProgress(own, fidelityProgress(st, cfg))
		var ce nn.SoftmaxCrossEntropy
		trained := fidelity.Predicted(own, &ce, evals[0], sites)
		base, dl := fidelity.TrueChanges(&ref.Net, &ce, evals[0], sites, nil)
		if got, want := res.States[0].Rows[0].Overall, fidelity.Score(trained, dl, flipNoise(base)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s at epoch 1 of its own run: scores %+v, want %+v, those of the run's own δ", es, got, want)
		}
		// With the estimator's initial state, as before: another δ, so the
		// comparison above tells the two apart.
		preds, _, _, initial, err := fidelityEstimator(mc, es, cfg, st, &ref.Net, nil, evals, trainBatch, sites)
		if err != nil {
			t.Fatal(err)
		}
		if len(initial) == 0 || slices.Equal(preds[0], trained) {
			t.Errorf("%s: δ with the initial estimator state (params %v) is the trained one's: the run trained none of its state", es, initial)
		}
	}

	// dsq:learn=true on the fda+na run: its α is not in that run's weights.
	var na *Record
	for _, rec := range recs {
		if rec.Config.Estimator == "fda+na" {
			na = rec
		}
	}
	if na == nil {
		t.Fatalf("no fda+na run among %d", len(recs))
	}
	other := parseSpecs(t, "ste,dsq:learn=true")
	for _, tc := range []struct {
		epochs []int
		listed bool
	}{{[]int{0}, false}, {[]int{0, 1}, true}} {
		res, err := Fidelity(ctx, FidelitySpec{Run: RecordPath(dir, na.Key), Epochs: tc.epochs, Estimators: other, Batch: 8, PerStratum: 4, Reps: MinFidelityReps, EvalBatches: 1})
		if err != nil {
			t.Fatal(err)
		}
		// The rows say so at the trained state alone: dsq:learn=true's
		// at epoch 1, neither at epoch 0, nor ste's (no state of its own).
		for k, st := range res.States {
			for _, row := range st.Rows {
				if want := tc.listed && k == 1 && row.Estimator == "dsq:learn=true"; row.Initial != want {
					t.Errorf("epochs %v of the fda+na run: %s at %s has Initial %v, want %v", tc.epochs, row.Estimator, st.Name, row.Initial, want)
				}
			}
		}
		if !tc.listed {
			if len(res.Initial) != 0 {
				t.Errorf("epochs %v of the fda+na run: %+v listed as at its initial state, which every estimator's is at epoch 0", tc.epochs, res.Initial)
			}
			continue
		}
		if len(res.Initial) != 1 || res.Initial[0].Estimator != "dsq:learn=true" || len(res.Initial[0].Params) == 0 {
			t.Fatalf("epochs %v of the fda+na run: Initial %+v, want dsq:learn=true with its α", tc.epochs, res.Initial)
		}
		var md bytes.Buffer
		if err := res.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		if want := "dsq:learn=true is measured at the trained states with its own trainable state (" + res.Initial[0].Params[0]; !bytes.Contains(md.Bytes(), []byte(want)) {
			t.Errorf("the markdown does not say %q:\n%s", want, md.String()[:min(md.Len(), 600)])
		}
	}
}
