package suite

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/parallel"
)

// fakeRecord makes the record of a finished run with the given final top-1
// (or a diverged one when top1 is NaN), for table and record tests.
func fakeRecord(w *Workload, spec string, seed uint64, top1 float64) *Record {
	c := Cell{Workload: w, Spec: estimators.MustParse(spec), Seed: seed}
	r := &Record{
		Key:      c.Key(),
		Config:   c.Config(),
		Recipe:   w.Recipe.Name,
		Status:   StatusOK,
		Started:  time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Finished: time.Date(2025, 1, 2, 3, 14, 5, 0, time.UTC),
		Machine:  Machine{OS: "linux", Arch: "amd64", CPU: "Test CPU", Cores: 2, GOMAXPROCS: 2, GoVersion: "go1.26", GEMM: "test", Commit: "unknown"},
	}
	for e := 1; e <= w.Recipe.Epochs; e++ {
		frac := float64(e) / float64(w.Recipe.Epochs)
		r.Epochs = append(r.Epochs, Epoch{
			Epoch: e, LR: 0.1, TrainLoss: 2 - frac, TrainAcc: top1 * frac, TestLoss: 2 - frac,
			TestTop1: top1 * frac, FlipRatio: 0.01, TrainSeconds: 10 + float64(seed), EvalSeconds: 2, ImagesPerSec: 100,
		})
		r.DataHashes = append(r.DataHashes, fmt.Sprintf("%016x", e))
		if math.IsNaN(top1) && e == 2 {
			r.Epochs = r.Epochs[:1]
			r.DataHashes = r.DataHashes[:1]
			r.Status = StatusDiverged
			r.Diverged = &Divergence{Epoch: 2, Step: 3, Reason: "training loss is NaN"}
			r.Epochs[0].TestTop1, r.Epochs[0].TrainAcc = 10, 10
			return r
		}
	}
	r.Final = finalOf(r.Epochs)
	return r
}

