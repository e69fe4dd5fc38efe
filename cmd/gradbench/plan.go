package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/suite"
)

var planCmd = &command{
	name:  "plan",
	short: "list the cells (runs) of a sweep with their keys and state",
	long: `
Plan lists the cells of the sweep that gradbench run would train with the
same flags, one line each, in the sweep's stable order (seed-major, then
the estimators in the order given): its index, its key (the hash of its
configuration, which names its record <key>.json in --out), its state in
--out, the canonical estimator spec, the seed, model, dataset and recipe.

	done       recorded
	diverged   recorded as diverged (finished: never retried)
	running    no record yet; a live process holds the cell's lock
	resumable  no record; a checkpoint to resume from
	pending    nothing yet

--pending lists only the cells without a record: those a new job array
must run (gradbench slurm submits them, but for the running ones).
gradbench run --cell takes a cell's index or key, --index-from-env an
index. Plan writes nothing; a summary goes to stderr.

A cell without a record that gradbench run would refuse before training
it, for a directory or a broken symbolic link where --out should hold its
lock, checkpoint or final weights, or for a checkpoint that holds another
run's progress (copied or renamed by hand), is refused by plan with run's
message, which says where that run's checkpoint belongs. Of a checkpoint
plan reads only the run it names, not the network's weights or the
checksum over them: one cut short, or the cell's own damaged, which run
discards to train the cell from its first epoch, is listed as resumable.

Plan loads no data, so it lists a sweep that gradbench run refuses once
it has read the data files: a record is done as plan sees it even when
it was trained on other data files than those read now (run compares a
record's data digests with the files it reads; records written before
they kept digests are reused unchecked), and a cell is pending even when
its training batches leave a BatchNorm layer of the network fewer than
two values per channel (a last batch of one image, where the layer sees
one value per channel for each image), which depends on how many
training images the files hold. --check-data loads the data and refuses,
with run's message, what run would refuse: such batches, and a record of
the sweep's cells, or of any cell of its dataset in --out, trained on
other data. Reading and hashing Fashion-MNIST takes about a second.
--estimate loads the data too, refuses such batches as run does, and
names the records of the sweep's cells trained on other data without
refusing.

Examples:

	gradbench plan --recipe quick --ablation paper --seeds 3
	gradbench plan --recipe quick --ablation paper --seeds 3 \
	    --pending --json
	gradbench plan --recipe quick --ablation paper --seeds 3 --check-data`,
	run:           runPlan,
	interruptible: true,
}

// planCell is one line of gradbench plan --json.
type planCell struct {
	Index     int             `json:"index"`
	Key       string          `json:"key"`
	State     string          `json:"state"`
	Estimator string          `json:"estimator"`
	Seed      uint64          `json:"seed"`
	Model     string          `json:"model"`
	Dataset   string          `json:"dataset"`
	Recipe    string          `json:"recipe"`
	Top1      *float64        `json:"top1,omitempty"` // final test top-1 of a done cell
	Lock      *suite.LockInfo `json:"lock,omitempty"` // holder of a running cell
	Config    suite.Config    `json:"config"`
}

func runPlan(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	var sf sweepFlags
	sf.define(fs)
	out := fs.String("out", defaultRunsDir, "runs `directory` whose records, checkpoints and locks give the state")
	pending := fs.Bool("pending", false, "list only the cells without a record (running, resumable and pending)")
	asJSON := fs.Bool("json", false, "print a JSON array of cells (with each cell's configuration) instead of text")
	quiet := fs.Bool("quiet", false, "print no summary on stderr")
	estimate := fs.Bool("estimate", false, "also say on stderr how long training the cells without a record would take, as gradbench run does before it starts (this loads the data and times a few training steps; it refuses, as run does, training batches a BatchNorm layer cannot train)")
	checkData := fs.Bool("check-data", false, "load the data and refuse, as gradbench run does, training batches a BatchNorm layer cannot train and an --out holding a record of the sweep's dataset trained on other data than the files read now (without it plan lists such a record as done)")
	sweep, err := sf.parse(fs, args)
	if err != nil {
		return err
	}
	runner := &suite.Runner{Dir: *out} // loads the data once for both
	if *checkData {
		if err := runner.CheckSweep(ctx, sweep); err != nil {
			return err
		}
	}
	if *estimate {
		est, err := runner.Estimate(ctx, sweep)
		if err != nil {
			return err
		}
		defer fmt.Fprintln(env.stderr, est)
	}
	states, err := sweep.Plan(*out)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	var list []suite.CellState
	for _, st := range states {
		counts[st.State]++
		if !*pending || !st.Finished() {
			list = append(list, st)
		}
	}
	if *asJSON {
		cells := make([]planCell, 0, len(list))
		for _, st := range list {
			c := planCell{
				Index: st.Index, Key: st.Key, State: st.State, Estimator: st.Spec.String(), Seed: st.Seed,
				Model: st.Workload.Recipe.Model, Dataset: st.Workload.Recipe.Dataset, Recipe: st.Workload.Recipe.Name,
				Lock: st.Lock, Config: st.Config(),
			}
			if st.Record != nil && st.Record.Final != nil {
				c.Top1 = &st.Record.Final.TestTop1
			}
			cells = append(cells, c)
		}
		b, err := json.MarshalIndent(cells, "", "  ")
		if err != nil {
			return err
		}
		if _, err := env.stdout.Write(append(b, '\n')); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "cell\tkey\tstate\testimator\tseed\tmodel\tdataset\trecipe")
		for _, st := range list {
			r := &st.Workload.Recipe
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", st.Index, st.Key, st.State, st.Label(), st.Seed, r.Model, r.Dataset, r.Name)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if !*quiet {
		fmt.Fprintln(env.stderr, planSummary(len(states), counts))
	}
	return nil
}

