package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/suite"
)

var runCmd = &command{
	name:  "run",
	short: "train estimators on a workload and print the comparison table",
	long: `
Run trains every estimator named by --estimators on the same binarized
network, dataset and recipe, once per seed, with the same initial weights
and the same batches for every estimator of a seed, and prints a markdown
table: mean ± std of the final test accuracy over seeds, its paired
difference from ste seed by seed with a 95% interval and a permutation
p-value (alone, and adjusted by Holm's method over the table's
comparisons), wall time per epoch, and the final losses compared the same
way.

Every finished run is recorded in --out as <key>.json, the key a hash of
the run's configuration; running the same command again skips finished
runs and resumes an interrupted one from its last epoch checkpoint. After
the sweep, --out also holds table.md, curves.svg and bench.txt (the
tables, the training curves and Go benchmark lines, benchstat -col /est
bench.txt) of every run in --out: this sweep's and any other sweep's run
into the same directory, whose rows a second sweep adds to rather than
replaces (its estimators first, then the others; stdout shows this
sweep's table alone, and stderr says when the files cover other runs).
With several workloads in --out, the curves are a file per workload,
curves-<workload>.svg, in place of curves.svg; run removes the curves
files it named for an earlier set of --out's workloads, and says so.

On stderr, run says how long it expects the sweep to take, then shows
its progress: on a terminal, a status line redrawn in place (epoch, step,
training loss, images per second, time left); where stderr is a file or
a pipe (nohup, CI, a Slurm task's log), one line per finished epoch
instead, with its training loss, test top-1 (and validation top-1 with
--lr-grid), images per second and the time left; and on both, one line
per run that finishes, resumes or was already done. --quiet prints none
of it.

With no flags, run trains ste, fda and fda+na on the default workload,
recipe fmnist-10: binary ResNet-20 on Fashion-MNIST for 10 epochs.
--ablation paper runs the estimators of the FDA paper's ablation tables
(2, 3 and 4) and prints those tables too. --ablation sides runs each
estimator of --estimators on the latent weights only (w=E/a=ste, the
clipped STE on the activations), on the activations only (w=ste/a=E) and
on both (E), with ste once, and prints the sides table too.

A spec names the estimator of both binarized tensors of every binary
layer (fda), or of each apart: w=fda/a=approxsign puts fda on the latent
weights and approxsign on the activations, w=fda+na/a=ste noise
adaptation on the weights only (see gradbench list).

--lr-grid 0.3,1,3 tunes the learning rate per estimator: every estimator
and seed trains at each multiple of the recipe's learning rate, on the
training split less a validation split (the recipe's validation fraction,
10% by default, of the split's images rounded to the nearest whole
image, held out by each seed), and the tables show each
estimator at the learning rate with the fewest diverged runs among those
with a finished run, then the best mean validation accuracy, after a
table of that choice; the test split is never used to choose.

--optimizers sgd,adam,bop trains every estimator and seed with each
optimizer: the recipe's SGD, Adam (at learning rate 0.001 when the recipe
trains with SGD) and Bop (arXiv 1906.02107: the binary weights flip when
a moving average of their gradient says so, with no latent weights and
so no weight estimator; the estimator acts on the activations; Adam
trains the other parameters). With bop, a spec whose sides differ and
--ablation sides are refused, as the weight side would have no effect;
w=identity/a=E, what Bop trains, is taken (E with noise adaptation on
the activations needs it). Each optimizer gets its own tables.

With --cell or --index-from-env, run trains one cell of the sweep (one
estimator and seed, numbered as gradbench plan lists them) into --out,
which other processes on other hosts may share: what an array task of a
batch system runs (see gradbench slurm). A cell with a record exits at
once; a cell another live process is training is waited for. Once they
have run, --no-train prints the table and writes the files of the sweep
from the records in --out, training nothing, as run writes them after
the sweep: what gradbench slurm's table job runs. A cell without a
record is left out (stderr says how many), an estimator none of whose
cells of a workload has one is a row "not run" in that workload's table,
and a sweep none of whose cells has one is refused.

Examples:

	gradbench run --estimators fda,ste --recipe quick --seeds 2
	gradbench run --recipe quick --ablation paper --seeds 3
	gradbench run --recipe quick --ablation sides \
	    --estimators fda,approxsign --seeds 6
	gradbench run --estimators 'ste,w=fda/a=approxsign' --recipe quick
	gradbench run --estimators ste,fda --lr-grid 0.3,1,3 \
	    --recipe quick --seeds 2
	gradbench run --estimators 'fda:n=9,dsq:alpha=0.4' \
	    --model vgg-small --dataset cifar10 --seeds 1,2,5`,
	run:           runRun,
	interruptible: true,
}

