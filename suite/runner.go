package suite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/atomicfile"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/nn/checkpoint"
)

func init() { gemmName = gemm.Impl }

// A Runner trains the cells of sweeps into a runs directory: it skips
// cells whose record exists, resumes cells from their last epoch
// checkpoint, and records each finished run.
type Runner struct {
	// Dir is the runs directory: records <key>.json, checkpoints
	// <key>.ckpt and final weights <key>.weights (WeightsPath). Run
	// creates it.
	Dir string
	// Progress, if not nil, receives progress events from the goroutine
	// that called Run or RunCell.
	Progress func(Event)
	// DataProgress, if not nil, receives the progress of dataset downloads
	// and decoding; with DataProgressBar (a terminal) as a status line
	// redrawn in place.
	DataProgress    io.Writer
	DataProgressBar bool
	// DataColumns, if not nil, returns the width of that terminal
	// (data.Options.Columns).
	DataColumns func() int
	// Lock tunes the cell locks Run takes (zero values: the defaults).
	Lock LockConfig
	// KeepEpochs keeps the weights after every epoch but the last as
	// <key>.e<epoch>.weights (EpochWeightsPath) besides the final
	// <key>.weights (which a diverged run has not; it keeps those of the
	// epochs before the one it diverged in), so that gradbench fidelity can measure the states
	// along the run's trajectory. It is not part of any run key. A cell
	// done or to resume without those of the epochs already trained, or
	// one that another live process trains now without KeepEpochs (its
	// lock says so), is refused (checkKeepEpochs): running it again would
	// not make them.
	KeepEpochs bool
	// NoDiagnostics leaves the training diagnostics (Epoch.Diagnostics)
	// out of the records. They never change what a run trains; this is for
	// measuring their cost. It is not part of any run key.
	NoDiagnostics bool

	datasets map[string]*datasetPair
}

// A datasetPair is a workload's two splits as loaded, and their digests
// once asked for.
type datasetPair struct {
	train, test *data.Dataset
	digests     *DataDigest
}

// digest returns the digests of the pair's splits (Record.Data),
// computed the first time it is asked: once per process for each dataset
// Runner.load keeps.
func (p *datasetPair) digest() *DataDigest {
	if p.digests == nil {
		p.digests = digestOf(p.train, p.test)
	}
	return p.digests
}

// Event reports the progress of a sweep.
type Event struct {
	Kind  EventKind
	Cell  Cell
	Cells int // cells in the sweep
	// Epoch (0-based) and Epochs; Step (0-based) and Steps per epoch.
	Epoch, Epochs int
	Step, Steps   int
	// Loss is the mean training loss of the epoch so far and
	// ImagesPerSec the epoch's training throughput so far.
	Loss         float64
	ImagesPerSec float64
	// Done and Total count the training steps of the whole sweep (cells
	// found finished count as done), for an ETA. They are int64 on every
	// build: a sweep's steps, cells × epochs × steps per epoch, can pass
	// a 32-bit int where each run's own count fits in one.
	Done, Total int64
	// Record is the finished run (EventCellDone, EventCached).
	Record *Record
	// Result is the finished epoch (EventEpoch) as the run's record
	// holds it: its training loss and its test (and validation) accuracy,
	// for a log that shows the run's progress epoch by epoch.
	Result *Epoch
	// Note explains an EventNote, such as a discarded checkpoint.
	Note string
}

// EventKind says what an Event reports.
type EventKind int

const (
	EventStep     EventKind = iota // a training step finished
	EventEval                      // evaluation of an epoch started
	EventEpoch                     // an epoch finished (checkpoint written), in Result
	EventCellDone                  // a run finished and was recorded
	EventCached                    // a cell's record already existed
	EventResumed                   // a cell resumed from its checkpoint at Epoch
	EventNote                      // a notice for the user, in Note
)

// Prepare loads the workload's datasets and builds its model once, to
// check that they exist and fit together. It writes nothing under Dir, so a
// command can validate all of its input before it creates any directory
// (a dataset found nowhere is downloaded into the user cache, see
// data.Open).
func (r *Runner) Prepare(ctx context.Context, w *Workload) error {
	if err := w.Validate(); err != nil {
		return err
	}
	p, err := r.load(ctx, w)
	if err != nil {
		return err
	}
	if err := checkSizes(&w.Recipe, p.train.N, p.test.N); err != nil {
		return err
	}
	ste := estimators.MustParse("ste")
	cfg := w.config()
	cfg.Estimator = ste.String()
	_, err = cfg.modelConfig(p.train).build(ste, 1)
	return err
}

// checkRunsDir refuses an empty runs directory name, which would put
// records in the working directory or fail with a puzzling message.
func checkRunsDir(dir string) error {
	if dir == "" {
		return errors.New(`suite: the runs directory is "" (--out ""): want a directory name, such as results/runs`)
	}
	if err := CheckOutputDir("--out", dir); err != nil {
		return fmt.Errorf("suite: %w", err)
	}
	return nil
}

