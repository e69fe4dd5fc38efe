// Command bnrecal measures how much of a finished run's test accuracy is
// lost to stale BatchNorm statistics: for each run it evaluates the final
// network on the test split as the run did (evaluation mode, BatchNorm's
// running statistics), then re-estimates those statistics from the first
// batches of the images the run trained on (training-mode forward passes,
// no parameter update, with the layers' momentum) and evaluates again.
// Those images are the ones the run's own training loader drew its
// batches from (suite.TrainImages): its training subset, without the
// validation split that a learning-rate grid's run holds out. The batches
// take them in their order and without augmentation, so they are the
// same on every call. A network whose weights kept
// changing until the end, as Bop's flips do, gathered its running
// statistics from networks it no longer is; re-estimating them shows how
// much that costs.
//
// It reads both splits of each run's dataset (from -data when set, as the
// run read them) and refuses a run whose record says it was trained on
// other data (suite.LoadRun compares the record's digests of both splits
// with those read now), naming the run's record and the split that
// differs. A record written before records kept data digests is measured
// unchecked.
//
// Usage:
//
//	go run ./bench/cmd/bnrecal [-batches N] [-data DIR] [-o FILE] run.json ...
//
// It writes a markdown table, one row per run and a median per
// optimizer and estimator, to FILE (default stdout).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/internal/atomicfile"
	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/suite"
)

func main() {
	cli.Main("bnrecal", func() error { return run(os.Args[1:], os.Stdout) })
}

type row struct {
	key           string // the run's
	opt, est      string
	scale         float64
	seed          uint64
	recorded, now float64
	recal         float64
}

func run(args []string, stdout io.Writer) error {
	fs := cli.FlagSet("bnrecal", "bnrecal [flags] run.json ...", "./bench/cmd/bnrecal", "what it measures")
	batches := cli.Int(fs, "batches", 30, "batches of the images each run trained on (its training subset, less its validation split) to re-estimate BatchNorm's statistics from (> 0, and at most the batches of the run's epoch)")
	dataDir := fs.String("data", "", "dataset `directory`, as the runs read it (default: the places gradbench run searches)")
	out := fs.String("o", "", "write the table to this `file` instead of stdout; name.md, or a name without an extension: another format's, such as .svg or .txt, is refused")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	// -batches as typed, for its refusals ("03", not 3); the default's
	// when it is not given.
	batchesTyped := strconv.Itoa(*batches)
	if t, ok := cli.Typed(fs)["batches"]; ok {
		batchesTyped = t
	}
	if *batches <= 0 {
		return fmt.Errorf("-batches %s: want a number of batches > 0", batchesTyped)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("no runs given: want run records <dir>/<key>.json")
	}
	// An -o that is a run's record (or any run file, or another input)
	// would replace it with the table: refuse it before measuring.
	var inputs []suite.NamedFile
	for _, path := range fs.Args() {
		inputs = append(inputs, suite.NamedFile{Flag: "run", Path: path})
	}
	if err := suite.CheckOutputsOrStdout([]suite.NamedFile{{Flag: "-o", Path: *out}}, inputs); err != nil {
		return err
	}
	// The table is markdown: a name that says another format (table.svg)
	// is refused, as gradbench's outputs are.
	if err := suite.CheckFormat("-o", *out, suite.FormatMarkdown); err != nil {
		return err
	}
	if err := checkOutputDir(*out); err != nil {
		return err
	}
	var rows []row
	given := map[string]string{} // run key -> the argument that named it
	for _, path := range fs.Args() {
		r, err := measure(path, *dataDir, *batches, batchesTyped)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		// A run named twice would count twice in its group's medians.
		if first, ok := given[r.key]; ok {
			return fmt.Errorf("%s: run %s is given twice (first as %s): name each run once", path, r.key, first)
		}
		given[r.key] = path
		rows = append(rows, r)
	}
	write := func(w io.Writer) error { return report(w, rows, *batches) }
	if *out == "" {
		return write(stdout)
	}
	return atomicfile.WriteUmask(*out, 0o666, write)
}

// checkOutputDir refuses an -o whose directory (that of the file a link
// there points to, which the write replaces) may not be written: the
// table is written after every run is measured (minutes for a study's
// runs), and the write would fail only then. (A directory that does not
// exist suite.CheckOutputsOrStdout refuses first.)
func checkOutputDir(out string) error {
	return suite.ProbeOutputFile("-o", out)
}

// measure returns the run's recorded final test top-1, the same measured
// again, and the top-1 after re-estimating BatchNorm's statistics.
// typed is -batches as typed, which a refusal of batches quotes.
func measure(path, dataDir string, batches int, typed string) (row, error) {
	lr, err := suite.LoadRun(context.Background(), path, dataDir)
	if err != nil {
		return row{}, err
	}
	cfg := lr.Record.Config
	// The test split as the run evaluated it, which may be a subset
	// smaller than the training batch.
	test, err := lr.TestLoader()
	if err != nil {
		return row{}, err
	}
	train, err := trainLoader(lr)
	if err != nil {
		return row{}, err
	}
	if batches > train.Batches() {
		// The re-estimation would stop at the end of the epoch, on fewer
		// batches than the table says it used.
		return row{}, fmt.Errorf("-batches %s is more than the %d batches of the run's %d training images in batches of %d: want at most %d", typed, train.Batches(), train.Len(), cfg.Batch, train.Batches())
	}
	now, recal, err := recalibrate(lr.Model.Net, test, train, batches)
	if err != nil {
		return row{}, err
	}
	return row{key: lr.Record.Key, opt: optimizer(cfg.Optimizer), est: cfg.Estimator, scale: cfg.LRScale, seed: cfg.Seed, recorded: lr.Record.Final.TestTop1, now: now, recal: recal}, nil
}

