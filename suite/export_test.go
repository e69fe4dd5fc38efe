package suite

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/nn/checkpoint"
	"github.com/gradbench/gradbench/xnor"
)

// TestModelConfigMeta: a model file's metadata reads back as the
// configuration that wrote it, and a missing or malformed entry is named.
func TestModelConfigMeta(t *testing.T) {
	mc := ModelConfig{Model: "resnet20", Dataset: "fashion-mnist", C: 1, H: 28, W: 28, Classes: 10, Width: 0.5, Binarize: "both", Estimator: "fda+na"}
	got, err := modelConfigOf(mc.meta())
	if err != nil || got != mc {
		t.Fatalf("modelConfigOf(meta()) = %+v, %v; want %+v", got, err, mc)
	}
	for _, key := range []string{"model", "dataset", "input", "classes", "width"} {
		meta := mc.meta()
		meta[key] = ""
		if key == "input" {
			meta[key] = "1x28"
		}
		if _, err := modelConfigOf(meta); err == nil || !strings.Contains(err.Error(), "metadata "+key+" = ") {
			t.Errorf("metadata without %s: error %v, want one naming it", key, err)
		}
	}
}

// TestWeightsBelongToTheirRun: LoadRun (export, eval) and fidelity refuse
// a run's weights file that holds another run's weights, or an earlier
// epoch's in place of the final ones; a weights file written before
// weights named their run still loads.
func TestWeightsBelongToTheirRun(t *testing.T) {
	s := tinySweep(t, "ste,fda", 1)
	s.Workload.Recipe.Epochs = 2
	dir, recs := runSweep(t, s, true)
	keys := map[string]string{}
	for _, r := range recs {
		keys[r.Config.Estimator] = r.Key
	}
	ste, fda := keys["ste"], keys["fda"]
	lr, err := LoadRun(context.Background(), RecordPath(dir, ste), "")
	if err != nil {
		t.Fatal(err)
	}
	final := WeightsPath(dir, ste)
	own, _ := os.ReadFile(final)
	put := func(path string) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err == nil {
			err = os.WriteFile(final, b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ from, want string }{
		{WeightsPath(dir, fda), " holds the weights of run " + fda + " after epoch 2, not of run " + ste + " after epoch 2: copied or renamed by hand"},
		{EpochWeightsPath(dir, ste, 1), " holds the weights of run " + ste + " after epoch 1, not of run " + ste + " after epoch 2: copied or renamed by hand"},
	} {
		put(tc.from)
		if _, err := LoadRun(context.Background(), RecordPath(dir, ste), ""); err == nil || !strings.HasSuffix(err.Error(), final+tc.want) {
			t.Errorf("LoadRun with %s as the final weights: error %v, want ...%s%s", tc.from, err, final, tc.want)
		}
		_, states, _, _, err := FidelitySpec{Run: RecordPath(dir, ste)}.states()
		if err != nil {
			t.Fatal(err)
		}
		if err := states[len(states)-1].load(&lr.Model.Net, lr.Train); err == nil || !strings.HasSuffix(err.Error(), final+tc.want) {
			t.Errorf("fidelity with %s as the final weights: error %v, want ...%s%s", tc.from, err, final, tc.want)
		}
	}
	// Weights written before they named their run: no key, no epoch.
	if err := os.WriteFile(final, own, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkpoint.Save(final, &checkpoint.State{Net: lr.Model.Net}); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRun(context.Background(), RecordPath(dir, ste), ""); err != nil {
		t.Errorf("LoadRun of weights without their run's key: %v", err)
	}
}

// TestModelMetaStrict: each value is read whole, as export writes it;
// trailing text, a fourth dimension, an empty or missing binarize and a
// test_top1 that is no number are refused, naming the key and the value,
// instead of being cut short or replaced by a default.
func TestModelMetaStrict(t *testing.T) {
	mc := ModelConfig{Model: "resnet20", Dataset: "fashion-mnist", C: 1, H: 16, W: 16, Classes: 10, Width: 0.125, Binarize: "both", Estimator: "fda"}
	good := func() map[string]string {
		m := mc.meta()
		m["run"], m["test_top1"] = "498b8aff7402f0eb", "88.71"
		return m
	}
	if got, err := readModelMeta(good()); err != nil || got != mc {
		t.Fatalf("readModelMeta = %+v, %v; want %+v", got, err, mc)
	}
	for _, tc := range []struct{ key, value string }{
		{"input", "1x16x16junk"}, {"input", "1x16x16x3"}, {"input", " 1x16x16"}, {"input", "1x16x0"}, {"input", "+1x16x16"},
		{"classes", "10x"}, {"classes", "+10"}, {"classes", "0"},
		{"width", "0.125junk"}, {"width", "NaN"}, {"width", "Inf"}, {"width", "0x1p-3"}, {"width", "0"},
		{"binarize", ""}, {"binarize", "all"}, {"binarize", "both "},
		{"estimator", ""}, {"estimator", "nosuch"},
		{"test_top1", "abc"}, {"test_top1", ""}, {"test_top1", "88.71%"}, {"test_top1", "-1"}, {"test_top1", "101"}, {"test_top1", "NaN"},
		{"test_data", ""}, {"test_data", "sha256:abc"}, {"test_data", "sha256:" + strings.Repeat("A", 64)},
	} {
		m := good()
		m[tc.key] = tc.value
		_, err := readModelMeta(m)
		if err == nil || !strings.Contains(err.Error(), "metadata "+tc.key+" = ") || !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.value)) {
			t.Errorf("metadata %s = %q: error %v, want one naming the key and the value", tc.key, tc.value, err)
		}
	}
	for _, key := range []string{"binarize", "test_top1", "input", "estimator"} {
		m := good()
		delete(m, key)
		if _, err := readModelMeta(m); err == nil || !strings.Contains(err.Error(), "metadata has no "+key) && !strings.Contains(err.Error(), "metadata "+key+" = ") {
			t.Errorf("metadata without %s: error %v, want one naming it", key, err)
		}
	}
	// A run planned before binarize was recorded (empty: both) is
	// exported as both, which reads back.
	old := mc
	old.Binarize = ""
	m := old.meta()
	m["test_top1"] = "50"
	if got, err := readModelMeta(m); err != nil || got != mc {
		t.Errorf("metadata of a run with binarize unset: %+v, %v; want %+v", got, err, mc)
	}
}

