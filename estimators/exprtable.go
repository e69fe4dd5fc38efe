package estimators

import (
	"math"
)

// An expr: estimator does not interpret its formula per element: at each
// progress value it tabulates g on a grid over [-C, C] and interpolates
// linearly, with a grid fine enough that the interpolation error is below
// exprTol of max|g|, a claim checked when the table is built.
//
// # The grid
//
// Each side of 0 has its own table, indexed by |x|: the segments of
// [0, C] between 0, the declared knots k (which stand for ±k), the kinks
// found (see build) and C. The
// knots, and 0 if it is one, are the only places where g may jump. The
// nodes are the points of the lattice h·N, h = 2^-j, so that the kernel
// finds a node and the offset from it without rounding: u = |x|/h is exact
// (a product by a power of two), i = trunc(u) and the fraction f = u - i
// are exact too, and g ≈ v_i + f·d_i, d_i = v_{i+1} - v_i, rounds once.
// (So a formula that is linear between nodes, such as ApproxSign's with
// C = 1, gives g bit for bit.) Each segment [a, b] has its own nodes from
// floor(a/h) to ceil(b/h); where an end is not on the lattice, the node
// beyond it carries the line through g at the end and at the next node,
// so interpolation on the partial interval is the chord of g there. At a
// knot the end values are one-sided limits, evaluated a float64 ulp inside
// the segment. Inputs x < 0 use the negative side's table; -0 counts as 0,
// as in the formula's comparisons.
//
// # The check
//
// Starting from at least 64 intervals, the grid halves h until g at the
// quarter points and the midpoint of every interval of every segment
// differs from the table by less than exprTol·max|g| (max over every value
// evaluated), and refuses the formula when that needs more than
// exprMaxNodes nodes. Linear interpolation's error on an interval is
// largest near its midpoint for a smooth g (h²/8·|g″|), so the check
// bounds it; a jump the user did not declare never passes (the error stays
// half the jump however fine the grid), which is how undeclared
// discontinuities are refused. The same evaluations refuse non-finite
// values and, for a monotone surrogate, negative ones.
//
// At a knot where g jumps, the float32 inputs next to the knot are
// assigned to the segment the formula puts them in: the kernel's split is
// the first float32 |x| at which g is nearer the outer segment's table than
// the inner one's, found among the 16 float32 values around the knot (and
// the formula refused if its jump is not there).
const (
	exprTol      = 1e-5
	exprMinNodes = 64
	exprMaxNodes = 1 << 16
	exprMaxKnots = 7
	exprMaxG     = math.MaxFloat32 / 4
)

// exprMinC is the smallest clip c an expr: spec accepts, 2^-113: the
// kernels find a node as u = |x|·(1/h) with 1/h a float32, and 1/h = 2^j
// is finite only up to j = 127. build starts at the j with c/h in
// [exprMinNodes/2, exprMinNodes) and halves h at most 9 times (a table of
// one segment a side and c/h >= 32·2^9 has more than exprMaxNodes/2 nodes,
// so it is the last level tried), so j <= 127 for every formula when
// c >= 32·2^-(127-9). A smaller c made 1/h +Inf, which the portable
// kernel turned into an index out of range (int32(+Inf) wraps) and the
// vector kernels into NaN for |x| <= c.
const exprMinC = 0x1p-113

// An exprTable is the tabulated g of one formula at one progress value.
type exprTable struct {
	c    float32      // clip: g = 0 where |x| > c
	invh float32      // 1/h, a power of two
	side [2][]exprSeg // x >= 0 and x < 0: segments by ascending lo
	tab  []float32    // pairs (v_i, d_i), the segments' nodes one after another

	segv exprSegVec   // the segments for the vector kernels
	perm *exprPermVec // the pairs for the permute kernel, nil if they do not fit

	peak  float64 // max |g| over the evaluated points
	worst float64 // largest check error, relative to peak
	at    float64 // where it was
}

// exprSegVec holds the segments of both sides for the vector kernels, at
// index side·16 + segment: the splits (+Inf past a side's last segment),
// offsets and first pairs.
type exprSegVec struct {
	lo   [32]float32
	off  [32]int32
	jmin [32]int32
}

// exprMaxSegs is the number of segments a side may have: 1 + exprMaxKnots
// + exprMaxKinks <= 16, the vector kernels' limit.
const exprMaxSegs = 16

var _ [exprMaxSegs - 1 - exprMaxKnots - exprMaxKinks]struct{} // fails to compile if they do not fit

