package estimators

import (
	"testing"

	"github.com/gradbench/gradbench/internal/guardmem"
	"github.com/gradbench/gradbench/internal/impl/impltest"
)

// TestGuardPages runs Forward and Backward of every registered estimator
// at its defaults, and of settings that take other kernels (learnable
// scalars, expr tables of several segments or asymmetric), under every
// implementation, on slices that end (or
// start) right at an inaccessible page (guardmem), at every length up to
// a few vectors, so that a kernel reading or writing past a slice (a
// full vector over the last partial one) faults. Their values are checked
// by TestKernelsMatchPortable; this test looks at their bounds only.
func TestGuardPages(t *testing.T) {
	impltest.Each(t, impls, func(t *testing.T) {
		const most = 70
		rx, rdy, rdx := guardmem.New(t, 4*most), guardmem.New(t, 4*most), guardmem.New(t, 4*most)
		specs := append(Names(), "dsq:learn=true", "bnnplus:learn=true", "fda:n=0", "reste:o=10,t=4",
			"expr:g=exp(-x*x/0.08),c=1.5", "expr:g=abs(x) < 0.3 ? 2 : 1,knots=0.3", "expr:g=x >= 0 ? 1 : 0.5,knots=0",
			"expr:g=1 - x*x,c=2,monotone=false")
		for _, spec := range specs {
			e, err := New(spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, end := range []bool{true, false} {
				for n := range most {
					x0, dy0 := kernelInputs(uint64(n), n)
					x, dy, dx := rx.Float32s(n, end), rdy.Float32s(n, end), rdx.Float32s(n, end)
					copy(x, x0)
					copy(dy, dy0)
					e.Backward(dx, x, dy)
					e.Forward(dx, x)
				}
			}
		}
	})
}
