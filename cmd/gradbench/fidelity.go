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

var fidelityCmd = &command{
	name:  "fidelity",
	short: "measure how well each estimator predicts real loss changes",
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
adaptation, BatchNorm in training mode) on one batch of the images the
run trains on (its train_subset, less a learning-rate grid's validation
split).
Every estimator is measured on the same states: the latent weights and
BatchNorm statistics of the state, and the training progress of its epoch
(the noise adaptation's weight α and any schedule). An estimator's own
trainable state (learnable scalars such as dsq:learn=true's α, the noise
adaptation weights of a +na spec) is the run's trained one when the
estimator is the run's own spec (canonical form, as gradbench list writes
it); at a trained state of a run trained with another spec the run's
weights hold none of it, so it keeps the values the estimator's network
starts with (the run's seed's), and every output says so: the table under
its heading, the plots of that state in their titles, and the names of its
lines in fidelity-bench.txt, which end in /estimator-state=initial. At
epoch 0 every estimator's state is its initial one. Of the dataset,
fidelity reads the training split alone, not the test split: --run refuses
a run whose record says it was trained on another training split (records
written before they kept data digests are measured unchecked).

--run names a finished run by its record <key>.json, or its final
weights <key>.weights, in a runs directory (gradbench run --out): its
states are its initial weights (epoch 0) and its final weights, or those
of --epochs (weights after other epochs exist when the
run was trained with gradbench run --keep-epochs). --init measures the
initial state of the recipe's network instead (--recipe, and --seeds: the
one seed of the network measured, which also draws the evaluation batches
and the sampled weights; the heading names it). --recipe and --seeds go
with --init only: a run's record gives its recipe and seed.

