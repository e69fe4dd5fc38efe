package suite

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/cli"
)

// DefaultFidelityRecipe and DefaultFidelitySeeds are what gradbench
// fidelity --init measures when --recipe and --seeds are not given.
const (
	DefaultFidelityRecipe = "fmnist-10"
	DefaultFidelitySeeds  = "1"
)

// A FidelityRequest is what gradbench fidelity was given, flag by flag,
// before anything is parsed or defaulted: a nil field is a flag not given
// (its default is used), a set one a flag given, whose value is used as
// given or refused, 0 included. MeasureFidelity checks it, resolves it
// into a FidelitySpec and measures; every refusal names the flag.
type FidelityRequest struct {
	Run  string // --run: a finished run's record <dir>/<key>.json, or ""
	Init bool   // --init
	// Recipe and Seeds are --recipe and --seeds, which go with --init only
	// (a run's record gives its recipe and seed): nil, DefaultFidelityRecipe
	// and seed DefaultFidelitySeeds.
	Recipe, Seeds *string
	// Estimators is --estimators; nil, DefaultEstimators.
	Estimators *string
	// Epochs is --epochs as typed: comma-separated epochs of Run, each
	// once; "" when not given (0 and the run's last).
	Epochs string
	// Batch, Sample, Bootstrap and EvalBatches are --batch, --sample,
	// --bootstrap and --eval-batches (FidelitySpec's Batch, PerStratum,
	// Reps and EvalBatches); nil, DefaultFidelityBatch,
	// DefaultFidelityPerStratum, DefaultFidelityReps and
	// DefaultFidelityBatches.
	Batch, Sample, Bootstrap, EvalBatches *int
	DataDir                               string // --data
	// Typed holds the flags' values as typed (cli.Typed), which the
	// refusals of the numbers above quote.
	Typed Typed
	// Start and Progress are FidelitySpec's.
	Start    func(passes int, expected time.Duration)
	Progress func(done, total int, left time.Duration)
	Finished func(unit string, done, total int, left time.Duration)
}

// MeasureFidelity checks and resolves req (FidelityRequest.Spec) and
// measures it (Fidelity): gradbench fidelity's one call.
func MeasureFidelity(ctx context.Context, req FidelityRequest) (*FidelityResult, error) {
	spec, err := req.Spec()
	if err != nil {
		return nil, err
	}
	return Fidelity(ctx, spec)
}