func TestRecordRoundTrip(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 3
	dir := t.TempDir()
	want := fakeRecord(&w, "ste+na", 2, 80)
	if err := WriteRecord(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRecord(dir, want.Key)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	WriteBench(&a, []*Record{want})
	WriteBench(&b, []*Record{got})
	if a.String() != b.String() || got.Config != want.Config || len(got.Epochs) != 3 {
		t.Errorf("ReadRecord after WriteRecord = %+v, want %+v", got, want)
	}
	if got.Final.SecondsPerEpoch != 14 {
		t.Errorf("Final.SecondsPerEpoch = %g, want 14 (12 s training + 2 s evaluation)", got.Final.SecondsPerEpoch)
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("runs dir holds %d files after one WriteRecord, want 1", len(ents))
	}
	if _, err := ReadRecord(dir, "0123456789abcdef"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadRecord(missing) error = %v, want fs.ErrNotExist", err)
	}
}

// TestReadRecordsRejects: a record that is corrupted, edited by hand or
// disagrees with itself is refused by name, with what to do; a record
// without a checksum (written before records had one) loads when it agrees
// with itself.
func TestReadRecordsRejects(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 3
	r := fakeRecord(&w, "ste", 1, 80)
	dir := t.TempDir()
	if err := WriteRecord(dir, r); err != nil {
		t.Fatal(err)
	}
	path := RecordPath(dir, r.Key)
	sealed, _ := os.ReadFile(path)
	sum := r.mustChecksum()
	legacy := strings.Replace(string(sealed), ",\n\t\"checksum\": \""+sum+"\"", "", 1)
	if legacy == string(sealed) {
		t.Fatalf("no checksum line in the record:\n%s", sealed)
	}
	final := func(s, v string) string { // the final block's test_top1
		i := strings.Index(s, `"final"`)
		return s[:i] + strings.Replace(s[i:], `"test_top1": 80`, `"test_top1": `+v, 1)
	}
	last := func(s, v string) string { // the last epoch's test_top1
		i := strings.LastIndex(s[:strings.Index(s, `"final"`)], `"test_top1": 80`)
		return s[:i] + `"test_top1": ` + v + s[i+len(`"test_top1": 80`):]
	}
	const what = ": edited by hand or corrupted; delete it to retrain the run"
	tests := []struct {
		name, text, want string // want "" loads
	}{
		{"sealed", string(sealed), ""},
		{"legacy", legacy, ""},
		{"sealed, final edited", final(string(sealed), "99"), "its checksum " + sum + " does not match its content"},
		{"sealed, wrong checksum", strings.Replace(string(sealed), sum, "sha256:00", 1), "its checksum sha256:00 does not match its content"},
		{"legacy, final edited", final(legacy, "99"), "final test_top1 99, but the last epoch's is 80"},
		{"legacy, both edited alike", final(last(legacy, "99"), "99"), ""},
		{"legacy, out of range", final(last(legacy, "150"), "150"), "epoch 3: test_top1 150, want a percentage in [0, 100]"},
		{"legacy, negative loss", strings.Replace(legacy, `"test_loss": 1,`, `"test_loss": -1,`, 1), "epoch 3: test_loss -1, want a finite number >= 0"},
		{"legacy, an epoch dropped", strings.Replace(legacy, `"epoch": 2,`, `"epoch": 3,`, 1), "epoch 2 is numbered 3"},
		{"legacy, too few data digests", strings.Replace(legacy, ",\n\t\t\"0000000000000003\"", "", 1), "2 data digests for 3 epochs"},
		{"legacy, key given twice", strings.Replace(legacy, `"status": "ok"`, `"status": "ok", "status": "ok"`, 1), `key "status" given twice`},
		{"legacy, config edited", strings.Replace(legacy, `"seed": 1`, `"seed": 9`, 1), "key " + r.Key + " does not match its config"},
		{"unknown field", strings.Replace(legacy, `"status"`, `"extra": 1, "status"`, 1), `json: unknown field "extra"`},
		{"bad status", strings.Replace(legacy, `"status": "ok"`, `"status": "meh"`, 1), `unknown status "meh" (want ok or diverged)`},
		{"truncated", string(sealed[:len(sealed)/2]), "the file ends in the middle of its JSON (cut short)"},
		// An empty object or null is no record at all: said so, not
		// "key  does not match its config" with a blank where the key is.
		{"empty object", "{}", "it holds no run key: not a run record"},
		{"null", "null", "it holds no run key: not a run record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			rs, err := ReadRecords(dir)
			if tt.want == "" {
				if err != nil || len(rs) != 1 {
					t.Fatalf("ReadRecords() = %d records, %v; want the record", len(rs), err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), "suite: record "+path+": "+tt.want) || !strings.HasSuffix(err.Error(), what) {
				t.Errorf("ReadRecords() error = %v\nwant suite: record %s: %s...%s", err, path, tt.want, what)
			}
		})
	}
	// A record copied under another run's key is refused by both readers,
	// as the record of the run its file names, which it is not.
	if err := os.WriteFile(path, sealed, 0o644); err != nil {
		t.Fatal(err)
	}
	other := "0123456789abcdef"
	copied := RecordPath(dir, other)
	if err := os.WriteFile(copied, sealed, 0o644); err != nil {
		t.Fatal(err)
	}
	want := "suite: record " + copied + " holds the record of run " + r.Key + " (its key), not of " + other + ": copied or renamed by hand; delete it to retrain the run"
	if rs, err := ReadRecords(dir); err == nil || err.Error() != want {
		t.Errorf("ReadRecords(a record copied to another key) = %d records, %v\nwant %s", len(rs), err, want)
	}
	if _, err := ReadRecord(dir, other); err == nil || err.Error() != want {
		t.Errorf("ReadRecord(a record copied to another key) error = %v\nwant %s", err, want)
	}
	if _, err := ReadRecord(dir, r.Key); err != nil {
		t.Errorf("ReadRecord(the original) = %v", err)
	}

	// Other files in the directory are ignored.
	dir = t.TempDir()
	os.WriteFile(filepath.Join(dir, "table.md"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.json"), []byte("x"), 0o644)
	if rs, err := ReadRecords(dir); err != nil || len(rs) != 0 {
		t.Errorf("ReadRecords(dir without records) = %v, %v, want none", rs, err)
	}
	// A run record under another name than <key>.json (renamed by hand,
	// or a copy kept beside it) would be passed over, its seed silently
	// missing from the table: it is refused by name, with what to do.
	for _, name := range []string{"ste-seed1.json", r.Key + " copy.json", strings.ToUpper(r.Key) + ".json"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			renamed := filepath.Join(dir, name)
			if err := os.WriteFile(renamed, sealed, 0o644); err != nil {
				t.Fatal(err)
			}
			want := "suite: " + renamed + " holds the record of run " + r.Key + ", but only files named <key>.json are read as records: rename it " + r.Key + ".json, or move it out of " + dir
			if rs, err := ReadRecords(dir); err == nil || err.Error() != want {
				t.Errorf("ReadRecords(a record named %s) = %d records, %v\nwant %s", name, len(rs), err, want)
			}
			// Beside the record itself, it is a copy to move out.
			if err := os.WriteFile(RecordPath(dir, r.Key), sealed, 0o644); err != nil {
				t.Fatal(err)
			}
			want = "suite: " + renamed + " holds the record of run " + r.Key + ", which " + r.Key + ".json holds too, but only files named <key>.json are read as records: move this copy out of " + dir
			if rs, err := ReadRecords(dir); err == nil || err.Error() != want {
				t.Errorf("ReadRecords(a record and its copy %s) = %d records, %v\nwant %s", name, len(rs), err, want)
			}
			// <key>.json is the misnamed file itself, as on a file system
			// that ignores case (the macOS default) for the upper-case
			// name, or as a second link here: there is no copy to move
			// out, and doing so would lose the record.
			if err := os.Remove(RecordPath(dir, r.Key)); err != nil {
				t.Fatal(err)
			}
			if err := os.Link(renamed, RecordPath(dir, r.Key)); err != nil {
				t.Skipf("no hard links here: %v", err)
			}
			want = "suite: " + renamed + " holds the record of run " + r.Key + ", and " + r.Key + ".json names the same file (a file system that ignores case, or a second link), but only files named <key>.json are read as records: give the file the name " + r.Key + ".json alone"
			if rs, err := ReadRecords(dir); err == nil || err.Error() != want {
				t.Errorf("ReadRecords(a record named %s and %s.json, one file) = %d records, %v\nwant %s", name, r.Key, len(rs), err, want)
			}
		})
	}
}

func TestDivergedRecordHasNoNumbers(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 3
	r := fakeRecord(&w, "ste", 1, math.NaN())
	dir := t.TempDir()
	if err := WriteRecord(dir, r); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(RecordPath(dir, r.Key))
	if strings.Contains(string(b), `"final"`) || !strings.Contains(string(b), `"status": "diverged"`) {
		t.Errorf("diverged record:\n%s\nwant status diverged and no final numbers", b)
	}
	var buf bytes.Buffer
	WriteBench(&buf, []*Record{r})
	if strings.Contains(buf.String(), "BenchmarkTrain") {
		t.Errorf("WriteBench wrote a line for a diverged run:\n%s", buf.String())
	}
}

// TestMachineCommit checks that a binary built by go test (like one built
// by go run) records the revision of the checkout it runs in, and that the
// test knows a temporary go-build binary when it sees one.
func TestMachineCommit(t *testing.T) {
	if !goRunBinary() {
		t.Fatalf("goRunBinary() = false for the go test binary %s", os.Args[0])
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not in a git checkout with commits: %v", err)
	}
	want := strings.TrimSpace(string(head))
	if got := ThisMachine().Commit; !strings.HasPrefix(got, want) {
		t.Errorf("ThisMachine().Commit = %q, want %q (+dirty for uncommitted changes)", got, want)
	}
}

// TestMachineWorkers: a record names the size of the worker pool the
// engine's parallel loops ran on, which is fixed when the pool starts,
// beside GOMAXPROCS, which the runtime, or a program, may change after
// that: a record that gave GOMAXPROCS alone said 3 threads for a run
// that a pool of 2 trained once GOMAXPROCS had changed.
func TestMachineWorkers(t *testing.T) {
	w := parallel.Workers() // starts the pool if nothing has yet
	old := runtime.GOMAXPROCS(w + 1)
	defer runtime.GOMAXPROCS(old)
	m := describeMachine()
	if m.Workers != w || m.GOMAXPROCS != w+1 {
		t.Errorf("with a pool of %d and GOMAXPROCS %d: the machine says workers %d, GOMAXPROCS %d", w, w+1, m.Workers, m.GOMAXPROCS)
	}
	// An older record, without the field, reads and checksums as it was
	// written.
	rec := fakeRecord(&tinySweep(t, "ste", 1).Workload, "ste", 1, 50)
	rec.Checksum = rec.mustChecksum()
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(`"workers"`)) {
		t.Errorf("a record without a pool size is written with one: %s", b)
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil || back.check() != nil {
		t.Errorf("a record without a pool size: %v, %v", err, back.check())
	}
}

// TestReadRecordsChecksumRemoved: a record with training segments or data
// digests was written by a gradbench that checksums every record it
// writes (both came after checksums), so one of them without a checksum
// had it removed, most likely to hide an edit such as a changed top-1:
// it is refused by name, never tabulated as an unverified record from
// before checksums.
func TestReadRecordsChecksumRemoved(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 3
	m := Machine{Host: "h", GOMAXPROCS: 2}
	digest := &DataDigest{Train: "sha256:" + strings.Repeat("a", 64), Test: "sha256:" + strings.Repeat("b", 64)}
	const what = ": edited by hand or corrupted; delete it to retrain the run"
	for _, tt := range []struct {
		name string
		edit func(r *Record)
		want string
	}{
		{"segments", func(r *Record) { r.Segments = []Segment{{1, 3, m}} }, "training segments"},
		{"data digests", func(r *Record) { r.Data = digest }, "data digests"},
		{"both", func(r *Record) { r.Segments, r.Data = []Segment{{1, 3, m}}, digest }, "training segments and data digests"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := fakeRecord(&w, "ste", 1, 80)
			tt.edit(r)
			dir := t.TempDir()
			if err := WriteRecord(dir, r); err != nil {
				t.Fatal(err)
			}
			path := RecordPath(dir, r.Key)
			sealed, _ := os.ReadFile(path)
			stripped := strings.Replace(string(sealed), ",\n\t\"checksum\": \""+r.Checksum+"\"", "", 1)
			if stripped == string(sealed) {
				t.Fatalf("no checksum line in the record:\n%s", sealed)
			}
			// The edit the checksum was removed for: both top-1s alike.
			edited := strings.ReplaceAll(stripped, `"test_top1": 80`, `"test_top1": 99`)
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			want := "suite: record " + path + ": it has no checksum, but its " + tt.want +
				" are of a gradbench that checksums every record it writes: its checksum was removed" + what
			if rs, err := ReadRecords(dir); err == nil || err.Error() != want {
				t.Errorf("ReadRecords() = %d records, %v\nwant %s", len(rs), err, want)
			}
			if _, err := ReadRecord(dir, r.Key); err == nil || err.Error() != want {
				t.Errorf("ReadRecord() error = %v\nwant %s", err, want)
			}
		})
	}
}

