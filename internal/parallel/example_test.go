package parallel_test

import (
	"fmt"

	"github.com/gradbench/gradbench/internal/parallel"
)

// scaleJob multiplies a slice by a constant, a chunk at a time.
type scaleJob struct {
	x []float32
	c float32
}

func (j *scaleJob) Do(lo, hi int) {
	for i := lo; i < hi; i++ {
		j.x[i] *= j.c
	}
}

func ExampleFor() {
	j := &scaleJob{x: make([]float32, 100000), c: 2}
	for i := range j.x {
		j.x[i] = float32(i)
	}
	parallel.For(len(j.x), 4096, 16, j) // keep j between calls: no allocation
	fmt.Println(j.x[0], j.x[1], j.x[99999])
	// Output: 0 2 199998
}
