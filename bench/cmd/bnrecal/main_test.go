package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/internal/dirtest"
	"github.com/gradbench/gradbench/internal/idxtest"
	"github.com/gradbench/gradbench/internal/recipetest"
	"github.com/gradbench/gradbench/internal/texttest"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/suite"
)

func TestRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-batches", "0", "x.json"}, "-batches 0"},
		{[]string{"-batches", "-3", "x.json"}, "-batches -3"},
		{[]string{"-batches", "0x10", "x.json"}, `invalid value "0x10" for flag -batches: want a decimal integer`},
		{[]string{"-batches", "1_0", "x.json"}, `invalid value "1_0" for flag -batches: want a decimal integer`},
		{nil, "no runs given"},
		{[]string{"nothing.ckpt"}, "epoch checkpoint of an unfinished run"},
		{[]string{t.TempDir() + "/0123456789abcdef.json"}, "0123456789abcdef.json does not exist"},
		{[]string{"run.json"}, "run.json does not exist: want a run record <key>.json"},
	} {
		err := run(tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

// TestRefusesRunInput: -batches beyond a run's epoch (the re-estimation
// stopped at the epoch's end, on fewer batches than the table said),
// quoted as typed, and
// a run named twice (counted twice in its group's medians) are refused.
func TestRefusesRunInput(t *testing.T) {
	out, recs := tinyRun(t)
	rec := suite.RecordPath(out, recs[0].Key)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-batches", "3", rec}, rec + ": -batches 3 is more than the 2 batches of the run's 32 training images in batches of 16: want at most 2"},
		// Quoted as typed, as the refusal of -batches 0 is.
		{[]string{"-batches", "03", rec}, rec + ": -batches 03 is more than the 2 batches of the run's 32 training images in batches of 16: want at most 2"},
		{[]string{"-batches", "1", rec, rec}, rec + ": run " + recs[0].Key + " is given twice (first as " + rec + "): name each run once"},
	} {
		var stdout bytes.Buffer
		if err := run(tc.args, &stdout); err == nil || err.Error() != tc.want {
			t.Errorf("run(%q) = %v, want the error %q\n%s", tc.args, err, tc.want, stdout.String())
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.xs); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}

// TestTestSubsetSmallerThanBatch: a run whose recipe evaluates a test
// subset smaller than its batch is a valid record (the run evaluates the
// subset as one batch); bnrecal measures it, and evaluates it as the run
// did: measured again, its final test top-1 is the recorded one.
func TestTestSubsetSmallerThanBatch(t *testing.T) {
	out, recs := tinyRun(t)
	var stdout bytes.Buffer
	if err := run([]string{"-batches", "1", suite.RecordPath(out, recs[0].Key)}, &stdout); err != nil {
		t.Fatalf("bnrecal on a run with test subset 8 and batch 16: %v", err)
	}
	top1 := fmt.Sprintf("%.2f", recs[0].Final.TestTop1)
	want := fmt.Sprintf("| sgd | ste | – | 1 | %s | %s |", top1, top1)
	if !strings.Contains(stdout.String(), want) {
		t.Errorf("want a row %q (recorded and measured again the same):\n%s", want, stdout.String())
	}

	// -o writes the same table, replacing the file atomically: a hard
	// link to the old file keeps the old text (writing in place passed
	// every test, as none gave -o).
	tdir := t.TempDir()
	table, old := filepath.Join(tdir, "bnrecal.md"), filepath.Join(tdir, "old.md")
	dirtest.HardLinked(t, table, "old table\n", old)
	if err := run([]string{"-batches", "1", "-o", table, suite.RecordPath(out, recs[0].Key)}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(table); err != nil || string(b) != stdout.String() {
		t.Errorf("-o %s holds %q (%v), want the table printed without -o:\n%s", table, b, err, stdout.String())
	}
	if b, err := os.ReadFile(old); err != nil || string(b) != "old table\n" {
		t.Errorf("a hard link to the old -o file holds %q (%v), want the old text: -o was written in place, not renamed over", b, err)
	}
}

// TestReport: the summary has one row per optimizer and estimator, with
// the medians of the recorded and re-estimated top-1 in their columns
// and the change from measured again to after re-estimation (so
// positive when re-estimation helps); the per-run rows are sorted.
// Swapping the two medians, taking the change the other way or grouping
// by optimizer alone passed every other test, which checked a per-run
// row of one run only.
func TestReport(t *testing.T) {
	rows := []row{
		{opt: "sgd", est: "ste", scale: 1, seed: 2, recorded: 80, now: 80, recal: 81},
		{opt: "sgd", est: "fda", scale: 1, seed: 1, recorded: 50, now: 50, recal: 52},
		{opt: "sgd", est: "fda", scale: 1, seed: 3, recorded: 60, now: 59, recal: 63},
		{opt: "sgd", est: "ste", scale: 1, seed: 1, recorded: 70, now: 70, recal: 70.5},
	}
	texttest.ContainsAll(t, "report", reportText(t, rows, 7),
		"from 7 training batches of the images each run trained on",
		"| sgd | fda | 2 | 55.00 | 57.50 | +3.00 | +2.00 | +4.00 |",
		"| sgd | ste | 2 | 75.00 | 75.75 | +0.75 | +0.50 | +1.00 |",
		"| sgd | fda | 1 | 1 | 50.00 | 50.00 | 52.00 |\n| sgd | fda | 1 | 3 | 60.00 | 59.00 | 63.00 |\n| sgd | ste | 1 | 1 | 70.00 | 70.00 | 70.50 |\n| sgd | ste | 1 | 2 |",
	)
}

// modeNet is a one-layer network that records each forward pass as
// "split mode", telling the test split (images of 0) from the training
// one (images of 1), and predicts class 0 until it has run forward in
// training mode, class 1 in evaluation mode after that.
type modeNet struct {
	training, trained bool
	calls             []string
}

func (m *modeNet) SetTraining(training bool) { m.training = training }

func (m *modeNet) Forward(x *nn.Tensor) *nn.Tensor {
	split, mode, class := "test", "eval", 0
	if x.Data[0] > 0 {
		split = "train"
	}
	if m.training {
		mode, m.trained = "training", true
	} else if m.trained {
		class = 1
	}
	m.calls = append(m.calls, split+" "+mode)
	y := &nn.Tensor{N: x.N, C: 2, H: 1, W: 1, Data: make([]float32, 2*x.N)}
	for i := range x.N {
		y.Data[2*i+class] = 1
	}
	return y
}

func (m *modeNet) Backward(dy *nn.Tensor) *nn.Tensor { return dy }

// loader returns a loader of n one-pixel images of value pixel, all of
// class label, in batches of 2.
func loader(t *testing.T, split data.Split, n int, pixel uint8, label int32) *data.Loader {
	t.Helper()
	d := &data.Dataset{Name: "synthetic", Split: split, N: n, C: 1, H: 1, W: 1, Classes: 2,
		Mean: []float32{0}, Std: []float32{1}, Pixels: make([]uint8, n), Labels: make([]int32, n)}
	for i := range n {
		d.Pixels[i], d.Labels[i] = pixel, label
	}
	l, err := data.NewLoader(d, data.Config{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestRecalibrate: the network is evaluated on the whole test split in
// evaluation mode, run forward in training mode on exactly -batches
// training batches, and evaluated again; the two top-1s are those of
// before and after. Evaluating either time in training mode, not
// re-estimating, re-estimating from the test split or from one batch too
// many or too few passed every other test, whose tiny run scored the same
// either way.
func TestRecalibrate(t *testing.T) {
	net := &modeNet{}
	test, train := loader(t, data.Test, 4, 0, 1), loader(t, data.Train, 10, 255, 0)
	now, recal, err := recalibrate(net, test, train, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"test eval", "test eval", "train training", "train training", "train training", "test eval", "test eval"}
	if !slices.Equal(net.calls, want) {
		t.Errorf("forward passes %q, want %q", net.calls, want)
	}
	if now != 0 || recal != 100 {
		t.Errorf("top-1 %v before and %v after re-estimation, want 0 and 100", now, recal)
	}
}

// TestTrainLoader: the statistics are re-estimated from the run's
// training subset in batches of its batch size. The whole training split
// passed every other test.
func TestTrainLoader(t *testing.T) {
	out, recs := tinyRun(t)
	lr, err := suite.LoadRun(context.Background(), suite.RecordPath(out, recs[0].Key), "")
	if err != nil {
		t.Fatal(err)
	}
	l, err := trainLoader(lr)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 32 || l.Batches() != 2 || l.Dataset().Split != data.Train {
		t.Errorf("re-estimation loader: %d images of the %s split in %d batches, want 32 training images in 2", l.Len(), l.Dataset().Split, l.Batches())
	}
}

// TestTrainLoaderHoldout: for a learning-rate grid's run, which trained
// on its training subset drawn from the split less the validation split
// its seed holds out, the statistics are re-estimated from those images
// alone: as many as the subset, none of them held out. Drawing the subset
// from the whole training split, as bnrecal did, passed every other test,
// whose runs held nothing out; here it takes held-out images.
func TestTrainLoaderHoldout(t *testing.T) {
	out, recs := tinyRunGrid(t, "1")
	lr, err := suite.LoadRun(context.Background(), suite.RecordPath(out, recs[0].Key), "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := lr.Record.Config
	holdout := int(math.Round(cfg.Validation * float64(lr.Train.N)))
	if cfg.Validation == 0 || holdout == 0 {
		t.Fatalf("the run holds out validation %v of %d training images (%d): want a grid's run with a validation split", cfg.Validation, lr.Train.N, holdout)
	}
	// The images the run's seed held out, as the run's validation loader
	// reads them.
	val, err := data.NewLoader(lr.Train, data.Config{BatchSize: 1, Seed: cfg.Seed, Holdout: holdout, Validation: true})
	if err != nil {
		t.Fatal(err)
	}
	held := map[int]bool{}
	for _, i := range epochImages(t, val) {
		held[i] = true
	}
	l, err := trainLoader(lr)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 32 || l.Batches() != 2 {
		t.Errorf("re-estimation loader: %d images in %d batches, want the run's 32 training images in 2", l.Len(), l.Batches())
	}
	var from []int
	for _, i := range epochImages(t, l) {
		if held[i] {
			from = append(from, i)
		}
	}
	if len(from) > 0 {
		t.Errorf("re-estimation batches take %d images the run held out for validation (%v): want only the images it trained on", len(from), from)
	}
}

// epochImages returns the dataset indices of the images of l's first
// epoch, in order.
func epochImages(t *testing.T, l *data.Loader) []int {
	t.Helper()
	it := l.Epoch(context.Background(), 0)
	defer it.Close()
	var images []int
	for it.Next() {
		images = append(images, it.Batch().Images...)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return images
}

// TestOptimizer: a record written before the optimizer field trained
// with SGD. Leaving its name empty passed every other test.
func TestOptimizer(t *testing.T) {
	if got := optimizer(""); got != "sgd" {
		t.Errorf(`optimizer("") = %q, want "sgd"`, got)
	}
	if got := optimizer("bop"); got != "bop" {
		t.Errorf(`optimizer("bop") = %q, want "bop"`, got)
	}
}

// TestReportOrder: rows group by optimizer and estimator and sort by
// learning-rate scale, then seed. Sorting without the optimizer (which
// splits a group in two) or without the scale passed every other test,
// whose rows had one optimizer and one scale.
func TestReportOrder(t *testing.T) {
	rows := []row{
		{opt: "sgd", est: "fda", scale: 1, seed: 1, recorded: 50, now: 50, recal: 51},
		{opt: "adam", est: "fda", scale: 1, seed: 2, recorded: 60, now: 60, recal: 62},
		{opt: "sgd", est: "fda", scale: 0.5, seed: 2, recorded: 40, now: 40, recal: 43},
		{opt: "adam", est: "fda", scale: 1, seed: 1, recorded: 70, now: 70, recal: 74},
	}
	texttest.ContainsAll(t, "report", reportText(t, rows, 3),
		"|:--|--:|--:|--:|--:|--:|--:|\n| adam | fda | 2 | 65.00 | 68.00 | +3.00 | +2.00 | +4.00 |\n| sgd | fda | 2 | 45.00 | 47.00 | +2.00 | +1.00 | +3.00 |\n\n",
		"| adam | fda | 1 | 1 | 70.00 | 70.00 | 74.00 |\n| adam | fda | 1 | 2 | 60.00 | 60.00 | 62.00 |\n| sgd | fda | 0.5 | 2 | 40.00 | 40.00 | 43.00 |\n| sgd | fda | 1 | 1 | 50.00 | 50.00 | 51.00 |\n",
	)
}

// TestReportWithoutGrid: a run trained without a learning-rate grid (its
// record's lr_scale 0) trained at the recipe's rate: its row says so with
// –, under a note, where it read "lr × 0", a multiplier of zero.
func TestReportWithoutGrid(t *testing.T) {
	rows := []row{
		{opt: "sgd", est: "ste", seed: 1, recorded: 60, now: 60, recal: 61},
		{opt: "sgd", est: "fda", scale: 3, seed: 1, recorded: 50, now: 50, recal: 51},
	}
	got := reportText(t, rows, 3)
	texttest.ContainsAll(t, "report", got,
		"| sgd | fda | 3 | 1 | 50.00 | 50.00 | 51.00 |\n| sgd | ste | – | 1 | 60.00 | 60.00 | 61.00 |\n",
		"– for a run without a grid, which trained at the recipe's.",
	)
	// Every run of a grid: no note.
	grid := []row{{opt: "sgd", est: "fda", scale: 3, seed: 1, recorded: 50, now: 50, recal: 51}}
	if got := reportText(t, grid, 3); strings.Contains(got, "without a grid") {
		t.Errorf("report of grid runs only notes runs without a grid:\n%s", got)
	}
}

// reportText returns what report writes for rows measured from batches
// training batches.
func reportText(t *testing.T, rows []row, batches int) string {
	t.Helper()
	var b strings.Builder
	if err := report(&b, rows, batches); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// tinyRun trains one ste run of a tiny recipe (batch 16, 32 training
// images, a test subset of 8) into a new runs directory, and returns the
// directory and the run's record.
func tinyRun(t *testing.T) (string, []*suite.Record) {
	t.Helper()
	return tinyRunGrid(t, "")
}

// tinyRunGrid is tinyRun with a learning-rate grid (suite.ParseLRGrid),
// whose runs hold part of the training split out for validation.
func tinyRunGrid(t *testing.T, grid string) (string, []*suite.Record) {
	t.Helper()
	return tinySweepRun(t, suite.SweepSpec{LRGrid: grid})
}

// tinyRunOn is tinyRun on the named dataset read from dataDir.
func tinyRunOn(t *testing.T, dataset, dataDir string) (string, []*suite.Record) {
	t.Helper()
	return tinySweepRun(t, suite.SweepSpec{Dataset: dataset, DataDir: dataDir})
}

// tinySweepRun trains the one ste run (seed 1) of tinyRun's recipe with
// the learning-rate grid, dataset and data directory of spec.
func tinySweepRun(t *testing.T, spec suite.SweepSpec) (string, []*suite.Record) {
	t.Helper()
	ste := "ste"
	spec.Recipe, spec.Seeds, spec.Estimators = recipetest.Write(t, t.TempDir(), recipetest.Tiny("tiny", 1, 16, 32, 8)), "1", &ste
	sweep, err := suite.NewSweep(spec)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	recs, err := (&suite.Runner{Dir: out}).Run(context.Background(), sweep)
	if err != nil {
		t.Fatal(err)
	}
	return out, recs
}

// TestRefusesRunOfOtherData: a run whose record says it was trained on
// other data than the files bnrecal reads now is refused, naming the
// run's record and the split that differs: the training split, which the
// statistics are re-estimated from, and the test split, which the run's
// top-1 is measured again on (a row measured on other images would sit
// beside the recorded top-1 as the same images'). Tried as a new user
// would: one pixel changed in either split after the run finished. With
// the files it was trained on, and for a record without data digests
// (written before records kept them) whatever the files, it is measured.
func TestRefusesRunOfOtherData(t *testing.T) {
	dataDir := t.TempDir()
	train, test := idxtest.Noise(40, 1), idxtest.Noise(16, 2) // more than the recipe's subsets, 32 and 8
	idxtest.WriteSplit(t, dataDir, "train", train)
	idxtest.WriteSplit(t, dataDir, "t10k", test)
	out, recs := tinyRunOn(t, "fashion-mnist", dataDir)
	rec := suite.RecordPath(out, recs[0].Key)
	bnrecal := func() error { return run([]string{"-batches", "1", "-data", dataDir, rec}, io.Discard) }
	if err := bnrecal(); err != nil {
		t.Fatalf("bnrecal with the files the run was trained on: %v", err)
	}
	changed := func(pixels []byte) []byte {
		c := slices.Clone(pixels)
		c[4321]++
		return c
	}
	for _, tc := range []struct {
		prefix string
		pixels []byte
		split  string
	}{
		{"train", train, "training split"},
		{"t10k", test, "test split"},
	} {
		idxtest.WriteSplit(t, dataDir, tc.prefix, changed(tc.pixels))
		err := bnrecal()
		if err == nil || !strings.HasPrefix(err.Error(), rec+": ") || !strings.Contains(err.Error(), "run "+recs[0].Key) || !strings.Contains(err.Error(), "other data") || !strings.Contains(err.Error(), tc.split) {
			t.Errorf("bnrecal with a pixel of the %s changed: error %v; want a refusal naming %s, its run and its %s", tc.split, err, rec, tc.split)
		}
		idxtest.WriteSplit(t, dataDir, tc.prefix, tc.pixels)
	}
	// The record written again without its data digests, as records were
	// before they kept them: measured, whatever the files.
	older, err := suite.ReadRecord(out, recs[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	older.Data = nil
	if err := suite.WriteRecord(out, older); err != nil {
		t.Fatal(err)
	}
	idxtest.WriteSplit(t, dataDir, "train", changed(train))
	idxtest.WriteSplit(t, dataDir, "t10k", changed(test))
	if err := bnrecal(); err != nil {
		t.Errorf("bnrecal of a record without data digests: %v", err)
	}
}

// TestRefusesOutputOverRun: tried as a new user would, -o naming the run
// record it measured replaced the record with the table and exited 0. A
// run's files are refused as -o before anything is measured, and so is
// any of the inputs.
func TestRefusesOutputOverRun(t *testing.T) {
	out, recs := tinyRun(t)
	rec := suite.RecordPath(out, recs[0].Key)
	before, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{rec, suite.WeightsPath(out, recs[0].Key)} {
		err := run([]string{"-batches", "1", "-o", o, rec}, io.Discard)
		if want := "-o " + o + ": refusing to write there: it names a run"; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("-o %s: %v, want an error starting %q", o, err, want)
		}
	}
	if after, err := os.ReadFile(rec); err != nil || string(after) != string(before) {
		t.Errorf("the run's record changed (%v): -o replaced it", err)
	}
}

// TestRefusesOutputInMissingDir: tried as a new user would, -o in a
// directory that does not exist was found only when the table was
// written, after every run had been measured (about 6 minutes for
// results/bop-bn.sh's runs). It is refused before anything is measured,
// naming the directory: with a run that does not exist, the error is
// -o's, not the run's.
func TestRefusesOutputInMissingDir(t *testing.T) {
	out, recs := tinyRun(t)
	rec := suite.RecordPath(out, recs[0].Key)
	missing := filepath.Join(t.TempDir(), "none")
	table := filepath.Join(missing, "table.md")
	want := "-o " + table + ": its directory " + missing + " does not exist"
	for _, r := range []string{rec, filepath.Join(t.TempDir(), "fedcba9876543210.json")} {
		err := run([]string{"-batches", "1", "-o", table, r}, io.Discard)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("-o %s %s: %v, want an error starting %q", table, r, err, want)
		}
	}
}

// TestRefusesOutputOfAnotherFormat: -o table.svg wrote the markdown
// table under an SVG image's name, after every run had been measured. A
// name whose extension is another format's is refused, as gradbench's
// own outputs are (suite.CheckFormat), before anything is measured: with
// a run that does not exist, the error is -o's.
func TestRefusesOutputOfAnotherFormat(t *testing.T) {
	dir := t.TempDir()
	run0 := filepath.Join(dir, "fedcba9876543210.json")
	for _, ext := range []string{".svg", ".csv", ".txt"} {
		out := filepath.Join(dir, "table"+ext)
		err := run([]string{"-batches", "1", "-o", out, run0}, io.Discard)
		if want := "-o " + out + ": " + ext + " names "; err == nil || !strings.HasPrefix(err.Error(), want) ||
			!strings.HasSuffix(err.Error(), ", and -o writes a Markdown document: name the file "+filepath.Join(dir, "table.md")) {
			t.Errorf("-o %s: %v, want an error starting %q that names the table a Markdown document and table.md", out, err, want)
		}
	}
}

// TestRefusesOutputInReadOnlyDir: -o in a directory no file can be
// created in is refused before anything is measured, and the error named
// -o with that directory ("-o /ro: cannot write there: ..."), as if it
// were the value given. It names the value given, and the directory the
// probe could not write.
func TestRefusesOutputInReadOnlyDir(t *testing.T) {
	ro, cause := dirtest.ReadOnly(t, t.TempDir())
	table := filepath.Join(ro, "table.md")
	err := run([]string{"-batches", "1", "-o", table, filepath.Join(t.TempDir(), "fedcba9876543210.json")}, io.Discard)
	if want := "-o " + table + ": cannot write there: creating a file in " + ro + ": " + cause; err == nil || err.Error() != want {
		t.Errorf("-o in a read-only directory: %v, want %q", err, want)
	}
}

// TestBatchesQuotedAsTyped: a refused -batches is quoted as typed, not as
// the parsed number prints ("-0" and "00" are 0).
func TestBatchesQuotedAsTyped(t *testing.T) {
	for _, v := range []string{"-0", "00", "-05"} {
		err := run([]string{"-batches", v, "r.json"}, io.Discard)
		if want := "-batches " + v + ": "; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("-batches %s: error %v, want it to start %q", v, err, want)
		}
	}
}
