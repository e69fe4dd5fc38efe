package suite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestExprProgressChecked: a formula that is finite at every tenth of
// training but not at p = 1/3, which epoch 2 of 4 trains at, is refused
// by Sweep.Check, Run, RunCell and RunCellLocked before any cell trains
// or anything is created in the runs directory; it used to panic in the
// middle of training, leaving a checkpoint and a lock behind.
func TestExprProgressChecked(t *testing.T) {
	s := tinySweep(t, "expr:g=1/abs(p-1/3)", 1)
	s.Workload.Recipe.Epochs = 4
	const want = "suite: estimator expr:g=1/abs(p-1/3): nn: epoch 2 of 4 trains at progress p = 0.3333333333333333: estimators: expr: g(x=0) = +Inf at p=0.3333333333333333: want finite values on [-c, c] = [-1, 1]"
	dir := filepath.Join(t.TempDir(), "runs")
	r := &Runner{Dir: dir}
	c := s.Cells()[0]
	ctx := context.Background()
	for name, do := range map[string]func() error{
		"Check":         s.Check,
		"Run":           func() error { _, err := r.Run(ctx, s); return err },
		"RunCell":       func() error { _, err := r.RunCell(ctx, c); return err },
		"RunCellLocked": func() error { _, err := r.RunCellLocked(ctx, c, LockConfig{}); return err },
	} {
		if err := do(); err == nil || err.Error() != want {
			t.Errorf("%s: error = %v, want %q", name, err, want)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("%s created the runs directory (stat: %v)", name, err)
		}
	}
	// At 3 epochs (p = 0, 0.5, 1) the same formula is finite throughout.
	s.Workload.Recipe.Epochs = 3
	if err := s.Check(); err != nil {
		t.Errorf("3 epochs: %v", err)
	}
}

// TestExprProgressFidelity: fidelity measures estimators at the progress
// of each state's epoch; a formula that fails there is refused by name
// before anything is measured, not a panic. The run (4 epochs) trains
// with ste; the state after epoch 1 is measured at epoch 2's p = 1/3.
func TestExprProgressFidelity(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	s.Workload.Recipe.Epochs = 4
	dir, recs := runSweep(t, s, true)
	spec := FidelitySpec{Run: RecordPath(dir, recs[0].Key), Epochs: []int{0, 1}, Estimators: parseSpecs(t, "ste,expr:g=1/abs(p-1/3)"), Batch: 32, PerStratum: 4, Reps: MinFidelityReps, EvalBatches: 1}
	const want = `suite: fidelity: estimator expr:g=1/abs(p-1/3), state "epoch 1": nn: epoch 2 of 4 trains at progress p = 0.3333333333333333: estimators: expr: g(x=0) = +Inf at p=0.3333333333333333: want finite values on [-c, c] = [-1, 1]`
	if _, err := Fidelity(context.Background(), spec); err == nil || err.Error() != want {
		t.Errorf("Fidelity: error = %v, want %q", err, want)
	}
}
