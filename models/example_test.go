package models_test

import (
	"fmt"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
)

// Build the default workload's network, ResNet-20 for Fashion-MNIST, with
// FDA and noise adaptation, and count what it holds.
func Example() {
	m, err := models.Build("resnet20", models.Config{
		C: 1, H: 28, W: 28, Classes: 10,
		Binary: nn.Binary{Estimator: estimators.MustParse("fda+na")},
	}, nn.NewInit(1))
	if err != nil {
		panic(err)
	}
	s := m.Summary()
	fmt.Println(m.Describe())
	fmt.Printf("parameters: %d binary, %d full precision, %d for noise adaptation\n", s.BinaryParams, s.FPParams, s.TrainingParams)
	fmt.Printf("packed for inference: %.1fx smaller than float32\n", float64(s.Float32Bytes)/float64(s.PackedBytes))
	fmt.Printf("binary share of the multiply-accumulates: %.1f%%\n", 100*s.BinaryShare)
	// Output:
	// resnet20 for 1×28×28 inputs, 10 classes
	// parameters: 267264 binary, 4922 full precision, 70944 for noise adaptation
	// packed for inference: 17.7x smaller than float32
	// binary share of the multiply-accumulates: 99.0%
}
