package suite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckOutputs: the output rule refuses a runs directory's files by
// name, an input however its path is spelled (another spelling, a hard
// link), and two outputs that are one file; it lets every other file be.
func TestCheckOutputs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.json")
	if err := os.WriteFile(in, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.txt")
	if err := os.Link(in, link); err != nil {
		t.Skip("no hard links:", err)
	}
	inputs := []NamedFile{{"--run", in}}
	for _, tc := range []struct {
		out  []NamedFile
		want string // "" for no error
	}{
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789abcdef.json")}}, "it names a run record"},
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789abcdef.weights")}}, "it names a run's weights"},
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789abcdef.e3.weights")}}, "it names a run's weights"},
		{[]NamedFile{{"--out", filepath.Join(dir, "any.weights")}}, "it names a run's weights"},
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789abcdef.ckpt")}}, "epoch checkpoint"},
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789abcdef.lock")}}, "cell lock"},
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789abcdef.lock.stale-12ab")}}, "cell lock"},
		{[]NamedFile{{"--out", filepath.Join(dir, "sub", "..", "in.json")}}, "same file as --run " + in + ", which this command reads"},
		{[]NamedFile{{"--out", link}}, "same file as --run " + in + ", which this command reads"},
		{[]NamedFile{{"--a", filepath.Join(dir, "o.svg")}, {"--b", filepath.Join(dir, "o.svg")}}, "--b " + filepath.Join(dir, "o.svg") + ": refusing to write there: it is the same file as --a"},
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789ABCDEF.json")}}, ""}, // not a key: keys are lower-case hex
		{[]NamedFile{{"--out", filepath.Join(dir, "recipe.json")}}, ""},
		{[]NamedFile{{"--out", filepath.Join(dir, "table.md")}, {"--bench", ""}, {"--x", ""}}, ""},
	} {
		err := CheckOutputs(tc.out, inputs)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckOutputs(%v) = %v, want %q", tc.out, err, tc.want)
		}
	}
}

// TestWriteOutputRefusesRunFiles: WriteOutput itself refuses a runs
// directory's file, whatever name a caller derived, and leaves it as it
// was.
func TestWriteOutputRefusesRunFiles(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "0123456789abcdef.json")
	os.WriteFile(rec, []byte("record"), 0o644)
	err := WriteOutput(rec, []byte("table"))
	if err == nil || !strings.Contains(err.Error(), "writing "+rec+": refusing: it names a run record") {
		t.Errorf("WriteOutput(record) = %v", err)
	}
	if b, _ := os.ReadFile(rec); string(b) != "record" {
		t.Errorf("record now %q", b)
	}
}
