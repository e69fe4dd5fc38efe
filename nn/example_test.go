package nn_test

import (
	"fmt"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/nn"
)

// A binary residual unit in the Bi-Real style, trained for a few steps on
// a fixed batch: the loss goes down.
func Example() {
	init := nn.NewInit(1)
	conv, err := nn.NewBinaryConv2d(
		nn.Conv{In: 8, Out: 8, Kernel: 3, Pad: 1},
		nn.Binary{Estimator: estimators.MustParse("ste+na")}, init)
	if err != nil {
		panic(err)
	}
	net := nn.Sequential{
		nn.NewConv2d(nn.Conv{In: 1, Out: 8, Kernel: 3, Pad: 1, SkipInputGrad: true}, init),
		nn.NewBatchNorm2d(8),
		&nn.Residual{Body: nn.Sequential{conv, nn.NewBatchNorm2d(8)}},
		nn.NewGlobalAvgPool(),
		nn.NewLinear(8, 2, true, init),
	}
	fmt.Println(nn.Count(nn.Params(net)), "parameters")

	// Class 0 images are dark, class 1 images bright.
	x := nn.NewTensor(16, 1, 6, 6)
	labels := make([]int, 16)
	r := nn.Stream(1, "example/data")
	for i := range labels {
		labels[i] = i % 2
		for j := range 36 {
			x.Data[i*36+j] = float32(r.NormFloat64()) + 2*float32(labels[i]) - 1
		}
	}
	opt := nn.NewSGD(nn.Params(net), nn.SGDConfig{Momentum: 0.9})
	var ce nn.SoftmaxCrossEntropy
	nn.SetProgress(net, nn.Progress{Epoch: 0, Epochs: 10})
	var first, last float64
	for step := range 20 {
		loss := ce.Forward(net.Forward(x), labels)
		net.Backward(ce.Backward())
		opt.Step(0.05)
		if step == 0 {
			first = loss
		}
		last = loss
	}
	fmt.Println("loss went down:", last < first/2)
	// Output:
	// 858 parameters
	// loss went down: true
}