// TestCommittedModelsLoad: the model files committed under results/, which
// an earlier export wrote, still read.
func TestCommittedModelsLoad(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "results", "*.gbnn"))
	if err != nil || len(paths) == 0 {
		t.Skipf("no committed model files (%v)", err)
	}
	for _, p := range paths {
		r, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := xnor.Read(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if _, err := readModelMeta(f.Meta); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// TestEvaluateRefusesBadMeta: eval reads a model file's metadata strictly
// before it opens any dataset: a model file whose input has trailing text,
// whose binarize is empty or whose test_top1 is no number is refused,
// naming the key and the value.
func TestEvaluateRefusesBadMeta(t *testing.T) {
	net, meta := tinyModel(t)
	dir := t.TempDir()
	for i, tc := range []struct{ key, value string }{
		{"input", "1x16x16junk"}, {"input", "1x16x16x3"}, {"binarize", ""}, {"test_top1", "abc"},
		{"test_subset", "-1"}, {"test_subset", "010"}, {"test_subset", ""},
	} {
		meta := maps.Clone(meta)
		meta[tc.key] = tc.value
		path := filepath.Join(dir, fmt.Sprintf("m%d.gbnn", i))
		writeModelFile(t, path, net, meta)
		_, err := Evaluate(context.Background(), EvalOptions{Model: path, Batch: new(8)})
		want := fmt.Sprintf("metadata %s = %q is malformed", tc.key, tc.value)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("eval of a model file with %s = %q: error %v, want %q", tc.key, tc.value, err, want)
		}
	}
}

// TestEvaluateRefusesShapeBeforeOpening: eval --dataset with a dataset of
// another fixed shape than the model's opened it first, which downloads
// it where it is not found (CIFAR-10's 170 MB for a Fashion-MNIST model),
// and only then refused the shape. It is refused before, naming both
// shapes; here the empty data directory would otherwise be the error.
func TestEvaluateRefusesShapeBeforeOpening(t *testing.T) {
	net, meta := tinyModel(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gbnn")
	writeModelFile(t, path, net, meta)
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ dataset, want string }{
		{"cifar10", "suite: eval: dataset cifar10 has 3×32×32 images of 10 classes; the model takes 1×16×16 images of 10 classes"},
		{"mnist", "suite: eval: dataset mnist has 1×28×28 images of 10 classes; the model takes 1×16×16 images of 10 classes"},
	} {
		_, err := Evaluate(context.Background(), EvalOptions{Model: path, Batch: new(8), Dataset: tc.dataset, DataDir: empty})
		if err == nil || err.Error() != tc.want {
			t.Errorf("eval --dataset %s of a 1×16×16 model: error %v, want %q", tc.dataset, err, tc.want)
		}
	}
}

// tinyModel returns a 1×16×16 resnet20 at width 0.125 with its model
// file metadata, of a run with test top-1 12.5%.
func tinyModel(t *testing.T) (nn.Layer, map[string]string) {
	t.Helper()
	return modelOf(t, "synthetic", 16)
}

// modelOf returns a 1×side×side resnet20 of the dataset at width 0.125,
// binarized with ste, with its model file metadata, of a run with test
// top-1 12.5%.
func modelOf(t *testing.T, dataset string, side int) (nn.Layer, map[string]string) {
	t.Helper()
	mc := ModelConfig{Model: "resnet20", Dataset: dataset, C: 1, H: side, W: side, Classes: 10, Width: 0.125, Binarize: "both", Estimator: "ste"}
	m, err := mc.buildTrained()
	if err != nil {
		t.Fatal(err)
	}
	meta := mc.meta()
	meta["run"], meta["test_top1"], meta["test_subset"] = "0123456789abcdef", "12.5", "0"
	return m.Net, meta
}

// writeModelFile writes net with meta as the model file path, as export
// does (xnor.Save), failing the test on an error.
func writeModelFile(t *testing.T, path string, net nn.Layer, meta map[string]string) {
	t.Helper()
	var b bytes.Buffer
	if _, err := xnor.Save(&b, net, meta); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEvaluateBatchNamesFlag: a --batch out of range is refused naming the
// flag and its bounds; it used to read "batch 0, want at least 1" and
// "data: batch size 513 is larger than the 512 images it batches", which
// named no flag.
func TestEvaluateBatchNamesFlag(t *testing.T) {
	net, meta := tinyModel(t)
	path := filepath.Join(t.TempDir(), "m.gbnn")
	writeModelFile(t, path, net, meta)
	for _, tc := range []struct {
		batch int
		want  string
	}{
		{0, "suite: eval: --batch 0: want at least 1 image"},
		{-3, "suite: eval: --batch -3: want at least 1 image"},
		{513, "suite: eval: --batch 513 is more than the 512 images of the test split of synthetic: want at most 512"},
	} {
		_, err := Evaluate(context.Background(), EvalOptions{Model: path, Batch: new(tc.batch)})
		if err == nil || err.Error() != tc.want {
			t.Errorf("eval --batch %d: error %v, want %q", tc.batch, err, tc.want)
		}
	}
}

// TestExportRefusesEpochWeights: export --run of a run's --keep-epochs
// weights, <key>.e<epoch>.weights, is refused saying what the file is and
// what export wants; it used to be told its key was not 16 hex digits,
// which it is.
func TestExportRefusesEpochWeights(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "0123456789abcdef.e3.weights")
	if err := os.WriteFile(run, []byte("weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Export(context.Background(), run, filepath.Join(dir, "m.gbnn"), "")
	want := "suite: export: " + run + " holds the weights of run 0123456789abcdef after epoch 3 (kept by gradbench run --keep-epochs; gradbench fidelity --epochs reads them by epoch): want the run's record 0123456789abcdef.json or its final weights 0123456789abcdef.weights"
	if err == nil || err.Error() != want {
		t.Errorf("Export(%s) = %v, want %s", run, err, want)
	}
}

// TestEvaluateReportSaysWhatRan: eval's report says how the packed
// network ran a batch. With --batch below the chunk of 8 images only the
// first replica runs, each batch in one pass, and the report used to say
// "2 replicas, one per core, chunks of 8 images" all the same.
func TestEvaluateReportSaysWhatRan(t *testing.T) {
	net, meta := tinyModel(t)
	path := filepath.Join(t.TempDir(), "m.gbnn")
	writeModelFile(t, path, net, meta)
	workers := parallel.Workers()
	many := fmt.Sprintf("%d replicas, one per core, chunks of 8 images", workers)
	if workers == 1 {
		many = "one replica (one core), chunks of 8 images"
	}
	one := "one replica, each batch in one pass"
	if workers > 1 {
		one += " (a batch of more than 8 images runs in chunks of 8, on one replica per core)"
	}
	for _, tc := range []struct {
		batch int
		want  string
	}{
		{4, one},
		{8, one},
		{8 * workers, many},
	} {
		ev, err := Evaluate(context.Background(), EvalOptions{Model: path, Batch: new(tc.batch)})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := ev.WriteReport(&b); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("batches of %d images; packed network: %s\n", tc.batch, tc.want)
		if !strings.Contains(b.String(), want) {
			t.Errorf("eval --batch %d: report\n%s\nwant the line %q", tc.batch, b.String(), want)
		}
	}
}

// TestEvaluateReportShortTimes: tried as a new user would (eval
// --test-subset 1 --batch 1), the packed network's 0.4 ms was printed as
// "0s" beside 2503 images/s, rounded to the millisecond as a time of
// seconds is; a time under a second keeps three digits now, and one
// image is "batches of 1 image".
func TestEvaluateReportShortTimes(t *testing.T) {
	ev := Evaluation{Path: "m.gbnn", Model: ModelConfig{Model: "resnet20", Width: 1}, Dataset: "synthetic", Batch: 1, Split: 512,
		Compiled: 1, Replicas: 1, Chunks: 1, Chunk: 8, GEMM: "go", Binary: "go",
		Result: xnor.Comparison{Images: 1, FloatCorrect: 1, PackedCorrect: 1, Agree: 1, FloatTime: 10123456 * time.Nanosecond, PackedTime: 399600 * time.Nanosecond}}
	var b strings.Builder
	if err := ev.WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| float | nn (gemm go) | 100.00 | 10.1ms | 99 |", "| packed | xnor (go) | 100.00 | 400µs | 2503 |", "batches of 1 image; "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report\n%s\nwant %q", b.String(), want)
		}
	}
	ev.Result.FloatTime, ev.Result.PackedTime = 8866123456*time.Nanosecond, 2571234567*time.Nanosecond
	b.Reset()
	if err := ev.WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{" | 8.866s | ", " | 2.571s | "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report\n%s\nwant %q", b.String(), want)
		}
	}
}

