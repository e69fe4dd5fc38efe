package estimators

import (
	"math"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/racebuild"
)

// FuzzExprFormula feeds formulas to the expr: estimator's spec parser. A
// formula is either refused with a package error, or it gives a spec whose
// canonical form parses back to itself, and an estimator whose fast kernel
// agrees with the formula (BackwardRef) within the tabulation bound.
//
//	go test -run '^$' -fuzz FuzzExprFormula ./estimators
func FuzzExprFormula(f *testing.F) {
	racebuild.Skip(f, "its corpus checks the formula compiler's numerics and refusals only, with no goroutines of its own; the openblas and purego builds run it in full")
	for _, s := range []string{
		"max(0, 2 - 2*abs(x))", "1", "exp(-x*x)", "1/(1+x*x)", "(1+9*p)*max(0, 1-(1+9*p)*abs(x))",
		"abs(x) <= 0.5 ? 1 : 0.25", "10*(1-tanh(10*x)**2)", "sqrt(2)*cos(x)", "2^x", "x", "y", "1/0",
		"max(0,2-2*abs(x)),c=1.5", "1,knots=0.5", "x ? 1 : 2", "\"a\"", "[1,2][0]", "let y = x*x; 1 - y/2",
		"pi/2 - abs(x)", "1+na", "min(1, 1e-3/abs(x))", "erf(x)+2", ")", "max(", "p ** 0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, formula string) {
		spec := "expr:g=" + formula
		s, err := Parse(spec)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "estimators: ") {
				t.Errorf("Parse(%q) error %q lacks the package prefix", spec, err)
			}
			return
		}
		again, err := Parse(s.String())
		if err != nil || again.String() != s.String() {
			t.Fatalf("Parse(%q) = %q, which parses back as %q, %v", spec, s, again, err)
		}
		e, err := s.New()
		if err != nil {
			t.Fatalf("Parse(%q) succeeded but New failed: %v", spec, err)
		}
		x := make([]float32, 401)
		for i := range x {
			x[i] = float32(-2 + 4*float64(i)/400)
		}
		one := ones(len(x))
		if sch, ok := e.(Scheduler); ok {
			sch.SetProgress(0.5)
		}
		fast, ref := make([]float32, len(x)), make([]float32, len(x))
		e.Backward(fast, x, one)
		e.(Referencer).BackwardRef(ref, x, one)
		peak := 0.0
		for _, v := range ref {
			peak = max(peak, math.Abs(float64(v)))
		}
		for i := range x {
			if d := math.Abs(float64(fast[i]) - float64(ref[i])); !(d <= 2*exprTol*peak) {
				t.Errorf("%s: Backward(x=%g) = %g, BackwardRef = %g (peak %g)", s, x[i], fast[i], ref[i], peak)
			}
		}
	})
}
