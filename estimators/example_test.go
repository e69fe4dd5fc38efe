package estimators_test

import (
	"fmt"
	"log"

	"github.com/gradbench/gradbench/estimators"
	_ "github.com/gradbench/gradbench/nn" // registers the +na suffix (noise adaptation is a layer)
)

// An estimator from a spec string: FDA with the paper's schedule of n from 9
// to 18 Fourier terms, at the start and at the end of training.
func Example() {
	spec, err := estimators.Parse("fda:omega=0.1,n=9..18")
	if err != nil {
		log.Fatal(err)
	}
	e, err := spec.New()
	if err != nil {
		log.Fatal(err)
	}
	x := []float32{-2, -0.5, 0, 0.5, 1}
	q, dx := make([]float32, len(x)), make([]float32, len(x))
	e.Forward(q, x)
	dy := []float32{1, 1, 1, 1, 1}
	for _, p := range []float64{0, 1} {
		e.(estimators.Scheduler).SetProgress(p)
		e.Backward(dx, x, dy)
		fmt.Printf("%s p=%g: q=%v g=%.4f\n", spec, p, q, dx)
	}
	// Output:
	// fda p=0: q=[-1 -1 1 1 1] g=[0.0000 1.0718 1.2732 1.0718 0.5798]
	// fda p=1: q=[-1 -1 1 1 1] g=[0.0000 1.2054 2.4192 1.2054 -0.3902]
}

func ExampleParseList() {
	specs, err := estimators.ParseList("fda:n=9,omega=0.10,ste,dsq:alpha=0.2+na:eta=x")
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range specs {
		fmt.Println(s)
	}
	// Output:
	// fda:n=9
	// ste
	// dsq+na:eta=x
}
