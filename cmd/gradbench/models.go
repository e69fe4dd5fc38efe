package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
	"strings"

	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/models"
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

A width at which a layer would have a fractional number of channels, or
round to no channels or to more than 65536, more than 65536 classes, an
input side above 16384 or a network of more than 2^30 parameters is an
error: no such network is built.

Examples:

	gradbench models
	gradbench models --model resnet20 --input 1x28x28 --width 0.5`,
	run: runModels,
}

func runModels(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	model := stringOptional(fs, "model", "every model is summarized in a row", "summarize this model `name` layer by layer ("+strings.Join(models.Names(), ", ")+")")
	input := fs.String("input", "", "input `CxHxW`, such as 1x28x28, with x, X or × between the numbers (default: each model's paper workload)")
	classes := cli.Int(fs, "classes", 0, "number of classes (default: each model's paper workload)")
	width := cli.Float64(fs, "width", 1, "width multiplier; every layer must have a whole number of channels at it, 1 to 65536")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	q := suite.ModelsQuery{Model: *model, Width: *width, Typed: cli.Typed(fs)}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "classes" {
			q.Classes = classes // given, even as 0, which suite refuses
		}
	})
	if *input != "" {
		in, err := parseShape(*input)
		if err != nil {
			return fmt.Errorf("models: %w", err) // like its --classes error
		}
		q.C, q.H, q.W = in[0], in[1], in[2]
	}
	// Written whole once made, so that a failed write is an error (as
	// list's).
	var b bytes.Buffer
	if err := suite.SummarizeModels(&b, q); err != nil {
		return err
	}
	_, err := env.stdout.Write(b.Bytes())
	return err
}

// parseShape parses "CxHxW", with x, X or × between the numbers: the
// help writes shapes 3×32×32, and 1X28X28 can mean nothing else. Any
// other separator is refused naming these.
func parseShape(s string) ([3]int, error) {
	var out [3]int
	parts := strings.Split(strings.NewReplacer("×", "x", "X", "x").Replace(s), "x")
	if len(parts) != 3 {
		return out, fmt.Errorf("bad --input %q: want CxHxW, such as 3x32x32 (x, X or × between the numbers)", s)
	}
	for i, p := range parts {
		v, ok := cli.Digits(p)
		if !ok && p != "" && strings.Trim(p, "0123456789") == "" {
			return out, fmt.Errorf("bad --input %q: %s is more than an int holds (%d)", s, p, math.MaxInt)
		}
		if !ok || v < 1 {
			return out, fmt.Errorf("bad --input %q: want CxHxW with positive integers, such as 3x32x32", s)
		}
		out[i] = v
	}
	return out, nil
}
