package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTableUnverifiedNote: the note on records without a checksum agrees
// with their number: "1 record ... agree with themselves" read as of
// several.
func TestTableUnverifiedNote(t *testing.T) {
	_, recipe, runs := tinyWorkdir(t)
	gradbenchOK(t, "run", "--quiet", "--recipe", recipe, "--estimators", "ste", "--seeds", "2", "--out", runs)
	recs, err := filepath.Glob(filepath.Join(runs, "*.json"))
	if err != nil || len(recs) != 2 {
		t.Fatalf("records %q (%v), want 2", recs, err)
	}
	// A record from before checksums has no training segments or data
	// digests either (they came with checksums or later; a record with
	// them but no checksum is refused as edited), so all three go.
	dropChecksum := func(path string) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["checksum"]; !ok {
			t.Fatalf("%s has no checksum to drop", path)
		}
		delete(m, "checksum")
		delete(m, "segments")
		delete(m, "data")
		if b, err = json.MarshalIndent(m, "", "  "); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dropChecksum(recs[0])
	_, errOut := gradbenchOK(t, "table", "--runs", runs)
	if want := "note: 1 record, written before gradbench checksummed its records, agrees with itself but is not verified against edits (" + recs[0] + ")\n"; !strings.Contains(errOut, want) {
		t.Errorf("table over one record without a checksum: stderr\n%s\nwant %q", errOut, want)
	}
	dropChecksum(recs[1])
	_, errOut = gradbenchOK(t, "table", "--runs", runs)
	if want := "note: 2 records, written before gradbench checksummed its records, agree with themselves but are not verified against edits (" + recs[0] + ", " + recs[1] + ")\n"; !strings.Contains(errOut, want) {
		t.Errorf("table over two records without a checksum: stderr\n%s\nwant %q", errOut, want)
	}
}
