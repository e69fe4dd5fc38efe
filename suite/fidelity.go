package suite

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/fidelity"
	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
)

// FidelitySpec says what gradbench fidelity measures (see package
// fidelity): on which network states, for which estimators, how. Fidelity
// checks it (the command's requests are FidelityRequest, which resolves
// into one); its refusals name the flags of gradbench fidelity that set
// each field.
type FidelitySpec struct {
	// Run names a run by its record <dir>/<key>.json or its weights
	// <dir>/<key>.weights: its configuration gives the network and data,
	// its saved weights the states. Empty with Init set: the initial state
	// of Workload's network with Seed (>= 1), which also draws the
	// evaluation batches and the sampled weights.
	Run      string
	Init     bool
	Workload *Workload
	Seed     uint64
	// Epochs lists the states of Run: 0 is the initial weights, e the
	// weights after epoch e (the last epoch's are the run's final weights;
	// others need gradbench run --keep-epochs). Empty means 0 and the last;
	// an epoch listed twice is refused.
	Epochs     []int
	Estimators []estimators.Spec
	// Batch is the evaluation batch size (at least 2), PerStratum the
	// sampled weights per stratum and binary layer (at least 1), Reps the
	// bootstrap resamples (MinFidelityReps to MaxFidelityReps). Each is used as
	// given: 0 is refused like any value out of range, not taken for a
	// default (FidelityRequest fills in the defaults of the counts not
	// given).
	Batch, PerStratum, Reps int
	// EvalBatches is the number of evaluation batches (at least 1): the
	// flips and the predictions are measured on each, and the scores get a
	// bootstrap interval over the batches besides the one over the sampled
	// weights. Each batch costs as much as the first.
	EvalBatches int
	// DataDir is where the training split is read from (empty: the
	// dataset's search order); the test split is not read.
	DataDir string
	// Typed holds the flags' values as typed (cli.Typed), which the
	// refusals made once the run and the data are read quote: an epoch
	// past the run's (Typed["epochs"], the list as --epochs took it), a
	// batch larger than the images. nil: in Go's formatting.
	Typed Typed
	// Start, if set, is called once the cost of each kind of network pass
	// is known, with the number of passes of every kind (the estimators'
	// forward and backward passes, the flips, the descent steps) and the
	// expected time of the whole measurement; Progress after every pass,
	// with the passes done, all passes, and the time left expected: the
	// expected time of the work left, weighted by its cost, scaled by how
	// the work done so far compared with its expected time (see
	// fidelityCost.left).
	Start    func(passes int, expected time.Duration)
	Progress func(done, total int, left time.Duration)
	// Finished, if set, is called as each unit of the work that takes
	// long enough to be told apart in a log ends, with what it was
	// ("epoch 5: the flips on evaluation batch 1 of 2", "epoch 5
	// measured, state 2 of 2") and Progress's numbers then: each tenth
	// of the flips of an evaluation batch ("epoch 5: 40% of the flips on
	// evaluation batch 1 of 2"), the flips of each evaluation batch of a
	// state (the bulk of the time) and each state as a whole. A log
	// (gradbench fidelity where stderr is no terminal) gets a line per
	// unit, not per pass.
	Finished func(unit string, done, total int, left time.Duration)
}

// Defaults of the counts of a FidelityRequest, the flags' defaults.
const (
	DefaultFidelityBatch      = 512
	DefaultFidelityPerStratum = 64
	DefaultFidelityReps       = 1000
	DefaultFidelityBatches    = 1
	// MinFidelityReps is the fewest bootstrap resamples taken. A 95%
	// percentile interval's ends are the empirical 2.5% and 97.5% points
	// of the resampled scores: below 40 resamples they are the smallest
	// and the largest resample (the interval is the resamples' range,
	// whose coverage grows with their number), and an end set by one or
	// two resamples in its tail moves with each. 200 is the fewest that
	// put 2.5% of the resamples, 5, at or beyond each end: the ends are
	// then the 5th smallest and the 6th largest.
	MinFidelityReps = 200
	// MaxFidelityReps is the most bootstrap resamples taken. Each
	// resample's scores are kept until their percentiles are taken: 4
	// float64 per resample and estimator (32 bytes), 5 more (40) with
	// --eval-batches 2 or more, and the estimators are resampled at once,
	// so memory grows with the count: 1e8 took over 3 GB. At this bound
	// that is 32 MB (72 MB) per estimator, up to twice that while the
	// kept scores grow, and an interval's ends are already far more
	// precise than the sampled weights let the interval itself be (their
	// Monte Carlo error shrinks as 1/√resamples).
	MaxFidelityReps = 1_000_000
)

