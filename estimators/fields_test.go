package estimators

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

var (
	nan32  = float32(math.NaN())
	inf32  = float32(math.Inf(1))
	ninf32 = float32(math.Inf(-1))
)

// fieldCalls are the methods of e that read its parameter fields, by name.
func fieldCalls(e Estimator) map[string]func() {
	x, dy, out := []float32{-2, -0.3, 0, 0.4, 1.5}, ones(5), make([]float32, 5)
	calls := map[string]func(){
		"Forward":  func() { e.Forward(out, x) },
		"Backward": func() { e.Backward(out, x, dy) },
	}
	if r, ok := e.(Referencer); ok {
		calls["ForwardRef"] = func() { r.ForwardRef(out, x) }
		calls["BackwardRef"] = func() { r.BackwardRef(out, x, dy) }
	}
	if s, ok := e.(Smoother); ok {
		calls["Surrogate"] = func() { s.Surrogate(out, x) }
	}
	if s, ok := e.(Scheduler); ok {
		calls["SetProgress"] = func() { s.SetProgress(0.5) }
	}
	if s, ok := e.(Splitter); ok {
		calls["BackwardKernel"] = func() { s.BackwardKernel() }
	}
	if l, ok := e.(Learner); ok {
		calls["Scalars"] = func() { l.Scalars() }
	}
	if b, ok := e.(Binarizer); ok {
		calls["Binarize"] = func() { b.Binarize(0.5) }
	}
	return calls
}

