package suite

import (
	"context"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/fidelity"
	"github.com/gradbench/gradbench/nn"
)

// A fidelityPlan counts the work of a fidelity measurement: its states,
// estimators, evaluation batches, sampled weights, the flips' work in
// whole passes (flipWork, the unflipped pass included), the workers
// the flips and descent steps are split over and the bootstrap resamples.
type fidelityPlan struct {
	states, estimators, batches, sites int
	work                               float64
	workers, reps                      int
}

// descentPasses are the forward passes of one state's descent steps: per
// estimator the unmoved network and the steps at DescentScales and at the
// matched norm, and the unmoved network and DescentScales' steps along
// the random direction.
func (p fidelityPlan) descentPasses() int {
	return p.estimators*(len(DescentScales)+2) + len(DescentScales) + 1
}

// passes counts every network pass of the measurement, as Progress counts
// them: per state and estimator one forward and backward pass per
// evaluation batch and one on the training batch; per evaluation batch the
// unflipped pass and one per sampled weight; the descent steps.
func (p fidelityPlan) passes() int {
	return p.states * (p.estimators*(p.batches+1) + p.batches*(p.sites+1) + p.descentPasses())
}

// fidelityCost holds the times of the kinds of work of a fidelity
// measurement, each timed on the network measured (timeFidelity): the
// passes the flips are costed from three times, the others once.
type fidelityCost struct {
	build time.Duration // building a network
	gc    time.Duration // one runtime.GC, after each estimator and state
	// forward is one true-loss pass on an evaluation batch, its kernels on
	// every core; parallel the wall time of such passes on every worker
	// at once, each on one core, as the flips and descent steps run.
	forward, parallel time.Duration
	// evalPass and trainPass are an estimator's forward and backward
	// passes on an evaluation batch and on the training batch, their
	// kernels on every core.
	evalPass, trainPass time.Duration
	bootRep             time.Duration // one bootstrap resample of one estimator's scores
}

// timeFidelity times each kind of work of a measurement of the network
// ref on eval and train, with workers workers as Fidelity runs them (build
// is the time a network took to build). It leaves ref's state as it was.
func timeFidelity(ctx context.Context, mc ModelConfig, cfg Config, ref nn.Layer, eval, train fidelity.Batch, sites []fidelity.Site, build time.Duration, workers int) (fidelityCost, error) {
	c := fidelityCost{build: build}
	var ce nn.SoftmaxCrossEntropy
	fidelity.TrueLoss(ref, &ce, eval) // sizes the buffers
	c.forward = medianTime(func() { fidelity.TrueLoss(ref, &ce, eval) })
	// The estimators' networks are new, their buffers sized by their first
	// pass: these are timed as they come.
	t := time.Now()
	fidelity.Predicted(ref, &ce, eval, sites)
	c.evalPass = time.Since(t)
	t = time.Now()
	fidelity.LatentGrads(ref, &ce, train)
	c.trainPass = time.Since(t)
	c.parallel = c.forward
	if workers > 1 {
		// One pass on each worker at once, as the flips run: the cores
		// rarely give workers times one core's speed.
		ws := []nn.Layer{ref}
		for range workers - 1 {
			m, err := mc.build(estimators.MustParse("ste"), cfg.Seed)
			if err != nil {
				return c, wrapErr("suite: fidelity", err)
			}
			fidelity.CopyState(&m.Net, ref)
			ws = append(ws, &m.Net)
		}
		losses := make([]nn.SoftmaxCrossEntropy, workers)
		pass := func(i int) { fidelity.TrueLoss(ws[i], &losses[i], eval) }
		each(workers, pass) // sizes the clones' buffers
		c.parallel = medianTime(func() { each(workers, pass) })
	}
	t = time.Now()
	runtime.GC()
	c.gc = time.Since(t)
	// The bootstrap on made-up scores of as many weights, a few resamples.
	pred, dl := make([]float64, len(sites)), make([]float64, len(sites))
	for i := range pred {
		pred[i], dl[i] = math.Sin(float64(i)), math.Cos(float64(3*i))
	}
	const reps = 20
	t = time.Now()
	if _, err := fidelity.BootstrapContext(ctx, pred, dl, fidelityNoise, reps, cfg.Seed); err != nil {
		return c, err
	}
	c.bootRep = time.Since(t) / reps
	return c, ctx.Err()
}

// timings is how many times medianTime times the passes the flips are
// costed from: on a machine shared with other work one timing can catch a
// moment of load (or of quiet) and make the estimate several times too
// long or too short; the median of a few does not follow one outlier.
const timings = 3

