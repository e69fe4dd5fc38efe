package estimators

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/gradbench/gradbench/internal/impl/impltest"
)

// pin is one value of g pinned against the spec.
type pin struct {
	x, want float64
}

// checkPinned checks g at each pinned x, through the fast kernel of every
// implementation and the reference kernel, after SetProgress(p) when
// p >= 0: checkFormula with the values for a formula.
func checkPinned(t *testing.T, spec string, p float64, pins []pin) {
	t.Helper()
	for _, pn := range pins {
		checkFormula(t, spec, p, []float32{float32(pn.x)}, func(float64) float64 { return pn.want })
	}
}

// checkDerivative compares g with central finite differences (gonum
// diff/fd) of the smooth surrogate s, both in float64, at random points of
// (-lo, hi) that are at least 1e-3 away from each kink in avoid.
func checkDerivative(t *testing.T, name string, g, s func(float64) float64, lo, hi float64, avoid ...float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	const h = 1e-5
	worst := 0.0
	for n := 0; n < 500; {
		x := lo + (hi-lo)*rng.Float64()
		near := false
		for _, k := range avoid {
			near = near || math.Abs(x-k) < 1e-3
		}
		if near {
			continue
		}
		n++
		want := fd.Derivative(s, x, &fd.Settings{Formula: fd.Central, Step: h})
		got := g(x)
		worst = max(worst, math.Abs(got-want))
		if math.Abs(got-want) > 1e-6*max(1, math.Abs(want)) {
			t.Errorf("%s: g(%g) = %.9g, want %.9g (central difference of the surrogate)", name, x, got, want)
		}
	}
	t.Logf("%s: max |g - finite difference| = %.3g", name, worst)
}

// checkFastSurrogate checks the exported Surrogate and fast Backward of an
// estimator against central differences of its float32 Surrogate, with a
// tolerance for float32 rounding.
func checkFastSurrogate(t *testing.T, spec string, lo, hi float64, avoid ...float64) {
	t.Helper()
	e, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	sm := e.(Smoother)
	rng := rand.New(rand.NewPCG(3, 4))
	const h = 1.0 / 512 // exact in float32
	var peak float64
	for i := 0; i < 200; i++ {
		x := float32(lo + (hi-lo)*rng.Float64())
		near := false
		for _, k := range avoid {
			near = near || math.Abs(float64(x)-k) < 2*h
		}
		if near {
			continue
		}
		g := make([]float32, 1)
		e.Backward(g, []float32{x}, []float32{1})
		q := make([]float32, 2)
		sm.Surrogate(q, []float32{x + h, x - h})
		want := (float64(q[0]) - float64(q[1])) / (2 * h)
		peak = max(peak, math.Abs(want))
		if math.Abs(float64(g[0])-want) > 2e-3*max(1, peak) {
			t.Errorf("%s: Backward(x=%g) = %g, want %g (central difference of Surrogate)", spec, x, g[0], want)
		}
	}
}

func TestSetProgressPanics(t *testing.T) {
	for _, spec := range []string{"fda", "ede"} {
		for _, p := range []float64{-0.01, 1.01, math.NaN()} {
			e, _ := New(spec)
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: SetProgress(%g) did not panic", spec, p)
					}
				}()
				e.(Scheduler).SetProgress(p)
			}()
		}
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	for _, name := range Names() {
		e, _ := New(name)
		for _, call := range []func(){
			func() { e.Forward(make([]float32, 3), make([]float32, 4)) },
			func() { e.Backward(make([]float32, 4), make([]float32, 4), make([]float32, 3)) },
			func() { e.Backward(make([]float32, 3), make([]float32, 4), make([]float32, 4)) },
		} {
			func() {
				defer func() {
					if r := recover(); r == nil {
						t.Errorf("%s: no panic on slices of different lengths", name)
					}
				}()
				call()
			}()
		}
	}
}

func TestSpecErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"dsq:alpha=0", `estimators: dsq: bad value alpha="0": want a number in [0.001, 0.999]`},
		{"dsq:alpha=1", `bad value alpha="1"`},
		{"dsq:learn=yes", `bad value learn="yes": want true or false`},
		{"bnnplus:beta=0", `estimators: bnnplus: bad value beta="0": want a number in [0.001, 1000]`},
		{"ede:tmin=-1", `bad value tmin="-1"`},
		{"ede:tmin=5,tmax=1", "estimators: ede: tmin=5 is larger than tmax=1: want tmin <= tmax"},
		{"approxsign:c=1", `estimators: approxsign: unknown parameter "c" (it takes none)`},
		{"fdaa", `estimators: unknown estimator "fdaa" (have ` + strings.Join(Names(), ", ") + ")"},
	} {
		checkParseError(t, tc.spec, tc.want)
	}
	for _, tc := range []struct{ in, want string }{
		{"dsq:alpha=0.20,learn=false", "dsq"},
		{"dsq:learn=true,alpha=0.4", "dsq:alpha=0.4,learn=true"},
		{"bnnplus:beta=5.0", "bnnplus"},
		{"ede:tmax=10,tmin=0.1", "ede"},
	} {
		checkCanonical(t, tc.in, tc.want)
	}
}

// TestInfGivesZero checks what the built-in estimators document for
// x = ±Inf: g = 0, in the fast and the reference kernels, at every
// schedule end.
func TestInfGivesZero(t *testing.T) {
	builtin := []string{"approxsign", "bnnplus", "bnnplus:learn=true", "dsq", "dsq:learn=true", "ede", "fda", "fda:omega=1,c=3", "ste"}
	for _, spec := range builtin {
		for _, p := range []float64{0, 1} {
			e, _ := New(spec)
			if s, ok := e.(Scheduler); ok {
				s.SetProgress(p)
			}
			inf := float32(math.Inf(1))
			x := []float32{inf, -inf, inf, -inf}
			for _, k := range []func(dx, x, dy []float32){e.Backward, e.(Referencer).BackwardRef} {
				dx := []float32{7, 7, 7, 7}
				k(dx, x, []float32{1, -1, 2, -2})
				for i, v := range dx {
					if v != 0 {
						t.Errorf("%s p=%g: g(%g)·dy = %g, want 0", spec, p, x[i], v)
					}
				}
			}
		}
	}
}

// checkGradSum checks, with each set of kernels, the Grad that e's Backward
// adds to its only scalar over x and dy against Σ dy·d(x) in float64,
// within 1e-6 of Σ |dy·d(x)|; and again with dy near ±MaxFloat32 (1e38 on
// every element, and ±MaxFloat32 with dy's signs), where the Grad may be
// the infinity of the sum's sign only where the sum is within the
// tolerance of overflowing float32: a kernel whose product overflows
// before the term does gives ±Inf, or NaN from Inf·0 or Inf - Inf.
func checkGradSum(t *testing.T, e Estimator, x, dy []float32, d func(x float64) float64) {
	t.Helper()
	sc := e.(Learner).Scalars()[0]
	top, signed := make([]float32, len(dy)), make([]float32, len(dy))
	for i, v := range dy {
		top[i] = 1e38
		signed[i] = float32(math.Copysign(math.MaxFloat32, float64(v)))
	}
	dx := make([]float32, len(x))
	for _, dy := range [][]float32{dy, top, signed} {
		var want, scale float64
		for i, v := range x {
			term := float64(dy[i]) * d(float64(v))
			want += term
			scale += math.Abs(term)
		}
		tol := 1e-6 * scale
		impltest.Each(t, impls, func(t *testing.T) {
			sc.Grad = 0
			e.Backward(dx, x, dy)
			got := float64(sc.Grad)
			if math.Abs(got-want) <= tol || math.IsInf(got, 0) && got*want > 0 && math.Abs(want) >= math.MaxFloat32-tol {
				return
			}
			t.Errorf("%s %s = %g: Grad after Backward with dy[0] = %g = %.9g, want %.9g (off by %.3g of the terms' magnitudes)",
				e.Name(), sc.Name, sc.Value, dy[0], got, want, math.Abs(got-want)/scale)
		})
	}
	sc.Grad = 0
}
