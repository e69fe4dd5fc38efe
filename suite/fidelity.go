package suite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/fidelity"
	"github.com/gradbench/gradbench/internal/mdtable"
	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/nn/checkpoint"
)

// FidelitySpec says what gradbench fidelity measures (see package
// fidelity): on which network states, for which estimators, how.
type FidelitySpec struct {
	// Run names a run by its record <dir>/<key>.json or its weights
	// <dir>/<key>.weights: its configuration gives the network and data,
	// its saved weights the states. Empty with Init set: the initial state
	// of Workload's network with Seed.
	Run      string
	Init     bool
	Workload *Workload
	Seed     uint64
	// Epochs lists the states of Run: 0 is the initial weights, e the
	// weights after epoch e (the last epoch's are the run's final weights;
	// others need gradbench run --keep-epochs). Empty means 0 and the last.
	Epochs     []int
	Estimators []estimators.Spec
	// Batch is the evaluation batch size (default 512), PerStratum the
	// sampled weights per stratum and binary layer (default 64), Reps the
	// bootstrap resamples (default 1000).
	Batch, PerStratum, Reps int
	// EvalBatches is the number of evaluation batches (default 1): the
	// flips and the predictions are measured on each, and the scores get a
	// bootstrap interval over the batches besides the one over the sampled
	// weights. Each batch costs as much as the first.
	EvalBatches int
	DataDir     string
	// Start, if set, is called once the cost of one network pass is known,
	// with the number of passes and the expected time; Progress after every
	// pass.
	Start    func(passes int, expected time.Duration)
	Progress func(done, total int)
}

// Defaults of FidelitySpec.
const (
	DefaultFidelityBatch      = 512
	DefaultFidelityPerStratum = 64
	DefaultFidelityReps       = 1000
	DefaultFidelityBatches    = 1
)

// FidelityResult holds the measurements of every state.
type FidelityResult struct {
	Label      string
	Layers     []string // binary layers, by nn.Walk path
	Estimators []string
	Batches    int // evaluation batches
	States     []FidelityState
	Elapsed    time.Duration
}

// FidelityState holds the measurements at one network state.
type FidelityState struct {
	Name string // "init", "epoch 5"
	Loss float64
	Rows []FidelityRow // one per estimator
	// Cosine[l][i][j] is the cosine between the latent gradients of
	// estimators i and j in binary layer l.
	Cosine [][][]float64
	// Descent[i] holds estimator i's steps at the learning rates of
	// DescentScales, then at the matched step norm; Random the steps along
	// a random direction with the per-layer norms of the first estimator's
	// gradient, at the same learning rates.
	Descent [][]fidelity.Step
	Random  []fidelity.Step
}

// DescentScales are the multipliers of the recipe's learning rate at which
// gradbench fidelity steps along each estimator's gradient.
var DescentScales = []float64{0.3, 1, 3}

// FidelityRow is one estimator's flip fidelity at one state.
type FidelityRow struct {
	Estimator string
	Overall   fidelity.Scores
	CI        fidelity.Interval
	PerLayer  []fidelity.Scores
	// With several evaluation batches: the overall scores on each batch,
	// their mean and its bootstrap interval over the batches.
	Batches   []fidelity.Scores `json:",omitempty"`
	BatchMean fidelity.Scores
	BatchCI   fidelity.Interval
}

// fidelityNoise is the |ΔL| relative to the loss below which a flip's change
// counts as float noise: the loss is a mean of float32 logits' functions,
// whose rounding is about 1e-7 relative.
const fidelityNoise = 1e-6

// fidelityState is a state to measure: its name and how to load it.
type fidelityState struct {
	name string
	load func(net nn.Layer) error // nil: the initial weights
}