// checkRunFiles refuses, before the run of key trains, a name of its
// epoch checkpoint or final weights that it could not write when it gets
// there: a directory, a loop of links, a device. Training would go on
// until the first epoch's checkpoint, or to the end of the run, and lose
// what it trained. With keepEpochs it refuses so too the names of the
// weights KeepEpochs keeps after each of its epochs but the last
// (EpochWeightsPath), rather than have removeEarlierWeights fail on a
// directory there with a bare error, or delete an empty one or a loop of
// links, as it does what an earlier attempt left.
func checkRunFiles(dir, key string, keepEpochs bool, epochs int) error {
	paths := []string{CheckpointPath(dir, key), WeightsPath(dir, key)}
	for e := 1; keepEpochs && e < epochs; e++ {
		paths = append(paths, EpochWeightsPath(dir, key, e))
	}
	for _, p := range paths {
		if err := checkRunFile(p); err != nil {
			return err
		}
	}
	return nil
}

// checkRunFile refuses path, a file of a run about to train, if the run
// could not write it (checkRunFiles) or should not remove it
// (removeEarlierWeights): a directory, a loop of links, a device.
func checkRunFile(path string) error {
	why := ""
	if t, err := atomicfile.Target(path); err != nil {
		why = err.Error()
	} else {
		why = atomicfile.Refusal(t)
	}
	if why != "" {
		return fmt.Errorf("suite: %s cannot be written: %s; remove it or move it out of the runs directory (nothing was trained)", path, why)
	}
	return nil
}

// probeWritable checks, before the run of key trains, that dir takes a
// file of size bytes (an epoch checkpoint's), so that a read-only or full
// runs directory is found now and not after the first epoch's training.
// The file is named as the cell's temporary files are (cellTemp), so that
// one a killed process left, as large as a checkpoint, is removed when
// the cell is next locked (removeStaleTemps).
func probeWritable(dir, key string, size int) error {
	fail := func(err error) error {
		return fmt.Errorf("suite: the runs directory %s cannot take an epoch checkpoint (%d bytes): %w; nothing was trained", dir, size, err)
	}
	f, err := os.CreateTemp(dir, cellTemp(key, "write-probe"))
	if err != nil {
		return fail(err)
	}
	defer os.Remove(f.Name())
	buf := make([]byte, min(size, 1<<20))
	for left := size; left > 0 && err == nil; left -= len(buf) {
		_, err = f.Write(buf[:min(left, len(buf))])
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err)
	}
	return nil
}

// checkSubsets refuses a subset larger than its split (of train and test
// images): it would train or evaluate on the whole split under a key, and
// a table heading, that say otherwise; and a subset of the whole split,
// the same data as subset 0 under another key. Runner.Prepare checks it on the
// splits it loads, Sweep.Check on the sizes known without loading
// (data.KnownSize), so that plan refuses what run and slurm refuse.
func checkSubsets(r *Recipe, train, test int) error {
	for _, s := range []struct {
		key   string
		n     int
		split data.Split
		size  int
	}{{"train_subset", r.TrainSubset, data.Train, train}, {"test_subset", r.TestSubset, data.Test, test}} {
		switch {
		case s.n > s.size:
			return fmt.Errorf("suite: recipe %s: %s %d is more than the %d images of the %s split of %s: give fewer than %d, or 0 for the whole split",
				r.Name, s.key, s.n, s.size, s.split, r.Dataset, s.size)
		case s.n == s.size:
			return fmt.Errorf("suite: recipe %s: %s %d is the whole %s split of %s: give 0 for the whole split (a subset of every image is the same data, and would give its runs a key, and a table, of their own)",
				r.Name, s.key, s.n, s.split, r.Dataset)
		}
	}
	return nil
}

// checkSizes is what Prepare checks of the recipe against the dataset's
// sizes: its subsets and its batch.
func checkSizes(r *Recipe, train, test int) error {
	if err := checkSubsets(r, train, test); err != nil {
		return err
	}
	return checkBatch(r, 0, train)
}

func (r *Runner) load(ctx context.Context, w *Workload) (*datasetPair, error) {
	k := w.Recipe.Dataset + "\x00" + w.DataDir
	if p := r.datasets[k]; p != nil {
		return p, nil
	}
	train, test, err := r.openDataset(ctx, w.Recipe.Dataset, w.DataDir)
	if err != nil {
		return nil, err
	}
	if r.datasets == nil {
		r.datasets = map[string]*datasetPair{}
	}
	p := &datasetPair{train: train, test: test}
	r.datasets[k] = p
	return p, nil
}

