package estimators

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Params are the key=value settings given to one estimator in a spec string,
// handed to its Factory. A factory reads each of its hyperparameters with one
// call (Float, Int, Bool, Range, Choice) naming the key, its default and the
// values allowed; Params records the first bad value, and the registry
// rejects any key the factory never asked for. From the same calls Params
// learns the defaults and allowed values (for `gradbench list`, which prints
// exactly the sets Params checks) and the canonical form of the spec: only
// the keys whose value differs from the default, sorted, with numbers
// printed in their shortest form.
//
// A number is used as the kernels use it, a float32, and checked after the
// conversion: Float returns the float32, the canonical form prints it (so
// two spellings of one float32 are one spec), and a value that float32
// cannot hold to its 24-bit precision (a magnitude below 1.1754944e-38,
// which would become 0 or lose digits, or above 3.4028235e+38, which would
// become ±Inf) is refused with those limits, never replaced.
type Params struct {
	name  string
	raw   map[string]string
	asked []Param
	canon map[string]string // key -> canonical non-default value
	err   error
}

// A Param describes one hyperparameter of an estimator: its key, its default
// value as it is written in a spec string, and the values allowed, in words
// (Allowed) and, for numbers, as the Interval Params checks.
type Param struct {
	Key, Default, Allowed string
	// Kind is "number" (Float), "integer" (Int), "range" (Range), "bool",
	// "choice" or "text" (Text).
	Kind string
	// In is the interval a number, integer or both ends of a range must
	// lie in; the zero Interval for bools and choices.
	In Interval
	// Choices are the values of a choice.
	Choices []string
}

// An Interval is the set of values a numeric hyperparameter accepts, from
// Lo to Hi (±Inf for no bound), each end included unless OpenLo (OpenHi)
// is set. Float checks it on the float32 value (with the bounds rounded to
// float32), Int and Range on the integer. Above, AtLeast and Between make
// the common ones.
type Interval struct {
	Lo, Hi         float64
	OpenLo, OpenHi bool
}

// Above returns the interval of values > lo.
func Above(lo float64) Interval { return Interval{Lo: lo, Hi: math.Inf(1), OpenLo: true} }

// AtLeast returns the interval of values >= lo.
func AtLeast(lo float64) Interval { return Interval{Lo: lo, Hi: math.Inf(1)} }

// Between returns the closed interval [lo, hi].
func Between(lo, hi float64) Interval { return Interval{Lo: lo, Hi: hi} }

// Contains reports whether v lies in the interval; NaN never does.
func (in Interval) Contains(v float64) bool {
	if in.OpenLo && !(v > in.Lo) || !in.OpenLo && !(v >= in.Lo) {
		return false
	}
	return in.OpenHi && v < in.Hi || !in.OpenHi && v <= in.Hi
}

// contains32 is Contains for a float32, with the bounds rounded to float32
// as the value was.
func (in Interval) contains32(v float32) bool {
	return Interval{Lo: float64(float32(in.Lo)), Hi: float64(float32(in.Hi)), OpenLo: in.OpenLo, OpenHi: in.OpenHi}.Contains(float64(v))
}

// String describes the interval: "> 0", ">= 1", "in [0.001, 0.999]".
func (in Interval) String() string {
	lo, hi := !math.IsInf(in.Lo, -1), !math.IsInf(in.Hi, 1)
	switch {
	case lo && hi:
		l, r := "[", "]"
		if in.OpenLo {
			l = "("
		}
		if in.OpenHi {
			r = ")"
		}
		return "in " + l + formatFloat(in.Lo) + ", " + formatFloat(in.Hi) + r
	case lo:
		if in.OpenLo {
			return "> " + formatFloat(in.Lo)
		}
		return ">= " + formatFloat(in.Lo)
	case hi:
		if in.OpenHi {
			return "< " + formatFloat(in.Hi)
		}
		return "<= " + formatFloat(in.Hi)
	}
	return "any"
}

// The limits of float32 that Float enforces: magnitudes it holds to full
// precision.
const (
	minFloat32 = 0x1p-126 // the smallest normal float32, 1.1754944e-38
	maxFloat32 = math.MaxFloat32
)