// Spec checks req and returns the FidelitySpec it asks for, with the
// defaults of what it leaves out; the spec passes FidelitySpec's checks
// (the ones on values rather than on what was given are made there, once,
// for every caller of Fidelity). It reads the recipe file, if one is
// named, and no data.
func (req FidelityRequest) Spec() (FidelitySpec, error) {
	spec := FidelitySpec{Run: req.Run, Init: req.Init, DataDir: req.DataDir, Start: req.Start, Progress: req.Progress, Finished: req.Finished,
		Batch: DefaultFidelityBatch, PerStratum: DefaultFidelityPerStratum, Reps: DefaultFidelityReps, EvalBatches: DefaultFidelityBatches,
		Typed: maps.Clone(req.Typed)}
	if req.Epochs != "" {
		// The list as given, which the refusals of its epochs quote
		// (req.Typed may be nil, or not hold it).
		if spec.Typed == nil {
			spec.Typed = Typed{}
		}
		spec.Typed["epochs"] = req.Epochs
	}
	for _, c := range []struct {
		given *int
		to    *int
	}{{req.Batch, &spec.Batch}, {req.Sample, &spec.PerStratum}, {req.Bootstrap, &spec.Reps}, {req.EvalBatches, &spec.EvalBatches}} {
		if c.given != nil {
			*c.to = *c.given
		}
	}
	if err := spec.checkCounts(req.Typed); err != nil {
		return FidelitySpec{}, err
	}
	if err := spec.checkState(); err != nil {
		return FidelitySpec{}, err
	}
	if req.Run != "" {
		// The run's record gives the network: a recipe or seed given
		// besides would be ignored, so it is refused.
		var ignored []string
		if req.Recipe != nil {
			ignored = append(ignored, "--recipe")
		}
		if req.Seeds != nil {
			ignored = append(ignored, "--seeds")
		}
		if len(ignored) > 0 {
			both := strings.Join(ignored, " and ")
			return FidelitySpec{}, fmt.Errorf("suite: fidelity: %s with --run: the run's record gives its recipe and seed; drop %s (they go with --init)", both, both)
		}
	}
	if req.Epochs != "" {
		parts := strings.Split(req.Epochs, ",")
		why := emptyItem(parts)
		if why == "" && strings.ContainsFunc(req.Epochs, unicode.IsSpace) {
			why = spaceNotAllowed
		}
		if why != "" {
			return FidelitySpec{}, fmt.Errorf("suite: fidelity: --epochs %q: %s (want comma-separated epochs >= 0, such as 0,5,10)", req.Epochs, why)
		}
		for i, f := range parts {
			e, ok := cli.Digits(f) // no sign, no white space: as given
			if !ok {
				return FidelitySpec{}, fmt.Errorf("suite: fidelity: --epochs %q: %s%q is not an epoch (want comma-separated epochs >= 0 in plain digits, such as 0,5,10)", req.Epochs, itemAt(i, len(parts)), f)
			}
			if j := slices.Index(spec.Epochs, e); j >= 0 {
				// Said here, with both items as typed ("5,05"), rather
				// than by the spec's check, which has the numbers only.
				return FidelitySpec{}, fmt.Errorf("suite: fidelity: --epochs %q: %sepoch %s is given twice (item %d, %q, is the same epoch): each state is measured once, so give each epoch once", req.Epochs, itemAt(i, len(parts)), f, j+1, parts[j])
			}
			spec.Epochs = append(spec.Epochs, e)
		}
	}
	recipe, seeds := DefaultFidelityRecipe, DefaultFidelitySeeds
	if req.Recipe != nil {
		recipe = *req.Recipe
	}
	if req.Seeds != nil {
		seeds = *req.Seeds
	}
	seed, err := ParseSeed(seeds)
	if err != nil {
		return FidelitySpec{}, wrapErr("suite: fidelity: --seeds", err)
	}
	// The sweep of the one seed (a range of one: the seed alone would be a
	// count) parses and checks the estimators for the recipe's network.
	// With --run that recipe is only the default one, not the run's: --data
	// is the run's dataset's directory, which loading the run checks, so
	// it is not checked here against the default recipe's dataset (a
	// CIFAR-10 run's --data would be refused for not holding Fashion-MNIST).
	dataDir := req.DataDir
	if req.Run != "" {
		dataDir = ""
	}
	sweep, err := NewSweep(SweepSpec{Recipe: recipe, Seeds: fmt.Sprintf("%d..%d", seed, seed), DataDir: dataDir, Estimators: req.Estimators})
	if err != nil {
		return FidelitySpec{}, err
	}
	spec.Estimators = sweep.Specs
	if req.Init {
		spec.Workload, spec.Seed = &sweep.Workload, seed
	}
	if err := spec.check(); err != nil {
		return FidelitySpec{}, err
	}
	return spec, nil
}

// check checks what spec asks for without reading anything: the rules of
// gradbench fidelity's flags, each made here alone, its refusal naming the
// flag. What needs the run's record or the data (an epoch past the run, a
// batch larger than the split) is checked when they are read.
func (spec FidelitySpec) check() error {
	if err := spec.checkCounts(nil); err != nil {
		return err
	}
	if err := spec.checkState(); err != nil {
		return err
	}
	if len(spec.Estimators) == 0 {
		return errors.New("suite: fidelity: no estimators: give at least one (--estimators)")
	}
	for _, e := range spec.Estimators {
		if weightBinarizer(e) {
			return fmt.Errorf("suite: fidelity: estimator %s: its weights' forward pass is not sign(w), and fidelity measures the sign network (true loss and flips of sign(w)): its gradient is that of another network, so it cannot be measured (--estimators)", e)
		}
	}
	for i, e := range spec.Epochs {
		if e < 0 {
			return badFidelityEpochs(strings.Join(spec.epochsTyped(), ","))
		}
		if slices.Contains(spec.Epochs[:i], e) {
			// The same state measured twice would be one state shown as
			// two.
			typed, j := spec.epochsTyped(), slices.Index(spec.Epochs, e)
			return fmt.Errorf("suite: fidelity: --epochs %q: %sepoch %s is given twice (item %d, %q, is the same epoch): each state is measured once, so give each epoch once", strings.Join(typed, ","), itemAt(i, len(typed)), typed[i], j+1, typed[j])
		}
	}
	if spec.Init {
		if len(spec.Epochs) > 0 && !slices.Equal(spec.Epochs, []int{0}) {
			return fmt.Errorf("suite: fidelity: --epochs %q with --init: --init has the initial state only; other epochs need a run (--run)", strings.Join(spec.epochsTyped(), ","))
		}
		if spec.Workload == nil {
			return errors.New("suite: fidelity: --init needs the recipe's workload (--recipe)")
		}
		if spec.Seed < 1 {
			return errors.New("suite: fidelity: --init needs a seed >= 1 (--seeds)")
		}
	}
	return nil
}

