package estimators

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// A Spec is a parsed estimator spec string, plain or sided:
//
//	name[:key=value,...][+na[:key=value,...]]
//	w=PLAIN/a=PLAIN
//
// such as "fda", "fda:n=9..18,omega=0.1", "bnnplus:beta=10,learn=true",
// "dsq+na:eta=x" or "w=fda/a=approxsign". A plain spec names one
// estimator, which a binary layer uses on both its latent weights and its
// activations; a sided spec names the estimator of the weights (w=) and
// of the activations (a=) apart, each a plain spec with its own
// parameters and +na suffix (see Sides, Weights, Activations). Parse
// validates every key and value against the estimator's factory, so a
// Spec always makes working Estimators. White space is refused, not
// trimmed, around the spec, a list item, a side key or a side, in a name, a
// suffix or a key, and around a value (" ste", "fda: n=4", "n= 4"); a
// value may hold it inside, as an expr: formula does ("g=1 - x*x").
//
// String returns the canonical form: parameters left at their default are
// dropped, the rest are sorted by key and numbers are printed in their
// shortest form, so "fda:omega=0.10,n=9..18" and "fda" both print "fda";
// a sided spec prints its weight side first ("a=ste/w=fda" prints
// "w=fda/a=ste"), and one whose sides are the same spec prints that spec
// ("w=ste/a=ste" prints "ste"). The canonical form is what tables show and
// what cache keys hash. Make a Spec with Parse, MustParse or Sides: a
// struct literal has no canonical form, and New refuses it.
type Spec struct {
	// Name is the registered estimator name; "" for a sided spec.
	Name string
	// NA holds the noise-adaptation settings of a "+na" suffix; nil without
	// it, and for a sided spec (each side has its own).
	NA *NA

	raw   map[string]string
	canon string // canonical estimator part, without +na
	typed string // the spec as given to Parse, which errors quote
	sides *sides // the two sides of a sided spec, nil for a plain one
}

// NA is the "+na" suffix of a spec: a request for the noise adaptation
// module of the FDA paper (arXiv 2103.00841), composable with any
// estimator. The module is a layer of the training engine, and so are its
// settings: package nn defines them, with their defaults and meaning
// (nn.NoiseAdaptation, nn.NASettings), and registers how to read them with
// RegisterNA. Package estimators only parses the suffix, validates its
// parameters with the registered reader and keeps what it returned.
type NA struct {
	// Settings is what the registered reader made of the suffix's
	// parameters (an *nn.NASettings).
	Settings any

	canon string // the canonical "+na[:k=v,...]"
}

// An NAReader reads the settings of the "+na" suffix from p, like a
// Factory: each key with one Params call, returning p.Err() if one was bad.
type NAReader func(p *Params) (any, error)

var naReader NAReader // set by RegisterNA, under registryMu

// RegisterNA makes the "+na" suffix available: read validates its
// parameters and returns the settings a Spec keeps in NA.Settings. The
// package that implements noise adaptation (nn) calls it in an init
// function, so "+na" works in every program that can train. It panics if
// called twice or with nil.
func RegisterNA(read NAReader) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if read == nil {
		panic("estimators: RegisterNA reader is nil")
	}
	if naReader != nil {
		panic("estimators: RegisterNA called twice")
	}
	naReader = read
}

func lookupNA() NAReader {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return naReader
}

// readNA parses the "+na" parameters raw with the registered reader.
func readNA(raw map[string]string, spec string) (*NA, error) {
	read := lookupNA()
	if read == nil {
		return nil, fmt.Errorf("estimators: %q: no package registered the +na suffix (noise adaptation is package nn's: import it)", spec)
	}
	p := newParams("+na", raw)
	v, err := read(p)
	if err == nil {
		err = p.err
	}
	if err != nil {
		if p.err == nil {
			err = fmt.Errorf("estimators: +na: %w", err)
		}
		return nil, err
	}
	args, err := p.finish()
	if err != nil {
		return nil, err
	}
	return &NA{Settings: v, canon: join("+na", args)}, nil
}

