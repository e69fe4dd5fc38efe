package suite

import (
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

// TestPairNotesHolmFloorCapped: with more comparisons than 2^n/2, k·2/2^n
// is above 1, but p (Holm) is capped at 1: the note says the floor is 1,
// as the findings do, not a p above 1.
func TestPairNotesHolmFloorCapped(t *testing.T) {
	prs := make([]*pairing, 40)
	for i := range prs {
		prs[i] = &pairing{D: []float64{1, 2, 3, 4, 5, 6}, P: 0.03125}
	}
	got := pairNotes(baseline, prs)
	texttest.ContainsAll(t, "40 comparisons of 6 pairs", got,
		"With 40 comparisons and at most 6 paired seeds, p (Holm) cannot go below min(1, 40 × 2/2^6) = 1, so no row can be marked in it: use --seeds 11 or more.")
	if strings.Contains(got, "= 1.2") {
		t.Errorf("a floor above 1:\n%s", got)
	}
}
