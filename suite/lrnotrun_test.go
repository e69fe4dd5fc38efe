package suite

import (
	"bytes"
	"strings"
	"testing"
)

// TestLRTableShowsNotRun: gradbench table --ablation lr --estimators
// ste,fda --missing=show over a grid that ran ste alone printed ste's
// choice and nothing of fda, where every other table with --missing=show
// names it as not run: the lr table returned before the line. A workload
// without a grid says so and names it too.
func TestLRTableShowsNotRun(t *testing.T) {
	grid := []*Record{gridRecord("ste", 1, 1, 80, 0.5, 70), gridRecord("ste", 3, 1, 81, 0.5, 71)}
	plain := []*Record{findingRecord("ste", 1, 80, 0.5)}
	for what, rs := range map[string][]*Record{"grid": grid, "no grid": plain} {
		var b bytes.Buffer
		if err := writeTable(&b, TableLR, rs, []string{"ste", "fda"}, true); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); !strings.HasSuffix(got, "\nNot run (no records): fda.\n") {
			t.Errorf("%s: lr table with fda not run, --missing=show: want a last line naming fda:\n%s", what, got)
		}
		b.Reset()
		if err := writeTable(&b, TableLR, rs, []string{"ste", "fda"}, false); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "Not run") {
			t.Errorf("%s: lr table without --missing=show names estimators not run:\n%s", what, b.String())
		}
	}
}