// TestFieldsRefused builds estimators as struct literals with values the
// spec refuses: each method that reads the fields must panic, naming the
// type, field, value and allowed range, instead of using another value.
func TestFieldsRefused(t *testing.T) {
	const (
		steWant  = ": want a number > 0 (or 0 for the default, 1)"
		steInf   = ": want a finite number > 0 (or 0 for the default, 1)"
		fdaN     = ": want an integer in [0, 100000]"
		resteO   = ": want a number >= 1 (or 0 for the default, 3)"
		resteOI  = ": want a finite number >= 1 (or 0 for the default, 3)"
		resteT   = ": want a number > 0.1 (or 0 for the default, 1.5)"
		resteTI  = ": want a finite number > 0.1 (or 0 for the default, 1.5)"
		dsqWant  = ": want a finite number (in [0.001, 0.999], or clamped to it; 0 for the default, 0.2)"
		bnnpWant = ": want a finite number (in [0.001, 1000], or clamped to it; 0 for the default, 5)"
	)
	for _, tc := range []struct {
		e    Estimator
		want string
	}{
		{&STE{C: -0.5}, "estimators: STE.C = -0.5" + steWant},
		{&STE{C: nan32}, "estimators: STE.C = NaN" + steWant},
		{&STE{C: inf32}, "estimators: STE.C = +Inf" + steInf},
		{&STE{C: ninf32}, "estimators: STE.C = -Inf" + steInf},
		{&STE{C: 1e-40}, "estimators: STE.C = 1e-40: below float32's smallest normal magnitude, 1.1754944e-38" + steWant},

		{&FDA{Omega: -0.3}, "estimators: FDA.Omega = -0.3: want a number > 0 (or 0 for the default, 0.1)"},
		{&FDA{Omega: nan32}, "estimators: FDA.Omega = NaN: want a number > 0 (or 0 for the default, 0.1)"},
		{&FDA{Omega: inf32}, "estimators: FDA.Omega = +Inf: want a finite number > 0 (or 0 for the default, 0.1)"},
		{&FDA{Omega: ninf32}, "estimators: FDA.Omega = -Inf: want a finite number > 0 (or 0 for the default, 0.1)"},
		{&FDA{C: -0.5}, "estimators: FDA.C = -0.5" + steWant},
		{&FDA{C: nan32}, "estimators: FDA.C = NaN" + steWant},
		{&FDA{C: inf32}, "estimators: FDA.C = +Inf" + steInf},
		{&FDA{C: ninf32}, "estimators: FDA.C = -Inf" + steInf},
		{&FDA{NStart: -7, NEnd: -7}, "estimators: FDA.NStart = -7" + fdaN},
		{&FDA{NStart: 200000, NEnd: 200000}, "estimators: FDA.NStart = 200000" + fdaN},
		{&FDA{NStart: 3, NEnd: 200000}, "estimators: FDA.NEnd = 200000" + fdaN},
		{&FDA{NStart: 0, NEnd: -1}, "estimators: FDA.NEnd = -1" + fdaN},
		{&FDA{NStart: 9, NEnd: 4}, "estimators: FDA.NStart = 9 is larger than FDA.NEnd = 4: want NStart <= NEnd"},
		{&FDA{NStart: 10, NEnd: 9}, "estimators: FDA.NStart = 10 is larger than FDA.NEnd = 9: want NStart <= NEnd"},

		{&BiPer{Omega: -10}, "estimators: BiPer.Omega = -10: want a number > 0 (or 0 for the default, 20)"},
		{&BiPer{Omega: nan32}, "estimators: BiPer.Omega = NaN: want a number > 0 (or 0 for the default, 20)"},
		{&BiPer{Omega: inf32}, "estimators: BiPer.Omega = +Inf: want a finite number > 0 (or 0 for the default, 20)"},
		{&BiPer{Omega: ninf32}, "estimators: BiPer.Omega = -Inf: want a finite number > 0 (or 0 for the default, 20)"},

		{&EDE{Tmin: -1, Tmax: -10}, "estimators: EDE.Tmin = -1: want a number > 0 (or 0 for the default, 0.1)"},
		{&EDE{Tmin: nan32}, "estimators: EDE.Tmin = NaN: want a number > 0 (or 0 for the default, 0.1)"},
		{&EDE{Tmin: inf32}, "estimators: EDE.Tmin = +Inf: want a finite number > 0 (or 0 for the default, 0.1)"},
		{&EDE{Tmin: ninf32}, "estimators: EDE.Tmin = -Inf: want a finite number > 0 (or 0 for the default, 0.1)"},
		{&EDE{Tmax: -10}, "estimators: EDE.Tmax = -10: want a number > 0 (or 0 for the default, 10)"},
		{&EDE{Tmax: nan32}, "estimators: EDE.Tmax = NaN: want a number > 0 (or 0 for the default, 10)"},
		{&EDE{Tmax: inf32}, "estimators: EDE.Tmax = +Inf: want a finite number > 0 (or 0 for the default, 10)"},
		{&EDE{Tmax: ninf32}, "estimators: EDE.Tmax = -Inf: want a finite number > 0 (or 0 for the default, 10)"},
		{&EDE{Tmin: 20}, "estimators: EDE.Tmin = 20 is larger than EDE.Tmax = 10: want Tmin <= Tmax"},
		{&EDE{Tmin: 2, Tmax: 1}, "estimators: EDE.Tmin = 2 is larger than EDE.Tmax = 1: want Tmin <= Tmax"},

		{&RBNN{Tmin: -0.5, Tmax: -0.5}, "estimators: RBNN.Tmin = -0.5: want a number in (0, 1e+19] (or 0 for the default, 0.01)"},
		{&RBNN{Tmin: nan32}, "estimators: RBNN.Tmin = NaN: want a number in (0, 1e+19] (or 0 for the default, 0.01)"},
		{&RBNN{Tmin: inf32}, "estimators: RBNN.Tmin = +Inf: want a finite number in (0, 1e+19] (or 0 for the default, 0.01)"},
		{&RBNN{Tmin: ninf32}, "estimators: RBNN.Tmin = -Inf: want a finite number in (0, 1e+19] (or 0 for the default, 0.01)"},
		{&RBNN{Tmax: -0.5}, "estimators: RBNN.Tmax = -0.5: want a number in (0, 1e+19] (or 0 for the default, 10)"},
		{&RBNN{Tmax: nan32}, "estimators: RBNN.Tmax = NaN: want a number in (0, 1e+19] (or 0 for the default, 10)"},
		{&RBNN{Tmax: inf32}, "estimators: RBNN.Tmax = +Inf: want a finite number in (0, 1e+19] (or 0 for the default, 10)"},
		{&RBNN{Tmax: ninf32}, "estimators: RBNN.Tmax = -Inf: want a finite number in (0, 1e+19] (or 0 for the default, 10)"},
		{&RBNN{Tmax: 0.001}, "estimators: RBNN.Tmin = 0.01 is larger than RBNN.Tmax = 0.001: want Tmin <= Tmax"},

		{&ReSTE{O: 0.5}, "estimators: ReSTE.O = 0.5" + resteO},
		{&ReSTE{O: -3}, "estimators: ReSTE.O = -3" + resteO},
		{&ReSTE{O: nan32}, "estimators: ReSTE.O = NaN" + resteO},
		{&ReSTE{O: inf32}, "estimators: ReSTE.O = +Inf" + resteOI},
		{&ReSTE{O: ninf32}, "estimators: ReSTE.O = -Inf" + resteOI},
		{&ReSTE{T: 0.05}, "estimators: ReSTE.T = 0.05" + resteT},
		{&ReSTE{T: -1.5}, "estimators: ReSTE.T = -1.5" + resteT},
		{&ReSTE{T: 0.1}, "estimators: ReSTE.T = 0.1" + resteT},
		{&ReSTE{T: nan32}, "estimators: ReSTE.T = NaN" + resteT},
		{&ReSTE{T: inf32}, "estimators: ReSTE.T = +Inf" + resteTI},
		{&ReSTE{T: ninf32}, "estimators: ReSTE.T = -Inf" + resteTI},

		{&DSQ{Alpha: nan32}, "estimators: DSQ.Alpha = NaN" + dsqWant},
		{&DSQ{Alpha: inf32}, "estimators: DSQ.Alpha = +Inf" + dsqWant},
		{&DSQ{Alpha: ninf32, Learn: true}, "estimators: DSQ.Alpha = -Inf" + dsqWant},
		{&DSQ{Alpha: nan32, Learn: true}, "estimators: DSQ.Alpha = NaN" + dsqWant},

		{&BNNPlus{Beta: nan32}, "estimators: BNNPlus.Beta = NaN" + bnnpWant},
		{&BNNPlus{Beta: inf32}, "estimators: BNNPlus.Beta = +Inf" + bnnpWant},
		{&BNNPlus{Beta: ninf32, Learn: true}, "estimators: BNNPlus.Beta = -Inf" + bnnpWant},
		{&BNNPlus{Beta: nan32, Learn: true}, "estimators: BNNPlus.Beta = NaN" + bnnpWant},
	} {
		for name, call := range fieldCalls(tc.e) {
			if got := texttest.Panic(call); got != tc.want {
				t.Errorf("%T%+v.%s: panic %q, want %q", tc.e, tc.e, name, got, tc.want)
			}
		}
	}
}

