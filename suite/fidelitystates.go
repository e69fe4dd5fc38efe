package suite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/fidelity"
	"github.com/gradbench/gradbench/nn"
)

// The network states and the batches gradbench fidelity measures on: the
// states a run's record and kept weights give (or a fresh network's), and
// the seeded evaluation and training batches drawn from its training split.

// fidelityState is a state to measure: its name and how to load it into
// net, given the training split Fidelity read (and checked against the
// run's record), whose shape and classes the run's network was built for.
type fidelityState struct {
	name string
	// own returns the run's own network, built with its estimator, in
	// the state (nil: the initial weights, which need no file): besides
	// the weights and statistics load copies, it holds the estimator's
	// trained state (its learnable scalars, its noise adaptation's
	// weights), which only a network built with the run's spec has.
	own func(train *data.Dataset) (nn.Layer, error)
}

// load loads the state's weights and BatchNorm statistics into net (the
// file holds the run's own network, with its estimator's extra
// parameters: it is loaded into one built like the run, whose shared
// state is copied). The state must be a trained one (own not nil).
func (s fidelityState) load(net nn.Layer, train *data.Dataset) error {
	own, err := s.own(train)
	if err != nil {
		return err
	}
	fidelity.CopyState(net, own)
	return nil
}

// epoch returns the 0-based epoch whose progress the state's estimators
// are set to: the epoch the state starts ("epoch 5" is the state after
// five epochs, which starts the sixth); the caller keeps the final state
// at the last epoch's.
func (s fidelityState) epoch() int {
	e, _ := strconv.Atoi(strings.TrimPrefix(s.name, "epoch "))
	return e
}

// states returns the run configuration and the states spec names, and the
// record of spec.Run (nil with spec.Init).
func (spec FidelitySpec) states() (Config, []fidelityState, string, *Record, error) {
	if spec.Run == "" {
		if err := spec.Workload.Validate(); err != nil {
			return Config{}, nil, "", nil, err
		}
		cfg := spec.Workload.config()
		cfg.Seed = spec.Seed
		// The heading names the seed: it chose the initial weights and the
		// batches measured.
		return cfg, []fidelityState{{name: "epoch 0"}}, fmt.Sprintf("initial state of seed %d, %s", spec.Seed, spec.Workload.Label()), nil, nil
	}
	dir, key, err := runKey(spec.Run)
	if err != nil {
		return Config{}, nil, "", nil, wrapErr("suite: fidelity", err)
	}
	rec, err := ReadRecord(dir, key)
	if err != nil {
		return Config{}, nil, "", nil, wrapErr("suite: fidelity: run "+key, err)
	}
	cfg := rec.Config
	// The states are measured on the sign network: weights trained with
	// another binarization of them hold that network's state, not this
	// one's.
	if es, err := cfg.EstimatorSpec(); err == nil && weightBinarizer(es) {
		return Config{}, nil, "", nil, fmt.Errorf("suite: fidelity: run %s was trained with %s, whose weights' forward pass is not sign(w): its binary network is not the sign network fidelity measures (true loss and flips of sign(w)), so its states cannot be measured", key, es)
	}
	epochs := spec.Epochs
	if len(epochs) == 0 {
		epochs = []int{0, cfg.Epochs}
	}
	if slices.ContainsFunc(epochs, func(e int) bool { return e > 0 }) {
		// The weights after an epoch load into the run's own network,
		// built with its estimator: one this build lacks is refused now,
		// not after the passes are timed.
		if _, err := cfg.EstimatorSpec(); err != nil {
			return Config{}, nil, "", nil, wrapErr("suite: fidelity: run "+key, err)
		}
	}
	var states []fidelityState
	typed := spec.epochsTyped() // as --epochs typed them: "03", not 3
	for i, e := range epochs {
		text := strconv.Itoa(e)
		if len(spec.Epochs) > 0 {
			text = typed[i]
		}
		if e < 0 || e > cfg.Epochs {
			return Config{}, nil, "", nil, fmt.Errorf("suite: fidelity: --epochs %q: %sepoch %s is outside the run's 0..%d", strings.Join(typed, ","), itemAt(i, len(typed)), text, cfg.Epochs)
		}
		st := fidelityState{name: fmt.Sprintf("epoch %d", e)}
		if d := rec.Diverged; rec.Status == StatusDiverged && d != nil && e >= d.Epoch {
			// No run keeps weights once it diverged: the
			// --keep-epochs advice below could not help.
			return Config{}, nil, "", nil, fmt.Errorf("suite: fidelity: run %s diverged in epoch %d: it has no weights after epoch %s, nor after any epoch from %d on; measure the epochs before (--epochs 0, its initial weights)", key, d.Epoch, text, d.Epoch)
		}
		if e > 0 {
			path, final := EpochWeightsPath(dir, key, e), e == cfg.Epochs && rec.Status == StatusOK
			if final {
				path = WeightsPath(dir, key)
			}
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				if final {
					// Kept with or without --keep-epochs: these were removed.
					return Config{}, nil, "", nil, fmt.Errorf("suite: fidelity: run %s has no final weights %s (gradbench run keeps them for runs it finishes; re-run the sweep in a new --out to get them)", key, path)
				}
				return Config{}, nil, "", nil, fmt.Errorf("suite: fidelity: run %s has no weights after epoch %s (%s): gradbench run --keep-epochs keeps them", key, text, path)
			} else if err != nil {
				return Config{}, nil, "", nil, fmt.Errorf("suite: fidelity: run %s: its weights after epoch %s %s cannot be read: %w", key, text, path, err)
			}
			st.own = func(train *data.Dataset) (nn.Layer, error) {
				es, err := cfg.EstimatorSpec()
				if err != nil {
					return nil, err
				}
				own, err := cfg.modelConfig(train).build(es, cfg.Seed)
				if err != nil {
					return nil, err
				}
				if err := loadWeights(path, key, e, &own.Net); err != nil {
					return nil, wrapErr("suite: fidelity", err)
				}
				return &own.Net, nil
			}
		}
		states = append(states, st)
	}
	return cfg, states, fmt.Sprintf("run %s (%s, seed %d)", key, cfg.Estimator, cfg.Seed), rec, nil
}