// planSummary says how many cells are in each state.
func planSummary(n int, counts map[string]int) string {
	var parts []string
	for _, s := range []string{suite.CellDone, suite.CellDiverged, suite.CellRunning, suite.CellResumable, suite.CellPending} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	left := n - counts[suite.CellDone] - counts[suite.CellDiverged]
	tail := fmt.Sprintf("%d without a record", left)
	if left == 0 {
		tail = "nothing pending"
	}
	return fmt.Sprintf("%s: %s; %s", plural(n, "cell"), strings.Join(parts, ", "), tail)
}

// cellFlags are gradbench run's flags that select one cell of the sweep.
type cellFlags struct {
	cell, indexEnv string
}

func (f *cellFlags) define(fs *flag.FlagSet) {
	stringVarOptional(fs, &f.cell, "cell", "every cell is trained", "train only this `cell` of the sweep, an index or a key from gradbench plan, and record it in --out (which other processes may share)")
	stringVarOptional(fs, &f.indexEnv, "index-from-env", "every cell is trained", "train only the cell whose index is in this environment `variable`, such as SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
}

// set reports whether the command line selects one cell.
func (f *cellFlags) set(fs *flag.FlagSet) bool {
	set := false
	fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == "cell" || fl.Name == "index-from-env" })
	return set
}

// find returns the cell the flags select. Its errors name the command
// first, as the command's other flag errors do.
func (f *cellFlags) find(fs *flag.FlagSet, sweep *suite.Sweep) (suite.Cell, error) {
	cellSet, envSet := false, false
	fs.Visit(func(fl *flag.Flag) {
		cellSet = cellSet || fl.Name == "cell"
		envSet = envSet || fl.Name == "index-from-env"
	})
	n := len(sweep.Cells())
	switch {
	case cellSet && envSet:
		return suite.Cell{}, fmt.Errorf("%s: --cell and --index-from-env both select a cell: give one", fs.Name())
	case cellSet:
		if f.cell == "" {
			return suite.Cell{}, fmt.Errorf("%s: --cell is empty: want a cell index 0..%d or a key (gradbench plan lists them)", fs.Name(), n-1)
		}
		return sweep.FindCell(f.cell)
	}
	name := f.indexEnv
	if name == "" || strings.ContainsAny(name, "=$ \t") {
		return suite.Cell{}, fmt.Errorf("%s: --index-from-env %q: want the name of an environment variable, such as SLURM_ARRAY_TASK_ID", fs.Name(), name)
	}
	v, ok := os.LookupEnv(name)
	if !ok {
		return suite.Cell{}, fmt.Errorf("%s: --index-from-env %s: the variable is not set (Slurm array tasks have SLURM_ARRAY_TASK_ID, Kubernetes Indexed Jobs JOB_COMPLETION_INDEX)", fs.Name(), name)
	}
	i, ok := cli.Digits(v)
	if !ok {
		return suite.Cell{}, fmt.Errorf("%s: --index-from-env %s: its value %q is not a cell index (want an integer 0..%d in plain digits)", fs.Name(), name, v, n-1)
	}
	c, err := sweep.CellAt(i)
	if err != nil {
		return suite.Cell{}, fmt.Errorf("%s: --index-from-env %s=%s: %w", fs.Name(), name, v, err) // the value as set: 010 is cell 10
	}
	return c, nil
}

// run trains the selected cell of the sweep into out, unless it has a
// record, and prints one line about it. keepEpochs is gradbench run's
// --keep-epochs, which holds for one cell as for a sweep.
func (f *cellFlags) run(ctx context.Context, env *cmdEnv, flags *flag.FlagSet, sweep *suite.Sweep, out string, quiet, keepEpochs bool) error {
	c, err := f.find(flags, sweep)
	if err != nil {
		return err
	}
	n := len(sweep.Cells())
	name := fmt.Sprintf("cell %d of %d (%s)", c.Index, n, c)
	bar := newCmdProgressBar(env, quiet)
	runner := &suite.Runner{Dir: out, Progress: func(e suite.Event) {
		e.Cells = n
		bar.event(e) // a batch task's log, not a terminal, gets a line per epoch
	}, KeepEpochs: keepEpochs}
	if !quiet {
		runner.DataProgress, runner.DataProgressBar, runner.DataColumns = env.stderr, env.stderrTTY, env.stderrColumns
	}
	rec, err := runner.RunCellLocked(ctx, c, suite.LockConfig{})
	bar.clear()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("%s: %s interrupted; run it again to resume from its last epoch checkpoint", flags.Name(), name)
		}
		return fmt.Errorf("%s: %s: %w", flags.Name(), name, err)
	}
	result := "diverged"
	if rec.Status == suite.StatusOK {
		result = fmt.Sprintf("top-1 %.2f%%", rec.Final.TestTop1)
	}
	kept := ""
	if keepEpochs {
		// As a whole sweep names them (run.go).
		kept = fmt.Sprintf(", and %s of --keep-epochs, %s", plural(keptEpochWeights(out, []*suite.Record{rec}), "epoch weights file"),
			filepath.Join(out, rec.Key+".e<epoch>.weights"))
	}
	_, err = fmt.Fprintf(env.stdout, "%s: %s, recorded in %s%s\n", name, result, suite.RecordPath(out, rec.Key), kept)
	return err
}
