package suite

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/nn/checkpoint"
)

func init() { gemmName = gemm.Impl }

// A Runner trains the cells of sweeps into a runs directory: it skips
// cells whose record exists, resumes cells from their last epoch
// checkpoint, and records each finished run.
type Runner struct {
	// Dir is the runs directory: records <key>.json and checkpoints
	// <key>.ckpt. Run creates it.
	Dir string
	// Progress, if not nil, receives progress events from the goroutine
	// that called Run or RunCell.
	Progress func(Event)
	// DataProgress, if not nil, receives the progress of dataset downloads
	// and decoding; with DataProgressBar (a terminal) as a status line
	// redrawn in place.
	DataProgress    io.Writer
	DataProgressBar bool

	datasets map[string]*datasetPair
}

type datasetPair struct{ train, test *data.Dataset }

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
func CheckpointPath(dir, key string) string { return filepath.Join(dir, key+".ckpt") }

// WeightsPath returns where the final weights of the finished run with that
// key live: a checkpoint of the network alone (no optimizer state), which
// gradbench export packs into a binary model file.
func WeightsPath(dir, key string) string { return filepath.Join(dir, key+".weights") }

// Prepare loads the workload's datasets and builds its model once, to
// check that they exist and fit together. It writes nothing under Dir, so a
// command can validate all of its input before it creates any directory
// (a dataset found nowhere is downloaded into the user cache, see
// data.Open).
func (r *Runner) Prepare(ctx context.Context, w *Workload) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if err := models.Check(w.Recipe.Model); err != nil {
		return err
	}
	p, err := r.load(ctx, w)
	if err != nil {
		return err
	}
	_, err = buildModel(w, p.train, nn.Binary{Estimator: estimators.MustParse("ste")}, 1)
	return err
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
	p := &datasetPair{train, test}
	r.datasets[k] = p
	return p, nil
}

func buildModel(w *Workload, train *data.Dataset, bin nn.Binary, seed uint64) (*models.Model, error) {
	c, h, wd := train.BatchShape()
	return models.Build(w.Recipe.Model, models.Config{
		C: c, H: h, W: wd, Classes: train.Classes, Width: w.Recipe.Width, Binary: bin,
	}, nn.NewInit(seed))
}

// Run trains every cell of the sweep that has no record yet, in order,
// and returns the records of all cells in cell order. A diverged run is
// recorded and the sweep goes on. When ctx is cancelled, Run returns its
// error; finished runs are recorded and the running one keeps its last
// epoch checkpoint, so running the sweep again resumes it.
func (r *Runner) Run(ctx context.Context, s *Sweep) ([]*Record, error) {
	cells := s.Cells()
	if err := r.Prepare(ctx, &s.Workload); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("suite: %w", err)
	}
	p, _ := r.load(ctx, &s.Workload)
	steps := stepsPerEpoch(&s.Workload, p.train)
	total := len(cells) * s.Workload.Recipe.Epochs * steps
	done := 0
	recs := make([]*Record, len(cells))
	for i, c := range cells {
		rec, err := r.runCell(ctx, c, len(cells), &done, total)
		if err != nil {
			return recs[:i], err
		}
		recs[i] = rec
	}
	return recs, nil
}

// RunCell trains one cell (or returns its existing record): what a batch
// system's array task runs. Several processes may run cells of one sweep
// in the same directory; records and checkpoints are replaced atomically.
func (r *Runner) RunCell(ctx context.Context, c Cell) (*Record, error) {
	if err := r.Prepare(ctx, c.Workload); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("suite: %w", err)
	}
	p, _ := r.load(ctx, c.Workload)
	total := c.Workload.Recipe.Epochs * stepsPerEpoch(c.Workload, p.train)
	done := 0
	return r.runCell(ctx, c, 1, &done, total)
}

func stepsPerEpoch(w *Workload, train *data.Dataset) int {
	n := train.N
	if s := w.Recipe.TrainSubset; s > 0 && s < n {
		n = s
	}
	return (n + w.Recipe.Batch - 1) / w.Recipe.Batch
}

func (r *Runner) emit(e Event) {
	if r.Progress != nil {
		r.Progress(e)
	}
}

