package suite

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
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
	// firstEpoch is the first epoch (1-based) this process trains;
	// noSegments says that the run resumed from a checkpoint that does not
	// say who trained its epochs (see Record.Segments).
	firstEpoch int
	noSegments bool
}

func (r *Runner) newRun(c Cell, p *datasetPair, cells int, done *int, total int) (*run, error) {
	w := c.Workload
	rc := &w.Recipe
	m, err := c.Config().modelConfig(p.train).build(c.Spec, c.Seed)
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