// Parse parses and validates one spec string, plain or sided.
func Parse(s string) (Spec, error) {
	if s == "" {
		return Spec{}, fmt.Errorf("estimators: empty estimator spec (have %s)", strings.Join(Names(), ", "))
	}
	if padded(s) {
		if strings.TrimFunc(s, unicode.IsSpace) == "" {
			return Spec{}, fmt.Errorf("estimators: empty estimator spec %q, white space only: %s (have %s)", s, spaceNotAllowed, strings.Join(Names(), ", "))
		}
		return Spec{}, fmt.Errorf("estimators: %q: %s around a spec: remove it, as in %q", s, spaceNotAllowed, strings.TrimFunc(s, unicode.IsSpace))
	}
	if _, _, ok := cutSide(s); ok {
		return parseSided(s)
	}
	est, na, hasNA, err := splitSuffix(s)
	if err != nil {
		return Spec{}, fmt.Errorf("%w%s", err, caseHint(s))
	}
	name, rawArgs, _ := strings.Cut(est, ":")
	if strings.ContainsFunc(name, unicode.IsSpace) {
		return Spec{}, spaceInName(s, name)
	}
	f, ok := lookup(name)
	if name == "" {
		// Said as what is missing, not as the unknown estimator "".
		if hasNA {
			return Spec{}, fmt.Errorf("estimators: %q: +na follows the estimator it adapts, with no comma between, as in \"ste+na\" or \"fda:omega=0.2+na\"", s)
		}
		return Spec{}, fmt.Errorf("estimators: %q: no estimator name before the parameters (have %s)", s, strings.Join(Names(), ", "))
	}
	if !ok {
		if n, args, found := strings.Cut(name, ","); found && strings.Contains(args, "=") {
			if _, known := lookup(n); known {
				return Spec{}, fmt.Errorf("estimators: %q: parameters follow a colon, as in %q", s, n+":"+args)
			}
		}
		return Spec{}, fmt.Errorf("estimators: %w %q (have %s)%s", ErrUnknown, name, strings.Join(Names(), ", "), caseHint(s))
	}
	raw, err := splitArgs(name, rawArgs, strings.Contains(est, ":"))
	if err != nil {
		return Spec{}, err
	}
	spec := Spec{Name: name, raw: raw}
	p := newParams(name, raw)
	e, err := f(p)
	if err != nil {
		if p.err != nil {
			return Spec{}, p.err
		}
		return Spec{}, fmt.Errorf("estimators: %s: %w", name, err)
	}
	args, err := p.finish()
	if err != nil {
		return Spec{}, err
	}
	spec.canon = join(name, args)
	if err := checkFinite(e); err != nil {
		// The spec as typed, as the other errors quote it: the
		// canonical form orders and rewrites the numbers.
		return Spec{}, fmt.Errorf("estimators: %q: %w", s, err)
	}
	if hasNA {
		nraw, err := splitArgs("+na", na, false)
		if err != nil {
			return Spec{}, err
		}
		if spec.NA, err = readNA(nraw, s); err != nil {
			return Spec{}, err
		}
	}
	spec.typed = s
	return spec, nil
}

// spaceInName is the error for white space in name, the estimator name
// that begins the spec s, saying what to write instead: the name without
// it, or, when it separates registered names ("ste fda"), a comma.
func spaceInName(s, name string) error {
	rest := s[len(name):]
	words := strings.FieldsFunc(name, unicode.IsSpace)
	if len(words) > 1 && !slices.ContainsFunc(words, func(w string) bool { _, ok := lookup(w); return !ok }) {
		return fmt.Errorf("estimators: %q: %s in the estimator name %q: specs are separated by commas, as in %q", s, spaceNotAllowed, name, strings.Join(words, ",")+rest)
	}
	if len(words) == 1 {
		return fmt.Errorf("estimators: %q: %s in the estimator name %q: remove it, as in %q", s, spaceNotAllowed, name, words[0]+rest)
	}
	return fmt.Errorf("estimators: %q: %s in the estimator name %q: remove it", s, spaceNotAllowed, name)
}