// TestRecordCheckCounts: the epochs, the divergence and the training
// segments must agree with the configuration and the resumes.
func TestRecordCheckCounts(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 3
	m := Machine{Host: "h", GOMAXPROCS: 2}
	tests := []struct {
		name string
		edit func(r *Record)
		want string
	}{
		{"ok", func(r *Record) {}, ""},
		{"segments", func(r *Record) {
			r.Resumes = 1
			r.Segments = []Segment{{1, 1, m}, {2, 3, m}}
		}, ""},
		{"segments for no resume", func(r *Record) { r.Segments = []Segment{{1, 1, m}, {2, 3, m}} }, "2 training segments for 0 resumes, want 1"},
		{"segments with a gap", func(r *Record) {
			r.Resumes = 1
			r.Segments = []Segment{{1, 1, m}, {3, 3, m}}
		}, "training segment 2 covers epochs 3..3, want it to start at epoch 2"},
		{"segments short", func(r *Record) { r.Segments = []Segment{{1, 2, m}} }, "training segments end at epoch 2, the record at 3"},
		{"epochs short", func(r *Record) { r.Epochs, r.DataHashes = r.Epochs[:2], r.DataHashes[:2] }, "status ok with 2 epochs, its config trains 3"},
		{"final seconds", func(r *Record) { r.Final.SecondsPerEpoch = 1 }, "final seconds_per_epoch 1, but the epochs' mean is 13"},
		{"final rate", func(r *Record) { r.Final.ImagesPerSec = 1 }, "final images_per_sec 1, but the epochs' mean is 100"},
		{"final top-5", func(r *Record) { r.Final.TestTop5 = new(float64) }, "final test_top5 differs from the last epoch's"},
		{"negative resumes", func(r *Record) { r.Resumes = -1 }, "resumes -1, want at least 0"},
		{"ok with a divergence", func(r *Record) { r.Diverged = &Divergence{Epoch: 3} }, "status ok with a divergence"},
		{"flip ratio", func(r *Record) { r.Epochs[0].FlipRatio = 2 }, "epoch 1: flip_ratio 2, want a number in [0, 1]"},
		{"top-5 below top-1", func(r *Record) { r.Epochs[0].TestTop1, r.Epochs[0].TestTop5 = 30, new(20.0) }, "epoch 1: test_top5 20 below test_top1 30"},
		{"segment ending before it starts", func(r *Record) {
			r.Resumes = 1
			r.Segments = []Segment{{1, 1, m}, {2, 1, m}}
		}, "training segment 2 covers epochs 2..1, want it to start at epoch 2"},
		{"config of no epochs", func(r *Record) { r.Config.Epochs = 0; r.Key = r.Config.Key() }, "config epochs 0, want at least 1"},
		{"negative lr scale", func(r *Record) {
			r.Config.LRScale, r.Config.Validation = -1, 0.1
			r.Key = r.Config.Key()
		}, "config lr_scale -1, want a finite number > 0 (or none)"},
		{"validation beyond half", func(r *Record) {
			r.Config.LRScale, r.Config.Validation = 0.5, 0.6
			r.Key = r.Config.Key()
		}, "config validation 0.6, want a fraction in (0, 0.5]"},
		{"validation loss without top-1", func(r *Record) {
			r.Config.LRScale, r.Config.Validation = 0.5, 0.1
			r.Key = r.Config.Key()
			for i := range r.Epochs {
				r.Epochs[i].ValLoss, r.Epochs[i].ValTop1 = new(1.0), new(50.0)
			}
			r.Epochs[1].ValTop1 = nil
		}, "epoch 2: validation numbers missing, but the run has a validation split"},
		{"infinite time", func(r *Record) { r.Epochs[1].EvalSeconds = math.Inf(1) }, "epoch 2: eval_seconds +Inf, want a finite number >= 0"},
		{"diverged ok", func(r *Record) {
			*r = *fakeRecord(&w, "ste", 1, math.NaN())
		}, ""},
		{"diverged with final", func(r *Record) {
			f := r.Final
			*r = *fakeRecord(&w, "ste", 1, math.NaN())
			r.Final = f
		}, "status diverged with final numbers"},
		{"diverged late", func(r *Record) {
			*r = *fakeRecord(&w, "ste", 1, math.NaN())
			r.Diverged.Epoch = 3
		}, "diverged in epoch 3 with 1 epochs recorded, want 2"},
		{"diverged after the end", func(r *Record) {
			*r = *fakeRecord(&w, "ste", 1, math.NaN())
			r.Diverged.Epoch = 4
		}, "diverged at epoch 4 step 3, want an epoch in 1..3"},
		{"diverged without its epoch", func(r *Record) {
			*r = *fakeRecord(&w, "ste", 1, math.NaN())
			r.Diverged = nil
		}, "status diverged without the epoch it diverged at"},
		{"diverged at a negative step", func(r *Record) {
			*r = *fakeRecord(&w, "ste", 1, math.NaN())
			r.Diverged.Step = -1
		}, "diverged at epoch 2 step -1, want an epoch in 1..3"},
		{"final top-5 value", func(r *Record) {
			for i := range r.Epochs {
				r.Epochs[i].TestTop5 = new(90.0)
			}
			r.Final = finalOf(r.Epochs)
			r.Final.TestTop5 = new(95.0)
		}, "final test_top5 differs from the last epoch's"},
		{"too many data digests", func(r *Record) { r.DataHashes = append(r.DataHashes, "0000000000000004") }, "4 data digests for 3 epochs"},
		{"segments for fewer processes than resumes", func(r *Record) {
			r.Resumes = 2
			r.Segments = []Segment{{1, 1, m}, {2, 3, m}}
		}, "2 training segments for 2 resumes, want 3"},
		{"segments beyond the record", func(r *Record) { r.Segments = []Segment{{1, 4, m}} }, "training segments end at epoch 4, the record at 3"},
		{"final train loss", func(r *Record) { r.Final.TrainLoss = 0.5 }, "final train_loss 0.5, but the last epoch's is 1"},
		{"diverged early", func(r *Record) {
			*r = *fakeRecord(&w, "ste", 1, math.NaN())
			r.Diverged.Epoch = 1
		}, "diverged in epoch 1 with 1 epochs recorded, want 0"},
		{"diverged segments", func(r *Record) {
			*r = *fakeRecord(&w, "ste", 1, math.NaN())
			r.Segments = []Segment{{1, 2, m}}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fakeRecord(&w, "ste", 1, 80)
			tt.edit(r)
			if len(r.Segments) > 0 {
				r.Checksum = r.mustChecksum() // as WriteRecord seals it: a record with segments has one
			}
			err := r.check()
			if got := fmt.Sprint(err); tt.want == "" && err != nil || tt.want != "" && got != tt.want {
				t.Errorf("check() = %v, want %q", err, tt.want)
			}
		})
	}
}

