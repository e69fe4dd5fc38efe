package estimators

import (
	"fmt"
	"math"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

// Pinned values of the FDA surrogate derivative
// g(x) = 4ω/π·Σ_{i=0..n} cos((2i+1)ωx), computed independently with
// python3: 4*w/math.pi*sum(math.cos((2*i+1)*w*x) for i in range(n+1)).
// The issue quotes n=9: g(0)=1.2732, g(0.5)=1.0719, g(1)=0.5800 (0.579843
// to three decimals) and n=17: g(1) < 0.
func TestFDAPinned(t *testing.T) {
	checkPinned(t, "fda:n=9", -1, []pin{
		{0, 1.273240}, // = 4·0.1·10/π, the closed form's limit 4ωN/π
		{0.25, 1.220974},
		{0.5, 1.071841},
		{-0.5, 1.071841},
		{1, 0.579843},
		{1.0000001, 0}, // past the clip c = 1
		{-2, 0},
	})
	checkPinned(t, "fda:n=17", -1, []pin{{0, 2.291831}, {0.5, 1.240458}, {1, -0.282187}})
	checkPinned(t, "fda:n=18", -1, []pin{{0, 2.419155}, {0.5, 1.205369}, {1, -0.390171}})
	checkPinned(t, "fda:n=1", -1, []pin{{0, 0.254648}, {0.5, 0.253059}, {1, 0.248325}})
	checkPinned(t, "fda:n=0", -1, []pin{{0, 0.127324}, {1, 0.126688}})
	// The schedule n(p) = 9 + round(9p): n = 9, 14, 18 at p = 0, ½, 1;
	// g(0) = 4ω(n+1)/π.
	checkPinned(t, "fda", 0, []pin{{0, 1.273240}, {1, 0.579843}})
	checkPinned(t, "fda", 0.5, []pin{{0, 1.909859}})
	checkPinned(t, "fda", 1, []pin{{0, 2.419155}, {1, -0.390171}})
}

func TestFDASchedule(t *testing.T) {
	for _, tc := range []struct {
		spec string
		p    float64
		n    int
	}{
		{"fda", 0, 9}, {"fda", 0.05, 9}, {"fda", 0.06, 10}, {"fda", 0.5, 14}, {"fda", 1, 18},
		{"fda:n=9", 0.7, 9}, {"fda:n=2..4", 0.25, 3}, {"fda:n=0", 1, 0},
	} {
		e, _ := New(tc.spec)
		e.(Scheduler).SetProgress(tc.p)
		if _, _, n := e.(*FDA).params(); n != tc.n {
			t.Errorf("%s at p=%g: n = %d, want %d", tc.spec, tc.p, n, tc.n)
		}
	}
	var zero FDA
	if _, _, n := zero.params(); n != 9 {
		t.Errorf("FDA{} at p=0: n = %d, want the default 9", n)
	}
}

func TestFDADerivative(t *testing.T) {
	for _, n := range []int{0, 1, 9, 17, 18, 40} {
		for _, omega := range []float64{0.1, 1} {
			g := func(x float64) float64 { return fdaG(omega, 1, n, x) }
			s := func(x float64) float64 { return fdaS(omega, 1, n, x) }
			checkDerivative(t, fmt.Sprintf("fda ω=%g n=%d", omega, n), g, s, -1, 1)
		}
	}
	checkFastSurrogate(t, "fda:n=9", -1.5, 1.5, -1, 1)
	checkFastSurrogate(t, "fda:n=18", -1.5, 1.5, -1, 1)
}

// TestFDAClosedForm checks the fast kernel against the explicit sum where
// the closed form is hardest: θ near 0 (0/0), and near multiples of π when
// ω·c > π/2.
func TestFDAClosedForm(t *testing.T) {
	for _, spec := range []string{"fda:n=18", "fda:n=200", "fda:omega=1,c=10,n=7", "fda:omega=3,c=2,n=30"} {
		e, _ := New(spec)
		f := e.(*FDA)
		omega, c, n := f.params()
		peak := 4 * float64(omega) * float64(n+1) / math.Pi
		var xs []float32
		for _, x := range []float64{0, 1e-30, 1e-8, 1e-6, 1e-4, 1e-3} {
			xs = append(xs, float32(x), -float32(x))
		}
		for m := 1; float64(m)*math.Pi < float64(omega*c); m++ {
			at := float32(float64(m) * math.Pi / float64(omega))
			xs = append(xs, at, math.Nextafter32(at, 0), math.Nextafter32(at, 100))
		}
		dx := make([]float32, len(xs))
		f.Backward(dx, xs, ones(len(xs)))
		for i, x := range xs {
			want := fdaG(float64(omega), float64(c), n, float64(x))
			if math.Abs(float64(dx[i])-want) > 1e-5*peak {
				t.Errorf("%s: Backward(x=%g) = %g, want %g", spec, x, dx[i], want)
			}
		}
	}
}

func TestFDASpecErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"fda:n=-1", `estimators: fda: bad value n="-1": want integers in [0, 100000]`},
		{"fda:n=18..9", `bad value n="18..9"`},
		{"fda:n=9..x", `bad value n="9..x"`},
		{"fda:n=100001", `bad value n="100001"`},
		{"fda:omega=0", `bad value omega="0": want a number > 0`},
		{"fda:c=-1", `bad value c="-1"`},
		{"fda:m=3", `unknown parameter "m" (have c, n, omega)`},
	} {
		checkParseError(t, tc.spec, tc.want)
	}
	for _, tc := range []struct{ in, want string }{
		{"fda:n=9..18,omega=0.10,c=1", "fda"},
		{"fda:n=9..9", "fda:n=9"},
		{"fda:omega=0.2,n=4", "fda:n=4,omega=0.2"},
	} {
		checkCanonical(t, tc.in, tc.want)
	}
}

