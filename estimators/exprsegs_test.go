package estimators

import (
	"math"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/impl/impltest"
	"github.com/gradbench/gradbench/internal/racebuild"
)

// TestExprTwoKinks: a formula with two kinks a side (at ±0.3 and ±0.6,
// off the lattice) is tabulated with a few hundred nodes, cut at both,
// and matches the formula.
func TestExprTwoKinks(t *testing.T) {
	const spec = "expr:g=min(1, max(0, 2 - abs(x)/0.3))"
	tab := tableOf(t, spec)
	if n := len(tab.tab) / 2; n > 1000 || len(tab.side[0]) != 3 || len(tab.side[1]) != 3 {
		t.Errorf("%s: %d nodes, %d and %d segments, want < 1000 nodes and 3 segments a side", spec, n, len(tab.side[0]), len(tab.side[1]))
	}
	exprMatchesRef(t, spec, nil)
}

// exprMatchesRef checks Backward against BackwardRef for spec under every
// implementation, on inputs spread over ±1.5c and a few subnormal ones, at lengths that end in a
// partial vector, and at the inputs of want at their values.
func exprMatchesRef(t *testing.T, spec string, want map[float32]float32) {
	t.Helper()
	e := MustNew(t, spec)
	c := e.(*Expr).sh.c
	var x []float32
	for i := range 1001 {
		x = append(x, c*float32(i-500)/333)
	}
	x = append(x, 0, float32(math.Copysign(0, -1)), c, -c, 1e-45, -1e-45, 1e-40, -1e-40)
	for v := range want {
		x = append(x, v)
	}
	ref := make([]float32, len(x))
	e.(Referencer).BackwardRef(ref, x, ones(len(x)))
	peak := 0.0
	for _, v := range ref {
		peak = max(peak, math.Abs(float64(v)))
	}
	for _, impl := range Impls() {
		withImpl(t, impl, func() {
			for _, n := range []int{len(x), len(x) - 1, len(x) - 9, 7} {
				got := make([]float32, n)
				e.Backward(got, x[:n], ones(n))
				bad := 0
				for i := range n {
					w, exact := want[x[i]]
					if !exact {
						w = ref[i]
					}
					if d := math.Abs(float64(got[i] - w)); exact && got[i] != w || !(d <= 2*exprTol*peak) {
						if bad++; bad <= 3 {
							t.Errorf("%s impl=%s length %d: g(%g) = %g, want %g", spec, impl, n, x[i], got[i], w)
						}
					}
				}
			}
		})
	}
}

// TestExprOneSideSegments: tables with several segments on one side only
// (a kink on the negative side, a jump at 0) under every implementation,
// and at ±0, which take the side of x >= 0 as the formula does.
func TestExprOneSideSegments(t *testing.T) {
	exprMatchesRef(t, "expr:g=x < 0 ? max(0, 1 - abs(x)/0.3) : 1", nil)
	exprMatchesRef(t, "expr:g=x < 0 ? 0.5*max(0, 1 - abs(x)/0.3) + 0.5 : 2,knots=0",
		map[float32]float32{0: 2, float32(math.Copysign(0, -1)): 2, -0.3: 0.5, 0.3: 2})
}

// TestExprSplitBelowKnot: at a knot on the lattice (0.25), the seven
// float32 inputs below it that the formula puts in the outer segment (a
// split below the segment's first node, the last of the 8 float32 values
// searched below the knot still inner) get the outer segment's value, the
// next one below the inner's, under every implementation, on both sides.
func TestExprSplitBelowKnot(t *testing.T) {
	want := map[float32]float32{}
	a := float32(0.25)
	for i := range 9 {
		g := float32(1)
		if i == 8 {
			g = 2
		}
		want[a], want[-a] = g, g
		a = math.Nextafter32(a, 0)
	}
	exprMatchesRef(t, "expr:g=abs(x) < 0.25 and (abs(x) < 0.25 - 7 * 2**-26 or abs(x) > 0.25 - 2**-26) ? 2 : 1,knots=0.25", want)
}

