package estimators

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// TestExprFunctionOfInteger: a function of the formula language takes a
// number however the language typed it. min, max and abs keep an
// integer an integer, and so do a conditional's and a let binding's
// integer constants, so exp(max(0, x)) hands exp the integer 0 where
// x < 0; each such formula is used as written, at every x.
func TestExprFunctionOfInteger(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want func(x float64) float64
	}{
		{"expr:g=exp(max(0, x)),c=1.5", func(x float64) float64 { return math.Exp(max(0, x)) }},
		{"expr:g=sin(max(0, 1 - abs(x))),c=1.5", func(x float64) float64 { return math.Sin(max(0, 1-math.Abs(x))) }},
		{"expr:g=exp(min(x, 0)),c=1.5", func(x float64) float64 { return math.Exp(min(x, 0)) }},
		{"expr:g=cosh(abs(-1)) + x*x,c=1.5", func(x float64) float64 { return math.Cosh(1) + x*x }},
		{"expr:g=exp(x >= 0 ? 1 : 2),knots=0,c=1.5", func(x float64) float64 {
			if x >= 0 {
				return math.E
			}
			return math.Exp(2)
		}},
		{"expr:g=let a = 2; exp(a) - x,c=1.5", func(x float64) float64 { return math.Exp(2) - x }},
	} {
		e, err := New(tc.spec)
		if err != nil {
			t.Errorf("New(%s): %v, want it accepted", tc.spec, err)
			continue
		}
		for _, x := range []float32{-1.25, -0.5, 0, 0.5, 1.25} {
			dx := []float32{0}
			e.(*Expr).BackwardRef(dx, []float32{x}, []float32{1})
			if want := float32(tc.want(float64(x))); dx[0] != want {
				t.Errorf("%s: g(%g) = %g, want %g", tc.spec, x, dx[0], want)
			}
		}
	}
}

// TestExprCanonicalIsTheFormula: the program a spec runs is its canonical
// formula's, which the expression library prints; where its printing
// drops a bracket the tree needs, the formula read back is another one,
// and the spec is refused, not trained with that other formula. Each
// formula here is either refused or computes what it says at every x.
func TestExprCanonicalIsTheFormula(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want func(x float64) float64
	}{
		// -1 ** n reads as -(1 ** n).
		{"expr:g=2 + (-1) ** floor(abs(x)*2),knots=0.5", func(x float64) float64 { return 2 + math.Pow(-1, math.Floor(math.Abs(x)*2)) }},
		{"expr:g=1 - (-(0.5 + 0.5)) ** 2 * x*x", func(x float64) float64 { return 1 - x*x }},
		// A let inside an operand: the operator took in the let's body.
		{"expr:g=(let a = 0.5; a + x) * 2 + 1,monotone=false", func(x float64) float64 { return (0.5+x)*2 + 1 }},
		{"expr:g=2 - (let a = abs(x); a) ** 2", func(x float64) float64 { return 2 - x*x }},
	} {
		e, err := New(tc.spec)
		if err != nil {
			if !strings.Contains(err.Error(), "does not read back as the same formula") {
				t.Errorf("New(%s): %v, want it used or refused for its canonical form", tc.spec, err)
			}
			continue
		}
		for _, x := range []float32{-0.875, -0.25, 0, 0.25, 0.875} {
			dx := []float32{0}
			e.(*Expr).BackwardRef(dx, []float32{x}, []float32{1})
			if want := float32(tc.want(float64(x))); dx[0] != want {
				t.Errorf("%s (canonical %s): g(%g) = %g, want %g", tc.spec, MustParse(tc.spec), x, dx[0], want)
			}
		}
	}
	// The formulas the library prints faithfully are kept, brackets and all.
	for _, src := range []string{"(-x) ** 2", "2 ** 3 ** x", "(x - 1) ** 2", "-(x ** 2)", "let b = -1; 2 + b ** floor(x)", "(x > 0 ? 1 : 2) + x"} {
		if _, err := compileFormula(src); err != nil {
			t.Errorf("%s: %v, want it accepted", src, err)
		}
	}
}