It prints a rough expected time before it starts (from each kind of pass
timed just now, so it moves with the machine's load) and a progress bar
whose ETA follows the measured pace while it runs (where stderr is a file
or a pipe, such as a Slurm task's log, a line per unit of work instead:
each tenth of the flips of an evaluation batch of a state, those flips
done, and each state measured, with the passes done and the ETA), then the
markdown table (its per-layer table names the binary layers as gradbench
models --model does, such as stage1.block0.unit0.conv); --out DIR also
writes fidelity.md, fidelity.svg (correlation per binary layer of the last
state, one line per estimator), fidelity-agreement.svg (the agreement
matrix as a heat map, each cell's value written in it, with a color bar)
and fidelity-bench.txt (benchmark lines for benchstat).

Example:

	gradbench fidelity --run results/fmnist-10/91db0da5c016bcf8.json \
	    --estimators ste,fda,fda+na --out /tmp/fid`,
	run:           runFidelity,
	interruptible: true,
}

func runFidelity(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	var req suite.FidelityRequest
	estimators := fs.String("estimators", suite.DefaultEstimators, "comma-separated estimator `specs` to measure, such as fda:n=9,ste or dsq+na (see gradbench list)")
	recipe := fs.String("recipe", suite.DefaultFidelityRecipe, "with --init: recipe `name` ("+strings.Join(suite.RecipeNames(), ", ")+") or JSON file")
	seeds := fs.String("seeds", suite.DefaultFidelitySeeds, "with --init: the one `seed` of the network measured (its initial weights, the evaluation batches and the sampled weights), such as 3; not a count, list or range")
	fs.StringVar(&req.DataDir, "data", "", "`directory` holding the dataset's training split files, the split fidelity reads (default: the dataset's search order)")
	fs.StringVar(&req.Run, "run", "", "the finished run whose states to measure: its record `file` <key>.json or its final weights <key>.weights")
	fs.BoolVar(&req.Init, "init", false, "measure the initial state of the recipe's network (with the seed --seeds) instead of a run's")
	fs.StringVar(&req.Epochs, "epochs", "", "states of --run: comma-separated `epochs`, each once, 0 the initial weights (default 0 and the last)")
	batch := cli.Int(fs, "batch", suite.DefaultFidelityBatch, "evaluation batch `size`")
	per := cli.Int(fs, "sample", suite.DefaultFidelityPerStratum, "sampled `weights` per stratum and binary layer: drawn uniformly and among the layer's 10% smallest |w|, or all of a stratum that holds fewer (the per-layer table says what each layer gave)")
	reps := cli.Int(fs, "bootstrap", suite.DefaultFidelityReps, fmt.Sprintf("bootstrap `resamples`, %d to %d: the 95%% intervals' ends are the 2.5%% and 97.5%% points of the resampled scores, and %d puts %d resamples at or beyond each (below 40 the ends are the smallest and largest resample); at most %d, since every resample's scores are kept in memory (32 bytes per resample and estimator)", suite.MinFidelityReps, suite.MaxFidelityReps, suite.MinFidelityReps, suite.MinFidelityReps/40, suite.MaxFidelityReps))
	nb := cli.Int(fs, "eval-batches", suite.DefaultFidelityBatches, "evaluation `batches`: with 2 or more, the flips and predictions are measured on each and the table adds the scores' mean and 95% interval over batches (each batch costs as much as the first)")
	out := stringOptional(fs, "out", "the report is printed only", "`directory` to write fidelity.md, fidelity.svg, fidelity-agreement.svg and fidelity-bench.txt to (left out, the report is printed only)")
	quiet := fs.Bool("quiet", false, "print nothing on stderr but errors: no expected time, progress or list of the files written")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := suite.CheckOutputDir("--out", *out, suite.FidelityFiles...); err != nil {
		return fmt.Errorf("fidelity: %w", err) // before the measurement, not after it
	}
	if err := suite.ProbeOutputDir("--out", *out); err != nil {
		return fmt.Errorf("fidelity: %w; nothing was measured", err)
	}
	// The flags given, as given: suite.MeasureFidelity checks them and
	// fills in the defaults of the others.
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	req.Estimators, req.Recipe, req.Seeds = given(set, "estimators", estimators), given(set, "recipe", recipe), given(set, "seeds", seeds)
	req.Batch, req.Sample = given(set, "batch", batch), given(set, "sample", per)
	req.Bootstrap, req.EvalBatches = given(set, "bootstrap", reps), given(set, "eval-batches", nb)
	req.Typed = cli.Typed(fs)
	bar := newCmdProgressBar(env, *quiet)
	var start time.Time
	var want time.Duration
	req.Start = func(passes int, expected time.Duration) {
		start, want = time.Now(), expected
		// A rough figure, and said to be one: each kind of pass is timed
		// only a few times, just now, and on a machine shared with other
		// work the passes later can run several times faster or slower.
		about := "about " + roundSeconds(expected)
		if expected.Round(time.Second) == 0 {
			about = roundSeconds(expected) // "under a second", not "about 0s"
		}
		bar.line("fidelity: %d network passes, expected %s (rough: from passes timed just now on this machine; the ETA below follows the measured pace)", passes, about)
	}
	req.Progress = func(done, total int, left time.Duration) { bar.fraction("fidelity", done, total, left) }
	req.Finished = func(unit string, done, total int, left time.Duration) {
		bar.unitLine("fidelity", unit, done, total, left)
	}
	res, err := suite.MeasureFidelity(ctx, req)
	bar.clear()
	if err == nil && !start.IsZero() {
		// The measurement alone, which the expected time is of, then
		// the whole command's wall time as the report gives it.
		bar.line("fidelity: measured in %s (expected %s); %s in all, loading the data and the network and timing the passes included (the report's wall time)",
			roundSeconds(time.Since(start)), roundSeconds(want), suite.RoundSeconds(res.Elapsed))
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			// The tables and files are written only once every state is
			// measured: say so, not just "context canceled".
			return errors.New("fidelity interrupted: it keeps no partial measurement, so nothing was written; run the same command again to measure from the start")
		}
		return err
	}
	if err := res.WriteMarkdown(env.stdout); err != nil {
		return err
	}
	if *out == "" {
		return nil
	}
	files, err := res.WriteFiles(*out)
	if err != nil {
		return err
	}
	// As run and table do: say what was written, where, in their "wrote" line.
	if !*quiet {
		fmt.Fprintf(env.stderr, "wrote %s\n", strings.Join(files, ", "))
	}
	return nil
}

// roundSeconds is suite.RoundSeconds, as the progress prints durations.
func roundSeconds(d time.Duration) string { return suite.RoundSeconds(d) }

// given returns v if the flag name was set on the command line, else nil.
func given[T any](set map[string]bool, name string, v *T) *T {
	if set[name] {
		return v
	}
	return nil
}
