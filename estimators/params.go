package estimators

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Params are the key=value settings given to one estimator in a spec string,
// handed to its Factory. A factory reads each of its hyperparameters with one
// call (Float, Int, Bool, Range, Choice) naming the key, its default and what
// values are allowed; Params records the first bad value, and the registry
// rejects any key the factory never asked for. From the same calls Params
// learns the defaults (for `gradbench list`) and the canonical form of the
// spec: only the keys whose value differs from the default, sorted, with
// numbers printed in their shortest form.
type Params struct {
	name  string
	raw   map[string]string
	asked []Param
	canon map[string]string // key -> canonical non-default value
	err   error
}

// A Param describes one hyperparameter of an estimator: its key, its default
// value as it is written in a spec string, and the values allowed.
type Param struct {
	Key, Default, Allowed string
}

func newParams(name string, raw map[string]string) *Params {
	return &Params{name: name, raw: raw, canon: map[string]string{}}
}

func (p *Params) fail(key, value, allowed string) {
	if p.err == nil {
		p.err = fmt.Errorf("estimators: %s: bad value %s=%q: want %s", p.name, key, value, allowed)
	}
}

// lookup records the key as known and returns its raw value, if given.
func (p *Params) lookup(key, def, allowed string) (string, bool) {
	p.asked = append(p.asked, Param{Key: key, Default: def, Allowed: allowed})
	v, ok := p.raw[key]
	return v, ok
}

// Float returns the value of key, or def when the spec does not set it.
// valid reports whether a value is allowed and allowed says which are, in
// words ("a number in (0, 1)"). NaN and ±Inf are never allowed.
func (p *Params) Float(key string, def float64, allowed string, valid func(float64) bool) float64 {
	s, ok := p.lookup(key, formatFloat(def), allowed)
	if !ok {
		return def
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || (valid != nil && !valid(v)) {
		p.fail(key, s, allowed)
		return def
	}
	if v != def {
		p.canon[key] = formatFloat(v)
	}
	return v
}

// Int is Float for integer hyperparameters.
func (p *Params) Int(key string, def int, allowed string, valid func(int) bool) int {
	s, ok := p.lookup(key, strconv.Itoa(def), allowed)
	if !ok {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || (valid != nil && !valid(v)) {
		p.fail(key, s, allowed)
		return def
	}
	if v != def {
		p.canon[key] = strconv.Itoa(v)
	}
	return v
}

// Bool is Float for switches; it accepts true and false.
func (p *Params) Bool(key string, def bool) bool {
	s, ok := p.lookup(key, strconv.FormatBool(def), "true or false")
	if !ok {
		return def
	}
	var v bool
	switch s {
	case "true":
		v = true
	case "false":
	default:
		p.fail(key, s, "true or false")
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
	s, ok := p.lookup(key, def, allowed)
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
	p.fail(key, s, allowed)
	return def
}

// Range returns an integer range written "lo..hi" (lo <= hi) or a single
// integer "v", meaning v..v. valid is applied to both ends.
func (p *Params) Range(key string, defLo, defHi int, allowed string, valid func(int) bool) (lo, hi int) {
	s, ok := p.lookup(key, formatRange(defLo, defHi), allowed)
	if !ok {
		return defLo, defHi
	}
	bad := func() (int, int) {
		p.fail(key, s, allowed+", written v or lo..hi with lo <= hi")
		return defLo, defHi
	}
	a, b, isRange := strings.Cut(s, "..")
	var err1, err2 error
	lo, err1 = strconv.Atoi(a)
	hi = lo
	if isRange {
		hi, err2 = strconv.Atoi(b)
	}
	if err1 != nil || err2 != nil || lo > hi || (valid != nil && (!valid(lo) || !valid(hi))) {
		return bad()
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

func formatRange(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return strconv.Itoa(lo) + ".." + strconv.Itoa(hi)
}
