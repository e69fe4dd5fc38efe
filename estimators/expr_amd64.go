//go:build !purego

package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

// The expr: backward in assembly (expr_amd64.s): AVX2 for tables of one
// segment a side (no knots, no kinks found), AVX-512 for every table (a
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
			if n = vecLen(dx, x, dy); n > 0 {
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
