package estimators

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ste", "ste"},
		{"ste:c=1", "ste"},
		{"ste:c=1.50", "ste:c=1.5"},
		{"ste:c=1e+1", "ste:c=10"},
		{"ste:c=+2", "ste:c=2"},
		{"ste:c=0x1p-2", "ste:c=0.25"},
		// Numbers are float32: the canonical form prints the float32 in
		// use, so spellings of one float32 are one spec.
		{"ste:c=1.00000001", "ste"},
		{"ste:c=0.1000000001", "ste:c=0.1"},
		{"ste:c=3.4028235e38", "ste:c=3.4028235e+38"},
		{"ste:c=1.1754944e-38", "ste:c=1.1754944e-38"},
		// A decimal just below float32's smallest normal magnitude
		// whose nearest float32 is that magnitude is that number, as
		// one just above its largest is its largest: the error said
		// "below float32's smallest normal magnitude, 1.1754944e-38
		// (it would be 1.1754944e-38)".
		{"ste:c=1.1754943e-38", "ste:c=1.1754944e-38"},
		{"fda:n=9..9", "fda:n=9"},
		{"dsq:alpha=0.001", "dsq:alpha=0.001"},
		{"dsq:alpha=0.999", "dsq:alpha=0.999"},
		{"bnnplus:beta=1000", "bnnplus:beta=1000"},
	} {
		checkCanonical(t, tc.in, tc.want)
	}
}

// checkCanonical checks that in parses and prints as want, and returns
// the Spec.
func checkCanonical(t *testing.T, in, want string) Spec {
	t.Helper()
	s, err := Parse(in)
	if err != nil {
		t.Errorf("Parse(%q): %v", in, err)
	} else if got := s.String(); got != want {
		t.Errorf("Parse(%q).String() = %q, want %q", in, got, want)
	}
	return s
}