// defaultRunsDir is the default runs directory: the --out of the commands
// that write or read one for a sweep, table's --runs.
var defaultRunsDir = suite.DefaultRunsDir

// keepEpochsUsage is the help of --keep-epochs, which gradbench run and
// gradbench slurm (for its array tasks) take alike.
const keepEpochsUsage = "also keep each run's weights after every epoch but the last, <key>.e<epoch>.weights (the last epoch's are <key>.weights), for gradbench fidelity --epochs; refused where --out holds runs done or to resume that were trained without it, or runs another process is training now without it"

// sweepFlags are the flags that define a sweep, shared by the commands
// that take one.
type sweepFlags struct {
	estimators, ablation, recipe, model, dataset, data, seeds, lrGrid, optimizers string
	epochs                                                                        int
	width                                                                         float64
}

func (f *sweepFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.estimators, "estimators", suite.DefaultEstimators, "comma-separated estimator `specs`, such as fda:n=9,ste or dsq+na (see gradbench list)")
	fs.StringVar(&f.ablation, "ablation", "", "run the estimators of a set of tables: paper (the FDA paper's Tables 2-4, instead of --estimators), sides (each of --estimators on the weights only, the activations only and both)")
	fs.StringVar(&f.recipe, "recipe", "fmnist-10", "recipe `name` ("+strings.Join(suite.RecipeNames(), ", ")+") or JSON file; its lr, momentum and weight_decay train as their nearest float32, the precision training computes in (refused where that is 0, infinite or subnormal)")
	fs.StringVar(&f.model, "model", "", "model `name`, overriding the recipe's ("+strings.Join(models.Names(), ", ")+")")
	fs.StringVar(&f.dataset, "dataset", "", "dataset `name`, overriding the recipe's (see gradbench list)")
	fs.StringVar(&f.data, "data", "", "`directory` holding the dataset's files (default: the dataset's search order)")
	fs.StringVar(&f.seeds, "seeds", "1", "seeds: a count N (seeds 1..N), a list 1,2,5 or a range 4..6")
	cli.IntVar(fs, &f.epochs, "epochs", 0, "number of epochs, overriding the recipe's")
	cli.Float64Var(fs, &f.width, "width", 0, "width multiplier of the model, overriding the recipe's; every layer must have a whole number of channels at it, 1 to 65536")
	fs.StringVar(&f.optimizers, "optimizers", "", "train every estimator and seed with each of these `optimizers`: sgd (the recipe's), adam (lr 0.001 with an SGD recipe), bop (Bop on the binary weights, that Adam on the rest); default the recipe's alone")
	fs.StringVar(&f.lrGrid, "lr-grid", "", "`multipliers` of the recipe's learning rate, such as 0.3,1,3: train every estimator and seed at each, on the training split less the recipe's validation fraction, and table each estimator at the one its validation accuracy chooses; each learning rate trains as its nearest float32, and two multipliers that give one float32 are refused")
}

// parse parses args into fs, whose flags include f's, and returns the
// sweep the flags describe (suite.NewSweep checks it). It reads the recipe
// file, if any, and writes nothing.
func (f *sweepFlags) parse(fs *flag.FlagSet, args []string) (*suite.Sweep, error) {
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	spec := suite.SweepSpec{Ablation: f.ablation, Recipe: f.recipe, Model: f.model, Dataset: f.dataset, DataDir: f.data,
		Seeds: f.seeds, LRGrid: f.lrGrid, Optimizers: f.optimizers, Typed: cli.Typed(fs)}
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "estimators":
			spec.Estimators = &f.estimators
		case "epochs":
			spec.Epochs = &f.epochs
		case "width":
			spec.Width = &f.width
		}
	})
	return suite.NewSweep(spec)
}