// TestFieldsAccepted checks that the zero value and in-range literals
// still work, as the spec with the same values.
func TestFieldsAccepted(t *testing.T) {
	for _, tc := range []struct {
		e    Estimator
		spec string
	}{
		{&STE{}, "ste"},
		{&STE{C: 0.5}, "ste:c=0.5"},
		{&STE{C: float32(minFloat32)}, "ste:c=1.1754944e-38"},
		{&STE{C: math.MaxFloat32}, "ste:c=3.4028235e+38"},
		{&FDA{}, "fda"},
		{&FDA{Omega: 0.2, C: 2, NStart: 5, NEnd: 5}, "fda:omega=0.2,c=2,n=5"},
		{&FDA{NStart: 0, NEnd: 3}, "fda:n=0..3"},
		{&FDA{NStart: 100000, NEnd: 100000}, "fda:n=100000"},
		{&BiPer{}, "biper"},
		{&BiPer{Omega: 30}, "biper:omega=30"},
		{&EDE{}, "ede"},
		{&EDE{Tmin: 0.5, Tmax: 0.5}, "ede:tmin=0.5,tmax=0.5"},
		{&EDE{Tmin: 5}, "ede:tmin=5"},
		{&RBNN{}, "rbnn"},
		{&RBNN{Tmin: 1, Tmax: 2}, "rbnn:tmin=1,tmax=2"},
		{&ReSTE{}, "reste"},
		{&ReSTE{O: 1, T: 0.2}, "reste:o=1,t=0.2"},
		{&ReSTE{O: 5}, "reste:o=5"},
		{&DSQ{}, "dsq"},
		{&DSQ{Alpha: 0.5}, "dsq:alpha=0.5"},
		{&DSQ{Alpha: 5}, "dsq:alpha=0.999"}, // a finite α is clamped, as documented
		{&BNNPlus{}, "bnnplus"},
		{&BNNPlus{Beta: 2}, "bnnplus:beta=2"},
		{&BNNPlus{Beta: 2000}, "bnnplus:beta=1000"}, // a finite β is clamped, as documented
		{&ApproxSign{}, "approxsign"},
		{&Identity{}, "identity"},
	} {
		want, err := New(tc.spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		for name, call := range fieldCalls(tc.e) {
			if msg := texttest.Panic(call); msg != "" {
				t.Errorf("%T%+v.%s: panic %q", tc.e, tc.e, name, msg)
			}
		}
		for _, p := range []float64{0, 1} {
			if s, ok := tc.e.(Scheduler); ok {
				s.SetProgress(p)
				want.(Scheduler).SetProgress(p)
			}
			x := []float32{-2, -1, -0.3, 0, 0.05, 0.4, 1, 1.5}
			got, exp := make([]float32, len(x)), make([]float32, len(x))
			tc.e.Backward(got, x, ones(len(x)))
			want.Backward(exp, x, ones(len(x)))
			for i := range x {
				if math.Float32bits(got[i]) != math.Float32bits(exp[i]) {
					t.Errorf("%T%+v at p=%g: Backward(x=%g) = %g, want %g as %s", tc.e, tc.e, p, x[i], got[i], exp[i], tc.spec)
				}
			}
		}
	}
}

// TestFieldsRefusedSameWordsAsParse checks that a literal's panic and
// Parse's error give the same allowed range for each key.
func TestFieldsRefusedSameWordsAsParse(t *testing.T) {
	for _, tc := range []struct {
		e    Estimator
		spec string
	}{
		{&STE{C: -0.5}, "ste:c=-0.5"},
		{&FDA{Omega: -0.3}, "fda:omega=-0.3"},
		{&BiPer{Omega: -10}, "biper:omega=-10"},
		{&EDE{Tmin: -1}, "ede:tmin=-1"},
		{&RBNN{Tmax: -1}, "rbnn:tmax=-1"},
		{&ReSTE{O: 0.5}, "reste:o=0.5"},
		{&ReSTE{T: 0.05}, "reste:t=0.05"},
	} {
		_, err := New(tc.spec)
		if err == nil {
			t.Fatalf("%s: no error", tc.spec)
		}
		_, want, _ := strings.Cut(err.Error(), ": want ")
		msg := texttest.Panic(func() { tc.e.Backward(make([]float32, 1), make([]float32, 1), ones(1)) })
		if !strings.Contains(msg, ": want "+want+" (or 0 for the default") {
			t.Errorf("%T%+v: panic %q, want the range of %q", tc.e, tc.e, msg, err)
		}
	}
}

// zeroValueSkip are the registered estimators of this package that have
// no literal zero-value form, with the reason; TestZeroValueIsDefault
// checks every other one.
var zeroValueSkip = map[string]string{
	"expr": "an Expr is made only by parsing its formula: the zero Expr has no formula and no table",
}

// TestZeroValueIsDefault checks, for every registered estimator of this
// package, that the zero value of its type, built as a literal (its zero
// fields meaning the defaults), behaves bit for bit as the estimator
// Parse makes of its bare name (the defaults as the spec gives them):
// every output of its methods on the same inputs, before and after
// SetProgress at several p. One default has one value, whichever way the
// estimator is built. An estimator with a Learn switch is checked with it
// on too, against the spec with learn=true, so that its learned scalar
// starts from the same default.
func TestZeroValueIsDefault(t *testing.T) {
	pkg := reflect.TypeFor[STE]().PkgPath()
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			if why, ok := zeroValueSkip[name]; ok {
				t.Skip(why)
			}
			parsed, err := New(name)
			if err != nil {
				t.Fatal(err)
			}
			typ := reflect.TypeOf(parsed)
			if typ.Kind() != reflect.Pointer || typ.Elem().Kind() != reflect.Struct {
				t.Skipf("%v is no pointer to a struct: it has no literal form", typ)
			}
			if typ.Elem().PkgPath() != pkg {
				t.Skipf("%v is registered from outside package estimators (by a test): what its zero value means is its own", typ)
			}
			checkZeroValue(t, name, parsed)
		})
	}
}

