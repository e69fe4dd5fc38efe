package suite

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
)

// DefaultEstimators are the estimators of a sweep that names none: the
// straight-through baseline and FDA without and with noise adaptation.
const DefaultEstimators = "ste,fda,fda+na"

// AblationPaper names the set of estimators of the FDA paper's ablation
// tables (see PaperSpecs).
const AblationPaper = "paper"

// AblationSides names the sweep that trains each estimator of a list on
// the latent weights only, the activations only and both (see SidesSpecs).
const AblationSides = "sides"

// A SweepSpec is a sweep as gradbench's command line gives it: strings
// still to parse and overrides of the recipe's values. Its errors name the
// command line's flags.
type SweepSpec struct {
	// Estimators, when not nil, is a comma-separated list of specs; nil
	// means DefaultEstimators. Ablation, when set, chooses the estimators
	// instead (AblationPaper; the two do not go together) or from them
	// (AblationSides).
	Estimators *string
	Ablation   string
	// Recipe is a built-in recipe's name or a recipe file.
	Recipe string
	// Model and Dataset, when set, override the recipe's; DataDir is where
	// to read the dataset (see Workload.DataDir).
	Model, Dataset, DataDir string
	// Seeds is a count N (seeds 1..N), a list 1,2,5 or a range 4..6.
	Seeds string
	// Epochs and Width, when not nil, override the recipe's.
	Epochs *int
	Width  *float64
	// LRGrid is a list of multipliers of the recipe's learning rate
	// (ParseLRGrid), or "" for none.
	LRGrid string
	// Optimizers is a list of optimizers (ParseOptimizers), or "" for the
	// recipe's.
	Optimizers string
	// Typed holds the flags' values as typed (cli.Typed), which the
	// refusals of --epochs and --width quote.
	Typed Typed
}

// NewSweep parses and checks a sweep spec (Sweep.Check), reading the
// recipe file if it names one: every command that takes a sweep builds it
// here, so that all of them accept and refuse the same sweeps. It loads no
// data; Runner.Prepare checks what needs the data.
func NewSweep(s SweepSpec) (*Sweep, error) {
	var specs []estimators.Spec
	switch s.Ablation {
	case "":
		list := DefaultEstimators
		if s.Estimators != nil {
			list = *s.Estimators
		}
		var err error
		if specs, err = estimators.ParseList(list); err != nil {
			return nil, err
		}
	case AblationPaper:
		if s.Estimators != nil {
			return nil, fmt.Errorf("suite: --ablation paper chooses the estimators: drop --estimators %q", *s.Estimators)
		}
		specs = PaperSpecs()
	case AblationSides:
		list := DefaultEstimators
		if s.Estimators != nil {
			list = *s.Estimators
		}
		es, err := estimators.ParseList(list)
		if err != nil {
			return nil, err
		}
		if specs, err = SidesSpecs(es); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("suite: unknown --ablation %q (have paper, sides)", s.Ablation)
	}
	seeds, err := ParseSeeds(s.Seeds)
	if err != nil {
		return nil, err
	}
	r, err := LoadRecipe(s.Recipe)
	if err != nil {
		return nil, err
	}
	if s.Model != "" {
		if err := models.Check(s.Model); err != nil {
			return nil, err
		}
		r.Model = s.Model
	}
	if s.Dataset != "" {
		r.Dataset = s.Dataset
	}
	if s.Epochs != nil {
		if *s.Epochs < 1 || *s.Epochs > MaxEpochs {
			return nil, fmt.Errorf("suite: bad --epochs %s: want an integer from 1 to %d", s.Typed.of("epochs", *s.Epochs), MaxEpochs)
		}
		r.Epochs = *s.Epochs
	}
	if s.Width != nil {
		if !(*s.Width > 0) || math.IsInf(*s.Width, 0) {
			return nil, fmt.Errorf("suite: bad --width %s: want a number > 0", s.Typed.of("width", *s.Width))
		}
		// Checked here, where the width is known as typed, rather than
		// by Check, which would name it in Go's shortest form.
		if err := models.CheckWidthTyped(r.Model, *s.Width, s.Typed["width"]); err != nil {
			return nil, err
		}
		r.Width = *s.Width
	}
	grid, gridTyped, err := parseLRGrid(s.LRGrid)
	if err != nil {
		return nil, err
	}
	opts, err := ParseOptimizers(s.Optimizers)
	if err != nil {
		return nil, err
	}
	if s.Ablation == AblationSides && slices.Contains(opts, "bop") {
		return nil, fmt.Errorf("suite: --ablation sides with --optimizers bop: the ablation puts each estimator on the latent weights alone, which Bop does not keep (it flips the binary weights itself, so a weight-side estimator has no effect): leave bop out of --optimizers for the ablation")
	}
	if slices.Contains(opts, "sgd") && r.Optimizer != "sgd" {
		return nil, fmt.Errorf("suite: --optimizers sgd: recipe %s trains with %s; sgd takes its learning rate and momentum from an SGD recipe", r.Name, r.Optimizer)
	}
	sw := &Sweep{Workload: Workload{Recipe: *r, DataDir: s.DataDir}, Specs: specs, Seeds: seeds, LRGrid: grid, lrGridTyped: gridTyped, Optimizers: opts}
	if err := sw.Check(); err != nil {
		return nil, err
	}
	return sw, nil
}

