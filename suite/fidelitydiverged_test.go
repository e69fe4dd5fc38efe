package suite

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestFidelityDivergedRun: fidelity of a diverged run, at its default
// states (0 and the last epoch), said the run "has no weights after
// epoch 2: gradbench run --keep-epochs keeps them", sending the user to
// retrain with a flag that cannot help: no run keeps weights after it
// diverged. It says the run diverged and which epochs can be measured.
func TestFidelityDivergedRun(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	s.Workload.Recipe.LR = 1e6
	dir, recs := runSweep(t, s, true)
	rec := recs[0]
	if rec.Status != StatusDiverged {
		t.Fatalf("a run at lr 1e6 did not diverge: status %s", rec.Status)
	}
	specs := parseSpecs(t, "ste")
	_, err := Fidelity(context.Background(), FidelitySpec{Run: RecordPath(dir, rec.Key), Estimators: specs, Batch: 8, PerStratum: 2, Reps: MinFidelityReps, EvalBatches: 1})
	d := rec.Diverged.Epoch
	want := fmt.Sprintf("suite: fidelity: run %s diverged in epoch %d: it has no weights after epoch 2, nor after any epoch from %d on; measure the epochs before (--epochs 0, its initial weights)", rec.Key, d, d)
	if err == nil || err.Error() != want || strings.Contains(err.Error(), "--keep-epochs") {
		t.Errorf("fidelity of a diverged run: %v\nwant %s", err, want)
	}
}
