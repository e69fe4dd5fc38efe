package suite

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gradbench/gradbench/internal/atomicfile"
	"github.com/gradbench/gradbench/internal/cpuinfo"
	"github.com/gradbench/gradbench/internal/parallel"
)

// Run status values.
const (
	StatusOK       = "ok"
	StatusDiverged = "diverged"
)

// A Record is the result of one finished run, written as one JSON file
// named <key>.json in the runs directory. A diverged run is a finished run:
// it is recorded with the epoch it diverged at and no final numbers, and is
// never retried by a re-run of the sweep.
type Record struct {
	Key    string `json:"key"`
	Config Config `json:"config"`
	// Recipe is the name of the recipe the run came from (a label; two
	// recipes with the same values give the same key).
	Recipe string `json:"recipe"`
	// Status is StatusOK or StatusDiverged.
	Status   string      `json:"status"`
	Diverged *Divergence `json:"diverged,omitempty"`
	// Epochs holds the metrics of every completed epoch, in order.
	Epochs []Epoch `json:"epochs"`
	// Final holds the final numbers of a run with status ok.
	Final *Final `json:"final,omitempty"`
	// InitHash is a digest of the initial base weights (all but noise
	// adaptation and learnable estimator scalars) and DataHashes one digest
	// per epoch of the training batches (image indices and labels, in
	// order): equal across the estimators of one seed, which is what makes
	// their comparison fair.
	InitHash   string   `json:"init_hash"`
	DataHashes []string `json:"data_hashes"`
	// Data holds the digests of the training and test splits the run was
	// trained and evaluated on, as they were loaded (DataDigest): what the
	// images were, where DataHashes say which of them were drawn. A run
	// asked for again is given this record only if the splits it loads
	// now have the same digests. Records written before gradbench kept
	// them, and those of runs resumed from a checkpoint that had none,
	// carry no data digest: they are reused as they were, unchecked.
	Data *DataDigest `json:"data,omitempty"`
	// Resumes counts how many times the run restarted from a checkpoint.
	Resumes  int       `json:"resumes"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Machine describes the process that finished the run, and Segments
	// every process that trained a part of it, in order: one segment, or
	// one more per resume (records written before they were kept have
	// none).
	Machine  Machine   `json:"machine"`
	Segments []Segment `json:"segments,omitempty"`
	// Checksum is "sha256:" and the SHA-256 of the record's compact JSON
	// encoding without it, set by WriteRecord (records written before
	// gradbench set it have none, see Tabulation.Unverified).
	Checksum string `json:"checksum,omitempty"`
}

// A Segment is the stretch of a run's epochs that one process trained
// (the epoch it diverged in included), and where.
type Segment struct {
	FirstEpoch int     `json:"first_epoch"` // 1-based
	LastEpoch  int     `json:"last_epoch"`
	Machine    Machine `json:"machine"`
}

// A Divergence says where a run stopped on a non-finite value: a training
// loss at a step, or after the epoch's last step (Step is then the
// epoch's number of steps) another number the epoch records or a
// validation or test loss. Reason names it and its value.
type Divergence struct {
	Epoch  int    `json:"epoch"` // 1-based epoch that diverged
	Step   int    `json:"step"`  // 0-based step within that epoch
	Reason string `json:"reason"`
}

// Epoch holds the metrics of one epoch. Accuracies are in percent.
type Epoch struct {
	Epoch int `json:"epoch"` // 1-based
	// Progress is the p handed to every estimator's SetProgress, NAAlpha
	// the noise-adaptation α and LR the learning rate of the epoch's first
	// step.
	Progress float64 `json:"progress"`
	NAAlpha  float64 `json:"na_alpha"`
	LR       float64 `json:"lr"`
	// TrainLoss and TrainAcc average over the epoch's training batches
	// (in training mode, with noise adaptation on).
	TrainLoss float64 `json:"train_loss"`
	TrainAcc  float64 `json:"train_acc"`
	// TestLoss, TestTop1 and TestTop5 are measured on the test split in
	// evaluation mode (a pure binary network). TestTop5 is set when the
	// dataset has more than 10 classes.
	TestLoss float64  `json:"test_loss"`
	TestTop1 float64  `json:"test_top1"`
	TestTop5 *float64 `json:"test_top5,omitempty"`
	// ValLoss and ValTop1 are measured, like the test numbers, on the
	// validation split of a learning-rate grid's run (Config.Validation),
	// and absent for a run without one. A grid selects on these alone.
	ValLoss *float64 `json:"val_loss,omitempty"`
	ValTop1 *float64 `json:"val_top1,omitempty"`
	// FlipRatio is the fraction of binarized latent weights whose binary
	// code (the estimator's forward pass: sign(w), or BiPer's
	// sign(sin(ω·w))) changed during the epoch.
	FlipRatio float64 `json:"flip_ratio"`
	// Indicators are the diagnostics of the binary layers' weight
	// estimators (estimators.Indicator, such as ReSTE's estimating error,
	// "estimating_error"), each summed over the layers, measured on the latent
	// weights at the end of the epoch; absent when no estimator has one.
	Indicators map[string]float64 `json:"indicators,omitempty"`
	// Diagnostics are the training diagnostics of the epoch (oscillation,
	// silent weights, activation saturation and entropy, latent-gradient
	// norms, gradient stability; see Diagnostics); absent in records
	// written before gradbench measured them, with Runner.NoDiagnostics,
	// and after a resume from a checkpoint that does not carry their
	// per-weight state.
	Diagnostics *Diagnostics `json:"diagnostics,omitempty"`
	// TrainSeconds and EvalSeconds are wall times; ImagesPerSec is the
	// training throughput.
	TrainSeconds float64 `json:"train_seconds"`
	EvalSeconds  float64 `json:"eval_seconds"`
	ImagesPerSec float64 `json:"images_per_sec"`
}

// Final holds the final numbers of a run: those of the last epoch, and the
// mean wall time per epoch.
type Final struct {
	TestTop1        float64  `json:"test_top1"`
	TestTop5        *float64 `json:"test_top5,omitempty"`
	TrainLoss       float64  `json:"train_loss"`
	SecondsPerEpoch float64  `json:"seconds_per_epoch"` // training + evaluation
	ImagesPerSec    float64  `json:"images_per_sec"`
}

// finalOf computes the final numbers from the epochs of a finished run.
func finalOf(eps []Epoch) *Final {
	if len(eps) == 0 {
		return nil
	}
	last := eps[len(eps)-1]
	f := &Final{TestTop1: last.TestTop1, TestTop5: last.TestTop5, TrainLoss: last.TrainLoss}
	for _, e := range eps {
		f.SecondsPerEpoch += e.TrainSeconds + e.EvalSeconds
		f.ImagesPerSec += e.ImagesPerSec
	}
	f.SecondsPerEpoch /= float64(len(eps))
	f.ImagesPerSec /= float64(len(eps))
	return f
}

// A Machine describes where a run was trained.
type Machine struct {
	Host  string `json:"host"`
	CPU   string `json:"cpu"`
	Cores int    `json:"cores"` // runtime.NumCPU
	// GOMAXPROCS is runtime.GOMAXPROCS when the process first described
	// the machine. Workers is the size of the worker pool that ran the
	// engine's parallel loops (internal/parallel: the calling goroutine
	// and the pool's), fixed when the pool started at the GOMAXPROCS of
	// that moment: the two differ when the setting changed in between (a
	// program may set it, and the runtime follows a container's CPU
	// limit as it changes). Workers is 0, and absent from the file, in
	// records written before records kept it.
	GOMAXPROCS int    `json:"gomaxprocs"`
	Workers    int    `json:"workers,omitempty"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	// ArchLevel is the instruction-set level of GOARCH the binary was
	// built for, as the go command records it: "GOAMD64=v3",
	// "GOARM64=v8.0" (Go fuses x*y+z into one rounding on amd64 from
	// GOAMD64=v3). It is empty, and absent from the file, in records
	// written before records kept it.
	ArchLevel string `json:"arch_level,omitempty"`
	GoVersion string `json:"go_version"`
	// BuildTags and Experiment are the -tags and GOEXPERIMENT the binary
	// was built with; GEMM names the matrix-multiply implementation.
	BuildTags  string `json:"build_tags"`
	Experiment string `json:"goexperiment,omitempty"`
	GEMM       string `json:"gemm"`
	// Commit is the VCS revision of the gradbench source, with "+dirty"
	// for uncommitted changes, or "unknown".
	Commit string `json:"commit"`
}

