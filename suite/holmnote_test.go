package suite

import (
	"math"
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

// TestPairNotesFewSeedsNameHolmSeeds: the note to a table of too few
// seeds for any p below 0.05 names the seeds p (Holm) needs over the
// table's comparisons, where they are more than the 6 p needs. It said
// only "use --seeds 6 or more", with which, for 2 or more comparisons, no
// row can be marked in p (Holm) (2 × 2/2^6 = 0.0625): a user who trained
// 6 seeds as told then read that he needed more.
func TestPairNotesFewSeedsNameHolmSeeds(t *testing.T) {
	pairs := func(k int, d ...float64) []*pairing {
		prs := []*pairing{nil} // the baseline's own row
		for range k {
			p := math.NaN()
			if len(d) > 1 {
				p = 0.25
			}
			prs = append(prs, &pairing{D: d, P: p})
		}
		return prs
	}
	for _, tc := range []struct {
		what string
		prs  []*pairing
		want string
	}{
		{"1 comparison of 3 pairs", pairs(1, 1, 2, 3),
			" With at most 3 paired seeds the sign-flip p cannot go below 2/2^3 = 0.25, so no difference can reach p < 0.05: use --seeds 6 or more (the t interval may exclude 0 with fewer)."},
		{"3 comparisons of 3 pairs", pairs(3, 1, 2, 3),
			" With at most 3 paired seeds the sign-flip p cannot go below 2/2^3 = 0.25, so no difference can reach p < 0.05: use --seeds 6 or more (the t interval may exclude 0 with fewer; 7 or more for p (Holm) to go below 0.05 over the table's 3 comparisons)."},
		{"8 comparisons of 3 pairs", pairs(8, 1, 2, 3),
			" With at most 3 paired seeds the sign-flip p cannot go below 2/2^3 = 0.25, so no difference can reach p < 0.05: use --seeds 6 or more (the t interval may exclude 0 with fewer; 9 or more for p (Holm) to go below 0.05 over the table's 8 comparisons)."},
		{"1 comparison of 1 pair", pairs(1, 1),
			" With one paired seed there is no CI or p: use --seeds 6 or more to test differences."},
		{"2 comparisons of 1 pair", pairs(2, 1),
			" With one paired seed there is no CI or p: use --seeds 6 or more to test differences (7 or more for p (Holm) to go below 0.05 over the table's 2 comparisons)."},
	} {
		if got := pairNotes(baseline, tc.prs); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.what, got, tc.want)
		}
	}
}