// ReadRecords returns a directory's records by workload, then estimator,
// then seed, whatever the order of their files (named by hash): here two
// workloads (lr 0.1 and 0.5) of ste and fda, seeds 2, 1 and 10.
func TestReadRecordsOrder(t *testing.T) {
	w := testWorkload(t)
	w2 := testWorkload(t)
	w2.Recipe.LR = 0.5
	dir := t.TempDir()
	var want []string
	for _, wl := range []*Workload{&w, &w2} {
		for _, spec := range []string{"fda", "ste"} {
			for _, seed := range []uint64{1, 2, 10} {
				want = append(want, fmt.Sprintf("%s %s seed %d", wl.config().WorkloadKey(), spec, seed))
			}
		}
	}
	for _, seed := range []uint64{2, 10, 1} {
		for _, spec := range []string{"ste", "fda"} {
			for _, wl := range []*Workload{&w2, &w} {
				if err := WriteRecord(dir, fakeRecord(wl, spec, seed, 80)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	rs, err := ReadRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, fmt.Sprintf("%s %s seed %d", r.Config.WorkloadKey(), r.Config.Estimator, r.Config.Seed))
	}
	if w.config().WorkloadKey() > w2.config().WorkloadKey() {
		want = append(want[6:], want[:6]...)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ReadRecords order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRecordPathIsADirectory: a directory named as a run's record,
// <key>.json, is refused by name by ReadRecords (what gradbench table
// reads) as by ReadRecord (what run and plan read). ReadRecords passed
// over it, so the table left the run out without a word while run and
// plan failed, ReadRecord's error naming no layer ("read …: is a
// directory"). Tried as a new user would: tabled a runs directory
// holding foreign entries.
func TestRecordPathIsADirectory(t *testing.T) {
	dir := t.TempDir()
	key := "0123456789abcdef"
	if err := os.Mkdir(RecordPath(dir, key), 0o755); err != nil {
		t.Fatal(err)
	}
	want := "suite: " + RecordPath(dir, key) + " is a directory, where the record of run " + key + " would be"
	if _, err := ReadRecords(dir); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ReadRecords: error %v, want one saying %q", err, want)
	}
	if _, err := ReadRecord(dir, key); err == nil || !strings.Contains(err.Error(), want) || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadRecord: error %v, want one saying %q", err, want)
	}
	// A directory of another name is none of the runs' business.
	other := t.TempDir()
	if err := os.Mkdir(filepath.Join(other, "notes.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	if rs, err := ReadRecords(other); err != nil || len(rs) != 0 {
		t.Errorf("ReadRecords with a directory notes.json: %d records, error %v; want none and no error", len(rs), err)
	}
}

// TestRecordPathIsABrokenLink: a symbolic link named as a run's record
// that leads to no file (a dangling link, a loop of links) is refused by
// name, with what to do, by ReadRecord (what plan reads) as by
// ReadRecords (what table and run read). Plan listed the run as pending,
// the link opening as a missing file, while table and run failed with a
// bare open error. Tried as a new user would: a runs directory holding a
// link to a record on a disk no longer mounted, and a link to itself.
func TestRecordPathIsABrokenLink(t *testing.T) {
	for name, target := range map[string]string{
		"dangling": filepath.Join(t.TempDir(), "gone", "0123456789abcdef.json"),
		"loop":     "0123456789abcdef.json",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			key := "0123456789abcdef"
			if err := os.Symlink(target, RecordPath(dir, key)); err != nil {
				t.Skipf("no symbolic links here: %v", err)
			}
			want := "suite: " + RecordPath(dir, key) + " is a symbolic link to " + target + ", which leads to no file"
			if _, err := ReadRecords(dir); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "remove the link") {
				t.Errorf("ReadRecords: error %v, want one saying %q and what to do", err, want)
			}
			if _, err := ReadRecord(dir, key); err == nil || !strings.Contains(err.Error(), want) || errors.Is(err, fs.ErrNotExist) {
				t.Errorf("ReadRecord: error %v, want one saying %q, not a missing record", err, want)
			}
		})
	}
	// A link that leads to a record reads as the record.
	src, recs := runTiny(t, "ste", 1)
	key := recs[0].Key
	dir := t.TempDir()
	if err := os.Symlink(RecordPath(src, key), RecordPath(dir, key)); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if rec, err := ReadRecord(dir, key); err != nil || rec.Key != key {
		t.Errorf("ReadRecord through a link to a record: %v", err)
	}
	if rs, err := ReadRecords(dir); err != nil || len(rs) != 1 {
		t.Errorf("ReadRecords through a link to a record: %d records, error %v", len(rs), err)
	}
}

