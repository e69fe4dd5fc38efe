package estimators

import (
	"strings"
	"testing"
)

// TestRegisterNames: Register takes lowercase words (digits, '-' and '_'
// after the first letter) and refuses other names, "na" (the suffix's
// word), a nil factory and a name registered twice.
func TestRegisterNames(t *testing.T) {
	f := func(p *Params) (Estimator, error) { return &STE{}, p.Err() }
	for _, name := range []string{"my_est", "my-est2"} {
		withEstimator(t, name, f)
		if _, err := Parse(name); err != nil {
			t.Errorf("Parse(%q) after Register: %v", name, err)
		}
	}
	for _, tc := range []struct {
		name string
		f    Factory
		want string
	}{
		{"na", f, `Register name "na" is not a lowercase word`},
		{"Ste2", f, `Register name "Ste2" is not a lowercase word`},
		{"2ste", f, `Register name "2ste" is not a lowercase word`},
		{"my est", f, `Register name "my est" is not a lowercase word`},
		{"", f, `Register name "" is not a lowercase word`},
		{"ste", f, "Register called twice for estimator ste"},
		{"my_est", f, "Register called twice for estimator my_est"},
		{"other", nil, "Register factory is nil for other"},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), tc.want) {
					t.Errorf("Register(%q): panic %v, want one mentioning %q", tc.name, r, tc.want)
				}
			}()
			Register(tc.name, tc.f)
		}()
	}
}

// TestDefaultsSorted: Defaults lists an estimator's parameters by key,
// with their defaults, whatever order the factory asks them in (FDA asks
// for omega, c, n).
func TestDefaultsSorted(t *testing.T) {
	ps, err := Defaults("fda")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Key+"="+p.Default)
	}
	if want := "c=1 n=9..18 omega=0.1"; strings.Join(got, " ") != want {
		t.Errorf("Defaults(\"fda\") = %v, want %s", got, want)
	}
	if _, err := Defaults("stee"); err == nil || !strings.Contains(err.Error(), `unknown estimator "stee"`) {
		t.Errorf("Defaults(\"stee\") error %v, want unknown estimator", err)
	}
}
