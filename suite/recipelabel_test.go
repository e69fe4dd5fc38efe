package suite

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
)

// TestRunLabelsSweepRecipe: a recipe file with the same values as another
// shares its cached runs (the name is not part of a key), and a sweep run
// with it labels its tables and names its curves files after its own
// recipe, as gradbench plan lists it and as Sweep.OutputFiles (checked
// before training) names them, not after the recipe that first trained a
// record.
func TestRunLabelsSweepRecipe(t *testing.T) {
	first := tinySweep(t, "ste", 1)
	first.Workload.Recipe.Epochs = 1
	first.Optimizers = []string{"sgd", "adam"} // a curves file per workload, named after the recipe
	dir, _ := runSweep(t, first, false)

	again := tinySweep(t, "ste,fda", 1)
	again.Workload.Recipe.Epochs = 1
	again.Workload.Recipe.Name = "again"
	again.Optimizers = first.Optimizers
	recs, err := (&Runner{Dir: dir}).Run(context.Background(), again)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if rec.Recipe != "again" {
			t.Errorf("record %s of the sweep of recipe again: labelled recipe %q", rec.Key, rec.Recipe)
		}
	}
	tables, err := SweepTables(recs, []string{"ste", "fda"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if head, _, _ := bytes.Cut(tables, []byte("\n")); !strings.Contains(string(head), "recipe again:") {
		t.Errorf("table heading of the sweep of recipe again: %s", head)
	}
	files, _, err := WriteSweepOutputs(dir, tables, recs, []string{"ste", "fda"})
	if err != nil {
		t.Fatal(err)
	}
	names, err := again.OutputFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range names {
		if !slices.ContainsFunc(files, func(p string) bool { return strings.HasSuffix(p, "/"+f) }) {
			t.Errorf("OutputFiles names %s, which the sweep did not write (it wrote %s)", f, strings.Join(files, ", "))
		}
	}
	// The record on disk keeps the name it was trained under.
	rec, err := ReadRecord(dir, recs[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Recipe != "tiny" {
		t.Errorf("record %s on disk: recipe %q, want tiny, the recipe that trained it", rec.Key, rec.Recipe)
	}
	// Sweep.Records, of which gradbench run --no-train writes the files,
	// returns the records as Run does: in the sweep's order, labelled
	// with its recipe; and the cells without a record apart.
	got, unrecorded, err := again.Records(dir)
	if err != nil || len(unrecorded) != 0 || len(got) != len(recs) {
		t.Fatalf("Records: %d records, %d cells without, %v; want the %d of Run", len(got), len(unrecorded), err, len(recs))
	}
	for i, r := range got {
		if r.Key != recs[i].Key || r.Recipe != "again" {
			t.Errorf("Records[%d]: key %s recipe %q, want key %s recipe again", i, r.Key, r.Recipe, recs[i].Key)
		}
	}
	more := tinySweep(t, "ste,fda,dsq", 1)
	more.Workload.Recipe.Epochs = 1
	more.Optimizers = first.Optimizers
	if got, unrecorded, err := more.Records(dir); err != nil || len(got) != 4 || len(unrecorded) != 2 || unrecorded[0].Spec.String() != "dsq" {
		t.Errorf("Records of a sweep with dsq, never run: %d records, cells without %v, %v; want 4, and dsq's 2", len(got), unrecorded, err)
	}
}