// clamp32 returns v clamped to the float32 bounds of in.
func clamp32(v float32, in Interval) float32 {
	return min(max(v, float32(in.Lo)), float32(in.Hi))
}

func newParams(name string, raw map[string]string) *Params {
	return &Params{name: name, raw: raw, canon: map[string]string{}}
}

func (p *Params) fail(key, value, why string) {
	if p.err == nil {
		p.err = fmt.Errorf("estimators: %s: bad value %s=%s: %s", p.name, key, quoteShort(value), why)
	}
}

// quoteShort quotes s for an error message, cut after its first 60 bytes
// (at a character boundary) with its length, so that a long value does not
// bury the message.
func quoteShort(s string) string {
	const keep = 60
	if len(s) <= keep+20 {
		return strconv.Quote(s)
	}
	cut := keep
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:cut], len(s))
}

// lookup records the key as known and returns its raw value, if given.
func (p *Params) lookup(a Param) (string, bool) {
	p.asked = append(p.asked, a)
	v, ok := p.raw[a.Key]
	return v, ok
}

// Float returns the value of key as a float32, or def when the spec does
// not set it. The value must be a finite number that float32 holds to its
// precision (0, or a magnitude from 1.1754944e-38 to 3.4028235e+38) and,
// as a float32, lie in the interval in.
func (p *Params) Float(key string, def float32, in Interval) float32 {
	allowed := "a number " + in.String()
	s, ok := p.lookup(Param{Key: key, Default: formatFloat32(def), Allowed: allowed, Kind: "number", In: in})
	if !ok {
		return def
	}
	v, err := strconv.ParseFloat(s, 64)
	var ne *strconv.NumError
	overflow := errors.As(err, &ne) && ne.Err == strconv.ErrRange // ±Inf from a finite literal
	v32 := float32(v)
	if v32 == 0 {
		v32 = 0 // -0 is 0: one value, one canonical form
	}
	switch {
	case err != nil && !overflow:
		p.fail(key, s, "want "+allowed)
	case math.IsNaN(v) || math.IsInf(v, 0) && !overflow:
		p.fail(key, s, "want a finite number "+in.String())
	case overflow || math.IsInf(float64(v32), 0):
		p.fail(key, s, fmt.Sprintf("beyond float32's largest magnitude, %g: want %s", float32(maxFloat32), allowed))
	case v != 0 && math.Abs(float64(v32)) < minFloat32 || v == 0 && nonzeroMantissa(s): // judged as float32, as the largest magnitude is
		p.fail(key, s, fmt.Sprintf("below float32's smallest normal magnitude, %g (it would be %g): want %s", float32(minFloat32), v32, allowed))
	case !in.contains32(v32):
		p.fail(key, s, "want "+allowed)
	default:
		if v32 != def {
			p.canon[key] = formatFloat32(v32)
		}
		return v32
	}
	return def
}

// nonzeroMantissa reports whether the number literal s has a nonzero digit
// before its exponent, so that a parsed 0 means it underflowed.
func nonzeroMantissa(s string) bool {
	s = strings.ToLower(strings.TrimLeft(s, "+-"))
	digits, exp := "123456789", "e"
	if strings.HasPrefix(s, "0x") {
		s, digits, exp = s[2:], "123456789abcdef", "p"
	}
	m, _, _ := strings.Cut(s, exp)
	return strings.ContainsAny(m, digits)
}

