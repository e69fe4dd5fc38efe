package suite

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/models"
)

// FormatVersion is the version of the canonical configuration and record
// format. It is hashed into every run key, so that changing what a run
// means (the training loop, the record layout) invalidates old caches
// instead of mixing old and new results.
const FormatVersion = 1

// A Workload is everything a run trains except the estimator and the seed:
// a recipe, with the command line's overrides applied. Every cell of a
// sweep shares one Workload.
type Workload struct {
	Recipe Recipe
	// DataDir, when set, is the directory to read the dataset from. It is
	// where, not what: it is not part of any run key.
	DataDir string
}

// Validate checks the recipe, the model and dataset names and, when
// DataDir is set, that it holds both splits' files, without reading any
// data (Runner.Prepare checks what needs it).
func (w *Workload) Validate() error {
	if err := w.Recipe.Validate(); err != nil {
		return err
	}
	if err := models.CheckWidth(w.Recipe.Model, w.Recipe.Width); err != nil {
		return err
	}
	if err := checkDataset(w.Recipe.Dataset); err != nil {
		return err
	}
	// A data directory given is checked now, not when the first cell
	// opens the dataset: plan and slurm open none, and would otherwise
	// accept a directory that does not hold the dataset (data.Paths reads
	// nothing; data.Open then reads the files).
	if w.DataDir == "" {
		// Without one, a $GRADBENCH_DATA that names no directory is
		// refused now too, as data.Open would refuse it.
		if err := data.CheckEnv(w.Recipe.Dataset); err != nil {
			return err
		}
	} else {
		if err := checkDataDir(w.Recipe.Dataset, w.DataDir); err != nil {
			return err
		}
		for _, split := range []data.Split{data.Train, data.Test} {
			if _, err := data.Paths(w.Recipe.Dataset, split, data.Options{Dir: w.DataDir}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Label describes the workload in one line, for table headings.
func (w *Workload) Label() string {
	return w.config().label(w.Recipe.Name)
}

// config returns the canonical configuration of the workload, with no
// estimator and seed.
func (w *Workload) config() Config {
	r := &w.Recipe
	return Config{
		Format:      FormatVersion,
		Model:       r.Model,
		Dataset:     r.Dataset,
		Width:       r.Width,
		Binarize:    binarizeBoth,
		Epochs:      r.Epochs,
		Batch:       r.Batch,
		Optimizer:   r.Optimizer,
		LR:          r.LR,
		Momentum:    r.Momentum,
		WeightDecay: r.WeightDecay,
		Schedule:    r.Schedule,
		Augment:     r.Augment,
		TrainSubset: r.TrainSubset,
		TestSubset:  r.TestSubset,
	}
}

// binarizeBoth is the Binarize of every run planned now.
const binarizeBoth = "both"

// A Config is the canonical configuration of one run: every value that
// changes what is trained, and nothing else (no paths, no recipe name, no
// machine). Its JSON encoding, with the fields in this order and numbers
// in Go's shortest form, is what Key hashes.
type Config struct {
	Format  int     `json:"format"`
	Model   string  `json:"model"`
	Dataset string  `json:"dataset"`
	Width   float64 `json:"width"`
	// Binarize is "both" for every run planned since the estimator spec
	// names the estimator of each side of the binary layers (a sided spec,
	// such as w=fda/a=ste). It stays in the configuration so that the
	// keys of earlier runs stay valid; records of those may hold "weights"
	// or "activations": the estimator on that side, the clipped STE on
	// the other.
	Binarize    string  `json:"binarize"`
	Epochs      int     `json:"epochs"`
	Batch       int     `json:"batch"`
	Optimizer   string  `json:"optimizer"`
	LR          float64 `json:"lr"`
	Momentum    float64 `json:"momentum"`
	WeightDecay float64 `json:"weight_decay"`
	Schedule    string  `json:"schedule"`
	Augment     bool    `json:"augment"`
	TrainSubset int     `json:"train_subset"`
	TestSubset  int     `json:"test_subset"`
	// LRScale, for a cell of a learning-rate grid (Sweep.LRGrid), is its
	// multiplier of LR, the recipe's learning rate: the run trains at
	// LR·LRScale, on the training split less the Validation fraction held
	// out (see Recipe.Validation), and is evaluated on both. Zero, and
	// absent from the key, for a run without a grid (trained at LR on the
	// whole training split), so that the keys of those stay as they were.
	LRScale    float64 `json:"lr_scale,omitempty"`
	Validation float64 `json:"validation,omitempty"`
	// Estimator is the canonical spec string (estimators.Spec.String).
	Estimator string `json:"estimator"`
	Seed      uint64 `json:"seed"`
}

// EstimatorSpec returns the estimator spec the run trains with: Estimator,
// or for the record of an earlier run whose Binarize is not "both" the
// sided spec it meant (see RunSpec).
func (c Config) EstimatorSpec() (estimators.Spec, error) { return RunSpec(c.Binarize, c.Estimator) }

// RunSpec parses the estimator spec of a run configuration or a model
// file, which record it with a binarize setting: "both" (or "", every run
// planned now) leaves it as it is; "weights" and "activations", from runs
// planned before sided specs, put the estimator on that side and the
// clipped STE on the other, as those runs did ("weights" with fda+na is
// w=fda+na/a=ste).
func RunSpec(binarize, estimator string) (estimators.Spec, error) {
	spec, err := estimators.Parse(estimator)
	if errors.Is(err, estimators.ErrUnknown) {
		// A build with an estimator of its own (README, "Bring your own
		// estimator") trained it: say so, rather than leave the spec
		// looking mistyped or the file damaged.
		return spec, fmt.Errorf("%w: %s was trained by a build of gradbench with that estimator compiled in, and this one lacks it; use that build (a blank import of the package that registers it in cmd/gradbench/main.go)", err, estimator)
	}
	if err != nil {
		return spec, err
	}
	ste := estimators.MustParse("ste")
	switch binarize {
	case binarizeBoth, "":
		return spec, nil
	case "weights":
		return estimators.Sides(spec.Weights(), ste)
	case "activations":
		return estimators.Sides(ste, spec.Activations())
	}
	return spec, fmt.Errorf("suite: unknown binarize setting %q (have both, weights, activations)", binarize)
}

// Key returns the run's cache key: the first 16 hex digits of the SHA-256
// of the canonical JSON encoding of c.
func (c Config) Key() string {
	b, err := json.Marshal(c)
	if err != nil {
		// Plain values only, and finite ones: Recipe.Validate and the
		// float32 checks refuse any other in every configuration made,
		// and a record read from JSON holds none (WriteRecord refuses to
		// write one, checkContent to compute its key).
		if field, v := nonFinite(reflect.ValueOf(c), ""); field != "" {
			panic(fmt.Sprintf("suite: encoding a config: its %s %v is no finite number, which a key cannot encode", field, v))
		}
		panic("suite: encoding a config: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// WorkloadKey returns the key of c's workload: Key with the estimator, the
// seed and the learning-rate multiplier left out, shared by every run of
// one sweep. Tables group records by it. A learning-rate grid's workload
// differs from the same recipe's without a grid (its runs hold out a
// validation split): they are not compared in one table.
func (c Config) WorkloadKey() string {
	c.Estimator, c.Seed = "", 0
	if c.LRScale != 0 {
		c.LRScale = 1
	}
	return c.Key()
}

// TrainLR returns the peak learning rate the run trains at: LR, times
// LRScale for a cell of a learning-rate grid.
func (c Config) TrainLR() float64 {
	if c.LRScale != 0 {
		return c.LR * c.LRScale
	}
	return c.LR
}

// modelLabel names a model with its width where that is not 1, as the
// tables and the files export writes name it.
func modelLabel(model string, width float64) string {
	if width != 1 {
		return fmt.Sprintf("%s (width %s)", model, strconv.FormatFloat(width, 'g', -1, 64))
	}
	return model
}

// label describes the workload of c in one line.
func (c Config) label(recipe string) string {
	var b strings.Builder
	b.WriteString(modelLabel(c.Model, c.Width))
	fmt.Fprintf(&b, " on %s", c.Dataset)
	// The subsets, test included: the top-1 a table gives is measured on
	// the test subset, and two workloads that differ only in it would
	// otherwise have the same heading.
	var subsets []string
	if c.TrainSubset > 0 {
		subsets = append(subsets, fmt.Sprintf("%d training images", c.TrainSubset))
	}
	if c.TestSubset > 0 {
		subsets = append(subsets, fmt.Sprintf("%d test images", c.TestSubset))
	}
	if len(subsets) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(subsets, ", "))
	}
	epochs := "epochs"
	if c.Epochs == 1 {
		epochs = "epoch"
	}
	lr := strconv.FormatFloat(c.LR, 'g', -1, 64)
	if c.LRScale != 0 {
		lr = "tuned per estimator from " + lr + " times a grid"
	}
	fmt.Fprintf(&b, ", recipe %s: %d %s, batch %d, %s lr %s %s", recipe, c.Epochs, epochs, c.Batch, c.Optimizer, lr, c.Schedule)
	if c.Validation != 0 {
		fmt.Fprintf(&b, ", %s%% of the training split held out for validation", cli.TimesPrinted(100, c.Validation))
	}
	if c.Binarize != binarizeBoth {
		fmt.Fprintf(&b, ", binarized %s only", c.Binarize)
	}
	return b.String()
}

// A Sweep is a workload trained with every estimator spec and every seed,
// and, with an LRGrid, at every learning rate of the grid.
type Sweep struct {
	Workload Workload
	Specs    []estimators.Spec
	Seeds    []uint64
	// Optimizers, when not empty, lists the optimizers every estimator and
	// seed trains with (OptimizerNames; see Cell.Optimizer), in place of
	// the recipe's alone.
	Optimizers []string
	// LRGrid, when not empty, lists multipliers of the recipe's learning
	// rate (ParseLRGrid): every estimator and seed trains at each, on the
	// training split less the recipe's validation fraction, and the tables
	// show each estimator at the multiplier its validation accuracy
	// chooses (see SelectLR).
	LRGrid []float64
	// lrGridTyped holds each multiplier of LRGrid as --lr-grid typed it
	// (NewSweep), which the refusals of its learning rates quote.
	lrGridTyped []string
}

// lrScaleTyped returns the multiplier v of the grid as --lr-grid typed
// it, or in Go's shortest form for a sweep built in code.
func (s *Sweep) lrScaleTyped(v float64) string {
	if i := slices.Index(s.LRGrid, v); i >= 0 && i < len(s.lrGridTyped) {
		return s.lrGridTyped[i]
	}
	return shortFloat(v)
}

// A Cell is one run of a sweep: its workload, one estimator spec and one
// seed, at a stable index.
type Cell struct {
	// Index is the cell's position in Sweep.Cells: stable for the same
	// workload, spec list and seed list, so that a batch system's array
	// task number names a cell.
	Index    int
	Workload *Workload
	Spec     estimators.Spec
	Seed     uint64
	// LRScale is the cell's multiplier of the recipe's learning rate in a
	// sweep with a grid, 0 without one (Config.LRScale).
	LRScale float64
	// Optimizer, when set, replaces the recipe's optimizer (see
	// OptimizerNames): "sgd" is the recipe's SGD; "adam" is Adam at the
	// recipe's learning rate if the recipe trains with Adam, else at
	// AdamLR; "bop" flips the binary layers' weights with Bop (nn.Bop,
	// its default γ and τ, the weight estimator replaced by the identity
	// since Bop needs the gradient of the binary weights themselves) and
	// trains every other parameter with that Adam.
	Optimizer string
}

// OptimizerNames are the optimizers a sweep can take as an axis.
var OptimizerNames = []string{"sgd", "adam", "bop"}

// AdamLR is the learning rate of Adam, alone or beside Bop, in a sweep
// whose recipe trains with SGD (whose learning rate is SGD's): PyTorch's
// and Larq's default for Adam.
const AdamLR = 1e-3

// Cells returns the sweep's runs in a stable order: seed-major, then
// estimators in the order given, so that the first seed of every estimator
// finishes before a second seed starts and a partial sweep already
// compares all estimators.
//
// With a learning-rate grid, each estimator's cells of a seed follow one
// another, one per multiplier in the grid's order.
func (s *Sweep) Cells() []Cell {
	scales := s.LRGrid
	if len(scales) == 0 {
		scales = []float64{0}
	}
	opts := s.Optimizers
	if len(opts) == 0 {
		opts = []string{""}
	}
	cells := make([]Cell, 0, len(s.Seeds)*len(s.Specs)*len(opts)*len(scales))
	for _, seed := range s.Seeds {
		for _, spec := range s.Specs {
			for _, opt := range opts {
				for _, lr := range scales {
					cells = append(cells, Cell{Index: len(cells), Workload: &s.Workload, Spec: spec, Seed: seed, LRScale: lr, Optimizer: opt})
				}
			}
		}
	}
	return cells
}

// Config returns the canonical configuration of the cell.
func (c Cell) Config() Config {
	cfg := c.Workload.config()
	cfg.Estimator = c.Spec.String()
	cfg.Seed = c.Seed
	if c.LRScale != 0 {
		cfg.LRScale = c.LRScale
		cfg.Validation = c.Workload.Recipe.Validation
	}
	switch c.Optimizer {
	case "adam", "bop":
		if cfg.Optimizer != "adam" {
			cfg.LR, cfg.Momentum = AdamLR, 0
		}
		cfg.Optimizer = c.Optimizer
	}
	return cfg
}

// Key returns the cell's cache key, Config().Key().
func (c Cell) Key() string { return c.Config().Key() }

// String names the cell for progress lines and errors.
func (c Cell) String() string {
	return fmt.Sprintf("%s seed %d", c.Label(), c.Seed)
}

// Label names what the cell trains, without its seed: the estimator spec,
// and the optimizer and the learning-rate multiplier where the sweep has
// those axes.
func (c Cell) Label() string {
	s := c.Spec.String()
	if c.Optimizer != "" {
		s += " " + c.Optimizer
	}
	if c.LRScale != 0 {
		s += " lr ×" + strconv.FormatFloat(c.LRScale, 'g', -1, 64)
	}
	return s
}
