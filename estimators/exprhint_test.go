package estimators

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/racebuild"
)

// TestExprJumpHint: a formula that jumps where no knot was declared is
// refused with the knot to declare, and declaring it makes the spec
// parse: the hint is where g jumps (0 for a jump at x = 0), not the check
// point nearest it. A formula that is too steep but does not jump gets no
// knot to declare, as one would not help.
func TestExprJumpHint(t *testing.T) {
	// Parsing and its refusal on one goroutine: nothing for the race detector.
	racebuild.Skip(t, "it checks the refusal's words only, with no goroutines of its own; the openblas and purego builds run it in full")
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

// TestExprJumpsNamed: tried as a new user would, expr:g=floor(x)+2 was
// refused with "the error is +Inf·max|g| near x=-2.76357e-76, where g
// jumps: declare the jump with knots=0": Inf arithmetic, and only one of
// its jumps. The refusal now says where g jumps, from what to what, each
// jump it finds, and the knots that declare them; a jump at the clip,
// where no knot can be, is said to be one.
func TestExprJumpsNamed(t *testing.T) {
	// Parsing and its refusal on one goroutine: nothing for the race detector.
	racebuild.Skip(t, "it checks the refusal's words only, with no goroutines of its own; the openblas and purego builds run it in full")
	for _, tc := range []struct {
		spec    string
		want    []string
		knots   string // the knots that make the spec parse, "" if none can
		without string // what the refusal must not say
	}{
		{"expr:g=floor(x)+2", []string{
			"expr: g jumps at x≈0 (from 1 to 2) and x≈1 (from 2 to 3) at p=0, where no knot is declared",
			"the jump at x≈1 is at the clip c=1, where no knot can be (knots lie in [0, c)): lower c below it, or raise c past it and declare it as a knot; declare the others with knots=0",
		}, "", "Inf"},
		{"expr:g=floor(x)+2,knots=0", []string{"g jumps at x≈1 (from 2 to 3) at p=0", "at the clip c=1"}, "", "declare the others"},
		{"expr:g=floor(x)+2,c=1.5", []string{
			"g jumps at x≈-1 (from 0 to 1), x≈0 (from 1 to 2) and x≈1 (from 2 to 3) at p=0, where no knot is declared, and linear interpolation cannot follow a jump: declare them with knots=0;1",
		}, "0;1", "Inf"},
		{"expr:g=floor(x)+2,c=0.5", []string{"g jumps at x≈0 (from 1 to 2) at p=0", "declare it with knots=0"}, "0", "Inf"},
		{"expr:g=floor(2*x)+3,c=0.9", []string{"x≈-0.5 (from 1 to 2), x≈0 (from 2 to 3) and x≈0.5 (from 3 to 4)", "declare them with knots=0;0.5"}, "0;0.5", "Inf"},
	} {
		_, err := New(tc.spec)
		if err == nil {
			t.Errorf("%s: no error, want the undeclared jumps refused", tc.spec)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v\nwant it to say %q", tc.spec, err, w)
			}
		}
		if strings.Contains(err.Error(), tc.without) {
			t.Errorf("%s: %v\nwant it not to say %q", tc.spec, err, tc.without)
		}
		if tc.knots != "" {
			if _, err := New(tc.spec + ",knots=" + tc.knots); err != nil {
				t.Errorf("%s with the knots the refusal asked for, knots=%s: %v", tc.spec, tc.knots, err)
			}
		}
	}
}
