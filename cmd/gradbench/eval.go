package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/suite"
)

var evalCmd = &command{
	name:  "eval",
	short: "run a packed model with binary kernels, against the float one",
	long: `
Eval loads a model file written by gradbench export and runs its network on
the test split of its dataset twice: as the full-precision network in
evaluation mode (the training engine's float convolutions), and packed,
with XNOR-popcount kernels (package xnor) where layers are binary and the
float kernels elsewhere. It prints both top-1 accuracies, how many
predictions agree, and the time of each.

It evaluates the test images the run measured its final top-1 on: the
whole test split, or the recipe's test_subset of it, as the model file
records it. --test-subset N evaluates the N images a run's test_subset N
draws instead (0: the whole split); it is needed for a model file that
does not record its run's test subset (an earlier export wrote it), and
for a run's test subset with --dataset another dataset. A model file
exported from a run whose record keeps data digests carries the digest
of the test split it was measured on: eval refuses test files of the
model's dataset with another digest (other or changed files), rather
than set their top-1 beside the run's as if of the same images.

--impl chooses the binary kernels: go (portable), avx2 or avx512 (assembly
kernels for amd64 CPUs with AVX2, or AVX-512 with VPOPCNTQ), or simd (the
AVX-512 kernels with their own packing and archsimd output transforms, in
a GOEXPERIMENT=simd build); the default is the fastest available.

While it runs, a progress bar on stderr (when that is a terminal, and
unless --quiet) counts the test images both networks have evaluated,
with the time left at the pace so far.

Example:

	gradbench eval --model resnet20.gbnn`,
	run:           runEval,
	interruptible: true,
}

func runEval(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	model := stringRequired(fs, "model", "model `file` written by gradbench export")
	dataset := fs.String("dataset", "", "dataset `name` to evaluate on (default: the model's)")
	dataDir := fs.String("data", "", "dataset `directory`, as for gradbench run (default: the search order)")
	batch := cli.Int(fs, "batch", 0, fmt.Sprintf("images per `batch`, at most the test images evaluated (default: %d, or all of them when fewer)", suite.DefaultEvalBatch))
	impl := fs.String("impl", "", "binary kernels: "+strings.Join(suite.EvalImpls(), " or ")+" (default: the fastest)")
	quiet := fs.Bool("quiet", false, "print no progress on stderr")
	testSubset := cli.Int(fs, "test-subset", 0, "test `images` to evaluate, drawn as a run's test_subset draws them; 0: the whole split (default: the run's test_subset, as the model file records it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return errors.New("eval: --model is required: a model file written by gradbench export")
	}
	o := suite.EvalOptions{Model: *model, Dataset: *dataset, DataDir: *dataDir, Impl: *impl, Typed: cli.Typed(fs)}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "test-subset":
			o.TestSubset = testSubset
		case "batch":
			o.Batch = batch
		}
	})
	bar := newCmdProgressBar(env, *quiet)
	o.Progress = func(done, total int, left time.Duration) { bar.fraction("eval: test images", done, total, left) }
	ev, err := suite.Evaluate(ctx, o)
	bar.clear()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			// Not just "context canceled": say what Ctrl-C did.
			return errors.New("eval interrupted: it reports only a whole evaluation, so nothing was printed; run the same command again to evaluate from the start")
		}
		return err
	}
	return ev.WriteReport(env.stdout)
}
