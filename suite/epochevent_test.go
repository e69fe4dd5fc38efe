package suite

import (
	"context"
	"reflect"
	"testing"
)

// TestEpochEventResult: every EventEpoch carries the finished epoch as
// the run's record holds it, its losses and accuracies, so that a
// progress log can show a run's test top-1 epoch by epoch rather than
// only once the run ends.
func TestEpochEventResult(t *testing.T) {
	s, _ := tinyCell(t, "ste", 2)
	var got []Epoch
	r := &Runner{Dir: t.TempDir(), Progress: func(e Event) {
		if e.Kind != EventEpoch {
			return
		}
		if e.Result == nil {
			t.Errorf("EventEpoch of epoch %d/%d carries no Result", e.Epoch+1, e.Epochs)
			return
		}
		if e.Result.Epoch != e.Epoch+1 {
			t.Errorf("EventEpoch of epoch %d carries epoch %d's result", e.Epoch+1, e.Result.Epoch)
		}
		got = append(got, *e.Result)
	}}
	recs, err := r.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if want := recs[0].Epochs; !reflect.DeepEqual(got, want) {
		t.Errorf("the EventEpoch results\n%+v\ndiffer from the record's epochs\n%+v", got, want)
	}
}
