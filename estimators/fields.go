package estimators

import (
	"fmt"
	"math"
)

// The exported parameter fields of an estimator struct (STE.C, FDA.Omega,
// …) let a caller build one as a literal instead of through Parse, which
// checks every value. A literal's value is used as given or refused,
// never replaced: its zero value means the default, and any other value
// outside what Parse accepts for the same key (the interval of the
// factory's Float, Int or Range call, and the float32 limits Float
// applies) makes every method that reads it panic, since such a literal is
// a programmer error. The methods check on entry, once per call, so the
// fast and the reference kernels never run on an invalid value. The
// helpers below word every estimator's panic alike.

// fieldFloat panics unless v, the field typ.field, is 0 (meaning the
// default def) or a value Params.Float accepts for in: finite, 0 or of a
// magnitude float32 holds to its precision, and in in.
func fieldFloat(typ, field string, v float32, def float32, in Interval) {
	if v == 0 || in.contains32(v) && math.Abs(float64(v)) >= minFloat32 && !math.IsInf(float64(v), 0) {
		return
	}
	want := fmt.Sprintf("want a number %s (or 0 for the default, %s)", in, formatFloat32(def))
	switch {
	case math.IsInf(float64(v), 0):
		want = fmt.Sprintf("want a finite number %s (or 0 for the default, %s)", in, formatFloat32(def))
	case in.contains32(v): // a subnormal magnitude: nonzero but below float32's precision
		want = fmt.Sprintf("below float32's smallest normal magnitude, %g: %s", float32(minFloat32), want)
	}
	panic(fmt.Sprintf("estimators: %s.%s = %s: %s", typ, field, formatFloat32(v), want))
}

// fieldOr returns the value in force of the field typ.field: v, or def
// for its zero value. def is the float32 default the factory hands
// Params.Float, so that a literal's zero value and a spec that omits the
// key use the same number. It panics as fieldFloat does.
func fieldOr(typ, field string, v, def float32, in Interval) float32 {
	fieldFloat(typ, field, v, def, in)
	if v == 0 {
		return def
	}
	return v
}

// fieldFinite panics if v, the field typ.field, is NaN or ±Inf: for a
// setting whose finite values outside its range are clamped to it by
// design (a learnable scalar's start), a value with no place in the range
// is refused rather than clamped.
func fieldFinite(typ, field string, v float32, def float32, in Interval) {
	if !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) {
		return
	}
	panic(fmt.Sprintf("estimators: %s.%s = %s: want a finite number (%s, or clamped to it; 0 for the default, %s)",
		typ, field, formatFloat32(v), in, formatFloat32(def)))
}

// finiteOr is fieldOr for a setting checked by fieldFinite: v, or def
// for its zero value.
func finiteOr(typ, field string, v, def float32, in Interval) float32 {
	fieldFinite(typ, field, v, def, in)
	if v == 0 {
		return def
	}
	return v
}

// fieldRange panics unless lo and hi, the fields typ.loField and
// typ.hiField, are a range Params.Range accepts for in: lo <= hi, both in
// in. Their zero values, if they mean a default, are the caller's to
// handle.
func fieldRange(typ, loField, hiField string, lo, hi int, in Interval) {
	for _, f := range []struct {
		name string
		v    int
	}{{loField, lo}, {hiField, hi}} {
		if !in.Contains(float64(f.v)) {
			panic(fmt.Sprintf("estimators: %s.%s = %d: want an integer %s", typ, f.name, f.v, in))
		}
	}
	if lo > hi {
		panic(fmt.Sprintf("estimators: %s.%s = %d is larger than %s.%s = %d: want %s <= %s", typ, loField, lo, typ, hiField, hi, loField, hiField))
	}
}

// fieldOrder panics if lo > hi, the fields typ.loField and typ.hiField in
// force (after their defaults): Parse refuses such a pair too.
func fieldOrder(typ, loField, hiField string, lo, hi float64) {
	if lo > hi {
		panic(fmt.Sprintf("estimators: %s.%s = %s is larger than %s.%s = %s: want %s <= %s",
			typ, loField, formatFloat32(float32(lo)), typ, hiField, formatFloat32(float32(hi)), loField, hiField))
	}
}