// gemmName names the GEMM implementation for Machine; set by the training
// code once the engine is linked in.
var gemmName = func() string { return "unknown" }

// ThisMachine describes the running process and the machine.
func ThisMachine() Machine {
	machineOnce.Do(func() { machine = describeMachine() })
	return machine
}

var (
	machineOnce sync.Once
	machine     Machine
)

func describeMachine() Machine {
	m := Machine{
		CPU:        cpuModel(),
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Workers:    parallel.Workers(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		GoVersion:  runtime.Version(),
		GEMM:       gemmName(),
		Commit:     "unknown",
	}
	m.Host, _ = os.Hostname()
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "-tags":
				m.BuildTags = s.Value
			case "GOEXPERIMENT":
				m.Experiment = s.Value
			case archLevelKey(runtime.GOARCH):
				m.ArchLevel = s.Key + "=" + s.Value
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		switch {
		case rev != "":
			m.Commit = rev
			if modified == "true" {
				m.Commit += "+dirty"
			}
		case bi.Main.Version != "" && bi.Main.Version != "(devel)":
			m.Commit = bi.Main.Version
		case goRunBinary():
			if c := gitCommit(bi.Main.Path); c != "" {
				m.Commit = c
			}
		}
	}
	return m
}

// archLevelKey is the build setting the go command records for the
// level of the instruction set of goarch (its cmd/go/internal/cfg
// GetArchEnv), or "" for none.
func archLevelKey(goarch string) string {
	switch goarch {
	case "amd64":
		return "GOAMD64"
	case "arm64":
		return "GOARM64"
	case "arm":
		return "GOARM"
	case "386":
		return "GO386"
	case "mips", "mipsle":
		return "GOMIPS"
	case "mips64", "mips64le":
		return "GOMIPS64"
	case "ppc64", "ppc64le":
		return "GOPPC64"
	case "riscv64":
		return "GORISCV64"
	case "wasm":
		return "GOWASM"
	}
	return ""
}

