package estimators

import (
	"math"
	"strings"
	"testing"
)

// TestExprLanguage evaluates a formula with each function, built-in,
// constant and operator the documentation of Expr lists against Go's
// math package: a function bound to the wrong math function, pi not π,
// or an operator refused as not numeric ("%" and let bindings among them)
// fails here.
func TestExprLanguage(t *testing.T) {
	b := func(c bool) float64 {
		if c {
			return 1
		}
		return 2
	}
	for _, tc := range []struct {
		src  string
		want func(x float64) float64
	}{
		{"exp(x)", math.Exp},
		{"log(x + 2)", func(x float64) float64 { return math.Log(x + 2) }},
		{"log2(x + 2)", func(x float64) float64 { return math.Log2(x + 2) }},
		{"log10(x + 2)", func(x float64) float64 { return math.Log10(x + 2) }},
		{"sqrt(x + 2)", func(x float64) float64 { return math.Sqrt(x + 2) }},
		{"cbrt(x)", math.Cbrt},
		{"sin(x)", math.Sin}, {"cos(x)", math.Cos}, {"tan(x)", math.Tan},
		{"asin(x)", math.Asin}, {"acos(x)", math.Acos}, {"atan(x)", math.Atan},
		{"sinh(x)", math.Sinh}, {"cosh(x)", math.Cosh}, {"tanh(x)", math.Tanh},
		{"erf(x)", math.Erf},
		{"abs(x)", math.Abs}, {"floor(4*x)", func(x float64) float64 { return math.Floor(4 * x) }},
		{"ceil(4*x)", func(x float64) float64 { return math.Ceil(4 * x) }},
		{"round(4*x)", func(x float64) float64 { return math.Round(4 * x) }},
		{"min(x, 0.1)", func(x float64) float64 { return math.Min(x, 0.1) }},
		{"max(x, 0.1)", func(x float64) float64 { return math.Max(x, 0.1) }},
		{"pi*x", func(x float64) float64 { return math.Pi * x }},
		{"1 + 7 % 4 * x", func(x float64) float64 { return 1 + 3*x }},
		{"2 ** x", func(x float64) float64 { return math.Pow(2, x) }},
		{"2 ^ x", func(x float64) float64 { return math.Pow(2, x) }},
		{"let a = x*x; a + x", func(x float64) float64 { return x*x + x }},
		{"x == 0.25 ? 1 : 2", func(x float64) float64 { return b(x == 0.25) }},
		{"x != 0.25 ? 1 : 2", func(x float64) float64 { return b(x != 0.25) }},
		{"x < 0.25 ? 1 : 2", func(x float64) float64 { return b(x < 0.25) }},
		{"x > 0.25 ? 1 : 2", func(x float64) float64 { return b(x > 0.25) }},
		{"x <= 0.25 ? 1 : 2", func(x float64) float64 { return b(x <= 0.25) }},
		{"x >= 0.25 ? 1 : 2", func(x float64) float64 { return b(x >= 0.25) }},
		{"x > -0.5 and x < 0.5 ? 1 : 2", func(x float64) float64 { return b(x > -0.5 && x < 0.5) }},
		{"x > -0.5 && x < 0.5 ? 1 : 2", func(x float64) float64 { return b(x > -0.5 && x < 0.5) }},
		{"x < -0.5 or x > 0.5 ? 1 : 2", func(x float64) float64 { return b(x < -0.5 || x > 0.5) }},
		{"x < -0.5 || x > 0.5 ? 1 : 2", func(x float64) float64 { return b(x < -0.5 || x > 0.5) }},
		{"not (x > 0) ? 1 : 2", func(x float64) float64 { return b(!(x > 0)) }},
		{"!(x > 0) ? 1 : 2", func(x float64) float64 { return b(!(x > 0)) }},
		{"-x", func(x float64) float64 { return -x }},
	} {
		f, err := compileFormula(tc.src)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		ev := newExprEval(f)
		for _, x := range []float64{-0.9, -0.3, 0, 0.25, 0.7} {
			got, err := ev.at(x, 0.5)
			if want := tc.want(x); err != nil || !(math.Abs(got-want) <= 1e-15*math.Abs(want)) {
				t.Errorf("%s at x=%g: %g, %v, want %g", tc.src, x, got, err, want)
			}
		}
	}
}