// Check validates the sweep without loading any data: its workload
// (Workload.Validate), that it has cells, and that every spec makes binary
// layers (an estimator for latent weights only named for the activations
// is refused before any cell trains) that accept every epoch's progress.
// A dataset whose sizes are known without reading it (data.KnownSize:
// the synthetic one) is checked against the recipe's subsets and batch as
// Runner.Prepare checks them, with the same refusal. Runner.Prepare does
// more (it builds the model on the dataset).
func (s *Sweep) Check() error {
	if err := s.Workload.Validate(); err != nil {
		return err
	}
	r := &s.Workload.Recipe
	train, ok1 := data.KnownSize(r.Dataset, data.Train)
	test, ok2 := data.KnownSize(r.Dataset, data.Test)
	if ok1 && ok2 {
		if err := checkSizes(r, train, test); err != nil {
			return err
		}
	}
	if len(s.Specs) == 0 || len(s.Seeds) == 0 {
		return fmt.Errorf("suite: the sweep has no cells (%d estimators, %d seeds)", len(s.Specs), len(s.Seeds))
	}
	if err := s.checkTrainLRs(); err != nil {
		return err
	}
	return s.checkSpecs()
}

// checkTrainLRs checks, as float32, the settings each cell trains with
// that the recipe alone does not give (Recipe.Validate checks those): the
// learning rate times each multiplier of the grid, and Adam's learning
// rate where --optimizers trains with Adam or Bop; and that no two
// multipliers of the grid train at the same float32 learning rate.
func (s *Sweep) checkTrainLRs() error {
	type setting struct {
		lr        float64
		optimizer string
	}
	type setting32 struct {
		lr        float32
		optimizer string
	}
	seen := map[setting]bool{}
	// The multiplier that gave each learning rate as float32.
	scaleOf := map[setting32]float64{}
	for _, c := range s.Cells() {
		cfg := c.Config()
		lr := cfg.TrainLR()
		if k := (setting{lr, cfg.Optimizer}); !seen[k] {
			seen[k] = true
			what := "suite: recipe " + s.Workload.Recipe.Name
			if cfg.LRScale != 0 {
				what = fmt.Sprintf("suite: --lr-grid ×%s of %s's lr %s", s.lrScaleTyped(cfg.LRScale), s.Workload.Recipe.Name, shortFloat(cfg.LR))
			}
			if err := checkFloat32Settings(what, cfg.Optimizer, lr, cfg.Momentum, cfg.WeightDecay, nil); err != nil {
				return err
			}
		}
		// Two multipliers that train at one float32 learning rate (even
		// one float64 product) would train the same runs and report them
		// as two learning rates.
		k := setting32{float32(lr), cfg.Optimizer}
		if other, ok := scaleOf[k]; ok && other != cfg.LRScale {
			return fmt.Errorf("suite: --lr-grid ×%s and ×%s of %s's lr %s both train at lr %s as float32, the precision training computes in: they would train the same runs; drop one or give multipliers farther apart",
				s.lrScaleTyped(other), s.lrScaleTyped(cfg.LRScale), s.Workload.Recipe.Name, shortFloat(cfg.LR), strconv.FormatFloat(float64(float32(lr)), 'g', -1, 32))
		}
		scaleOf[k] = cfg.LRScale
	}
	return nil
}

