package suite

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/idxtest"
	"github.com/gradbench/gradbench/nn/checkpoint"
)

// The tests here train a reduced ResNet-20 on Fashion-MNIST files written
// for them (a few images of noise), read from a data directory, so that
// the files can be changed between runs as a user's can.

// idxSplit is one split's 28×28 images, as written to its IDX files with
// the labels 0..9 in turn (idxtest.WriteSplit).
type idxSplit struct {
	pixels []byte
}

// withPixel returns a copy of sp with its i-th pixel changed by one (sp
// itself unchanged): the same split but for one pixel, which its data
// digest must tell apart.
func (sp idxSplit) withPixel(i int) idxSplit {
	c := idxSplit{pixels: append([]byte(nil), sp.pixels...)}
	c.pixels[i]++
	return c
}

// noiseSplit returns n images of pseudo-random pixels, differing with
// salt.
func noiseSplit(n int, salt byte) idxSplit { return idxSplit{pixels: idxtest.Noise(n, salt)} }

// writeFMNIST writes train and test as the Fashion-MNIST files of dir.
func writeFMNIST(t *testing.T, dir string, train, test idxSplit) {
	t.Helper()
	idxtest.WriteSplit(t, dir, "train", train.pixels)
	idxtest.WriteSplit(t, dir, "t10k", test.pixels)
}

// fmnistSweep returns a one-cell sweep (ste, seed 1) of the given epochs
// on the Fashion-MNIST files of dataDir, whole splits, batch 16.
func fmnistSweep(t *testing.T, dataDir string, epochs int) *Sweep {
	t.Helper()
	s := tinySweep(t, "ste", 1)
	rc := &s.Workload.Recipe
	rc.Dataset, rc.Epochs, rc.Augment, rc.TrainSubset, rc.TestSubset = "fashion-mnist", epochs, false, 0, 0
	s.Workload.DataDir = dataDir
	return s
}

// noiseRun trains fmnistSweep's cell for one epoch on noise splits a (32
// images) and b (16), written to the data directory data, into the runs
// directory dir: the start of the tests of a run's record against files
// changed after it finished.
func noiseRun(t *testing.T) (a, b idxSplit, data, dir string, s *Sweep, rec *Record) {
	t.Helper()
	a, b = noiseSplit(32, 1), noiseSplit(16, 2)
	data, dir = t.TempDir(), t.TempDir()
	writeFMNIST(t, data, a, b)
	s = fmnistSweep(t, data, 1)
	recs, err := (&Runner{Dir: dir}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return a, b, data, dir, s, recs[0]
}

// TestRecordOfOtherDataRefused: a record trained on other files than
// those a run asked for again reads is refused, naming the record and
// saying the data differ, where it was given back as the run's: its key
// is made of the configuration alone. Tried as a new user would: the
// training and test files swapped (a small training split passes the
// published-size check), one pixel changed, and files cut down for a
// trial followed by the real ones in the same runs directory.
func TestRecordOfOtherDataRefused(t *testing.T) {
	a, b := noiseSplit(32, 1), noiseSplit(16, 2)
	onePixel := a.withPixel(12345)
	cut := idxSplit{pixels: a.pixels[:16*28*28]}
	for _, tc := range []struct {
		name                      string
		train, test               idxSplit // the files the record is trained on
		trainNow, testNow         idxSplit // the files read when it is asked for again
		trainDiffers, testDiffers bool
	}{
		{"swapped", a, b, b, a, true, true},
		{"one pixel", a, b, onePixel, b, true, false},
		{"one test pixel", b, onePixel, b, a, false, true},
		{"cut down, then the real files", cut, b, a, b, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, dir := t.TempDir(), t.TempDir()
			writeFMNIST(t, data, tc.train, tc.test)
			s := fmnistSweep(t, data, 1)
			recs, err := (&Runner{Dir: dir}).Run(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			if recs[0].Data == nil || recs[0].Data.Train == recs[0].Data.Test {
				t.Fatalf("record data digests %+v, want those of two different splits", recs[0].Data)
			}
			writeFMNIST(t, data, tc.trainNow, tc.testNow)
			path := RecordPath(dir, s.Cells()[0].Key())
			for name, run := range map[string]func(r *Runner) error{
				"Run":     func(r *Runner) error { _, err := r.Run(context.Background(), s); return err },
				"RunCell": func(r *Runner) error { _, err := r.RunCell(context.Background(), s.Cells()[0]); return err },
				"RunCellLocked": func(r *Runner) error {
					_, err := r.RunCellLocked(context.Background(), s.Cells()[0], LockConfig{})
					return err
				},
			} {
				trained := false
				err := run(&Runner{Dir: dir, Progress: func(e Event) { trained = trained || e.Kind == EventStep || e.Kind == EventCached }})
				if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "other data") ||
					strings.Contains(err.Error(), "training split") != tc.trainDiffers || strings.Contains(err.Error(), "test split") != tc.testDiffers {
					t.Errorf("%s with other files: error %v; want a refusal naming %s and saying its data differ (training split differs %v, test split %v)", name, err, path, tc.trainDiffers, tc.testDiffers)
				}
				if trained {
					t.Errorf("%s with other files trained or gave the record back", name)
				}
			}
			if _, err := ReadRecord(dir, s.Cells()[0].Key()); err != nil {
				t.Errorf("the refused record is gone or unreadable: %v", err)
			}
			// The files it was trained on again: reused.
			writeFMNIST(t, data, tc.train, tc.test)
			if _, err := (&Runner{Dir: dir}).RunCellLocked(context.Background(), s.Cells()[0], LockConfig{}); err != nil {
				t.Errorf("with the files it was trained on: %v", err)
			}
		})
	}
}