// TestExprFormulaLength: a formula of maxFormula bytes is accepted, one
// byte more refused.
func TestExprFormulaLength(t *testing.T) {
	src := "1 + x*x" + strings.Repeat(" ", maxFormula-7)
	if _, err := compileFormula(src); err != nil {
		t.Errorf("a formula of %d bytes: %v, want it accepted", len(src), err)
	}
	if _, err := compileFormula(src + " "); err == nil || !strings.Contains(err.Error(), "want at most 1000") {
		t.Errorf("a formula of %d bytes: %v, want it refused", len(src)+1, err)
	}
}

// TestExprErrorColumns: the refusals of a formula point at the column
// (from 1) of what they refuse, both the expression library's and the
// refusals of syntax a numeric formula has no use for.
func TestExprErrorColumns(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"expr:g=1 + y", "unknown name y (at column 5)"},
		{`expr:g=1 + "a"`, "a string is not part of a numeric formula (at column 5)"},
		{"expr:g=x + [1, 2]", "an array is not part of a numeric formula (at column 5)"},
		// A literal float64 cannot hold, which the parser makes 0 without a
		// word (the canonical formula printed "1 + x * 0").
		{"expr:g=1 + x*1e-400,monotone=false", "the number 1e-400 underflows to 0 in float64 (its smallest magnitude is 5e-324): write 0, or a number float64 holds as written (at column 7)"},
		// A subnormal literal was used with fewer digits than written.
		{"expr:g=1 + x*1.2345678901234567e-320,monotone=false", "the number 1.2345678901234567e-320 underflows to a subnormal in float64, 1.2347e-320, which holds fewer digits (its smallest normal magnitude is 2.2250738585072014e-308): write 0, or a number float64 holds as written (at column 7)"},
		{"expr:g=pi + 2.5E-999", "the number 2.5E-999 underflows to 0 in float64 (its smallest magnitude is 5e-324): write 0, or a number float64 holds as written (at column 6)"},
	} {
		if _, err := Parse(tc.spec); err == nil || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %v, want an error ending %q", tc.spec, err, tc.want)
		}
	}
}

// TestExprTrueOrFalse: a formula that gives true or false, a comparison
// where a number is wanted, is refused saying so and how to write it;
// the library's refusal said only "expected float64, but got bool".
func TestExprTrueOrFalse(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"expr:g=abs(x) < 0.5", `expr: bad value g="abs(x) < 0.5": formula "abs(x) < 0.5" gives true or false, not a number: give g a number in each case, as in (abs(x) < 0.5) ? 1 : 0`},
		{"expr:g=abs(x) < 0.5 and p > 0", `formula "abs(x) < 0.5 and p > 0" gives true or false, not a number: give g a number in each case, as in (abs(x) < 0.5 and p > 0) ? 1 : 0`},
		{"expr:g=not (x > 0)", `formula "not (x > 0)" gives true or false`},
		// A condition that is a number is the library's refusal still.
		{"expr:g=x ? 1 : 0", `formula "x ? 1 : 0": non-bool expression (type float64) used as condition (at column 1)`},
	} {
		if _, err := Parse(tc.spec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %v, want an error with %q", tc.spec, err, tc.want)
		}
	}
	if _, err := Parse("expr:g=abs(x) < 0.5 ? 2 : 1,knots=0.5"); err != nil {
		t.Errorf("a conditional of numbers: %v", err)
	}
}