// goRunBinary reports whether this process is a binary that `go run` or
// `go test` built into a temporary go-build directory: then the working
// tree it runs in is the source it was built from. A binary built with
// -buildvcs=false and run anywhere else records "unknown" rather than the
// state of whatever checkout it happens to run in.
func goRunBinary() bool {
	exe, err := os.Executable()
	return err == nil && strings.Contains(filepath.ToSlash(exe), "/go-build")
}

// gitCommit asks git for the revision of the working tree the process runs
// in, when that tree is the module's own source (go run, go test).
func gitCommit(module string) string {
	if module == "" {
		return ""
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return ""
	}
	dir := strings.TrimSpace(string(top))
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || !bytes.Contains(mod, []byte("module "+module+"\n")) {
		return ""
	}
	rev, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	c := strings.TrimSpace(string(rev))
	if st, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		c += "+dirty"
	}
	return c
}

// cpuModel returns the CPU model name (internal/cpuinfo), or GOARCH.
func cpuModel() string {
	if m := cpuinfo.Model(); m != "" {
		return m
	}
	return runtime.GOARCH
}

// RecordPath returns where the record of the run with that key lives.
func RecordPath(dir, key string) string { return runFile("RecordPath", dir, key, ".json") }

// WriteRecord sets r's checksum and writes r to dir/<key>.json
// atomically: to a temporary file in dir, synced, then renamed over the
// final name, so that a reader (or a second process racing on the same
// run) sees either no record or a whole one. It refuses a record that
// does not agree with itself (see the checks of ReadRecord), and one
// holding a NaN or an infinity, which its JSON cannot hold, naming the
// field: never a record whose value was changed to be written.
func WriteRecord(dir string, r *Record) error {
	if err := r.checkContent(); err != nil {
		return fmt.Errorf("suite: record %s: %w", r.Key, err)
	}
	sum, err := r.checksum()
	if err != nil {
		return fmt.Errorf("suite: record %s: %w", r.Key, err)
	}
	r.Checksum = sum
	b, err := json.MarshalIndent(r, "", "\t")
	if err != nil {
		return fmt.Errorf("suite: encoding record %s: %w", r.Key, err)
	}
	if err := atomicfile.WriteFileUmask(RecordPath(dir, r.Key), append(b, '\n'), filePerm); err != nil {
		return wrapErr("suite", err)
	}
	return nil
}