// TestExprProgressStart: a new estimator whose formula uses p computes
// at p = 0 before any SetProgress, as its reference does, and
// SetProgress refuses a p outside [0, 1] or NaN with a panic.
func TestExprProgressStart(t *testing.T) {
	const spec = "expr:g=(1+9*p)*max(0, 1-(1+9*p)*abs(x))"
	for _, impl := range Impls() {
		withImpl(t, impl, func() {
			e := MustNew(t, spec)
			x := []float32{0, 0.25, -0.5, 0.75, 0.9, -0.05, 0.125, 0.5, 0.3}
			got := make([]float32, len(x))
			e.Backward(got, x, ones(len(x)))
			for i, v := range x {
				if want := max(0, 1-abs32(v)); got[i] != want {
					t.Errorf("impl=%s: a new %s: g(%g) = %g, want %g (p = 0)", impl, spec, v, got[i], want)
				}
			}
		})
	}
	e := MustNew(t, spec).(*Expr)
	for _, p := range []float64{-0.1, 1.5, math.NaN()} {
		func() {
			defer func() {
				if r, ok := recover().(string); !ok || !strings.Contains(r, "want p in [0, 1]") {
					t.Errorf("SetProgress(%g) panicked with %v, want a refusal of p", p, r)
				}
			}()
			e.SetProgress(p)
		}()
	}
}

// TestExprSmallestClip: the clip c is refused below exprMinC, the
// smallest c whose finest grid float32 can invert, and the kernels agree
// with the reference at it under every implementation, also for a formula
// that needs the finest grid build tries there (a Gaussian of width c/100:
// c/h = 16384, so 1/h = 2^127, float32's largest power of two). Found with
// go test -tags purego: expr:c=1.1754944e-38 (float32's smallest normal,
// which Float accepted as > 0) gave 1/h = +Inf, and the portable kernel
// panicked with an index out of range (int32(+Inf) wraps) in Parse's
// finiteness probe; the vector kernels, whose 32-bit index doubles back
// into the table, gave NaN for |x| <= c instead of g, and Parse refused
// the spec for a g(x=0) = NaN that the formula does not have.
func TestExprSmallestClip(t *testing.T) {
	racebuild.Skip(t, "it checks numerics only, with no goroutines of its own; the openblas and purego builds run it in full")
	below := formatFloat32(math.Nextafter32(exprMinC, 0))
	for _, c := range []string{"0x1p-126", "1.5e-37", "0x1p-122", "1e-35", below} {
		for _, g := range []string{"", ",g=1+x*x"} {
			spec := "expr:c=" + c + g
			t.Run(spec, func(t *testing.T) {
				impltest.Each(t, impls, func(t *testing.T) {
					_, err := New(spec)
					if err == nil || !strings.Contains(err.Error(), "bad value c=") || !strings.Contains(err.Error(), formatFloat(exprMinC)) {
						t.Errorf("New(%q) = %v, want c refused with the least c, %g", spec, err, float64(exprMinC))
					}
				})
			})
		}
	}
	const gauss = "exp(-(x*1.0384593717069655e36)**2)" // width 0.01·2^-113
	for _, spec := range []string{"expr:c=0x1p-113", "expr:c=0x1p-113,g=" + gauss, "expr:c=0x1p-112,g=1+x*x"} {
		tab := tableOf(t, spec)
		if math.IsInf(float64(tab.invh), 0) {
			t.Fatalf("%s: 1/h = %g", spec, tab.invh)
		}
		if strings.Contains(spec, "g=exp") && tab.invh != 0x1p127 {
			t.Errorf("%s: 1/h = %g, want 2^127 (the finest grid at the least c)", spec, tab.invh)
		}
		exprMatchesRef(t, spec, nil)
	}
}
