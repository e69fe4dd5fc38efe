package estimators

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gradbench/gradbench/internal/racebuild"
)

// tableOf returns the table an expr: spec builds at p = 0.
func tableOf(t *testing.T, spec string) *exprTable {
	t.Helper()
	e, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	return e.(*Expr).tab
}

// TestExprTableKnownError checks the tabulation check on g = 1 + B·x²,
// whose linear interpolation error on an interval of width h is exactly
// B·h²/4, at its midpoint: the grid must be the coarsest power-of-two step
// with B·h²/4 <= 1e-5·max|g| (max|g| = 1 + B on [-1, 1]), and the check
// must report that error.
func TestExprTableKnownError(t *testing.T) {
	for _, b := range []float64{0.5, 1, 10, 300} {
		spec := "expr:g=1 + " + formatFloat(b) + "*x*x"
		tab := tableOf(t, spec)
		h := 1 / float64(tab.invh)
		peak := 1 + b
		want := b * h * h / 4 / peak
		if math.Abs(tab.worst-want) > 1e-7 {
			t.Errorf("%s: check error %.4g·max|g|, want B·h²/4/max|g| = %.4g (h = %g)", spec, tab.worst, want, h)
		}
		if want > exprTol {
			t.Errorf("%s: h = %g gives error %.3g > %g, want a finer grid", spec, h, want, exprTol)
		}
		if coarser := b * 4 * h * h / 4 / peak; coarser <= exprTol && h < 1.0/32 {
			t.Errorf("%s: h = %g, but 2h = %g already meets the bound (error %.3g)", spec, h, 2*h, coarser)
		}
		if tab.peak != peak {
			t.Errorf("%s: peak %g, want %g", spec, tab.peak, peak)
		}
		t.Logf("%s: h = 2^%d, %d nodes, error %.3g·max|g|", spec, int(math.Log2(h)), len(tab.tab)/2, tab.worst)
	}
}

// TestExprTableKinksAndKnots: a kink off the lattice is found and cut
// (a few hundred nodes, not 10^5), a declared jump is exact on both sides
// of it, an undeclared one is refused.
func TestExprTableKinksAndKnots(t *testing.T) {
	racebuild.Skip(t, "it checks numerics only, with no goroutines of its own; the openblas and purego builds run it in full")
	tab := tableOf(t, "expr:g=max(0, 1 - abs(x)/0.3),c=1")
	if n := len(tab.tab) / 2; n > 1000 || tab.worst > exprTol {
		t.Errorf("kink at 0.3: %d nodes, error %.3g, want < 1000 nodes within %g", n, tab.worst, exprTol)
	}
	e, _ := New("expr:g=abs(x) < 0.3 ? 2 : 1,knots=0.3")
	k := float32(0.3)
	for _, x := range []float32{math.Nextafter32(k, 0), k, math.Nextafter32(k, 1), -k, -math.Nextafter32(k, 1)} {
		want := float32(1)
		if math.Abs(float64(x)) < 0.3 {
			want = 2
		}
		g := []float32{0}
		e.Backward(g, []float32{x}, []float32{1})
		if g[0] != want {
			t.Errorf("jump at 0.3: g(%g) = %g, want %g", x, g[0], want)
		}
	}
	if _, err := New("expr:g=abs(x) < 0.3 ? 2 : 1"); err == nil || !strings.Contains(err.Error(), "knots=0.3") {
		t.Errorf("undeclared jump: err = %v, want a refusal suggesting knots=0.3", err)
	}
}