// Run trains every cell of the sweep that has no record yet, in order,
// and returns the records of all cells in cell order, each labelled with
// the sweep's recipe name (see sweepLabel). A diverged run is
// recorded and the sweep goes on. Run takes each cell's lock as
// RunCellLocked does, so two processes running the same sweep into one
// directory never train a cell twice: a cell that another live process is
// training is left for last and then waited for (its record is that
// process's), or taken over if that process ends without one. When ctx is
// cancelled, Run returns its error and the records finished so far;
// finished runs are recorded and the running one keeps its last epoch
// checkpoint, so running the sweep again resumes it. A record of the
// sweep trained on other data than the files read now (checkRecordData)
// is refused before any cell is estimated or trained.
func (r *Runner) Run(ctx context.Context, s *Sweep) ([]*Record, error) {
	if err := checkRunsDir(r.Dir); err != nil {
		return nil, err
	}
	if err := s.checkSpecs(); err != nil {
		return nil, err
	}
	cells := s.Cells()
	if err := r.checkKeepEpochs(ctx, cells); err != nil {
		return nil, err
	}
	// What needs the data, checked as gradbench plan --check-data checks
	// it. A record of other data is refused before anything is trained
	// or estimated: the estimate would count it as done, and cells before
	// it would be trained only for the sweep to stop at it.
	if err := r.CheckSweep(ctx, s); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return nil, wrapErr("suite", err)
	}
	if r.Progress != nil {
		est, err := r.Estimate(ctx, s)
		if err != nil {
			return nil, err
		}
		r.emit(Event{Kind: EventNote, Cells: len(cells), Note: est.String()})
		if note := r.otherCheckpointsNote(cells); note != "" {
			r.emit(Event{Kind: EventNote, Cells: len(cells), Note: note})
		}
	}
	p, _ := r.load(ctx, &s.Workload)
	steps := int64(stepsPerEpoch(cells[0], p.train)) * int64(s.Workload.Recipe.Epochs)
	total := int64(len(cells)) * steps
	var done int64
	recs := make([]*Record, len(cells))
	finished := func() []*Record {
		var out []*Record
		for _, rec := range recs {
			if rec != nil {
				out = append(out, rec)
			}
		}
		return out
	}
	var busy []Cell
	for _, wait := range []bool{false, true} {
		todo := cells
		if wait {
			todo, busy = busy, nil
		}
		for _, c := range todo {
			cached := func(rec *Record) {
				done += steps
				r.removeDoneCheckpoint(c, r.Lock)
				r.emit(Event{Kind: EventCached, Cell: c, Cells: len(cells), Record: rec, Done: done, Total: total})
			}
			train := func() (*Record, error) { return r.runCell(ctx, c, len(cells), &done, total) }
			rec, isBusy, err := r.runLocked(ctx, c, r.Lock, wait, train, cached)
			if err != nil {
				return finished(), err
			}
			if isBusy {
				busy = append(busy, c)
				continue
			}
			recs[c.Index] = sweepLabel(rec, c.Workload.Recipe.Name)
		}
	}
	return recs, nil
}

// CheckSweep refuses, with Run's message, what Run refuses of sweep s
// once it has loaded the data and before it estimates or trains anything:
// a workload the data cannot hold (Prepare), training batches that leave
// a BatchNorm layer of the network fewer than two values per channel
// (checkNormBatch), and a record in r.Dir trained on other data than the
// files read now (CheckData). It loads the sweep's data and writes
// nothing: gradbench plan --check-data checks with it what plan, which
// loads no data, cannot know.
func (r *Runner) CheckSweep(ctx context.Context, s *Sweep) error {
	if err := checkRunsDir(r.Dir); err != nil {
		return err
	}
	if err := r.Prepare(ctx, &s.Workload); err != nil {
		return err
	}
	if err := r.checkNormBatches(ctx, s.Cells()); err != nil {
		return err
	}
	return r.CheckData(ctx, s)
}

// sweepLabel returns rec labelled with the recipe name of the sweep that
// asked for it: a record trained by another recipe with the same values
// (the name is not part of a key) keeps that recipe's name in its file,
// but the sweep's tables and the curves files it names before it trains
// (Sweep.OutputFiles) go by its own recipe, as gradbench plan lists it.
// rec itself is not changed: it is a copy that is relabelled.
func sweepLabel(rec *Record, recipe string) *Record {
	if rec == nil || rec.Recipe == recipe {
		return rec
	}
	cp := *rec
	cp.Recipe = recipe
	return &cp
}