// Fidelity measures every estimator on every state of spec.
func Fidelity(ctx context.Context, spec FidelitySpec) (*FidelityResult, error) {
	t0 := time.Now()
	if len(spec.Estimators) == 0 {
		return nil, errors.New("suite: fidelity: no estimators: give at least one")
	}
	batch := cmp0(spec.Batch, DefaultFidelityBatch)
	per := cmp0(spec.PerStratum, DefaultFidelityPerStratum)
	reps := cmp0(spec.Reps, DefaultFidelityReps)
	nb := cmp0(spec.EvalBatches, DefaultFidelityBatches)
	if batch < 2 || per < 1 || reps < 1 || nb < 1 {
		return nil, fmt.Errorf("suite: fidelity: batch %d, per-stratum sample %d, bootstrap resamples %d and evaluation batches %d: want batch >= 2 and the others >= 1", batch, per, reps, nb)
	}
	cfg, states, label, err := spec.states()
	if err != nil {
		return nil, err
	}
	train, _, err := OpenDataset(cfg.Dataset, spec.DataDir)
	if err != nil {
		return nil, fmt.Errorf("suite: fidelity: %w", err)
	}
	if batch > train.N {
		return nil, fmt.Errorf("suite: fidelity: evaluation batch %d is more than the %d training images of %s", batch, train.N, cfg.Dataset)
	}
	if nb > 1 && (nb+1)*batch > train.N {
		return nil, fmt.Errorf("suite: fidelity: %d evaluation batches of %d and the batch between the first two (the training batch's) need %d images, more than the %d training images of %s", nb, batch, (nb+1)*batch, train.N, cfg.Dataset)
	}
	evals, trainBatch, err := fidelityBatches(ctx, train, batch, cfg.Batch, cfg.Seed, nb)
	if err != nil {
		return nil, err
	}
	eval := evals[0]
	mc := cfg.modelConfig(train)
	ref, err := mc.build(estimators.MustParse("ste"), cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("suite: fidelity: %w", err)
	}
	res := &FidelityResult{Label: label, Layers: fidelity.Layers(&ref.Net), Batches: nb}
	for _, s := range spec.Estimators {
		res.Estimators = append(res.Estimators, s.String())
	}
	init, err := mc.build(estimators.MustParse("ste"), cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("suite: fidelity: %w", err)
	}
	workers := parallel.Workers()
	var ce nn.SoftmaxCrossEntropy
	// The cost: one pass per sampled weight, evaluation batch and state,
	// timed on the first, the flips split over the cores.
	sites := fidelity.Sample(&ref.Net, per, cfg.Seed)
	total := len(states) * nb * (len(sites) + 1)
	fidelity.TrueLoss(&ref.Net, &ce, eval) // sizes the buffers
	t1 := time.Now()
	fidelity.TrueLoss(&ref.Net, &ce, eval)
	if spec.Start != nil {
		spec.Start(total, time.Duration(float64(len(states)*nb)*fidelity.Work(&ref.Net, sites)*float64(time.Since(t1))/float64(workers)))
	}
	done := 0
	progress := func() {
		done++
		if spec.Progress != nil {
			spec.Progress(done, total)
		}
	}
	for _, st := range states {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if st.load != nil {
			if err := st.load(&ref.Net); err != nil {
				return nil, err
			}
		} else {
			fidelity.CopyState(&ref.Net, &init.Net)
		}
		sites := fidelity.Sample(&ref.Net, per, cfg.Seed)
		// The estimators one after another, their passes' kernels on every
		// core, each on a network of its own built for it and dropped
		// after (so that a table holds two networks, not one per
		// estimator; these passes are a few percent of the time): δ on
		// every evaluation batch, the latent gradients on the first
		// (agreement) and on the training batch (descent).
		n := len(spec.Estimators)
		preds := make([][][]float64, n) // [estimator][batch][site]
		grads := make([][][]float32, n)
		tg := make([][][]float32, n)
		for i := range n {
			if preds[i], grads[i], tg[i], err = fidelityEstimator(mc, spec.Estimators[i], cfg, st, &ref.Net, evals, trainBatch, sites); err != nil {
				return nil, err
			}
			// Its network is unreachable once fidelityEstimator has
			// returned: free its buffers before the next one's.
			runtime.GC()
		}
		// The flips and the descent steps: the reference network and one
		// clone per further core, dropped after.
		ws := []fidelity.Worker{{Net: &ref.Net, Loss: &ce}}
		for range workers - 1 {
			c, err := mc.build(estimators.MustParse("ste"), cfg.Seed)
			if err != nil {
				return nil, fmt.Errorf("suite: fidelity: %w", err)
			}
			fidelity.CopyState(&c.Net, &ref.Net)
			ws = append(ws, fidelity.Worker{Net: &c.Net, Loss: new(nn.SoftmaxCrossEntropy)})
		}
		bases := make([]float64, nb)
		dls := make([][]float64, nb)
		for k := range nb {
			bases[k], dls[k] = fidelity.TrueChangesOn(ws, evals[k], sites, progress)
			progress()
		}
		base, dl := bases[0], dls[0]
		fs := FidelityState{Name: st.name, Loss: base}
		// Descent: steps along each estimator's gradient on a training batch,
		// at the recipe's learning rate times DescentScales and at the
		// median of the estimators' step norms at the recipe's rate, and
		// along a random direction with the first estimator's layer norms.
		var norms []float64
		for i := range n {
			norms = append(norms, cfg.LR*fidelity.Norm(tg[i]))
		}
		target := median(norms)
		var dirs [][][]float32
		var etas [][]float64
		for i := range n {
			e := make([]float64, 0, len(DescentScales)+1)
			for _, k := range DescentScales {
				e = append(e, k*cfg.LR)
			}
			if n := fidelity.Norm(tg[i]); n > 0 {
				e = append(e, target/n)
			} else {
				e = append(e, 0)
			}
			dirs, etas = append(dirs, tg[i]), append(etas, e)
		}
		e := make([]float64, 0, len(DescentScales))
		for _, k := range DescentScales {
			e = append(e, k*cfg.LR)
		}
		dirs, etas = append(dirs, fidelity.RandomLike(tg[0], cfg.Seed)), append(etas, e)
		steps := fidelity.DescentOn(ws, eval, dirs, etas)
		fs.Descent, fs.Random = steps[:n], steps[n]
		ws = nil
		runtime.GC()
		// The scores, with their intervals over the sampled weights (first
		// batch) and over the evaluation batches.
		fs.Rows = make([]FidelityRow, n)
		each(n, func(i int) {
			pred := preds[i][0]
			noise := fidelityNoise * max(1, math.Abs(base))
			row := FidelityRow{Estimator: res.Estimators[i], Overall: fidelity.Score(pred, dl, noise),
				CI: fidelity.Bootstrap(pred, dl, noise, reps, cfg.Seed)}
			for l := range res.Layers {
				var p, d []float64
				for k, s := range sites {
					if s.Layer == l {
						p, d = append(p, pred[k]), append(d, dl[k])
					}
				}
				row.PerLayer = append(row.PerLayer, fidelity.Score(p, d, noise))
			}
			if nb > 1 {
				for k := range nb {
					row.Batches = append(row.Batches, fidelity.Score(preds[i][k], dls[k], fidelityNoise*max(1, math.Abs(bases[k]))))
				}
				row.BatchMean, row.BatchCI = fidelity.OverBatches(row.Batches, reps, cfg.Seed)
			}
			fs.Rows[i] = row
		})
		for l := range res.Layers {
			c := make([][]float64, n)
			for i := range n {
				c[i] = make([]float64, n)
				for j := range n {
					c[i][j] = fidelity.Cosine(grads[i][l], grads[j][l])
				}
			}
			fs.Cosine = append(fs.Cosine, c)
		}
		res.States = append(res.States, fs)
	}
	res.Elapsed = time.Since(t0)
	return res, nil
}

