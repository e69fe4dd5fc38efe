package suite

import (
	"context"
	"testing"
)

// benchFidelityAt runs one fidelity table of the standard study's seven
// estimators at the initial state of the fmnist-10 network (seed 1) at
// the given evaluation batch, weights per stratum and binary layer and
// bootstrap resamples. It uses only FidelitySpec fields that older
// versions of gradbench fidelity have too (EvalBatches, set because each
// count is used as given, since --eval-batches came; MinFidelityReps,
// below, since --bootstrap's minimum came), so that results/fidelity-cost.sh
// can build it against such a commit for A/B comparisons.
func benchFidelityAt(b *testing.B, batch, per, reps int) {
	r, err := LoadRecipe("fmnist-10")
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := OpenDataset(context.Background(), r.Dataset, ""); err != nil {
		b.Skipf("no %s: %v", r.Dataset, err)
	}
	specs := parseSpecs(b, "ste,approxsign,dsq,bnnplus,ede,fda,fda+na")
	spec := FidelitySpec{Init: true, Workload: &Workload{Recipe: *r}, Seed: 1, Estimators: specs, Batch: batch, PerStratum: per, Reps: reps, EvalBatches: 1}
	for b.Loop() {
		if _, err := Fidelity(context.Background(), spec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFidelitySmall is BenchmarkFidelity at a sixteenth of the
// evaluation batch (32) and a quarter of the sample (16 weights per
// stratum and binary layer), 1000 resamples: the flips still take most of
// the time, beside the estimators' passes and the bootstrap, and a run is
// short enough to compare versions A/B with -count 5
// (results/fidelity-cost.sh).
func BenchmarkFidelitySmall(b *testing.B) { benchFidelityAt(b, 32, 16, 1000) }

// BenchmarkFidelityPeak is BenchmarkFidelity with the default evaluation
// batch (512) and so the default networks' buffers, but 2 weights per
// stratum and binary layer and the fewest resamples allowed: the peak
// memory of a table at the defaults (results/fidelity-cost.sh reads the
// maximum resident set size) without the time its flips take.
func BenchmarkFidelityPeak(b *testing.B) { benchFidelityAt(b, 512, 2, MinFidelityReps) }
