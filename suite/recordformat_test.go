package suite

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestRecordOfANewerFormat: a record written by a newer gradbench, whose
// format version is above FormatVersion, is refused by both readers with
// its version and this build's, not tabulated as a workload of its own
// (its key, which hashes the version, differs from every key of this
// build: the table would have had two headings that read the same) nor
// called corrupted with "delete it to retrain the run": it is a newer
// build's result, which that build reads. The fields a newer format adds
// are no reason to call it edited by hand either.
func TestRecordOfANewerFormat(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 2
	dir := t.TempDir()
	if err := WriteRecord(dir, fakeRecord(&w, "ste", 1, 80)); err != nil {
		t.Fatal(err)
	}
	newer := fakeRecord(&w, "ste", 2, 70)
	newer.Config.Format = FormatVersion + 1
	newer.Key = newer.Config.Key()
	if err := WriteRecord(dir, newer); err != nil {
		t.Fatal(err)
	}
	path := RecordPath(dir, newer.Key)
	// Reading the directory, the refusal says how to tabulate the
	// others; reading the one record (export --run, fidelity --run, a
	// run's own cell), it said that too, which asked nothing of the kind.
	want := "suite: record " + path + ": format version 2, and this build reads version 1: written by a newer gradbench, which reads it; this build cannot"
	wantDir := want + " (move it out of the runs directory to tabulate the others with this build)"
	if rs, err := ReadRecords(dir); err == nil || err.Error() != wantDir {
		t.Errorf("ReadRecords(a newer format's record) = %d records, %v\nwant %s", len(rs), err, wantDir)
	}
	if _, err := ReadRecord(dir, newer.Key); err == nil || err.Error() != want {
		t.Errorf("ReadRecord(a newer format's record) error = %v\nwant %s", err, want)
	}
	if _, err := LoadRun(context.Background(), path, ""); err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("LoadRun(a newer format's record) error = %v\nwant one ending %s", err, want)
	}
	// With a field this build does not know, as a newer format may add.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	added := strings.Replace(string(b), `"status"`, `"newer_field": 1, "status"`, 1)
	if added == string(b) {
		t.Fatalf("no status in the record:\n%s", b)
	}
	if err := os.WriteFile(path, []byte(added), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRecord(dir, newer.Key); err == nil || err.Error() != want {
		t.Errorf("ReadRecord(a newer format's record with a field of its own) error = %v\nwant %s", err, want)
	}
}
