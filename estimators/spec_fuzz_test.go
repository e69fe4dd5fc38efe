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
		e, err := sp.New()
		if err != nil {
			t.Fatalf("Parse(%q) is valid but New fails: %v", s, err)
		}
		c := roundTrip(t, sp.String())
		if a, ok := e.(inForcer); ok {
			if b := c.(inForcer); !maps.Equal(a.inForce(), b.inForce()) {
				t.Errorf("%q and its canonical form %q build estimators with settings %v and %v", s, sp.String(), a.inForce(), b.inForce())
			}
		}
	})
}

// roundTrip checks that the canonical spec c parses back to itself and
// builds an estimator, and returns it.
func roundTrip(t *testing.T, c string) Estimator {
	t.Helper()
	sp, err := Parse(c)
	if err != nil {
		t.Fatalf("canonical form %q does not parse: %v", c, err)
	}
	if got := sp.String(); got != c {
		t.Fatalf("canonical form %q parses to %q", c, got)
	}
	e, err := New(c)
	if err != nil {
		t.Fatalf("New(%q) of a canonical form: %v", c, err)
	}
	return e
}
