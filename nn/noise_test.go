package nn

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
)

// TestNASpec checks the "+na" settings that nn registers with package
// estimators: defaults, canonical forms, bad values, and that a layer gets
// exactly the settings the spec gave.
func TestNASpec(t *testing.T) {
	for _, tc := range []struct {
		in, canon string
		want      NASettings
	}{
		{"ste+na", "ste+na", NASettings{Eta: "sin", A: 0.1, K: 64}},
		{"ste+na:eta=sin,a=0.1,k=64", "ste+na", NASettings{Eta: "sin", A: 0.1, K: 64}},
		{"ste+na:eta=0,a=0.2,k=32", "ste+na:a=0.2,eta=0,k=32", NASettings{Eta: "0", A: 0.2, K: 32}},
		{"dsq:alpha=0.4+na:eta=x", "dsq:alpha=0.4+na:eta=x", NASettings{Eta: "x", A: 0.1, K: 64}},
		{"fda+na:a=0", "fda+na:a=0", NASettings{Eta: "sin", A: 0, K: 64}},
	} {
		s, err := estimators.Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := s.String(); got != tc.canon {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.canon)
		}
		na, err := naSettings(s)
		if err != nil || na == nil || *na != tc.want {
			t.Errorf("settings of %q = %+v, %v; want %+v", tc.in, na, err, tc.want)
		}
		l, err := NewBinaryConv2d(Conv{In: 4, Out: 2, Kernel: 3, Stride: 1, Pad: 1}, Binary{Estimator: s}, NewInit(1))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []*NoiseAdaptation{l.WeightNA(), l.ActivationNA()} {
			if m.Eta != tc.want.Eta || m.A != tc.want.A || m.K != tc.want.K || m.H != max(1, m.D/tc.want.K) {
				t.Errorf("%q: module eta %q, a %v, h %d; want %+v", tc.in, m.Eta, m.A, m.H, tc.want)
			}
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"ste+na:eta=cos", `estimators: +na: bad value eta="cos": want one of sin, x, 0`},
		{"ste+na:k=0", `estimators: +na: bad value k="0": want an integer >= 1`},
		{"ste+na:a=-0.1", `estimators: +na: bad value a="-0.1": want a number >= 0`},
		{"ste+na:a=1e-50", `estimators: +na: bad value a="1e-50": below float32's smallest normal magnitude`},
		{"ste+na:h=3", `estimators: +na: unknown parameter "h" (have a, eta, k)`},
	} {
		if _, err := estimators.Parse(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tc.in, err, tc.want)
		}
	}
	var keys []string
	for _, p := range estimators.NADefaults() {
		keys = append(keys, p.Key+"="+p.Default+" ("+p.Allowed+")")
	}
	if got, want := strings.Join(keys, "; "), "a=0.1 (a number >= 0); eta=sin (one of sin, x, 0); k=64 (an integer >= 1)"; got != want {
		t.Errorf("NADefaults() = %q, want %q", got, want)
	}
}