// TestExprRefusesComments: the language's comments, // to the end and
// /* ... */, are refused, not dropped: "1 - abs(x) // 2" reads as a
// floor division to a user of Python, and the language took it for
// 1 - abs(x).
func TestExprRefusesComments(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"expr:g=1 - abs(x) // 2", "a comment (// or /* */) is not part of a numeric formula (at column 12)"},
		{"expr:g=1 /* one */ + 0*x", "a comment (// or /* */) is not part of a numeric formula (at column 3)"},
		{"expr:g=2 - abs(x) /* unclosed", "a comment (// or /* */) is not part of a numeric formula (at column 12)"},
	} {
		if s, err := Parse(tc.spec); err == nil || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %q, %v, want an error ending %q", tc.spec, s, err, tc.want)
		}
	}
}

// TestExprNumberUnderscores: an underscore in a number of a formula
// separates digits, as in Go and in the spec's other numbers (1_000);
// the language's lexer dropped one anywhere in a number, so that 1_ was
// 1, 1__0 was 10 and 1._5 was 1.5. Those are refused.
func TestExprNumberUnderscores(t *testing.T) {
	for _, tc := range []struct{ src, canon string }{
		{"1_000 * x", "1000 * x"},
		{"1_000.5 * x", "1000.5 * x"},
		{"1e1_0 * x", "1e+10 * x"},
		{"0x_1F * x", "31 * x"},
		{"1_ + x", ""},
		{"1__0 * x", ""},
		{"1._5 * x", ""},
		{"1_.5 * x", ""},
		{"1e_3 * x", ""},
	} {
		f, err := compileFormula(tc.src)
		switch {
		case tc.canon == "" && (err == nil || !strings.Contains(err.Error(), "an underscore in a number separates digits")):
			t.Errorf("%s: %v, want it refused for its underscore", tc.src, err)
		case tc.canon != "" && (err != nil || f.src != tc.canon):
			t.Errorf("%s: %v, want it read as %s", tc.src, err, tc.canon)
		}
	}
}

// TestExprIntegerOverflow: the language computes with Go's int where both
// operands are integers, and wraps on overflow: 4294967296*4294967296
// folded to 0, and a let binding's product went negative at run time; on
// a 32-bit build, where int is int32, 1000000 * 1000000 wrapped as well.
// A formula whose integer arithmetic can overflow is refused; each one
// here is either refused or computes what it says. (On a 32-bit build
// an integer literal past 2^31-1 is refused as out of range.)
func TestExprIntegerOverflow(t *testing.T) {
	refused := func(err error) bool {
		return strings.Contains(err.Error(), "may overflow int"+strconv.Itoa(strconv.IntSize)) ||
			strconv.IntSize == 32 && strings.Contains(err.Error(), "is out of range: integer constants are int32")
	}
	for _, tc := range []struct {
		spec string
		want float64
	}{
		{"expr:g=4294967296*4294967296 + 1 - x*x", 1.8446744073709552e19},
		{"expr:g=let a = 3037000500; a * a > 0 ? 1 : 2", 1},
		{"expr:g=(x > -2 ? 3037000500 : 0.5) * 3037000500 > 0 ? 1 : 2", 1},
		{"expr:g=abs(-9223372036854775807 - 2) > 0 ? 1 : 2", 1},
		{"expr:g=let a = 46341; a * a > 0 ? 1 : 2", 1},
		{"expr:g=1000000 * 1000000 > 0 ? 1 : 2", 1},
	} {
		e, err := New(tc.spec)
		if err != nil {
			if !refused(err) {
				t.Errorf("New(%s): %v, want it refused for overflow", tc.spec, err)
			}
			continue
		}
		dx := []float32{0}
		e.(*Expr).BackwardRef(dx, []float32{0}, []float32{1})
		if dx[0] != float32(tc.want) {
			t.Errorf("%s (canonical %s): g(0) = %g, want %g", tc.spec, MustParse(tc.spec), dx[0], tc.want)
		}
	}
	// A product past int32 is refused on a 32-bit build, kept on a 64-bit one.
	if _, err := compileFormula("1000000 * 1000000 * x"); (err != nil) != (strconv.IntSize == 32) {
		t.Errorf("1000000 * 1000000 * x on a %d-bit build: %v", strconv.IntSize, err)
	}
	// Integer arithmetic that cannot overflow is kept.
	kept := []string{"1 + 7 % 4 * x", "let a = 46340; a * a * x", "let a = 4294967296.0; a * a * x"}
	if strconv.IntSize == 64 {
		kept = append(kept, "let a = 3037000499; a * a * x", "4294967296.0 * 4294967296 * x")
	}
	for _, src := range kept {
		if _, err := compileFormula(src); err != nil {
			t.Errorf("%s: %v, want it accepted", src, err)
		}
	}
}
