//go:build !purego

package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

// The expr: backward in assembly (expr_amd64.s): AVX2 for tables of one
// segment a side (no knots, no kinks found), AVX-512 for every table (a
// routine for one segment a side and one that finds each lane's segment);
// other tables on AVX2 CPUs run the portable loop. See impl_amd64.go.

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
		case len(t.side[0]) == 1 && len(t.side[1]) == 1:
			avx512Expr(&dx[0], &x[0], &dy[0], n, &t.tab[0], math.Float32bits(t.c), t.invh, t.side[0][0].off, t.side[1][0].off)
		default:
			avx512ExprSeg(&dx[0], &x[0], &dy[0], n, &t.tab[0], &t.segv, math.Float32bits(t.c), t.invh)
		}
	})
}

//go:noescape
func avx2Expr(dx, x, dy *float32, n int, tab *float32, cb uint32, invh float32, offP, offN int32)

//go:noescape
func avx512ExprSeg(dx, x, dy *float32, n int, tab *float32, segs *exprSegVec, cb uint32, invh float32)

//go:noescape
func avx512Expr(dx, x, dy *float32, n int, tab *float32, cb uint32, invh float32, offP, offN int32)