// EpochWeightsPath returns where gradbench run --keep-epochs keeps the
// weights of the run with that key after epoch e (1-based).
func EpochWeightsPath(dir, key string, e int) string {
	return runFile("EpochWeightsPath", dir, key, fmt.Sprintf(".e%d.weights", e))
}

// fidelityBatches returns the first batch of a shuffled pass (seeded, no
// augmentation) over the images of the training split that pool's seed,
// subset and holdout choose, as a run's loader chooses them: the
// evaluation batch, and the first m images of the next batch, the
// training batch of a step; with nb > 1, the further evaluation batches
// are the batches after that, so that the first two are the same
// whatever nb is.
func fidelityBatches(ctx context.Context, train *data.Dataset, pool data.Config, n, m, nb int) (evals []fidelity.Batch, step fidelity.Batch, err error) {
	pool.BatchSize, pool.Shuffle, pool.Prefetch = n, true, 1
	l, err := data.NewLoader(train, pool)
	if err != nil {
		return nil, step, wrapErr("suite: fidelity", err)
	}
	defer l.Close()
	it := l.Epoch(ctx, 0)
	defer it.Close()
	short := fmt.Errorf("suite: fidelity: the images the run trains on are too few for %d evaluation batches of %d and a training batch", nb, n)
	// next returns the first k images of the next batch: all k for an
	// evaluation batch, up to k for the training batch.
	next := func(k int, eval bool) (fidelity.Batch, error) {
		if !it.Next() {
			if err := it.Err(); err != nil {
				return fidelity.Batch{}, wrapErr("suite: fidelity", err)
			}
			return fidelity.Batch{}, short
		}
		b := it.Batch()
		if eval && b.N < k {
			return fidelity.Batch{}, short
		}
		k = min(k, b.N)
		x := &nn.Tensor{N: k, C: b.C, H: b.H, W: b.W, Data: slices.Clone(b.X[:k*b.C*b.H*b.W])}
		labels := make([]int, k)
		for i, y := range b.Y[:k] {
			labels[i] = int(y)
		}
		return fidelity.Batch{X: x, Labels: labels}, nil
	}
	for k := range nb {
		e, err := next(n, true)
		if err != nil {
			return nil, step, err
		}
		evals = append(evals, e)
		if k == 0 {
			if step, err = next(m, false); err != nil {
				return nil, step, err
			}
		}
	}
	return evals, step, nil
}
