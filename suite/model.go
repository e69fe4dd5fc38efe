package suite

import (
	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
)

// A ModelConfig is what builds a run's network: the model, the shape of
// its input and its number of classes (from the dataset), the width
// multiplier and the estimator of each side of the binary layers. Training
// builds its networks from one, and a packed model file (Export) records
// one in its metadata, so that Evaluate builds the same network again.
type ModelConfig struct {
	Model, Dataset   string
	C, H, W, Classes int
	Width            float64
	// Estimator is a canonical spec string and Binarize "both", or for a
	// run planned before sided specs the side it named (see RunSpec).
	Binarize, Estimator string
}

// modelConfig returns the configuration of the network that a run of c
// trains on the dataset's training split.
func (c Config) modelConfig(train *data.Dataset) ModelConfig {
	ch, h, w := train.BatchShape()
	return ModelConfig{Model: c.Model, Dataset: c.Dataset, C: ch, H: h, W: w, Classes: train.Classes,
		Width: c.Width, Binarize: c.Binarize, Estimator: c.Estimator}
}

// build builds the network with the initial weights of seed, its binary
// layers using spec (the estimator the configuration names, parsed).
func (mc ModelConfig) build(spec estimators.Spec, seed uint64) (*models.Model, error) {
	return models.Build(mc.Model, models.Config{C: mc.C, H: mc.H, W: mc.W, Classes: mc.Classes, Width: mc.Width,
		Binary: nn.Binary{Estimator: spec}}, nn.NewInit(seed))
}

// buildTrained builds the network with its initial weights, for a caller
// that loads trained ones into it.
func (mc ModelConfig) buildTrained() (*models.Model, error) {
	spec, err := RunSpec(mc.Binarize, mc.Estimator)
	if err != nil {
		return nil, err
	}
	return mc.build(spec, 1)
}
