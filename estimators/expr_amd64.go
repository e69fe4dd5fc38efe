//go:build !purego

package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

// The expr: backward in assembly (expr_amd64.s): AVX2 for tables of one
// segment a side (no knots, no kinks found), with gathers, or with
// permutes for the tables of exprPermVec but the wide ones that are not
// symmetric (exprPermRoutineY), AVX-512 for every table (a
// routine for one segment a side and one that finds each lane's segment,
// both with gathers, and four that permute in registers for tables of one
// segment a side small enough, exprPermVec: 32 or 64 pairs a side, each
// side's, or one side's for both when g is even); other tables on AVX2
// CPUs run the portable loop. See impl_amd64.go.

func init() {
	exprKernels.Add(impl.AVX2, func(k *exprKernel, dx, x, dy []float32) {
		t := k.t
		n := 0
		if len(t.side[0]) == 1 && len(t.side[1]) == 1 {
			n = vecLen(dx, x, dy)
			switch r, cb := exprPermRoutineY(t); {
			case n == 0:
			case r != nil:
				r(&dx[0], &x[0], &dy[0], n, t.perm, cb, t.invh)
			default:
				avx2Expr(&dx[0], &x[0], &dy[0], n, &t.tab[0], math.Float32bits(t.c), t.invh, t.side[0][0].off, t.side[1][0].off)
			}
		}
		k.backwardGo(dx[n:], x[n:], dy[n:])
	})
	exprKernels.Add(impl.AVX512, func(k *exprKernel, dx, x, dy []float32) {
		t := k.t
		n := allLen(dx, x, dy)
		switch {
		case n == 0:
		case t.perm != nil:
			exprPermRoutine(t.perm)(&dx[0], &x[0], &dy[0], n, t.perm, math.Float32bits(t.c), t.invh)
		case len(t.side[0]) == 1 && len(t.side[1]) == 1:
			avx512Expr(&dx[0], &x[0], &dy[0], n, &t.tab[0], math.Float32bits(t.c), t.invh, t.side[0][0].off, t.side[1][0].off)
		default:
			avx512ExprSeg(&dx[0], &x[0], &dy[0], n, &t.tab[0], &t.segv, math.Float32bits(t.c), t.invh)
		}
	})
}

// exprPermRoutineY returns the AVX2 permute routine of a table
// (exprPermVec) and the bits of c to pass it, or nil for a table that
// keeps the gathers (no exprPermVec, or a wide one that is not
// symmetric). The symmetric narrow table has two routines: the one that
// gives node 32 its g (avx2ExprPermSymGC), and the one without that step
// (two instructions fewer a vector) for the tables whose g at node 32 is
// +0, such as ApproxSign's: it gets the float32 below c as its bound, so
// that |x| = c is outside, where g is +0 too.
func exprPermRoutineY(t *exprTable) (r func(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32), cb uint32) {
	p, cb := t.perm, math.Float32bits(t.c)
	switch {
	case p == nil:
		return nil, cb
	case p.wide && p.sym:
		return avx2ExprPerm64Sym, cb
	case p.wide:
		return nil, cb
	case !p.sym:
		return avx2ExprPerm, cb
	case t.c*t.invh == exprPermNodes/2 && math.Float32bits(p.gc[0]) == 0:
		return avx2ExprPermSym, cb - 1
	}
	return avx2ExprPermSymGC, cb
}

// exprPermRoutine returns the permute routine of a table (exprPermVec).
func exprPermRoutine(p *exprPermVec) func(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32) {
	switch {
	case p.wide && p.sym:
		return avx512ExprPerm64Sym
	case p.wide:
		return avx512ExprPerm64
	case p.sym:
		return avx512ExprPermSym
	}
	return avx512ExprPerm
}

//go:noescape
func avx2Expr(dx, x, dy *float32, n int, tab *float32, cb uint32, invh float32, offP, offN int32)

//go:noescape
func avx2ExprPerm(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)

//go:noescape
func avx2ExprPermSym(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)

//go:noescape
func avx2ExprPermSymGC(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)

//go:noescape
func avx2ExprPerm64Sym(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)

//go:noescape
func avx512ExprSeg(dx, x, dy *float32, n int, tab *float32, segs *exprSegVec, cb uint32, invh float32)

//go:noescape
func avx512ExprPerm(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)

//go:noescape
func avx512ExprPermSym(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)

//go:noescape
func avx512ExprPerm64(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)

//go:noescape
func avx512ExprPerm64Sym(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)

//go:noescape
func avx512Expr(dx, x, dy *float32, n int, tab *float32, cb uint32, invh float32, offP, offN int32)