func runRun(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	var sf sweepFlags
	sf.define(fs)
	out := fs.String("out", defaultRunsDir, "`directory` for run records, checkpoints, and table.md, curves.svg and bench.txt of every record in it")
	quiet := fs.Bool("quiet", false, "print nothing on stderr but errors: no estimate, progress, notes or list of the files written")
	keep := fs.Bool("keep-epochs", false, keepEpochsUsage)
	noTrain := fs.Bool("no-train", false, "train nothing: print the sweep's table and write table.md, the curves and bench.txt into --out from the records there, as after the sweep, for cells trained elsewhere (--cell; gradbench slurm's table job runs it); cells without a record are left out, an estimator none of whose cells of a workload has one is shown as not run there, and a sweep none of whose cells has one is refused")
	var cf cellFlags // plan.go
	cf.define(fs)
	sweep, err := sf.parse(fs, args)
	if err != nil {
		return err
	}
	if *noTrain {
		switch {
		case cf.set(fs):
			return errors.New("run: --no-train with --cell or --index-from-env: --no-train trains no cell, they train one; give one of them")
		case *keep:
			return errors.New("run: --no-train with --keep-epochs: --no-train trains nothing, so keeps no epoch's weights; drop one of them")
		}
		return runNoTrain(env, sweep, sf.ablation, *out, *quiet)
	}
	if cf.set(fs) {
		return cf.run(ctx, env, fs, sweep, *out, *quiet, *keep)
	}
	// The files written after the sweep are checked before it trains.
	names, err := sweep.OutputFiles(*out)
	if err != nil {
		return err // a record that cannot be read, which names itself
	}
	if err := suite.CheckOutputDir("--out", *out, names...); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	// And that --out takes files at all (a read-only file system, a
	// directory the user may not write): before the data is loaded and
	// steps timed, not at the first cell's lock. Every run writes its
	// table there, so no sweep could succeed without it.
	if err := suite.ProbeOutputDir("--out", *out); err != nil {
		return fmt.Errorf("run: %w; nothing was trained", err)
	}
	bar := newCmdProgressBar(env, *quiet)
	runner := &suite.Runner{Dir: *out, Progress: bar.event, KeepEpochs: *keep}
	if !*quiet {
		runner.DataProgress, runner.DataProgressBar, runner.DataColumns = env.stderr, env.stderrTTY, env.stderrColumns
	}
	// Run loads the data and builds the model before it writes anything.
	recs, err := runner.Run(ctx, sweep)
	bar.clear()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			// The runs recorded in --out: those of an earlier command too,
			// which an interruption before the sweep read them leaves out
			// of recs.
			done, part := len(recs), 0
			if states, err := sweep.Plan(*out); err == nil {
				done = 0
				for _, st := range states {
					switch {
					case st.Finished():
						done++
					case st.State == suite.CellResumable:
						part++
					}
				}
			}
			msg := fmt.Sprintf("interrupted after %d of %d runs", done, len(sweep.Cells()))
			// The run stopped part-way keeps its finished epochs: "0 of
			// 1 runs" alone read as if they were lost.
			switch part {
			case 0:
			case 1:
				msg += "; 1 more stopped part-way keeps its finished epochs in its checkpoint"
			default:
				msg += fmt.Sprintf("; %d more stopped part-way keep their finished epochs in their checkpoints", part)
			}
			msg += "; run the same command again to resume"
			if done > 0 {
				// With none, gradbench table would only say there are
				// no records.
				msg += fmt.Sprintf(" (gradbench table --runs %s shows the finished ones)", *out)
			}
			return errors.New(msg)
		}
		return err
	}
	return writeSweepFiles(env, sweep, sf.ablation, *out, recs, nil, *quiet, *keep)
}