// FidelityResult holds the measurements of every state.
type FidelityResult struct {
	Label string
	// Layers names the binary layers as gradbench models does
	// (models.Model.LayerName, such as "stage1.block0.unit0.conv"), in
	// the order of fidelity.Layers.
	Layers []string
	// PerStratum is the sample asked for per stratum and binary layer;
	// Sampled[l] the weights layer l gave each stratum: PerStratum, or
	// all of the stratum where it holds fewer (the layer's weights, or
	// its tenth of smallest |w|). Every state samples the same numbers.
	PerStratum int
	Sampled    []LayerSample
	Estimators []string
	Batches    int // evaluation batches
	// Initial lists the estimators with trainable state of their own
	// (learnable scalars, noise-adaptation weights) measured on trained
	// states of a run trained with another spec: the run's weights hold
	// none of that state, so they are measured with the values their
	// network starts with (the run's seed's), not trained ones. An
	// estimator that is the run's own spec is measured with the run's
	// trained state and is not listed.
	Initial []InitialState `json:",omitempty"`
	States  []FidelityState
	Elapsed time.Duration
}

// An InitialState names an estimator measured with its trainable state at
// its initial values, and that state's parameters (per binary layer, such
// as "na.a.w1" or "est.a.alpha").
type InitialState struct {
	Estimator string
	Params    []string
}

// noteInitial adds to r.Initial that estimator e was measured with the
// parameters at paths (path/name, as fidelity.CopyState names them) at
// their initial values, once per estimator.
func (r *FidelityResult) noteInitial(e string, paths []string) {
	if slices.ContainsFunc(r.Initial, func(s InitialState) bool { return s.Estimator == e }) {
		return
	}
	var names []string
	for _, p := range paths {
		if i := strings.LastIndexByte(p, '/'); i >= 0 {
			p = p[i+1:]
		}
		names = append(names, p)
	}
	slices.Sort(names)
	r.Initial = append(r.Initial, InitialState{e, slices.Compact(names)})
}

// A LayerSample is how many weights of one binary layer were sampled
// uniformly and among its 10% smallest |w|, and how many each stratum
// holds.
type LayerSample struct {
	Uniform, Small     int
	UniformOf, SmallOf int
}

// Short reports whether a stratum of the layer held fewer weights than
// per, the sample asked for, and gave all it holds.
func (s LayerSample) Short(per int) bool { return s.Uniform < per || s.Small < per }

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
	// Initial: the estimator was measured at this trained state with its
	// own trainable state at the values it starts with (it is listed in
	// FidelityResult.Initial); every output of the state says so.
	Initial bool `json:",omitempty"`
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

// flipNoise is the noise threshold of the flips' changes on a batch whose
// true loss is loss: fidelityNoise relative to a loss of at least 1.
func flipNoise(loss float64) float64 { return fidelityNoise * max(1, math.Abs(loss)) }