// TestCheckpointOfOtherDataDiscarded: a checkpoint trained on other files
// than those read now is discarded with a note that says so, and the run
// trained from its first epoch on the files read now, as a checkpoint
// that does not fit the run otherwise is; resumed, its first epoch would
// have been another data's.
func TestCheckpointOfOtherDataDiscarded(t *testing.T) {
	a, b := noiseSplit(32, 1), noiseSplit(16, 2)
	data, dir := t.TempDir(), t.TempDir()
	writeFMNIST(t, data, a, b)
	s := fmnistSweep(t, data, 2)
	interruptAfterFirstEpoch(t, dir, s)
	if _, err := os.Stat(CheckpointPath(dir, s.Cells()[0].Key())); err != nil {
		t.Fatal(err)
	}
	a = a.withPixel(777)
	writeFMNIST(t, data, a, b)
	r, notes := noteRunner(dir)
	recs, err := r.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	note := strings.Join(*notes, "\n")
	if !strings.Contains(note, "discarding its checkpoint") || !strings.Contains(note, "other data") || !strings.Contains(note, CheckpointPath(dir, s.Cells()[0].Key())) {
		t.Errorf("notes %q, want one that the checkpoint, named, is discarded for its other data", *notes)
	}
	rec := recs[0]
	p, err := (&Runner{}).load(context.Background(), &s.Workload)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Resumes != 0 || len(rec.Epochs) != 2 || rec.Data == nil || *rec.Data != *p.digest() {
		t.Errorf("record of %d resumes, %d epochs, data %+v; want the run trained whole on the files read now (%+v)", rec.Resumes, len(rec.Epochs), rec.Data, p.digest())
	}
}

// TestRecordWithoutDataDigestReused: a record written before records kept
// data digests (no "data" field, its checksum made without one) is still
// read and given back as the run's, without training, as it was; it says
// nothing of its data, so none is compared.
func TestRecordWithoutDataDigestReused(t *testing.T) {
	_, _, data, dir, s, first := noiseRun(t)
	key := first.Key
	dropDigests(t, dir, key)
	rec, err := ReadRecord(dir, key)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(RecordPath(dir, key)); err != nil || strings.Contains(string(b), `"data"`) {
		t.Fatalf("the record written as an older one holds a data field (%v)", err)
	}
	for _, files := range []string{"the same files", "other files"} {
		if files == "other files" {
			writeFMNIST(t, data, noiseSplit(32, 3), noiseSplit(16, 2))
		}
		for name, run := range map[string]func(r *Runner) (*Record, error){
			"Run": func(r *Runner) (*Record, error) {
				recs, err := r.Run(context.Background(), s)
				if len(recs) == 0 {
					return nil, err
				}
				return recs[0], err
			},
			"RunCell": func(r *Runner) (*Record, error) { return r.RunCell(context.Background(), s.Cells()[0]) },
			"RunCellLocked": func(r *Runner) (*Record, error) {
				return r.RunCellLocked(context.Background(), s.Cells()[0], LockConfig{})
			},
		} {
			cached, trained := false, false
			got, err := run(&Runner{Dir: dir, Progress: func(e Event) {
				cached = cached || e.Kind == EventCached
				trained = trained || e.Kind == EventStep
			}})
			if err != nil || got == nil || got.Checksum != rec.Checksum || !cached || trained {
				t.Errorf("%s, %s: record %v, error %v, cached %v, trained %v; want the older record given back", name, files, got != nil, err, cached, trained)
			}
		}
	}
}

// TestDataDigestInvalidRefused: a record whose data digest is not one
// (edited by hand) is refused when read, as other malformed fields are.
func TestDataDigestInvalidRefused(t *testing.T) {
	_, recs := runTiny(t, "ste", 1)
	rec := *recs[0]
	d := *rec.Data
	d.Test = "sha256:xyz"
	rec.Data = &d
	dir := t.TempDir()
	err := WriteRecord(dir, &rec)
	if err == nil || !strings.Contains(err.Error(), "data digest of the test split") {
		t.Errorf("WriteRecord of a record with data digest %q: %v, want a refusal", d.Test, err)
	}
	if _, err := ReadRecord(dir, rec.Key); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused record was written: %v", err)
	}
}

// editCheckpointData is an editCheckpoint edit that drops the data
// digests, as a checkpoint written before they were kept has none.
func editCheckpointData(_ *checkpoint.State, ps *progressState) { ps.Data = nil }
