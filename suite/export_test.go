package suite

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/nn/checkpoint"
)

// TestModelConfigMeta: a model file's metadata reads back as the
// configuration that wrote it, and a missing or malformed entry is named.
func TestModelConfigMeta(t *testing.T) {
	mc := ModelConfig{Model: "resnet20", Dataset: "fashion-mnist", C: 1, H: 28, W: 28, Classes: 10, Width: 0.5, Binarize: "both", Estimator: "fda+na"}
	got, err := modelConfigOf(mc.meta())
	if err != nil || got != mc {
		t.Fatalf("modelConfigOf(meta()) = %+v, %v; want %+v", got, err, mc)
	}
	for _, key := range []string{"model", "dataset", "input", "classes", "width"} {
		meta := mc.meta()
		meta[key] = ""
		if key == "input" {
			meta[key] = "1x28"
		}
		if _, err := modelConfigOf(meta); err == nil || !strings.Contains(err.Error(), "metadata "+key+" = ") {
			t.Errorf("metadata without %s: error %v, want one naming it", key, err)
		}
	}
}

// TestWeightsBelongToTheirRun: LoadRun (export, eval) and fidelity refuse
// a run's weights file that holds another run's weights, or an earlier
// epoch's in place of the final ones; a weights file written before
// weights named their run still loads.
func TestWeightsBelongToTheirRun(t *testing.T) {
	s := tinySweep(t, "ste,fda", 1)
	s.Workload.Recipe.Epochs = 2
	dir := t.TempDir()
	recs, err := (&Runner{Dir: dir, KeepEpochs: true}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, r := range recs {
		keys[r.Config.Estimator] = r.Key
	}
	ste, fda := keys["ste"], keys["fda"]
	lr, err := LoadRun(RecordPath(dir, ste), "")
	if err != nil {
		t.Fatal(err)
	}
	final := WeightsPath(dir, ste)
	own, _ := os.ReadFile(final)
	put := func(path string) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err == nil {
			err = os.WriteFile(final, b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ from, want string }{
		{WeightsPath(dir, fda), " holds the weights of run " + fda + " after epoch 2, not of run " + ste + " after epoch 2: copied or renamed by hand"},
		{EpochWeightsPath(dir, ste, 1), " holds the weights of run " + ste + " after epoch 1, not of run " + ste + " after epoch 2: copied or renamed by hand"},
	} {
		put(tc.from)
		if _, err := LoadRun(RecordPath(dir, ste), ""); err == nil || !strings.HasSuffix(err.Error(), final+tc.want) {
			t.Errorf("LoadRun with %s as the final weights: error %v, want ...%s%s", tc.from, err, final, tc.want)
		}
		_, states, _, err := FidelitySpec{Run: RecordPath(dir, ste)}.states()
		if err != nil {
			t.Fatal(err)
		}
		if err := states[len(states)-1].load(&lr.Model.Net); err == nil || !strings.HasSuffix(err.Error(), final+tc.want) {
			t.Errorf("fidelity with %s as the final weights: error %v, want ...%s%s", tc.from, err, final, tc.want)
		}
	}
	// Weights written before they named their run: no key, no epoch.
	if err := os.WriteFile(final, own, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkpoint.Save(final, &checkpoint.State{Net: lr.Model.Net}); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRun(RecordPath(dir, ste), ""); err != nil {
		t.Errorf("LoadRun of weights without their run's key: %v", err)
	}
}
