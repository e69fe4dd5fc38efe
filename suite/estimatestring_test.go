package suite

import (
	"strings"
	"testing"
	"time"
)

// TestEstimateStringUnderASecond: a sweep expected to take 0.4 s was
// announced as "about a second (0 s)", the words and the number at odds;
// the seconds keep a decimal where rounding to a whole one would say 0 or
// lose most of the value.
func TestEstimateStringUnderASecond(t *testing.T) {
	for _, tc := range []struct {
		total time.Duration
		want  string
	}{
		{400 * time.Millisecond, "expected: about a second (0.4 s) for the 1 of 2 cells"},
		{4200 * time.Millisecond, "expected: about 4s (4.2 s) for the 1 of 2 cells"},
		{95 * time.Second, "expected: about 1m35s (95 s) for the 1 of 2 cells"},
	} {
		got := Estimate{Cells: 2, Pending: 1, Total: tc.total, Basis: "b"}.String()
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%v: %q, want it to begin %q", tc.total, got, tc.want)
		}
	}
}
