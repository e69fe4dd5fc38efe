package fidelity_test

import (
	"fmt"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/fidelity"
	"github.com/gradbench/gradbench/nn"
)

// A binary linear layer as the last layer: nothing binary follows it, so
// the first-order prediction of a flip is exact up to the loss's curvature.
func Example() {
	init := nn.NewInit(1)
	bl, _ := nn.NewBinaryLinear(8, 3, nn.Binary{Estimator: estimators.MustParse("ste")}, init)
	net := nn.Sequential{nn.NewLinear(4, 8, true, init), bl}
	x := nn.NewTensor(6, 4, 1, 1)
	r := nn.Stream(1, "example")
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	b := fidelity.Batch{X: x, Labels: []int{0, 1, 2, 0, 1, 2}}
	var ce nn.SoftmaxCrossEntropy
	sites := fidelity.Sample(net, 8, 1)
	_, dl := fidelity.TrueChanges(net, &ce, b, sites, nil)
	pred := fidelity.Predicted(net, &ce, b, sites)
	s := fidelity.Score(pred, dl, 1e-6)
	fmt.Printf("%d sites, Pearson %.2f\n", s.N, s.Pearson)
	// Output: 10 sites, Pearson 1.00
}