// writeSweepFiles prints the tables of recs, the records of the sweep's
// cells in its order, and writes table.md, the curves and bench.txt of
// every record in out (suite.WriteSweepOutputs). notRun lists the
// sweep's estimators, each shown as not run in a workload of the sweep
// that has no record of it (run --no-train); keep is --keep-epochs.
func writeSweepFiles(env *cmdEnv, sweep *suite.Sweep, ablation, out string, recs []*suite.Record, notRun []string, quiet, keep bool) error {
	var order []string
	for _, s := range sweep.Specs {
		order = append(order, s.String())
	}
	tables, err := suite.SweepTablesNotRun(recs, order, ablation, notRun, recs, out)
	if err != nil {
		return err
	}
	if _, err := env.stdout.Write(tables); err != nil {
		return err
	}
	// The files of --out cover every record in it, this sweep's and
	// those of any other sweep run into it: a second sweep adds its rows
	// to the first's table.md rather than replacing it.
	all, others, err := suite.DirRecords(out, recs)
	if err != nil {
		return err
	}
	if others > 0 {
		if tables, err = suite.SweepTablesNotRun(all, order, ablation, notRun, recs, out); err != nil {
			return err
		}
	}
	files, removed, err := suite.WriteSweepOutputs(out, tables, all, order)
	if err != nil {
		return err
	}
	if !quiet {
		if others > 0 {
			fmt.Fprintf(env.stderr, "%s holds %s of other sweeps besides this sweep's %d: its %s and curves cover them all, as its %s does; the table printed is this sweep's alone\n",
				out, plural(others, "run"), len(recs), suite.TableFile, suite.BenchFile)
		}
		wrote := strings.Join(files, ", ")
		if keep {
			// The weights --keep-epochs kept, too many to list one by
			// one: how many, and the pattern of their names.
			wrote += fmt.Sprintf(" and %s of --keep-epochs, %s", plural(keptEpochWeights(out, recs), "epoch weights file"),
				filepath.Join(out, "<key>.e<epoch>.weights"))
		}
		fmt.Fprintf(env.stderr, "wrote %s (compare with: benchstat -col /est %s)\n", wrote, filepath.Join(out, suite.BenchFile))
		if len(removed) > 0 {
			fmt.Fprintf(env.stderr, "removed %s: %s\n", strings.Join(removed, ", "), staleCurvesWhy(out+" holds now"))
		}
	}
	return nil
}

// staleCurvesWhy says why run removed curves files of --out
// (suite.WriteSweepOutputs), or table those of --curves: named for
// another set of workloads than those, the workloads of the curves
// written, they would read as current beside them.
func staleCurvesWhy(those string) string {
	return "curves named for another set of workloads than " + those + ", which the curves written replace"
}

// runNoTrain is gradbench run --no-train: the sweep's table and files
// from the records of its cells in out, which it trains none of, as
// run writes them once every cell has a record. An estimator of the
// sweep none of whose cells of a workload has a record is shown as not
// run in that workload's table, and the cells without one are left out, which stderr says; a sweep none of whose
// cells has a record has no table, and is refused.
func runNoTrain(env *cmdEnv, sweep *suite.Sweep, ablation, out string, quiet bool) error {
	// A sweep run would refuse is refused, as gradbench slurm refuses
	// it: it has no cells trained to tabulate.
	if err := sweep.Check(); err != nil {
		return err
	}
	names, err := sweep.OutputFiles(out)
	if err != nil {
		return err
	}
	if err := suite.CheckOutputDir("--out", out, names...); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	recs, unrecorded, err := sweep.Records(out)
	if err != nil {
		return err
	}
	n := len(sweep.Cells())
	if len(recs) == 0 {
		return fmt.Errorf("run: --no-train: none of the sweep's %s has a record in %s: train them first (gradbench run without --no-train, or gradbench slurm); nothing was written", plural(n, "cell"), out)
	}
	// Every estimator of the sweep that one of its workloads has no
	// record of is shown as not run in that workload's table: one whose
	// cells failed with one optimizer alone is no row missing without a
	// word there. Once every cell has a record no workload lacks one.
	var notRun []string
	for _, s := range sweep.Specs {
		notRun = append(notRun, s.String())
	}
	if err := writeSweepFiles(env, sweep, ablation, out, recs, notRun, quiet, false); err != nil {
		return err
	}
	if len(unrecorded) > 0 && !quiet {
		verb := "have"
		if len(unrecorded) == 1 {
			verb = "has"
		}
		fmt.Fprintf(env.stderr, "%d of the sweep's %d cells %s no record, which the tables leave out (gradbench plan --pending lists them)\n", len(unrecorded), n, verb)
	}
	return nil
}

// keptEpochWeights counts the weights files --keep-epochs kept in dir for
// the runs of recs: one after each epoch but the last, which the run's
// final weights hold.
func keptEpochWeights(dir string, recs []*suite.Record) int {
	n := 0
	for _, r := range recs {
		for e := 1; e <= len(r.Epochs); e++ {
			if _, err := os.Stat(suite.EpochWeightsPath(dir, r.Key, e)); err == nil {
				n++
			}
		}
	}
	return n
}
