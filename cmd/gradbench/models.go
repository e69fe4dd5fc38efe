package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/suite"
)

var modelsCmd = &command{
	name:  "models",
	short: "summarize the models: parameters, memory, MACs, binary share",
	long: `
Models prints one row per model, each for the input of the paper's
workload (resnet20 and vgg-small: CIFAR-10, 3×32×32, 10 classes; resnet18
and alexnet: ImageNet, 3×224×224, 1000 classes) unless --input and
--classes say otherwise: parameters split by precision, inference memory
as float32 and with binary weights packed in bits, multiply-accumulates per
image and their binary share. --model prints one model layer by layer, like
Larq's model summary.

Examples:

	gradbench models
	gradbench models --model resnet20 --input 1x28x28 --width 0.5`,
	run: runModels,
}

// paperInput is the input each model is summarized for by default.
var paperInput = map[string]models.Config{
	"alexnet":   {C: 3, H: 224, W: 224, Classes: 1000},
	"resnet18":  {C: 3, H: 224, W: 224, Classes: 1000},
	"resnet20":  {C: 3, H: 32, W: 32, Classes: 10},
	"vgg-small": {C: 3, H: 32, W: 32, Classes: 10},
}

func runModels(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	model := fs.String("model", "", "summarize this model `name` layer by layer ("+strings.Join(models.Names(), ", ")+")")
	input := fs.String("input", "", "input `CxHxW`, such as 1x28x28 (default: each model's paper workload)")
	classes := fs.Int("classes", 0, "number of classes (default: each model's paper workload)")
	width := fs.Float64("width", 1, "width multiplier")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	names := models.Names()
	if *model != "" {
		if err := models.Check(*model); err != nil {
			return err
		}
		names = []string{*model}
	}
	var in [3]int
	if *input != "" {
		var err error
		if in, err = parseShape(*input); err != nil {
			return err
		}
	}
	if *classes < 0 || *classes == 1 {
		return fmt.Errorf("bad --classes %d: want at least 2", *classes)
	}
	if !(*width > 0) {
		return fmt.Errorf("bad --width %v: want a number > 0", *width)
	}
	var ms []*models.Model
	for _, name := range names {
		cfg := paperInput[name]
		if *input != "" {
			cfg.C, cfg.H, cfg.W = in[0], in[1], in[2]
		}
		if *classes > 0 {
			cfg.Classes = *classes
		}
		cfg.Width = *width
		// The summary describes the inference network: no noise adaptation.
		cfg.Binary = nn.Binary{Estimator: estimators.MustParse("ste")}
		m, err := models.Build(name, cfg, nn.NewInit(1))
		if err != nil {
			return err
		}
		ms = append(ms, m)
	}
	if *model != "" {
		return suite.WriteModelSummary(env.stdout, ms[0])
	}
	return suite.WriteModels(env.stdout, ms)
}

// parseShape parses "CxHxW".
func parseShape(s string) ([3]int, error) {
	var out [3]int
	parts := strings.Split(strings.ReplaceAll(s, "×", "x"), "x")
	if len(parts) != 3 {
		return out, fmt.Errorf("bad --input %q: want CxHxW, such as 3x32x32", s)
	}
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 1 {
			return out, fmt.Errorf("bad --input %q: want CxHxW with positive integers, such as 3x32x32", s)
		}
		out[i] = v
	}
	return out, nil
}