// TestNAInForce is the property that a "+na" value is used as given or
// refused: the module a layer builds has exactly the float32 a and the k
// a spec gave, and values outside the ranges NADefaults states are
// refused.
func TestNAInForce(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		want       float64 // the value the module uses; NaN: refused
	}{
		{"a", "0", 0}, {"a", "-0", 0}, {"a", "0.1", float64(float32(0.1))}, {"a", "1e-38", math.NaN()},
		{"a", "1.1754944e-38", float64(float32(1.1754944e-38))}, {"a", "1e-50", math.NaN()},
		{"a", "3.4028235e38", math.MaxFloat32}, {"a", "1e39", math.NaN()}, {"a", "-1e-50", math.NaN()},
		{"a", "-0.1", math.NaN()}, {"a", "+Inf", math.NaN()}, {"a", "nan", math.NaN()}, {"a", "7", 7},
		{"k", "1", 1}, {"k", "0", math.NaN()}, {"k", "-3", math.NaN()}, {"k", "1000000", 1e6},
		{"k", "1.5", math.NaN()}, {"k", "99999999999999999999", math.NaN()},
	} {
		spec := "ste+na:" + tc.key + "=" + tc.value
		s, err := estimators.Parse(spec)
		if math.IsNaN(tc.want) {
			if err == nil || !strings.Contains(err.Error(), "bad value "+tc.key+"=") {
				t.Errorf("Parse(%q) = %v, want a bad value error", spec, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", spec, err)
			continue
		}
		l, err := NewBinaryConv2d(Conv{In: 4, Out: 2, Kernel: 3, Stride: 1, Pad: 1}, Binary{Estimator: s}, NewInit(1))
		if err != nil {
			t.Fatal(err)
		}
		m := l.WeightNA()
		got := map[string]float64{"a": float64(m.A), "k": float64(m.K)}[tc.key]
		if got != tc.want || tc.key == "a" && math.Signbit(got) {
			t.Errorf("%q: the module uses %s = %v, want %v", spec, tc.key, got, tc.want)
		}
	}
}

// TestNAAlphaAndInit checks the state a noise adaptation module starts
// from and the α SetProgress gives it: α = 0.1 before any SetProgress,
// then Progress.NAAlpha() on both modules of a layer; W1 drawn from
// U(-1/√D, 1/√D) and W2 from U(-1/√H, 1/√H), zero-mean and filling
// their ranges. A W2 drawn with fan-in D, or weights drawn from
// U(0, 1/√fan_in), failed only tests of other packages (golden hashes
// of training steps, which say that something changed, not what).
func TestNAAlphaAndInit(t *testing.T) {
	l, err := NewBinaryConv2d(Conv{In: 4, Out: 3, Kernel: 3, Pad: 1}, Binary{Estimator: estimators.MustParse("ste+na:k=8")}, NewInit(1))
	if err != nil {
		t.Fatal(err)
	}
	mods := []*NoiseAdaptation{l.WeightNA(), l.ActivationNA()}
	for _, m := range mods {
		if m.Alpha != 0.1 {
			t.Errorf("%s: α = %v before SetProgress, want 0.1", m.W1.Name, m.Alpha)
		}
	}
	p := Progress{Epoch: 1, Epochs: 4}
	SetProgress(l, p)
	for _, m := range mods {
		if want := float32(p.NAAlpha()); m.Alpha != want {
			t.Errorf("%s: α = %v after SetProgress(%+v), want %v", m.W1.Name, m.Alpha, p, want)
		}
	}
	// The weights' module has D = 36, H = 4; the activations' D = 4, H = 1.
	for _, m := range mods {
		for _, w := range []struct {
			p     *Param
			fanIn int
		}{{m.W1, m.D}, {m.W2, m.H}} {
			bound := 1 / math.Sqrt(float64(w.fanIn))
			lo, hi := slices.Min(w.p.Data), slices.Max(w.p.Data)
			// 144 values for the weights' module spread out; the
			// activations' 4 need only be in range.
			spread := len(w.p.Data) < 100 || float64(hi) > bound/2 && float64(lo) < -bound/2
			if float64(lo) < -bound || float64(hi) > bound || !spread {
				t.Errorf("%s: values in [%v, %v], want them to spread over U(-%v, %v)", w.p.Name, lo, hi, bound, bound)
			}
		}
	}
}

// TestNewNoiseAdaptationRefuses checks NewNoiseAdaptation's own checks of
// settings written out rather than parsed from a spec: the spec parser
// refuses these first, so a module that took a = +Inf passed every test.
func TestNewNoiseAdaptationRefuses(t *testing.T) {
	r := NewInit(1).NA
	na := func(eta string, a float32, k int) func() {
		return func() { NewNoiseAdaptation("na", 4, &NASettings{Eta: eta, A: a, K: k}, r) }
	}
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	checkRefusals(t, []refusal{
		{"d 0", func() { NewNoiseAdaptation("na", 0, &NASettings{Eta: "sin", A: 0.1, K: 1}, r) }, "nn: NewNoiseAdaptation: row length 0, want >= 1"},
		{"eta cos", na("cos", 0.1, 1), `nn: NewNoiseAdaptation: eta "cos", want sin, x or 0`},
		{"eta empty", na("", 0.1, 1), `nn: NewNoiseAdaptation: eta "", want sin, x or 0`},
		{"a -1", na("sin", -1, 1), "nn: NewNoiseAdaptation: a = -1, want a finite number >= 0"},
		{"a NaN", na("sin", nan, 1), "nn: NewNoiseAdaptation: a = NaN, want a finite number >= 0"},
		{"a +Inf", na("x", inf, 1), "nn: NewNoiseAdaptation: a = +Inf, want a finite number >= 0"},
		{"k 0", na("0", 0.1, 0), "nn: NewNoiseAdaptation: k = 0, want >= 1"},
	})
	if m := NewNoiseAdaptation("na", 130, &NASettings{Eta: "0", A: 0, K: 64}, r); m.H != 2 {
		t.Errorf("D = 130, k = 64: H = %d, want 2 (D/k rounded down)", m.H)
	}
}