// descentSteps returns the directions and learning rates of one state's
// descent steps, given the estimators' latent gradients tg on the training
// batch and the recipe's learning rate lr: along each estimator's gradient
// at lr times DescentScales and at the η whose step norm is the median of
// the estimators' step norms at lr (0 for a zero gradient), then along a
// random direction with the first estimator's layer norms, at lr times
// DescentScales.
func descentSteps(lr float64, seed uint64, tg [][][]float32) (dirs [][][]float32, etas [][]float64) {
	var norms []float64
	for _, g := range tg {
		norms = append(norms, lr*fidelity.Norm(g))
	}
	target := median(norms)
	scaled := func() []float64 {
		e := make([]float64, 0, len(DescentScales)+1)
		for _, k := range DescentScales {
			e = append(e, k*lr)
		}
		return e
	}
	for _, g := range tg {
		e := scaled()
		if n := fidelity.Norm(g); n > 0 {
			e = append(e, target/n)
		} else {
			e = append(e, 0)
		}
		dirs, etas = append(dirs, g), append(etas, e)
	}
	return append(dirs, fidelity.RandomLike(tg[0], seed)), append(etas, scaled())
}

// Fidelity measures every estimator on every state of spec. Of the
// dataset it reads the training split alone (from spec.DataDir when set),
// never the test split: with spec.Run, a record whose digest of the
// training split (Record.Data) is not that of the split read now is
// refused, and its test split's digest is not compared. A record without
// data digests is measured unchecked.
func Fidelity(ctx context.Context, spec FidelitySpec) (*FidelityResult, error) {
	t0 := time.Now()
	if err := spec.check(); err != nil {
		return nil, err
	}
	batch, per, reps, nb := spec.Batch, spec.PerStratum, spec.Reps, spec.EvalBatches
	cfg, states, label, rec, err := spec.states()
	if err != nil {
		return nil, err
	}
	// An estimator measured on a run trained with it (the same canonical
	// spec) is measured with its trained state (fidelityEstimator).
	var runSpec string
	if spec.Run != "" {
		if es, err := cfg.EstimatorSpec(); err == nil {
			runSpec = es.String()
		}
	}
	isRunSpec := func(e estimators.Spec) bool { return runSpec != "" && e.String() == runSpec }
	// Each estimator is measured at the progress of each state's epoch
	// (fidelityEstimator): one whose formula fails there is refused now,
	// by name, rather than when its state comes.
	for _, e := range spec.Estimators {
		for _, st := range states {
			if err := (nn.Binary{Estimator: e}).CheckProgress(fidelityProgress(st, cfg)); err != nil {
				return nil, fmt.Errorf("suite: fidelity: estimator %s, state %q: %w", e.Typed(), st.name, err)
			}
		}
	}
	// Fidelity reads the training split alone: the batches it measures on
	// are drawn from it, and the network is built for its shape and
	// classes. The test split is neither read nor measured on (the weights
	// a run's evaluations on it did not change), so a missing or other test
	// split does not stop it.
	train, err := openTrainSplit(ctx, cfg.Dataset, spec.DataDir)
	if err != nil {
		return nil, wrapErr("suite: fidelity", err)
	}
	// A run whose record says it was trained on another training split
	// (files its key does not tell apart) is refused; its test split's
	// digest is not compared, that split not being read. A record without
	// data digests is measured unchecked.
	if rec != nil && rec.Data != nil {
		if d := rec.Data.trainDiffers(train.Digest()); d != "" {
			dir, _, _ := runKey(spec.Run)
			return nil, fmt.Errorf("suite: fidelity: record %s of run %s was trained on other data than the %s files read now: its %s; give the files it was trained on (--data), or train the run again on these files",
				RecordPath(dir, rec.Key), rec.Key, cfg.Dataset, d)
		}
	}
	pool, n, what := fidelityImages(cfg, train)
	switch {
	case batch > n:
		return nil, fmt.Errorf("suite: fidelity: --batch %s is more than the %d %s: want at most %d, which leaves one for the training batch after it", spec.Typed.of("batch", batch), n, what, n-1)
	case batch == n:
		return nil, fmt.Errorf("suite: fidelity: --batch %s takes all the %d %s, leaving none for the training batch after it: want at most %d", spec.Typed.of("batch", batch), n, what, n-1)
	}
	if nb > 1 && (nb+1)*batch > n {
		return nil, fmt.Errorf("suite: fidelity: --eval-batches %s with --batch %s: the evaluation batches and the batch between the first two (the training batch's) need %d images, more than the %d %s",
			spec.Typed.of("eval-batches", nb), spec.Typed.of("batch", batch), (nb+1)*batch, n, what)
	}
	evals, trainBatch, err := fidelityBatches(ctx, train, pool, batch, cfg.Batch, nb)
	if err != nil {
		return nil, err
	}
	eval := evals[0]
	mc := cfg.modelConfig(train)
	ref, err := mc.build(estimators.MustParse("ste"), cfg.Seed)
	if err != nil {
		return nil, wrapErr("suite: fidelity", err)
	}
	res := &FidelityResult{Label: label, Layers: binaryLayerNames(ref), Batches: nb}
	for _, s := range spec.Estimators {
		res.Estimators = append(res.Estimators, s.String())
	}
	tb := time.Now()
	init, err := mc.build(estimators.MustParse("ste"), cfg.Seed)
	if err != nil {
		return nil, wrapErr("suite: fidelity", err)
	}
	buildTime := time.Since(tb)
	workers := parallel.Workers()
	var ce nn.SoftmaxCrossEntropy
	sites := fidelity.Sample(&ref.Net, per, cfg.Seed)
	res.PerStratum = per
	res.Sampled = make([]LayerSample, len(res.Layers))
	for l, n := range fidelity.StratumSizes(&ref.Net) {
		res.Sampled[l].UniformOf, res.Sampled[l].SmallOf = n[0], n[1]
	}
	for _, s := range sites {
		if s.Stratum == fidelity.SmallAbs {
			res.Sampled[s.Layer].Small++
		} else {
			res.Sampled[s.Layer].Uniform++
		}
	}
	cost, err := timeFidelity(ctx, mc, cfg, &ref.Net, evals[0], trainBatch, sites, buildTime, workers)
	if err != nil {
		return nil, err
	}
	layerWork := fidelity.LayerWork(&ref.Net, evals[0])
	plan := fidelityPlan{states: len(states), estimators: len(spec.Estimators), batches: nb, sites: len(sites),
		work: flipWork(layerWork, sites), workers: workers, reps: reps}
	total := plan.passes()
	expected := cost.total(plan)
	if spec.Start != nil {
		spec.Start(total, expected)
	}
	start := time.Now()
	done := 0
	var doneCost time.Duration
	step := func(passes int, c time.Duration) {
		done += passes
		doneCost += c
		if spec.Progress != nil {
			spec.Progress(done, total, cost.left(doneCost, expected, time.Since(start)))
		}
	}
	finished := func(format string, args ...any) {
		if spec.Finished != nil {
			spec.Finished(fmt.Sprintf(format, args...), done, total, cost.left(doneCost, expected, time.Since(start)))
		}
	}
	for si, st := range states {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// own is the run's own network in a trained state, kept while the
		// estimators are measured when one of them is the run's spec: its
		// trained estimator state goes into that estimator's network.
		var own nn.Layer
		if st.own != nil {
			o, err := st.own(train)
			if err != nil {
				return nil, err
			}
			fidelity.CopyState(&ref.Net, o)
			if slices.ContainsFunc(spec.Estimators, isRunSpec) {
				own = o
			}
		} else {
			fidelity.CopyState(&ref.Net, &init.Net)
		}
		sites := fidelity.Sample(&ref.Net, per, cfg.Seed)
		// Each flip counted at its own cost, not the mean: the sites go to
		// the workers in layer order, and a flip in the first layers costs
		// a whole pass, one in the last almost nothing.
		//
		// The flips are nearly all of a state's time: a log gets a line at
		// each tenth of them (of the evaluation batch under way), not
		// only once they are done, which for one state (--init) was
		// the first line after the expected time.
		batch, flipped, tenth := 0, 0, 0
		progress := func(k int) {
			step(1, cost.flipIn(plan, layerWork[sites[k].Layer]))
			flipped++
			if t := flipped * 10 / len(sites); t > tenth && flipped < len(sites) {
				tenth = t
				finished("%s: %d%% of the flips on evaluation batch %d of %d", st.name, flipped*100/len(sites), batch+1, nb)
			}
		}
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
		initialAt := make([]bool, n)
		for i := range n {
			var from nn.Layer
			if isRunSpec(spec.Estimators[i]) {
				from = own // nil in the initial state: the estimator's own is its initial state
			}
			var initial []string
			if preds[i], grads[i], tg[i], initial, err = fidelityEstimator(mc, spec.Estimators[i], cfg, st, &ref.Net, from, evals, trainBatch, sites); err != nil {
				return nil, err
			}
			if st.own != nil && len(initial) > 0 {
				res.noteInitial(res.Estimators[i], initial)
				initialAt[i] = true
			}
			// Its network is unreachable once fidelityEstimator has
			// returned: free its buffers before the next one's.
			runtime.GC()
			step(nb+1, cost.estimator(plan))
		}
		// The flips and the descent steps: the reference network and one
		// clone per further core, dropped after.
		ws := []fidelity.Worker{{Net: &ref.Net, Loss: &ce}}
		for range workers - 1 {
			c, err := mc.build(estimators.MustParse("ste"), cfg.Seed)
			if err != nil {
				return nil, wrapErr("suite: fidelity", err)
			}
			fidelity.CopyState(&c.Net, &ref.Net)
			ws = append(ws, fidelity.Worker{Net: &c.Net, Loss: new(nn.SoftmaxCrossEntropy)})
		}
		bases := make([]float64, nb)
		dls := make([][]float64, nb)
		for k := range nb {
			batch, flipped, tenth = k, 0, 0
			if bases[k], dls[k], err = fidelity.TrueChangesEach(ctx, ws, evals[k], sites, progress); err != nil {
				return nil, err
			}
			c := cost.unflipped(plan)
			if k == 0 {
				c += cost.clones(plan)
			}
			step(1, c)
			finished("%s: the flips on evaluation batch %d of %d", st.name, k+1, nb)
			// A loss that is not finite leaves no change to measure, and
			// no noise threshold (fidelity.Score refuses a NaN or infinite
			// one, in a goroutine of each): refuse the state here.
			if b := bases[k]; math.IsNaN(b) || math.IsInf(b, 0) {
				return nil, fmt.Errorf("suite: fidelity: %s: the network's loss on evaluation batch %d is %v: its outputs are not finite, so no flip's change to the loss can be measured; measure another state (--epochs)", st.name, k+1, b)
			}
		}
		base, dl := bases[0], dls[0]
		fs := FidelityState{Name: st.name, Loss: base}
		dirs, etas := descentSteps(cfg.LR, cfg.Seed, tg)
		steps := fidelity.DescentOn(ws, eval, dirs, etas)
		step(plan.descentPasses(), cost.descent(plan))
		fs.Descent, fs.Random = steps[:n], steps[n]
		ws = nil
		runtime.GC()
		// The scores, with their intervals over the sampled weights (first
		// batch) and over the evaluation batches.
		fs.Rows = make([]FidelityRow, n)
		errs := make([]error, n)
		each(n, func(i int) {
			pred := preds[i][0]
			noise := flipNoise(base)
			row := FidelityRow{Estimator: res.Estimators[i], Overall: fidelity.Score(pred, dl, noise), Initial: initialAt[i]}
			if row.CI, errs[i] = fidelity.BootstrapContext(ctx, pred, dl, noise, reps, cfg.Seed); errs[i] != nil {
				return
			}
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
					row.Batches = append(row.Batches, fidelity.Score(preds[i][k], dls[k], flipNoise(bases[k])))
				}
				if row.BatchMean, row.BatchCI, errs[i] = fidelity.OverBatchesContext(ctx, row.Batches, reps, cfg.Seed); errs[i] != nil {
					return
				}
			}
			fs.Rows[i] = row
		})
		for _, err := range errs {
			if err != nil {
				return nil, err // ctx's, the same for every estimator
			}
		}
		doneCost += cost.gc + cost.bootstrap(plan) // no pass: counted for the next one's time left
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
		finished("%s measured, state %d of %d", st.name, si+1, len(states))
	}
	res.Elapsed = time.Since(t0)
	return res, nil
}

