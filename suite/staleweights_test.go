package suite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRunRemovesWeightsOfEarlierAttempts: weights files that an earlier
// attempt of a run left, <key>.e<epoch>.weights and <key>.weights, were
// kept beside the record of a run that trained from scratch, and
// gradbench fidelity --epochs (or export) took them for this run's: they
// carry the run's key and epoch, which is all loadWeights checks. Here an
// earlier attempt (as by a build whose initial weights differed, so that
// its checkpoint was discarded) kept the weights after epochs 1 and 2 of
// another network; the run trains from scratch without --keep-epochs. It
// now removes them before it trains, and the files of the epochs it
// resumes after stay.
func TestRunRemovesWeightsOfEarlierAttempts(t *testing.T) {
	ctx := context.Background()
	s, c := tinyCell(t, "ste", 3)
	key := c.Key()
	dir := t.TempDir()
	cfg := c.Config()
	train, _, err := OpenDataset(context.Background(), cfg.Dataset, "")
	if err != nil {
		t.Fatal(err)
	}
	other, err := cfg.modelConfig(train).build(c.Spec, 99)
	if err != nil {
		t.Fatal(err)
	}
	stale := []string{EpochWeightsPath(dir, key, 1), EpochWeightsPath(dir, key, 2), WeightsPath(dir, key)}
	for i, p := range stale {
		if err := saveWeights(p, key, min(i+1, 3), other.Net); err != nil {
			t.Fatal(err)
		}
	}
	// A file of another run, and one whose name only starts like the
	// run's files, are not the run's.
	unrelated := []string{EpochWeightsPath(dir, "0123456789abcdef", 1), WeightsPath(dir, key) + ".bak"}
	for _, p := range unrelated {
		if err := os.WriteFile(p, []byte("other"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var notes []string
	note := func(e Event) {
		if e.Kind == EventNote && strings.Contains(e.Note, "earlier attempt") {
			notes = append(notes, e.Note)
		}
	}
	recs, err := (&Runner{Dir: dir, Progress: note}).Run(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if recs[0].Status != StatusOK {
		t.Fatalf("status %s", recs[0].Status)
	}
	for _, p := range stale[:2] {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the run trained from scratch left %s of an earlier attempt (stat: %v)", p, err)
		}
	}
	for _, p := range unrelated {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s, no file of the run, was removed: %v", p, err)
		}
	}
	if want := fmt.Sprintf("%s: removing the weights an earlier attempt left, which this run, as it trains from scratch, would not write: %s.weights, %s.e1.weights, %s.e2.weights", c, key, key, key); len(notes) != 1 || !strings.Contains(notes[0], want) {
		t.Errorf("notes %q, want one starting %q", notes, want)
	}
	// The final weights are the run's own.
	m := trainedModel(t, recs[0])
	if err := loadWeights(WeightsPath(dir, key), key, 3, m.Net); err != nil {
		t.Fatal(err)
	}
	// fidelity --epochs 1 finds no weights, instead of another network's.
	_, _, _, _, err = FidelitySpec{Run: RecordPath(dir, key), Epochs: []int{1}}.states()
	if want := "has no weights after epoch 1"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("fidelity --epochs 1: %v, want an error containing %q", err, want)
	}

	// A run that resumes after epoch 1 keeps the weights after epoch 1,
	// its own trajectory's, and removes those after epoch 2 an earlier
	// attempt left.
	dir = t.TempDir()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err = (&Runner{Dir: dir, KeepEpochs: true, Progress: func(e Event) {
		if e.Kind == EventEpoch && e.Epoch == 0 {
			cancel()
		}
	}}).Run(cctx, s)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the run cancelled after epoch 1: %v", err)
	}
	kept, err := os.ReadFile(EpochWeightsPath(dir, key, 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := saveWeights(EpochWeightsPath(dir, key, 2), key, 2, other.Net); err != nil {
		t.Fatal(err)
	}
	notes = nil
	if _, err := (&Runner{Dir: dir, Progress: note}).Run(ctx, s); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(EpochWeightsPath(dir, key, 1)); err != nil || string(b) != string(kept) {
		t.Errorf("the weights after epoch 1, which the run resumed after, changed or went (%v)", err)
	}
	if _, err := os.Stat(EpochWeightsPath(dir, key, 2)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the run resumed after epoch 1 left the weights after epoch 2 of an earlier attempt (stat: %v)", err)
	}
	if want := fmt.Sprintf("as it resumes after 1 epoch, would not write: %s.e2.weights", key); len(notes) != 1 || !strings.Contains(notes[0], want) {
		t.Errorf("notes %q, want one containing %q", notes, want)
	}
}