// zeroNotDefault is an estimator added to this package as the README's
// "Bring your own estimator" first wrote one: its Backward reads the
// field K itself, so its zero value has K = 0 where its spec's default
// is 4.
type zeroNotDefault struct{ K float32 }

func (e *zeroNotDefault) Name() string             { return "zero-not-default" }
func (e *zeroNotDefault) Forward(dst, x []float32) { Sign(dst, x) }
func (e *zeroNotDefault) Backward(dx, x, dy []float32) {
	for i, v := range x {
		s := 1 / (1 + math.Exp(-float64(e.K*v)))
		dx[i] = dy[i] * float32(2*float64(e.K)*s*(1-s))
	}
}

// A messages reporter keeps what is reported.
type messages []string

func (m *messages) Helper() {}
func (m *messages) Errorf(format string, args ...any) {
	*m = append(*m, fmt.Sprintf(format, args...))
}

// TestZeroValueRuleStated: where the zero value of an estimator added to
// this package differs from its defaults, TestZeroValueIsDefault says
// what the rule is and how to keep it, not only where the outputs
// differ. It used to say only "estimators.Sigmoid{} before SetProgress:
// Backward differs from \"sigmoid\"'s, first at element 0", which does
// not tell whoever wrote the estimator what is wrong with it; and where
// it agrees, it says nothing.
func TestZeroValueRuleStated(t *testing.T) {
	var got messages
	checkZeroValue(&got, "zero-not-default", &zeroNotDefault{K: 4})
	if len(got) < 2 {
		t.Fatalf("zero value that differs from the defaults: %d messages, want the differences and the rule: %q", len(got), got)
	}
	if !strings.Contains(got[0], "zeroNotDefault{} before SetProgress: Backward differs") {
		t.Errorf("first message %q, want where the outputs differ", got[0])
	}
	if want := "estimators.zeroNotDefault: " + zeroValueRule; got[len(got)-1] != want {
		t.Errorf("last message %q, want %q", got[len(got)-1], want)
	}
	if strings.Count(strings.Join(got, "\n"), zeroValueRule) != 1 {
		t.Errorf("the rule is not stated once: %q", got)
	}
	got = nil
	checkZeroValue(&got, "zero-not-default", &zeroNotDefault{})
	if len(got) != 0 {
		t.Errorf("zero value that agrees with the defaults: %q, want nothing", got)
	}
}