// ReadRecord reads the record of one run; it returns an error wrapping
// fs.ErrNotExist when there is none, and refuses a key other than
// Config.Key makes (see runFile).
func ReadRecord(dir, key string) (*Record, error) {
	if err := checkKey("ReadRecord", key); err != nil {
		return nil, err
	}
	path := RecordPath(dir, key)
	if err := checkNotDir(path); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, wrapErr("suite: record", err)
	}
	return decodeRecordOf(path, key, b)
}

// checkNotDir refuses a directory at path, the name of a run's record:
// a record cannot be read from it, and a runs directory's tables would
// otherwise pass it over while run and plan fail on it. It refuses as
// well a symbolic link there that leads to no file (its target missing,
// or a loop of links): plan would take the run for one without a record
// (the link opens as a missing file) while table and run fail on it.
func checkNotDir(path string) error {
	key := strings.TrimSuffix(filepath.Base(path), ".json")
	st, err := os.Stat(path)
	if err == nil && st.IsDir() {
		return fmt.Errorf("suite: %s is a directory, where the record of run %s would be: move it out of the runs directory", path, key)
	}
	if err != nil {
		if lst, lerr := os.Lstat(path); lerr == nil && lst.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return fmt.Errorf("suite: %s is a symbolic link to %s, which leads to no file (%v), where the record of run %s would be: remove the link, or restore the record it points to", path, target, err, key)
		}
	}
	return nil
}

// decodeRecordOf decodes the record in file path, named for key: a
// record whose own key is another's (a file copied or renamed) is
// refused, or it would stand for a run it is not.
func decodeRecordOf(path, key string, b []byte) (*Record, error) {
	r, err := decodeRecord(path, b)
	if err == nil && r.Key != key {
		return nil, fmt.Errorf("suite: record %s holds the record of run %s (its key), not of %s: copied or renamed by hand; delete it to retrain the run", path, r.Key, key)
	}
	return r, err
}

// A newerRecordError refuses the record in file path, of a newer format
// version than FormatVersion (decodeRecord). ReadRecords, which reads a
// directory of them, adds how to tabulate the others; a reader of one
// record (export --run, fidelity --run) has no others to tabulate.
type newerRecordError struct {
	path   string
	format int
}

func (e *newerRecordError) Error() string {
	return fmt.Sprintf("suite: record %s: format version %d, and this build reads version %d: written by a newer gradbench, which reads it; this build cannot",
		e.path, e.format, FormatVersion)
}

