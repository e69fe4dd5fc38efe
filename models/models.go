package models

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/gradbench/gradbench/nn"
)

// Config says what a model is built for.
type Config struct {
	// C, H and W are the shape of one input image (the dataset's batch
	// shape) and Classes the number of classes.
	C, H, W int
	Classes int
	// Width multiplies every channel count (and AlexNet's hidden features),
	// rounded, at least 1; 0 means 1. Width 0.25 gives a reduced network
	// of the same architecture for tests and CI.
	Width float64
	// Binary is handed to every binary layer: the estimator spec of the
	// latent weights and of the activations (one plain spec for both, or
	// a sided one such as w=fda/a=approxsign), each side with "+na" for
	// noise adaptation.
	Binary nn.Binary
}

// A Model is a built network with its description.
type Model struct {
	Name string
	// Net is the network: input N×C×H×W, output N×Classes×1×1 logits.
	Net nn.Sequential
	// Config is what the model was built for.
	Config Config
	// Layers describes the network layer by layer (see Summary).
	Layers []LayerInfo
}

// builders maps each model name to its builder; one line per model,
// sorted.
var builders = map[string]func(b *builder) nn.Sequential{
	"alexnet":   alexnet,
	"resnet18":  resnet18,
	"resnet20":  resnet20,
	"vgg-small": vggSmall,
}

// docs says in one line what each model is.
var docs = map[string]string{
	"alexnet":   "binary AlexNet (DoReFa-Net): ImageNet layout, fp32 first conv and last FC",
	"resnet18":  "Bi-Real Net ResNet-18 with PReLU, ImageNet layout: the FDA paper's ImageNet baseline",
	"resnet20":  "CIFAR ResNet-20 with Bi-Real units, 16/32/64 channels: the suite's default",
	"vgg-small": "VGG-Small (LQ-Nets, DSQ, IR-Net): 128-128-256-256-512-512 convolutions",
}

// Doc returns a one-line description of the named model.
func Doc(name string) string { return docs[name] }

// Names returns the model names, sorted.
func Names() []string {
	names := make([]string, 0, len(builders))
	for n := range builders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Check returns an error unless name is a model.
func Check(name string) error {
	if _, ok := builders[name]; !ok {
		return fmt.Errorf("models: unknown model %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return nil
}

// Build builds the named model. Weights are drawn from init.Weights and
// noise adaptation modules from init.NA in a fixed order, so the same seed
// gives the same weights for every estimator, with or without noise
// adaptation. An input too small for the architecture (AlexNet needs at
// least 63×63) is an error.
func Build(name string, cfg Config, init *nn.Init) (*Model, error) {
	build, ok := builders[name]
	if !ok {
		return nil, Check(name)
	}
	switch {
	case cfg.C < 1 || cfg.H < 1 || cfg.W < 1:
		return nil, fmt.Errorf("models: %s: input shape %d×%d×%d, want positive C×H×W", name, cfg.C, cfg.H, cfg.W)
	case cfg.Classes < 2:
		return nil, fmt.Errorf("models: %s: %d classes, want at least 2", name, cfg.Classes)
	case cfg.Width < 0 || math.IsNaN(cfg.Width) || math.IsInf(cfg.Width, 0):
		return nil, fmt.Errorf("models: %s: width %v, want a number > 0", name, cfg.Width)
	}
	if cfg.Width == 0 {
		cfg.Width = 1
	}
	if err := cfg.Binary.Check(); err != nil {
		return nil, fmt.Errorf("models: %s: %w", name, err)
	}
	b := &builder{model: name, cfg: cfg, init: init, c: cfg.C, h: cfg.H, w: cfg.W}
	net := b.run(build)
	if b.err != nil {
		return nil, b.err
	}
	return &Model{Name: name, Net: net, Config: cfg, Layers: b.layers}, nil
}

// ch scales a channel count by the width multiplier: round(c·width), at
// least 1.
func (b *builder) ch(c int) int {
	return max(1, int(math.Round(float64(c)*b.cfg.Width)))
}
