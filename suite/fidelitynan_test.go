package suite

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/nn"
)

// TestFidelityNonFiniteLoss: a state whose loss is not finite made the
// noise threshold NaN, which fidelity.Score refuses by panicking, inside
// a goroutine: the command crashed. The state is refused with an error
// naming it and the loss.
func TestFidelityNonFiniteLoss(t *testing.T) {
	dir, recs := runSweep(t, tinySweep(t, "ste", 1), true)
	rec := recs[0]
	train, _, err := OpenDataset(rec.Config.Dataset, "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := rec.Config.modelConfig(train).buildTrained()
	if err != nil {
		t.Fatal(err)
	}
	path := EpochWeightsPath(dir, rec.Key, 1)
	if err := loadWeights(path, rec.Key, 1, m.Net); err != nil {
		t.Fatal(err)
	}
	// Every parameter NaN: the logits, and so the loss, are NaN.
	for _, p := range nn.Params(m.Net) {
		for i := range p.Data {
			p.Data[i] = float32(math.NaN())
		}
	}
	if err := saveWeights(path, rec.Key, 1, m.Net); err != nil {
		t.Fatal(err)
	}
	specs := parseSpecs(t, "ste")
	spec := FidelitySpec{Run: RecordPath(dir, rec.Key), Epochs: []int{1}, Estimators: specs, Batch: 8, PerStratum: 2, Reps: MinFidelityReps, EvalBatches: 1}
	_, err = Fidelity(context.Background(), spec)
	if want := "suite: fidelity: epoch 1: the network's loss on evaluation batch 1 is NaN: its outputs are not finite"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("fidelity of a state whose loss is NaN: %v, want %s…", err, want)
	}
}
