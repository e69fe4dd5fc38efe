package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gradbench/gradbench/suite"
)

var fidelityCmd = &command{
	name:  "fidelity",
	short: "measure how well each estimator's gradient predicts the binary network's real loss changes",
	long: `
Fidelity measures the estimators' gradients on network states, without
training: for a sample of binary weights of every binary layer (uniform,
and among the 10% smallest |w|) it computes the exact change of the loss
when the weight's sign flips, and the change each estimator's backward
pass predicts, and reports their Pearson and Spearman correlations, the
sign agreement and the top-k precision, with bootstrap 95% intervals over
the sampled weights (and, with --eval-batches 2 or more, over evaluation
batches), and the cosine between the estimators' latent
gradients. The true loss is the binary network's (sign forward, no noise
adaptation, BatchNorm in training mode) on one batch of training images.
Every estimator is measured on the same states.

--run names a finished run by its record <key>.json (gradbench run
--out DIR): its states are its initial weights (epoch 0) and its final
weights, or those of --epochs (weights after other epochs exist when the
run was trained with gradbench run --keep-epochs). --init measures the
initial state of the recipe's network instead (--recipe, and --seeds: the
one seed of the network measured, which also draws the evaluation batches
and the sampled weights; the heading names it). --recipe and --seeds go
with --init only: a run's record gives its recipe and seed.

It prints the expected time before it starts and a progress bar while it
runs, then the markdown table; --out DIR also writes fidelity.md,
fidelity.svg (correlation per binary layer of the last state, one line
per estimator), fidelity-agreement.svg (the agreement matrix as a heat
map) and fidelity-bench.txt (benchmark lines for benchstat).

Example:

	gradbench fidelity --run results/fmnist-10/91db0da5c016bcf8.json --estimators ste,fda,fda+na --out /tmp/fid`,
	run: runFidelity,
}