// checkParseList checks that ParseList(in) gives the specs whose canonical
// forms are want.
func checkParseList(t *testing.T, in string, want ...string) {
	t.Helper()
	specs, err := ParseList(in)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range specs {
		got = append(got, s.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("ParseList(%q) = %q, want %q", in, got, want)
	}
}

// checkParseError checks that Parse(in) fails with an error containing
// want.
func checkParseError(t *testing.T, in, want string) {
	t.Helper()
	if _, err := Parse(in); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Parse(%q) error = %v, want it to contain %q", in, err, want)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "empty estimator spec"},
		{" \t ", "empty estimator spec"},
		{"stee", `unknown estimator "stee" (have ` + strings.Join(Names(), ", ") + ")"},
		{"ste:", "empty parameter list"},
		{"ste:c", `malformed parameter "c"`},
		// An empty value, as gradbench list prints expr's default knots.
		{"ste:c=", `ste: parameter "c" has no value after '=': give one, or leave the key out for its default`},
		{"expr:g=1,knots=", `expr: parameter "knots" has no value after '='`},
		// A parameter that makes g overflow: g(0) = 4ωN/π. The spec is
		// quoted as typed, as in the other errors, not in its canonical
		// form (fda:c=1e-37,omega=1e+38), whose order and numbers the
		// user did not write.
		{"fda:omega=1e38,c=1e-37", `estimators: "fda:omega=1e38,c=1e-37": g(x=0) = +Inf at progress 0: want a finite gradient for every finite x`},
		{"fda:omega=2e37,c=1e-36+na", `estimators: "fda:omega=2e37,c=1e-36+na": g(x=0) = +Inf at progress 1`},
		{"w=ste/a=fda:omega=2e37,c=1e-36", `"fda:omega=2e37,c=1e-36": g(x=0) = +Inf at progress 1`},
		// An ω·c whose g varies faster than float32 resolves x near c;
		// the product is taken in float32, so 0.1·1e7 is 1e6.
		{"fda:omega=1e38", "estimators: fda: omega=1e+38 and c=1 give ω·c = 1e+38: want ω·c <= 1e+06"},
		{"fda:c=1e30", "estimators: fda: omega=0.1 and c=1e+30 give ω·c = 1e+29: want ω·c <= 1e+06"},
		{"fda:omega=1e6,c=1.00001", "give ω·c = 1.00001e+06: want ω·c <= 1e+06"},
		{"fda:c=1.01e7", "give ω·c = 1.01e+06: want ω·c <= 1e+06"},
		{"ste:c=0", `bad value c="0": want a number > 0`},
		{"ste:c=-0", `bad value c="-0": want a number > 0`},
		{"ste:c=nan", `bad value c="nan": want a finite number > 0`},
		{"ste:c=+Inf", `bad value c="+Inf": want a finite number > 0`},
		{"ste:c=-Inf", `bad value c="-Inf": want a finite number > 0`},
		{"ste:c=1e39", `bad value c="1e39": beyond float32's largest magnitude, 3.4028235e+38: want a number > 0`},
		{"ste:c=1e400", `bad value c="1e400": beyond float32's largest magnitude`},
		{"ste:c=3.5e38", `beyond float32's largest magnitude`},
		{"ste:c=1e-50", `bad value c="1e-50": below float32's smallest normal magnitude, 1.1754944e-38 (it would be 0): want a number > 0`},
		{"ste:c=1e-400", `below float32's smallest normal magnitude`},
		{"ste:c=1e-40", `below float32's smallest normal magnitude, 1.1754944e-38 (it would be 1e-40)`},
		{"ste:c=0x1p-1000", `below float32's smallest normal magnitude`},
		{"ste:c=abc", `bad value c="abc": want a number > 0`},
		{"ste:q=1", `unknown parameter "q" (have c)`},
		{"ste:c=1,c=2", `"c" given twice`},
		{"ste+nb", `unknown suffix "+nb"`},
		{"fda,omega=0.2", `estimators: "fda,omega=0.2": parameters follow a colon, as in "fda:omega=0.2"`},
		// The suffix after a comma, or parameters without a name, were
		// refused as the unknown estimator "".
		{"+na", `estimators: "+na": +na follows the estimator it adapts, with no comma between, as in "ste+na" or "fda:omega=0.2+na"`},
		{"+na:a=0", `estimators: "+na:a=0": +na follows the estimator it adapts`},
		{":c=1", `estimators: ":c=1": no estimator name before the parameters (have ` + strings.Join(Names(), ", ") + ")"},
		{"fda:n=-1", `bad value n="-1": want integers in [0, 100000], written v or lo..hi with lo <= hi`},
		{"fda:n=18..9", `bad value n="18..9"`},
		{"fda:n=100001", `bad value n="100001"`},
		{"fda:omega=1e-50", `bad value omega="1e-50": below float32's smallest normal magnitude`},
		{"fda:c=1e-50", `bad value c="1e-50": below float32's smallest normal magnitude`},
		{"dsq:alpha=1e-50", `bad value alpha="1e-50": below float32's smallest normal magnitude`},
		{"dsq:alpha=0.0009", `bad value alpha="0.0009": want a number in [0.001, 0.999]`},
		{"dsq:alpha=0.9991", `bad value alpha="0.9991": want a number in [0.001, 0.999]`},
		{"bnnplus:beta=1e-10", `bad value beta="1e-10": want a number in [0.001, 1000]`},
		{"bnnplus:beta=1e6", `bad value beta="1e6": want a number in [0.001, 1000]`},
		{"ede:tmin=1e-50,tmax=1e-50", `bad value tmin="1e-50": below float32's smallest normal magnitude`},
		{"ede:tmin=2,tmax=1.9999999", "estimators: ede: tmin=2 is larger than tmax=1.9999999: want tmin <= tmax"},
		{"ede:tmin=2,tmax=1.99999999", ""}, // tmax is the float32 2, equal to tmin
	} {
		_, err := Parse(tc.in)
		if tc.want == "" {
			if err != nil {
				t.Errorf("Parse(%q) = %v, want no error", tc.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tc.in, err, tc.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "estimators: ") {
			t.Errorf("Parse(%q) error %q lacks the package prefix", tc.in, err)
		}
	}
}

// withNAReader installs read as the "+na" reader until the test ends.
func withNAReader(t *testing.T, read NAReader) {
	registryMu.Lock()
	saved := naReader
	naReader = read
	registryMu.Unlock()
	t.Cleanup(func() {
		registryMu.Lock()
		naReader = saved
		registryMu.Unlock()
	})
}

// TestParseNA checks the "+na" suffix's syntax with a stand-in reader:
// package nn registers the real one and tests its settings.
func TestParseNA(t *testing.T) {
	type settings struct {
		p float32
		m string
	}
	withNAReader(t, func(p *Params) (any, error) {
		return &settings{p: p.Float("p", 1, AtLeast(0)), m: p.Choice("m", "a", "a", "b")}, p.Err()
	})
	for _, tc := range []struct{ in, want string }{
		{"ste+na", "ste+na"},
		{"ste:c=2+na", "ste:c=2+na"},
		{"ste:c=1e+1+na:p=1e+1", "ste:c=10+na:p=10"},
		{"ste+na:p=1,m=a", "ste+na"},
		{"ste+na:m=b,p=0.50", "ste+na:m=b,p=0.5"},
	} {
		s := checkCanonical(t, tc.in, tc.want)
		if s.NA == nil {
			continue
		}
		if _, ok := s.NA.Settings.(*settings); !ok {
			t.Errorf("Parse(%q).NA.Settings = %T, want what the reader returned", tc.in, s.NA.Settings)
		}
	}
	if s := MustParse("ste"); s.NA != nil || s.NA.String() != "" {
		t.Errorf(`Parse("ste").NA = %v, want nil`, s.NA)
	}
	for _, tc := range []struct{ in, want string }{
		{"ste+na:", "estimators: +na: empty parameter list after ':'"},
		{"ste+na:q=1", `estimators: +na: unknown parameter "q" (have m, p)`},
		{"ste+na:p=-1", `estimators: +na: bad value p="-1": want a number >= 0`},
		{"ste+na:m=c", `estimators: +na: bad value m="c": want one of a, b`},
		{"ste+na+na", `unknown suffix`},
	} {
		checkParseError(t, tc.in, tc.want)
	}
	got := NADefaults()
	if len(got) != 2 || got[0].Key != "m" || got[1].Key != "p" || got[1].Default != "1" || got[1].Allowed != "a number >= 0" {
		t.Errorf("NADefaults() = %+v, want m and p with their defaults", got)
	}

	withNAReader(t, nil)
	if _, err := Parse("ste+na"); err == nil || !strings.Contains(err.Error(), "no package registered the +na suffix") {
		t.Errorf(`Parse("ste+na") without a reader: error = %v, want one saying none is registered`, err)
	}
	if got := NADefaults(); got != nil {
		t.Errorf("NADefaults() without a reader = %v, want nil", got)
	}
}

func TestParseList(t *testing.T) {
	specs, err := ParseList("ste:c=2,ste:c=3,omega=1,ste")
	if err == nil {
		t.Fatalf("ParseList with a parameter ste does not take = %v, want an error", specs)
	}
	checkParseList(t, "ste:c=2,fda:n=9,omega=0.2,ste", "ste:c=2", "fda:n=9,omega=0.2", "ste")
	if _, err := ParseList("ste,ste:c=1"); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("ParseList with a duplicate: err = %v, want listed twice", err)
	}
	if _, err := ParseList("ste:c=1.00000001,ste"); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("ParseList with two spellings of one float32: err = %v, want listed twice", err)
	}
}

