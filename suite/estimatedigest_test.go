package suite

import (
	"context"
	"strings"
	"testing"
)

// TestRunRefusesOtherDataBeforeEstimate: a run whose sweep holds a record
// of other data than the files read now refuses it before it estimates
// or trains anything, where it said "nothing to train" (or trained the
// cells before it) and then refused the same record. Estimate (plan
// --estimate), which refuses nothing, names the record and says a run
// refuses it instead of counting it as done without a word. Tried as a
// new user would: one pixel changed after the sweep's one recorded cell
// finished, then the sweep run again with another estimator added first.
func TestRunRefusesOtherDataBeforeEstimate(t *testing.T) {
	a, b, data, dir, s, rec := noiseRun(t)
	path := RecordPath(dir, rec.Key)
	a.pixels = append([]byte(nil), a.pixels...)
	a.pixels[999]++
	writeFMNIST(t, data, a, b)
	for _, specs := range []string{"ste", "fda,ste"} {
		sw := fmnistSweep(t, data, 1)
		sw.Specs = parseSpecs(t, specs)
		if c := sw.Cells()[len(sw.Cells())-1]; c.Key() != rec.Key {
			t.Fatalf("%s: the last cell's key %s, want the recorded run's %s", specs, c.Key(), rec.Key)
		}
		var notes []string
		trained := false
		_, err := (&Runner{Dir: dir, Progress: func(e Event) {
			if e.Kind == EventNote {
				notes = append(notes, e.Note)
			}
			trained = trained || e.Kind == EventStep || e.Kind == EventCached
		}}).Run(context.Background(), sw)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "other data") {
			t.Errorf("%s: Run with other files: error %v; want a refusal naming %s", specs, err, path)
		}
		if len(notes) > 0 || trained {
			t.Errorf("%s: Run with other files noted %q (trained %v) before refusing; want the refusal first", specs, notes, trained)
		}
		est, err := (&Runner{Dir: dir}).Estimate(context.Background(), sw)
		if err != nil {
			t.Fatal(err)
		}
		if line := est.String(); len(est.OtherData) != 1 || est.OtherData[0] != path || !strings.Contains(line, path) || !strings.Contains(line, "a run refuses it") {
			t.Errorf("%s: Estimate with other files: other data %q, %q; want the record named and said to be refused", specs, est.OtherData, line)
		}
	}
	// The files it was trained on: nothing to say.
	writeFMNIST(t, data, noiseSplit(32, 1), b)
	est, err := (&Runner{Dir: dir}).Estimate(context.Background(), s)
	if err != nil || len(est.OtherData) != 0 || strings.Contains(est.String(), "other data") {
		t.Errorf("Estimate with the files the run was trained on: %q, %v; want no record of other data", est.String(), err)
	}
}
