package suite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/xnor"
)

// Evaluation is what Evaluate measured.
type Evaluation struct {
	Path    string // the model file
	Model   ModelConfig
	Dataset string // the dataset evaluated on
	Batch   int    // images per batch
	// TestSubset is the number of test images evaluated, drawn as a run
	// draws its test_subset, or 0 for the whole split (Split images);
	// SubsetFrom says where it came from: "the run's test_subset" or
	// "--test-subset".
	TestSubset, Split int
	SubsetFrom        string
	// Compile says what was packed; Result compares the two networks.
	Compile xnor.CompileStats
	Result  xnor.Comparison
	// The packed network has Compiled replicas (one per core); a batch
	// of Batch images runs as Chunks passes of at most Chunk images on
	// Replicas of them at once (one pass on one replica if Batch is at
	// most Chunk; see xnor.Network.Passes).
	Compiled, Replicas, Chunks, Chunk int
	// GEMM and Binary name the float and the binary kernels.
	GEMM, Binary string
}

// EvalImpls lists the binary kernels Evaluate can use, the fastest last
// (see package xnor).
func EvalImpls() []string { return xnor.Impls() }

// DefaultEvalBatch is Evaluate's batch when EvalOptions.Batch is nil
// (and at least that many test images are evaluated).
const DefaultEvalBatch = 100

// EvalOptions says what Evaluate runs.
type EvalOptions struct {
	Model   string // model file written by Export
	Dataset string // dataset to evaluate on; empty: the model's
	DataDir string // where to read it from; empty: data.Open's search order
	// Batch, when not nil, is the number of images per batch (--batch),
	// from 1 to the number of test images evaluated; nil means
	// DefaultEvalBatch, or all the images evaluated when they are fewer.
	Batch *int
	Impl  string // binary kernels (EvalImpls); empty: the fastest
	// TestSubset, when not nil, is the number of test images to evaluate
	// (--test-subset): a subset drawn as a run draws its test_subset, so
	// that N evaluates the images of a run whose recipe says
	// "test_subset": N, or 0 for the whole split. Nil evaluates the images
	// the run measured its final top-1 on, as the model file records
	// them; a model file that does not record them (written by an export
	// before it did), or a run's test subset with another Dataset than
	// the run's, is refused.
	TestSubset *int
	// Progress, when not nil, is called after every batch with the test
	// images evaluated so far (by both networks), their total, and the
	// time left at the pace of the batches after the first (whose time
	// includes the warm-up): -1 after the first batch, when that pace is
	// not known yet, and 0 once all are done.
	Progress func(done, total int, left time.Duration)
	// Typed holds the flags' values as typed (cli.Typed), which the
	// refusals of --batch and --test-subset quote.
	Typed Typed
}

