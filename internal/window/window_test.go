package window

import (
	"strings"
	"testing"
)

// TestOut checks floor mode and that an input smaller than the window
// with its padding is not ok (integer division rounds (2−3)/2 + 1 up to 1).
func TestOut(t *testing.T) {
	for _, tc := range []struct {
		k, s, p, h, w, oh, ow int
		ok                    bool
	}{
		{3, 1, 1, 5, 7, 5, 7, true},
		{3, 2, 0, 3, 4, 1, 1, true},
		{3, 2, 1, 32, 31, 16, 16, true},
		{2, 2, 0, 5, 4, 2, 2, true},
		{3, 2, 0, 2, 2, 1, 1, false},
		{3, 1, 0, 3, 2, 1, 0, false},
	} {
		oh, ow, ok := Out(tc.k, tc.s, tc.p, tc.h, tc.w)
		if ok != tc.ok || (ok && (oh != tc.oh || ow != tc.ow)) {
			t.Errorf("Out(%d, %d, %d, %d, %d) = %d, %d, %v, want %d, %d, %v", tc.k, tc.s, tc.p, tc.h, tc.w, oh, ow, ok, tc.oh, tc.ow, tc.ok)
		}
	}
}

// TestSize checks Size's refusals and their messages.
func TestSize(t *testing.T) {
	for _, tc := range []struct {
		k, s, p, h, w int
		want          string
	}{
		{1, 1, 0, 0, 3, "sizes must be >= 1"},
		{1, 1, 0, 3, -1, "sizes must be >= 1"},
		{3, 2, 0, 2, 2, "input 2x2 is smaller than the 3x3 kernel with padding 0"},
		{5, 1, 1, 4, 2, "input 4x2 is smaller than the 5x5 kernel with padding 1"},
	} {
		_, _, err := Size("kernel", tc.k, tc.s, tc.p, tc.h, tc.w)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Size(%d, %d, %d, %d, %d) = %v, want an error containing %q", tc.k, tc.s, tc.p, tc.h, tc.w, err, tc.want)
		}
	}
	if oh, ow, err := Size("kernel", 3, 2, 1, 32, 31); err != nil || oh != 16 || ow != 16 {
		t.Errorf("Size(3, 2, 1, 32, 31) = %d, %d, %v, want 16, 16, nil", oh, ow, err)
	}
}
