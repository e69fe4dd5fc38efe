package suite

import (
	"context"
	"os"
	"path/filepath"
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
	a = a.withPixel(999)
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

// TestCheckpointOfOtherDataCountedWhole: a cell whose epoch checkpoint
// was trained on other data files than those read now trains from its
// first epoch (resume discards the checkpoint), so Estimate (plan
// --estimate) counts all its epochs and does not say it resumes, and
// --keep-epochs does not refuse it for lacking the weights of epochs its
// run will train again; both took the checkpoint for one it resumes from,
// comparing its initial weights alone. Tried as a new user would: a run
// interrupted after its first epoch, a training pixel changed, then the
// sweep estimated and run again with --keep-epochs. With the files it was
// trained on, and for a checkpoint without data digests (written before
// they were kept, which resume takes whatever the files), the cell still
// resumes.
func TestCheckpointOfOtherDataCountedWhole(t *testing.T) {
	a, b := noiseSplit(32, 1), noiseSplit(16, 2)
	data, dir := t.TempDir(), t.TempDir()
	writeFMNIST(t, data, a, b)
	s := fmnistSweep(t, data, 2)
	c := s.Cells()[0]
	interruptAfterFirstEpoch(t, dir, s)
	ctx := context.Background()
	resumes := func(what string, want bool) {
		t.Helper()
		left, err := (&Runner{Dir: dir}).epochsLeft(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if wantLeft := map[bool]int{true: 1, false: 2}[want]; left != wantLeft {
			t.Errorf("%s: Estimate counts %d epochs left, want %d", what, left, wantLeft)
		}
		est, err := (&Runner{Dir: dir}).Estimate(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if said := strings.Contains(est.String(), "resumes from its epoch checkpoint"); said != want {
			t.Errorf("%s: estimate %q; want it to say the cell resumes: %v", what, est, want)
		}
		err = (&Runner{Dir: dir, KeepEpochs: true}).checkKeepEpochs(ctx, []Cell{c})
		if refused := err != nil && strings.Contains(err.Error(), "resumes after 1 epoch, no weights after epoch 1"); refused != want {
			t.Errorf("%s: --keep-epochs check: error %v; want the cell refused for the weights of the epoch it resumes after: %v", what, err, want)
		}
	}
	resumes("the files it was trained on", true)

	changed := a.withPixel(555)
	writeFMNIST(t, data, changed, b)
	resumes("a training pixel changed", false)
	keep := &Runner{Dir: dir, KeepEpochs: true}
	recs, err := keep.Run(ctx, s)
	if err != nil {
		t.Fatalf("Run with --keep-epochs over a checkpoint of other data: %v", err)
	}
	if recs[0].Resumes != 0 {
		t.Errorf("the run resumed %d times, want it trained from its first epoch", recs[0].Resumes)
	}
	if _, err := os.Stat(EpochWeightsPath(dir, c.Key(), 1)); err != nil {
		t.Errorf("no weights after epoch 1: %v", err)
	}

	// A checkpoint without data digests, of other files: resumed.
	dir = t.TempDir()
	writeFMNIST(t, data, a, b)
	interruptAfterFirstEpoch(t, dir, s)
	editCheckpoint(t, &Runner{Dir: dir}, c, editCheckpointData)
	writeFMNIST(t, data, changed, b)
	resumes("a checkpoint without data digests", true)
}

// TestSlurmRefusesRecordOfOtherData: Slurm (gradbench slurm) refuses a
// sweep whose record was trained on other data than the files it loads,
// naming the record and the split, as Run does, where it left the
// recorded cell out of the array as done and its table job tabulated the
// record as the sweep's. Tried as a new user would: a test pixel changed
// after the sweep's one recorded cell finished, then the sweep submitted
// with another estimator added. With the files it was trained on, and
// for a record without data digests, the array is planned as before.
func TestSlurmRefusesRecordOfOtherData(t *testing.T) {
	a, b, data, dir, _, rec := noiseRun(t)
	path := RecordPath(dir, rec.Key)
	sw := fmnistSweep(t, data, 1)
	sw.Specs = parseSpecs(t, "fda,ste")
	slurm := func() (*SlurmJobs, error) {
		return (&Runner{}).Slurm(context.Background(), SlurmSpec{Sweep: sw, Exe: os.Args[0], Out: dir, Options: SlurmOptions{JobName: "gradbench"}})
	}
	planned := func(what string) {
		t.Helper()
		j, err := slurm()
		if err != nil || j.Total != 2 || len(j.Pending) != 1 {
			t.Errorf("%s: Slurm planned %+v, error %v; want 1 pending cell of 2", what, j, err)
		}
	}
	planned("the files the run was trained on")
	changed := b.withPixel(222)
	writeFMNIST(t, data, a, changed)
	if _, err := slurm(); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "other data") || !strings.Contains(err.Error(), "test split") {
		t.Errorf("Slurm with a test pixel changed: error %v; want a refusal naming %s and its test split", err, path)
	}
	dropDigests(t, dir, rec.Key)
	planned("a record without data digests")
}

// TestRunRefusesDirOfOtherDataBeforeTraining: a sweep whose --out holds a
// record of another cell of the same dataset, trained on other data than
// the files read now, is refused before anything is trained. The sweep
// ends by writing every record of --out as benchmark lines, which refuse
// records of one dataset and other data: without this check the sweep
// trained every cell and then failed. With the files that record was
// trained on, the sweep runs.
func TestRunRefusesDirOfOtherDataBeforeTraining(t *testing.T) {
	a, b, data, dir, _, rec := noiseRun(t)
	writeFMNIST(t, data, a.withPixel(999), b)
	sw := fmnistSweep(t, data, 1)
	sw.Specs = parseSpecs(t, "fda")
	if c := sw.Cells(); len(c) != 1 || c[0].Key() == rec.Key {
		t.Fatalf("the sweep's cells %v: want one, not the recorded run's", c)
	}
	trained := false
	_, err := (&Runner{Dir: dir, Progress: func(e Event) { trained = trained || e.Kind == EventStep }}).Run(context.Background(), sw)
	if err == nil || !strings.Contains(err.Error(), "holds record "+rec.Key+" (ste seed 1)") || !strings.Contains(err.Error(), "other data") || trained {
		t.Errorf("Run beside a record of other data: %v (trained %v); want it named, before any training", err, trained)
	}
	writeFMNIST(t, data, a, b)
	recs, err := (&Runner{Dir: dir}).Run(context.Background(), sw)
	if err != nil || len(recs) != 1 {
		t.Errorf("Run beside a record of the same data: %v, %v; want the sweep's record", recs, err)
	}
}

// TestSlurmRefusesDirOfOtherData: Slurm refuses a sweep whose --out holds
// a record of another cell of its dataset trained on other data than the
// files it loads, as Run does, naming the record: its table job builds
// bench.txt from every record of --out, which refuses records of one
// dataset and other data, so the array was submitted and trained only for
// the table job to fail. With the files that record was trained on, the
// array is planned.
func TestSlurmRefusesDirOfOtherData(t *testing.T) {
	a, b, data, dir, _, rec := noiseRun(t)
	sw := fmnistSweep(t, data, 1)
	sw.Specs = parseSpecs(t, "fda")
	slurm := func() (*SlurmJobs, error) {
		return (&Runner{}).Slurm(context.Background(), SlurmSpec{Sweep: sw, Exe: os.Args[0], Out: dir, Options: SlurmOptions{JobName: "gradbench"}})
	}
	writeFMNIST(t, data, a.withPixel(999), b)
	if _, err := slurm(); err == nil || !strings.Contains(err.Error(), "holds record "+rec.Key+" (ste seed 1)") || !strings.Contains(err.Error(), "other data") || !strings.Contains(err.Error(), "training split") {
		t.Errorf("Slurm beside a record of other data: %v; want it named, with its training split", err)
	}
	writeFMNIST(t, data, a, b)
	if j, err := slurm(); err != nil || j.Total != 1 || len(j.Pending) != 1 {
		t.Errorf("Slurm beside a record of the same data: planned %+v, error %v; want 1 pending cell", j, err)
	}
}

// TestCheckDataAsRun: CheckData (gradbench plan --check-data) refuses
// what Run refuses before it trains, with Run's message: a record of one
// of the sweep's cells, or of another cell of its dataset in the runs
// directory, trained on other data than the files read now. Plan, which
// loads no data, lists such a record as done. With the files they were
// trained on, for a record without data digests and for a runs directory
// not made yet, it refuses nothing; without a digest to compare it loads
// no data (the data files gone). Tried as a new user would: a test pixel
// changed after the sweep's one recorded cell finished.
func TestCheckDataAsRun(t *testing.T) {
	a, b, data, dir, s, rec := noiseRun(t)
	other := fmnistSweep(t, data, 1)
	other.Specs = parseSpecs(t, "fda")
	sweeps := []struct {
		name string
		s    *Sweep
	}{{"the record's sweep", s}, {"another cell's sweep", other}}
	check := func(dir string, s *Sweep) error { return (&Runner{Dir: dir}).CheckData(context.Background(), s) }
	for _, sw := range sweeps {
		if err := check(dir, sw.s); err != nil {
			t.Errorf("%s, the files the run was trained on: %v", sw.name, err)
		}
	}
	writeFMNIST(t, data, a, b.withPixel(222))
	for _, sw := range sweeps {
		err := check(dir, sw.s)
		_, runErr := (&Runner{Dir: dir}).Run(context.Background(), sw.s)
		if err == nil || runErr == nil || err.Error() != runErr.Error() || !strings.Contains(err.Error(), rec.Key) || !strings.Contains(err.Error(), "test split") {
			t.Errorf("%s, a test pixel changed: CheckData refused with %v, Run with %v; want the same refusal, naming record %s and its test split", sw.name, err, runErr, rec.Key)
		}
	}
	if err := check(filepath.Join(dir, "new"), s); err != nil {
		t.Errorf("a runs directory not made yet: %v", err)
	}
	dropDigests(t, dir, rec.Key)
	for _, name := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		if err := os.Remove(filepath.Join(data, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, sw := range sweeps {
		if err := check(dir, sw.s); err != nil {
			t.Errorf("%s, a record without data digests and no data files: %v", sw.name, err)
		}
	}
}