// Evaluate runs a model file's network on the test split of its dataset
// (by default the images its run measured its final top-1 on: its
// test_subset, if any) twice: as the full-precision network in evaluation
// mode (its binary convolutions on nn's float path, as xnor.Compare runs
// it) and packed, with XNOR-popcount kernels where layers are binary, and
// compares their predictions, accuracies and times.
func Evaluate(ctx context.Context, o EvalOptions) (*Evaluation, error) {
	if o.Batch != nil && *o.Batch < 1 {
		return nil, fmt.Errorf("suite: eval: --batch %s: want at least 1 image", o.Typed.of("batch", *o.Batch))
	}
	if o.TestSubset != nil && *o.TestSubset < 0 {
		return nil, fmt.Errorf("suite: eval: --test-subset %s: want an integer >= 0 (0: the whole test split)", o.Typed.of("test-subset", *o.TestSubset))
	}
	if o.Impl != "" {
		if err := xnor.SetImpl(o.Impl); err != nil {
			return nil, wrapErr("suite: eval", err)
		}
	}
	r, err := os.Open(o.Model)
	if err != nil {
		return nil, wrapErr("suite: eval", err)
	}
	f, err := xnor.Read(r)
	r.Close()
	if err != nil {
		if what := runFileOfEval(o.Model); what != "" {
			return nil, fmt.Errorf("suite: eval: %s: %s", o.Model, what)
		}
		return nil, fmt.Errorf("suite: eval: %s: %w", o.Model, err)
	}
	mc, err := readModelMeta(f.Meta)
	if err != nil {
		return nil, fmt.Errorf("suite: eval: %s: %w", o.Model, err)
	}
	if o.Dataset == "" {
		o.Dataset = mc.Dataset
	}
	shapeErr := func(c, h, w, classes int) error {
		if c == mc.C && h == mc.H && w == mc.W && classes == mc.Classes {
			return nil
		}
		return fmt.Errorf("suite: eval: dataset %s has %d×%d×%d images of %d classes; the model takes %d×%d×%d images of %d classes",
			o.Dataset, c, h, w, classes, mc.C, mc.H, mc.W, mc.Classes)
	}
	// A dataset of a fixed shape is refused before it is opened, which
	// may download it (CIFAR-10's 170 MB for a Fashion-MNIST model), and
	// before the test subset is settled: a dataset the model cannot take
	// is the error, not the subset --test-subset would choose on it.
	if c, h, w, classes, ok := data.Shape(o.Dataset); ok {
		if err := shapeErr(c, h, w, classes); err != nil {
			return nil, err
		}
	}
	subset, from := 0, "--test-subset"
	if o.TestSubset != nil {
		subset = *o.TestSubset
	} else {
		n, recorded, err := metaTestSubset(f.Meta)
		switch {
		case err != nil:
			return nil, fmt.Errorf("suite: eval: %s: %w", o.Model, err)
		case !recorded:
			return nil, fmt.Errorf("suite: eval: %s does not record its run's test_subset (an earlier gradbench export wrote it), so the images its test top-1 was measured on are unknown: give --test-subset 0 for the whole test split or --test-subset N for a run's test_subset N, or export the run again", o.Model)
		case n > 0 && o.Dataset != mc.Dataset:
			return nil, fmt.Errorf("suite: eval: --dataset %s: the run evaluated a test_subset of %d images of %s, which does not apply to %s: give --test-subset 0 for the whole test split of %s, or --test-subset N", o.Dataset, n, mc.Dataset, o.Dataset, o.Dataset)
		}
		subset, from = n, "the run's test_subset"
	}
	test, err := openTestSplit(ctx, o.Dataset, o.DataDir)
	if err != nil {
		return nil, wrapErr("suite: eval", err)
	}
	c, h, w := test.BatchShape()
	if err := shapeErr(c, h, w, test.Classes); err != nil {
		return nil, err
	}
	// The run's test top-1 was measured on the test split whose digest
	// the model file keeps (an export of a run whose record has data
	// digests): other files of the same dataset are refused, since their
	// top-1 would be compared with it as the same images'. Another
	// dataset (--dataset) is evaluated as asked, and a model file without
	// the digest (an export before records kept them) unchecked.
	if want, ok := f.Meta["test_data"]; ok && o.Dataset == mc.Dataset {
		if now := test.Digest(); now != want {
			return nil, fmt.Errorf("suite: eval: %s was exported from run %s, evaluated on other data than the %s test files read now: its test split %s where the files read now give %s; give the files it was evaluated on (--data), or export a run trained on these files",
				o.Model, f.Meta["run"], o.Dataset, want, now)
		}
	}
	if subset > test.N {
		given := strconv.Itoa(subset)
		if o.TestSubset != nil {
			given = o.Typed.of("test-subset", subset)
		}
		return nil, fmt.Errorf("suite: eval: %s %s is more than the %d images of the test split of %s: want at most %d, or 0 for the whole split", from, given, test.N, o.Dataset, test.N)
	}
	images := test.N
	if subset > 0 {
		images = subset
	}
	batch := min(DefaultEvalBatch, images)
	if o.Batch != nil {
		batch = *o.Batch
	}
	if subset == 0 && batch > images {
		return nil, fmt.Errorf("suite: eval: --batch %s is more than the %d images of the test split of %s: want at most %d", o.Typed.of("batch", batch), images, o.Dataset, images)
	} else if subset > 0 && batch > images {
		return nil, fmt.Errorf("suite: eval: --batch %s is more than the %d test images of %s: want at most %d", o.Typed.of("batch", batch), images, from, images)
	}
	load := func() (nn.Layer, error) {
		m, err := mc.buildTrained()
		if err != nil {
			return nil, err
		}
		return m.Net, f.Restore(m.Net)
	}
	float, err := load()
	if err != nil {
		return nil, fmt.Errorf("suite: eval: %s: %w", o.Model, err)
	}
	// The packed network: one replica per core, each loaded anew.
	packed, st, err := xnor.CompileParallel(load)
	if err != nil {
		return nil, fmt.Errorf("suite: eval: %s: %w", o.Model, err)
	}
	// The subset a run's test loader draws (testLoader): the same images
	// whatever the batch.
	cfg := data.EvalConfig(batch)
	cfg.Subset = subset
	loader, err := data.NewLoader(test, cfg)
	if err != nil {
		return nil, wrapErr("suite: eval", err)
	}
	defer loader.Close()
	it := loader.Epoch(ctx, 0)
	defer it.Close()
	var x nn.Tensor
	var start, warm time.Time
	done, warmDone := 0, 0
	next := func() (xnor.Batch, bool) {
		if start.IsZero() {
			start = time.Now()
		} else if o.Progress != nil {
			// The batch returned last has been run by both networks.
			done += x.N
			// The time left at the pace after the first batch, which
			// also pays the networks' and the loader's warm-up (several
			// times a later batch's time): after the first batch it is
			// not known yet (-1).
			left := time.Duration(-1)
			if done == images {
				left = 0
			} else if warm.IsZero() {
				warm, warmDone = time.Now(), done
			} else {
				left = time.Duration(float64(time.Since(warm)) / float64(done-warmDone) * float64(images-done))
			}
			o.Progress(done, images, left)
		}
		if !it.Next() {
			return xnor.Batch{}, false
		}
		b := it.Batch()
		x = nn.Tensor{N: b.N, C: b.C, H: b.H, W: b.W, Data: b.X}
		return xnor.Batch{X: &x, Labels: b.Y}, true
	}
	res, err := xnor.Compare(ctx, float, packed, next)
	if err == nil {
		err = it.Err()
	}
	if err != nil {
		return nil, wrapErr("suite: eval", err)
	}
	ev := &Evaluation{Path: o.Model, Model: mc, Dataset: o.Dataset, Batch: batch, TestSubset: subset, Split: test.N, SubsetFrom: from, Compile: st, Result: res,
		Compiled: packed.Replicas(), GEMM: gemm.Impl(), Binary: xnor.Impl()}
	ev.Replicas, ev.Chunks, ev.Chunk = packed.Passes(batch)
	return ev, nil
}

