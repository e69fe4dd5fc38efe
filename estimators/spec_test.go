package estimators

import (
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ste", "ste"},
		{" ste ", "ste"},
		{"ste:c=1", "ste"},
		{"ste:c=1.50", "ste:c=1.5"},
		{"ste+na", "ste+na"},
		{"ste+na:eta=sin,a=0.1,k=64", "ste+na"},
		{"ste+na:eta=0,a=0.2,k=32", "ste+na:a=0.2,eta=0,k=32"},
		{"ste:c=1e+1", "ste:c=10"},
	} {
		s, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := s.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "empty estimator spec"},
		{"stee", `unknown estimator "stee" (have `},
		{"ste:", "empty parameter list"},
		{"ste:c", `malformed parameter "c"`},
		{"ste:c=0", `bad value c="0": want a number > 0`},
		{"ste:c=nan", `bad value c="nan"`},
		{"ste:q=1", `unknown parameter "q" (have c)`},
		{"ste:c=1,c=2", `"c" given twice`},
		{"ste+nb", `unknown suffix "+nb"`},
		{"ste+na:eta=cos", `bad value eta="cos": want one of sin, x, 0`},
		{"ste+na:k=0", `bad value k="0"`},
		{"ste+na:", "empty parameter list"},
	} {
		_, err := Parse(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tc.in, err, tc.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "estimators: ") {
			t.Errorf("Parse(%q) error %q lacks the package prefix", tc.in, err)
		}
	}
}

func TestParseList(t *testing.T) {
	specs, err := ParseList("ste:c=2,ste+na:eta=x,a=0.2, ste")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range specs {
		got = append(got, s.String())
	}
	if want := "ste:c=2 ste+na:a=0.2,eta=x ste"; strings.Join(got, " ") != want {
		t.Errorf("ParseList = %q, want %q", got, want)
	}
	if _, err := ParseList("ste,ste:c=1"); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("ParseList with a duplicate: err = %v, want listed twice", err)
	}
}
