package suite

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
)

// lateNaNIndicator is the straight-through estimator with an indicator
// (estimators.Indicator) that is NaN at the end of training, p = 1, and
// finite before: the binarized forward pass, and so the loss, never sees
// it, as an estimator registered by a user may measure its latent weights
// with a 0/0 the loss knows nothing of.
type lateNaNIndicator struct {
	estimators.STE
	p float64
}

func (*lateNaNIndicator) Name() string            { return "test-lateind" }
func (e *lateNaNIndicator) SetProgress(p float64) { e.p = p }
func (e *lateNaNIndicator) Indicator(w []float32) (string, float64) {
	if e.p == 1 {
		return "late", math.NaN()
	}
	return "late", float64(len(w))
}

func init() {
	estimators.Register("test-lateind", func(p *estimators.Params) (estimators.Estimator, error) {
		return &lateNaNIndicator{}, p.Err()
	})
}

// TestDivergedOnEpochNumber: an epoch whose loss stayed finite but whose
// recorded numbers did not (here an estimator's indicator, NaN in the last
// epoch) trained to the end and then failed to write its record, "epoch
// 3: indicators.late NaN, want a finite number >= 0": the run's work was
// lost, and running it again failed the same way. The run diverged there,
// as on a non-finite loss: its record says so, by field and value, keeps
// the epochs before, and tables, export and fidelity treat it as any
// diverged run; the sweep goes on.
func TestDivergedOnEpochNumber(t *testing.T) {
	ctx := context.Background()
	s := tinySweep(t, "test-lateind,ste", 1)
	s.Workload.Recipe.Epochs = 3
	dir := t.TempDir()
	recs, err := (&Runner{Dir: dir, KeepEpochs: true}).Run(ctx, s)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	rec := recs[0]
	key := rec.Key
	steps := 32 / 16 // tinyRecipe: 32 training images in batches of 16
	want := Divergence{Epoch: 3, Step: steps, Reason: "indicators.late is NaN after epoch 3"}
	if rec.Status != StatusDiverged || rec.Diverged == nil || *rec.Diverged != want || len(rec.Epochs) != 2 || rec.Final != nil {
		t.Fatalf("record: status %s, divergence %+v, %d epochs, final %+v; want diverged %+v with epochs 1 and 2", rec.Status, rec.Diverged, len(rec.Epochs), rec.Final, want)
	}
	if got := rec.Epochs[1].Indicators["late"]; got <= 0 {
		t.Errorf("epoch 2's indicator %v, want the estimator's finite value", got)
	}
	if recs[1].Status != StatusOK {
		t.Errorf("the sweep did not go on after the diverged run: %+v", recs[1])
	}
	read, err := ReadRecord(dir, key)
	if err != nil || read.Diverged == nil || *read.Diverged != want {
		t.Fatalf("ReadRecord: %+v, %v; want the divergence %+v", read, err, want)
	}
	if segs := read.Segments; len(segs) != 1 || segs[0].FirstEpoch != 1 || segs[0].LastEpoch != 3 {
		t.Errorf("segments %+v, want one of epochs 1..3, the diverging one included", segs)
	}
	for _, p := range []string{WeightsPath(dir, key), EpochWeightsPath(dir, key, 3), CheckpointPath(dir, key)} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the run that diverged in epoch 3 left %s (stat: %v)", p, err)
		}
	}
	for e := 1; e <= 2; e++ {
		if _, err := os.Stat(EpochWeightsPath(dir, key, e)); err != nil {
			t.Errorf("the weights after epoch %d, which the run finished: %v", e, err)
		}
	}
	rs, err := ReadRecords(dir)
	if err != nil || len(rs) != 2 {
		t.Fatalf("ReadRecords = %d records, %v", len(rs), err)
	}
	if table := tableText(t, TableMain, rs, nil); !strings.Contains(table, "| test-lateind |                    – | 0 | 1 (epoch 3) |") {
		t.Errorf("main table does not show the diverged run:\n%s", table)
	}
	_, err = Fidelity(ctx, FidelitySpec{Run: RecordPath(dir, key), Estimators: parseSpecs(t, "ste"), Batch: 8, PerStratum: 2, Reps: MinFidelityReps, EvalBatches: 1})
	wantErr := fmt.Sprintf("suite: fidelity: run %s diverged in epoch 3: it has no weights after epoch 3, nor after any epoch from 3 on; measure the epochs before (--epochs 0, its initial weights)", key)
	if err == nil || err.Error() != wantErr {
		t.Errorf("fidelity: %v, want %s", err, wantErr)
	}
	// Done: running it again trains nothing.
	r := &Runner{Dir: dir, KeepEpochs: true, Progress: func(e Event) {
		if e.Kind == EventStep {
			t.Fatal("a diverged run trained again")
		}
	}}
	if _, err := r.Run(ctx, s); err != nil {
		t.Errorf("Run again over the diverged run: %v", err)
	}
}