// caseHint returns "; names are lower case: did you mean ...?" when the
// spec s, refused for a name it does not have, is a valid spec in lower
// case ("STE", "fda+NA", "W=ste/A=fda"), and "" otherwise. Names are
// matched exactly: the hint says what to write, it does not read s as it.
func caseHint(s string) string {
	low := strings.ToLower(s)
	if low == s {
		return ""
	}
	if _, err := Parse(low); err != nil {
		return ""
	}
	return fmt.Sprintf("; names are lower case: did you mean %q?", low)
}

// splitSuffix separates "est+na:args" into its estimator and +na parts.
// The suffix is the first "+na" outside brackets that ends the string or
// is followed by ':', so that a '+' inside a parameter value (an exponent
// such as 1e+3, or a sum in an expr: formula) is not taken for it. A '+' in
// the estimator's name is an unknown suffix.
func splitSuffix(s string) (est, na string, hasNA bool, err error) {
	est = s
	for _, i := range topLevel(s, '+') {
		if rest, ok := strings.CutPrefix(s[i+1:], "na"); ok && (rest == "" || rest[0] == ':') {
			est, na, hasNA = s[:i], strings.TrimPrefix(rest, ":"), true
			if rest == ":" {
				return "", "", false, fmt.Errorf("estimators: +na: empty parameter list after ':' in %q", s)
			}
			break
		}
	}
	name, _, _ := strings.Cut(est, ":")
	if i := strings.IndexByte(name, '+'); i >= 0 {
		suffix, _, _ := strings.Cut(name[i:], ":")
		if strings.ContainsFunc(suffix, unicode.IsSpace) {
			return "", "", false, fmt.Errorf("estimators: %q: %s in the suffix %q: remove it, as in \"ste+na\"", s, spaceNotAllowed, suffix)
		}
		return "", "", false, fmt.Errorf("estimators: unknown suffix %q in %q (have +na)", suffix, s)
	}
	return est, na, hasNA, nil
}

