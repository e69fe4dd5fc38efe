package suite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadRunOfOtherDataRefused: LoadRun (export, and the programs that
// evaluate a finished run's network) refuses a run whose record was
// trained on other files than those it opens, naming the record and the
// split that differs, as a run asked for again does; fidelity --run
// refuses one whose training split differs, the split it measures on,
// and measures one whose test split alone differs, a split it does not
// read.
// Tried as a new user would: a pixel changed in either split after the
// run finished. With the files the run was trained on, and for a record
// without data digests (written before records kept them), both load.
func TestLoadRunOfOtherDataRefused(t *testing.T) {
	a, b, data, dir, _, rec := noiseRun(t)
	path := RecordPath(dir, rec.Key)
	changed := func(sp idxSplit) idxSplit { return sp.withPixel(4321) }
	fidelity := func() error {
		_, err := Fidelity(context.Background(), FidelitySpec{Run: path, DataDir: data, Estimators: parseSpecs(t, "ste"), Batch: 8, PerStratum: 2, Reps: MinFidelityReps, EvalBatches: 1})
		return err
	}
	for _, tc := range []struct {
		name           string
		train, test    idxSplit
		split          string
		fidelityRefuse bool
	}{
		{"training pixel", changed(a), b, "training split", true},
		{"test pixel", a, changed(b), "test split", false},
	} {
		writeFMNIST(t, data, tc.train, tc.test)
		refused := func(what string, err error) {
			t.Helper()
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "other data") || !strings.Contains(err.Error(), tc.split) {
				t.Errorf("%s, %s: error %v; want a refusal naming %s and its %s", tc.name, what, err, path, tc.split)
			}
		}
		_, err := LoadRun(context.Background(), path, data)
		refused("LoadRun", err)
		_, err = Export(context.Background(), path, filepath.Join(t.TempDir(), "m.gbnn"), data)
		refused("Export", err)
		if tc.fidelityRefuse {
			refused("Fidelity", fidelity())
		} else if err := fidelity(); err != nil {
			t.Errorf("%s, Fidelity, which does not read the test split: %v", tc.name, err)
		}
	}
	writeFMNIST(t, data, a, b)
	if _, err := LoadRun(context.Background(), path, data); err != nil {
		t.Errorf("LoadRun with the files the run was trained on: %v", err)
	}
	// A record without data digests: loaded whatever the files.
	dropDigests(t, dir, rec.Key)
	writeFMNIST(t, data, changed(a), changed(b))
	if _, err := LoadRun(context.Background(), path, data); err != nil {
		t.Errorf("LoadRun of a record without data digests: %v", err)
	}
}

// TestFidelityReadsTrainingSplitAlone: fidelity --run reads the training
// split alone, the one it measures on: a run is measured, and refused for
// another training split, with its test split's files gone, where it
// failed opening a split it does not read. Tried as a new user would: the
// test files deleted from the data directory after the run finished.
func TestFidelityReadsTrainingSplitAlone(t *testing.T) {
	a, b, data, dir, _, rec := noiseRun(t)
	path := RecordPath(dir, rec.Key)
	fidelity := func() error {
		_, err := Fidelity(context.Background(), FidelitySpec{Run: path, DataDir: data, Estimators: parseSpecs(t, "ste"), Batch: 8, PerStratum: 2, Reps: MinFidelityReps, EvalBatches: 1})
		return err
	}
	for _, name := range []string{"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		if err := os.Remove(filepath.Join(data, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := fidelity(); err != nil {
		t.Errorf("Fidelity with the test split's files gone: %v", err)
	}
	c := a.withPixel(4321)
	writeFMNIST(t, data, c, b)
	for _, name := range []string{"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		if err := os.Remove(filepath.Join(data, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := fidelity(); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "training split") || strings.Contains(err.Error(), "test split") {
		t.Errorf("Fidelity with a training pixel changed and no test files: error %v; want a refusal naming %s and its training split alone", err, path)
	}
}

// TestEvalOfOtherDataRefused: export writes the digest of the run's test
// split into the model file, and eval refuses a test split of the model's
// dataset with another digest, naming the model file and both digests,
// where it measured the other images' top-1 beside the run's as the same
// images'. Tried as a new user would: a test pixel changed after export.
// A changed training split, which eval does not read, and a model file
// without the digest (exported before records kept them) are evaluated.
func TestEvalOfOtherDataRefused(t *testing.T) {
	a, b, data, dir, _, rec := noiseRun(t)
	model := filepath.Join(t.TempDir(), "m.gbnn")
	if _, err := Export(context.Background(), RecordPath(dir, rec.Key), model, data); err != nil {
		t.Fatal(err)
	}
	eval := func() error {
		_, err := Evaluate(context.Background(), EvalOptions{Model: model, DataDir: data})
		return err
	}
	if err := eval(); err != nil {
		t.Fatalf("eval with the files the run was trained on: %v", err)
	}
	changed := func(sp idxSplit) idxSplit { return sp.withPixel(1234) }
	writeFMNIST(t, data, changed(a), b)
	if err := eval(); err != nil {
		t.Errorf("eval with another training split, which it does not read: %v", err)
	}
	writeFMNIST(t, data, a, changed(b))
	if err := eval(); err == nil || !strings.Contains(err.Error(), model) || !strings.Contains(err.Error(), "other data") || !strings.Contains(err.Error(), rec.Data.Test) {
		t.Errorf("eval with a test pixel changed: error %v; want a refusal naming %s and the run's test digest", err, model)
	}
	// The same model file exported from the record without its digests.
	dropDigests(t, dir, rec.Key)
	if _, err := Export(context.Background(), RecordPath(dir, rec.Key), model, data); err != nil {
		t.Fatal(err)
	}
	if err := eval(); err != nil {
		t.Errorf("eval of a model file without the test split's digest: %v", err)
	}
}

// dropDigests writes the record of key in dir again without its data
// digests, as records were written before they kept them.
func dropDigests(t *testing.T, dir, key string) {
	t.Helper()
	older, err := ReadRecord(dir, key)
	if err != nil {
		t.Fatal(err)
	}
	older.Data = nil
	if err := WriteRecord(dir, older); err != nil {
		t.Fatal(err)
	}
}
