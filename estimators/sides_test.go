package estimators

import (
	"errors"
	"strings"
	"testing"
)

// withEstimator registers f under name until the test ends.
func withEstimator(t *testing.T, name string, f Factory) {
	t.Helper()
	Register(name, f)
	t.Cleanup(func() {
		registryMu.Lock()
		delete(registry, name)
		registryMu.Unlock()
	})
}

// weightsOnlySTE is a stand-in for an estimator of latent weights only,
// with a parameter whose values hold '/' as a formula's would.
type weightsOnlySTE struct {
	STE
	f string
}

func (e *weightsOnlySTE) Name() string        { return "wonly" }
func (e *weightsOnlySTE) WeightsOnly() string { return "wonly is for latent weights only" }

func withWeightsOnly(t *testing.T) {
	withEstimator(t, "wonly", func(p *Params) (Estimator, error) {
		return &weightsOnlySTE{f: p.Choice("f", "x", "x", "1/x", "1/a", "(x/a=1)")}, p.Err()
	})
}

func TestParseSided(t *testing.T) {
	withWeightsOnly(t)
	withNAReader(t, func(p *Params) (any, error) { return p.Float("a", 1, AtLeast(0)), p.Err() })
	for _, tc := range []struct{ in, want, w, a string }{
		{"w=fda/a=approxsign", "w=fda/a=approxsign", "fda", "approxsign"},
		{"a=approxsign/w=fda", "w=fda/a=approxsign", "fda", "approxsign"},
		{"w=ste/a=ste", "ste", "ste", "ste"},
		{"w=ste:c=1/a=ste", "ste", "ste", "ste"},
		{"w=fda+na/a=fda+na:a=1", "fda+na", "fda+na", "fda+na"},
		{"w=fda+na/a=ste", "w=fda+na/a=ste", "fda+na", "ste"},
		{"w=ste/a=fda+na:a=0.5", "w=ste/a=fda+na:a=0.5", "ste", "fda+na:a=0.5"},
		{"w=fda+na:a=2/a=ste", "w=fda+na:a=2/a=ste", "fda+na:a=2", "ste"},
		{"w=wonly/a=approxsign", "w=wonly/a=approxsign", "wonly", "approxsign"},
		// A '/' in a value splits only before a side key, outside brackets.
		{"w=wonly:f=1/x/a=ste", "w=wonly:f=1/x/a=ste", "wonly:f=1/x", "ste"},
		{"w=wonly:f=1/a/a=ste", "w=wonly:f=1/a/a=ste", "wonly:f=1/a", "ste"},
		{"w=wonly:f=(x/a=1)/a=ste", "w=wonly:f=(x/a=1)/a=ste", "wonly:f=(x/a=1)", "ste"},
		{"fda", "fda", "fda", "fda"},
	} {
		s := checkCanonical(t, tc.in, tc.want)
		if got := s.Weights().String(); got != tc.w {
			t.Errorf("Parse(%q).Weights() = %q, want %q", tc.in, got, tc.w)
		}
		if got := s.Activations().String(); got != tc.a {
			t.Errorf("Parse(%q).Activations() = %q, want %q", tc.in, got, tc.a)
		}
		if sided := tc.w != tc.a; s.Sided() != sided {
			t.Errorf("Parse(%q).Sided() = %v, want %v", tc.in, s.Sided(), sided)
		}
		if s.Sided() && (s.Name != "" || s.NA != nil) {
			t.Errorf("Parse(%q): Name %q, NA %v, want none on a sided spec", tc.in, s.Name, s.NA)
		}
		// The canonical form is a fixed point, through text marshalling too.
		b, _ := s.MarshalText()
		var back Spec
		if err := back.UnmarshalText(b); err != nil || back.String() != tc.want {
			t.Errorf("UnmarshalText(%q) = %q, %v, want %q", b, back.String(), err, tc.want)
		}
	}
}