// fidelityImages returns the images of train the batches of a run with
// configuration cfg come from, those the run trains on (its training
// subset, less the validation split a learning-rate grid holds out), as a
// loader's configuration, their number and words naming them for a
// refusal.
func fidelityImages(cfg Config, train *data.Dataset) (pool data.Config, n int, what string) {
	pool = TrainImages(cfg, train)
	n, what = train.N-pool.Holdout, fmt.Sprintf("training images of %s", cfg.Dataset)
	if pool.Holdout > 0 {
		what += fmt.Sprintf(" that the run's validation split (%d images) leaves", pool.Holdout)
	}
	if pool.Subset > 0 && pool.Subset < n {
		n, what = pool.Subset, fmt.Sprintf("images of the run's train_subset of %s", cfg.Dataset)
	}
	return pool, n, what
}

// fidelityEstimator builds estimator e's network in the state of ref and
// returns its δ at sites on every evaluation batch, its latent gradients on
// the first and on the training batch. The network is dropped on return.
//
// ref is a network of the plain sign estimator: it lacks e's own trainable
// state (learnable scalars, noise-adaptation weights). With own, the run's
// own network in the state, whose spec e is, that state is the trained
// one, copied from own; without, it keeps the values e's network starts
// with (cfg.Seed's), whose parameter names are returned in initial.
func fidelityEstimator(mc ModelConfig, e estimators.Spec, cfg Config, st fidelityState, ref, own nn.Layer, evals []fidelity.Batch, train fidelity.Batch, sites []fidelity.Site) (preds [][]float64, grads, tg [][]float32, initial []string, err error) {
	m, err := mc.build(e, cfg.Seed)
	if err != nil {
		return nil, nil, nil, nil, wrapErr("suite: fidelity", err)
	}
	var ce nn.SoftmaxCrossEntropy
	initial = fidelity.CopyState(&m.Net, ref)
	if own != nil && len(initial) > 0 {
		// Built with the same spec, model and seed, own has every
		// parameter of m under the same path and name.
		if left := fidelity.CopyState(&m.Net, own); len(left) > 0 {
			return nil, nil, nil, nil, fmt.Errorf("suite: fidelity: estimator %s, state %q: the run's own network lacks %s, so its trained estimator state cannot be measured", e, st.name, strings.Join(left, ", "))
		}
		initial = nil
	}
	nn.SetProgress(&m.Net, fidelityProgress(st, cfg))
	preds = make([][]float64, len(evals))
	preds[0], grads = fidelity.PredictedGrads(&m.Net, &ce, evals[0], sites)
	for k := 1; k < len(evals); k++ {
		preds[k] = fidelity.Predicted(&m.Net, &ce, evals[k], sites)
	}
	tg = fidelity.LatentGrads(&m.Net, &ce, train)
	return preds, grads, tg, initial, nil
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

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// fidelityProgress is the training progress at which the estimators are
// measured on state st: that of its epoch (the last one's after training).
func fidelityProgress(st fidelityState, cfg Config) nn.Progress {
	return nn.Progress{Epoch: min(st.epoch(), cfg.Epochs-1), Epochs: cfg.Epochs}
}

// binaryLayerNames names the binary layers of m, in the order of
// fidelity.Layers, by the names of its summary (gradbench models), not by
// their nn.Walk paths such as "2.0.0", which no report explains.
func binaryLayerNames(m *models.Model) []string {
	paths := fidelity.Layers(&m.Net)
	names := make([]string, len(paths))
	for i, p := range paths {
		n, ok := m.LayerName(p)
		if !ok {
			n = p // not a network Build made: its path is all there is
		}
		names[i] = n
	}
	return names
}
