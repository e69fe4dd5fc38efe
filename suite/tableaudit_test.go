package suite

import (
	"math"
	"testing"
)

// The diverged column lists the epochs runs stopped at in increasing
// order, whatever the order of their seeds: seed 1 stopped at epoch 3,
// seed 2 at epoch 2.
func TestTableDivergedEpochsSorted(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 3 // so that a NaN top-1 diverges
	late := fakeRecord(&w, "fda", 1, math.NaN())
	late.Diverged.Epoch = 3
	rs := []*Record{fakeRecord(&w, "ste", 1, 80), fakeRecord(&w, "ste", 2, 81), late, fakeRecord(&w, "fda", 2, math.NaN())}
	hasAll(t, "main table", tableText(t, TableMain, rs, nil), "| fda | – | 0 | 2 (epochs 2, 3) |")
}
