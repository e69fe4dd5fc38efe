package estimators

import (
	"maps"
	"strings"
	"testing"
)

// FuzzSpec feeds arbitrary strings to Parse, ParseList and New: none may
// panic, and every spec Parse accepts has a canonical form that parses
// back to itself, builds an estimator, and gives that estimator the same
// settings in force as the original spelling (for the built-in estimators,
// see inForcer). .ci/run runs it for a few seconds; `go test -fuzz
// FuzzSpec ./estimators` runs it longer.
func FuzzSpec(f *testing.F) {
	for _, s := range []string{
		"ste", "ste:c=2", "fda", "fda:n=9", "fda:n=9..18,omega=0.1,c=1", "fda+na", "dsq+na:eta=x,a=0.2,k=32",
		"dsq:alpha=0.4,learn=true", "bnnplus:beta=1000", "ede:tmin=0.5,tmax=50", "approxsign",
		"ste:c=+Inf", "ste:c=1e-50", "fda,omega=0.2", "ste:c=1e+1+na:a=1e-3", "fda:n=0x10", "ste:c=0x1p-2",
		"ste:c=1,ste", "fda:n=9,omega=0.2,ste", "ste::", "+na", "ste+na:", "ste+", ":", ",", "ste:c==1",
		"w=fda/a=approxsign", "a=ste/w=fda:n=9,omega=0.2", "w=ste/a=ste", "w=fda+na:a=0.2/a=ste", "w=fda",
		"ste,w=fda/a=ste:c=2,c=3", "w=/a=", "w=w=ste/a=ste", "w=ste/a=ste/a=ste", "a==ste",
		"ste,,fda", "ste,fda,", ",ste", "fda:n=9,,omega=0.2", "ste, fda", "w=ste / a=fda", "ste fda",
		"STE", "fda+NA", "W=ste/A=fda", "fda,fda:omega=0.1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if specs, err := ParseList(s); err == nil {
			for _, sp := range specs {
				roundTrip(t, sp.String())
			}
		}
		sp, err := Parse(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "estimators: ") {
				t.Errorf("Parse(%q) error %q lacks the package prefix", s, err)
			}
			return
		}
		c := roundTrip(t, sp.String())
		for i, side := range []Spec{sp.Weights(), sp.Activations()} {
			e, err := side.New()
			if err != nil {
				t.Fatalf("Parse(%q) is valid but New of its side %s fails: %v", s, side, err)
			}
			if a, ok := e.(inForcer); ok {
				if b := c[i].(inForcer); !maps.Equal(a.inForce(), b.inForce()) {
					t.Errorf("%q and its canonical form %q build estimators with settings %v and %v", s, sp.String(), a.inForce(), b.inForce())
				}
			}
		}
	})
}

// roundTrip checks that the canonical spec c parses back to itself and
// builds an estimator for each side, and returns them (weights first).
func roundTrip(t *testing.T, c string) [2]Estimator {
	t.Helper()
	sp, err := Parse(c)
	if err != nil {
		t.Fatalf("canonical form %q does not parse: %v", c, err)
	}
	if got := sp.String(); got != c {
		t.Fatalf("canonical form %q parses to %q", c, got)
	}
	var es [2]Estimator
	for i, side := range []Spec{sp.Weights(), sp.Activations()} {
		if es[i], err = New(side.String()); err != nil {
			t.Fatalf("New(%q), a side of the canonical form %q: %v", side, c, err)
		}
	}
	return es
}
