package suite

import (
	"strings"
	"testing"
)

// TestLRTableOrder: the learning-rate table listed its estimators in the
// order of their first records, which ReadRecords sorts by name, so
// gradbench table --ablation lr --estimators ste,fda,approxsign printed
// approxsign, fda, ste, where every other table (and gradbench run's lr
// table) follows --estimators. Without an order it is the other tables'
// too: ste first, then by name. The choice shown above the main table of
// a grid follows the same order as the main table's rows.
func TestLRTableOrder(t *testing.T) {
	var rs []*Record
	for _, spec := range []string{"approxsign", "fda", "ste"} {
		rs = append(rs, gridRecord(spec, 1, 1, 80, 0.5, 70), gridRecord(spec, 3, 1, 81, 0.5, 70))
	}
	sortRecords(rs) // as ReadRecords returns them
	for _, tc := range []struct {
		order, want []string
	}{
		{[]string{"ste", "fda", "approxsign"}, []string{"ste", "fda", "approxsign"}},
		{[]string{"fda", "approxsign", "ste"}, []string{"fda", "approxsign", "ste"}},
		{[]string{"fda"}, []string{"fda", "ste", "approxsign"}},
		{nil, []string{"ste", "approxsign", "fda"}},
	} {
		for _, name := range []string{TableLR, TableMain} {
			table := tableText(t, name, rs, tc.order)
			if got := firstColumn(table); strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("%s table, order %v: learning rates chosen for %v, want %v:\n%s", name, tc.order, got, tc.want, table)
			}
		}
	}
}

// firstColumn returns the first cells of the body rows of the first
// markdown table in text.
func firstColumn(text string) []string {
	var cells []string
	row := 0
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "|") {
			if row > 0 {
				break
			}
			continue
		}
		if row++; row <= 2 { // the header and its rule
			continue
		}
		cells = append(cells, strings.TrimSpace(strings.Split(line, "|")[1]))
	}
	return cells
}