// TestRecordEmptyOrCutShort: a record file that is empty, or that ends
// in the middle of its JSON, is refused naming the file and saying which,
// by ReadRecord (run, plan, export, fidelity) as by ReadRecords (table).
// The error said "EOF" or "unexpected EOF", the JSON decoder's words.
// Tried as a new user would: a runs directory copied by a tool that
// stopped on a full disk.
func TestRecordEmptyOrCutShort(t *testing.T) {
	src, recs := runTiny(t, "ste", 1)
	key := recs[0].Key
	b, err := os.ReadFile(RecordPath(src, key))
	if err != nil {
		t.Fatal(err)
	}
	for content, want := range map[string]string{
		"":              "the file is empty",
		"\n\t ":         "the file is empty",
		string(b[:300]): "the file ends in the middle of its JSON (cut short)",
	} {
		dir := t.TempDir()
		if err := os.WriteFile(RecordPath(dir, key), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		want := "suite: record " + RecordPath(dir, key) + ": " + want + ": edited by hand or corrupted; delete it to retrain the run"
		if _, err := ReadRecord(dir, key); err == nil || err.Error() != want {
			t.Errorf("ReadRecord of %d bytes: error %v, want %q", len(content), err, want)
		}
		if _, err := ReadRecords(dir); err == nil || err.Error() != want {
			t.Errorf("ReadRecords of %d bytes: error %v, want %q", len(content), err, want)
		}
	}
}
