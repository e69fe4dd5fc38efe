package estimators

import (
	"fmt"
	"math"
)

// The training schedules the estimators share: the progress check of every
// Scheduler, and IR-Net's t(p), k(p) over a tmin/tmax pair, which EDE and
// RBNN both use with their own defaults.

// checkProgress panics on a progress outside [0, 1]: the harness computes
// p, so a bad one is a programmer error.
func checkProgress(p float64) {
	if err := progressInRange(p); err != nil {
		panic(fmt.Sprintf("estimators: SetProgress(%v): want p in [0, 1]", p))
	}
}

// progressInRange returns an error if p is not in [0, 1] (or is NaN).
func progressInRange(p float64) error {
	if !(p >= 0 && p <= 1) {
		return fmt.Errorf("estimators: progress p = %v: want p in [0, 1]", p)
	}
	return nil
}

// tRange is the range of EDE's tmin and tmax.
var tRange = Above(0)

// A tPair describes the tmin/tmax pair of an estimator with IR-Net's
// schedule: the name of its type, for the panics of a bad literal, the
// float32 defaults that a spec that omits a key and a literal's zero field
// both use, and the range of both.
type tPair struct {
	typ        string
	tmin, tmax float32
	in         Interval
}

// parse reads the spec keys tmin and tmax and refuses tmin > tmax.
func (d tPair) parse(p *Params) (lo, hi float32, err error) {
	lo = p.Float("tmin", d.tmin, d.in)
	hi = p.Float("tmax", d.tmax, d.in)
	if err = p.Err(); err != nil {
		return 0, 0, err
	}
	if lo > hi {
		return 0, 0, fmt.Errorf("tmin=%g is larger than tmax=%g: want tmin <= tmax", lo, hi)
	}
	return lo, hi, nil
}

// bounds returns the fields Tmin and Tmax in force, a zero field meaning
// its default; it panics on a field out of range or on Tmin > Tmax.
func (d tPair) bounds(tmin, tmax float32) (lo, hi float64) {
	lo = float64(fieldOr(d.typ, "Tmin", tmin, d.tmin, d.in))
	hi = float64(fieldOr(d.typ, "Tmax", tmax, d.tmax, d.in))
	fieldOrder(d.typ, "Tmin", "Tmax", lo, hi)
	return lo, hi
}

// schedule returns t(p) and k(p) for the fields Tmin and Tmax (see
// bounds).
func (d tPair) schedule(tmin, tmax float32, p float64) (t, k float64) {
	lo, hi := d.bounds(tmin, tmax)
	return logSchedule(lo, hi, p)
}

// logSchedule returns IR-Net's schedule at progress p, which RBNN's code
// reuses: t = 10^(log10(lo) + p·(log10(hi) - log10(lo))), from lo to hi
// geometrically, and k = max(1/t, 1).
func logSchedule(lo, hi, p float64) (t, k float64) {
	t = math.Pow(10, math.Log10(lo)+p*(math.Log10(hi)-math.Log10(lo)))
	return t, max(1/t, 1)
}