// runFileOfEval says, of a --model that is no model file (it does not
// start with one's header) and is named as a file of a runs directory (a
// record, weights, an epoch checkpoint: runFileKind), what it is and
// which export makes a model file of its run: what a user who passes a
// finished run's file to eval, before exporting it, needs to read rather
// than that its magic is bad. It returns "" for any other file.
func runFileOfEval(path string) string {
	base := filepath.Base(path)
	kind := runFileKind(base)
	if kind == "" {
		return ""
	}
	r, err := os.Open(path)
	if err != nil {
		return ""
	}
	model, err := xnor.IsModelFile(r)
	r.Close()
	if err != nil || model {
		return ""
	}
	if len(base) > 16 && base[16] == '.' && isKey(base[:16]) {
		key, dir := base[:16], filepath.Dir(path)
		export := "gradbench export --run " + RecordPath(dir, key)
		rec, recErr := ReadRecord(dir, key)
		if m := epochWeightsRE.FindStringSubmatch(base); m != nil {
			// The weights after an epoch but the last (--keep-epochs):
			// export packs the final network, not these, and the hint
			// says so, lest the model exported be taken for this epoch's.
			of := ""
			if recErr == nil {
				of = fmt.Sprintf(" of %d", rec.Config.Epochs)
			}
			return fmt.Sprintf("it is the weights of run %s after epoch %s%s, kept by gradbench run --keep-epochs, not a model file: gradbench export packs a run's final network alone, after its last epoch, not the weights after an earlier one (%s packs run %s's final network into one, for eval)",
				key, m[2], of, export, key)
		}
		switch {
		case recErr == nil && rec.Diverged != nil:
			// Export refuses it: there is no network to pack.
			return fmt.Sprintf("it is %s of run %s, not a model file, and the run diverged at epoch %d: it has no trained network to export for eval",
				kind, key, rec.Diverged.Epoch)
		case errors.Is(recErr, fs.ErrNotExist) && strings.HasSuffix(base, ".ckpt"):
			// Export refuses an unfinished run: once it finishes.
			return fmt.Sprintf("it is %s of run %s, which has not finished, not a model file: once the run has finished (running its gradbench run again resumes it from this checkpoint), %s packs its network into one, for eval",
				kind, key, export)
		}
		return fmt.Sprintf("it is %s of run %s, not a model file: %s packs that run's network into one, for eval",
			kind, key, export)
	}
	return "it is " + kind + ", not a model file: gradbench export --run <key>.json (the run's record) packs a finished run's network into one, for eval"
}

