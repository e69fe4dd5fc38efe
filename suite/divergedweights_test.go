package suite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestDivergedKeepsNoFinalWeights: a diverged run wrote its network as its
// final weights <key>.weights, labelled as the weights after the last
// epoch it finished. A run at lr 1e6 diverges on its test loss after
// epoch 2: the file held the network trained through epoch 2 (perhaps
// NaN) and said epoch 1. A diverged run writes none, and removes one left
// at that path; with KeepEpochs it keeps the weights of the epoch it
// finished, as they are; and export and fidelity, whichever file names
// the run, say that it diverged.
func TestDivergedKeepsNoFinalWeights(t *testing.T) {
	ctx := context.Background()
	s := tinySweep(t, "ste", 1)
	s.Workload.Recipe.Epochs = 3
	s.Workload.Recipe.LR = 1e6
	key := s.Cells()[0].Key()
	dir := t.TempDir()
	// Left at the run's final weights, as by a build that wrote them for
	// diverged runs too.
	if err := os.WriteFile(WeightsPath(dir, key), []byte("left over"), 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := (&Runner{Dir: dir, KeepEpochs: true}).Run(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	rec := recs[0]
	if rec.Status != StatusDiverged || rec.Diverged == nil || rec.Diverged.Epoch != 2 || len(rec.Epochs) != 1 {
		t.Fatalf("a run at lr 1e6: status %s, divergence %+v, %d epochs recorded; want diverged in epoch 2, epoch 1 recorded", rec.Status, rec.Diverged, len(rec.Epochs))
	}
	for _, p := range []string{WeightsPath(dir, key), EpochWeightsPath(dir, key, 2), CheckpointPath(dir, key)} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the run that diverged in epoch 2 left %s (stat: %v): it has no weights after epoch 2, nor after epoch 1 but %s", p, err, EpochWeightsPath(dir, key, 1))
		}
	}
	m := trainedModel(t, rec)
	if err := loadWeights(EpochWeightsPath(dir, key, 1), key, 1, m.Net); err != nil {
		t.Errorf("the weights the diverged run kept after epoch 1: %v", err)
	}

	specs := parseSpecs(t, "ste")
	for _, run := range []string{RecordPath(dir, key), WeightsPath(dir, key)} {
		_, err := Export(context.Background(), run, filepath.Join(t.TempDir(), "model.gbnn"), "")
		want := fmt.Sprintf("suite: export: run %s diverged at epoch 2: it has no trained network", key)
		if err == nil || err.Error() != want {
			t.Errorf("export --run %s: %v, want %s", run, err, want)
		}
		_, err = Fidelity(ctx, FidelitySpec{Run: run, Estimators: specs, Batch: 8, PerStratum: 2, Reps: MinFidelityReps, EvalBatches: 1})
		want = fmt.Sprintf("suite: fidelity: run %s diverged in epoch 2: it has no weights after epoch 3, nor after any epoch from 2 on; measure the epochs before (--epochs 0, its initial weights)", key)
		if err == nil || err.Error() != want {
			t.Errorf("fidelity --run %s: %v, want %s", run, err, want)
		}
	}
	// Done: running it again, with KeepEpochs, trains nothing and finds
	// nothing missing.
	if _, err := (&Runner{Dir: dir, KeepEpochs: true}).Run(ctx, s); err != nil {
		t.Errorf("Run with KeepEpochs again over the diverged run: %v", err)
	}
}