// A reporter is the part of *testing.T that sameBehaviour and
// checkZeroValue report through.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// zeroValueRule is what checkZeroValue says once where an estimator's
// zero value differs from its defaults: the rule, and how an estimator
// added to this package keeps it.
const zeroValueRule = "the zero value of a built-in estimator's type must train as its spec at its defaults, " +
	"since a zero field means its default (package doc, \"a zero field means its default\"): " +
	"read each setting through a method that gives the spec's default for 0, as STE's clip does (fieldOr), not the field itself"

// checkZeroValue reports, through t, where the zero value of parsed's
// type behaves otherwise than parsed, which New made of the bare name,
// and with learn=true for a type with a Learn switch; and, once where it
// does, zeroValueRule.
func checkZeroValue(t reporter, name string, parsed Estimator) {
	t.Helper()
	typ := reflect.TypeOf(parsed).Elem()
	rec := &countingReporter{reporter: t}
	zero := reflect.New(typ)
	sameBehaviour(rec, fmt.Sprintf("%v{}", typ), zero.Interface().(Estimator), name, parsed)
	if f, ok := typ.FieldByName("Learn"); ok && f.Type.Kind() == reflect.Bool {
		spec := name + ":learn=true"
		learn, err := New(spec)
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			return
		}
		lit := reflect.New(typ)
		lit.Elem().FieldByIndex(f.Index).SetBool(true)
		sameBehaviour(rec, fmt.Sprintf("%v{Learn: true}", typ), lit.Interface().(Estimator), spec, learn)
	}
	if rec.n > 0 {
		t.Errorf("%v: %s", typ, zeroValueRule)
	}
}

// A countingReporter passes on what is reported and counts it.
type countingReporter struct {
	reporter
	n int
}