// TestExprBoolAsNumber: true or false where a number is wanted inside a
// formula, or a number where true or false is, is refused when the spec
// is parsed, quoting the formula as typed and saying how to write it. A
// conditional with a number in one branch and false in the other passed
// the library's checker and failed only when g was evaluated, with
// "invalid operation: float(bool)"; the others were refused with the
// library's "mismatched types bool and int".
func TestExprBoolAsNumber(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"expr:g=abs(x)<0.5 ? 1 : false", `expr: bad value g="abs(x)<0.5 ? 1 : false": formula "abs(x)<0.5 ? 1 : false": the branch false of a conditional is true or false, and its other branch a number: both branches of ? : must be numbers, as in abs(x)<0.5 ? 1 : 0 (at column 18)`},
		{"expr:g=abs(x)<0.5 ? x>0 : 1", `formula "abs(x)<0.5 ? x>0 : 1": the branch x > 0 of a conditional gives true or false, and its other branch a number: both branches of ? : must be numbers, as in (x > 0) ? 1 : 0 for that branch`},
		{"expr:g=(x>0) + 1", `formula "(x>0) + 1": the operator "+" takes numbers, but x > 0 gives true or false (at column 7): write it as a number, as in (x > 0) ? 1 : 0`},
		{"expr:g=-(x>0)", `formula "-(x>0)": the operator "-" takes numbers, but x > 0 gives true or false (at column 1)`},
		{"expr:g=exp(x>0)", `formula "exp(x>0)": exp takes numbers, but x > 0 gives true or false`},
		{"expr:g=max(x>0, 1)", `formula "max(x>0, 1)": max takes numbers, but x > 0 gives true or false`},
		{"expr:g=let a = x>0; a+1", `formula "let a = x>0; a+1": the operator "+" takes numbers, but a gives true or false (at column 15)`},
		{"expr:g=!x", `formula "!x": the operator "!" takes true or false, but x is a number (at column 1): compare it with a number, as in x != 0`},
		{"expr:g=x and p > 0 ? 1 : 0", `formula "x and p > 0 ? 1 : 0": the operator "and" takes true or false, but x is a number (at column 3)`},
	} {
		if _, err := Parse(tc.spec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %v, want an error with %q", tc.spec, err, tc.want)
		}
	}
	// A conditional of true or false as a condition is not a mixed one.
	if _, err := Parse("expr:g=(x > 0 ? x < 0.5 : x > -0.5) ? 2 : 1,knots=0;0.5"); err != nil {
		t.Errorf("a conditional of comparisons as a condition: %v", err)
	}
}

// TestExprOtherRefusalsKeepTheirWords: a formula the library refuses for
// something other than true or false where a number is (or the reverse)
// keeps the library's words. A let bound twice ("cannot redeclare
// variable b") was said to use true or false as a number: its first
// binding, x > 0, was taken for the value b + 1 adds, though its second
// is 2; and so it still was where the name held "bool" (isbool), which
// the refusal quotes.
func TestExprOtherRefusalsKeepTheirWords(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"expr:g=let b = x>0; let b = 2; b + 1", `formula "let b = x>0; let b = 2; b + 1": cannot redeclare variable b (at column 18)`},
		{"expr:g=let b = 2; let b = x>0; b + 1", `formula "let b = 2; let b = x>0; b + 1": cannot redeclare variable b (at column 16)`},
		// A name holding "bool" is no type the library names.
		{"expr:g=let isbool = x>0; let isbool = 2; isbool + 1", `formula "let isbool = x>0; let isbool = 2; isbool + 1": cannot redeclare variable isbool (at column 23)`},
		{"expr:g=let bool = x>0; let bool = 2; bool + 1", `formula "let bool = x>0; let bool = 2; bool + 1": cannot redeclare variable bool (at column 21)`},
	} {
		if _, err := Parse(tc.spec); err == nil || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %v, want an error ending %q", tc.spec, err, tc.want)
		}
	}
}

