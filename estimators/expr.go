package estimators

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/gradbench/gradbench/internal/impl"
)

var (
	_ Estimator  = (*Expr)(nil)
	_ Documenter = (*Expr)(nil)
	_ Scheduler  = (*Expr)(nil)
	_ Referencer = (*Expr)(nil)

	_ ProgressChecker = (*Expr)(nil)
)

// Expr is an estimator defined by a formula on the command line, so that a
// surrogate gradient can be tried without writing Go:
//
//	expr:g=max(0, 2 - 2*abs(x))            ApproxSign
//	expr:g=exp(-x*x/0.08),c=1.5            a Gaussian bump, clipped at 1.5
//	expr:g=(1+9*p)*max(0, 1-(1+9*p)*abs(x)) a triangle that sharpens with p
//	expr:g=abs(x) <= 0.1 ? 2 : 1,knots=0.1  a jump at ±0.1, declared
//
//	forward   q(x) = sign(x), sign(0) = +1
//	backward  g(x) = the formula for |x| <= C, 0 beyond
//
// The formula (key g) is written in the expression language of
// github.com/expr-lang/expr, which parses and type-checks it: it may use x,
// the training progress p in [0, 1] (0 at the first epoch, 1 at the last),
// the constant pi, the functions exp, log, log2, log10, sqrt, cbrt, sin,
// cos, tan, asin, acos, atan, sinh, cosh, tanh, erf, abs, min, max, floor,
// ceil and round, arithmetic (** and ^ are powers), comparisons and the
// conditional a ? b : c. Unknown names, non-numeric results, comments
// (// and /* */, which the language would drop), integer arithmetic that
// may overflow the language's int (int64, int32 on a 32-bit build; it
// wraps: write 4294967296.0 for float64) and the like are errors when the spec is parsed. The
// canonical form of the spec holds the formula as the library prints it
// after constant folding, so spacing and constant arithmetic do not
// change a cache key; the estimator runs
// that printed formula, so one whose printing reads back as another
// formula is refused (the library drops brackets that a negative constant
// raised to a power, (-1) ** n, and a let inside an operand need).
//
// Spec keys: g (the formula; default max(0, 2 - 2 * abs(x)), ApproxSign,
// so that "expr" alone is a working example), c (C, the clip, default 1,
// >= 2^-113 ≈ 9.6e-35, the least clip for which float32 holds 1/h at
// the finest grid the table may need, see below), knots (the magnitudes
// k in [0, C) at which g may jump, at ±k, separated by ';', such as
// knots=0.1;0.5; default none; read as float64, not float32 as the other
// numbers of a spec, and printed in their shortest float64 form, so
// knots=1e-300 is a knot; -0 is the knot 0,
// and knots=1e-400, which float64 would make 0, is refused, as is a
// subnormal knot, which it would hold with fewer digits) and monotone
// (default true: g must be >= 0, the derivative of a monotone soft sign;
// false allows negative values, as BNN+'s). |x| = C counts as inside;
// g(±Inf) = g(NaN) = 0.
//
// The fast kernel does not interpret the formula per element: it
// interpolates a table of g built for the current p (see exprtable.go): a
// grid on [-C, C] fine enough that the interpolation error is below 1e-5
// of max|g|, which is checked against the formula at the quarter points
// and midpoints of every interval when the table is built. Parsing a spec
// builds the tables at p = 0, 0.1, ..., 1 (at p = 0 only if the formula
// does not use p), so a formula that is not finite on [-C, C], that is
// negative where a monotone surrogate was asked for, that jumps where no
// knot was declared or that varies too fast for 65536 nodes is an error
// before any training starts. A kink (g continuous, g' not) needs no
// knot: the table is cut where it finds one, up to 4 a side. SetProgress
// builds (or reuses) the table at its p and panics if that fails there,
// which takes a formula that passes at every tenth of training and fails
// in between; CheckProgress returns that error instead, and the harness
// calls it at every p a run will use before the run starts. The vector kernels (expr_amd64.s) read the table with
// gathers: AVX-512 for every table, AVX2 for tables without cuts (no knots
// and no kinks off the grid); on AVX-512, a table without cuts and of at
// most 64 intervals a side (every table at the coarsest grid, the default
// formula's among them) is held in registers and read with permutes
// instead, with the same results bit for bit, and on AVX2 such a table
// (at most 32 intervals a side, or 64 for an even g) is read with permutes
// of 8 entries at a time, bit for bit alike too. The reference kernel
// evaluates the formula per element in float64.
type Expr struct {
	sh    *exprShared
	typed string    // the formula as typed, which errors quote
	ev    *exprEval // for BackwardRef
	p     float64
	tab   *exprTable
	k     exprKernel
	job   job
}