// checkParseListError checks that ParseList(in) fails with an error that
// contains want.
func checkParseListError(t *testing.T, in, want string) {
	t.Helper()
	if specs, err := ParseList(in); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ParseList(%q) = %v, %v; want an error containing %q", in, specs, err, want)
	}
}

// TestParseCase: tried as a new user would, "STE" was refused as an
// unknown estimator with the names listed, which left the user to notice
// that only the case was wrong. Names are matched exactly, so it is still
// refused, and the error says what to write.
func TestParseCase(t *testing.T) {
	withNAReader(t, func(p *Params) (any, error) { return p.Float("a", 1, AtLeast(0)), p.Err() })
	for _, tc := range []struct{ in, want string }{
		{"STE", `estimators: unknown estimator "STE" (have ` + strings.Join(Names(), ", ") + `); names are lower case: did you mean "ste"?`},
		{"Fda:n=9", `estimators: unknown estimator "Fda" (have ` + strings.Join(Names(), ", ") + `); names are lower case: did you mean "fda:n=9"?`},
		{"fda+NA", `estimators: unknown suffix "+NA" in "fda+NA" (have +na); names are lower case: did you mean "fda+na"?`},
		{"W=ste/A=fda", `; names are lower case: did you mean "w=ste/a=fda"?`},
		// No hint where lower case does not make a valid spec.
		{"STEE", `estimators: unknown estimator "STEE" (have ` + strings.Join(Names(), ", ") + `)`},
	} {
		_, err := Parse(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tc.in, err, tc.want)
		}
		if tc.in == "STEE" && err != nil && strings.Contains(err.Error(), "did you mean") {
			t.Errorf("Parse(%q) error = %v, want no hint", tc.in, err)
		}
		if tc.in == "STE" && !errors.Is(err, ErrUnknown) {
			t.Errorf("Parse(%q) error = %v, want ErrUnknown", tc.in, err)
		}
	}
	// Inside a formula, case is the formula's: no hint rewrites it.
	if _, err := Parse("expr:g=X"); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf(`Parse("expr:g=X") error = %v, want one without a hint`, err)
	}
}

