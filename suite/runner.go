package suite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/gemm"
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

// checkRecordData refuses rec, the record of cell c found in the runs
// directory dir, when it was trained on other data than the splits the cell
// loads now: other files in place of the ones it read (the training and
// test files swapped, a pixel changed, files cut down for a trial and
// then the real ones), which its key, made of the configuration alone,
// does not tell apart. A record without data digests (written before
// gradbench kept them) is reused unchecked, as it was, without loading
// the data.
func (r *Runner) checkRecordData(ctx context.Context, dir string, c Cell, rec *Record) error {
	if rec.Data == nil {
		return nil
	}
	p, err := r.load(ctx, c.Workload)
	if err != nil {
		return err
	}
	if d := rec.Data.differs(p.digest()); d != "" {
		return fmt.Errorf("suite: record %s of %s was trained on other data than the %s files read now: its %s; delete it to retrain the run on these files, or give the files it was trained on",
			RecordPath(dir, rec.Key), c, c.Workload.Recipe.Dataset, d)
	}
	return nil
}

// checkRecordsData refuses the first of cells whose record the runs
// directory dir holds and that was trained on other data than the splits
// loaded now (checkRecordData). Records without data digests, and those
// that do not read (reported when the cell is run), are left as they are.
func (r *Runner) checkRecordsData(ctx context.Context, dir string, cells []Cell) error {
	for _, c := range cells {
		if rec, err := ReadRecord(dir, c.Key()); err == nil {
			if err := r.checkRecordData(ctx, dir, c, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkDirData refuses a runs directory dir that holds a record of w's
// dataset trained on other data than the splits loaded now, of any cell,
// this sweep's or another's: the sweep ends by writing every record of dir
// as benchmark lines (WriteSweepOutputs), which refuses records of one
// dataset and other data (checkSameData), so without this check the
// sweep would be refused only once trained. A record that does not read
// is refused here too, for the same reason.
func (r *Runner) checkDirData(ctx context.Context, dir string, w *Workload) error {
	recs, err := ReadRecords(dir)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if rec.Data == nil || rec.Config.Dataset != w.Recipe.Dataset {
			continue
		}
		p, err := r.load(ctx, w)
		if err != nil {
			return err
		}
		if d := rec.Data.differs(p.digest()); d != "" {
			return fmt.Errorf("suite: %s holds record %s (%s seed %d) of %s, trained on other data than the files read now: its %s; this sweep's bench.txt would set it beside the new runs as runs on the same images: delete or move it, or give --out a directory of its own",
				dir, rec.Key, rec.Config.Estimator, rec.Config.Seed, w.Recipe.Dataset, d)
		}
	}
	return nil
}

// CheckData refuses, as Run does before it estimates or trains anything,
// a sweep whose runs directory r.Dir holds a record trained on other data
// than the splits loaded now: one of the sweep's cells (checkRecordsData),
// or any record of its dataset (checkDirData). It loads the sweep's data
// only when r.Dir holds a record of its dataset with data digests, and
// writes nothing: gradbench plan --check-data checks with it what plan,
// which loads no data, would otherwise list as done, and Slurm refuses
// with it what the array's table job would refuse once trained. A runs
// directory that does not exist yet holds no record.
func (r *Runner) CheckData(ctx context.Context, s *Sweep) error {
	if err := checkRunsDir(r.Dir); err != nil {
		return err
	}
	return r.checkData(ctx, r.Dir, s)
}

// checkData is CheckData for the runs directory dir (gradbench slurm's
// --out, which is not the runner's Dir).
func (r *Runner) checkData(ctx context.Context, dir string, s *Sweep) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err := r.checkRecordsData(ctx, dir, s.Cells()); err != nil {
		return err
	}
	return r.checkDirData(ctx, dir, &s.Workload)
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
	// found finished count as done), for an ETA.
	Done, Total int
	// Record is the finished run (EventCellDone, EventCached).
	Record *Record
	// Note explains an EventNote, such as a discarded checkpoint.
	Note string
}

// EventKind says what an Event reports.
type EventKind int

const (
	EventStep     EventKind = iota // a training step finished
	EventEval                      // evaluation of an epoch started
	EventEpoch                     // an epoch finished (checkpoint written)
	EventCellDone                  // a run finished and was recorded
	EventCached                    // a cell's record already existed
	EventResumed                   // a cell resumed from its checkpoint at Epoch
	EventNote                      // a notice for the user, in Note
)

// CheckpointPath returns where the checkpoint of the run with that key
// lives.
func CheckpointPath(dir, key string) string { return runFile("CheckpointPath", dir, key, ".ckpt") }

// WeightsPath returns where the final weights of the finished run with that
// key live: a checkpoint of the network alone (no optimizer state), which
// gradbench export packs into a binary model file. A diverged run has
// none (see saveFinalWeights).
func WeightsPath(dir, key string) string { return runFile("WeightsPath", dir, key, ".weights") }

// saveFinalWeights writes the final weights net of run key, whose record
// is rec, before the record is written: a record with status ok always has
// them. A diverged run keeps none. Its network is the one the non-finite
// loss came from, trained into the epoch it diverged in (its weights
// perhaps NaN): not the network after its last finished epoch, which a
// weights file labelled with the epochs it recorded would claim to hold.
// A file left at their path (a build before this one wrote one for
// diverged runs too) is removed, so that none says otherwise. The weights
// after its finished epochs are those KeepEpochs keeps (EpochWeightsPath).
func saveFinalWeights(dir, key string, rec *Record, net nn.Layer) error {
	path := WeightsPath(dir, key)
	if rec.Status == StatusDiverged {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return wrapErr("suite", err)
		}
		return nil
	}
	return saveWeights(path, key, len(rec.Epochs), net)
}

// removeEarlierWeights removes the weights files of cell c that an
// earlier attempt of the run left and the run, about to train from epoch
// start, does not continue: its final weights <key>.weights, and its
// weights after any epoch past start (all of them when it starts from
// scratch, its checkpoint missing or discarded). They carry the run's key
// and epoch, all that loadWeights checks, so that export and fidelity
// would take another trajectory's network (a build whose initial weights
// differed, an attempt on other kernels) for this run's. The weights after
// epochs 1..start belong to the trajectory the run resumes.
func (r *Runner) removeEarlierWeights(c Cell, start int) error {
	key := c.Key()
	paths := []string{WeightsPath(r.Dir, key)}
	// Listed, not globbed: the directory's name may hold a glob's
	// metacharacters.
	ents, err := os.ReadDir(r.Dir)
	if err != nil {
		return wrapErr("suite", err)
	}
	for _, ent := range ents {
		if m := epochWeightsRE.FindStringSubmatch(ent.Name()); m != nil && m[1] == key {
			if e, err := strconv.Atoi(m[2]); err != nil || e > start {
				paths = append(paths, filepath.Join(r.Dir, ent.Name()))
			}
		}
	}
	var removed []string
	for _, p := range paths {
		err := os.Remove(p)
		switch {
		case err == nil:
			removed = append(removed, filepath.Base(p))
		case !errors.Is(err, fs.ErrNotExist):
			return wrapErr("suite", err)
		}
	}
	if len(removed) > 0 {
		from := "trains from scratch"
		if start > 0 {
			from = "resumes after " + epochsText(start)
		}
		r.emit(Event{Kind: EventNote, Cell: c, Note: fmt.Sprintf("%s: removing the weights an earlier attempt left, which this run, as it %s, would not write: %s", c, from, strings.Join(removed, ", "))})
	}
	return nil
}

// removeDoneCheckpoint removes the checkpoint of cell c, which has a
// record: a process killed between writing the record and removing the
// checkpoint leaves it, and nothing reads it again (a finished run is
// never trained again), so that it would stay for good, as large as the
// network and its optimizer's state. While a live process holds the
// cell's lock (lc tunes when a lock is stale), the checkpoint is left to
// it: it has just written the record, and removes the checkpoint next.
func (r *Runner) removeDoneCheckpoint(c Cell, lc LockConfig) {
	path := CheckpointPath(r.Dir, c.Key())
	if _, err := os.Stat(path); err != nil {
		return
	}
	if l, err := ReadLock(r.Dir, c.Key()); err == nil && !l.Stale(lc, time.Now()) {
		return
	}
	if os.Remove(path) == nil {
		r.emit(Event{Kind: EventNote, Cell: c, Note: fmt.Sprintf("%s: removed the epoch checkpoint its finished run left (the process that recorded it was stopped before it could)", c)})
	}
}

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
	if err := r.Prepare(ctx, &s.Workload); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return nil, wrapErr("suite", err)
	}
	// A record of other data is refused before anything is trained or
	// estimated: the estimate would count it as done, and cells before it
	// would be trained only for the sweep to stop at it.
	if err := r.CheckData(ctx, s); err != nil {
		return nil, err
	}
	if r.Progress != nil {
		est, err := r.Estimate(ctx, s)
		if err != nil {
			return nil, err
		}
		r.emit(Event{Kind: EventNote, Cells: len(cells), Note: est.String()})
	}
	p, _ := r.load(ctx, &s.Workload)
	steps := stepsPerEpoch(cells[0], p.train) * s.Workload.Recipe.Epochs
	total := len(cells) * steps
	done := 0
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
	total := c.Workload.Recipe.Epochs * stepsPerEpoch(c, p.train)
	done := 0
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
// and its workload with Prepare), then creates the runs directory.
func (r *Runner) prepareCell(ctx context.Context, c Cell) error {
	if err := checkCellSpec(c); err != nil {
		return err
	}
	if err := r.Prepare(ctx, c.Workload); err != nil {
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
		return fmt.Errorf("suite: estimator %s: %w", c.Spec, err)
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

func (r *Runner) runCell(ctx context.Context, c Cell, cells int, done *int, total int) (*Record, error) {
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
		*done += c.Workload.Recipe.Epochs * steps
		r.removeDoneCheckpoint(c, r.Lock)
		r.emit(Event{Kind: EventCached, Cell: c, Cells: cells, Record: rec, Done: *done, Total: total})
		return rec, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ru, err := r.newRun(c, p, cells, done, total)
	if err != nil {
		return nil, err
	}
	defer ru.close()
	start := ru.resume()
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
	*done += start * steps
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
