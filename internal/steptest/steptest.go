// Package steptest builds the training step that benchmarks and
// cross-implementation tests time or compare: binary ResNet-20 for 1×28×28
// images and 10 classes, and a batch of random images whose labels cycle
// through the classes.
package steptest

import (
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
)

// ResNet20 returns binary ResNet-20 with estimator spec, initialised from
// seed 1, and a batch of n images drawn from the random stream named
// stream (standard normal pixels; labels 0, 1, …, 9, 0, …).
func ResNet20(spec string, n int, stream string) (*models.Model, *nn.Tensor, []int, error) {
	m, err := models.Build("resnet20", models.Config{
		C: 1, H: 28, W: 28, Classes: 10,
		Binary: nn.Binary{Estimator: estimators.MustParse(spec)},
	}, nn.NewInit(1))
	if err != nil {
		return nil, nil, nil, err
	}
	x := nn.NewTensor(n, 1, 28, 28)
	r := nn.Stream(1, stream)
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % 10
	}
	return m, x, labels, nil
}