// TestParseListOdd: tried as a new user would, an empty item ("ste,,fda",
// "ste,fda,") was refused as an empty spec without saying which, and
// "fda:n=9,,omega=0.2" as the unknown estimator ",omega=0.2"; a list is
// used as given or refused, so each is refused as the comma too many it
// is, with the list to write instead. A spec listed twice, which would
// train once, is refused with the list that names each spec once.
func TestParseListOdd(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ste,,fda", `estimators: "ste,,fda": an empty item between two commas: remove one comma, as in "ste,fda"`},
		{"ste,fda,", `estimators: "ste,fda,": it ends with a comma: remove it, as in "ste,fda"`},
		{",ste", `estimators: ",ste": it starts with a comma: remove it, as in "ste"`},
		{"fda:n=9,,omega=0.2", `estimators: "fda:n=9,,omega=0.2": an empty item between two commas: remove one comma, as in "fda:n=9,omega=0.2"`},
		{"fda:n=9,", `estimators: "fda:n=9,": it ends with a comma: remove it, as in "fda:n=9"`},
		{",", `estimators: "," lists no estimator, only commas: give the specs, as in "ste,fda"`},
		{"ste,ste", `estimators: "ste" listed twice (canonical form "ste"): list each spec once, as in "ste"`},
		{"fda,ste,fda:omega=0.1", `estimators: "fda:omega=0.1" listed twice (canonical form "fda", as "fda" before it is): list each spec once, as in "fda,ste"`},
		{"ste,fda,ste,fda", `estimators: "ste" listed twice (canonical form "ste"): list each spec once, as in "ste,fda"`},
	} {
		checkParseListError(t, tc.in, tc.want)
	}
	// A comma inside brackets is the formula's, not the list's.
	checkParseList(t, "expr:g=max(0,1-abs(x)),ste", "expr:g=max(0, 1 - abs(x))", "ste")
}

// TestNewRefusesLiteral: a struct literal Spec{Name: "fda"} made working
// estimators while String printed "", so its runs' tables, records and keys
// named no estimator; the zero Spec said `unknown estimator ""`.
func TestNewRefusesLiteral(t *testing.T) {
	for _, tc := range []struct {
		s    Spec
		want string
	}{
		{Spec{}, `estimators: the zero Spec names no estimator: make one with Parse, such as Parse("ste") (have `},
		{Spec{Name: "fda"}, `estimators: Spec{Name: "fda"} was not made by Parse, which checks it and gives its canonical form: make it with Parse("fda")`},
		{Spec{Name: "bogus"}, `estimators: Spec{Name: "bogus"} was not made by Parse`},
		{func() Spec { s := MustParse("fda:n=9"); s.NA = &NA{}; return s }(), `estimators: fda:n=9: its NA was not made by Parse: write the suffix in the spec, as in Parse("fda:n=9+na")`},
	} {
		e, err := tc.s.New()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%#v.New() = %v, %v; want an error containing %q", tc.s, e, err, tc.want)
		}
	}
	for _, in := range []string{"fda", "fda+na", "ste:c=2"} {
		if _, err := MustParse(in).New(); err != nil {
			t.Errorf("MustParse(%q).New(): %v", in, err)
		}
	}
}