// setSegVec fills t.segv from t.side.
func (t *exprTable) setSegVec() {
	for side, segs := range t.side {
		for i := range exprMaxSegs {
			k := side*exprMaxSegs + i
			if i >= len(segs) {
				t.segv.lo[k] = float32(math.Inf(1))
				continue
			}
			t.segv.lo[k], t.segv.off[k], t.segv.jmin[k] = segs[i].lo, segs[i].off, segs[i].jmin
		}
	}
}

// exprPermVec holds a table of one segment a side with c/h at most
// exprPermNodes for the vector kernels that look its pairs up with
// permutes instead of gathers: the pairs (v_n, d_n) of the nodes
// n < exprPermNodes by side (x >= 0, x < 0; 0 past the side's last node),
// two ZMM registers (32 pairs) a side and array, or four where c/h is
// above 32 (wide), which the AVX2 kernels read as 4 (or 8) YMM windows. The nodes n = int32(min(|x|, c)/h) are then at most
// 32 (or 64), and that last node, one past the registers, is reached only
// where c/h is 32 (or 64), at |x| >= c clamped to c, where f = 0: its g,
// v_n + 0·d_n, is gc. Every table at the coarsest grid (c/h in [32, 64),
// see build) fits, such as ApproxSign's (c/h = 32: 33 nodes a side).
type exprPermVec struct {
	v, d [2][exprPermNodes]float32
	gc   [2]float32 // g at the last node where c/h is 32 or 64
	sym  bool       // the sides hold the same bits (g is even): one side's registers serve both
	wide bool       // c/h > 32: four registers a side and array
}

// exprPermNodes is the largest c/h of a table the permute kernels take.
const exprPermNodes = 64

// setPermVec sets t.perm for a table of one segment a side whose nodes
// fit (see exprPermVec).
func (t *exprTable) setPermVec() {
	if len(t.side[0]) != 1 || len(t.side[1]) != 1 {
		return
	}
	u := t.c * t.invh // exact: invh is a power of two
	if u > exprPermNodes {
		return // (not int32(u): node 64 must have f = 0, which u = 64.5 breaks)
	}
	top := int32(u) // the largest node of |x| <= c
	f := u - float32(top)
	p := &exprPermVec{wide: u > exprPermNodes/2}
	for side, segs := range t.side {
		off := segs[0].off
		for n := int32(0); n <= min(top, exprPermNodes-1); n++ {
			j := 2 * (n + off)
			p.v[side][n], p.d[side][n] = t.tab[j], t.tab[j+1]
		}
		if f == 0 {
			// f·d is exact, so v + f·d rounds alike fused or not.
			j := 2 * (top + off)
			p.gc[side] = t.tab[j] + f*t.tab[j+1]
		}
	}
	p.sym = sameBits(p.v[0][:], p.v[1][:]) && sameBits(p.d[0][:], p.d[1][:]) && sameBits(p.gc[:1], p.gc[1:])
	t.perm = p
}

// sameBits reports whether a and b hold the same float32 bits.
func sameBits(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

// An exprSeg is one segment's part of the table: the pairs of its nodes
// i0..i1, the last with d = 0, so that |x| at the top end (u = i1) needs no
// clamp. Only |x| below the first node (a split just below a knot on the
// lattice) needs one, to jmin.
type exprSeg struct {
	lo   float32 // the smallest |x| of the segment (its split)
	off  int32   // lattice node i is pair i+off of the table
	jmin int32   // the pair of node i0
}

// eval returns g(x) from the table, in float32 like the kernels: 0 where
// |x| > c or x is NaN.
func (t *exprTable) eval(x float32) float32 {
	a := abs32(x)
	if !(a <= t.c) {
		return 0
	}
	segs := t.side[0]
	if x < 0 {
		segs = t.side[1]
	}
	return t.interp(&segs[segIndex(segs, a)], a)
}

// segIndex returns the segment of |x| = a.
func segIndex(segs []exprSeg, a float32) int {
	s := 0
	for i := 1; i < len(segs) && a >= segs[i].lo; i++ {
		s = i
	}
	return s
}

// interp returns v_j + f·d_j for |x| = a in segment s.
func (t *exprTable) interp(s *exprSeg, a float32) float32 {
	u := a * t.invh
	j := max(int32(u)+s.off, s.jmin)
	f := u - float32(j-s.off)
	return t.tab[2*j] + f*t.tab[2*j+1]
}

// interp64 is interp in float64 at an a that need not be a float32, for
// the check.
func (t *exprTable) interp64(s *exprSeg, a float64) float64 {
	u := a * float64(t.invh)
	j := max(int64(u)+int64(s.off), int64(s.jmin))
	f := u - float64(j-int64(s.off))
	return float64(t.tab[2*j]) + f*float64(t.tab[2*j+1])
}
