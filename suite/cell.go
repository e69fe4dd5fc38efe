package suite

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

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
		panic("suite: encoding a config: " + err.Error()) // plain values only
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
		fmt.Fprintf(&b, ", %s%% of the training split held out for validation", strconv.FormatFloat(100*c.Validation, 'g', -1, 64))
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

// ParseOptimizers parses the --optimizers flag: a comma-separated list of
// OptimizerNames, each given once. An empty string is the recipe's
// optimizer alone.
func ParseOptimizers(s string) ([]string, error) {
	return parseList("--optimizers", s, func(f string) (string, string) {
		if !slices.Contains(OptimizerNames, f) {
			return "", fmt.Sprintf("unknown optimizer %q (have %s)", f, strings.Join(OptimizerNames, ", "))
		}
		return f, ""
	})
}

// parseList parses s, the value of flag: a comma-separated list of items,
// each given once, parse reading an item into its value or saying why it
// is bad. An empty s is nil.
//
// White space is refused, not trimmed (" 1" or "0.3, 1"): a value is
// used as given, as the numeric flags (--width " 0.5") use it.
func parseList[T comparable](flag, s string, parse func(item string) (v T, bad string)) ([]T, error) {
	if s == "" {
		return nil, nil
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return nil, fmt.Errorf("suite: bad %s %q: %s", flag, s, spaceNotAllowed)
	}
	parts := strings.Split(s, ",")
	if why := emptyItem(parts); why != "" {
		return nil, fmt.Errorf("suite: bad %s %q: %s", flag, s, why)
	}
	var out []T
	var once []string // the items as given, each value's first
	dup := ""
	for _, f := range parts {
		v, bad := parse(f)
		if bad != "" {
			return nil, fmt.Errorf("suite: bad %s %q: %s", flag, s, bad)
		}
		if slices.Contains(out, v) {
			if dup == "" {
				dup = f
			}
			continue
		}
		out = append(out, v)
		once = append(once, f)
	}
	if dup != "" {
		return nil, fmt.Errorf("suite: bad %s %q: %s is given twice: give each once, as in %q", flag, s, dup, strings.Join(once, ","))
	}
	return out, nil
}

// emptyItem says why the list split at its commas into parts has an
// empty item ("1,,3", "1,3,", ",1"), a comma too many, and what to write
// instead; "" when it has none. An empty item is refused, not skipped: a
// value is used as given or refused.
func emptyItem(parts []string) string {
	if len(parts) < 2 {
		return ""
	}
	var kept []string
	at := -1
	for i, p := range parts {
		if p == "" {
			if at < 0 {
				at = i
			}
			continue
		}
		kept = append(kept, p)
	}
	fix := strings.Join(kept, ",")
	switch {
	case at < 0:
		return ""
	case fix == "":
		return "only commas, no item"
	case at == 0:
		return fmt.Sprintf("it starts with a comma: remove it, as in %q", fix)
	case at == len(parts)-1:
		return fmt.Sprintf("it ends with a comma: remove it, as in %q", fix)
	}
	return fmt.Sprintf("an empty item between two commas: remove one comma, as in %q", fix)
}

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

// ParseLRGrid parses the --lr-grid flag: a comma-separated list of
// multipliers of the recipe's learning rate, such as "0.3,1,3", each a
// finite decimal number > 0 (no hexadecimal float, no underscores) given
// once; the list keeps the order given. An empty string is no grid. Each
// learning rate it makes must also be one float32 holds (not 0, not
// infinite), and no two the same float32, which Sweep.Check checks with
// the recipe.
func ParseLRGrid(s string) ([]float64, error) {
	const want = "want multipliers of the recipe's learning rate, such as 0.3,1,3"
	return parseList("--lr-grid", s, func(f string) (float64, string) {
		// strconv.ParseFloat reads 0x1p-1 as 0.5 and 1_0 as 10, and
		// 1e-400 as 0.
		v, err := cli.ParseFloat(f)
		hex := strings.TrimLeft(f, "+-")
		switch {
		case errors.Is(err, strconv.ErrRange):
			return 0, fmt.Sprintf("%q %v (%s)", f, err, want)
		case strings.HasPrefix(hex, "0x") || strings.HasPrefix(hex, "0X") || strings.Contains(f, "_"):
			return 0, fmt.Sprintf("%q is not a decimal number (%s)", f, want)
		case err != nil || !(v > 0) || math.IsInf(v, 0):
			return 0, fmt.Sprintf("%q is not a finite number > 0 (%s)", f, want)
		}
		return v, ""
	})
}