// WriteReport writes what Evaluate measured: the model and the packing,
// a markdown table of both networks' accuracy and speed, and how far their
// predictions agree.
func (ev *Evaluation) WriteReport(w io.Writer) error {
	res, st := ev.Result, ev.Compile
	images := fmt.Sprintf("%d images", res.Images)
	if ev.TestSubset > 0 && ev.TestSubset < ev.Split {
		images = fmt.Sprintf("%d of %d images, %s", res.Images, ev.Split, ev.SubsetFrom)
	}
	fmt.Fprintf(w, "%s: %s on %s test (%s), %d binary layers packed (%d with BatchNorm folded in, %d with their residual addition)\n",
		ev.Path, modelLabel(ev.Model.Model, ev.Model.Width), ev.Dataset, images, st.Binary, st.Folded, st.Residual)
	unit := "images"
	if ev.Batch == 1 {
		unit = "image"
	}
	fmt.Fprintf(w, "batches of %d %s; packed network: %s\n\n", ev.Batch, unit, ev.passes())
	ips := func(d float64) string {
		if d <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f", float64(res.Images)/d)
	}
	fmt.Fprintf(w, "| network | kernels | top-1 %% | time | images/s |\n|---|---|---:|---:|---:|\n")
	fmt.Fprintf(w, "| float | nn (gemm %s) | %.2f | %v | %s |\n", ev.GEMM, res.FloatTop1(), reportDuration(res.FloatTime), ips(res.FloatTime.Seconds()))
	fmt.Fprintf(w, "| packed | xnor (%s) | %.2f | %v | %s |\n\n", ev.Binary, res.PackedTop1(), reportDuration(res.PackedTime), ips(res.PackedTime.Seconds()))
	fmt.Fprintf(w, "predictions equal: %d of %d (%.2f%%); largest logit difference %.3g; packed %.1f× faster\n",
		res.Agree, res.Images, res.Agreement(), res.MaxLogitDiff, res.Speedup())
	_, err := fmt.Fprintln(w, roundingLine(res))
	return err
}

// roundingLine says on how many images the packed network's logits are
// the float network's up to float32 rounding (xnor.RoundingTolerance),
// and what a larger difference comes from, lest the largest logit
// difference, far above rounding when it comes from an image of the
// others, be read as a bug.
func roundingLine(res xnor.Comparison) string {
	within := fmt.Sprintf("logits equal up to float32 rounding (relative %g): ", xnor.RoundingTolerance)
	if res.BeyondRounding == 0 {
		return within + fmt.Sprintf("all %d images", res.Images)
	}
	return within + fmt.Sprintf("%d of %d images; the other %d differ by more, as they do when an input of a binary layer lies within rounding of 0 and the two networks binarize it to opposite signs (README: Binary inference)",
		res.WithinRounding(), res.Images, res.BeyondRounding)
}

// reportDuration rounds d for eval's report: to the millisecond from a
// second up (8.866s), else to three significant digits (10.1ms, 400µs),
// so that a time under half a millisecond is not printed as 0s beside
// its images per second.
func reportDuration(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Millisecond)
	}
	unit := time.Duration(1)
	for d >= 1000*unit {
		unit *= 10
	}
	return d.Round(unit)
}

// passes says how the packed network ran a batch: on how many of its
// replicas, in chunks of how many images.
func (ev *Evaluation) passes() string {
	switch {
	case ev.Chunks <= 1:
		s := "one replica, each batch in one pass"
		if ev.Compiled > 1 {
			s += fmt.Sprintf(" (a batch of more than %d images runs in chunks of %d, on one replica per core)", ev.Chunk, ev.Chunk)
		}
		return s
	case ev.Compiled <= 1:
		return fmt.Sprintf("one replica (one core), chunks of %d images", ev.Chunk)
	case ev.Replicas < ev.Compiled:
		return fmt.Sprintf("%d of its %d replicas (one per core), a batch being %d chunks of at most %d images", ev.Replicas, ev.Compiled, ev.Chunks, ev.Chunk)
	}
	return fmt.Sprintf("%d replicas, one per core, chunks of %d images", ev.Replicas, ev.Chunk)
}
