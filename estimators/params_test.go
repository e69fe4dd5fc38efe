package estimators

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/racebuild"
)

// inForcer is implemented, in their test files, by the built-in
// estimators: the value of each spec parameter that their kernels use,
// read through the functions the kernels call (bools as 0 or 1, a range
// key k as k.lo and k.hi).
type inForcer interface{ inForce() map[string]float64 }

// TestParamsInForce is the property that a spec value is used as given
// or refused: for every parameter of every registered estimator and many
// values (each bound and its float32 neighbours, 0, ±0, denormals, the
// float32 limits and beyond, NaN, ±Inf, random magnitudes from 1e-45 to
// 1e45), a value Parse accepts is exactly the float32 (or integer) that
// the built estimator's kernels use, and it lies in the interval Defaults
// states; a value outside that interval, or that float32 would change
// beyond rounding, is refused, with an error naming the parameter.
// Estimators that do not implement inForcer (registered ones without the
// test hook) get the second half only.
func TestParamsInForce(t *testing.T) {
	// Parsing on one goroutine: nothing for the race detector.
	racebuild.Skip(t, "it checks parsing and numerics only, with no goroutines of its own; the openblas and purego builds run it in full")
	rng := rand.New(rand.NewPCG(11, 12))
	for _, name := range Names() {
		ps, err := Defaults(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			t.Run(name+"/"+p.Key, func(t *testing.T) {
				for _, v := range candidates(p, rng) {
					checkInForce(t, name, p, v)
				}
			})
		}
	}
}

// candidates returns the spec values to try for p.
func candidates(p Param, rng *rand.Rand) []string {
	switch p.Kind {
	case "bool":
		return []string{"true", "false", "1", "yes", ""}
	case "choice":
		return append(append([]string(nil), p.Choices...), "x"+p.Choices[0], strings.ToUpper(p.Choices[0]))
	case "text":
		return nil // checked by the estimator's own tests (expr's formula and knots)
	case "integer", "range":
		var vs []string
		for _, b := range []float64{p.In.Lo, p.In.Hi} {
			if math.IsInf(b, 0) {
				continue
			}
			for _, d := range []float64{-1, 0, 1} {
				vs = append(vs, strconv.FormatFloat(b+d, 'f', -1, 64))
			}
		}
		vs = append(vs, "0", "-1", "1", "7", "1.5", "1e3", "99999999999999999999", "", "x")
		if p.Kind == "range" {
			lo, hi := "0", "1"
			if !math.IsInf(p.In.Lo, 0) {
				lo = strconv.FormatFloat(p.In.Lo, 'f', -1, 64)
			}
			if !math.IsInf(p.In.Hi, 0) {
				hi = strconv.FormatFloat(p.In.Hi, 'f', -1, 64)
			}
			vs = append(vs, lo+".."+hi, hi+".."+lo, "3..5", "5..3", "-1..3", "3..", "..3", "1..2..3")
		}
		return vs
	}
	var fs []float64
	for _, b := range []float64{p.In.Lo, p.In.Hi} {
		if math.IsInf(b, 0) {
			continue
		}
		b32 := float32(b)
		fs = append(fs, b, float64(b32), float64(math.Nextafter32(b32, float32(math.Inf(-1)))), float64(math.Nextafter32(b32, float32(math.Inf(1)))),
			b*(1-1e-9), b*(1+1e-9), b-1e-9, b+1e-9)
	}
	fs = append(fs, 0, math.Copysign(0, -1), 1e-50, -1e-50, 1e-45, 1e-40, minFloat32, minFloat32*(1-1e-9), 1e-30, 0.5, 1, 2, 0.1,
		1e30, math.MaxFloat32, math.MaxFloat32*(1+1e-9), 3.5e38, 1e39, 1e300, -1, -0.5, math.NaN(), math.Inf(1), math.Inf(-1))
	for range 200 {
		m := math.Pow(10, 90*rng.Float64()-45)
		if rng.IntN(4) == 0 {
			m = -m
		}
		fs = append(fs, m)
	}
	var vs []string
	for _, f := range fs {
		vs = append(vs, strconv.FormatFloat(f, 'g', -1, 64), strconv.FormatFloat(f, 'e', 20, 64))
	}
	return append(vs, "1e-400", "1e400", "0x1p-149", "0x1p127", "+Inf", "-Inf", "inf", "nan", "1_0", "", "x", "1e", "0x")
}