// exprDefault is the default formula: ApproxSign's g.
const exprDefault = "max(0, 2 - 2 * abs(x))"

func newExpr(p *Params) (Estimator, error) {
	src := p.Text("g", exprDefault, "a formula in x and p", func(s string) (string, error) {
		f, err := cachedFormula(s)
		if err != nil {
			return "", err
		}
		return f.src, nil
	})
	c := p.Float("c", 1, AtLeast(exprMinC))
	ks := p.Text("knots", "", "float64 numbers in [0, c) separated by ';'", canonKnots)
	monotone := p.Bool("monotone", true)
	if p.Err() != nil {
		return nil, p.Err()
	}
	f, err := cachedFormula(src)
	if err != nil {
		return nil, err
	}
	knots, err := parseKnots(ks, float64(c))
	if err != nil {
		// The value as given: ks is its canonical form, which may print a
		// knot otherwise (1.9999999999999999 is 2).
		return nil, fmt.Errorf("bad value knots=%s: %v", quoteShort(p.raw["knots"]), err)
	}
	typed, ok := p.raw["g"]
	if !ok {
		typed = exprDefault
	}
	sh, err := shareExpr(f, typed, c, knots, monotone)
	if err != nil {
		return nil, err
	}
	return &Expr{sh: sh, typed: typed, ev: newExprEval(f), tab: sh.tab0}, nil
}

// Doc describes Expr for `gradbench list` and the README.
func (e *Expr) Doc() Doc {
	return Doc{
		Gradient: "the formula g (in x and progress p) where |x| ≤ c, else 0, tabulated within 1e-5 of max|g|; its default is ApproxSign's",
		Source:   "a formula given on the command line (github.com/expr-lang/expr)",
	}
}

// canonKnots returns the knots sorted, in their shortest form, separated
// by ';'.
func canonKnots(s string) (string, error) {
	ks, err := parseKnots(s, math.Inf(1))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, k := range ks {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(strconv.FormatFloat(k, 'g', -1, 64))
	}
	return b.String(), nil
}

// Name returns "expr".
func (e *Expr) Name() string { return "expr" }

// SetProgress sets the training progress p in [0, 1] and, if the formula
// uses p, the table of g at p. It panics if p is outside [0, 1] or NaN,
// or if the table cannot be built at p: callers check p first with
// CheckProgress, which gives the same error.
func (e *Expr) SetProgress(p float64) {
	checkProgress(p)
	t, err := e.tableAt(p)
	if err != nil {
		panic(err.Error())
	}
	e.p = p
	if t != nil {
		e.tab = t
	}
}

// CheckProgress returns the error SetProgress(p) would panic with: p is
// not in [0, 1], or the formula uses p and g cannot be tabulated at p
// (not finite on [-c, c], negative where monotone, an undeclared jump, and
// so on; see Expr). It builds and keeps the table at p, so that a later
// SetProgress(p) reuses it.
func (e *Expr) CheckProgress(p float64) error {
	if err := progressInRange(p); err != nil {
		return err
	}
	if !e.sh.f.usesP || e.sh.passed(p) {
		return nil
	}
	_, err := e.tableAt(p)
	if err == nil {
		e.sh.pass(p)
	}
	return err
}

// tableAt returns the table of g at p, or nil if the formula does not use
// p (the table at p = 0, built when the spec was parsed, serves every p).
func (e *Expr) tableAt(p float64) (*exprTable, error) {
	if !e.sh.f.usesP {
		return nil, nil
	}
	t, err := e.sh.table(p, e.typed)
	if err != nil {
		return nil, fmt.Errorf("estimators: expr: %v", err)
	}
	return t, nil
}

// Forward sets dst to sign(x).
func (e *Expr) Forward(dst, x []float32) { e.job.sign(dst, x) }

// ForwardRef is the reference Forward.
func (e *Expr) ForwardRef(dst, x []float32) { signRef(dst, x) }