// medianTime returns the median wall time of timings runs of f.
func medianTime(f func()) time.Duration {
	ts := make([]time.Duration, timings)
	for i := range ts {
		t := time.Now()
		f()
		ts[i] = time.Since(t)
	}
	slices.Sort(ts)
	return ts[len(ts)/2]
}

// perWorker is the wall time of n passes split over the plan's workers.
func (c fidelityCost) perWorker(p fidelityPlan, n float64) time.Duration {
	return time.Duration(n / float64(p.workers) * float64(c.parallel))
}

// estimator is one estimator's work at one state: its network, its passes
// on every evaluation batch and on the training batch, and the collection
// after it.
func (c fidelityCost) estimator(p fidelityPlan) time.Duration {
	return c.build + time.Duration(p.batches)*c.evalPass + c.trainPass + c.gc
}

// unflipped is an evaluation batch's unflipped passes: the first worker's
// on every core, the others' side by side with the flips.
func (c fidelityCost) unflipped(p fidelityPlan) time.Duration {
	return c.forward + c.perWorker(p, float64(p.workers-1))
}

// flip is one flip's share of the flips' partial passes.
func (c fidelityCost) flip(p fidelityPlan) time.Duration {
	if p.sites == 0 {
		return 0
	}
	return c.perWorker(p, (p.work-1)/float64(p.sites))
}

// flipIn is the cost of one flip whose run is work of a whole pass
// (fidelity.LayerWork of its layer): the flips' costs sum to those of
// flip, which is their mean.
func (c fidelityCost) flipIn(p fidelityPlan, work float64) time.Duration {
	return c.perWorker(p, work)
}

// flipWork is the flips' work at sites in whole passes, the unflipped
// pass included, from the layers' work (fidelity.LayerWork).
func flipWork(layerWork []float64, sites []fidelity.Site) float64 {
	w := 1.0
	for _, s := range sites {
		w += layerWork[s.Layer]
	}
	return w
}

// clones is building the workers' networks at each state.
func (c fidelityCost) clones(p fidelityPlan) time.Duration {
	return time.Duration(p.workers-1) * c.build
}

// descent is the descent steps of one state: whole directions go to the
// workers, so the slowest takes ⌈directions/workers⌉ of them.
func (c fidelityCost) descent(p fidelityPlan) time.Duration {
	dirs := p.estimators + 1
	rounds := (dirs + p.workers - 1) / p.workers
	return time.Duration(float64(rounds) / float64(dirs) * float64(p.descentPasses()) * float64(c.parallel))
}

// bootstrap is the scores' intervals at one state: the estimators side by
// side on the workers, reps resamples each.
func (c fidelityCost) bootstrap(p fidelityPlan) time.Duration {
	rounds := (p.estimators + p.workers - 1) / p.workers
	return time.Duration(rounds*p.reps) * c.bootRep
}

// state is all the work of one state.
func (c fidelityCost) state(p fidelityPlan) time.Duration {
	return time.Duration(p.estimators)*c.estimator(p) +
		time.Duration(p.batches)*(c.unflipped(p)+time.Duration(p.sites)*c.flip(p)) +
		c.clones(p) + c.descent(p) + c.gc + c.bootstrap(p)
}

// total is the expected time of the whole measurement.
func (c fidelityCost) total(p fidelityPlan) time.Duration {
	return time.Duration(p.states) * c.state(p)
}

// left is the time left expected when the work done so far, whose
// expected time is done of expected, took elapsed: the expected time of
// the work left, times the ratio of elapsed to done. The ratio starts at
// 1, as if a tenth of the measurement had gone as expected, so that the
// first passes (the estimators', whose time varies most) do not swing it;
// that prior fades out as the work is done and is gone once half of it is
// (priorUntil), so that from there on the time left is the measured pace
// alone: the expected time comes from passes timed just before the
// measurement, which on a loaded machine can be several times off, and a
// prior that stayed kept the ETA off for most of the run. It fades over
// half the work, not less: the flips are counted at their mean cost, but
// those in the first layers cost whole passes and those in the last almost
// none, so the measured pace swings within each evaluation batch.
func (c fidelityCost) left(done, expected, elapsed time.Duration) time.Duration {
	rest := max(expected-done, 0)
	if expected <= 0 {
		return rest
	}
	prior := time.Duration(float64(expected) / 10 * max(0, 1-float64(done)/(float64(expected)*priorUntil)))
	if done+prior <= 0 {
		return rest
	}
	return time.Duration(float64(rest) * float64(elapsed+prior) / float64(done+prior))
}

// priorUntil is the fraction of the expected work after which left
// extrapolates from the measured pace alone.
const priorUntil = 0.5