// topLevel returns the indices of the bytes sep in s that are outside
// brackets ((), [] and {}), so that a comma inside a formula's function
// call, such as "g=max(0, 1-abs(x))", does not split a parameter list.
func topLevel(s string, sep byte) []int {
	var at []int
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(' || c == '[' || c == '{':
			depth++
		case (c == ')' || c == ']' || c == '}') && depth > 0:
			depth--
		case c == sep && depth == 0:
			at = append(at, i)
		}
	}
	return at
}

// splitTop splits s at the bytes sep outside brackets (see topLevel).
func splitTop(s string, sep byte) []string {
	var parts []string
	start := 0
	for _, i := range topLevel(s, sep) {
		parts = append(parts, s[start:i])
		start = i + 1
	}
	return append(parts, s[start:])
}

// splitArgs parses "k=v,k=v". colon reports whether a ':' introduced the
// list, so that "fda:" (a colon and nothing after it) is an error. A value
// ends at the next comma outside brackets and may itself contain '=' (a
// comparison in an expr: formula): the key ends at the first '='. White
// space is refused in a key and around a value (" n=4", "n= 4"), not
// trimmed; a value may hold it inside, as a formula does ("g=1 - x*x").
func splitArgs(name, s string, colon bool) (map[string]string, error) {
	raw := map[string]string{}
	if s == "" {
		if colon {
			return nil, fmt.Errorf("estimators: %s: empty parameter list after ':'", name)
		}
		return raw, nil
	}
	for _, kv := range splitTop(s, ',') {
		k, v, ok := strings.Cut(kv, "=")
		if strings.ContainsFunc(k, unicode.IsSpace) {
			if t := strings.TrimFunc(k, unicode.IsSpace); ok && t != "" && !strings.ContainsFunc(t, unicode.IsSpace) {
				return nil, fmt.Errorf("estimators: %s: %s in the parameter key %q: remove it, as in %q", name, spaceNotAllowed, k, t+"="+v)
			}
			return nil, fmt.Errorf("estimators: %s: %s in the parameter key %q: remove it", name, spaceNotAllowed, k)
		}
		if ok && padded(v) {
			return nil, fmt.Errorf("estimators: %s: %s around the value of %s, %q: remove it, as in %q", name, spaceNotAllowed, k, v, k+"="+strings.TrimFunc(v, unicode.IsSpace))
		}
		if ok && k != "" && v == "" {
			return nil, fmt.Errorf("estimators: %s: parameter %q has no value after '=': give one, or leave the key out for its default", name, k)
		}
		if !ok || k == "" {
			return nil, fmt.Errorf("estimators: %s: malformed parameter %q: want key=value", name, kv)
		}
		if _, dup := raw[k]; dup {
			return nil, fmt.Errorf("estimators: %s: parameter %q given twice", name, k)
		}
		raw[k] = v
	}
	return raw, nil
}

// spaceNotAllowed begins the error for white space in a spec: a value is
// used as given or refused, so white space is refused where reading the
// spec would mean trimming it (around the spec, a list item, a side; in
// the estimator's name, a suffix or a parameter key; around a value), as
// the other list flags refuse it. Only a value holds it inside: a
// formula's own spaces are part of the formula.
const spaceNotAllowed = "white space is not allowed"

// padded reports whether s begins or ends with white space.
func padded(s string) bool { return strings.TrimFunc(s, unicode.IsSpace) != s }

func join(name, args string) string {
	if args == "" {
		return name
	}
	return name + ":" + args
}

// MustParse is Parse for specs known to be valid, such as constants in
// tests and examples; it panics on error.
func MustParse(s string) Spec {
	spec, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return spec
}

// ParseList parses a comma-separated list of specs, as given to
// `gradbench run --estimators`. Commas also separate an estimator's
// parameters, so an item of the form key=value (an '=' with no ':' before
// it) continues the previous spec: "fda:n=9,omega=0.2,ste" is the two specs
// "fda:n=9,omega=0.2" and "ste". Commas inside brackets do not split, so
// "expr:g=max(0, 1-abs(x)),c=1.5,ste" is two specs too. An item that starts
// with a side key and an estimator's name ("w=fda", "a=ste") starts a sided
// spec: "ste,w=fda:n=9,omega=0.2/a=ste" is the two specs "ste" and
// "w=fda:n=9,omega=0.2/a=ste". Duplicates (by canonical form) are errors,
// and so are white space around an item ("ste, fda") and an empty item
// ("ste,,fda", "ste,fda,"), which are refused as the other list flags
// refuse them, not trimmed or skipped; each error says what to write
// instead.
func ParseList(s string) ([]Spec, error) {
	parts := splitTop(s, ',')
	var items []string
	for i, it := range parts {
		if it == "" && len(parts) > 1 {
			return nil, emptyItem(s, parts, i)
		}
		if padded(it) {
			return nil, fmt.Errorf("estimators: %q: %s around the item %q: remove it, as in %q", s, spaceNotAllowed, it, listFix(parts))
		}
		if key, _, ok := strings.Cut(it, "="); len(items) > 0 && ok && !strings.Contains(key, ":") && !startsSided(it) {
			items[len(items)-1] += "," + it
			continue
		}
		items = append(items, it)
	}
	specs := make([]Spec, len(items))
	for i, it := range items {
		spec, err := Parse(it)
		if err != nil {
			if len(items) > 1 {
				// Which item, as typed: "fda:n=x" may be any of several
				// fda specs of the list.
				return nil, listItemError{fmt.Sprintf("item %d of %d, %q: ", i+1, len(items), it), err}
			}
			return nil, err
		}
		specs[i] = spec
	}
	// A spec listed twice would train and table once: used other than as
	// given, so it is refused, with the list that names each spec once.
	first := map[string]int{}
	var once []string
	for i, spec := range specs {
		if _, dup := first[spec.String()]; !dup {
			first[spec.String()] = i
			once = append(once, items[i])
		}
	}
	for i, spec := range specs {
		if j := first[spec.String()]; j != i {
			same := ""
			if items[j] != items[i] {
				same = fmt.Sprintf(", as %q before it is", items[j])
			}
			return nil, fmt.Errorf("estimators: %q listed twice (canonical form %q%s): list each spec once, as in %q", items[i], spec.String(), same, strings.Join(once, ","))
		}
	}
	return specs, nil
}

// emptyItem is the error for the empty item parts[i] of the list s: a
// comma too many, which is refused rather than skipped.
func emptyItem(s string, parts []string, i int) error {
	fix := listFix(parts)
	if fix == "" {
		return fmt.Errorf("estimators: %q lists no estimator, only commas: give the specs, as in %q", s, "ste,fda")
	}
	where := "an empty item between two commas: remove one comma"
	switch i {
	case 0:
		where = "it starts with a comma: remove it"
	case len(parts) - 1:
		where = "it ends with a comma: remove it"
	}
	return fmt.Errorf("estimators: %q: %s, as in %q", s, where, fix)
}

// listFix returns the list of parts without white space around an item
// and without empty items: what an error about those suggests writing.
func listFix(parts []string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimFunc(p, unicode.IsSpace); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ",")
}

