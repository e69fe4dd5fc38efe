package estimators_test

import (
	"fmt"
	"log"
	"math"

	"github.com/gradbench/gradbench/estimators"
)

// Sigmoid is an estimator a user brings without forking gradbench: the
// derivative of the soft sign 2σ(Kx) - 1, g(x) = 2K·σ(Kx)·(1 - σ(Kx)).
type Sigmoid struct{ K float32 }

func (e *Sigmoid) Name() string { return "example-sigmoid" }

func (e *Sigmoid) Forward(dst, x []float32) { estimators.Sign(dst, x) }

func (e *Sigmoid) Backward(dx, x, dy []float32) {
	if len(dx) != len(x) || len(dy) != len(x) {
		panic("sigmoid: slice lengths differ")
	}
	for i, v := range x {
		s := 1 / (1 + math.Exp(-float64(e.K*v)))
		dx[i] = dy[i] * float32(2*float64(e.K)*s*(1-s))
	}
}

// Register makes "example-sigmoid" a spec name like the built-in ones,
// usable by `gradbench curves`, the benchmarks and training runs; the
// conformance suite (estimatortest) then checks it with every registered
// estimator. (The README's example calls it "sigmoid"; this test binary
// uses a name no built-in estimator will take.)
func init() {
	estimators.Register("example-sigmoid", func(p *estimators.Params) (estimators.Estimator, error) {
		k := p.Float("k", 4, estimators.Above(0))
		return &Sigmoid{K: k}, p.Err()
	})
}

func ExampleRegister() {
	e, err := estimators.New("example-sigmoid:k=2")
	if err != nil {
		log.Fatal(err)
	}
	x := []float32{-1, 0, 1}
	dx := make([]float32, len(x))
	e.Backward(dx, x, []float32{1, 1, 1})
	fmt.Printf("%s: g=%.4f\n", estimators.MustParse("example-sigmoid:k=2.0"), dx)
	_, err = estimators.New("example-sigmoid:k=-1")
	fmt.Println(err)
	// Output:
	// example-sigmoid:k=2: g=[0.4200 1.0000 0.4200]
	// estimators: example-sigmoid: bad value k="-1": want a number > 0
}