// BackwardRef is the reference kernel, the formula in float64 (NaN where
// it fails to evaluate):
//
//	if abs(x[i]) <= c { dx[i] = dy[i] * g(x[i], p) } else { dx[i] = 0 }
func (e *Expr) BackwardRef(dx, x, dy []float32) {
	checkLen("Backward", dx, x)
	checkLen("Backward", dy, x)
	c := e.sh.c
	for i, v := range x {
		if !(abs32(v) <= c) {
			dx[i] = 0
			continue
		}
		g, err := e.ev.at(float64(v), e.p)
		if err != nil {
			g = math.NaN()
		}
		dx[i] = float32(float64(dy[i]) * g)
	}
}

// Backward is the fast kernel: the table's linear interpolation, in
// parallel for long slices.
func (e *Expr) Backward(dx, x, dy []float32) {
	k, _ := e.BackwardKernel()
	e.job.backward(k.k, dx, x, dy)
}

// BackwardKernel returns Backward's kernel (see Splitter).
func (e *Expr) BackwardKernel() (Kernel, bool) {
	e.k.t = e.tab
	return Kernel{&e.k, e}, true
}

// exprShared is what the estimators of one expr: spec share: the formula
// and its tables by progress value.
type exprShared struct {
	f        *exprFormula
	c        float32
	knots    []float64
	monotone bool
	tab0     *exprTable // at p = 0

	mu     sync.Mutex
	ev     *exprEval // for building tables, under mu
	tables map[float64]*exprTable
	// ok holds the progress values at which a table was built, under mu:
	// tables keeps only the last 64, and a sweep checks every epoch's p
	// of every cell (a run, and each array task), so a check repeated at
	// a p that passed returns at once instead of building its table again.
	ok map[float64]bool
}

// exprOKMax bounds exprShared.ok: a run of up to that many epochs is
// checked once per process.
const exprOKMax = 1 << 16

// passed reports whether a table was built at p.
func (sh *exprShared) passed(p float64) bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.ok[p]
}

// pass records that a table was built at p.
func (sh *exprShared) pass(p float64) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.ok == nil || len(sh.ok) >= exprOKMax {
		sh.ok = map[float64]bool{}
	}
	sh.ok[p] = true
}

// exprCache holds the compiled formulas and shared specs seen so far,
// cleared when it grows past exprCacheMax entries (a fuzzer makes many).
var exprCache = struct {
	sync.Mutex
	formulas map[string]exprCompiled
	shared   map[string]*exprShared
}{formulas: map[string]exprCompiled{}, shared: map[string]*exprShared{}}

type exprCompiled struct {
	f   *exprFormula
	err error
}

const exprCacheMax = 256

func cachedFormula(src string) (*exprFormula, error) {
	exprCache.Lock()
	c, ok := exprCache.formulas[src]
	exprCache.Unlock()
	if ok {
		return c.f, c.err
	}
	f, err := compileFormula(src)
	exprCache.Lock()
	if len(exprCache.formulas) >= exprCacheMax {
		clear(exprCache.formulas)
	}
	exprCache.formulas[src] = exprCompiled{f, err}
	exprCache.Unlock()
	return f, err
}

// exprCheckAt are the progress values at which a spec's tables are built
// when it is parsed, if its formula uses p.
var exprCheckAt = []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}

// shareExpr returns the shared state of a spec, building and checking its
// tables the first time; their errors quote the formula as typed.
func shareExpr(f *exprFormula, typed string, c float32, knots []float64, monotone bool) (*exprShared, error) {
	key := fmt.Sprintf("%s|%v|%v|%v", f.src, c, knots, monotone)
	exprCache.Lock()
	sh, ok := exprCache.shared[key]
	exprCache.Unlock()
	if ok {
		return sh, nil
	}
	sh = &exprShared{f: f, c: c, knots: knots, monotone: monotone, ev: newExprEval(f), tables: map[float64]*exprTable{}}
	at := exprCheckAt
	if !f.usesP {
		at = at[:1]
	}
	for _, p := range at {
		if _, err := sh.table(p, typed); err != nil {
			return nil, err
		}
	}
	sh.tab0, _ = sh.table(0, typed)
	exprCache.Lock()
	if len(exprCache.shared) >= exprCacheMax {
		clear(exprCache.shared)
	}
	exprCache.shared[key] = sh
	exprCache.Unlock()
	return sh, nil
}

