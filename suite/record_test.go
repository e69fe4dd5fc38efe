package suite

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/gradbench/gradbench/estimators"
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
		if math.IsNaN(top1) && e == 2 {
			r.Epochs = r.Epochs[:1]
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

func TestReadRecordsRejects(t *testing.T) {
	w := testWorkload(t)
	r := fakeRecord(&w, "ste", 1, 80)
	tests := map[string]func(s string) string{
		"edited config": func(s string) string { return strings.Replace(s, `"seed": 1`, `"seed": 9`, 1) },
		"unknown field": func(s string) string { return strings.Replace(s, `"status"`, `"extra": 1, "status"`, 1) },
		"bad status":    func(s string) string { return strings.Replace(s, `"status": "ok"`, `"status": "meh"`, 1) },
		"truncated":     func(s string) string { return s[:len(s)/2] },
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteRecord(dir, r); err != nil {
				t.Fatal(err)
			}
			path := RecordPath(dir, r.Key)
			b, _ := os.ReadFile(path)
			if err := os.WriteFile(path, []byte(edit(string(b))), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadRecords(dir); err == nil || !strings.Contains(err.Error(), r.Key) {
				t.Errorf("ReadRecords() error = %v, want one naming %s", err, path)
			}
		})
	}
	// Other files in the directory are ignored.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "table.md"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.json"), []byte("x"), 0o644)
	if rs, err := ReadRecords(dir); err != nil || len(rs) != 0 {
		t.Errorf("ReadRecords(dir without records) = %v, %v, want none", rs, err)
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

func TestWriteBenchReadable(t *testing.T) {
	w := testWorkload(t)
	var rs []*Record
	for seed := uint64(1); seed <= 3; seed++ {
		rs = append(rs, fakeRecord(&w, "ste", seed, 80+float64(seed)), fakeRecord(&w, "ste+na:eta=x", seed, 82+float64(seed)))
	}
	var buf bytes.Buffer
	if err := WriteBench(&buf, rs); err != nil {
		t.Fatal(err)
	}
	rd := benchfmt.NewReader(bytes.NewReader(buf.Bytes()), "bench.txt")
	n := 0
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.Result:
			n++
			est := (nameKey(rec.Name, "est"))
			if est != "ste" && est != "ste+na:eta=x" {
				t.Errorf("result %s: est = %q", rec.Name.Full(), est)
			}
			if v, ok := rec.Value("top1-%"); !ok || v < 80 {
				t.Errorf("result %s: top1-%% = %v, %v", rec.Name.Full(), v, ok)
			}
			if (nameKey(rec.Name, "model")) != "resnet20" || (nameKey(rec.Name, "data")) != "synthetic" {
				t.Errorf("result %s: want model and data keys", rec.Name.Full())
			}
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		}
	}
	if n != 6 {
		t.Errorf("benchfmt read %d results, want 6:\n%s", n, buf.String())
	}
	units := rd.Units()
	for _, u := range benchUnits {
		want := map[string]int{"higher": 1, "lower": -1}[u.better]
		if got := units.GetBetter(u.unit); got != want {
			t.Errorf("unit %s: GetBetter = %d, want %d", u.unit, got, want)
		}
	}
}

// nameKey returns the value of a /key=value part of a benchmark name.
func nameKey(n benchfmt.Name, key string) string {
	_, parts := n.Parts()
	for _, p := range parts {
		k, v, ok := strings.Cut(strings.TrimPrefix(string(p), "/"), "=")
		if ok && k == key {
			return v
		}
	}
	return ""
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