// trainLoader returns the loader of the batches BatchNorm's statistics
// are re-estimated from: the images the run trained on (suite.TrainImages:
// its training subset, without the validation split that a learning-rate
// grid's run holds out), in batches of its batch size, in order and
// without augmentation.
func trainLoader(lr *suite.LoadedRun) (*data.Loader, error) {
	cfg := lr.Record.Config
	c := suite.TrainImages(cfg, lr.Train)
	c.BatchSize = cfg.Batch
	return data.NewLoader(lr.Train, c)
}

// optimizer returns the optimizer of a run's configuration, whose empty
// name (records written before the field) is SGD.
func optimizer(name string) string {
	if name == "" {
		return "sgd"
	}
	return name
}

// recalibrate returns net's top-1 on test as the run evaluated it
// (evaluation mode, BatchNorm's running statistics), then re-estimates
// those statistics from train's first batches (training-mode forward
// passes) and returns the top-1 on test again.
func recalibrate(net nn.Layer, test, train *data.Loader, batches int) (now, recal float64, err error) {
	if now, err = top1(net, test, false, 0); err != nil {
		return 0, 0, err
	}
	if _, err := top1(net, train, true, batches); err != nil {
		return 0, 0, err
	}
	if recal, err = top1(net, test, false, 0); err != nil {
		return 0, 0, err
	}
	return now, recal, nil
}

// top1 runs the network over the loader's first epoch (its first max
// batches if max > 0) in training or evaluation mode and returns the
// top-1 accuracy in percent.
func top1(net nn.Layer, l *data.Loader, training bool, max int) (float64, error) {
	nn.SetTraining(net, training)
	defer nn.SetTraining(net, true)
	it := l.Epoch(context.Background(), 0)
	defer it.Close()
	var x nn.Tensor
	var labels []int
	correct, n, nb := 0, 0, 0
	for (max == 0 || nb < max) && it.Next() {
		b := it.Batch()
		x = nn.Tensor{N: b.N, C: b.C, H: b.H, W: b.W, Data: b.X}
		labels = labels[:0]
		for _, y := range b.Y {
			labels = append(labels, int(y))
		}
		correct += nn.Correct(net.Forward(&x), labels)
		n += b.N
		nb++
	}
	if err := it.Err(); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, fmt.Errorf("no images")
	}
	return 100 * float64(correct) / float64(n), nil
}

func report(w io.Writer, rows []row, batches int) error {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.opt != b.opt {
			return a.opt < b.opt
		}
		if a.est != b.est {
			return a.est < b.est
		}
		if a.scale != b.scale {
			return a.scale < b.scale
		}
		return a.seed < b.seed
	})
	fmt.Fprintf(w, "Final test top-1 (%%) as recorded, measured again, and after re-estimating BatchNorm's running statistics from %d training batches of the images each run trained on (its training subset, without the validation split a learning-rate grid's run holds out).\n\n", batches)
	fmt.Fprintln(w, "| optimizer | estimator | runs | median recorded | median after re-estimation | median change | smallest change | largest change |")
	fmt.Fprintln(w, "|:--|:--|--:|--:|--:|--:|--:|--:|")
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].opt == rows[i].opt && rows[j].est == rows[i].est {
			j++
		}
		var rec, after, diff []float64
		for _, r := range rows[i:j] {
			rec = append(rec, r.recorded)
			after = append(after, r.recal)
			diff = append(diff, r.recal-r.now)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %.2f | %.2f | %+.2f | %+.2f | %+.2f |\n", rows[i].opt, rows[i].est, j-i, median(rec), median(after), median(diff), slices.Min(diff), slices.Max(diff))
		i = j
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| optimizer | estimator | lr × | seed | recorded | measured again | after re-estimation |")
	fmt.Fprintln(w, "|:--|:--|--:|--:|--:|--:|--:|")
	noGrid := false
	for _, r := range rows {
		// A run without a learning-rate grid has no multiplier (its
		// record's lr_scale is 0): it trained at the recipe's rate, not
		// at ×0.
		scale := "–"
		if r.scale != 0 {
			scale = strconv.FormatFloat(r.scale, 'g', -1, 64)
		} else {
			noGrid = true
		}
		fmt.Fprintf(w, "| %s | %s | %s | %d | %.2f | %.2f | %.2f |\n", r.opt, r.est, scale, r.seed, r.recorded, r.now, r.recal)
	}
	if noGrid {
		fmt.Fprintln(w, "\nlr ×: the multiplier of the recipe's learning rate a learning-rate grid's run trained at; – for a run without a grid, which trained at the recipe's.")
	}
	return nil
}

// median returns the median of xs (the mean of the middle two for an even
// count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