// Int returns the value of key, or def when the spec does not set it; the
// value must lie in the interval in.
func (p *Params) Int(key string, def int, in Interval) int {
	allowed := "an integer " + in.String()
	s, ok := p.lookup(Param{Key: key, Default: strconv.Itoa(def), Allowed: allowed, Kind: "integer", In: in})
	if !ok {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || !in.Contains(float64(v)) {
		p.fail(key, s, "want "+allowed)
		return def
	}
	if v != def {
		p.canon[key] = strconv.Itoa(v)
	}
	return v
}

// Bool is Float for switches; it accepts true and false.
func (p *Params) Bool(key string, def bool) bool {
	const allowed = "true or false"
	s, ok := p.lookup(Param{Key: key, Default: strconv.FormatBool(def), Allowed: allowed, Kind: "bool"})
	if !ok {
		return def
	}
	var v bool
	switch s {
	case "true":
		v = true
	case "false":
	default:
		p.fail(key, s, "want "+allowed)
		return def
	}
	if v != def {
		p.canon[key] = strconv.FormatBool(v)
	}
	return v
}

// Choice returns the value of key, which must be one of choices; def is
// the default and must be among them.
func (p *Params) Choice(key, def string, choices ...string) string {
	allowed := "one of " + strings.Join(choices, ", ")
	s, ok := p.lookup(Param{Key: key, Default: def, Allowed: allowed, Kind: "choice", Choices: choices})
	if !ok {
		return def
	}
	for _, c := range choices {
		if s == c {
			if s != def {
				p.canon[key] = s
			}
			return s
		}
	}
	p.fail(key, s, "want "+allowed)
	return def
}

// Text returns the value of key as written, or def when the spec does not
// set it. canon checks a value and returns its canonical form (which the
// spec's canonical string shows, so that spellings of one value share a
// cache key), or an error saying what is wrong with it; the value is kept
// when its canonical form differs from def's.
func (p *Params) Text(key, def, allowed string, canon func(string) (string, error)) string {
	s, ok := p.lookup(Param{Key: key, Default: def, Allowed: allowed, Kind: "text"})
	if !ok {
		return def
	}
	c, err := canon(s)
	if err != nil {
		if p.err == nil {
			p.err = fmt.Errorf("estimators: %s: bad value %s=%s: %v", p.name, key, quoteShort(s), err)
		}
		return def
	}
	if d, err := canon(def); err != nil || c != d {
		p.canon[key] = c
	}
	return c
}

// Range returns an integer range written "lo..hi" (lo <= hi) or a single
// integer "v", meaning v..v. Both ends must lie in the interval in.
func (p *Params) Range(key string, defLo, defHi int, in Interval) (lo, hi int) {
	allowed := "integers " + in.String() + ", written v or lo..hi with lo <= hi"
	s, ok := p.lookup(Param{Key: key, Default: formatRange(defLo, defHi), Allowed: allowed, Kind: "range", In: in})
	if !ok {
		return defLo, defHi
	}
	a, b, isRange := strings.Cut(s, "..")
	var err1, err2 error
	lo, err1 = strconv.Atoi(a)
	hi = lo
	if isRange {
		hi, err2 = strconv.Atoi(b)
	}
	if err1 != nil || err2 != nil || lo > hi || !in.Contains(float64(lo)) || !in.Contains(float64(hi)) {
		p.fail(key, s, "want "+allowed)
		return defLo, defHi
	}
	if lo != defLo || hi != defHi {
		p.canon[key] = formatRange(lo, hi)
	}
	return lo, hi
}

// Err returns the first bad value Params met, if any.
func (p *Params) Err() error { return p.err }

// finish reports the first bad value or unknown key, and returns the
// canonical "k=v,k=v" list of the keys that differ from their defaults.
func (p *Params) finish() (string, error) {
	if p.err != nil {
		return "", p.err
	}
	known := map[string]bool{}
	var names []string
	for _, a := range p.asked {
		known[a.Key] = true
		names = append(names, a.Key)
	}
	sort.Strings(names)
	var unknown []string
	for k := range p.raw {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		have := "it takes none"
		if len(names) > 0 {
			have = "have " + strings.Join(names, ", ")
		}
		return "", fmt.Errorf("estimators: %s: unknown parameter %q (%s)", p.name, unknown[0], have)
	}
	keys := make([]string, 0, len(p.canon))
	for k := range p.canon {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k + "=" + p.canon[k])
	}
	return b.String(), nil
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// formatFloat32 prints v in the shortest form that reads back as the same
// float32.
func formatFloat32(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }

func formatRange(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return strconv.Itoa(lo) + ".." + strconv.Itoa(hi)
}