// fidelityEstimator builds estimator e's network in the state of ref and
// returns its δ at sites on every evaluation batch, its latent gradients on
// the first and on the training batch. The network is dropped on return.
func fidelityEstimator(mc ModelConfig, e estimators.Spec, cfg Config, st fidelityState, ref nn.Layer, evals []fidelity.Batch, train fidelity.Batch, sites []fidelity.Site) (preds [][]float64, grads, tg [][]float32, err error) {
	m, err := mc.build(e, cfg.Seed)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("suite: fidelity: %w", err)
	}
	var ce nn.SoftmaxCrossEntropy
	fidelity.CopyState(&m.Net, ref)
	nn.SetProgress(&m.Net, nn.Progress{Epoch: min(st.epoch(), cfg.Epochs-1), Epochs: cfg.Epochs})
	preds = make([][]float64, len(evals))
	preds[0], grads = fidelity.PredictedGrads(&m.Net, &ce, evals[0], sites)
	for k := 1; k < len(evals); k++ {
		preds[k] = fidelity.Predicted(&m.Net, &ce, evals[k], sites)
	}
	tg = fidelity.LatentGrads(&m.Net, &ce, train)
	return preds, grads, tg, nil
}

// each runs f(i) for i in [0, n) on the worker pool, the calls side by
// side on the cores (each call's own kernels on its goroutine); with one
// core one after another, their kernels on every core.
func each(n int, f func(i int)) {
	parallel.For(n, 1, 1, eachJob(f))
}