func TestExprErrors(t *testing.T) {
	racebuild.Skip(t, "it checks the refusals' words only, with no goroutines of its own; the openblas and purego builds run it in full")
	intRange := fmt.Sprintf("integer constants are int%d, at most %d", strconv.IntSize, math.MaxInt)
	for _, tc := range []struct{ spec, want string }{
		{"expr:g=y", `unknown name y`},
		{"expr:g=x > 0", `formula "x > 0"`},
		{"expr:g=1/x", `g(x=0) = +Inf at p=0: want finite values`},
		{"expr:g=log(abs(x)-0.5)", `want finite values`},
		{"expr:g=x", `g(x=-1) = -1 < 0 at p=0: want g >= 0`},
		{"expr:g=0*x", `g is 0 everywhere`},
		{"expr:g=p < 0.5 ? 1 : -1", `< 0 at p=0.5`},
		{"expr:g=1,knots=1", `bad value knots="1": knot "1": want a number in [0, c) = [0, 1)`},
		// The spec's form is checked before c is known: no "[0, +Inf)".
		{"expr:g=1,knots=-1", `bad value knots="-1": knot "-1": want a number in [0, c)` + "\x00"},
		{"expr:g=1,knots=0.1;0.1", `knot 0.1 given twice`},
		// ParseFloat takes '_' between digits after a base prefix; a knot
		// is a plain number.
		{"expr:g=1,knots=0x1_0p-5", `bad value knots="0x1_0p-5": knot "0x1_0p-5": want a number in [0, c)`},
		{"expr:g=1,knots=0.1;0.2;0.3;0.4;0.5;0.6;0.7;0.8", `want at most 7`},
		// A nonzero knot float64 cannot hold parsed as 0 without a word.
		{"expr:g=1,knots=1e-400", `bad value knots="1e-400": knot "1e-400": underflows to 0 in float64 (its smallest magnitude is 5e-324): want 0 or a number in [2.2250738585072014e-308, c)`},
		// Tried as a new user would: a subnormal knot was kept with fewer
		// digits than written, and one past float64 was "not a number in
		// [0, c)".
		{"expr:g=1,knots=1.2345678901234567e-320", `bad value knots="1.2345678901234567e-320": knot "1.2345678901234567e-320": underflows to a subnormal in float64, 1.2347e-320, which holds fewer digits (its smallest normal magnitude is 2.2250738585072014e-308): want 0 or a number in [2.2250738585072014e-308, c)`},
		{"expr:g=1,knots=1e400", `bad value knots="1e400": knot "1e400": overflows float64 to +Inf (its largest magnitude is 1.7976931348623157e+308): want a number in [0, c)`},
		{"expr:g=1,knots=0.5;0x1p-1100", `knot "0x1p-1100": underflows to 0 in float64`},
		// The value named is the one given, not its canonical form.
		{"expr:g=1,c=2,knots=1.9999999999999999", `bad value knots="1.9999999999999999": knot "2": want a number in [0, c) = [0, 2)`},
		{"expr:g=1,c=0", `bad value c="0"`},
		// A constant part that is not finite is named, with why, rather
		// than shown folded ("folds to \"x + +Inf\", which does not read
		// back").
		{"expr:g=1/0 + x", `formula "1/0 + x": 1 / 0 divides by zero, which gives +Inf: a formula's constant parts must be finite (at column 2)` + "\x00"},
		{"expr:g=x + 2*(0/0)", `formula "x + 2*(0/0)": 0 / 0 divides by zero, which gives NaN`},
		{"expr:g=1e308*10", `formula "1e308*10": 1e308 * 10 overflows float64 (its largest magnitude is 1.7976931348623157e+308), which gives +Inf: a formula's constant parts must be finite (at column 6)`},
		{"expr:g=x*(-(1e200*1e200))", `1e200 * 1e200 overflows float64`},
		{"expr:g=2^2000", `2 ^ 2000 overflows float64`},
		{"expr:g=max(x, 0 ** -1)", `0 ** (-1) divides by zero (0 to a negative power), which gives +Inf`},
		{"expr:g=x + (-1) ** 0.5", `(-1) ** 0.5 is not a real number (a negative number to a fractional power), which gives NaN`},
		// An integer constant past int64 says so, and how to write it.
		{"expr:g=99999999999999999999", `formula "99999999999999999999": the integer 99999999999999999999 is out of range: ` + intRange + `; write it with a decimal point (99999999999999999999.0) to make it a float64 (at column 1)` + "\x00"},
		{"expr:g=x + 1_000_000_000_000_000_000_000", `the integer 1_000_000_000_000_000_000_000 is out of range: ` + intRange + `; write it with a decimal point (1_000_000_000_000_000_000_000.0) to make it a float64 (at column 5)`},
		{"expr:g=0x99999999999999999999", `the integer 0x99999999999999999999 is out of range: ` + intRange + `; write it as a decimal number with a decimal point to make it a float64 (at column 1)`},
		{"expr:g=x + 1e400", `formula "x + 1e400": the number 1e400 overflows float64 (its largest magnitude is 1.7976931348623157e+308) (at column 5)`},
		{"expr:g=1e39", `want |g| <= 8.51e+37`},
		{"expr:g=1 + sin(10000*x)**2", "varies too fast"},
		{"expr:g=", `parameter "g" has no value`},
		{"expr:h=1", `unknown parameter "h"`},
		// An error the formula raises as it runs is one line, as the
		// parse errors are, with its column (not the library's source
		// excerpt under a caret on lines of their own).
		{"expr:g=let a = 0; 3 % a", `g(x=0) at p=0: formula "let a = 0; 3 % a": runtime error: integer divide by zero (at column 14)` + "\x00"},
	} {
		_, err := Parse(tc.spec)
		// A want ending in NUL must end the error.
		want, end := strings.CutSuffix(tc.want, "\x00")
		if err == nil || !strings.Contains(err.Error(), want) || end && !strings.HasSuffix(err.Error(), want) || !strings.HasPrefix(err.Error(), "estimators: ") {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tc.spec, err, tc.want)
		}
	}
	// A long value is cut in the message, which still says how long it is.
	long := "expr:g=" + strings.Repeat("1+", 3000) + "1"
	if _, err := Parse(long); err == nil || len(err.Error()) > 300 || !strings.Contains(err.Error(), "… (6001 bytes)") || !strings.Contains(err.Error(), "want at most 1000") {
		t.Errorf("Parse(a 6001-byte formula) error = %v, want it cut, with the length and the limit", err)
	}
	// It is cut at a character boundary.
	if q := quoteShort(strings.Repeat("é", 100)); !utf8.ValidString(q) || !strings.HasSuffix(q, "… (200 bytes)") || strings.Count(q, "é") != 30 {
		t.Errorf("quoteShort(100 é) = %q, want 30 whole é and the length", q)
	}
	// A negative g is allowed when asked for.
	if _, err := Parse("expr:g=1 - x*x,c=2,monotone=false"); err != nil {
		t.Errorf("monotone=false: %v", err)
	}
}

