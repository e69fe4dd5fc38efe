package suite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/dirtest"
)

// TestPlotsWriteAsOutputs: a plot written on its own (Surrogates.WriteSVG;
// the others are files of a batch, see outputBatch) is written as every
// output is (WriteOutput): atomically, the old file replaced by a new one rather
// than rewritten in place (a hard link to the old file keeps its old
// content, as does a reader that had it open), and never over a file a run
// owns. Deliberate bugs that wrote them with os.WriteFile passed every
// test.
func TestPlotsWriteAsOutputs(t *testing.T) {
	s, err := EvalSurrogates(SurrogateOptions{Estimators: "ste", From: -1, To: 1, Points: 5})
	if err != nil {
		t.Fatal(err)
	}
	for name, write := range map[string]func(string) error{
		"curves WriteSVG": s.WriteSVG,
	} {
		dir := t.TempDir()
		path, link := filepath.Join(dir, "plot.svg"), filepath.Join(dir, "old.svg")
		dirtest.HardLinked(t, path, "old", link)
		if err := write(path); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b, err := os.ReadFile(link); err != nil || string(b) != "old" {
			t.Errorf("%s rewrote the old file in place: a hard link to it now holds %.20q (%v)", name, b, err)
		}
		if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), "<svg") {
			t.Errorf("%s: %s holds %.20q (%v), want the picture", name, path, b, err)
		}
		owned := filepath.Join(dir, "0123456789abcdef.weights")
		if err := os.WriteFile(owned, []byte("weights"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := write(owned); err == nil || !strings.Contains(err.Error(), "which only gradbench run writes and no output may replace") {
			t.Errorf("%s over a run's weights: %v, want a refusal", name, err)
		}
		if b, _ := os.ReadFile(owned); string(b) != "weights" {
			t.Errorf("%s replaced a run's weights", name)
		}
	}
}