// spaceNotAllowed says why a flag's list or number with white space in it
// is refused: it would otherwise be trimmed, and a value is used as given
// or refused (as the numeric flags refuse --width " 0.5").
const spaceNotAllowed = "white space is not allowed: write the value without spaces"

// ParseSeeds parses the --seeds flag: a count N (seeds 1..N), a list
// "1,2,5", or a range "4..6". Seeds are integers >= 1 written as plain
// digits (no sign, no white space); duplicates are errors.
func ParseSeeds(s string) ([]uint64, error) {
	bad := func(why string) error {
		return fmt.Errorf("suite: bad seeds %q: %s (want a count N for seeds 1..N, a list 1,2,5 or a range 4..6)", s, why)
	}
	if s == "" {
		return nil, bad("empty")
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return nil, bad(spaceNotAllowed)
	}
	// A sign is refused wherever it stands: a count, a list entry and a
	// range end are plain digits alike, rather than "+2" being taken as a
	// count while "1,+2" is refused.
	if strings.ContainsAny(s, "+-") {
		return nil, bad("a sign (+ or -) is not allowed: write seeds and counts as plain digits")
	}
	if why := emptyItem(strings.Split(s, ",")); why != "" {
		return nil, bad(why)
	}
	if strings.Contains(s, "..") && strings.Contains(s, ",") {
		return nil, bad("a range and a list do not combine: list every seed, as in 1,2,3,5")
	}
	if lo, hi, ok := strings.Cut(s, ".."); ok {
		a, err1 := strconv.ParseUint(lo, 10, 64)
		b, err2 := strconv.ParseUint(hi, 10, 64)
		switch {
		case lo == "" && err2 == nil:
			return nil, bad(fmt.Sprintf("the range has no first seed: write both ends, as in %q", "1.."+hi))
		case hi == "" && err1 == nil:
			return nil, bad("the range has no last seed: write both ends, lo..hi (4..6 is seeds 4, 5 and 6)")
		case err1 == nil && err2 == nil && (a == 0 || b == 0):
			return nil, bad("seeds start at 1: 0 is not a seed")
		case err1 == nil && err2 == nil && a > b:
			return nil, bad(fmt.Sprintf("the range runs backwards: write the lower seed first, as in %q", hi+".."+lo))
		case err1 != nil || err2 != nil:
			return nil, bad("a range needs integers 1 <= lo <= hi")
		}
		if b-a >= 1000 {
			return nil, bad("more than 1000 seeds")
		}
		// Count the seeds rather than compare against b: with b the
		// largest uint64, v <= b never fails and v++ wraps to 0.
		seeds := make([]uint64, b-a+1)
		for i := range seeds {
			seeds[i] = a + uint64(i)
		}
		return seeds, nil
	}
	if !strings.Contains(s, ",") {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, bad("not an integer")
		}
		if err != nil || n < 1 || n > 1000 {
			return nil, bad("the count must be in 1..1000")
		}
		seeds := make([]uint64, n)
		for i := range seeds {
			seeds[i] = uint64(i + 1)
		}
		return seeds, nil
	}
	var seeds []uint64
	var once []string // the items as given, each seed's first
	seen := map[uint64]bool{}
	dup := uint64(0)
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil || v < 1 {
			return nil, bad(fmt.Sprintf("%q is not an integer >= 1", f))
		}
		if seen[v] {
			if dup == 0 {
				dup = v
			}
			continue
		}
		seen[v] = true
		seeds = append(seeds, v)
		once = append(once, f)
	}
	if dup != 0 {
		return nil, bad(fmt.Sprintf("seed %d listed twice: give each once, as in %q", dup, strings.Join(once, ",")))
	}
	return seeds, nil
}

// ParseSeed parses one seed, for what measures a single network (gradbench
// fidelity --init): an integer >= 1 in plain digits. A list, a range or a
// sign is refused, saying so; "3" is seed 3, not a count.
func ParseSeed(s string) (uint64, error) {
	bad := func(why string) error {
		return fmt.Errorf("suite: bad seed %q: %s (want one seed, an integer >= 1 such as 3)", s, why)
	}
	switch {
	case s == "":
		return 0, bad("empty")
	case strings.ContainsFunc(s, unicode.IsSpace):
		return 0, bad(spaceNotAllowed)
	case strings.Contains(s, ",") || strings.Contains(s, ".."):
		return 0, bad("one network is measured, so one seed: not a list or a range")
	case strings.ContainsAny(s, "+-"):
		return 0, bad("a sign (+ or -) is not allowed: write the seed as plain digits")
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v < 1 {
		return 0, bad("not an integer >= 1")
	}
	return v, nil
}
