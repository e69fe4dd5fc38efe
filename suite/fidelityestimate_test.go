package suite

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/gradbench/gradbench/fidelity"
)

// TestFidelityCostTotal: the expected time counts every kind of work of
// every state, and the flips and descent steps at the measured speed of
// passes side by side on the workers, not one pass's time on every core
// divided by the workers (two cores rarely make a pass twice as fast).
func TestFidelityCostTotal(t *testing.T) {
	ms := time.Millisecond
	c := fidelityCost{build: 2 * ms, gc: 1 * ms, forward: 10 * ms, parallel: 30 * ms, evalPass: 25 * ms, trainPass: 20 * ms, bootRep: ms / 10}
	p := fidelityPlan{states: 2, estimators: 3, batches: 2, sites: 100, work: 51, workers: 2, reps: 200}
	estimator := 2*ms + 2*25*ms + 20*ms + 1*ms                                     // build, the evaluation batches, the training batch, gc
	unflipped := 10*ms + 30*ms/2                                                   // worker 0 on every core, worker 1 beside the flips
	flips := 50 * 30 * ms / 2                                                      // 50 passes of work beside the unflipped ones, two at a time
	descent := 2 * (3*5 + 4) * 30 * ms / (3 + 1)                                   // 4 directions, 2 rounds of whole directions
	bootstrap := 2 * 200 * ms / 10                                                 // 3 estimators on 2 workers: 2 rounds
	state := 3*estimator + 2*(unflipped+flips) + 2*ms + descent + 1*ms + bootstrap // ... clones, gc
	if got, want := c.total(p), 2*state; got < want-time.Microsecond || got > want+time.Microsecond {
		t.Errorf("total %v, want %v", got, want)
	}
	if got, want := p.passes(), 2*(3*3+2*101+3*5+4); got != want {
		t.Errorf("passes %d, want %d", got, want)
	}
	// Each flip at its own layer's cost: they sum to the flips' cost.
	lw := []float64{1, 0.5, 0.25, 0.25}
	var sites []fidelity.Site
	for k := range 100 {
		sites = append(sites, fidelity.Site{Layer: k % 4})
	}
	if got, want := flipWork(lw, sites), 1+25*(1+0.5+0.25+0.25); got != want {
		t.Errorf("flipWork %v, want %v", got, want)
	}
	var sum time.Duration
	for _, s := range sites {
		sum += c.flipIn(p, lw[s.Layer])
	}
	if got, want := sum, time.Duration(p.sites)*c.flip(p); got < want-time.Microsecond || got > want+time.Microsecond {
		t.Errorf("flips one by one %v, want %v", got, want)
	}
	if got, want := c.flipIn(p, 1), 30*ms/2; got != want {
		t.Errorf("a flip in the first layer %v, want a whole pass on one worker of two, %v", got, want)
	}
	// One worker: the flips at one pass on every core.
	p.workers, c.parallel = 1, c.forward
	if got, want := time.Duration(p.sites)*c.flip(p), 50*10*ms; got != want {
		t.Errorf("one worker: flips %v, want %v", got, want)
	}
}

// TestFidelityLeft: the time left starts at the expected time, not at an
// extrapolation from the first passes (the estimators', done before any
// flip: the progress bar's ETA started at minutes for seconds of work),
// and follows the measured speed once a good part of the work is done:
// from half of it on, the measured speed alone.
func TestFidelityLeft(t *testing.T) {
	var c fidelityCost
	s := time.Second
	for _, tc := range []struct {
		done, expected, elapsed, min, max time.Duration
	}{
		{0, 60 * s, 0, 60 * s, 60 * s},
		// The first pass took twice its expected time: a little more left.
		{s / 10, 60 * s, s / 5, 59 * s, 62 * s},
		// Half done as expected.
		{30 * s, 60 * s, 30 * s, 30 * s, 30 * s},
		// Half done at half the speed: about twice the rest.
		{30 * s, 60 * s, 60 * s, 50 * s, 60 * s},
		// Done: nothing left.
		{60 * s, 60 * s, 70 * s, 0, 0},
		// More done than expected (the estimate was short): nothing left,
		// not a negative time.
		{70 * s, 60 * s, 80 * s, 0, 0},
		// The expected time was four times too long (the passes were timed
		// at a moment of load): once half the work is done the time left
		// is the measured pace alone, a quarter of the expected rest, not
		// still 1.4 times it as with a prior that stayed.
		{50 * s, 100 * s, 12*s + s/2, 12*s + s/2, 12*s + s/2},
		// Four times too short: likewise four times the expected rest.
		{50 * s, 100 * s, 200 * s, 200 * s, 200 * s},
		// A fifth done, four times faster than expected: the prior at
		// 0.6 of its weight, 80 s × (5 s + 6 s)/(20 s + 6 s).
		{20 * s, 100 * s, 5 * s, 33*s + 846*time.Millisecond, 33*s + 847*time.Millisecond},
		// A tenth done: 0.8 of it, 90 s × (2.5 s + 8 s)/(10 s + 8 s).
		{10 * s, 100 * s, 2*s + s/2, 52*s + s/2, 52*s + s/2},
		// Nothing expected: nothing left, whatever was done.
		{0, 0, s, 0, 0},
	} {
		if got := c.left(tc.done, tc.expected, tc.elapsed); got < tc.min || got > tc.max {
			t.Errorf("left(done %v of %v, elapsed %v) = %v, want %v..%v", tc.done, tc.expected, tc.elapsed, got, tc.min, tc.max)
		}
	}
}

// TestFidelityBootRepTime: the time estimate's bootstrap resample is one
// resample's time, not that of the few timed together (which made the
// bootstrap's expected time twenty times too long). Timed against
// resamples timed here, with a wide margin: the least of three estimates
// must be below five times the least of three timings here.
func TestFidelityBootRepTime(t *testing.T) {
	r := parseTinyRecipe(t)
	wl := &Workload{Recipe: *r}
	cfg := wl.config()
	cfg.Seed = 1
	train, _, err := OpenDataset(context.Background(), cfg.Dataset, "")
	if err != nil {
		t.Fatal(err)
	}
	pool, _, _ := fidelityImages(cfg, train)
	evals, step, err := fidelityBatches(context.Background(), train, pool, 8, cfg.Batch, 1)
	if err != nil {
		t.Fatal(err)
	}
	mc := cfg.modelConfig(train)
	ref, err := mc.build(parseSpecs(t, "ste")[0], 1)
	if err != nil {
		t.Fatal(err)
	}
	sites := fidelity.Sample(&ref.Net, 16, 1)
	est := time.Duration(math.MaxInt64)
	for range 3 {
		c, err := timeFidelity(context.Background(), mc, cfg, &ref.Net, evals[0], step, sites, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		est = min(est, c.bootRep)
	}
	pred, dl := make([]float64, len(sites)), make([]float64, len(sites))
	for i := range pred {
		pred[i], dl[i] = math.Sin(float64(i)), math.Cos(float64(3*i))
	}
	one := time.Duration(math.MaxInt64)
	const reps = 100
	for range 3 {
		t0 := time.Now()
		fidelity.Bootstrap(pred, dl, fidelityNoise, reps, 1)
		one = min(one, time.Since(t0)/reps)
	}
	if est <= 0 || est > 5*one {
		t.Errorf("estimated %v per bootstrap resample of %d weights, timed %v here", est, len(sites), one)
	}
}