// RunCell trains one cell (or returns its existing record): what a batch
// system's array task runs. Several processes may run cells of one sweep
// in the same directory; records and checkpoints are replaced atomically.
func (r *Runner) RunCell(ctx context.Context, c Cell) (*Record, error) {
	if err := r.checkCellDir(ctx, c); err != nil {
		return nil, err
	}
	if err := r.prepareCell(ctx, c); err != nil {
		return nil, err
	}
	p, _ := r.load(ctx, c.Workload)
	total := int64(c.Workload.Recipe.Epochs) * int64(stepsPerEpoch(c, p.train))
	var done int64
	return r.runCell(ctx, c, 1, &done, total)
}

// checkCellDir checks, for RunCell and RunCellLocked, the runs directory
// and what --keep-epochs needs of the cell's files (checkKeepEpochs).
func (r *Runner) checkCellDir(ctx context.Context, c Cell) error {
	if err := checkRunsDir(r.Dir); err != nil {
		return err
	}
	return r.checkKeepEpochs(ctx, []Cell{c})
}

// prepareCell checks cell c's input before anything is created (its spec,
// its workload with Prepare, and its training batches against the
// model's BatchNorm layers), then creates the runs directory.
func (r *Runner) prepareCell(ctx context.Context, c Cell) error {
	if err := checkCellSpec(c); err != nil {
		return err
	}
	if err := r.Prepare(ctx, c.Workload); err != nil {
		return err
	}
	if err := r.checkNormBatches(ctx, []Cell{c}); err != nil {
		return err
	}
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return wrapErr("suite", err)
	}
	return nil
}

// checkCellSpec checks, as Sweep.Check does for a sweep's, that the
// cell's spec makes binary layers whose estimators accept the progress of
// each of the cell's epochs, so that a cell run alone is refused before it
// creates anything rather than failing at the epoch whose p its formula
// cannot take.
func checkCellSpec(c Cell) error {
	if err := (nn.Binary{Estimator: c.Spec}).CheckEpochs(c.Workload.Recipe.Epochs); err != nil {
		return fmt.Errorf("suite: estimator %s: %w", c.Spec.Typed(), err)
	}
	return nil
}

func stepsPerEpoch(c Cell, train *data.Dataset) int {
	n := train.N - holdoutSize(c.Config().Validation, train)
	if s := c.Workload.Recipe.TrainSubset; s > 0 && s < n {
		n = s
	}
	return (n + c.Workload.Recipe.Batch - 1) / c.Workload.Recipe.Batch
}

func (r *Runner) emit(e Event) {
	if r.Progress != nil {
		r.Progress(e)
	}
}

func (r *Runner) runCell(ctx context.Context, c Cell, cells int, done *int64, total int64) (*Record, error) {
	cfg := c.Config()
	key := cfg.Key()
	p, err := r.load(ctx, c.Workload)
	if err != nil {
		return nil, err
	}
	steps := stepsPerEpoch(c, p.train)
	if rec, err := ReadRecord(r.Dir, key); err == nil {
		if err := r.checkRecordData(ctx, r.Dir, c, rec); err != nil {
			return nil, err
		}
		*done += int64(c.Workload.Recipe.Epochs) * int64(steps)
		r.removeDoneCheckpoint(c, r.Lock)
		r.emit(Event{Kind: EventCached, Cell: c, Cells: cells, Record: rec, Done: *done, Total: total})
		return rec, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := checkRunFiles(r.Dir, key, r.KeepEpochs, cfg.Epochs); err != nil {
		return nil, err
	}
	ru, err := r.newRun(c, p, cells, done, total)
	if err != nil {
		return nil, err
	}
	defer ru.close()
	start, err := ru.resume()
	if err != nil {
		return nil, err
	}
	if err := r.removeEarlierWeights(c, start); err != nil {
		return nil, err
	}
	if r.KeepEpochs {
		// A checkpoint another process wrote since the runner checked.
		if m := missingEpochWeights(r.Dir, key, start, cfg.Epochs); len(m) > 0 {
			return nil, keptEpochsError(r.Dir, []keptEpochsGap{{cell: c, how: "resumes after " + epochsText(start), missing: m}})
		}
	}
	probe, err := checkpoint.Marshal(&checkpoint.State{Net: ru.model.Net, Opt: ru.opt})
	if err != nil {
		return nil, wrapErr("suite", err)
	}
	if err := probeWritable(r.Dir, key, len(probe)); err != nil {
		return nil, err
	}
	*done += int64(start) * int64(steps)
	rec, err := ru.loop(ctx, start)
	if err != nil {
		return nil, err
	}
	if err := saveFinalWeights(r.Dir, key, rec, ru.model.Net); err != nil {
		return nil, err
	}
	if err := WriteRecord(r.Dir, rec); err != nil {
		return nil, err
	}
	os.Remove(CheckpointPath(r.Dir, key))
	r.emit(Event{Kind: EventCellDone, Cell: c, Cells: cells, Record: rec, Epoch: len(rec.Epochs), Epochs: cfg.Epochs, Done: *done, Total: total})
	return rec, nil
}