// TestParamKinds checks the kinds of parameter with an estimator that
// takes one of each: a number in [-1, 1) (its upper end open), an
// integer in [0, 5], a bool and a choice holding a closing bracket.
func TestParamKinds(t *testing.T) {
	withEstimator(t, "kinds", func(p *Params) (Estimator, error) {
		p.Float("x", 0.5, Interval{Lo: -1, Hi: 1, OpenHi: true})
		p.Int("k", 2, Between(0, 5))
		p.Bool("b", false)
		p.Choice("f", "x", "x", ")")
		return &STE{}, p.Err()
	})
	for _, tc := range []struct{ in, want string }{
		{"kinds:x=-1", "kinds:x=-1"},
		{"kinds:x=0.99", "kinds:x=0.99"},
		{"kinds:x=-0", "kinds:x=0"},
		{"kinds:x=0.5,k=2,b=false,f=x", "kinds"},
		{"kinds:k=0", "kinds:k=0"},
		{"kinds:k=5", "kinds:k=5"},
		{"kinds:b=true", "kinds:b=true"},
		{"kinds:f=)", "kinds:f=)"},
	} {
		checkCanonical(t, tc.in, tc.want)
	}
	for _, tc := range []struct{ in, want string }{
		{"kinds:x=1", `bad value x="1": want a number in [-1, 1)`},
		{"kinds:x=-1.0000001", `bad value x="-1.0000001": want a number in [-1, 1)`},
		{"kinds:k=6", `bad value k="6": want an integer in [0, 5]`},
		{"kinds:k=-1", `bad value k="-1": want an integer in [0, 5]`},
		{"kinds:k=1.5", `bad value k="1.5": want an integer in [0, 5]`},
		{"kinds:b=0", `bad value b="0": want true or false`},
		{"kinds:b=True", `bad value b="True": want true or false`},
		{"kinds:f=y", `bad value f="y": want one of x, )`},
	} {
		checkParseError(t, tc.in, tc.want)
	}
	// A closing bracket without its opening one hides no separator.
	checkParseList(t, "kinds:f=),ste", "kinds:f=)", "ste")
}