func runFidelity(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	var sf sweepFlags
	fs.StringVar(&sf.estimators, "estimators", suite.DefaultEstimators, "comma-separated estimator `specs` to measure, such as fda:n=9,ste or dsq+na (see gradbench list)")
	fs.StringVar(&sf.recipe, "recipe", "fmnist-10", "with --init: recipe `name` ("+strings.Join(suite.RecipeNames(), ", ")+") or JSON file")
	fs.StringVar(&sf.seeds, "seeds", "1", "with --init: the one `seed` of the network measured (its initial weights, the evaluation batches and the sampled weights), such as 3; not a count, list or range")
	fs.StringVar(&sf.data, "data", "", "`directory` holding the dataset's files (default: the dataset's search order)")
	run := fs.String("run", "", "the finished run whose states to measure: its record `file` <key>.json")
	init := fs.Bool("init", false, "measure the initial state of the recipe's network (with the seed --seeds) instead of a run's")
	epochs := fs.String("epochs", "", "states of --run: comma-separated `epochs`, each once, 0 the initial weights (default 0 and the last)")
	batch := fs.Int("batch", suite.DefaultFidelityBatch, "evaluation batch `size`")
	per := fs.Int("sample", suite.DefaultFidelityPerStratum, "sampled `weights` per stratum and binary layer: drawn uniformly and among the layer's 10% smallest |w|, or all of a stratum that holds fewer (the per-layer table says what each layer gave)")
	reps := fs.Int("bootstrap", suite.DefaultFidelityReps, fmt.Sprintf("bootstrap `resamples`, at least %d: the 95%% intervals' ends are the 2.5%% and 97.5%% points of the resampled scores, and %d puts %d resamples at or beyond each (below 41 the ends are the smallest and largest resample)", suite.MinFidelityReps, suite.MinFidelityReps, suite.MinFidelityReps/40))
	nb := fs.Int("eval-batches", suite.DefaultFidelityBatches, "evaluation `batches`: with 2 or more, the flips and predictions are measured on each and the table adds the scores' mean and 95% interval over batches (each batch costs as much as the first)")
	out := fs.String("out", "", "`directory` to write fidelity.md, fidelity.svg, fidelity-agreement.svg and fidelity-bench.txt to (default: print only)")
	quiet := fs.Bool("quiet", false, "print no progress on stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := suite.CheckOutputDir("--out", *out); err != nil {
		return fmt.Errorf("fidelity: %w", err) // before the measurement, not after it
	}
	spec := suite.FidelitySpec{Run: *run, Init: *init, Batch: *batch, PerStratum: *per, Reps: *reps, EvalBatches: *nb, DataDir: sf.data}
	if *batch < 2 || *per < 1 || *nb < 1 {
		return fmt.Errorf("fidelity: --batch %d, --sample %d, --eval-batches %d: want --batch >= 2 and the others >= 1", *batch, *per, *nb)
	}
	if *reps < suite.MinFidelityReps {
		// Fewer would print an interval that is not a 95% one: with 2,
		// [0.062, 0.062].
		return fmt.Errorf("fidelity: --bootstrap %d: want at least %d resamples: a 95%% interval's ends are the 2.5%% and 97.5%% points of the resampled scores, which %d resamples put %d resamples from either end (below 41 they are the smallest and largest resample)", *reps, suite.MinFidelityReps, suite.MinFidelityReps, suite.MinFidelityReps/40)
	}
	if *run == "" && !*init {
		return errors.New("fidelity: give --run <dir>/<key>.json (a finished run's states) or --init (the recipe's initial state)")
	}
	if *run != "" && !*init {
		// The run's record gives the network: a recipe or seed given
		// besides would be ignored, so it is refused.
		var ignored []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "recipe" || f.Name == "seeds" {
				ignored = append(ignored, "--"+f.Name)
			}
		})
		if len(ignored) > 0 {
			return fmt.Errorf("fidelity: %s with --run: the run's record gives its recipe and seed; drop %s (they go with --init)", strings.Join(ignored, " and "), strings.Join(ignored, " and "))
		}
	}
	seed, err := suite.ParseSeed(sf.seeds)
	if err != nil {
		return fmt.Errorf("fidelity: --seeds: %w", err)
	}
	if *epochs != "" {
		for _, f := range strings.Split(*epochs, ",") {
			e, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || e < 0 {
				return fmt.Errorf("fidelity: --epochs %q: want comma-separated epochs >= 0, such as 0,5,10", *epochs)
			}
			if slices.Contains(spec.Epochs, e) {
				// The same state measured twice would be one state shown
				// as two.
				return fmt.Errorf("fidelity: --epochs %q: epoch %d is given twice: each state is measured once, so give each epoch once", *epochs, e)
			}
			spec.Epochs = append(spec.Epochs, e)
		}
	}
	// The sweep of the one seed (a range of one: the seed alone would be a
	// count).
	sweep, err := suite.NewSweep(suite.SweepSpec{Recipe: sf.recipe, Seeds: fmt.Sprintf("%d..%d", seed, seed), DataDir: sf.data, Estimators: &sf.estimators})
	if err != nil {
		return err
	}
	spec.Estimators, spec.Workload, spec.Seed = sweep.Specs, &sweep.Workload, seed
	bar := newProgressBar(env.stderr, env.stderrTTY && !*quiet, *quiet)
	var start time.Time
	spec.Start = func(passes int, expected time.Duration) {
		start = time.Now()
		bar.line("fidelity: %d network passes, expected %s", passes, expected.Round(time.Second))
	}
	spec.Progress = func(done, total int) { bar.fraction("fidelity", done, total, start) }
	res, err := suite.Fidelity(ctx, spec)
	bar.clear()
	if err != nil {
		return err
	}
	if err := res.WriteMarkdown(env.stdout); err != nil {
		return err
	}
	if *out == "" {
		return nil
	}
	_, err = res.WriteFiles(*out)
	return err
}