// TestExprCanonical: spacing, constant arithmetic and knot order do not
// change the canonical spec (the cache key), and it parses back to itself.
func TestExprCanonical(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"expr:g=max(0,2-2*abs(x))", "expr:g=max( 0, 2 - 2 * abs( x ) )"},
		{"expr:g=max(0,2-2*abs(x))", "expr"},
		{"expr:g=2*0.5*exp(-x*x)", "expr:g=1*exp(-x*x)"},
		{"expr:g=abs(x)<0.5?2:1,knots=0.5;0", "expr:knots=0;0.50,g=abs(x) < 0.5 ? 2 : 1"},
		{"expr:g=1,c=1.50", "expr:c=1.5,g=1"},
		// -0 is the knot 0: one value, one canonical form.
		{"expr:g=x >= 0 ? 1 : 0.5,knots=-0", "expr:g=x >= 0 ? 1 : 0.5,knots=0"},
		{"expr:g=x >= 0 ? 1 : 0.5,knots=-0;0.5", "expr:g=x >= 0 ? 1 : 0.5,knots=0.5;0"},
	} {
		a, err := Parse(tc.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Parse(tc.b)
		if err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("canonical forms differ: %q → %q, %q → %q", tc.a, a, tc.b, b)
		}
		if again := MustParse(a.String()).String(); again != a.String() {
			t.Errorf("%q reparses as %q", a, again)
		}
	}
	// In a list, commas inside the formula do not split it.
	checkParseList(t, "expr:g=max(0, 1 - abs(x)),c=1.5,ste,expr:g=min(1, 2*exp(-x*x)),monotone=true",
		"expr:c=1.5,g=max(0, 1 - abs(x))", "ste", "expr:g=min(1, 2 * exp(-x * x))")
}

// TestExprSchedule: a formula in p gets its table at each SetProgress.
func TestExprSchedule(t *testing.T) {
	e, err := New("expr:g=(1+9*p)*max(0, 1-(1+9*p)*abs(x))")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []float64{0, 0.37, 1} {
		e.(Scheduler).SetProgress(p)
		s := 1 + 9*p
		g := []float32{0, 0}
		e.Backward(g, []float32{0, float32(0.5 / s)}, []float32{1, 1})
		if math.Abs(float64(g[0])-s) > 1e-5*s || math.Abs(float64(g[1])-s/2) > 1e-5*s {
			t.Errorf("p=%g: g(0), g(0.5/s) = %v, want %g, %g", p, g, s, s/2)
		}
	}
}