// table returns the table at p, building it if needed; its error quotes
// the formula as typed.
func (sh *exprShared) table(p float64, typed string) (*exprTable, error) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if t, ok := sh.tables[p]; ok {
		return t, nil
	}
	b := &exprBuilder{ev: sh.ev, typed: typed, p: p, c: float64(sh.c), knots: sh.knots, monotone: sh.monotone}
	t, err := b.build()
	if err != nil {
		return nil, err
	}
	if len(sh.tables) >= 64 {
		clear(sh.tables)
	}
	sh.tables[p] = t
	return t, nil
}

// exprKernel is the fast expr: backward over one chunk.
type exprKernel struct{ t *exprTable }

// exprKernels is the fast expr: backward over one chunk: backwardGo, and
// the vector variant of expr_amd64.go.
var exprKernels = impl.NewKernel(impls, (*exprKernel).backwardGo)

func (k *exprKernel) backward(dx, x, dy []float32) { exprKernels.Get()(k, dx, x, dy) }

// backwardGo is the portable kernel.
func (k *exprKernel) backwardGo(dx, x, dy []float32) {
	t := k.t
	xb := bitsOf(x)
	dx, dy = dx[:len(xb)], dy[:len(xb)]
	if len(t.side[0]) > 1 || len(t.side[1]) > 1 {
		for i, v := range x {
			dx[i] = dy[i] * t.eval(v)
		}
		return
	}
	// One segment a side, [0, c] from node 0: no clamps, and the side's
	// offset picked with a mask.
	cb := math.Float32bits(t.c)
	offP, offN := t.side[0][0].off, t.side[1][0].off
	tab, invh := t.tab, t.invh
	for i, b := range xb {
		a := b &^ signBit
		m := leMask(a, cb)
		neg := int32(b&-a) >> 31 // all ones if x < 0
		off := offP ^ (offP^offN)&neg
		u := math.Float32frombits(minBits(a, cb)) * invh
		n := int32(u)
		f := u - float32(n)
		j := 2 * uint(n+off)
		g := tab[j] + f*tab[j+1]
		dx[i] = dy[i] * math.Float32frombits(math.Float32bits(g)&m)
	}
}

// parseKnots parses "k1;k2;..." into sorted distinct magnitudes in [0, c).
// A knot written -0 is 0 (one value, one canonical form); a nonzero knot
// below float64's smallest normal magnitude, which ParseFloat would make 0
// without an error or a subnormal with fewer digits, is refused, and so is
// one that overflows float64, each saying so.
func parseKnots(s string, c float64) ([]float64, error) {
	if s == "" {
		return nil, nil
	}
	var ks []float64
	for _, f := range strings.Split(s, ";") {
		if strings.ContainsFunc(f, unicode.IsSpace) {
			return nil, fmt.Errorf("knot %q: %s: remove it", f, spaceNotAllowed)
		}
		v, err := strconv.ParseFloat(f, 64)
		if errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("knot %q: overflows float64 to %g (its largest magnitude is %g): want a number in [0, c)", f, v, math.MaxFloat64)
		}
		if err != nil || strings.Contains(f, "_") || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v >= c {
			if math.IsInf(c, 1) { // the spec's form is checked before c is known
				return nil, fmt.Errorf("knot %q: want a number in [0, c)", f)
			}
			return nil, fmt.Errorf("knot %q: want a number in [0, c) = [0, %g)", f, c)
		}
		if v == 0 && nonzeroMantissa(f) {
			return nil, fmt.Errorf("knot %q: underflows to 0 in float64 (its smallest magnitude is %g): want 0 or a number in [%g, c)", f, math.SmallestNonzeroFloat64, minNormal64)
		}
		if v != 0 && v < minNormal64 {
			return nil, fmt.Errorf("knot %q: underflows to a subnormal in float64, %g, which holds fewer digits (its smallest normal magnitude is %g): want 0 or a number in [%g, c)", f, v, minNormal64, minNormal64)
		}
		if v == 0 {
			v = 0 // -0 is 0
		}
		ks = append(ks, v)
	}
	sort.Float64s(ks)
	for i := 1; i < len(ks); i++ {
		if ks[i] == ks[i-1] {
			return nil, fmt.Errorf("knot %g given twice", ks[i])
		}
	}
	if len(ks) > exprMaxKnots {
		return nil, fmt.Errorf("%d knots: want at most %d", len(ks), exprMaxKnots)
	}
	return ks, nil
}