// TestFDAOmegaCLimit checks the bound ω·C <= 1e6 at its edge, the
// product taken in float32, for a spec and for a literal (refusals with
// the parser's words are in TestParseErrors).
func TestFDAOmegaCLimit(t *testing.T) {
	for _, spec := range []string{"fda:omega=1e6", "fda:c=1e7", "fda:omega=0.001,c=1e9,n=100000"} {
		if _, err := New(spec); err != nil {
			t.Errorf("%s: %v, want it accepted (ω·c = 1e6)", spec, err)
		}
	}
	bwd := func(e *FDA) func() { return func() { e.Backward(make([]float32, 1), ones(1), ones(1)) } }
	if msg := texttest.Panic(bwd(&FDA{C: 1e7})); msg != "" {
		t.Errorf("FDA{C: 1e7} (ω·C = 1e6 with the default ω): panic %q", msg)
	}
	texttest.CheckPanic(t, bwd(&FDA{Omega: 1e6, C: 1.00001}), "estimators: FDA.Omega = 1e+06 and FDA.C = 1.00001 give ω·C = 1.00001e+06: want ω·C <= 1e+06")
	texttest.CheckPanic(t, bwd(&FDA{C: 1e30}), "FDA.Omega = 0.1 and FDA.C = 1e+30 give ω·C = 1e+29")
}

// TestFDAKernels cross-checks the vector kernels at several n (their cost
// must not depend on it) and with ω·C > π/2, where θ is reduced modulo π.
func TestFDAKernels(t *testing.T) {
	checkKernels(t, "fda:n=0", "fda:n=9", "fda:n=18", "fda:n=300", "fda:omega=1,c=4,n=7", "fda:omega=1.4,c=1,n=3")
}

// inForce returns the settings FDA's kernels use (see TestParamsInForce),
// with n as the pair (n at p = 0, n at p = 1).
func (e *FDA) inForce() map[string]float64 {
	p := e.p
	defer func() { e.p = p }()
	e.p = 0
	omega, c, lo := e.params()
	e.p = 1
	_, _, hi := e.params()
	return map[string]float64{"omega": float64(omega), "c": float64(c), "n.lo": float64(lo), "n.hi": float64(hi)}
}
