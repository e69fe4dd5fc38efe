package suite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/xnor"
)

// meta returns the model file metadata that records mc. A run planned
// before the binarize setting was recorded has it empty, which RunSpec
// reads as both: the file says so.
func (mc ModelConfig) meta() map[string]string {
	binarize := mc.Binarize
	if binarize == "" {
		binarize = binarizeBoth
	}
	return map[string]string{
		"model": mc.Model, "dataset": mc.Dataset,
		"input":     fmt.Sprintf("%dx%dx%d", mc.C, mc.H, mc.W),
		"classes":   strconv.Itoa(mc.Classes),
		"width":     strconv.FormatFloat(mc.Width, 'g', -1, 64),
		"binarize":  binarize,
		"estimator": mc.Estimator,
	}
}

var (
	metaInputRE = regexp.MustCompile(`^([1-9][0-9]*)x([1-9][0-9]*)x([1-9][0-9]*)$`)
	metaCountRE = regexp.MustCompile(`^[1-9][0-9]*$`)
	metaSizeRE  = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)
	// Decimal numbers as strconv.FormatFloat writes them ('g' and 'f'):
	// no sign, hexadecimal, underscores, Inf or NaN.
	metaFloatRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(e[+-][0-9]+)?$`)
)

// modelConfigOf reads the metadata written by meta, each value whole: a
// value with anything after what export writes is refused, not cut short.
func modelConfigOf(meta map[string]string) (ModelConfig, error) {
	mc := ModelConfig{Model: meta["model"], Dataset: meta["dataset"], Binarize: meta["binarize"], Estimator: meta["estimator"]}
	bad := func(key, want string) error {
		v, ok := meta[key]
		if !ok {
			return fmt.Errorf("model file metadata has no %s (not written by gradbench export?)", key)
		}
		return fmt.Errorf("model file metadata %s = %q is malformed: want %s (not written by gradbench export?)", key, v, want)
	}
	if mc.Model == "" {
		return mc, bad("model", "a model name")
	}
	if mc.Dataset == "" {
		return mc, bad("dataset", "a dataset name")
	}
	m := metaInputRE.FindStringSubmatch(meta["input"])
	if m == nil {
		return mc, bad("input", "CxHxW, three integers >= 1 such as 1x28x28")
	}
	for i, p := range []*int{&mc.C, &mc.H, &mc.W} {
		var err error
		if *p, err = strconv.Atoi(m[i+1]); err != nil {
			return mc, bad("input", "CxHxW, three integers >= 1 such as 1x28x28")
		}
	}
	var err error
	if !metaCountRE.MatchString(meta["classes"]) {
		return mc, bad("classes", "an integer >= 1")
	}
	if mc.Classes, err = strconv.Atoi(meta["classes"]); err != nil {
		return mc, bad("classes", "an integer >= 1")
	}
	if mc.Width, err = metaFloat(meta["width"]); err != nil || mc.Width <= 0 {
		return mc, bad("width", "a number > 0")
	}
	switch mc.Binarize {
	case binarizeBoth, "weights", "activations":
	default:
		return mc, bad("binarize", "both, weights or activations")
	}
	if _, err := RunSpec(mc.Binarize, mc.Estimator); errors.Is(err, estimators.ErrUnknown) {
		// A spec, of an estimator this build lacks: not malformed.
		return mc, fmt.Errorf("model file metadata estimator = %q: %w", mc.Estimator, err)
	} else if err != nil {
		return mc, bad("estimator", "an estimator spec ("+err.Error()+")")
	}
	return mc, nil
}

// metaFloat reads a decimal number of the metadata.
func metaFloat(s string) (float64, error) {
	if !metaFloatRE.MatchString(s) {
		return 0, fmt.Errorf("%q is not a decimal number", s)
	}
	return strconv.ParseFloat(s, 64)
}

// readModelMeta reads the metadata Export writes: the ModelConfig (see
// modelConfigOf) and the run's final test top-1, a percentage.
func readModelMeta(meta map[string]string) (ModelConfig, error) {
	mc, err := modelConfigOf(meta)
	if err != nil {
		return mc, err
	}
	v, ok := meta["test_top1"]
	if !ok {
		return mc, errors.New("model file metadata has no test_top1 (not written by gradbench export?)")
	}
	if top1, err := metaFloat(v); err != nil || top1 > 100 {
		return mc, fmt.Errorf("model file metadata test_top1 = %q is malformed: want a percentage from 0 to 100 (not written by gradbench export?)", v)
	}
	if _, _, err := metaTestSubset(meta); err != nil {
		return mc, err
	}
	if v, ok := meta["test_data"]; ok && !isDigest(v) {
		return mc, fmt.Errorf("model file metadata test_data = %q is malformed: want %s and 64 lower-case hex digits (not written by gradbench export?)", v, checksumPrefix)
	}
	return mc, nil
}

// metaTestSubset reads the run's test_subset from the metadata: the test
// images its test_top1 was measured on (0: the whole test split).
// recorded is false for a model file without it, which an export before
// it was recorded wrote.
func metaTestSubset(meta map[string]string) (n int, recorded bool, err error) {
	v, ok := meta["test_subset"]
	if !ok {
		return 0, false, nil
	}
	if !metaSizeRE.MatchString(v) {
		return 0, false, fmt.Errorf("model file metadata test_subset = %q is malformed: want an integer >= 0 (not written by gradbench export?)", v)
	}
	if n, err = strconv.Atoi(v); err != nil {
		return 0, false, fmt.Errorf("model file metadata test_subset = %q is malformed: want an integer >= 0 (not written by gradbench export?)", v)
	}
	return n, true, nil
}

// An Exported model is what Export wrote.
type Exported struct {
	Path   string // the model file
	Key    string // the run's key
	Record *Record
	Model  ModelConfig
	Size   xnor.SizeStats
}

// Export packs the network of a finished run into a model file (see
// package xnor): the binary layers' weights as their signs and one scale
// per filter, everything else as float32, with the run's ModelConfig, key,
// final top-1 and test subset (the images that top-1 was measured on), and
// the digest of the test split it was measured on when the run's record
// keeps one, as metadata. run names the run by its record, <dir>/<key>.json, or its
// final weights, <dir>/<key>.weights; the input shape and class count come from the run's dataset, read from
// dataDir when it is set (as the run read it). out is the file to write;
// empty means <key>.gbnn in the working directory. out may be none of the
// files Export reads (the run's record and weights, the dataset's files)
// nor a file of a runs directory (see CheckOutputs). Canceling ctx stops
// it, with nothing written.
func Export(ctx context.Context, run, out, dataDir string) (*Exported, error) {
	dir, key, err := runKey(run)
	if err != nil {
		return nil, wrapErr("suite: export", err)
	}
	outFlag := "--out"
	if out == "" {
		out, outFlag = key+".gbnn", "--out (default <key>.gbnn)"
	}
	// The run's record and weights are what export reads: out must be
	// neither (nor any other file of a runs directory).
	// The dataset's files are read too (the model's input shape and
	// classes come from them): out must be none of them, nor a file that
	// opening the dataset would download. They are checked before the
	// dataset is opened, so that a refused out costs no download. (A run
	// without a readable record is LoadRun's to refuse.) All are checked
	// in one call, so that a dataset file that a download would put in a
	// directory not made yet is refused as that file, not as a missing
	// directory; an out refused by the rule comes before an error naming
	// the dataset's files.
	var files []NamedFile
	var filesErr error
	if rec, err := ReadRecord(dir, key); err == nil {
		files, filesErr = datasetFiles(rec.Config.Dataset, dataDir)
	}
	err = CheckOutputs([]NamedFile{{outFlag, out}},
		append([]NamedFile{{"--run", run}, {"the run's record", RecordPath(dir, key)}, {"the run's weights", WeightsPath(dir, key)}}, files...))
	if err == nil {
		err = filesErr
	}
	if err == nil {
		err = CheckFormat(outFlag, out, FormatModel)
	}
	if err == nil {
		err = checkReplaceModel(outFlag, out)
	}
	if err != nil {
		return nil, wrapErr("suite: export", err)
	}
	lr, err := LoadRun(ctx, run, dataDir)
	if err != nil {
		return nil, wrapErr("suite: export", err)
	}
	// Interrupted while the dataset loaded (reading local files does not
	// look at ctx): write nothing, as asked.
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("suite: export: %w", err)
	}
	rec, mc, m := lr.Record, lr.ModelConfig, lr.Model
	meta := mc.meta()
	meta["run"] = key
	meta["test_top1"] = strconv.FormatFloat(rec.Final.TestTop1, 'f', -1, 64)
	// test_top1 is measured on the run's test subset: eval evaluates the
	// same images by default.
	meta["test_subset"] = strconv.Itoa(rec.Config.TestSubset)
	// and on the test split whose digest the record keeps, if it does:
	// eval compares it with the split it reads.
	if rec.Data != nil {
		meta["test_data"] = rec.Data.Test
	}
	var st xnor.SizeStats
	err = writeOutputFunc(out, func(w io.Writer) error {
		var err error
		st, err = xnor.Save(w, m.Net, meta)
		return err
	})
	if err != nil {
		return nil, wrapErr("suite: export", err)
	}
	return &Exported{Path: out, Key: key, Record: rec, Model: mc, Size: st}, nil
}

// checkReplaceModel refuses an out (the value of flag) whose file (the
// one a link there points to, which the model is written through) exists
// and is neither empty nor a model file, as xnor.IsModelFile recognises
// one by its magic. Export replaces an earlier export, as a model
// re-exported must; any other file there is most likely named by
// mistake (a study's notes, a table, an extensionless name), and would be
// lost without a word. A file that does not exist passes; a directory, a
// device and the rest are CheckOutputs's to refuse, before this.
func checkReplaceModel(flag, out string) error {
	t := target(out)
	st, err := os.Stat(t)
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return nil
	}
	it := "it is"
	if t != out {
		it = "it is a link to " + t + ", which is"
	}
	refuse := func(why string) error {
		return fmt.Errorf("%s %s: refusing to replace it: %s, and export replaces only a model file (an earlier export) or an empty file: remove it, or name another file", flag, out, why)
	}
	f, err := os.Open(t)
	if err != nil {
		return refuse(fmt.Sprintf("%s a file that cannot be read to tell whether it is a gradbench model file (%v)", it, err))
	}
	defer f.Close()
	ok, err := xnor.IsModelFile(f)
	if err != nil {
		return refuse(fmt.Sprintf("%s a file that cannot be read to tell whether it is a gradbench model file (%v)", it, err))
	}
	if !ok {
		return refuse(it + " not a gradbench model file (it does not start with one's header)")
	}
	return nil
}

// A LoadedRun is a finished run's network with its final weights, its
// record and its dataset.
type LoadedRun struct {
	Key         string
	Record      *Record
	ModelConfig ModelConfig
	Model       *models.Model
	Train, Test *data.Dataset
}

// TestLoader returns the loader of the run's test split as the run
// evaluated it: its test subset, in batches of its training batch or of
// the subset's size when that is smaller (a recipe may evaluate a test
// subset smaller than its batch).
func (lr *LoadedRun) TestLoader() (*data.Loader, error) {
	cfg := lr.Record.Config
	return testLoader(lr.Test, cfg.Batch, cfg.TestSubset)
}

// LoadRun loads the network of a finished run with its final weights:
// run names the run by its record, <dir>/<key>.json, or its final
// weights, <dir>/<key>.weights; the dataset is read from dataDir when it
// is set (as the run read it). It refuses a run that is not finished,
// diverged, or has no final weights, and one whose record's data digests
// (Record.Data) are not those of the splits read now. Canceling ctx stops
// a download of the dataset or the decoding of an image folder.
func LoadRun(ctx context.Context, run, dataDir string) (*LoadedRun, error) {
	dir, key, err := runKey(run)
	if err != nil {
		return nil, err
	}
	rec, err := ReadRecord(dir, key)
	if errors.Is(err, os.ErrNotExist) {
		if !runStarted(dir, key) {
			if _, serr := os.Stat(run); errors.Is(serr, os.ErrNotExist) {
				// Not a run in progress: most likely a mistyped path.
				return nil, fmt.Errorf("%s does not exist: want the record <key>.json or final weights <key>.weights of a finished run (gradbench plan --out DIR lists a sweep's keys and states)", run)
			}
		}
		return nil, fmt.Errorf("no record %s for run %s: the run is not finished (or not a gradbench run)", RecordPath(dir, key), key)
	} else if err != nil {
		return nil, err
	}
	if rec.Status != StatusOK {
		return nil, fmt.Errorf("run %s diverged at epoch %d: it has no trained network", key, rec.Diverged.Epoch)
	}
	weights := WeightsPath(dir, key)
	if _, err := os.Stat(weights); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("run %s has no final weights %s (gradbench run keeps them for runs it finishes; re-run the sweep in a new --out to get them): %w", key, weights, err)
	} else if err != nil {
		// There is something there (a loop of links, a directory one
		// cannot search): its error says what, not "no weights".
		return nil, fmt.Errorf("run %s: its final weights %s cannot be read: %w", key, weights, err)
	}
	train, test, err := OpenDataset(ctx, rec.Config.Dataset, dataDir)
	if err != nil {
		return nil, err
	}
	// The run's weights, final top-1 and test subset are those of the
	// data it was trained on, which its key does not tell apart from other
	// files: a record that says what they were is refused with others.
	// One without data digests (written before records kept them) is
	// loaded unchecked, as before.
	if rec.Data != nil {
		if d := rec.Data.differs(digestOf(train, test)); d != "" {
			return nil, fmt.Errorf("record %s of run %s was trained on other data than the %s files read now: its %s; give the files it was trained on (--data), or train the run again on these files",
				RecordPath(dir, key), key, rec.Config.Dataset, d)
		}
	}
	mc := rec.Config.modelConfig(train)
	m, err := mc.buildTrained()
	if err != nil {
		return nil, err
	}
	if err := loadWeights(weights, key, len(rec.Epochs), m.Net); err != nil {
		return nil, err
	}
	return &LoadedRun{Key: key, Record: rec, ModelConfig: mc, Model: m, Train: train, Test: test}, nil
}

// runStarted reports whether the runs directory dir holds an epoch
// checkpoint or a lock of the run with that key: a run that started and
// has not finished.
func runStarted(dir, key string) bool {
	for _, p := range []string{CheckpointPath(dir, key), LockPath(dir, key)} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

// Wrote says what was written, the file and the run's network, for a
// status line: "wrote m.gbnn: resnet20 on cifar10 (3×32×32, 10 classes),
// estimator fda, seed 1".
func (x *Exported) Wrote() string {
	mc := x.Model
	return fmt.Sprintf("wrote %s: %s on %s (%d×%d×%d, %d classes), estimator %s, seed %d",
		x.Path, modelLabel(mc.Model, mc.Width), mc.Dataset, mc.C, mc.H, mc.W, mc.Classes, mc.Estimator, x.Record.Config.Seed)
}

// WriteSummary writes how much smaller the binary layers are packed than
// as float32, and the size of the rest and of the file.
func (x *Exported) WriteSummary(w io.Writer) error {
	st := x.Size
	fmt.Fprintf(w, "binary layers: %d, %d weights: %s packed (signs and scales) vs %s as float32, %.1f× smaller\n",
		st.BinaryLayers, st.BinaryWeights, byteSize(st.BinaryPackedBytes), byteSize(st.BinaryFloat32Bytes), st.Ratio())
	_, err := fmt.Fprintf(w, "full-precision layers and BatchNorm statistics: %s; file %s\n", byteSize(st.OtherBytes), byteSize(st.FileBytes))
	return err
}

// epochWeightsRE matches the base name EpochWeightsPath gives:
// <key>.e<epoch>.weights.
var epochWeightsRE = regexp.MustCompile(`^([0-9a-f]{16})\.e([1-9][0-9]*)\.weights$`)

// runKey splits a run's record or weights path into its directory and key.
func runKey(path string) (dir, key string, err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if m := epochWeightsRE.FindStringSubmatch(base); m != nil {
		// --keep-epochs weights: a state of the run during training, not
		// the finished run a command names by its record or final weights.
		return "", "", fmt.Errorf("%s holds the weights of run %s after epoch %s (kept by gradbench run --keep-epochs; gradbench fidelity --epochs reads them by epoch): want the run's record %s.json or its final weights %s.weights", path, m[1], m[2], m[1], m[1])
	}
	for _, ext := range []string{".json", ".weights"} {
		if k, ok := strings.CutSuffix(base, ext); ok {
			if !isKey(k) {
				what := path + ":"
				if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
					what = path + " does not exist:"
				}
				return "", "", fmt.Errorf("%s want a run record <key>.json or final weights <key>.weights, the key 16 hex digits (gradbench plan --out DIR lists a sweep's keys)", what)
			}
			return dir, k, nil
		}
	}
	if k, ok := strings.CutSuffix(base, ".ckpt"); ok {
		if isKey(k) {
			_, cerr := os.Stat(path)
			rec := filepath.Join(filepath.Dir(path), k+".json")
			if _, rerr := os.Stat(rec); errors.Is(cerr, fs.ErrNotExist) && rerr == nil {
				// A run that finished since: its checkpoint is gone.
				return "", "", fmt.Errorf("%s does not exist: run %s has finished, and its epoch checkpoint was removed; want its record %s", path, k, rec)
			}
		}
		return "", "", fmt.Errorf("%s is the epoch checkpoint of an unfinished run %s; want a finished run (%s.json or %s.weights)", path, k, k, k)
	}
	return "", "", fmt.Errorf("%s: want a run record <key>.json or final weights <key>.weights", path)
}
