package main

import (
	"context"
	"errors"
	"flag"
	"strings"

	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/suite"
)

var evalCmd = &command{
	name:  "eval",
	short: "run a packed model file on a test set with binary kernels, against the float network",
	long: `
Eval loads a model file written by gradbench export and runs its network on
the test split of its dataset twice: as the full-precision network in
evaluation mode (the training engine's float convolutions), and packed,
with XNOR-popcount kernels (package xnor) where layers are binary and the
float kernels elsewhere. It prints both top-1 accuracies, how many
predictions agree, and the time of each.

--impl chooses the binary kernels: go (portable), avx2 or avx512 (assembly
kernels for amd64 CPUs with AVX2, or AVX-512 with VPOPCNTQ), or simd (the
AVX-512 kernels with archsimd packing, in a GOEXPERIMENT=simd build); the
default is the fastest available.

Example:

	gradbench eval --model resnet20.gbnn`,
	run: runEval,
}

func runEval(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	model := stringRequired(fs, "model", "model `file` written by gradbench export")
	dataset := fs.String("dataset", "", "dataset `name` to evaluate on (default: the model's)")
	dataDir := fs.String("data", "", "dataset `directory`, as for gradbench run (default: the search order)")
	batch := cli.Int(fs, "batch", 100, "images per `batch`, at most the test split's")
	impl := fs.String("impl", "", "binary kernels: "+strings.Join(suite.EvalImpls(), " or ")+" (default: the fastest)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return errors.New("eval: --model is required: a model file written by gradbench export")
	}
	ev, err := suite.Evaluate(ctx, suite.EvalOptions{Model: *model, Dataset: *dataset, DataDir: *dataDir, Batch: *batch, Impl: *impl})
	if err != nil {
		return err
	}
	return ev.WriteReport(env.stdout)
}
