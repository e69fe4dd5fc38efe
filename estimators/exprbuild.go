package estimators

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Building an exprTable (see exprtable.go for the grid and the check it
// meets): the segments of each side between 0, the knots, the kinks found
// and the clip; the grid refined until the check passes; the split at each
// knot where g jumps.

// exprSegment is a segment [a, b] of |x| on one side while the table is
// built.
type exprSegment struct {
	a, b         float64
	knotA, knotB bool  // the end is a knot (its value a one-sided limit), not 0, a kink or the clip
	i0, i1       int64 // lattice nodes floor(a/h), ceil(b/h)
}

// exprBuilder builds the table of one formula at one progress value.
type exprBuilder struct {
	ev       *exprEval
	typed    string // the formula as typed, which errors quote
	p        float64
	c        float64   // float64(float32 clip)
	knots    []float64 // sorted magnitudes in [0, c)
	monotone bool

	kinks [2][]float64 // found on each side (see build)
	memo  map[float64]float64
	peak  float64
}

// minNormal64 is float64's smallest normal magnitude, 2.2250738585072014e-308.
const minNormal64 = 0x1p-1022

// exprMaxKinks is the number of kinks build places on each side.
const exprMaxKinks = 4

// g returns the formula at x, from a memo across grid refinements, and
// refuses non-finite and (for a monotone surrogate) negative values.
func (b *exprBuilder) g(x float64) (float64, error) {
	if v, ok := b.memo[x]; ok {
		return v, nil
	}
	v, err := b.ev.at(x, b.p)
	switch {
	case err != nil:
		var re *exprRunError
		if errors.As(err, &re) {
			err = re.quoting(b.typed)
		}
		return 0, fmt.Errorf("g(x=%g) at p=%g: %v", x, b.p, err)
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("g(x=%g) = %g at p=%g: want finite values on [-c, c] = [%g, %g]", x, v, b.p, -b.c, b.c)
	case math.Abs(v) > exprMaxG:
		return 0, fmt.Errorf("g(x=%g) = %g at p=%g: want |g| <= %.3g, which the float32 kernels hold with room", x, v, b.p, exprMaxG)
	case v < 0 && b.monotone:
		return 0, fmt.Errorf("g(x=%g) = %g < 0 at p=%g: want g >= 0, the derivative of a monotone soft sign (write monotone=false to allow negative values)", x, v, b.p)
	}
	b.memo[x] = v
	b.peak = max(b.peak, math.Abs(v))
	return v, nil
}

// segments returns the segments of [0, c] on one side, cut at the knots
// and at the kinks found so far.
func (b *exprBuilder) segments(side int, h float64) []exprSegment {
	type cut struct {
		at   float64
		knot bool
	}
	cuts := []cut{{0, len(b.knots) > 0 && b.knots[0] == 0}}
	for _, k := range b.knots {
		if k > 0 {
			cuts = append(cuts, cut{k, true})
		}
	}
	for _, k := range b.kinks[side] {
		cuts = append(cuts, cut{k, false})
	}
	sort.SliceStable(cuts, func(i, j int) bool { return cuts[i].at < cuts[j].at })
	cuts = append(cuts, cut{b.c, false})
	segs := make([]exprSegment, len(cuts)-1)
	for i := range segs {
		s := &segs[i]
		s.a, s.b = cuts[i].at, cuts[i+1].at
		s.knotA, s.knotB = cuts[i].knot, cuts[i+1].knot
		s.i0, s.i1 = int64(math.Floor(s.a/h)), int64(math.Ceil(s.b/h))
	}
	return segs
}

// An exprMiss is an interval of one side's segment and the largest
// interpolation error found on it.
type exprMiss struct {
	side   int
	lo, hi float64 // in |x|
	err    float64
	at     float64 // x of the largest error
}

// build returns the table, or an error saying why the formula cannot be
// tabulated within exprTol.
//
// A kink (a jump of g' where g is continuous, such as ApproxSign's at
// |x| = 1 when C > 1) costs linear interpolation an error of order h·Δg',
// which would need about 10^5 nodes; so when the intervals that fail the
// check are isolated (their neighbours pass), build finds each one's kink
// by bisection and cuts the segment there, up to exprMaxKinks a side. A
// cut where g is continuous is always sound; if g jumps there, the check
// at the cut's float32 neighbours refuses it as an undeclared jump.
func (b *exprBuilder) build() (*exprTable, error) {
	b.memo = map[float64]float64{}
	// h = 2^-j with at least exprMinNodes intervals on [-c, c].
	j := int(math.Ceil(math.Log2(exprMinNodes / (2 * b.c))))
	for {
		h := math.Ldexp(1, -j)
		if math.IsInf(float64(float32(1/h)), 0) { // c >= exprMinC keeps 1/h finite: a guard for the kernels' index
			return nil, fmt.Errorf("c=%g is too small for the table: its grid step 2^%d has no float32 inverse: want c >= %g", b.c, -j, float64(exprMinC))
		}
		segs := [2][]exprSegment{b.segments(0, h), b.segments(1, h)}
		t, misses, err := b.level(segs, h)
		if err != nil {
			return nil, err
		}
		if t.worst <= exprTol {
			if err := b.splits(t, segs); err != nil {
				return nil, err
			}
			t.setSegVec()
			t.setPermVec()
			return t, nil
		}
		if b.addKinks(misses, h, t.peak) {
			continue
		}
		if nodes := len(t.tab) / 2; 2*nodes > exprMaxNodes { // the next level would double them
			if js := b.jumps(misses, t.peak); len(js) > 0 {
				return nil, b.jumpError(js)
			}
			// t.worst is finite here: an infinite error comes of a jump,
			// which jumps finds.
			return nil, fmt.Errorf("g cannot be tabulated within %g of max|g| = %.6g with %d nodes at p=%g: the error is %.3g·max|g| near x=%.6g, where g varies too fast for linear interpolation (it does not jump there: a knot would not help)",
				exprTol, t.peak, exprMaxNodes, b.p, t.worst, t.at)
		}
		j++
	}
}

// An exprJump is a jump of g found where no knot is declared.
type exprJump struct {
	x           float64 // where g jumps, within adjacent float64 values
	left, right float64 // g just below and just above x
	knot        string  // the knot that declares it, as the knots key reads it
}

// exprMaxJumpSearch is the number of failing intervals, the worst first,
// that jumps bisects.
const exprMaxJumpSearch = 32

// jumps looks for a jump of g in each of the intervals that failed the
// check, up to exprMaxJumpSearch of them, the worst first, and returns
// those it finds, in order of x, each once. An interval of a grid fine
// enough (65536 nodes) fails the check where g jumps, or where it varies
// too fast: see jump.
func (b *exprBuilder) jumps(misses []exprMiss, peak float64) []exprJump {
	var fail []exprMiss
	for _, m := range misses {
		if !(m.err <= exprTol*peak) {
			fail = append(fail, m)
		}
	}
	sort.SliceStable(fail, func(i, j int) bool { return fail[i].err > fail[j].err || math.IsNaN(fail[j].err) })
	var js []exprJump
	seen := map[string]bool{}
	for _, m := range fail[:min(len(fail), exprMaxJumpSearch)] {
		j, ok := b.jump(m, peak)
		key := fmt.Sprintf("%d %s", m.side, j.knot)
		if j.x == 0 {
			key = "0" // found from either side
		}
		if !ok || seen[key] {
			continue
		}
		seen[key] = true
		js = append(js, j)
	}
	sort.Slice(js, func(i, k int) bool { return js[i].x < js[k].x })
	return js
}

// jump looks for a jump of g in the interval m, by bisection down to
// adjacent float64 values of |x| (always on the half where g changes
// more), and returns it with the knot that declares it, as the knots key
// reads it: the shortest decimal of its float32 (the knot's split is found
// among the float32 inputs around it), or 0 for a jump at x = 0 (one below
// float32's smallest normal magnitude, which only bisecting toward 0
// finds). It reports false when g does not jump there by more than the
// tolerance, such as a g that is continuous but too steep (sqrt(|x|) at
// 0), or when g fails to evaluate.
func (b *exprBuilder) jump(m exprMiss, peak float64) (exprJump, bool) {
	sign := float64(1 - 2*m.side)
	at := func(a float64) (float64, bool) {
		v, err := b.ev.at(sign*a, b.p)
		return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	lo, hi := m.lo, m.hi
	gl, ok1 := at(lo)
	gh, ok2 := at(hi)
	if !ok1 || !ok2 {
		return exprJump{}, false
	}
	for {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		gm, ok := at(mid)
		if !ok {
			return exprJump{}, false
		}
		if math.Abs(gm-gl) >= math.Abs(gh-gm) {
			hi, gh = mid, gm
		} else {
			lo, gl = mid, gm
		}
	}
	if !(math.Abs(gh-gl) > exprTol*peak) {
		return exprJump{}, false
	}
	j := exprJump{x: sign * hi, left: gl, right: gh, knot: "0"}
	if sign < 0 {
		j.left, j.right = gh, gl
	}
	if hi >= minFloat32 {
		j.knot = strconv.FormatFloat(float64(float32(hi)), 'g', -1, 32)
	} else {
		j.x = 0
	}
	return j, true
}

// jumpError says where g jumps with no knot declared and how to declare
// the jumps: with knots, the ones declared and those found, or, for a jump
// at the clip, where no knot can be, by moving the clip.
func (b *exprBuilder) jumpError(js []exprJump) error {
	var at []string
	var clip *exprJump
	ks := append([]float64(nil), b.knots...)
	added := 0 // knots to declare, not at the clip
	for i, j := range js {
		at = append(at, fmt.Sprintf("x≈%.6g (from %.6g to %.6g)", j.x, j.left, j.right))
		k, _ := strconv.ParseFloat(j.knot, 64)
		switch {
		case k >= b.c:
			clip = &js[i]
		case !slices.Contains(ks, k):
			ks = append(ks, k)
			added++
		}
	}
	where := at[0]
	if len(at) > 1 {
		where = strings.Join(at[:len(at)-1], ", ") + " and " + at[len(at)-1]
	}
	msg := fmt.Sprintf("g jumps at %s at p=%g, where no knot is declared, and linear interpolation cannot follow a jump", where, b.p)
	sort.Float64s(ks)
	var declare []string
	for _, k := range ks {
		declare = append(declare, strconv.FormatFloat(k, 'g', -1, 64))
	}
	if clip != nil {
		msg += fmt.Sprintf(": the jump at x≈%.6g is at the clip c=%g, where no knot can be (knots lie in [0, c)): lower c below it, or raise c past it and declare it as a knot", clip.x, b.c)
		if added > 0 {
			msg += fmt.Sprintf("; declare the others with knots=%s", strings.Join(declare, ";"))
		}
		return errors.New(msg)
	}
	them := "it"
	if added > 1 {
		them = "them"
	}
	return fmt.Errorf("%s: declare %s with knots=%s", msg, them, strings.Join(declare, ";"))
}

// addKinks locates a kink in each isolated failing interval and reports
// whether it added any.
func (b *exprBuilder) addKinks(misses []exprMiss, h, peak float64) bool {
	tol := exprTol * peak
	added := false
	for side := range 2 {
		var fail []int
		var ms []exprMiss
		for _, m := range misses {
			if m.side == side {
				ms = append(ms, m)
			}
		}
		for i, m := range ms {
			if m.err > tol {
				fail = append(fail, i)
			}
		}
		if len(fail) == 0 || len(fail) > 2 || len(b.kinks[side])+len(fail) > exprMaxKinks {
			continue
		}
		for _, i := range fail {
			if i > 0 && ms[i-1].err > tol/4 || i+1 < len(ms) && ms[i+1].err > tol/4 {
				continue // not isolated: curvature, not a kink
			}
			k, ok := b.kink(side, ms[i].lo, ms[i].hi)
			if !ok {
				continue
			}
			b.kinks[side] = append(b.kinks[side], k)
			added = true
		}
	}
	return added
}

// kink returns the point of [lo, hi] (in |x| on one side) where g bends,
// by bisection on the chord errors of the two halves.
func (b *exprBuilder) kink(side int, lo, hi float64) (float64, bool) {
	sign := float64(1 - 2*side)
	chord := func(l, r float64) (float64, bool) {
		gl, err1 := b.g(sign * l)
		gm, err2 := b.g(sign * (l + r) / 2)
		gr, err3 := b.g(sign * r)
		return math.Abs(gm - (gl+gr)/2), err1 == nil && err2 == nil && err3 == nil
	}
	for range 60 {
		m := lo + (hi-lo)/2
		if m <= lo || m >= hi {
			break
		}
		el, ok1 := chord(lo, m)
		er, ok2 := chord(m, hi)
		if !ok1 || !ok2 {
			return 0, false
		}
		if el >= er {
			hi = m
		} else {
			lo = m
		}
	}
	k := lo + (hi-lo)/2
	for _, c := range b.kinks[side] {
		if c == k {
			return 0, false
		}
	}
	return k, k > 0 && k < b.c
}

// level tabulates g with step h on both sides and measures the
// interpolation error at the quarter points and midpoints of every
// interval.
func (b *exprBuilder) level(segs [2][]exprSegment, h float64) (*exprTable, []exprMiss, error) {
	t := &exprTable{c: float32(b.c), invh: float32(1 / h)}
	var misses []exprMiss
	for side, sign := range [2]float64{1, -1} {
		for _, s := range segs[side] {
			seg, err := b.segment(t, s, sign, h)
			if err != nil {
				return nil, nil, err
			}
			t.side[side] = append(t.side[side], seg)
			for i := s.i0; i < s.i1; i++ {
				m := exprMiss{side: side, lo: max(float64(i)*h, s.a), hi: min(float64(i+1)*h, s.b)}
				for _, q := range [...]float64{0.25, 0.5, 0.75} {
					a := m.lo + q*(m.hi-m.lo)
					g, err := b.g(sign * a)
					if err != nil {
						return nil, nil, err
					}
					if e := math.Abs(t.interp64(&seg, a) - g); e > m.err {
						m.err, m.at = e, sign*a
					}
				}
				misses = append(misses, m)
			}
		}
	}
	t.peak = b.peak
	if t.peak == 0 {
		return nil, nil, fmt.Errorf("g is 0 everywhere on [-c, c] = [%g, %g] at p=%g: no gradient would pass", -b.c, b.c, b.p)
	}
	for _, m := range misses {
		if r := m.err / t.peak; r > t.worst {
			t.worst, t.at = r, m.at
		}
	}
	return t, misses, nil
}

// segment appends the nodes of segment s on the side sign (+1 or -1) to
// the table and returns its description.
func (b *exprBuilder) segment(t *exprTable, s exprSegment, sign, h float64) (exprSeg, error) {
	ga, err := b.end(sign*s.a, sign*s.b, s.knotA)
	if err != nil {
		return exprSeg{}, err
	}
	gb, err := b.end(sign*s.b, sign*s.a, s.knotB)
	if err != nil {
		return exprSeg{}, err
	}
	n := int(s.i1 - s.i0)
	v := make([]float64, n+1)
	for i := 1; i < n; i++ {
		if v[i], err = b.g(sign * float64(s.i0+int64(i)) * h); err != nil {
			return exprSeg{}, err
		}
	}
	// The end nodes: g at an end on the lattice, else the chord through
	// the end's value and the next point inside, extended.
	x0, x1 := float64(s.i0)*h, float64(s.i1)*h
	if x0 == s.a {
		v[0] = ga
	} else {
		xn, vn := s.b, gb
		if n > 1 {
			xn, vn = x0+h, v[1]
		}
		v[0] = ga + (vn-ga)*(x0-s.a)/(xn-s.a)
	}
	if x1 == s.b {
		v[n] = gb
	} else {
		xp, vp := s.a, ga
		if n > 1 {
			xp, vp = x1-h, v[n-1]
		}
		v[n] = gb + (gb-vp)*(x1-s.b)/(s.b-xp)
	}
	base := int32(len(t.tab) / 2)
	for i, x := range v {
		d := 0.0
		if i < n {
			d = float64(float32(v[i+1])) - float64(float32(x))
		}
		t.tab = append(t.tab, float32(x), float32(d))
	}
	return exprSeg{lo: float32(s.a), off: base - int32(s.i0), jmin: base}, nil
}

// end returns g at the end e of a segment whose other end is o: g(e) at 0
// or the clip, the limit from inside the segment at a knot.
func (b *exprBuilder) end(e, o float64, knot bool) (float64, error) {
	if knot {
		e = math.Nextafter(e, o)
	}
	return b.g(e)
}

// splits sets the float32 split of each knot k > 0 on both sides: the
// first float32 |x| the formula puts in the outer segment (see the doc
// above).
func (b *exprBuilder) splits(t *exprTable, segs [2][]exprSegment) error {
	tol := exprTol * t.peak
	inf := float32(math.Inf(1))
	for side, sign := range [2]float64{1, -1} {
		for si := 1; si < len(segs[side]); si++ {
			k := segs[side][si].a
			inner, outer := &t.side[side][si-1], &t.side[side][si]
			below := float32(k) // the largest float32 below k
			if float64(below) >= k {
				below = math.Nextafter32(below, 0)
			}
			if math.Abs(t.interp64(inner, k)-t.interp64(outer, k)) <= tol {
				outer.lo = math.Nextafter32(below, inf) // no jump: any split will do
				continue
			}
			const window = 8
			a := below
			for range window - 1 {
				a = math.Nextafter32(a, 0)
			}
			split := -1 // index of the first float32 on the outer side
			var at [2 * window]float32
			for i := range at {
				at[i] = a
				g, err := b.g(sign * float64(a))
				if err != nil {
					return err
				}
				di := math.Abs(g - float64(t.interp(inner, a)))
				do := math.Abs(g - float64(t.interp(outer, a)))
				switch {
				case min(di, do) > tol:
					return fmt.Errorf("g at p=%g does not jump cleanly at the knot %g: g(%g) = %g is %.3g from the inner side's values and %.3g from the outer side's", b.p, k, sign*float64(a), g, di, do)
				case do < di && split < 0:
					split = i
				case do >= di && split >= 0:
					return fmt.Errorf("g at p=%g jumps back and forth at the knot %g (at x=%g)", b.p, k, sign*float64(a))
				}
				a = math.Nextafter32(a, inf)
			}
			if split <= 0 {
				return fmt.Errorf("g at p=%g jumps near the knot %g but not at it", b.p, k)
			}
			outer.lo = at[split]
		}
	}
	return nil
}
