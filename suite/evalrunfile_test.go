package suite

import (
	"context"
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
	dir := t.TempDir()
	r := fakeRecord(&w, "ste", 1, 80)
	if err := WriteRecord(dir, r); err != nil {
		t.Fatal(err)
	}
	record := RecordPath(dir, r.Key)
	export := "gradbench export --run " + record
	for name, kind := range map[string]string{
		r.Key + ".json":       "a run record (<key>.json)",
		r.Key + ".weights":    "a run's weights (*.weights)",
		r.Key + ".e1.weights": "a run's weights (*.weights)",
		r.Key + ".ckpt":       "a run's epoch checkpoint (*.ckpt)",
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
	// Without a run's key in its name, the record's name is not known.
	path := filepath.Join(t.TempDir(), "net.weights")
	if err := os.WriteFile(path, []byte("GBCKPT\x00\n\x01\x00\x00\x00rest"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "suite: eval: " + path + ": it is a run's weights (*.weights), not a model file: gradbench export --run <key>.json (the run's record) packs a finished run's network into one, for eval"
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