func decodeRecord(path string, b []byte) (*Record, error) {
	// A newer build's record, read first and leniently: the fields its
	// format adds would otherwise be refused as unknown, and a record of
	// it that reads would be tabulated under a key of its own, beside
	// this build's records of the same workload. It is no corruption.
	var head struct {
		Config struct {
			Format int `json:"format"`
		} `json:"config"`
	}
	if json.Unmarshal(b, &head) == nil && head.Config.Format > FormatVersion {
		return nil, &newerRecordError{path: path, format: head.Config.Format}
	}
	var r Record
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(&r)
	if err == nil {
		err = checkStrictJSON(b)
	}
	if err == nil {
		err = r.check()
	}
	// The decoder's bare "EOF" and "unexpected EOF" say what happened to
	// the file in words a reader of the message knows.
	switch {
	case errors.Is(err, io.EOF):
		err = errors.New("the file is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = errors.New("the file ends in the middle of its JSON (cut short)")
	}
	if err != nil {
		return nil, fmt.Errorf("suite: record %s: %w: edited by hand or corrupted; delete it to retrain the run", path, err)
	}
	return &r, nil
}

// ReadRecords reads every record in dir (the files named <key>.json whose
// name is a 16-digit hex key), sorted by workload, estimator and seed.
func ReadRecords(dir string) ([]*Record, error) {
	if dir == "" {
		return nil, errors.New(`suite: the runs directory is "" (--runs ""): want a directory of run records, such as results/runs`)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, wrapErr("suite: reading runs", err)
	}
	var rs []*Record
	for _, e := range ents {
		key, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !isKey(key) {
			if ok && e.Type().IsRegular() {
				if err := checkMisnamedRecord(dir, e.Name()); err != nil {
					return nil, err
				}
			}
			continue
		}
		path := filepath.Join(dir, e.Name())
		if err := checkNotDir(path); err != nil {
			return nil, err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, wrapErr("suite: reading runs", err)
		}
		r, err := decodeRecordOf(path, key, b)
		if newer := (*newerRecordError)(nil); errors.As(err, &newer) {
			return nil, fmt.Errorf("%w (move it out of the runs directory to tabulate the others with this build)", err)
		}
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	sortRecords(rs)
	return rs, nil
}

// checkMisnamedRecord refuses a file of a runs directory named other than
// <key>.json (renamed by hand, or a copy kept beside the record) that
// holds a run record: read as no record, its run would be missing from
// the tables with nothing said. Other JSON files are left alone.
func checkMisnamedRecord(dir, name string) error {
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		return wrapErr("suite: reading runs", err)
	}
	var head struct {
		Key    string          `json:"key"`
		Config json.RawMessage `json:"config"`
	}
	if json.Unmarshal(b, &head) != nil || !isKey(head.Key) || head.Config == nil {
		return nil
	}
	own := head.Key + ".json"
	if fi, err := os.Lstat(filepath.Join(dir, own)); err == nil {
		// On a file system that ignores case (the macOS default), the
		// upper-case name finds the file itself: moving it out would
		// lose the only copy.
		if self, err := os.Lstat(path); err == nil && os.SameFile(fi, self) {
			return fmt.Errorf("suite: %s holds the record of run %s, and %s names the same file (a file system that ignores case, or a second link), but only files named <key>.json are read as records: give the file the name %s alone", path, head.Key, own, own)
		}
		return fmt.Errorf("suite: %s holds the record of run %s, which %s holds too, but only files named <key>.json are read as records: move this copy out of %s", path, head.Key, own, dir)
	}
	return fmt.Errorf("suite: %s holds the record of run %s, but only files named <key>.json are read as records: rename it %s, or move it out of %s", path, head.Key, own, dir)
}

func sortRecords(rs []*Record) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := &rs[i].Config, &rs[j].Config
		if wa, wb := a.WorkloadKey(), b.WorkloadKey(); wa != wb {
			return wa < wb
		}
		if a.Estimator != b.Estimator {
			return a.Estimator < b.Estimator
		}
		return a.Seed < b.Seed
	})
}

// runFile returns dir/<key><ext>, the file of a run, for a key as
// Config.Key makes them: 16 lower-case hex digits. Any other key is a
// caller's mistake, and one such as "../x" would name a file outside dir,
// so runFile panics, naming fn.
func runFile(fn, dir, key, ext string) string {
	if err := checkKey(fn, key); err != nil {
		panic(err.Error())
	}
	return filepath.Join(dir, key+ext)
}

// checkKey refuses, naming fn, a run key other than Config.Key makes.
// The functions that read a run's file by its key and return an error
// (ReadRecord, ReadLock) return this one rather than panic in runFile.
func checkKey(fn, key string) error {
	if !isKey(key) {
		return fmt.Errorf("suite: %s: run key %q: want 16 lower-case hex digits, as Config.Key makes", fn, key)
	}
	return nil
}

func isKey(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