// TestDivergedOnEpochNumberResumed: a run resumed from a checkpoint of an
// epoch before the one whose number is not finite diverges there as the
// uninterrupted run does, with the same epochs, divergence and digests,
// and the segments of both processes.
func TestDivergedOnEpochNumberResumed(t *testing.T) {
	s := tinySweep(t, "test-lateind", 1)
	s.Workload.Recipe.Epochs = 3
	whole, resumed := wholeAndResumed(t, s)
	if whole.Status != StatusDiverged || resumed.Diverged == nil || whole.Diverged == nil || *resumed.Diverged != *whole.Diverged || whole.Diverged.Epoch != 3 {
		t.Fatalf("divergence of the resumed run %+v, of the uninterrupted one %+v; want both in epoch 3", resumed.Diverged, whole.Diverged)
	}
	if d := sameNumbers(whole, resumed); d != "" {
		t.Errorf("resumed run differs from an uninterrupted one in %s", d)
	}
	if segs := resumed.Segments; len(segs) != 2 || segs[0].FirstEpoch != 1 || segs[0].LastEpoch != 1 || segs[1].FirstEpoch != 2 || segs[1].LastEpoch != 3 {
		t.Errorf("resumed record's segments = %+v, want epochs 1..1 and 2..3", segs)
	}
}

// TestEpochDivergenceNamesField: whichever number of an epoch is not
// finite, the divergence names it as the record's JSON does, with its
// value, at the end of the epoch's steps; an epoch of finite numbers has
// none.
func TestEpochDivergenceNamesField(t *testing.T) {
	diag := func(edit func(d *Diagnostics)) *Diagnostics {
		d := &Diagnostics{Layers: []LayerDiagnostics{{Name: "2.0.0"}, {Name: "3.0.0"}}}
		edit(d)
		return d
	}
	for _, c := range []struct {
		ep   Epoch
		want string
	}{
		{Epoch{Epoch: 2, Diagnostics: diag(func(d *Diagnostics) { d.Layers[1].GradNorm = math.Inf(1) })}, "diagnostics.layers[1].grad_norm is +Inf after epoch 2"},
		{Epoch{Epoch: 1, Diagnostics: diag(func(d *Diagnostics) { d.GradStability = math.NaN() })}, "diagnostics.grad_stability is NaN after epoch 1"},
		{Epoch{Epoch: 4, FlipRatio: math.NaN()}, "flip_ratio is NaN after epoch 4"},
		{Epoch{Epoch: 3, Indicators: map[string]float64{"b": math.Inf(-1), "a": 1}}, "indicators.b is -Inf after epoch 3"},
		{Epoch{Epoch: 3, Indicators: map[string]float64{"a": 1}, Diagnostics: diag(func(*Diagnostics) {})}, ""},
	} {
		div := epochDivergence(c.ep, 7)
		switch {
		case c.want == "" && div != nil:
			t.Errorf("epoch of finite numbers: divergence %+v", div)
		case c.want != "" && (div == nil || *div != Divergence{Epoch: c.ep.Epoch, Step: 7, Reason: c.want}):
			t.Errorf("divergence %+v, want %q at epoch %d step 7", div, c.want, c.ep.Epoch)
		}
	}
}

// TestImagesPerSecZeroTime: an epoch the clock says took 0 s (Go's
// monotonic clock on Windows advances by the timer tick) has no
// throughput a record can hold: refused, by epoch, not recorded as a
// divergence of a network whose numbers are finite.
func TestImagesPerSecZeroTime(t *testing.T) {
	if v, err := imagesPerSec(32, 0.5, 1); err != nil || v != 64 {
		t.Errorf("imagesPerSec(32 images, 0.5 s) = %v, %v; want 64", v, err)
	}
	_, err := imagesPerSec(32, 0, 3)
	want := "epoch 3 trained 32 images in 0 s by this machine's clock, which does not tick that finely: its images/s cannot be measured, and a record holds no infinity; train more images per epoch (a larger train_subset or dataset)"
	if err == nil || err.Error() != want {
		t.Errorf("imagesPerSec(32 images, 0 s): %v\nwant %s", err, want)
	}
}