// TestExprCheckProgress: a formula that passes at every tenth of training
// but not in between is refused by CheckProgress at that p with the error
// SetProgress panics with, and accepted elsewhere; the estimator's
// progress is left alone.
func TestExprCheckProgress(t *testing.T) {
	e, err := New("expr:g=1/abs(p-0.123)")
	if err != nil {
		t.Fatalf("parse: %v (the spec passes at every tenth of training)", err)
	}
	pc, ok := e.(ProgressChecker)
	if !ok {
		t.Fatal("Expr is not a ProgressChecker")
	}
	const want = "estimators: expr: g(x=0) = +Inf at p=0.123: want finite values on [-c, c] = [-1, 1]"
	if err := pc.CheckProgress(0.123); err == nil || err.Error() != want {
		t.Errorf("CheckProgress(0.123) = %v, want %q", err, want)
	}
	if err := CheckProgress(e, 0.123); err == nil || err.Error() != want {
		t.Errorf("CheckProgress(e, 0.123) = %v, want %q", err, want)
	}
	func() {
		defer func() {
			if r := recover(); r != want {
				t.Errorf("SetProgress(0.123) panicked with %v, want %q", r, want)
			}
		}()
		e.(Scheduler).SetProgress(0.123)
	}()
	for _, p := range []float64{0, 0.124, 1} {
		if err := CheckProgress(e, p); err != nil {
			t.Errorf("CheckProgress(%g) = %v, want nil", p, err)
		}
	}
	for _, p := range []float64{-0.1, 1.5, math.NaN()} {
		if err := CheckProgress(e, p); err == nil || !strings.Contains(err.Error(), "want p in [0, 1]") {
			t.Errorf("CheckProgress(%g) = %v, want an error about [0, 1]", p, err)
		}
	}
	// A formula without p, and an estimator that is no ProgressChecker,
	// accept every p in [0, 1].
	for _, spec := range []string{"expr:g=1", "fda", "ste"} {
		e, err := New(spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckProgress(e, 0.123); err != nil {
			t.Errorf("%s: CheckProgress(0.123) = %v, want nil", spec, err)
		}
	}
}

// TestExprMatchesApproxSign: the default formula reproduces ApproxSign's
// kernel bit for bit (the table's nodes are exact and the interpolation
// rounds once, like 2 - 2|x|), under every implementation.
func TestExprMatchesApproxSign(t *testing.T) {
	x := append(around(0, 0.25, 0.5, 1, 1e-30, 1e30), normals(1, 100_000)...)
	dy := normals(2, len(x))
	saved := Impl()
	defer SetImpl(saved)
	for _, impl := range Impls() {
		if err := SetImpl(impl); err != nil {
			t.Fatal(err)
		}
		a, b := make([]float32, len(x)), make([]float32, len(x))
		MustNew(t, "approxsign").Backward(a, x, dy)
		MustNew(t, "expr:g=max(0,2-2*abs(x))").Backward(b, x, dy)
		for i := range x {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Fatalf("impl=%s: expr g(%g)·%g = %g, approxsign %g", impl, x[i], dy[i], b[i], a[i])
			}
		}
	}
}

// MustNew returns New(spec) or fails the test.
func MustNew(t *testing.T, spec string) Estimator {
	t.Helper()
	e, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// normals returns n values from N(0, 1.5²) with a seed.
func normals(seed uint64, n int) []float32 {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(1.5 * r.NormFloat64())
	}
	return x
}

// TestExprKernels cross-checks the kernels on tables of one segment a
// side (the vector routine) and of several (knots, kinks: the portable
// loop everywhere), with a schedule and negative values.
func TestExprKernels(t *testing.T) {
	checkKernels(t, "expr:g=exp(-x*x/0.08),c=1.5", "expr:g=abs(x) < 0.3 ? 2 : 1,knots=0.3",
		"expr:g=(1+9*p)*max(0, 1-(1+9*p)*abs(x))", "expr:g=x >= 0 ? 1 : 0.5,knots=0",
		"expr:g=1 - x*x,c=2,monotone=false", "expr:g=1e-3 + 1e4*exp(-1e4*x*x),c=0.01")
}

// inForce returns the numeric settings expr's kernels use (see
// TestParamsInForce; the formula and the knots are text).
func (e *Expr) inForce() map[string]float64 {
	m := 0.0
	if e.sh.monotone {
		m = 1
	}
	return map[string]float64{"c": float64(e.sh.c), "monotone": m}
}

// TestExprKnotsAreFloat64: expr's knots are float64, unlike every other
// number of a spec: a knot float32 cannot hold is accepted and printed in
// its shortest float64 form (a spec's canonical form is its runs' key, so
// this stays), and the allowed values say so. gradbench list said all
// numbers were float32 while it accepted knots=1e-300.
func TestExprKnotsAreFloat64(t *testing.T) {
	for _, tc := range []struct{ spec, canon string }{
		{"expr:g=1,knots=1e-300", "expr:g=1,knots=1e-300"},
		{"expr:g=1,knots=0.1000000001", "expr:g=1,knots=0.1000000001"},
	} {
		s, err := Parse(tc.spec)
		if err != nil {
			t.Fatalf("Parse(%s): %v", tc.spec, err)
		}
		if got := s.String(); got != tc.canon {
			t.Errorf("Parse(%s) = %s, want %s", tc.spec, got, tc.canon)
		}
	}
	ps, err := Defaults("expr")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Key == "knots" && !strings.HasPrefix(p.Allowed, "float64 numbers") {
			t.Errorf("expr's knots: allowed %q, want it to say they are float64", p.Allowed)
		}
	}
}
