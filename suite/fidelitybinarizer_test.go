package suite

import (
	"context"
	"strings"
	"testing"
)

// TestFidelityRefusesBinarizers: fidelity's true loss is that of the sign
// network, and δ = −2·sign(w)·∂L_E/∂b. An estimator whose weights' forward
// pass is not sign(w) (BiPer's sign(sin(ω·w))) computes its gradient on
// another network, whose codes differ from sign(w) wherever |w| > π/ω, and
// a run trained with one holds weights whose binary network is not the
// sign network fidelity flips: both are refused by name, not measured.
func TestFidelityRefusesBinarizers(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	spec := FidelitySpec{Init: true, Workload: &s.Workload, Seed: 1, Estimators: parseSpecs(t, "ste,w=biper/a=approxsign"),
		Batch: 8, PerStratum: 2, Reps: MinFidelityReps, EvalBatches: 1}
	_, err := Fidelity(context.Background(), spec)
	if err == nil || !strings.Contains(err.Error(), "w=biper/a=approxsign") || !strings.Contains(err.Error(), "sign(w)") {
		t.Errorf("measuring w=biper/a=approxsign: error %v, want a refusal naming it and sign(w)", err)
	}

	dir, recs := runSweep(t, tinySweep(t, "w=biper/a=ste", 1), false)
	spec = FidelitySpec{Run: RecordPath(dir, recs[0].Key), Estimators: parseSpecs(t, "ste"),
		Batch: 8, PerStratum: 2, Reps: MinFidelityReps, EvalBatches: 1}
	_, err = Fidelity(context.Background(), spec)
	if err == nil || !strings.Contains(err.Error(), recs[0].Key) || !strings.Contains(err.Error(), "sign(w)") {
		t.Errorf("measuring a run trained with w=biper/a=ste: error %v, want a refusal naming the run and sign(w)", err)
	}
}
