package impl_test

import (
	"fmt"

	"github.com/gradbench/gradbench/internal/impl"
)

func Example() {
	// A package's set, and one kernel with a portable loop and a variant
	// that an arch file would register in its init function.
	impls := impl.NewSet("sum")
	impls.Add(impl.AVX2, true, "")
	sum := impl.NewKernel(impls, func(x []float32) (s float32) {
		for _, v := range x {
			s += v
		}
		return s
	})
	sum.Add(impl.AVX2, func(x []float32) (s float32) {
		for _, v := range x { // stands in for an assembly routine
			s += v
		}
		return s
	})
	fmt.Println(impls.Impls(), impls.Impl(), sum.Get()([]float32{1, 2, 3}))
	_ = impls.SetImpl(impl.Go)
	fmt.Println(impls.Impl(), sum.Get()([]float32{1, 2, 3}))
	// Output:
	// [go avx2] avx2 6
	// go 6
}