func checkInForce(t *testing.T, name string, p Param, v string) {
	t.Helper()
	spec := name + ":" + p.Key + "=" + v
	e, err := New(spec)
	want, ok, why := expected(p, v)
	if err != nil {
		if ok && strings.Contains(err.Error(), "bad value "+p.Key+"=") {
			t.Errorf("New(%q) = %v, but %s", spec, err, why)
		}
		if !ok && !strings.Contains(err.Error(), p.Key) {
			t.Errorf("New(%q) error %q does not name %s", spec, err, p.Key)
		}
		return
	}
	if !ok {
		t.Errorf("New(%q) accepted it, but %s", spec, why)
		return
	}
	f, has := e.(inForcer)
	if !has {
		return
	}
	got := f.inForce()
	keys := []string{p.Key}
	if p.Kind == "range" {
		keys = []string{p.Key + ".lo", p.Key + ".hi"}
	}
	for i, k := range keys {
		g, present := got[k]
		if !present {
			t.Fatalf("%s's inForce lacks %s", name, k)
		}
		if g != want[i] {
			t.Errorf("New(%q): the kernels use %s = %v, want %v", spec, k, g, want[i])
		}
	}
}

// expected returns what a spec value must become, whether it must be
// accepted, and if not (or if so) why, by the rules Params documents: the
// float32 (or integer) value inside the interval p states.
func expected(p Param, v string) (want []float64, ok bool, why string) {
	switch p.Kind {
	case "bool":
		switch v {
		case "true":
			return []float64{1}, true, "it is a bool"
		case "false":
			return []float64{0}, true, "it is a bool"
		}
		return nil, false, "it is not true or false"
	case "choice":
		return nil, false, "choices are not estimators'"
	case "integer", "range":
		a, b, isRange := strings.Cut(v, "..")
		if isRange && p.Kind != "range" {
			return nil, false, "not an integer"
		}
		lo, err1 := strconv.Atoi(a)
		hi, err2 := lo, error(nil)
		if isRange {
			hi, err2 = strconv.Atoi(b)
		}
		switch {
		case err1 != nil || err2 != nil:
			return nil, false, "not an integer"
		case lo > hi:
			return nil, false, "lo > hi"
		case !p.In.Contains(float64(lo)) || !p.In.Contains(float64(hi)):
			return nil, false, fmt.Sprintf("outside %s", p.In)
		}
		if p.Kind == "range" {
			return []float64{float64(lo), float64(hi)}, true, fmt.Sprintf("it is in %s", p.In)
		}
		return []float64{float64(lo)}, true, fmt.Sprintf("it is in %s", p.In)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, false, "it is not a finite number"
	}
	f32 := float32(f)
	switch {
	case math.IsInf(float64(f32), 0):
		return nil, false, "float32 overflows"
	// Judged on the float32, as overflow is: a decimal a little below
	// the smallest normal magnitude, minFloat32*(1-1e-9), rounds to it.
	case f != 0 && math.Abs(float64(f32)) < minFloat32, f == 0 && nonzeroMantissa(v):
		return nil, false, "float32 underflows"
	}
	lo, hi := float32(p.In.Lo), float32(p.In.Hi)
	in := (f32 > lo || !p.In.OpenLo && f32 == lo) && (f32 < hi || !p.In.OpenHi && f32 == hi)
	if !in {
		return nil, false, fmt.Sprintf("its float32 %v is outside %s", f32, p.In)
	}
	return []float64{float64(f32)}, true, fmt.Sprintf("its float32 %v is in %s", f32, p.In)
}