type eachJob func(i int)

func (f eachJob) Do(lo, hi int) {
	for i := lo; i < hi; i++ {
		f(i)
	}
}

func cmp0(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// epoch returns the 0-based epoch whose progress the state's estimators
// are set to: the epoch the state starts ("epoch 5" is the state after
// five epochs, which starts the sixth); the caller keeps the final state
// at the last epoch's.
func (s fidelityState) epoch() int {
	e, _ := strconv.Atoi(strings.TrimPrefix(s.name, "epoch "))
	return e
}

// states returns the run configuration and the states spec names.
func (spec FidelitySpec) states() (Config, []fidelityState, string, error) {
	if spec.Run == "" {
		if !spec.Init || spec.Workload == nil {
			return Config{}, nil, "", errors.New("suite: fidelity: no network state: give a run (--run <dir>/<key>.json) or --init")
		}
		if len(spec.Epochs) > 0 && !slices.Equal(spec.Epochs, []int{0}) {
			return Config{}, nil, "", fmt.Errorf("suite: fidelity: epochs %v need a run (--run): --init has the initial state only", spec.Epochs)
		}
		if err := spec.Workload.Validate(); err != nil {
			return Config{}, nil, "", err
		}
		cfg := spec.Workload.config()
		cfg.Seed = spec.Seed
		return cfg, []fidelityState{{name: "epoch 0"}}, spec.Workload.Label(), nil
	}
	if spec.Init {
		return Config{}, nil, "", errors.New("suite: fidelity: --run and --init both given: --run measures its initial state as epoch 0")
	}
	dir, key, err := runKey(spec.Run)
	if err != nil {
		return Config{}, nil, "", fmt.Errorf("suite: fidelity: %w", err)
	}
	rec, err := ReadRecord(dir, key)
	if err != nil {
		return Config{}, nil, "", fmt.Errorf("suite: fidelity: run %s: %w", key, err)
	}
	cfg := rec.Config
	epochs := spec.Epochs
	if len(epochs) == 0 {
		epochs = []int{0, cfg.Epochs}
	}
	var states []fidelityState
	for _, e := range epochs {
		if e < 0 || e > cfg.Epochs {
			return Config{}, nil, "", fmt.Errorf("suite: fidelity: epoch %d is outside the run's 0..%d", e, cfg.Epochs)
		}
		st := fidelityState{name: fmt.Sprintf("epoch %d", e)}
		if e > 0 {
			path := EpochWeightsPath(dir, key, e)
			if e == cfg.Epochs && rec.Status == StatusOK {
				path = WeightsPath(dir, key)
			}
			if _, err := os.Stat(path); err != nil {
				return Config{}, nil, "", fmt.Errorf("suite: fidelity: run %s has no weights after epoch %d (%s): gradbench run --keep-epochs keeps them", key, e, path)
			}
			st.load = func(net nn.Layer) error {
				// The file holds the run's own network, with its estimator's
				// extra parameters: load it into one built like the run, then
				// copy the shared state.
				es, err := cfg.EstimatorSpec()
				if err != nil {
					return err
				}
				train, _, err := OpenDataset(cfg.Dataset, spec.DataDir)
				if err != nil {
					return err
				}
				own, err := cfg.modelConfig(train).build(es, cfg.Seed)
				if err != nil {
					return err
				}
				if err := checkpoint.Load(path, &checkpoint.State{Net: &own.Net}); err != nil {
					return fmt.Errorf("suite: fidelity: %w", err)
				}
				fidelity.CopyState(net, &own.Net)
				return nil
			}
		}
		states = append(states, st)
	}
	return cfg, states, fmt.Sprintf("run %s (%s, seed %d)", key, cfg.Estimator, cfg.Seed), nil
}

// EpochWeightsPath returns where gradbench run --keep-epochs keeps the
// weights of the run with that key after epoch e (1-based).
func EpochWeightsPath(dir, key string, e int) string {
	return filepath.Join(dir, fmt.Sprintf("%s.e%d.weights", key, e))
}

// fidelityBatches returns the first batch of a shuffled pass over the
// training split (seeded, no augmentation), the evaluation batch, and the
// first train images of the next batch, the training batch of a step;
// with nb > 1, the further evaluation batches are the batches after that,
// so that the first two are the same whatever nb is.
func fidelityBatches(ctx context.Context, train *data.Dataset, n, m int, seed uint64, nb int) (evals []fidelity.Batch, step fidelity.Batch, err error) {
	l, err := data.NewLoader(train, data.Config{BatchSize: n, Seed: seed, Shuffle: true, Prefetch: 1})
	if err != nil {
		return nil, step, fmt.Errorf("suite: fidelity: %w", err)
	}
	defer l.Close()
	it := l.Epoch(ctx, 0)
	defer it.Close()
	short := fmt.Errorf("suite: fidelity: the training split has too few images for %d evaluation batches of %d and a training batch", nb, n)
	// next returns the first k images of the next batch: all k for an
	// evaluation batch, up to k for the training batch.
	next := func(k int, eval bool) (fidelity.Batch, error) {
		if !it.Next() {
			if err := it.Err(); err != nil {
				return fidelity.Batch{}, fmt.Errorf("suite: fidelity: %w", err)
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

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// WriteMarkdown writes per state the table estimator × metric with the
// bootstrap intervals, the per-layer correlations and the agreement.
func (r *FidelityResult) WriteMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "#### Gradient fidelity: %s\n\n", r.Label)
	for _, st := range r.States {
		fmt.Fprintf(w, "%s (true loss %.4f):\n\n", st.Name, st.Loss)
		head := []string{"estimator", "Pearson", "95% CI", "Spearman", "95% CI", "sign agreement", "top-k precision", "base rate", "control (last layer) Pearson"}
		if r.Batches > 1 {
			head = append(head, fmt.Sprintf("Pearson, mean of %d batches", r.Batches), "95% CI over batches", fmt.Sprintf("Spearman, mean of %d batches", r.Batches), "95% CI over batches")
		}
		var rows [][]string
		for _, row := range st.Rows {
			o, lo, hi := row.Overall, row.CI.Lo, row.CI.Hi
			last := row.PerLayer[len(row.PerLayer)-1]
			cells := []string{row.Estimator,
				f3(o.Pearson), ci(lo.Pearson, hi.Pearson), f3(o.Spearman), ci(lo.Spearman, hi.Spearman),
				fmt.Sprintf("%s %s", f3(o.Sign), ci(lo.Sign, hi.Sign)),
				fmt.Sprintf("%s %s", f3(o.TopK), ci(lo.TopK, hi.TopK)), f3(o.BaseRate), f3(last.Pearson)}
			if r.Batches > 1 {
				m, blo, bhi := row.BatchMean, row.BatchCI.Lo, row.BatchCI.Hi
				cells = append(cells, f3(m.Pearson), ci(blo.Pearson, bhi.Pearson), f3(m.Spearman), ci(blo.Spearman, bhi.Spearman))
			}
			rows = append(rows, cells)
		}
		if err := mdtable.Write(w, 1, head, rows); err != nil {
			return err
		}
		fmt.Fprintln(w)
		head = []string{"layer"}
		for _, e := range r.Estimators {
			head = append(head, e)
		}
		rows = nil
		for l, path := range r.Layers {
			row := []string{path}
			for _, est := range st.Rows {
				row = append(row, f3(est.PerLayer[l].Pearson))
			}
			rows = append(rows, row)
		}
		fmt.Fprintln(w, "Pearson correlation of δ with ΔL per binary layer (the last is the control):")
		fmt.Fprintln(w)
		if err := mdtable.Write(w, 1, head, rows); err != nil {
			return err
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Agreement: cosine between the estimators' latent gradients, mean over binary layers:")
		fmt.Fprintln(w)
		rows = nil
		mc := meanCosine(st, len(r.Estimators))
		for i, e := range r.Estimators {
			row := []string{e}
			for j := range r.Estimators {
				row = append(row, f3(mc[i][j]))
			}
			rows = append(rows, row)
		}
		head[0] = "estimator"
		if err := mdtable.Write(w, 1, head, rows); err != nil {
			return err
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Descent: true-loss change (and signs flipped) after one step W − η·g on the binary layers' latent weights, g the estimator's gradient on a training batch:")
		fmt.Fprintln(w)
		head = []string{"direction"}
		for _, k := range DescentScales {
			head = append(head, fmt.Sprintf("ΔL at lr×%g", k), "flips")
		}
		head = append(head, "ΔL at matched norm", "flips")
		rows = nil
		step := func(row []string, s fidelity.Step) []string {
			return append(row, fmt.Sprintf("%+.4f", s.DL), strconv.Itoa(s.Flips))
		}
		for i, e := range r.Estimators {
			row := []string{e}
			for _, s := range st.Descent[i] {
				row = step(row, s)
			}
			rows = append(rows, row)
		}
		row := []string{"random (" + r.Estimators[0] + "'s layer norms)"}
		for _, s := range st.Random {
			row = step(row, s)
		}
		rows = append(rows, append(row, "–", "–"))
		if err := mdtable.Write(w, 1, head, rows); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	_, err := fmt.Fprintf(w, "δ = −2b·∂L_E/∂b predicted by each estimator's backward pass, ΔL the exact change of flipping the sign of one binary weight (true loss: sign forward, no noise adaptation, BatchNorm in training mode, on %s), over %d sampled weights per state; 95%% CI: bootstrap percentile intervals over the sampled weights (of the first evaluation batch).%s Sign agreement over the flips with |ΔL| above float noise; top-k precision: of the 10%% of weights predicted to lower the loss most, the fraction that do, against the base rate of all sampled weights. Descent: matched norm is the η with ‖η·g‖ the median over the estimators of ‖lr·g‖; the full-precision layers do not move. Wall time %s.\n",
		"one evaluation batch of training images", r.States[0].Rows[0].Overall.N, overBatches(r.Batches), r.Elapsed.Round(time.Second))
	return err
}

// overBatches says how the intervals over evaluation batches are made.
func overBatches(nb int) string {
	if nb < 2 {
		return ""
	}
	return fmt.Sprintf(" Over batches: the flips and predictions measured again on %d evaluation batches (disjoint batches of one seeded shuffle of the training split: the first is the batch above, the second of the shuffle gives the descent's training batch, the others follow it), each estimator's scores computed per batch, their mean and its bootstrap percentile interval over resamples of the batches with replacement.", nb)
}

func f3(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func ci(lo, hi float64) string {
	if math.IsNaN(lo) {
		return "–"
	}
	return fmt.Sprintf("[%s, %s]", f3(lo), f3(hi))
}

// WriteBench writes the overall scores as Go benchmark-format lines with
// units, one per state and estimator, for benchstat.
func (r *FidelityResult) WriteBench(w io.Writer) error {
	for _, st := range r.States {
		for _, row := range st.Rows {
			o := row.Overall
			name := fmt.Sprintf("BenchmarkFidelity/state=%s/est=%s", strings.ReplaceAll(st.Name, " ", ""), benchName(row.Estimator))
			if _, err := fmt.Fprintf(w, "%s 1 %g pearson %g spearman %g sign-agree %g topk-prec %g base-rate\n", name, o.Pearson, o.Spearman, o.Sign, o.TopK, o.BaseRate); err != nil {
				return err
			}
		}
	}
	return nil
}

// benchName makes an estimator spec safe in a benchmark name (no spaces,
// no slashes that benchfmt reads as sub-benchmark separators).
func benchName(s string) string {
	return strings.NewReplacer(" ", "_", "/", ";", "=", ":").Replace(s)
}

// WriteSVG plots the Pearson correlation per binary layer of the last
// state, one line per estimator.
func (r *FidelityResult) WriteSVG(path string) error {
	st := r.States[len(r.States)-1]
	p := plot.New()
	p.Title.Text = "flip fidelity per binary layer, " + st.Name
	p.X.Label.Text = "binary layer (the last is the control)"
	p.Y.Label.Text = "Pearson corr(δ, ΔL)"
	for i, row := range st.Rows {
		pts := make(plotter.XYs, 0, len(row.PerLayer))
		for l, s := range row.PerLayer {
			if !math.IsNaN(s.Pearson) {
				pts = append(pts, plotter.XY{X: float64(l + 1), Y: s.Pearson})
			}
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("suite: fidelity plot: %w", err)
		}
		line.Color = plotutil.Color(i)
		line.Dashes = plotutil.Dashes(i / len(plotutil.DefaultColors))
		p.Add(line)
		p.Legend.Add(row.Estimator, line)
	}
	p.Legend.Top = true
	return savePlot(p, 6*vg.Inch, 4*vg.Inch, path)
}

// savePlot writes p as an SVG file at path atomically (WriteOutput), so
// that an interrupted write never leaves half a picture.
func savePlot(p *plot.Plot, w, h vg.Length, path string) error {
	wt, err := p.WriterTo(w, h, "svg")
	if err != nil {
		return fmt.Errorf("suite: fidelity plot: %w", err)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return fmt.Errorf("suite: fidelity plot: %w", err)
	}
	return WriteOutput(path, b.Bytes())
}

// WriteFiles writes the result into dir (created if missing): fidelity.md
// (WriteMarkdown), fidelity-bench.txt (WriteBench), fidelity.svg
// (WriteSVG) and fidelity-agreement.svg (WriteAgreementSVG), each
// atomically. It returns the paths written.
func (r *FidelityResult) WriteFiles(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("suite: fidelity: %w", err)
	}
	var written []string
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{"fidelity.md", r.WriteMarkdown}, {"fidelity-bench.txt", r.WriteBench}} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			return written, err
		}
		path := filepath.Join(dir, f.name)
		if err := WriteOutput(path, b.Bytes()); err != nil {
			return written, fmt.Errorf("suite: fidelity: %w", err)
		}
		written = append(written, path)
	}
	for _, f := range []struct {
		name  string
		write func(string) error
	}{{"fidelity.svg", r.WriteSVG}, {"fidelity-agreement.svg", r.WriteAgreementSVG}} {
		path := filepath.Join(dir, f.name)
		if err := f.write(path); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// cosineGrid is the agreement matrix of one state, averaged over the binary
// layers, as a plotter.GridXYZ: column i and row j are estimators i and j.
type cosineGrid [][]float64

func (g cosineGrid) Dims() (c, r int)   { return len(g), len(g) }
func (g cosineGrid) Z(c, r int) float64 { return g[c][r] }
func (g cosineGrid) X(c int) float64    { return float64(c) }
func (g cosineGrid) Y(r int) float64    { return float64(r) }
func (g cosineGrid) Min() float64       { return -1 }
func (g cosineGrid) Max() float64       { return 1 }

// meanCosine returns the cosine matrix of st averaged over its layers.
func meanCosine(st FidelityState, n int) cosineGrid {
	g := make(cosineGrid, n)
	for i := range g {
		g[i] = make([]float64, n)
		for j := range g[i] {
			for l := range st.Cosine {
				g[i][j] += st.Cosine[l][i][j]
			}
			g[i][j] /= float64(len(st.Cosine))
		}
	}
	return g
}

// WriteAgreementSVG draws the agreement matrix of the last state (the
// cosine between the estimators' latent gradients, mean over binary
// layers) as a heat map from −1 (blue) to 1 (red).
func (r *FidelityResult) WriteAgreementSVG(path string) error {
	st := r.States[len(r.States)-1]
	n := len(r.Estimators)
	p := plot.New()
	p.Title.Text = "agreement: cosine of latent gradients, " + st.Name
	p.Add(plotter.NewHeatMap(meanCosine(st, n), moreland.SmoothBlueRed().Palette(255)))
	ticks := make([]plot.Tick, n)
	for i, e := range r.Estimators {
		ticks[i] = plot.Tick{Value: float64(i), Label: e}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Label.Rotation = 0.6
	p.X.Tick.Label.XAlign = -1
	return savePlot(p, 5*vg.Inch, 5*vg.Inch, path)
}