// weightBinarizer reports whether spec binarizes the latent weights by a
// forward pass other than sign(w) (an estimators.Binarizer, such as BiPer's
// sign(sin(ω·w))). fidelity's true loss is the sign network's and its
// predictions δ = −2·sign(w)·∂L_E/∂b: such an estimator's backward pass
// differentiates another network, whose codes differ from sign(w) wherever
// they are not the same function (for BiPer, wherever |w| > π/ω).
func weightBinarizer(spec estimators.Spec) bool {
	e, err := spec.Weights().New()
	if err != nil {
		return false // refused where the network is built, with its reason
	}
	_, ok := e.(estimators.Binarizer)
	return ok
}

// checkCounts checks the counts of spec, each used as given, quoting a
// refused one as typed holds it (nil: in Go's formatting).
func (spec FidelitySpec) checkCounts(typed Typed) error {
	switch {
	case spec.Batch < 2:
		return fmt.Errorf("suite: fidelity: --batch %s: want an evaluation batch of at least 2 images", typed.of("batch", spec.Batch))
	case spec.PerStratum < 1:
		return fmt.Errorf("suite: fidelity: --sample %s: want at least 1 sampled weight per stratum and binary layer", typed.of("sample", spec.PerStratum))
	case spec.EvalBatches < 1:
		return fmt.Errorf("suite: fidelity: --eval-batches %s: want at least 1 evaluation batch", typed.of("eval-batches", spec.EvalBatches))
	case spec.Reps < MinFidelityReps:
		// Fewer would print an interval that is not a 95% one: with 2,
		// [0.062, 0.062].
		return fmt.Errorf("suite: fidelity: --bootstrap %s: want at least %d resamples: a 95%% interval's ends are the 2.5%% and 97.5%% points of the resampled scores, which %d resamples put %d resamples from either end (below 40 they are the smallest and largest resample)", typed.of("bootstrap", spec.Reps), MinFidelityReps, MinFidelityReps, MinFidelityReps/40)
	case spec.Reps > MaxFidelityReps:
		// Memory grows with the count: 1e8 took over 3 GB.
		return fmt.Errorf("suite: fidelity: --bootstrap %s: want at most %d resamples: every resample's scores are kept until their percentiles are taken (32 bytes per resample and estimator, 72 with --eval-batches 2 or more, all estimators at once), and more would not make the intervals meaningfully more precise", typed.of("bootstrap", spec.Reps), MaxFidelityReps)
	}
	return nil
}

// checkState checks that spec names one kind of network state.
func (spec FidelitySpec) checkState() error {
	switch {
	case spec.Run == "" && !spec.Init:
		return errors.New("suite: fidelity: give --run <dir>/<key>.json (a finished run's states) or --init (the recipe's initial state)")
	case spec.Run != "" && spec.Init:
		return errors.New("suite: fidelity: --run and --init both given: --run measures its initial state as epoch 0")
	}
	return nil
}

func badFidelityEpochs(s string) error {
	return fmt.Errorf("suite: fidelity: --epochs %q: want comma-separated epochs >= 0, such as 0,5,10", s)
}

// epochsTyped returns each of spec.Epochs as --epochs typed it
// (Typed["epochs"], "0,05"), for the refusals to quote; where Typed holds
// no such list of them, each in plain digits, as --epochs takes them.
func (spec FidelitySpec) epochsTyped() []string {
	if typed := strings.Split(spec.Typed["epochs"], ","); len(typed) == len(spec.Epochs) {
		same := true
		for i, f := range typed {
			if e, ok := cli.Digits(f); !ok || e != spec.Epochs[i] {
				same = false
			}
		}
		if same {
			return typed
		}
	}
	s := make([]string, len(spec.Epochs))
	for i, e := range spec.Epochs {
		s[i] = strconv.Itoa(e)
	}
	return s
}