// checkDataset checks that the dataset name is one data.Open knows.
func checkDataset(name string) error {
	if !slices.Contains(data.Names(), name) {
		return fmt.Errorf("suite: unknown dataset %q (have %s)", name, strings.Join(data.Names(), ", "))
	}
	return nil
}

// checkSpecs checks that every spec of the sweep makes binary layers
// whose estimators accept the progress of every epoch (nn.Binary.
// CheckEpochs: an expr: formula in p may fail at some epoch's p), and
// that Bop, if the sweep trains with it, can replace each spec's weight
// estimator (see bopSpec) and trains no two specs alike.
func (s *Sweep) checkSpecs() error {
	bop := slices.Contains(s.Optimizers, "bop")
	trains := map[string]estimators.Spec{} // with Bop: the spec each trains as
	for _, spec := range s.Specs {
		if err := (nn.Binary{Estimator: spec}).CheckEpochs(s.Workload.Recipe.Epochs); err != nil {
			return fmt.Errorf("suite: estimator %s: %w", spec.Typed(), err)
		}
		if bop {
			b, err := bopSpec(spec)
			if err != nil {
				return err
			}
			if other, ok := trains[b.String()]; ok && other.String() != spec.String() {
				return fmt.Errorf("suite: estimators %s and %s with bop: both train as %s (Bop trains the weights with the identity), so their runs would be the same: give one", other, spec, b)
			}
			trains[b.String()] = spec
		}
	}
	return nil
}

// bopWeights is the weight estimator of every run with Bop (see bopSpec).
const bopWeights = "identity"

// bopSpec returns the spec a run with Bop trains: spec's activation side,
// and the identity on the weights, whose gradient is the gradient of the
// binary weights that Bop averages (nn.Bop). A weight side with noise
// adaptation, or whose forward pass is not sign(w) (BiPer), is refused:
// Bop flips signs and keeps no latent weights for either. So is a sided
// spec whose weight side is not the identity: Bop would train it as its
// activation side alone, the weight side given without effect. A plain
// spec names the estimator of the activations (the identity on the
// weights being Bop's own), and w=identity/a=E says the same explicitly,
// which E with noise adaptation needs.
func bopSpec(spec estimators.Spec) (estimators.Spec, error) {
	w, a := spec.Weights(), spec.Activations()
	if w.NA != nil {
		return spec, fmt.Errorf("suite: estimator %s with bop: noise adaptation on the weights needs latent weights, which Bop does not keep (give w=%s/a=%s for it on the activations alone)", spec, bopWeights, a)
	}
	if e, err := estimators.New(w.String()); err == nil {
		if _, ok := e.(estimators.Binarizer); ok {
			return spec, fmt.Errorf("suite: estimator %s with bop: Bop flips the signs of the weights, and %s binarizes them otherwise", spec, w)
		}
	}
	if spec.Sided() && w.String() != bopWeights {
		give := a.String()
		if a.NA != nil {
			give = "w=" + bopWeights + "/a=" + a.String()
		}
		return spec, fmt.Errorf("suite: estimator %s with bop: Bop flips the binary weights itself and keeps no latent weights, so the weight side %s would have no effect and the run would train as %s does: give %s", spec, w, give, give)
	}
	return estimators.Sides(estimators.MustParse(bopWeights), a)
}
