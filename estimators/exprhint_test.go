package estimators

import (
	"regexp"
	"strings"
	"testing"
)

// TestExprJumpHint: a formula that jumps where no knot was declared is
// refused with the knot to declare, and declaring it makes the spec
// parse: the hint is where g jumps (0 for a jump at x = 0), not the check
// point nearest it. A formula that is too steep but does not jump gets no
// knot to declare, as one would not help.
func TestExprJumpHint(t *testing.T) {
	knot := regexp.MustCompile(`knots=([^) ]+)`)
	for _, tc := range []struct{ spec, want string }{
		{"expr:g=abs(x) > 0.123456 ? 1 : 2", "0.123456"},
		{"expr:g=x > 1e-6 ? 2 : 1", "1e-06"},
		{"expr:g=x > 0 ? 2 : 1", "0"},
		{"expr:g=x >= 0 ? 1 : 0", "0"},
		{"expr:g=x < -0.7 ? 1 : 2,c=2", "0.7"},
		{"expr:g=abs(x) > 0.3 ? 1 : 0", "0.3"},
	} {
		_, err := New(tc.spec)
		if err == nil {
			t.Errorf("%s: no error, want a refusal of the undeclared jump", tc.spec)
			continue
		}
		m := knot.FindStringSubmatch(err.Error())
		if m == nil || m[1] != tc.want {
			t.Errorf("%s: %v\nwant it to say knots=%s", tc.spec, err, tc.want)
			continue
		}
		if _, err := New(tc.spec + ",knots=" + m[1]); err != nil {
			t.Errorf("%s with the knot the refusal asked for, knots=%s: %v", tc.spec, m[1], err)
		}
	}
	// No jump: g = sqrt(|x|) is continuous, only too steep at 0.
	_, err := New("expr:g=abs(x)**0.5")
	if err == nil || strings.Contains(err.Error(), "knots=") || !strings.Contains(err.Error(), "too fast") {
		t.Errorf("expr:g=abs(x)**0.5: %v, want a refusal saying g varies too fast, with no knot to declare", err)
	}
}