// progressState is what a checkpoint carries besides the network and the
// optimizer: the record so far.
type progressState struct {
	Key        string    `json:"key"`
	Epochs     []Epoch   `json:"epochs"`
	Started    time.Time `json:"started"`
	Resumes    int       `json:"resumes"`
	InitHash   string    `json:"init_hash"`
	DataHashes []string  `json:"data_hashes"`
}

// run is one cell's training state.
type run struct {
	r       *Runner
	cell    Cell
	cfg     Config
	rec     *Record
	model   *models.Model
	opt     nn.Optimizer
	sched   nn.Schedule
	train   *data.Loader
	test    *data.Loader
	ce      nn.SoftmaxCrossEntropy
	classes int
	labels  []int
	x       nn.Tensor
	binW    []*nn.Param            // latent weights of the binary layers
	binQ    []estimators.Estimator // the estimators that binarize them
	signs   []bool                 // their binary codes at the start of the epoch, true for +1
	codes   []float32              // scratch for one layer's codes
	cells   int
	done    *int
	total   int
}

func (r *Runner) runCell(ctx context.Context, c Cell, cells int, done *int, total int) (*Record, error) {
	cfg := c.Config()
	key := cfg.Key()
	p, err := r.load(ctx, c.Workload)
	if err != nil {
		return nil, err
	}
	steps := stepsPerEpoch(c.Workload, p.train)
	if rec, err := ReadRecord(r.Dir, key); err == nil {
		*done += c.Workload.Recipe.Epochs * steps
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
	*done += start * steps
	rec, err := ru.loop(ctx, start)
	if err != nil {
		return nil, err
	}
	if err := checkpoint.Save(WeightsPath(r.Dir, key), &checkpoint.State{Net: ru.model.Net}); err != nil {
		return nil, err
	}
	if err := WriteRecord(r.Dir, rec); err != nil {
		return nil, err
	}
	os.Remove(CheckpointPath(r.Dir, key))
	r.emit(Event{Kind: EventCellDone, Cell: c, Cells: cells, Record: rec, Epoch: len(rec.Epochs), Epochs: cfg.Epochs, Done: *done, Total: total})
	return rec, nil
}

func (r *Runner) newRun(c Cell, p *datasetPair, cells int, done *int, total int) (*run, error) {
	w := c.Workload
	rc := &w.Recipe
	bin, err := nn.ParseBinarize(w.Binarize)
	if err != nil {
		return nil, err
	}
	m, err := buildModel(w, p.train, nn.Binary{Estimator: c.Spec, Binarize: bin}, c.Seed)
	if err != nil {
		return nil, err
	}
	ps := nn.Params(m.Net)
	var opt nn.Optimizer
	switch rc.Optimizer {
	case "sgd":
		opt = nn.NewSGD(ps, nn.SGDConfig{Momentum: rc.Momentum, WeightDecay: rc.WeightDecay})
	case "adam":
		opt = nn.NewAdam(ps, nn.AdamConfig{WeightDecay: rc.WeightDecay})
	}
	tc := data.Config{BatchSize: rc.Batch, Seed: c.Seed, Shuffle: true, Subset: rc.TrainSubset}
	if rc.Augment {
		tc.Augment = data.DefaultAugment(p.train)
	}
	train, err := data.NewLoader(p.train, tc)
	if err != nil {
		return nil, fmt.Errorf("suite: %w", err)
	}
	// The test subset, if any, is the same for every seed.
	test, err := data.NewLoader(p.test, data.Config{BatchSize: rc.Batch, Subset: rc.TestSubset})
	if err != nil {
		train.Close()
		return nil, fmt.Errorf("suite: %w", err)
	}
	steps := rc.Epochs * train.Batches()
	var sched nn.Schedule = nn.Cosine{Base: rc.LR, Steps: steps}
	if rc.Schedule == "constant" {
		sched = nn.Constant(rc.LR)
	}
	cfg := c.Config()
	ru := &run{
		r: r, cell: c, cfg: cfg, model: m, opt: opt, sched: sched, train: train, test: test,
		classes: p.train.Classes, cells: cells, done: done, total: total,
		rec: &Record{Key: cfg.Key(), Config: cfg, Recipe: rc.Name, Started: time.Now().UTC(), InitHash: initHash(m.Net)},
	}
	nn.Walk(m.Net, func(_ string, l nn.Layer) {
		switch b := l.(type) {
		case *nn.BinaryConv2d:
			ru.binW, ru.binQ = append(ru.binW, b.Weight), append(ru.binQ, b.WeightEstimator())
		case *nn.BinaryLinear:
			ru.binW, ru.binQ = append(ru.binW, b.Weight), append(ru.binQ, b.WeightEstimator())
		}
	})
	ru.signs = make([]bool, nn.Count(ru.binW))
	return ru, nil
}

func (ru *run) close() {
	ru.train.Close()
	ru.test.Close()
}

// initHash is a digest of the initial base weights (every parameter but
// the noise adaptation modules and the learnable estimator scalars), so
// that records show that all estimators of a seed started alike.
func initHash(net nn.Layer) string {
	h := fnv.New64a()
	var b [4]byte
	for _, p := range nn.Params(net) {
		if strings.HasPrefix(p.Name, "na.") || strings.HasPrefix(p.Name, "est.") {
			continue
		}
		for _, v := range p.Data {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			h.Write(b[:])
		}
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// resume loads the cell's checkpoint, if there is a usable one, and
// returns the first epoch to train.
func (ru *run) resume() int {
	path := CheckpointPath(ru.r.Dir, ru.cfg.Key())
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	st := &checkpoint.State{Net: ru.model.Net, Opt: ru.opt}
	var ps progressState
	err := checkpoint.Load(path, st)
	if err == nil {
		err = json.Unmarshal(st.Extra["progress"], &ps)
	}
	if err == nil && (ps.Key != ru.cfg.Key() || int(st.Epoch) != len(ps.Epochs) || len(ps.Epochs) >= ru.cfg.Epochs || ps.InitHash != ru.rec.InitHash) {
		err = fmt.Errorf("it does not belong to this run (key %s, epoch %d)", ps.Key, st.Epoch)
	}
	if err != nil {
		// Load leaves the network untouched on error, but a half-applied
		// progress state must not leak: rebuild from scratch.
		ru.r.emit(Event{Kind: EventNote, Cell: ru.cell, Note: fmt.Sprintf("%s: discarding its checkpoint and starting over: %v", ru.cell, err)})
		os.Remove(path)
		return ru.restart()
	}
	ru.rec.Epochs = ps.Epochs
	ru.rec.Started = ps.Started
	ru.rec.Resumes = ps.Resumes + 1
	ru.rec.DataHashes = ps.DataHashes
	ru.r.emit(Event{Kind: EventResumed, Cell: ru.cell, Cells: ru.cells, Epoch: len(ps.Epochs), Epochs: ru.cfg.Epochs})
	return len(ps.Epochs)
}

// restart rebuilds the model and optimizer after a failed checkpoint load.
func (ru *run) restart() int {
	nr, err := ru.r.newRun(ru.cell, &datasetPair{ru.train.Dataset(), ru.test.Dataset()}, ru.cells, ru.done, ru.total)
	if err != nil {
		panic("suite: rebuilding a run that built before: " + err.Error())
	}
	ru.close()
	*ru = *nr
	return 0
}

func (ru *run) saveCheckpoint(epochs int, steps int) error {
	ps := progressState{Key: ru.cfg.Key(), Epochs: ru.rec.Epochs, Started: ru.rec.Started, Resumes: ru.rec.Resumes, InitHash: ru.rec.InitHash, DataHashes: ru.rec.DataHashes}
	b, err := json.Marshal(ps)
	if err != nil {
		return fmt.Errorf("suite: checkpoint progress: %w", err)
	}
	st := &checkpoint.State{Net: ru.model.Net, Opt: ru.opt, Epoch: int64(epochs), Step: int64(steps), Extra: map[string][]byte{"progress": b}}
	return checkpoint.Save(CheckpointPath(ru.r.Dir, ru.cfg.Key()), st)
}

// loop trains epochs start..E-1 and returns the finished record.
func (ru *run) loop(ctx context.Context, start int) (*Record, error) {
	E := ru.cfg.Epochs
	steps := ru.train.Batches()
	for e := start; e < E; e++ {
		prog := nn.Progress{Epoch: e, Epochs: E}
		ep, div, err := ru.epoch(ctx, prog, steps)
		if err != nil {
			return nil, err
		}
		if div != nil {
			ru.rec.Status = StatusDiverged
			ru.rec.Diverged = div
			ru.rec.Finished = time.Now().UTC()
			ru.rec.Machine = ThisMachine()
			return ru.rec, nil
		}
		ru.rec.Epochs = append(ru.rec.Epochs, ep)
		if e+1 < E {
			if err := ru.saveCheckpoint(e+1, (e+1)*steps); err != nil {
				return nil, err
			}
		}
		ru.r.emit(Event{Kind: EventEpoch, Cell: ru.cell, Cells: ru.cells, Epoch: e, Epochs: E, Step: steps, Steps: steps,
			Loss: ep.TrainLoss, ImagesPerSec: ep.ImagesPerSec, Done: *ru.done, Total: ru.total})
	}
	ru.rec.Status = StatusOK
	ru.rec.Final = finalOf(ru.rec.Epochs)
	ru.rec.Finished = time.Now().UTC()
	ru.rec.Machine = ThisMachine()
	return ru.rec, nil
}

// epoch trains and evaluates one epoch. A non-finite loss returns the
// divergence; a cancelled ctx returns its error.
func (ru *run) epoch(ctx context.Context, prog nn.Progress, steps int) (Epoch, *Divergence, error) {
	net := ru.model.Net
	e := prog.Epoch
	ep := Epoch{Epoch: e + 1, Progress: prog.P(), LR: ru.sched.LR(e * steps)}
	if ru.cell.Spec.NA != nil {
		ep.NAAlpha = prog.NAAlpha()
	}
	// Advance every schedule before the epoch's first step.
	nn.SetProgress(net, prog)
	nn.SetTraining(net, true)
	ru.snapshotSigns()

	t0 := time.Now()
	it := ru.train.Epoch(ctx, e)
	defer it.Close()
	dh := fnv.New64a()
	var lossSum float64
	var correct, seen int
	step := 0
	for it.Next() {
		b := it.Batch()
		x := ru.tensor(b)
		logits := net.Forward(x)
		loss := ru.ce.Forward(logits, ru.labels)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return ep, &Divergence{Epoch: e + 1, Step: step, Reason: fmt.Sprintf("training loss is %v at step %d of epoch %d", loss, step, e+1)}, nil
		}
		correct += nn.Correct(logits, ru.labels)
		net.Backward(ru.ce.Backward())
		ru.opt.Step(ru.sched.LR(e*steps + step))
		lossSum += loss * float64(b.N)
		seen += b.N
		hashBatch(dh, b)
		step++
		*ru.done++
		el := time.Since(t0).Seconds()
		ru.r.emit(Event{Kind: EventStep, Cell: ru.cell, Cells: ru.cells, Epoch: e, Epochs: prog.Epochs, Step: step - 1, Steps: steps,
			Loss: lossSum / float64(seen), ImagesPerSec: float64(seen) / el, Done: *ru.done, Total: ru.total})
	}
	if err := it.Err(); err != nil {
		return ep, nil, err
	}
	if err := ctx.Err(); err != nil {
		return ep, nil, err
	}
	ep.TrainSeconds = time.Since(t0).Seconds()
	ep.TrainLoss = lossSum / float64(seen)
	ep.TrainAcc = 100 * float64(correct) / float64(seen)
	ep.ImagesPerSec = float64(seen) / ep.TrainSeconds
	ep.FlipRatio = ru.flipRatio()
	ru.rec.DataHashes = append(ru.rec.DataHashes, fmt.Sprintf("%016x", dh.Sum64()))

	ru.r.emit(Event{Kind: EventEval, Cell: ru.cell, Cells: ru.cells, Epoch: e, Epochs: prog.Epochs, Step: steps, Steps: steps,
		Loss: ep.TrainLoss, ImagesPerSec: ep.ImagesPerSec, Done: *ru.done, Total: ru.total})
	t1 := time.Now()
	loss, top1, top5, err := ru.evaluate(ctx)
	if err != nil {
		ru.rec.DataHashes = ru.rec.DataHashes[:len(ru.rec.DataHashes)-1]
		return ep, nil, err
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		ru.rec.DataHashes = ru.rec.DataHashes[:len(ru.rec.DataHashes)-1]
		return ep, &Divergence{Epoch: e + 1, Step: steps, Reason: fmt.Sprintf("test loss is %v after epoch %d", loss, e+1)}, nil
	}
	ep.EvalSeconds = time.Since(t1).Seconds()
	ep.TestLoss, ep.TestTop1 = loss, top1
	if ru.classes > 10 {
		ep.TestTop5 = &top5
	}
	return ep, nil, nil
}

// tensor views a batch as the network's input and converts its labels.
func (ru *run) tensor(b *data.Batch) *nn.Tensor {
	ru.x = nn.Tensor{N: b.N, C: b.C, H: b.H, W: b.W, Data: b.X}
	if cap(ru.labels) < b.N {
		ru.labels = make([]int, b.N)
	}
	ru.labels = ru.labels[:b.N]
	for i, y := range b.Y {
		ru.labels[i] = int(y)
	}
	return &ru.x
}

// hashBatch adds the batch's images (dataset indices) and labels to the
// epoch's data digest.
func hashBatch(h io.Writer, b *data.Batch) {
	var buf [8]byte
	for i, img := range b.Images {
		binary.LittleEndian.PutUint32(buf[:4], uint32(img))
		binary.LittleEndian.PutUint32(buf[4:], uint32(b.Y[i]))
		h.Write(buf[:])
	}
}

// evaluate returns the mean test loss and the top-1 and top-5 accuracy
// (percent) of the network in evaluation mode.
func (ru *run) evaluate(ctx context.Context) (loss, top1, top5 float64, err error) {
	net := ru.model.Net
	nn.SetTraining(net, false)
	defer nn.SetTraining(net, true)
	it := ru.test.Epoch(ctx, 0)
	defer it.Close()
	var sum float64
	var c1, c5, n int
	for it.Next() {
		b := it.Batch()
		logits := net.Forward(ru.tensor(b))
		sum += ru.ce.Forward(logits, ru.labels) * float64(b.N)
		c1 += nn.Correct(logits, ru.labels)
		c5 += nn.CorrectTopK(logits, ru.labels, 5)
		n += b.N
	}
	if err := it.Err(); err != nil {
		return 0, 0, 0, err
	}
	if n == 0 {
		return 0, 0, 0, fmt.Errorf("suite: the test split is empty")
	}
	return sum / float64(n), 100 * float64(c1) / float64(n), 100 * float64(c5) / float64(n), nil
}

// snapshotSigns records the binary codes of the binarized latent weights
// at the start of an epoch, for flipRatio.
func (ru *run) snapshotSigns() {
	i := 0
	ru.eachCode(func(c float32) {
		ru.signs[i] = c > 0
		i++
	})
}

// eachCode calls f with the binary code of every binarized latent weight,
// in order: the estimator's forward pass, which is sign(w) for most
// estimators but not all (BiPer's is sign(sin(ω·w))).
func (ru *run) eachCode(f func(c float32)) {
	for k, p := range ru.binW {
		if cap(ru.codes) < len(p.Data) {
			ru.codes = make([]float32, len(p.Data))
		}
		codes := ru.codes[:len(p.Data)]
		ru.binQ[k].Forward(codes, p.Data)
		for _, c := range codes {
			f(c)
		}
	}
}

// flipRatio returns the fraction of binarized latent weights whose binary
// code differs from the snapshot.
func (ru *run) flipRatio() float64 {
	if len(ru.signs) == 0 {
		return 0
	}
	i, flips := 0, 0
	ru.eachCode(func(c float32) {
		if (c > 0) != ru.signs[i] {
			flips++
		}
		i++
	})
	return float64(flips) / float64(len(ru.signs))
}