func TestParseSidedErrors(t *testing.T) {
	withWeightsOnly(t)
	withNAReader(t, nil)
	for _, tc := range []struct{ in, want string }{
		{"w=fda", `estimators: "w=fda" names the weight side only: name both, as in "w=fda/a=ste"`},
		{"a=dsq:alpha=0.4", `estimators: "a=dsq:alpha=0.4" names the activation side only: name both, as in "w=ste/a=dsq:alpha=0.4"`},
		{"w=fda/", `estimators: "w=fda/" names the weight side only: name both, as in "w=fda/a=ste"`},
		{"a=dsq /", `estimators: "a=dsq /" names the activation side only: name both, as in "w=ste/a=dsq"`},
		{"w=fda/w=ste", `estimators: "w=fda/w=ste": the weight side is named twice`},
		{"w=fda/a=ste/a=fda", `the activation side is named twice`},
		{"w=fda:n=-1/a=ste", `estimators: "w=fda:n=-1/a=ste": weight side: fda: bad value n="-1"`},
		{"w=fda/a=stee", `estimators: "w=fda/a=stee": activation side: unknown estimator "stee"`},
		{"w=/a=ste", `estimators: "w=/a=ste": weight side: empty estimator spec`},
		{"w=ste/a=ste/x=1", `activation side: unknown estimator "ste/x=1"`},
		{"w=ste/a=wonly", `estimators: "w=ste/a=wonly": activation side: wonly is for latent weights only`},
		{"w=wonly/a=wonly", `activation side: wonly is for latent weights only`},
		{"w=ste/a=ste+na:a=1", `activation side: "ste+na:a=1": no package registered the +na suffix`},
	} {
		checkParseError(t, tc.in, tc.want)
	}
	var pe *sideError
	if _, err := Parse("w=fda:n=-1/a=ste"); !errors.As(err, &pe) || errors.Unwrap(err) == nil {
		t.Errorf("a side's error %v does not wrap the side's own error", err)
	}
}

func TestSidedNew(t *testing.T) {
	s := MustParse("w=fda/a=approxsign")
	if _, err := s.New(); err == nil || !strings.Contains(err.Error(), "names an estimator per side") {
		t.Errorf("New of a sided spec: err = %v, want one naming the sides", err)
	}
	if _, err := New("w=fda/a=approxsign"); err == nil {
		t.Errorf(`New("w=fda/a=approxsign") = nil error, want one`)
	}
	for _, side := range []Spec{s.Weights(), s.Activations()} {
		if e, err := side.New(); err != nil || e.Name() != side.Name {
			t.Errorf("%s.New() = %v, %v, want a %s", side, e, err, side.Name)
		}
	}
	if got := s.Base(); got != "w=fda/a=approxsign" {
		t.Errorf("Base() = %q", got)
	}
}

func TestSides(t *testing.T) {
	withWeightsOnly(t)
	fda, ste, wonly := MustParse("fda"), MustParse("ste"), MustParse("wonly")
	for _, tc := range []struct {
		w, a Spec
		want string
	}{
		{fda, ste, "w=fda/a=ste"},
		{ste, fda, "w=ste/a=fda"},
		{ste, MustParse("ste:c=1"), "ste"},
		{wonly, ste, "w=wonly/a=ste"},
	} {
		s, err := Sides(tc.w, tc.a)
		if err != nil || s.String() != tc.want {
			t.Errorf("Sides(%s, %s) = %q, %v, want %q", tc.w, tc.a, s, err, tc.want)
		}
		if s.String() != MustParse(tc.want).String() {
			t.Errorf("Sides(%s, %s) = %q, which parses to %q", tc.w, tc.a, s, MustParse(tc.want))
		}
	}
	if _, err := Sides(ste, wonly); err == nil || !strings.Contains(err.Error(), "wonly is for latent weights only") {
		t.Errorf("Sides(ste, wonly): err = %v, want the weights-only refusal", err)
	}
	if _, err := Sides(MustParse("w=fda/a=ste"), ste); err == nil || !strings.Contains(err.Error(), "plain spec") {
		t.Errorf("Sides of a sided spec: err = %v, want one", err)
	}
}

func TestParseListSided(t *testing.T) {
	withNAReader(t, func(p *Params) (any, error) { return p.Float("a", 1, AtLeast(0)), p.Err() })
	specs, err := ParseList("ste,w=fda:n=9,omega=0.2/a=ste,a=approxsign/w=fda,fda+na:k=1,a=0.2")
	if err == nil || !strings.Contains(err.Error(), `unknown parameter "k"`) {
		t.Fatalf("ParseList = %v, %v, want the +na error", specs, err)
	}
	checkParseList(t, "ste,w=fda:n=9,omega=0.2/a=ste,a=approxsign/w=fda,fda+na:a=0.2,w=ste/a=fda:n=9,omega=0.2,dsq",
		"ste", "w=fda:n=9,omega=0.2/a=ste", "w=fda/a=approxsign", "fda+na:a=0.2", "w=ste/a=fda:n=9,omega=0.2", "dsq")
	if _, err := ParseList("ste,w=ste/a=ste"); err == nil || !strings.Contains(err.Error(), `"w=ste/a=ste" listed twice (canonical form "ste", as "ste" before it is): list each spec once, as in "ste"`) {
		t.Errorf("ParseList with a sided spec equal to a plain one: err = %v, want listed twice", err)
	}
}