// TestParseWhiteSpace: tried as a new user would, " ste", "ste, fda",
// "fda: n=4", "fda:n= 4" and "w=ste /a=fda" were trimmed and accepted,
// while --seeds and --lr-grid refuse white space. A spec is used as given
// or refused: white space around the spec, a list item, a side, in a name,
// a suffix or a key, or around a value is refused, naming the part; a
// formula keeps the spaces inside it.
func TestParseWhiteSpace(t *testing.T) {
	withNAReader(t, func(p *Params) (any, error) { return p.Float("a", 1, AtLeast(0)), p.Err() })
	for _, tc := range []struct{ in, want string }{
		{" ste", `estimators: " ste": white space is not allowed around a spec: remove it, as in "ste"`},
		{"ste\n", `estimators: "ste\n": white space is not allowed around a spec: remove it, as in "ste"`},
		{"fda :n=4", `estimators: "fda :n=4": white space is not allowed in the estimator name "fda ": remove it, as in "fda:n=4"`},
		{"ste fda", `estimators: "ste fda": white space is not allowed in the estimator name "ste fda": specs are separated by commas, as in "ste,fda"`},
		{"ste  fda:n=4+na", `estimators: "ste  fda:n=4+na": white space is not allowed in the estimator name "ste  fda": specs are separated by commas, as in "ste,fda:n=4+na"`},
		{"ste nope", `estimators: "ste nope": white space is not allowed in the estimator name "ste nope": remove it`},
		{"fda: n=4", `estimators: fda: white space is not allowed in the parameter key " n": remove it, as in "n=4"`},
		{"fda:n =4", `estimators: fda: white space is not allowed in the parameter key "n ": remove it, as in "n=4"`},
		{"fda:o mega=0.2", `estimators: fda: white space is not allowed in the parameter key "o mega": remove it`},
		{"fda:n= 4", `estimators: fda: white space is not allowed around the value of n, " 4": remove it, as in "n=4"`},
		{"fda:n=4,\tomega=0.2", `estimators: fda: white space is not allowed in the parameter key "\tomega": remove it, as in "omega=0.2"`},
		{"ste +na", `white space is not allowed in the estimator name "ste "`},
		{"ste+ na", `estimators: "ste+ na": white space is not allowed in the suffix "+ na": remove it`},
		{"ste+na: a=0.2", `estimators: +na: white space is not allowed in the parameter key " a": remove it`},
		{"ste+na:a=0.2 ", `white space is not allowed around a spec`},
		{"w=ste /a=fda", `estimators: "w=ste /a=fda": white space is not allowed around the weight side "ste ": remove it, as in "w=ste/a=fda"`},
		{"w=ste / a=fda", `estimators: "w=ste / a=fda": white space is not allowed around the weight side "ste ": remove it, as in "w=ste/a=fda"`},
		{"w=ste/ a=fda", `estimators: "w=ste/ a=fda": white space is not allowed around the side key " a": remove it, as in "w=ste/a=fda"`},
		{"w =ste/a=fda", `estimators: "w =ste/a=fda": white space is not allowed around the side key "w ": remove it, as in "w=ste/a=fda"`},
		{"w=ste/a= fda", `estimators: "w=ste/a= fda": white space is not allowed around the activation side " fda": remove it, as in "w=ste/a=fda"`},
		{"a=fda:n=4 / w = ste", `estimators: "a=fda:n=4 / w = ste": white space is not allowed around the activation side "fda:n=4 ": remove it, as in "a=fda:n=4/w=ste"`},
		{"expr:g= 1 - x*x", `estimators: expr: white space is not allowed around the value of g, " 1 - x*x": remove it, as in "g=1 - x*x"`},
		{"expr:g=1 - x*x ", `white space is not allowed around a spec`},
		{"expr:g=1 - x*x ,c=2", `estimators: expr: white space is not allowed around the value of g, "1 - x*x ": remove it, as in "g=1 - x*x"`},
		{"expr:g=abs(x) < 0.5 ? 2 : 1,knots=0.5; 0", `bad value knots="0.5; 0": knot " 0": white space is not allowed: remove it`},
	} {
		checkParseError(t, tc.in, tc.want)
	}
	for _, tc := range []struct{ in, want string }{
		{" ste", `estimators: " ste": white space is not allowed around the item " ste": remove it, as in "ste"`},
		{"ste, fda", `estimators: "ste, fda": white space is not allowed around the item " fda": remove it, as in "ste,fda"`},
		{"ste ,fda", `estimators: "ste ,fda": white space is not allowed around the item "ste ": remove it, as in "ste,fda"`},
		{"ste, ,fda", `estimators: "ste, ,fda": white space is not allowed around the item " ": remove it, as in "ste,fda"`},
		{"fda:n=9, omega=0.2", `white space is not allowed around the item " omega=0.2": remove it, as in "fda:n=9,omega=0.2"`},
		{"ste,w=fda/a=ste ,dsq", `white space is not allowed around the item "w=fda/a=ste ": remove it, as in "ste,w=fda/a=ste,dsq"`},
		{"fda: n=4", `estimators: fda: white space is not allowed in the parameter key " n"`},
	} {
		checkParseListError(t, tc.in, tc.want)
	}
	// A formula's own spaces are part of it, and its canonical form has
	// them: it reads back as given.
	checkCanonical(t, "expr:g=1 - x*x", "expr:g=1 - x * x")
	checkCanonical(t, "expr:g=max(0, 1 - abs(x)),c=1.5", "expr:c=1.5,g=max(0, 1 - abs(x))")
	checkParseList(t, "expr:g=max(0, 1 - abs(x)),c=1.5,ste", "expr:c=1.5,g=max(0, 1 - abs(x))", "ste")
}

// TestErrUnknown: the error of a name no estimator is registered under
// wraps ErrUnknown, for callers to tell a build lacking an estimator from
// a malformed spec, and reads as before.
func TestErrUnknown(t *testing.T) {
	_, err := Parse("no-such-estimator:k=2")
	if !errors.Is(err, ErrUnknown) || !strings.HasPrefix(err.Error(), `estimators: unknown estimator "no-such-estimator" (have `) {
		t.Errorf("Parse(no-such-estimator:k=2) = %v, want ErrUnknown, reading estimators: unknown estimator ...", err)
	}
	if _, err := Defaults("no-such-estimator"); !errors.Is(err, ErrUnknown) {
		t.Errorf("Defaults(no-such-estimator) = %v, want ErrUnknown", err)
	}
	if _, err := Parse("fda:omega=x"); errors.Is(err, ErrUnknown) {
		t.Errorf("Parse(fda:omega=x) = %v, a malformed spec, not an unknown estimator", err)
	}
}
