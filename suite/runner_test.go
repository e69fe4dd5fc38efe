package suite

import (
	"context"
	"errors"
	"math"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/recipetest"
)

// tinyRecipe trains a reduced ResNet-20 on 32 synthetic images: about a
// second per run.
var tinyRecipe = recipetest.Tiny("tiny", 2, 16, 32, 32)

func tinySweep(t testing.TB, specs string, seeds ...uint64) *Sweep {
	t.Helper()
	return &Sweep{Workload: Workload{Recipe: *parseTinyRecipe(t)}, Specs: parseSpecs(t, specs), Seeds: seeds}
}

// tinyCell returns tinySweep(spec, seed 1) trained for the given number
// of epochs and its one cell.
func tinyCell(t testing.TB, spec string, epochs int) (*Sweep, Cell) {
	t.Helper()
	s := tinySweep(t, spec, 1)
	s.Workload.Recipe.Epochs = epochs
	return s, s.Cells()[0]
}

// parseTinyRecipe returns tinyRecipe parsed, or fails the test.
func parseTinyRecipe(t testing.TB) *Recipe {
	t.Helper()
	r, err := ParseRecipe(strings.NewReader(tinyRecipe), "tiny")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// parseSpecs returns the estimator specs of a comma-separated list
// (estimators.ParseList), or fails the test.
func parseSpecs(t testing.TB, list string) []estimators.Spec {
	t.Helper()
	specs, err := estimators.ParseList(list)
	if err != nil {
		t.Fatal(err)
	}
	return specs
}

// runTiny trains tinySweep(specs, seed 1) for the given number of epochs
// in a new runs directory, or fails the test, and returns the directory
// and the sweep's records.
func runTiny(t testing.TB, specs string, epochs int) (string, []*Record) {
	t.Helper()
	s := tinySweep(t, specs, 1)
	s.Workload.Recipe.Epochs = epochs
	return runSweep(t, s, false)
}

// runSweep trains sweep s in a new runs directory, with
// Runner.KeepEpochs set to keepEpochs, or fails the test, and returns the
// directory and the sweep's records.
func runSweep(t testing.TB, s *Sweep, keepEpochs bool) (string, []*Record) {
	t.Helper()
	dir := t.TempDir()
	recs, err := (&Runner{Dir: dir, KeepEpochs: keepEpochs}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return dir, recs
}

// TestSameStart: every estimator of a seed starts from the same base
// weights and sees the same batches in the same order; another seed does
// not.
func TestSameStart(t *testing.T) {
	s := tinySweep(t, "ste,fda,fda+na", 1, 2)
	s.Workload.Recipe.Epochs = 1
	recs, err := (&Runner{Dir: t.TempDir()}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 {
		t.Fatalf("Run returned %d records, want 6", len(recs))
	}
	for _, r := range recs {
		if r.Status != StatusOK || len(r.DataHashes) != 1 || r.InitHash == "" {
			t.Fatalf("%s seed %d: status %s, %d data hashes, init hash %q", r.Config.Estimator, r.Config.Seed, r.Status, len(r.DataHashes), r.InitHash)
		}
	}
	for _, seed := range []int{0, 3} { // cells are seed-major: 3 specs per seed
		ref := recs[seed]
		for _, r := range recs[seed+1 : seed+3] {
			if r.InitHash != ref.InitHash || r.DataHashes[0] != ref.DataHashes[0] {
				t.Errorf("seed %d: %s starts from init %s data %s, %s from %s %s", r.Config.Seed,
					r.Config.Estimator, r.InitHash, r.DataHashes[0], ref.Config.Estimator, ref.InitHash, ref.DataHashes[0])
			}
		}
	}
	if recs[0].InitHash == recs[3].InitHash || recs[0].DataHashes[0] == recs[3].DataHashes[0] {
		t.Error("seeds 1 and 2 share initial weights or batch order")
	}
	// In a one-epoch run the schedules sit at their start, p = 0, and the
	// noise adaptation weight at its end: α = 0.05·(1 + cos(π(e+1)/E)) = 0
	// for e = 0, E = 1 (nn.Progress.NAAlpha).
	if e := recs[2].Epochs[0]; e.Progress != 0 || e.NAAlpha != 0 {
		t.Errorf("one-epoch fda+na: progress %g, α %g, want 0 and 0", e.Progress, e.NAAlpha)
	}
}

// sameNumbers reports the first metric where two records differ, ignoring
// wall times.
func sameNumbers(a, b *Record) string {
	if a.Status != b.Status || len(a.Epochs) != len(b.Epochs) {
		return "status or epochs"
	}
	for i := range a.Epochs {
		x, y := a.Epochs[i], b.Epochs[i]
		x.TrainSeconds, x.EvalSeconds, x.ImagesPerSec = 0, 0, 0
		y.TrainSeconds, y.EvalSeconds, y.ImagesPerSec = 0, 0, 0
		if !reflect.DeepEqual(x, y) {
			return "epoch " + string(rune('1'+i))
		}
	}
	if a.InitHash != b.InitHash || strings.Join(a.DataHashes, ",") != strings.Join(b.DataHashes, ",") {
		return "hashes"
	}
	return ""
}

// interruptAfterFirstEpoch runs s in dir and cancels it once its first
// epoch is checkpointed; it fails t unless the run stopped on the cancel.
// wholeAndResumed runs s's single cell uninterrupted and, in another
// directory, interrupted after its first epoch and resumed, checks that
// the resumed record counts one resume, and returns both records.
func wholeAndResumed(t *testing.T, s *Sweep) (whole, resumed *Record) {
	t.Helper()
	w, err := (&Runner{Dir: t.TempDir()}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	interruptAfterFirstEpoch(t, dir, s)
	r, err := (&Runner{Dir: dir}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if r[0].Resumes != 1 {
		t.Fatalf("the resumed record counts %d resumes, want 1", r[0].Resumes)
	}
	return w[0], r[0]
}

func interruptAfterFirstEpoch(t *testing.T, dir string, s *Sweep) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &Runner{Dir: dir, Progress: func(e Event) {
		if e.Kind == EventEpoch && e.Epoch == 0 {
			cancel()
		}
	}}
	if _, err := r.Run(ctx, s); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Run error = %v, want context.Canceled", err)
	}
}

// TestResume: a run interrupted after an epoch resumes from its checkpoint
// and ends with exactly the numbers of an uninterrupted run.
func TestResume(t *testing.T) {
	s := tinySweep(t, "fda+na", 1)
	s.Workload.Recipe.Epochs = 3
	whole, err := (&Runner{Dir: t.TempDir()}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	interruptAfterFirstEpoch(t, dir, s)
	key := s.Cells()[0].Key()
	if _, err := os.Stat(CheckpointPath(dir, key)); err != nil {
		t.Fatalf("no checkpoint after the interruption: %v", err)
	}
	if _, err := ReadRecord(dir, key); err == nil {
		t.Fatal("an interrupted run has a record")
	}
	var resumedAt = -1
	r := &Runner{Dir: dir, Progress: func(e Event) {
		if e.Kind == EventResumed {
			resumedAt = e.Epoch
		}
	}}
	resumed, err := r.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if resumedAt != 1 {
		t.Errorf("resumed at epoch %d, want 1", resumedAt)
	}
	if resumed[0].Resumes != 1 {
		t.Errorf("record says %d resumes, want 1", resumed[0].Resumes)
	}
	// Both processes' machines are kept, each with the epochs it trained.
	segs := resumed[0].Segments
	if len(segs) != 2 || segs[0].FirstEpoch != 1 || segs[0].LastEpoch != 1 || segs[1].FirstEpoch != 2 || segs[1].LastEpoch != 3 ||
		segs[0].Machine.GOMAXPROCS != runtime.GOMAXPROCS(0) || segs[1].Machine != resumed[0].Machine {
		t.Errorf("resumed record's segments = %+v, want epochs 1..1 and 2..3 with their machines", segs)
	}
	if segs := whole[0].Segments; len(segs) != 1 || segs[0].FirstEpoch != 1 || segs[0].LastEpoch != 3 {
		t.Errorf("uninterrupted record's segments = %+v, want one of epochs 1..3", segs)
	}
	// The schedules advance before each epoch: p = e/(E-1) and
	// α = 0.05·(1 + cos(π(e+1)/E)).
	for e, ep := range resumed[0].Epochs {
		p, alpha := float64(e)/2, 0.05*(1+math.Cos(math.Pi*float64(e+1)/3))
		if math.Abs(ep.Progress-p) > 1e-12 || math.Abs(ep.NAAlpha-alpha) > 1e-12 {
			t.Errorf("epoch %d: progress %g, α %g, want %g, %g", e+1, ep.Progress, ep.NAAlpha, p, alpha)
		}
	}
	if d := sameNumbers(whole[0], resumed[0]); d != "" {
		t.Errorf("resumed run differs from an uninterrupted one in %s:\n%+v\n%+v", d, whole[0].Epochs, resumed[0].Epochs)
	}
	if _, err := os.Stat(CheckpointPath(dir, key)); err == nil {
		t.Error("the checkpoint of a finished run is left behind")
	}
	// A third run finds the record and trains nothing.
	cached := false
	r = &Runner{Dir: dir, Progress: func(e Event) {
		if e.Kind == EventStep {
			t.Fatal("a finished run trained again")
		}
		cached = cached || e.Kind == EventCached
	}}
	again, err := r.Run(context.Background(), s)
	if err != nil || !cached || sameNumbers(again[0], resumed[0]) != "" {
		t.Errorf("re-run: cached %v, err %v", cached, err)
	}
}

// TestCorruptCheckpoint: an unreadable checkpoint is reported and the run
// starts over.
func TestCorruptCheckpoint(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	s.Workload.Recipe.Epochs = 1
	dir := t.TempDir()
	if err := os.WriteFile(CheckpointPath(dir, s.Cells()[0].Key()), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	var note string
	r := &Runner{Dir: dir, Progress: func(e Event) {
		if e.Kind == EventNote {
			note = e.Note
		}
	}}
	recs, err := r.Run(context.Background(), s)
	if err != nil || recs[0].Status != StatusOK {
		t.Fatalf("Run = %v, %v", recs, err)
	}
	if !strings.Contains(note, "discarding its checkpoint") {
		t.Errorf("note = %q, want one about the discarded checkpoint", note)
	}
}

// nanEstimator poisons the gradient, so that training diverges: finite,
// as estimators.Parse requires of g, but the largest float32, which the
// first step turns into infinite weights and a NaN loss.
type nanEstimator struct{ estimators.STE }

func (*nanEstimator) Name() string { return "nantest" }
func (*nanEstimator) Backward(dx, x, dy []float32) {
	for i := range dx {
		dx[i] = math.MaxFloat32
	}
}

func init() {
	estimators.Register("nantest", func(p *estimators.Params) (estimators.Estimator, error) {
		return &nanEstimator{}, p.Err()
	})
}

// TestDiverged: a NaN loss records the run as diverged, with no numbers,
// and the sweep goes on.
func TestDiverged(t *testing.T) {
	dir, recs := runTiny(t, "nantest,ste", 1)
	d := recs[0]
	if d.Status != StatusDiverged || d.Diverged == nil || d.Diverged.Epoch != 1 || d.Final != nil {
		t.Fatalf("nantest record: status %s, diverged %+v, final %+v; want diverged at epoch 1 without numbers", d.Status, d.Diverged, d.Final)
	}
	if !strings.Contains(d.Diverged.Reason, "NaN") {
		t.Errorf("reason %q does not name the NaN", d.Diverged.Reason)
	}
	if recs[1].Status != StatusOK {
		t.Errorf("the sweep did not go on after the diverged run: %+v", recs[1])
	}
	if _, err := os.Stat(WeightsPath(dir, d.Key)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the run that diverged in epoch 1 left final weights (stat: %v), which would say epoch 0", err)
	}
	if _, err := os.Stat(WeightsPath(dir, recs[1].Key)); err != nil {
		t.Errorf("the finished run has no final weights: %v", err)
	}
	rs, err := ReadRecords(dir)
	if err != nil || len(rs) != 2 {
		t.Fatalf("ReadRecords = %d records, %v", len(rs), err)
	}
	table := tableText(t, TableMain, rs, nil)
	if !strings.Contains(table, "| nantest   |                    – | 0 | 1 (epoch 1) |") {
		t.Errorf("main table does not show the diverged run:\n%s", table)
	}
}

// noteRunner returns a runner of dir that keeps the notes it emits, in
// order, in *notes.
func noteRunner(dir string) (r *Runner, notes *[]string) {
	notes = new([]string)
	return &Runner{Dir: dir, Progress: func(e Event) {
		if e.Kind == EventNote {
			*notes = append(*notes, e.Note)
		}
	}}, notes
}
