package suite

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvalOfARunsFile: a run's record, weights or checkpoint given to
// eval in place of a model file, the mistake of a user who has a finished
// run and not yet exported it, is refused saying what the file is and
// which export makes a model file of its run, not only that its magic is
// bad. A model file under such a name, cut short, is told as such alone.
func TestEvalOfARunsFile(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 2
	dir := t.TempDir()
	r := fakeRecord(&w, "ste", 1, 80)
	if err := WriteRecord(dir, r); err != nil {
		t.Fatal(err)
	}
	record := RecordPath(dir, r.Key)
	export := "gradbench export --run " + record
	for name, kind := range map[string]string{
		r.Key + ".json":    "a run record (<key>.json)",
		r.Key + ".weights": "a run's weights (*.weights)",
		r.Key + ".ckpt":    "a run's epoch checkpoint (*.ckpt)",
	} {
		path := filepath.Join(dir, name)
		if name != r.Key+".json" {
			if err := os.WriteFile(path, []byte("GBCKPT\x00\n\x01\x00\x00\x00rest"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := Evaluate(context.Background(), EvalOptions{Model: path})
		want := "suite: eval: " + path + ": it is " + kind + " of run " + r.Key + ", not a model file: " + export + " packs that run's network into one, for eval"
		if err == nil || err.Error() != want {
			t.Errorf("Evaluate(%s) error = %v\nwant %s", name, err, want)
		}
	}
	// The weights after an epoch but the last (--keep-epochs): the hint
	// named the run's export alone, which packs the final network, and
	// so read as if it exported the epoch's. It says which epoch they
	// hold, and that export packs the final network, not theirs.
	epoch := filepath.Join(dir, r.Key+".e1.weights")
	if err := os.WriteFile(epoch, []byte("GBCKPT\x00\n\x01\x00\x00\x00rest"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "suite: eval: " + epoch + ": it is the weights of run " + r.Key + " after epoch 1 of 2, kept by gradbench run --keep-epochs, not a model file: gradbench export packs a run's final network alone, after its last epoch, not the weights after an earlier one (" + export + " packs run " + r.Key + "'s final network into one, for eval)"
	if _, err := Evaluate(context.Background(), EvalOptions{Model: epoch}); err == nil || err.Error() != want {
		t.Errorf("Evaluate(%s.e1.weights) error = %v\nwant %s", r.Key, err, want)
	}
	// Without the record, the number of epochs is not known.
	elsewhere := filepath.Join(t.TempDir(), r.Key+".e1.weights")
	if err := os.Rename(epoch, elsewhere); err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(context.Background(), EvalOptions{Model: elsewhere}); err == nil || !strings.Contains(err.Error(), "after epoch 1, kept by") {
		t.Errorf("Evaluate(%s.e1.weights) without its record: error = %v, want it to say the epoch", r.Key, err)
	}
	// The checkpoint of a run that has not finished (no record): export
	// refuses it until the run finishes, which the hint says.
	ckpt := filepath.Join(filepath.Dir(elsewhere), r.Key+".ckpt")
	if err := os.WriteFile(ckpt, []byte("GBCKPT\x00\n\x01\x00\x00\x00rest"), 0o644); err != nil {
		t.Fatal(err)
	}
	want = "suite: eval: " + ckpt + ": it is a run's epoch checkpoint (*.ckpt) of run " + r.Key + ", which has not finished, not a model file: once the run has finished (running its gradbench run again resumes it from this checkpoint), gradbench export --run " + RecordPath(filepath.Dir(ckpt), r.Key) + " packs its network into one, for eval"
	if _, err := Evaluate(context.Background(), EvalOptions{Model: ckpt}); err == nil || err.Error() != want {
		t.Errorf("Evaluate(an unfinished run's checkpoint) error = %v\nwant %s", err, want)
	}
	// A diverged run's record: it has no network to export.
	d := fakeRecord(&w, "fda", 1, math.NaN())
	if err := WriteRecord(dir, d); err != nil {
		t.Fatal(err)
	}
	want = "suite: eval: " + RecordPath(dir, d.Key) + ": it is a run record (<key>.json) of run " + d.Key + ", not a model file, and the run diverged at epoch 2: it has no trained network to export for eval"
	if _, err := Evaluate(context.Background(), EvalOptions{Model: RecordPath(dir, d.Key)}); err == nil || err.Error() != want {
		t.Errorf("Evaluate(a diverged run's record) error = %v\nwant %s", err, want)
	}
	// Without a run's key in its name, the record's name is not known.
	path := filepath.Join(t.TempDir(), "net.weights")
	if err := os.WriteFile(path, []byte("GBCKPT\x00\n\x01\x00\x00\x00rest"), 0o644); err != nil {
		t.Fatal(err)
	}
	want = "suite: eval: " + path + ": it is a run's weights (*.weights), not a model file: gradbench export --run <key>.json (the run's record) packs a finished run's network into one, for eval"
	if _, err := Evaluate(context.Background(), EvalOptions{Model: path}); err == nil || err.Error() != want {
		t.Errorf("Evaluate(net.weights) error = %v\nwant %s", err, want)
	}
	// A model file named as a record, cut short: no word of records.
	path = filepath.Join(t.TempDir(), r.Key+".json")
	if err := os.WriteFile(path, []byte("GBNN\x00\r\n\x1a\x01\x00\x00\x00xx"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(context.Background(), EvalOptions{Model: path}); err == nil || strings.Contains(err.Error(), "run record") {
		t.Errorf("Evaluate(a damaged model file named as a record) error = %v, want one that does not call it a record", err)
	}
}