// TestExprParseRefusals: refusals the spec's parse must make that
// TestExprErrors does not cover: a formula in p that fails only at the
// end of training (p = 1), and a negative g too large in magnitude for
// the float32 kernels when negative values are allowed.
func TestExprParseRefusals(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"expr:g=p < 0.95 ? 1 : -1", "< 0 at p=1:"},
		{"expr:g=-1e39,monotone=false", "want |g| <= 8.51e+37"},
		{"expr:g=1,knots=0.1;0.2;0.3;0.4;0.5;0.6;0.7;0.8", "want at most 7"},
		// The 10 float32 inputs below the knot are in the outer segment:
		// the jump is not within the 8 searched below it.
		{"expr:g=abs(x) < 0.25 and (abs(x) < 0.25 - 10 * 2**-26 or abs(x) > 0.25 - 2**-26) ? 2 : 1,knots=0.25", "jumps near the knot 0.25 but not at it"},
		// The language's other built-ins are disabled.
		{"expr:g=1 + int(x)", "unknown name int"},
		{"expr:g=1 + float(x)", "unknown name float"},
	} {
		if _, err := Parse(tc.spec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %v, want an error with %q", tc.spec, err, tc.want)
		}
	}
	// exprMaxKnots knots are allowed.
	if _, err := Parse("expr:g=1,knots=0.1;0.2;0.3;0.4;0.5;0.6;0.7"); err != nil {
		t.Errorf("7 knots: %v, want them accepted", err)
	}
}

// TestSpecTyped: a spec keeps the text it was parsed from, which errors
// quote, beside its canonical form, which keys use: a formula's
// canonical form prints 1/3 as 0.3333333333333333, which the user did
// not type. A spec made by Sides has no typed text and gives String.
func TestSpecTyped(t *testing.T) {
	for _, tc := range []struct{ spec, typed, canon string }{
		{"expr:g=1/abs(p-1/3)", "expr:g=1/abs(p-1/3)", "expr:g=1 / abs(p - 0.3333333333333333)"},
		{"a=expr:g=1/abs(p-2/3)/w=ste", "a=expr:g=1/abs(p-2/3)/w=ste", "w=ste/a=expr:g=1 / abs(p - 0.6666666666666666)"},
		{"w=fda:n=9..18/a=fda", "w=fda:n=9..18/a=fda", "fda"},
	} {
		s, err := Parse(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if s.Typed() != tc.typed || s.String() != tc.canon {
			t.Errorf("Parse(%s): Typed() = %q, String() = %q, want %q and %q", tc.spec, s.Typed(), s.String(), tc.typed, tc.canon)
		}
	}
	s, err := Parse("a=expr:g=1/abs(p-2/3)/w=ste")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Activations().Typed(); got != "expr:g=1/abs(p-2/3)" {
		t.Errorf("Activations().Typed() = %q, want the side as typed", got)
	}
	sides, err := Sides(s.Weights(), s.Activations())
	if err != nil {
		t.Fatal(err)
	}
	if sides.Typed() != sides.String() {
		t.Errorf("Sides(...).Typed() = %q, want String() %q", sides.Typed(), sides.String())
	}
}

// TestExprRunErrorTyped: a formula that fails to evaluate only at a
// progress value between the tenths checked at parse is refused by
// CheckProgress quoting the formula as typed, with the column given in
// the canonical form that runs; it used to quote the canonical form only.
func TestExprRunErrorTyped(t *testing.T) {
	s, err := Parse("expr:g=let n = abs(p-0.35)<0.01 ? 0 : 1; 5 % n + 1")
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.New()
	if err != nil {
		t.Fatal(err)
	}
	const want = `estimators: expr: g(x=0) at p=0.35: formula "let n = abs(p-0.35)<0.01 ? 0 : 1; 5 % n + 1": runtime error: integer divide by zero (at column 41 of "let n = abs(p - 0.35) < 0.01 ? 0 : 1; 5 % n + 1", the formula as it runs after constant folding)`
	if err := CheckProgress(e, 0.35); err == nil || err.Error() != want {
		t.Errorf("CheckProgress(0.35) = %v, want %q", err, want)
	}
	// Typed as its canonical form, the column needs no other formula.
	s, err = Parse("expr:g=let n = abs(p - 0.35) < 0.01 ? 0 : 1; 5 % n + 1")
	if err != nil {
		t.Fatal(err)
	}
	if e, err = s.New(); err != nil {
		t.Fatal(err)
	}
	const canon = `estimators: expr: g(x=0) at p=0.35: formula "let n = abs(p - 0.35) < 0.01 ? 0 : 1; 5 % n + 1": runtime error: integer divide by zero (at column 41)`
	if err := CheckProgress(e, 0.35); err == nil || err.Error() != canon {
		t.Errorf("CheckProgress(0.35) = %v, want %q", err, canon)
	}
}
