package suite

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
)

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
	val     *data.Loader // the validation split of a learning-rate grid's run, or nil
	ce      nn.SoftmaxCrossEntropy
	classes int
	labels  []int
	x       nn.Tensor
	binW    []*nn.Param            // latent weights of the binary layers
	binQ    []estimators.Estimator // the estimators that binarize them
	signs   []bool                 // their binary codes at the start of the epoch, true for +1
	codes   []float32              // scratch for one layer's codes
	diag    *diagnostics           // the training diagnostics, or nil (Runner.NoDiagnostics)
	data    *datasetPair           // the splits train and test are drawn from
	cells   int
	done    *int64 // the sweep's steps done (Event.Done)
	total   int64  // the sweep's steps (Event.Total)
	// firstEpoch is the first epoch (1-based) this process trains;
	// noSegments says that the run resumed from a checkpoint that does not
	// say who trained its epochs (see Record.Segments).
	firstEpoch int
	noSegments bool
}

func (r *Runner) newRun(c Cell, p *datasetPair, cells int, done *int64, total int64) (*run, error) {
	w := c.Workload
	rc := &w.Recipe
	cfg := c.Config()
	m, err := c.initialModel(p.train)
	if err != nil {
		return nil, err
	}
	opt := newOptimizer(cfg, m.Net)
	holdout := holdoutSize(cfg.Validation, p.train)
	if err := checkHoldout(rc, cfg.Validation, holdout, p.train); err != nil {
		return nil, err
	}
	if err := checkBatch(rc, holdout, p.train.N); err != nil {
		return nil, err
	}
	if err := checkNormBatch(rc, cfg.modelConfig(p.train), m.NormValues, holdout, p.train.N); err != nil {
		return nil, err
	}
	tc := TrainImages(cfg, p.train)
	tc.BatchSize, tc.Shuffle = rc.Batch, true
	if rc.Augment {
		tc.Augment = data.DefaultAugment(p.train)
	}
	train, err := data.NewLoader(p.train, tc)
	if err != nil {
		return nil, wrapErr("suite", err)
	}
	test, err := testLoader(p.test, rc.Batch, rc.TestSubset)
	if err != nil {
		train.Close()
		return nil, wrapErr("suite", err)
	}
	var val *data.Loader
	if holdout > 0 {
		// Batched like the test split (testLoader): by the training batch,
		// or by the split's size when that is smaller.
		// The images the training loader of this seed holds out.
		if val, err = data.NewLoader(p.train, data.Config{BatchSize: min(rc.Batch, holdout), Seed: c.Seed, Holdout: holdout, Validation: true}); err != nil {
			train.Close()
			test.Close()
			return nil, wrapErr("suite", err)
		}
	}
	steps := rc.Epochs * train.Batches()
	lr := cfg.TrainLR()
	var sched nn.Schedule = nn.Cosine{Base: lr, Steps: steps}
	if rc.Schedule == "constant" {
		sched = nn.Constant(lr)
	}
	ru := &run{
		r: r, cell: c, cfg: cfg, model: m, opt: opt, sched: sched, train: train, test: test, val: val,
		classes: p.train.Classes, data: p, cells: cells, done: done, total: total,
		rec: &Record{Key: cfg.Key(), Config: cfg, Recipe: rc.Name, Started: time.Now().UTC(), InitHash: initHash(m.Net), Data: p.digest()},
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
	if !r.NoDiagnostics {
		ru.diag = ru.newDiagnostics()
	}
	return ru, nil
}

// initialModel builds cell c's network with the initial weights its run
// starts from (those initHash digests), for a training set train.
func (c Cell) initialModel(train *data.Dataset) (*models.Model, error) {
	cfg := c.Config()
	spec := c.Spec
	if cfg.Optimizer == "bop" {
		var err error
		if spec, err = bopSpec(spec); err != nil {
			return nil, err
		}
	}
	return cfg.modelConfig(train).build(spec, c.Seed)
}

// testLoader returns the loader of the test split as a run evaluates it:
// its test subset, if any (the same for every seed), in batches of the
// training batch, or of the subset's size when that is smaller: the batch
// only bounds memory there, and the split is evaluated whole either way.
// Whatever evaluates a run's test split again (LoadedRun.TestLoader)
// batches it here, so that a record the run wrote is never refused.
func testLoader(test *data.Dataset, batch, subset int) (*data.Loader, error) {
	n := test.N
	if subset > 0 {
		n = min(subset, n)
	}
	return data.NewLoader(test, data.Config{BatchSize: min(batch, n), Subset: subset})
}

func (ru *run) close() {
	ru.train.Close()
	ru.test.Close()
	if ru.val != nil {
		ru.val.Close()
	}
}

// newOptimizer returns the optimizer of a run of cfg over net's
// parameters: SGD or Adam over all of them, or Bop over the binary
// layers' weights with Adam over the others.
func newOptimizer(cfg Config, net nn.Layer) nn.Optimizer {
	ps := nn.Params(net)
	switch cfg.Optimizer {
	case "sgd":
		return nn.NewSGD(ps, nn.SGDConfig{Momentum: cfg.Momentum, WeightDecay: cfg.WeightDecay})
	case "adam":
		return nn.NewAdam(ps, nn.AdamConfig{WeightDecay: cfg.WeightDecay})
	}
	var binary, rest []*nn.Param
	isBinary := map[*nn.Param]bool{}
	nn.Walk(net, func(_ string, l nn.Layer) {
		switch b := l.(type) {
		case *nn.BinaryConv2d:
			isBinary[b.Weight] = true
		case *nn.BinaryLinear:
			isBinary[b.Weight] = true
		}
	})
	for _, p := range ps {
		if isBinary[p] {
			binary = append(binary, p)
		} else {
			rest = append(rest, p)
		}
	}
	return nn.NewBop(binary, nn.DefaultBop, nn.NewAdam(rest, nn.AdamConfig{WeightDecay: cfg.WeightDecay}))
}

// checkHoldout refuses, for a run with a validation fraction (a
// learning-rate grid's), a validation split of no image or of the whole
// training split, and a training subset larger than what the validation
// split leaves or equal to it (the data of subset 0 under another key).
func checkHoldout(r *Recipe, fraction float64, holdout int, train *data.Dataset) error {
	if fraction == 0 {
		return nil
	}
	switch {
	case holdout < 1 || holdout >= train.N:
		return fmt.Errorf("suite: recipe %s: validation %v of the %d training images of %s is %d images: want at least 1 and fewer than the split", r.Name, fraction, train.N, r.Dataset, holdout)
	case r.TrainSubset > train.N-holdout:
		return fmt.Errorf("suite: recipe %s: train_subset %d is more than the %d training images of %s that the validation split (%d images, %v of the split) leaves: give fewer than %d, or 0 for all of them",
			r.Name, r.TrainSubset, train.N-holdout, r.Dataset, holdout, fraction, train.N-holdout)
	case r.TrainSubset == train.N-holdout:
		return fmt.Errorf("suite: recipe %s: train_subset %d is all the training images of %s that the validation split (%d images, %v of the split) leaves: give 0 for all of them (the same data, under a key of its own)",
			r.Name, r.TrainSubset, r.Dataset, holdout, fraction)
	}
	return nil
}

// checkBatch refuses a training batch larger than the images a run
// trains on (the training subset, or the training split less the
// validation split it holds out): it would train full-batch, on fewer
// steps than the key's batch says. It also refuses more steps than an int
// holds, which only a 32-bit build can be asked for.
func checkBatch(r *Recipe, holdout int, train int) error {
	n, what := trainImages(r, holdout, train)
	if r.Batch > n {
		return fmt.Errorf("suite: recipe %s: batch %d is larger than the %d images a run trains on (%s): want at most %d", r.Name, r.Batch, n, what, n)
	}
	// A run counts its steps, epochs times batches per epoch, in an int:
	// MaxEpochs keeps them within a 64-bit one, not a 32-bit one.
	if r.Batch > 0 {
		batches := (n + r.Batch - 1) / r.Batch
		if steps := int64(r.Epochs) * int64(batches); steps > math.MaxInt {
			return fmt.Errorf("suite: recipe %s: %d epochs of %d batches are %d steps, more than this build's int holds (%d): want at most %d epochs", r.Name, r.Epochs, batches, steps, math.MaxInt, math.MaxInt/batches)
		}
	}
	return nil
}

// trainImages returns how many images a run of recipe r trains on, of a
// training split of train images less a validation split of holdout,
// and says which they are.
func trainImages(r *Recipe, holdout int, train int) (int, string) {
	n, what := train-holdout, fmt.Sprintf("the %d training images of %s", train, r.Dataset)
	if holdout > 0 {
		what += fmt.Sprintf(" less the %d of the validation split", holdout)
	}
	if r.TrainSubset > 0 && r.TrainSubset < n {
		n, what = r.TrainSubset, fmt.Sprintf("train_subset %d", r.TrainSubset)
	}
	return n, what
}

// checkNormBatch refuses a run of recipe r whose training batches hold
// too few images for the BatchNorm layers of its network (mc) to train:
// norm is the fewest values per channel one of them normalises for each
// image (models.Model.NormValues), and BatchNorm's batch statistics need
// at least two per channel. The batches of an epoch hold r.Batch images
// but the last, which holds those left over (the training loader keeps
// it, so that every image is trained on). AlexNet's BatchNorm after its
// fully connected layers, and any model's on a 1×1 map, see one value per
// image: a last batch of one image there panicked at the end of the first
// epoch, after all of its training. The run is refused before it trains,
// with what to change; its images are not changed behind its key.
func checkNormBatch(r *Recipe, mc ModelConfig, norm, holdout, train int) error {
	n, what := trainImages(r, holdout, train)
	if norm < 1 || norm >= 2 || r.Batch < 1 || r.Batch > n {
		// No BatchNorm, or any one image trains it; a batch larger than
		// the images is checkBatch's to refuse.
		return nil
	}
	// fits says whether batches of b images (and the last of what is
	// left) of m images train the network.
	minBatch := (2 + norm - 1) / norm
	fits := func(m, b int) bool { last := m % b; return b >= minBatch && (last == 0 || last*norm >= 2) }
	if fits(n, r.Batch) {
		return nil
	}
	head := fmt.Sprintf("suite: recipe %s: model %s (width %s, on %d×%d×%d images) normalises %d value per channel for each image in a BatchNorm layer, and BatchNorm needs at least 2 per channel to train: the %d images a run trains on (%s)",
		r.Name, mc.Model, strconv.FormatFloat(mc.Width, 'g', -1, 64), mc.C, mc.H, mc.W, norm, n, what)
	if r.Batch < minBatch {
		return fmt.Errorf("%s in batches of %d image each; give a batch of at least %d", head, r.Batch, minBatch)
	}
	var batches, subsets []string
	for b := r.Batch - 1; b >= minBatch; b-- {
		if fits(n, b) {
			batches = append(batches, strconv.Itoa(b))
			break
		}
	}
	for b := r.Batch + 1; b <= n; b++ {
		if fits(n, b) {
			batches = append(batches, strconv.Itoa(b))
			break
		}
	}
	// A training subset is drawn from the images the validation split
	// leaves, and must be fewer than they (checkHoldout, checkSubsets).
	pool := train - holdout
	for _, m := range []int{n - 1, n + 1} {
		if m >= r.Batch && m < pool && fits(m, r.Batch) {
			subsets = append(subsets, strconv.Itoa(m))
		}
	}
	var give []string
	if len(batches) > 0 {
		give = append(give, fmt.Sprintf("a batch that leaves no single image over (such as %s)", strings.Join(batches, " or ")))
	}
	if len(subsets) > 0 {
		give = append(give, fmt.Sprintf("a train_subset that leaves none (such as %s)", strings.Join(subsets, " or ")))
	}
	msg := fmt.Sprintf("%s in batches of %d leave a last batch of %d image; give %s", head, r.Batch, n%r.Batch, strings.Join(give, " or "))
	if holdout > 0 && n == pool {
		// A training subset is drawn from what the validation split
		// leaves: only without one does the fraction change the images.
		msg += ", or another validation fraction"
	}
	return errors.New(msg)
}

// checkNormBatches is checkNormBatch for every cell of cells (the cells
// of one workload), with the model's NormValues found without building
// it: what Run, RunCell and Slurm check before anything trains, as a
// run's own construction checks it (newRun).
func (r *Runner) checkNormBatches(ctx context.Context, cells []Cell) error {
	if len(cells) == 0 {
		return nil
	}
	p, err := r.load(ctx, cells[0].Workload)
	if err != nil {
		return err
	}
	mc := cells[0].Config().modelConfig(p.train)
	norm, err := models.NormValues(mc.Model, models.Config{C: mc.C, H: mc.H, W: mc.W, Classes: mc.Classes, Width: mc.Width})
	if err != nil {
		return err
	}
	// The cells differ in their training images only by their validation
	// split: a learning-rate grid's cells hold one out, others none.
	seen := map[float64]bool{}
	for _, c := range cells {
		v := c.Config().Validation
		if seen[v] {
			continue
		}
		seen[v] = true
		if err := checkNormBatch(&c.Workload.Recipe, mc, norm, holdoutSize(v, p.train), p.train.N); err != nil {
			return err
		}
	}
	return nil
}

// TrainImages returns the loader configuration that selects the images of
// the training split train that a run with configuration cfg trains on:
// its training subset, drawn from the split less the validation split
// that a learning-rate grid's run holds out (stratified by class, by the
// run's seed). It sets Seed, Subset and Holdout alone; the caller adds
// the batch size, and the order and augmentation it wants. The run's own
// training loader is built from it.
func TrainImages(cfg Config, train *data.Dataset) data.Config {
	return data.Config{Seed: cfg.Seed, Subset: cfg.TrainSubset, Holdout: holdoutSize(cfg.Validation, train)}
}

// holdoutSize returns how many images of the training split a validation
// fraction holds out: the fraction of the split's size, rounded to the
// nearest integer, or 0 for a fraction of 0 (no validation split).
func holdoutSize(fraction float64, train *data.Dataset) int {
	return int(math.Round(fraction * float64(train.N)))
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
