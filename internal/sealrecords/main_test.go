package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/suite"
)

// TestSeal seals a copy of a committed record: the content is the same,
// with one more line, its checksum, and sealing again changes nothing.
func TestSeal(t *testing.T) {
	src := filepath.Join("..", "..", "results", "quick-ablation")
	ents, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil || len(ents) == 0 {
		t.Fatalf("no committed records in %s: %v", src, err)
	}
	dir := t.TempDir()
	orig, err := os.ReadFile(ents[0])
	if err != nil {
		t.Fatal(err)
	}
	legacy := orig
	if i := strings.Index(string(orig), ",\n\t\"checksum\": "); i >= 0 { // sealed already: unseal the copy
		legacy = append([]byte(string(orig[:i])), "\n}\n"...)
	}
	path := filepath.Join(dir, filepath.Base(ents[0]))
	if err := os.WriteFile(path, legacy, 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := seal(dir); n != 1 || err != nil {
		t.Fatalf("seal = %d, %v; want 1 record sealed", n, err)
	}
	sealed, _ := os.ReadFile(path)
	head, tail, ok := strings.Cut(string(sealed), ",\n\t\"checksum\": \"sha256:")
	if !ok || head+"\n}\n" != string(legacy) || len(tail) != 64+len("\"\n}\n") {
		t.Errorf("sealed record:\n%s\nwant the legacy one with a checksum line", sealed)
	}
	recs, err := suite.ReadRecords(dir)
	if err != nil || len(recs) != 1 || recs[0].Checksum == "" {
		t.Fatalf("sealed record reads back as %v, %v", recs, err)
	}
	if n, err := seal(dir); n != 0 || err != nil {
		t.Errorf("sealing again = %d, %v; want nothing to do", n, err)
	}
}