func (r *countingReporter) Errorf(format string, args ...any) {
	r.Helper()
	r.n++
	r.reporter.Errorf(format, args...)
}

// sameBehaviour reports where the estimator lit, described by label,
// behaves otherwise than want, made from spec: in any bit of any output
// of behaviour, before any SetProgress and, for a Scheduler, after
// SetProgress at several p.
func sameBehaviour(t reporter, label string, lit Estimator, spec string, want Estimator) {
	t.Helper()
	x, dy := kernelInputs(11, 3000)
	x = append(x, nan32, float32(math.Copysign(0, -1)), 0.1, -0.1, 1.5, -1.5, 20, 0.01)
	dy = append(dy, 1, 1, 1, 1, 1, 1, 1, 1)
	if lit.Name() != want.Name() {
		t.Errorf("%s: Name() = %q, %q's is %q", label, lit.Name(), spec, want.Name())
	}
	progress := []float64{-1} // -1: before any SetProgress
	if _, ok := want.(Scheduler); ok {
		progress = append(progress, 0, 0.1, 0.25, 1.0/3, 0.5, 0.6, 0.75, 0.9, 1)
	}
	for _, p := range progress {
		at := "before SetProgress"
		if p >= 0 {
			lit.(Scheduler).SetProgress(p)
			want.(Scheduler).SetProgress(p)
			at = fmt.Sprintf("at p=%g", p)
		}
		got, exp := behaviour(lit, x, dy), behaviour(want, x, dy)
		for _, m := range slices.Sorted(maps.Keys(exp)) {
			g, w := got[m], exp[m]
			if len(g) != len(w) {
				t.Errorf("%s %s: %s gives %d values, %q %d", label, at, m, len(g), spec, len(w))
				continue
			}
			diff := 0
			for i := range w {
				if g[i] == w[i] {
					continue
				}
				if diff == 0 {
					t.Errorf("%s %s: %s differs from %q's, first at element %d (x=%g): %#x, want %#x",
						label, at, m, spec, i, x[i%len(x)], g[i], w[i])
				}
				diff++
			}
			if diff > 1 {
				t.Errorf("%s %s: %s differs from %q's in %d of %d values", label, at, m, spec, diff, len(w))
			}
		}
	}
}

// behaviour returns the bits of every output of e's methods on x and dy,
// by method: Forward and Backward, and those of the optional interfaces e
// implements (Backward of a Learner includes its scalars' gradients).
func behaviour(e Estimator, x, dy []float32) map[string][]uint64 {
	out := map[string][]uint64{}
	bits32 := func(v []float32) []uint64 {
		b := make([]uint64, len(v))
		for i, f := range v {
			b[i] = uint64(math.Float32bits(f))
		}
		return b
	}
	buf := make([]float32, len(x))
	e.Forward(buf, x)
	out["Forward"] = bits32(buf)
	var scalars []*Scalar
	if l, ok := e.(Learner); ok {
		scalars = l.Scalars()
	}
	e.Backward(buf, x, dy)
	out["Backward"] = bits32(buf)
	if k, ok := KernelOf(e); ok {
		k.Backward(buf, x, dy)
		out["Kernel.Backward"] = bits32(buf)
	}
	if r, ok := e.(Referencer); ok {
		r.ForwardRef(buf, x)
		out["ForwardRef"] = bits32(buf)
		r.BackwardRef(buf, x, dy)
		out["BackwardRef"] = bits32(buf)
	}
	if s, ok := e.(Smoother); ok {
		s.Surrogate(buf, x)
		out["Surrogate"] = bits32(buf)
	}
	if b, ok := e.(Binarizer); ok {
		v := make([]uint64, len(x))
		for i, xi := range x {
			v[i] = math.Float64bits(b.Binarize(float64(xi)))
		}
		out["Binarize"] = v
	}
	if ind, ok := e.(Indicator); ok {
		name, v := ind.Indicator(x)
		out["Indicator "+name] = []uint64{math.Float64bits(v)}
	}
	for _, s := range scalars {
		out["Scalar "+s.Name] = []uint64{uint64(math.Float32bits(s.Value)), uint64(math.Float32bits(s.Grad)),
			uint64(math.Float32bits(s.Min)), uint64(math.Float32bits(s.Max))}
	}
	return out
}
