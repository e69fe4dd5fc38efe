package estimators

import (
	"fmt"
	"strings"
	"unicode"
)

// sides are the two side specs of a spec that names a different
// estimator for the latent weights and for the activations.
type sides struct{ w, a Spec }

// Side names, as written before '=' in a sided spec.
const (
	sideWeights     = "w"
	sideActivations = "a"
)

// sideWords are the words errors use for the sides.
var sideWords = map[string]string{sideWeights: "weight", sideActivations: "activation"}

// Sided reports whether the spec names a different estimator for the
// latent weights and for the activations ("w=fda/a=approxsign"). A plain
// spec ("fda") names one estimator for both.
func (s Spec) Sided() bool { return s.sides != nil }

// Weights returns the spec of the estimator of the latent weights: the
// spec itself when it is plain.
func (s Spec) Weights() Spec {
	if s.sides != nil {
		return s.sides.w
	}
	return s
}

// Activations returns the spec of the estimator of the activations: the
// spec itself when it is plain.
func (s Spec) Activations() Spec {
	if s.sides != nil {
		return s.sides.a
	}
	return s
}

// HasNA reports whether the spec asks for noise adaptation on either side.
func (s Spec) HasNA() bool { return s.Weights().NA != nil || s.Activations().NA != nil }

// Sides returns the spec that uses w on the latent weights and a on the
// activations of a binary layer, in canonical form: w itself when the two
// are the same spec, so that Sides(ste, ste) is ste. w and a must be
// plain specs, and a must not be a WeightsOnly estimator.
func Sides(w, a Spec) (Spec, error) {
	if w.sides != nil || a.sides != nil {
		return Spec{}, fmt.Errorf("estimators: Sides(%s, %s): a side must be a plain spec, not a sided one", w, a)
	}
	s := Spec{sides: &sides{w: w, a: a}}
	e, err := a.New()
	if err != nil {
		return Spec{}, err
	}
	if wo, ok := e.(WeightsOnly); ok {
		return Spec{}, fmt.Errorf("estimators: %q: activation side: %s", s.String(), wo.WeightsOnly())
	}
	if w.String() == a.String() {
		return w, nil
	}
	return s, nil
}

// cutSide reports whether s starts with a side key, "w=" or "a=" ("=="
// excluded), and returns the key and what follows the '='. No plain spec
// starts so: an estimator's name is followed by ':', '+' or nothing. It
// also takes spaces around the key (" w =fda"), so that parseSided can
// refuse them by name rather than read the spec as an unknown estimator.
func cutSide(s string) (key, rest string, ok bool) {
	t := strings.TrimLeftFunc(s, unicode.IsSpace)
	if t == "" || t[0] != 'w' && t[0] != 'a' {
		return "", "", false
	}
	r := strings.TrimLeftFunc(t[1:], unicode.IsSpace)
	if !strings.HasPrefix(r, "=") || strings.HasPrefix(r, "==") {
		return "", "", false
	}
	return t[:1], r[1:], true
}

// startsSided reports whether a comma-separated item of a spec list
// starts a sided spec: a side key followed by a registered estimator's
// name ("w=fda", "a=ste:c=2"), unlike the key=value of a parameter
// ("a=0.2", noise adaptation's amplitude), which continues the previous
// spec.
func startsSided(item string) bool {
	_, rest, ok := cutSide(item)
	if !ok {
		return false
	}
	name := rest
	if i := strings.IndexAny(rest, ":+/,"); i >= 0 {
		name = rest[:i]
	}
	_, known := lookup(strings.TrimFunc(name, unicode.IsSpace)) // spaces are refused when the spec is parsed
	return known
}

// splitSides splits a sided spec at each '/' outside brackets that is
// followed by a side key, so that a '/' inside a parameter value (a
// division in a formula) stays where it is.
func splitSides(s string) []string {
	var parts []string
	start := 0
	for _, i := range topLevel(s, '/') {
		if _, _, ok := cutSide(s[i+1:]); ok {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// parseSided parses "w=SPEC/a=SPEC" (the sides in either order).
func parseSided(s string) (Spec, error) {
	given := map[string]string{}
	for _, part := range splitSides(s) {
		key, rest, _ := cutSide(part)
		if head := part[:len(part)-len(rest)-1]; head != key {
			return Spec{}, fmt.Errorf("estimators: %q: %s around the side key %q: remove it, as in %q", s, spaceNotAllowed, head, sidedFix(s))
		}
		if padded(rest) {
			return Spec{}, fmt.Errorf("estimators: %q: %s around the %s side %q: remove it, as in %q", s, spaceNotAllowed, sideWords[key], rest, sidedFix(s))
		}
		if _, dup := given[key]; dup {
			return Spec{}, fmt.Errorf("estimators: %q: the %s side is named twice (want w=SPEC/a=SPEC)", s, sideWords[key])
		}
		given[key] = rest
	}
	for _, key := range []string{sideWeights, sideActivations} {
		if _, ok := given[key]; !ok {
			return Spec{}, fmt.Errorf("estimators: %q names the %s side only: name both, as in %q (a plain spec such as %q names one estimator for both)",
				s, sideWords[otherSide(key)], sideExample(key, given), "fda")
		}
	}
	var side [2]Spec
	for i, key := range []string{sideWeights, sideActivations} {
		sp, err := Parse(given[key])
		if err == nil && sp.sides != nil {
			err = fmt.Errorf("estimators: %q names sides within a side", given[key])
		}
		if err != nil {
			return Spec{}, &sideError{side: sideWords[key], spec: s, err: err}
		}
		side[i] = sp
	}
	sp, err := Sides(side[0], side[1])
	if err != nil {
		return Spec{}, err
	}
	sp.typed = s
	return sp, nil
}

// sidedFix returns the sided spec s without white space around its side
// keys and sides ("w=ste /a=fda" is "w=ste/a=fda"): what the errors about
// that white space suggest writing.
func sidedFix(s string) string {
	var parts []string
	for _, part := range splitSides(s) {
		key, rest, _ := cutSide(part)
		parts = append(parts, key+"="+strings.TrimFunc(rest, unicode.IsSpace))
	}
	return strings.Join(parts, "/")
}

func otherSide(key string) string {
	if key == sideWeights {
		return sideActivations
	}
	return sideWeights
}

// sideExample completes a one-sided spec with ste on the missing side.
// A '/' that ends the side given is the separator of a side left out
// ("w=fda/"), not part of its spec: the example drops it rather than
// suggest "w=fda//a=ste", which is refused in turn.
func sideExample(missing string, given map[string]string) string {
	side := func(key string) string {
		return strings.TrimRightFunc(given[key], func(r rune) bool { return r == '/' || unicode.IsSpace(r) })
	}
	if missing == sideActivations {
		return "w=" + side(sideWeights) + "/a=ste"
	}
	return "w=ste/a=" + side(sideActivations)
}

// A sideError is an error in one side of a sided spec.
type sideError struct {
	side, spec string
	err        error
}

func (e *sideError) Error() string {
	return fmt.Sprintf("estimators: %q: %s side: %s", e.spec, e.side, strings.TrimPrefix(e.err.Error(), "estimators: "))
}

func (e *sideError) Unwrap() error { return e.err }