// String returns the canonical form of the spec.
func (s Spec) String() string {
	if s.sides != nil {
		return "w=" + s.sides.w.String() + "/a=" + s.sides.a.String()
	}
	return s.Base() + s.NA.String()
}

// Typed returns the spec as it was given to Parse, which errors quote so
// that the user finds the values they typed (expr:g=1/abs(p-1/3), not
// its canonical 1 / abs(p - 0.3333333333333333)); String, the canonical
// form, is what keys and tables use. A spec not parsed from one string
// (made by Sides) returns String.
func (s Spec) Typed() string {
	if s.typed == "" {
		return s.String()
	}
	return s.typed
}

// Base returns the canonical form of the estimator part, without "+na"
// (on either side of a sided spec).
func (s Spec) Base() string {
	if s.sides != nil {
		return "w=" + s.sides.w.Base() + "/a=" + s.sides.a.Base()
	}
	return s.canon
}

// String returns the canonical "+na[:...]" suffix, or "" for a nil NA.
func (n *NA) String() string {
	if n == nil {
		return ""
	}
	return n.canon
}

// New returns a new Estimator configured by the spec. Every call returns a
// fresh value: learnable scalars and schedules are per layer. A sided spec
// names two estimators: New of its Weights or Activations makes each.
func (s Spec) New() (Estimator, error) {
	if s.sides != nil {
		return nil, fmt.Errorf("estimators: %q names an estimator per side: make each from its Weights() or Activations()", s.String())
	}
	// A struct literal has no canonical form: String would print "", and
	// the tables, records and keys of its runs would name no estimator.
	switch {
	case s.canon == "" && s.Name == "":
		return nil, fmt.Errorf("estimators: the zero Spec names no estimator: make one with Parse, such as Parse(%q) (have %s)", "ste", strings.Join(Names(), ", "))
	case s.canon == "":
		return nil, fmt.Errorf("estimators: Spec{Name: %q} was not made by Parse, which checks it and gives its canonical form: make it with Parse(%q)", s.Name, s.Name)
	case s.NA != nil && s.NA.canon == "":
		return nil, fmt.Errorf("estimators: %s: its NA was not made by Parse: write the suffix in the spec, as in Parse(%q)", s.canon, s.canon+"+na")
	}
	f, ok := lookup(s.Name)
	if !ok {
		return nil, fmt.Errorf("estimators: %w %q (have %s)", ErrUnknown, s.Name, strings.Join(Names(), ", "))
	}
	p := newParams(s.Name, s.raw)
	e, err := f(p)
	if err == nil {
		err = p.err
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// MarshalText returns the canonical form, so that specs are written to JSON
// records as strings.
func (s Spec) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a spec string.
func (s *Spec) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// A listItemError is the error of one item of a list (ParseList), led by
// the item's place and text after the package's prefix: "estimators: item
// 2 of 3, \"fda:n=x\": fda: bad value …".
type listItemError struct {
	at  string
	err error
}

func (e listItemError) Error() string {
	return "estimators: " + e.at + strings.TrimPrefix(e.err.Error(), "estimators: ")
}

func (e listItemError) Unwrap() error { return e.err }