// TestEvaluateReportRounding: a new user's eval of the whole
// Fashion-MNIST test split printed a largest logit difference of 0.644,
// where a subset of it gave 1.9e-06, with no word of why; the report now
// says how many images have logits equal up to float32 rounding, and
// what the others' larger difference comes from, below the line of the
// agreeing predictions, which stays as it was (tests parse it).
func TestEvaluateReportRounding(t *testing.T) {
	ev := Evaluation{Path: "m.gbnn", Model: ModelConfig{Model: "resnet20", Width: 1}, Dataset: "fashion-mnist", Batch: 100, Split: 10000,
		Compiled: 1, Replicas: 1, Chunks: 13, Chunk: 8, GEMM: "go", Binary: "go",
		Result: xnor.Comparison{Images: 10000, FloatCorrect: 8871, PackedCorrect: 8871, Agree: 10000, FloatTime: 6 * time.Second, PackedTime: time.Second,
			MaxLogitDiff: 1.19, BeyondRounding: 14}}
	for _, tc := range []struct {
		beyond int
		diff   float64
		want   string
	}{
		{14, 1.19, "predictions equal: 10000 of 10000 (100.00%); largest logit difference 1.19; packed 6.0× faster\n" +
			"logits equal up to float32 rounding (relative 0.0001): 9986 of 10000 images; the other 14 differ by more, as they do when an input of a binary layer lies within rounding of 0 and the two networks binarize it to opposite signs (README: Binary inference)\n"},
		{0, 1.9e-6, "predictions equal: 10000 of 10000 (100.00%); largest logit difference 1.9e-06; packed 6.0× faster\n" +
			"logits equal up to float32 rounding (relative 0.0001): all 10000 images\n"},
	} {
		ev.Result.BeyondRounding, ev.Result.MaxLogitDiff = tc.beyond, tc.diff
		var b strings.Builder
		if err := ev.WriteReport(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(b.String(), "\n\n"+tc.want) {
			t.Errorf("%d images beyond rounding: report\n%s\nwant it to end with\n%s", tc.beyond, b.String(), tc.want)
		}
	}
}

// TestEvaluationPasses: the packed network's line names only the
// replicas that ran (fewer than compiled when a batch has fewer chunks).
func TestEvaluationPasses(t *testing.T) {
	for _, tc := range []struct {
		ev   Evaluation
		want string
	}{
		{Evaluation{Compiled: 2, Replicas: 1, Chunks: 1, Chunk: 8}, "one replica, each batch in one pass (a batch of more than 8 images runs in chunks of 8, on one replica per core)"},
		{Evaluation{Compiled: 1, Replicas: 1, Chunks: 1, Chunk: 8}, "one replica, each batch in one pass"},
		{Evaluation{Compiled: 1, Replicas: 1, Chunks: 3, Chunk: 8}, "one replica (one core), chunks of 8 images"},
		{Evaluation{Compiled: 4, Replicas: 2, Chunks: 2, Chunk: 8}, "2 of its 4 replicas (one per core), a batch being 2 chunks of at most 8 images"},
		{Evaluation{Compiled: 2, Replicas: 2, Chunks: 13, Chunk: 8}, "2 replicas, one per core, chunks of 8 images"},
	} {
		if got := tc.ev.passes(); got != tc.want {
			t.Errorf("%+v: passes() = %q, want %q", tc.ev, got, tc.want)
		}
	}
}

// TestEvaluateRunsTestSubset: eval evaluates the images a run measured its
// final top-1 on. It used to evaluate the whole test split whatever the
// run's test_subset, so its float top-1 could differ from the run's with
// the same weights; now it evaluates the subset (the tiny recipe's 32 of
// synthetic's 512 test images), and its float top-1 is the run's.
func TestEvaluateRunsTestSubset(t *testing.T) {
	dir, recs := runTiny(t, "ste", 1)
	rec := recs[0]
	if rec.Config.TestSubset != 32 {
		t.Fatalf("the tiny recipe's test_subset is %d, want 32", rec.Config.TestSubset)
	}
	path := filepath.Join(t.TempDir(), "m.gbnn")
	if _, err := Export(context.Background(), RecordPath(dir, rec.Key), path, ""); err != nil {
		t.Fatal(err)
	}
	ev, err := Evaluate(context.Background(), EvalOptions{Model: path, Batch: new(rec.Config.Batch)})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Result.Images != 32 || ev.Result.FloatTop1() != rec.Final.TestTop1 {
		t.Errorf("eval of a run with test_subset 32: %d images, float top-1 %v; want 32 images and the run's final test top-1 %v",
			ev.Result.Images, ev.Result.FloatTop1(), rec.Final.TestTop1)
	}
	var b strings.Builder
	if err := ev.WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	if want := " on synthetic test (32 of 512 images, the run's test_subset), "; !strings.Contains(b.String(), want) {
		t.Errorf("report\n%s\nwant it to say %q", b.String(), want)
	}
	// Without --batch a run's test_subset smaller than DefaultEvalBatch
	// (32) is one batch; --batch 100, given, is refused as more than it.
	if ev, err = Evaluate(context.Background(), EvalOptions{Model: path}); err != nil {
		t.Fatal(err)
	}
	if ev.Batch != 32 || ev.Result.Images != 32 {
		t.Errorf("eval without --batch of a run with test_subset 32: batch %d, %d images; want one batch of 32", ev.Batch, ev.Result.Images)
	}
	if _, err := Evaluate(context.Background(), EvalOptions{Model: path, Batch: new(DefaultEvalBatch)}); err == nil ||
		err.Error() != "suite: eval: --batch 100 is more than the 32 test images of the run's test_subset: want at most 32" {
		t.Errorf("eval --batch 100 of a run with test_subset 32: error %v", err)
	}
	whole := 0
	if ev, err := Evaluate(context.Background(), EvalOptions{Model: path, TestSubset: &whole}); err != nil {
		t.Fatal(err)
	} else if ev.Batch != DefaultEvalBatch {
		t.Errorf("eval --test-subset 0 without --batch: batch %d, want %d", ev.Batch, DefaultEvalBatch)
	}
	// --test-subset, given, is used as given: 0 is the whole split.
	for _, n := range []int{0, 64} {
		// Progress, for eval's progress bar: after every batch, the
		// images both networks have run so far, of all of them, and the
		// time left: not known yet (-1) after the first batch, whose
		// time includes the warm-up, and 0 at the end.
		var calls [][2]int
		progress := func(done, total int, left time.Duration) {
			calls = append(calls, [2]int{done, total})
			first := len(calls) == 1 && done < total
			if (first && left != -1) || (!first && left < 0) || (done == total && left != 0) {
				t.Errorf("eval --test-subset %d: %d/%d images with %v left", n, done, total, left)
			}
		}
		ev, err := Evaluate(context.Background(), EvalOptions{Model: path, Batch: new(16), TestSubset: &n, Progress: progress})
		if err != nil {
			t.Fatal(err)
		}
		want := cmp.Or(n, 512)
		if ev.Result.Images != want {
			t.Errorf("eval --test-subset %d: %d images, want %d", n, ev.Result.Images, want)
		}
		if len(calls) != want/16 || calls[0] != [2]int{16, want} || calls[len(calls)-1] != [2]int{want, want} {
			t.Errorf("eval --test-subset %d --batch 16: progress %v, want %d calls from 16/%d to %d/%d", n, calls, want/16, want, want, want)
		}
	}
	for n, want := range map[int]string{
		-1:  "suite: eval: --test-subset -1: want an integer >= 0 (0: the whole test split)",
		513: "suite: eval: --test-subset 513 is more than the 512 images of the test split of synthetic: want at most 512, or 0 for the whole split",
		8:   "suite: eval: --batch 16 is more than the 8 test images of --test-subset: want at most 8",
	} {
		_, err := Evaluate(context.Background(), EvalOptions{Model: path, Batch: new(16), TestSubset: &n})
		if err == nil || err.Error() != want {
			t.Errorf("eval --test-subset %d: error %v, want %q", n, err, want)
		}
	}
}

// TestEvaluateRefusesUnrecordedSubset: a model file that does not record
// its run's test_subset (an earlier export wrote it) is refused unless
// --test-subset says which images to evaluate: its top-1 may have been
// measured on a subset, and evaluating the whole split instead would
// compare other images without saying so.
func TestEvaluateRefusesUnrecordedSubset(t *testing.T) {
	net, meta := tinyModel(t)
	delete(meta, "test_subset")
	path := filepath.Join(t.TempDir(), "m.gbnn")
	writeModelFile(t, path, net, meta)
	_, err := Evaluate(context.Background(), EvalOptions{Model: path, Batch: new(8)})
	want := "suite: eval: " + path + " does not record its run's test_subset (an earlier gradbench export wrote it), so the images its test top-1 was measured on are unknown: give --test-subset 0 for the whole test split or --test-subset N for a run's test_subset N, or export the run again"
	if err == nil || err.Error() != want {
		t.Errorf("eval of a model file without test_subset: error %v, want %q", err, want)
	}
	whole := 0
	ev, err := Evaluate(context.Background(), EvalOptions{Model: path, Batch: new(8), TestSubset: &whole})
	if err != nil || ev.Result.Images != 512 {
		t.Errorf("eval --test-subset 0 of a model file without test_subset: %v, want the 512 test images", err)
	}
}

// TestEvaluateTestSplitAlone: eval reads the test split alone, so a data
// directory without the training split does not block it. Tried as a new
// user would: eval --dataset mnist fetched the training split too.
func TestEvaluateTestSplitAlone(t *testing.T) {
	net, meta := modelOf(t, "mnist", 28)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gbnn")
	writeModelFile(t, path, net, meta)
	dataDir := filepath.Join(dir, "data")
	if err := os.Mkdir(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFMNIST(t, dataDir, noiseSplit(10, 1), noiseSplit(20, 2))
	for _, name := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte"} {
		if err := os.Remove(filepath.Join(dataDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := Evaluate(context.Background(), EvalOptions{Model: path, DataDir: dataDir, Batch: new(10)})
	if err != nil {
		t.Fatalf("eval with the test split alone: %v", err)
	}
	if ev.Result.Images != 20 {
		t.Errorf("eval: %d images, want the test split's 20", ev.Result.Images)
	}
}

// TestDamagedWeightsSayWhatToDo: a run's final weights that are
// truncated or empty are refused by LoadRun (export, eval) and fidelity
// naming the file and saying how to have them again. The error named the
// checkpoint format's problem alone. Tried as a new user would: exported
// a run whose weights a full disk had cut short.
func TestDamagedWeightsSayWhatToDo(t *testing.T) {
	dir, key := oneEpochRun(t)
	lr, err := LoadRun(context.Background(), RecordPath(dir, key), "")
	if err != nil {
		t.Fatal(err)
	}
	final := WeightsPath(dir, key)
	own, err := os.ReadFile(final)
	if err != nil {
		t.Fatal(err)
	}
	want := final + " is damaged or not run " + key + "'s weights after epoch 1; only training the run again makes them anew: run its sweep again in a new --out"
	for name, b := range map[string][]byte{"truncated": own[:len(own)/2], "empty": nil} {
		if err := os.WriteFile(final, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadRun(context.Background(), RecordPath(dir, key), ""); err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("LoadRun with %s final weights: error %v, want ...%s", name, err, want)
		}
		_, states, _, _, err := FidelitySpec{Run: RecordPath(dir, key)}.states()
		if err != nil {
			t.Fatal(err)
		}
		if err := states[len(states)-1].load(&lr.Model.Net, lr.Train); err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("fidelity with %s final weights: error %v, want ...%s", name, err, want)
		}
	}
}

// TestWeightsLinkLoop: final weights that are a loop of symbolic links
// are refused as a file that cannot be read, with why, not as weights the
// run does not have with the advice to train the sweep again. Tried as a
// new user would: exported a run whose weights were a link to itself.
func TestWeightsLinkLoop(t *testing.T) {
	dir, key := oneEpochRun(t)
	final := WeightsPath(dir, key)
	if err := os.Remove(final); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Base(final), final); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	_, err := LoadRun(context.Background(), RecordPath(dir, key), "")
	want := "run " + key + ": its final weights " + final + " cannot be read: stat " + final + ": "
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "has no final weights") {
		t.Errorf("LoadRun with a loop of links as the final weights: error %v, want %s...", err, want)
	}
}

// oneEpochRun trains the tiny ste sweep for one epoch, keeping its final
// weights, and returns its runs directory and the run's key.
func oneEpochRun(t *testing.T) (dir, key string) {
	t.Helper()
	s := tinySweep(t, "ste", 1)
	s.Workload.Recipe.Epochs = 1
	dir, recs := runSweep(t, s, true)
	return dir, recs[0].Key
}
