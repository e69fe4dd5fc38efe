package suite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFindCell(t *testing.T) {
	s := tinySweep(t, "ste,fda", 1, 2)
	cells := s.Cells()
	for i, c := range cells {
		byIndex, err := s.FindCell(string(rune('0' + i)))
		if err != nil || byIndex.Key() != c.Key() {
			t.Errorf("FindCell(%d) = %v, %v; want %v", i, byIndex, err, c)
		}
		byKey, err := s.FindCell(c.Key())
		if err != nil || byKey.Index != i {
			t.Errorf("FindCell(%s) = cell %d, %v; want cell %d", c.Key(), byKey.Index, err, i)
		}
	}
	for ref, want := range map[string]string{
		"4":                "suite: no cell 4: the sweep has 4 cells (0..3)",
		"04":               "suite: no cell 04: the sweep has 4 cells (0..3)",
		"-1":               `suite: bad cell "-1": want an index 0..3 or a 16-digit key`,
		"+1":               `suite: bad cell "+1": want an index 0..3 or a 16-digit key`,
		"-0":               `suite: bad cell "-0": want an index 0..3 or a 16-digit key`,
		" 1":               `suite: bad cell " 1": want an index 0..3 or a 16-digit key`,
		"01":               "", // plain digits: cell 1
		"x":                `suite: bad cell "x": want an index 0..3 or a 16-digit key`,
		"0123456789abcdef": "suite: no cell of the sweep has key 0123456789abcdef",
		// A key copied in capitals is not "a 16-digit key" it was told
		// to give: it is told keys are lowercase.
		"0123456789ABCDEF": `suite: bad cell "0123456789ABCDEF": a key is 16 lowercase hex digits, as gradbench plan lists them: 0123456789abcdef`,
	} {
		if c, err := s.FindCell(ref); want == "" && (err != nil || c.Index != 1) || want != "" && (err == nil || !strings.HasPrefix(err.Error(), want)) {
			t.Errorf("FindCell(%q) error = %v, want %q", ref, err, want)
		}
	}
}

// TestFindCellOfOne: tried as a new user would, --cell 1 of a sweep of
// one estimator and one seed said "the sweep has 1 cells (0..0)".
func TestFindCellOfOne(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	for ref, want := range map[string]string{
		"1":  "suite: no cell 1: the sweep has one cell, 0",
		"01": "suite: no cell 01: the sweep has one cell, 0",
		"x":  `suite: bad cell "x": want the index 0 or a 16-digit key`,
	} {
		if _, err := s.FindCell(ref); err == nil || err.Error() != want {
			t.Errorf("FindCell(%q) error = %v, want %q", ref, err, want)
		}
	}
	if c, err := s.FindCell("0"); err != nil || c.Index != 0 {
		t.Errorf("FindCell(\"0\") = cell %d, %v; want cell 0", c.Index, err)
	}
}

// deadPID returns the id of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot start a process: %v", err)
	}
	return cmd.Process.Pid
}

// writeLock writes a lock file with the given holder and heartbeat.
func writeLock(t *testing.T, dir, key string, info LockInfo, beat time.Time) {
	t.Helper()
	b, _ := json.Marshal(&info)
	path := LockPath(dir, key)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, beat, beat); err != nil {
		t.Fatal(err)
	}
}

func TestPlanStates(t *testing.T) {
	s := tinySweep(t, "ste,fda,fda+na", 1, 2)
	dir := t.TempDir()
	cells := s.Cells()
	// 0 done, 1 diverged, 2 running (live lock), 3 resumable, 4 pending
	// with a stale lock (dead holder), 5 pending.
	w := &s.Workload
	if err := WriteRecord(dir, fakeRecord(w, "ste", 1, 80)); err != nil {
		t.Fatal(err)
	}
	div := fakeRecord(w, "fda", 1, nanTop1) // diverges in epoch 2 of 2
	if err := WriteRecord(dir, div); err != nil {
		t.Fatal(err)
	}
	self := thisProcess()
	writeLock(t, dir, cells[2].Key(), self, time.Now())
	if err := os.WriteFile(CheckpointPath(dir, cells[3].Key()), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dead := self
	dead.PID, dead.ProcStart = deadPID(t), ""
	writeLock(t, dir, cells[4].Key(), dead, time.Now())

	got, err := s.Plan(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{CellDone, CellDiverged, CellRunning, CellResumable, CellPending, CellPending}
	if procStart(self.PID) == "" && !killTellsGone {
		want[4] = CellRunning // no /proc nor kill: only the heartbeat tells
	}
	for i, st := range got {
		if st.State != want[i] || st.Index != i || st.Key != cells[i].Key() {
			t.Errorf("cell %d (%s): state %s, index %d, key %s; want %s, %d, %s", i, st.Cell, st.State, st.Index, st.Key, want[i], i, cells[i].Key())
		}
		if st.Finished() != (i < 2) {
			t.Errorf("cell %d: Finished() = %v", i, st.Finished())
		}
	}
	if got[2].Lock == nil || got[2].Lock.PID != self.PID {
		t.Errorf("running cell: lock %+v, want held by pid %d", got[2].Lock, self.PID)
	}

	// A directory that does not exist: everything pending.
	got, err = s.Plan(dir + "/none")
	if err != nil || len(got) != 6 || got[0].State != CellPending {
		t.Errorf("Plan(missing dir) = %d cells, %v", len(got), err)
	}
}

// nanTop1 makes fakeRecord write a diverged run.
var nanTop1 = func() float64 { var z float64; return z / z }()

func TestLockStale(t *testing.T) {
	self := thisProcess()
	now := time.Now()
	cfg := LockConfig{StaleAfter: time.Minute}
	other := self
	other.Host = self.Host + "-elsewhere"
	dead := self
	dead.PID, dead.ProcStart = deadPID(t), ""
	reused := self
	reused.ProcStart = "1" // our pid, started at another time
	tests := []struct {
		name  string
		info  LockInfo
		beat  time.Duration // age of the heartbeat
		stale bool
	}{
		{"this process", self, 0, false},
		{"this process, no heartbeat for long", self, 2 * time.Minute, true},
		{"other host, fresh", other, 30 * time.Second, false},
		{"other host, silent", other, 61 * time.Second, true},
		{"dead process on this host", dead, 0, true},
		{"unknown holder (empty file), fresh", LockInfo{}, 0, false},
		{"unknown holder, silent", LockInfo{}, 2 * time.Minute, true},
		{"pid reused on this host", reused, 0, true},
	}
	if procStart(self.PID) == "" {
		// No /proc: a reused pid cannot be told from the holder, and
		// without kill either only the heartbeat tells.
		tests = tests[:len(tests)-1]
		tests[4].stale = killTellsGone
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.info
			l.Heartbeat = now.Add(-tt.beat)
			if got := l.Stale(cfg, now); got != tt.stale {
				t.Errorf("Stale() = %v, want %v", got, tt.stale)
			}
		})
	}
}

func TestLockAcquireRelease(t *testing.T) {
	dir := t.TempDir()
	cfg := LockConfig{Heartbeat: 10 * time.Millisecond, StaleAfter: time.Minute}
	l, holder, err := tryLock(dir, lockKey, cfg, false)
	if err != nil || l == nil || holder != nil {
		t.Fatalf("tryLock on a free lock = %v, %v, %v", l, holder, err)
	}
	info, err := ReadLock(dir, lockKey)
	if err != nil || info.PID != os.Getpid() || info.Key != lockKey || info.Token == "" {
		t.Fatalf("ReadLock = %+v, %v", info, err)
	}
	// The heartbeat moves the modification time.
	old := time.Now().Add(-time.Hour)
	os.Chtimes(LockPath(dir, lockKey), old, old)
	deadline := time.Now().Add(5 * time.Second)
	for {
		info2, _ := ReadLock(dir, lockKey)
		if info2 != nil && info2.Heartbeat.After(old.Add(time.Minute)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no heartbeat within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	l2, holder, err := tryLock(dir, lockKey, cfg, false)
	if err != nil || l2 != nil || holder == nil || holder.Token != info.Token {
		t.Fatalf("tryLock on a held lock = %v, %+v, %v; want the holder", l2, holder, err)
	}
	if lost := l.release(); lost {
		t.Error("release reported the lock lost")
	}
	if _, err := ReadLock(dir, lockKey); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after release: %v, want no lock file", err)
	}
	l3, _, err := tryLock(dir, lockKey, cfg, false)
	if err != nil || l3 == nil {
		t.Fatalf("tryLock after release = %v, %v", l3, err)
	}
	l3.release()
}

// TestLockKeepEpochs: a lock says whether its holder keeps epochs, in a
// field written either way; a lock written by a build before the field
// reads as a holder that does not.
func TestLockKeepEpochs(t *testing.T) {
	dir := t.TempDir()
	cfg := LockConfig{Heartbeat: time.Hour}
	for _, keep := range []bool{false, true} {
		l, _, err := tryLock(dir, lockKey, cfg, keep)
		if err != nil || l == nil {
			t.Fatal(l, err)
		}
		b, err := os.ReadFile(LockPath(dir, lockKey))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf(`"keep_epochs":%v`, keep); !strings.Contains(string(b), want) {
			t.Errorf("tryLock(keep %v) wrote %s, want it to hold %s", keep, b, want)
		}
		if info, err := ReadLock(dir, lockKey); err != nil || info.KeepEpochs != keep {
			t.Errorf("ReadLock after tryLock(keep %v) = %+v, %v", keep, info, err)
		}
		l.release()
	}

	old := `{"key":"` + lockKey + `","host":"node7","pid":4242,"proc_start":"123","token":"0123456789abcdef","acquired":"2026-11-26T10:00:00Z"}` + "\n"
	if err := os.WriteFile(LockPath(dir, lockKey), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := ReadLock(dir, lockKey)
	if err != nil || info.KeepEpochs || info.Token != "0123456789abcdef" || info.PID != 4242 {
		t.Errorf("ReadLock of a lock from a build before keep_epochs = %+v, %v; want the holder, without KeepEpochs", info, err)
	}
}

func TestLockBreakStale(t *testing.T) {
	dir := t.TempDir()
	cfg := LockConfig{Heartbeat: time.Hour, StaleAfter: time.Minute}
	other := thisProcess()
	other.Host += "-elsewhere"
	other.Token = "stale"
	writeLock(t, dir, lockKey, other, time.Now().Add(-2*time.Minute))
	l, holder, err := tryLock(dir, lockKey, cfg, false)
	if err != nil || l == nil {
		t.Fatalf("tryLock on a stale lock = %v, %+v, %v; want it taken over", l, holder, err)
	}
	info, _ := ReadLock(dir, lockKey)
	if info == nil || info.Token != l.token {
		t.Errorf("lock after takeover: %+v, want ours", info)
	}
	// A breaker that read the stale lock before we took it over must
	// leave our fresh lock in place.
	stale := other
	if err := breakLock(LockPath(dir, lockKey), &stale); err != nil {
		t.Fatal(err)
	}
	if !l.ours() {
		t.Error("a late breaker removed the fresh lock")
	}
	if lost := l.release(); lost {
		t.Error("release reported the lock lost")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}

func TestLockLost(t *testing.T) {
	dir := t.TempDir()
	l, _, err := tryLock(dir, lockKey, LockConfig{Heartbeat: 5 * time.Millisecond}, false)
	if err != nil || l == nil {
		t.Fatal(l, err)
	}
	// Another process takes the lock for stale and holds it now.
	other := thisProcess()
	other.Token = "theirs"
	writeLock(t, dir, lockKey, other, time.Now())
	time.Sleep(30 * time.Millisecond)
	if lost := l.release(); !lost {
		t.Error("release did not report the lock lost")
	}
	if info, _ := ReadLock(dir, lockKey); info == nil || info.Token != "theirs" {
		t.Errorf("release removed the other holder's lock: %+v", info)
	}
}

// TestRunCellLockedRace runs one cell from two runners at once while a
// third party holds its lock: both wait; once it is released one trains
// and the other waits for its record; a later call finds the record at
// once.
func TestRunCellLockedRace(t *testing.T) {
	_, c := tinyCell(t, "fda+na", 3)
	dir := t.TempDir()
	lc := LockConfig{Heartbeat: 10 * time.Millisecond, Poll: 5 * time.Millisecond}
	held, _, err := tryLock(dir, c.Key(), lc, false)
	if err != nil || held == nil {
		t.Fatal(held, err)
	}
	var mu sync.Mutex
	kinds := map[EventKind]int{}
	var notes []string
	recs := make([]*Record, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &Runner{Dir: dir, Progress: func(e Event) {
				mu.Lock()
				defer mu.Unlock()
				kinds[e.Kind]++
				if e.Kind == EventNote {
					notes = append(notes, e.Note)
				}
			}}
			recs[i], errs[i] = r.RunCellLocked(context.Background(), c, lc)
		}()
	}
	// Both runners say the cell is busy before the holder lets go, and
	// neither can end before it does. One that took the held lock for one
	// left by an ended process trains at once and need not say so: the
	// wait for the notes ends, as a failure, when both runners have.
	ended := make(chan struct{})
	go func() {
		wg.Wait()
		close(ended)
	}()
	for {
		mu.Lock()
		n := kinds[EventNote]
		mu.Unlock()
		if n == 2 {
			break
		}
		select {
		case <-ended:
			held.release()
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("both runners ended (errors %v, %v; %d runs trained) while this process held the cell's lock, which they should have waited for (notes: %q)",
				errs[0], errs[1], kinds[EventCellDone], notes)
		case <-time.After(time.Millisecond):
		}
	}
	held.release()
	<-ended
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("runner %d: %v", i, errs[i])
		}
	}
	if kinds[EventCellDone] != 1 || kinds[EventCached] != 1 {
		t.Errorf("%d runs trained and %d found the record; want 1 and 1 (notes: %q)", kinds[EventCellDone], kinds[EventCached], notes)
	}
	for _, n := range notes {
		// A runner can read the lock between its creation and its
		// holder's line (an empty file), and then says so.
		if !strings.Contains(n, "is training it") && !strings.Contains(n, "names no holder (a lock being written") {
			t.Errorf("note %q, want one saying who trains the cell, or that its lock is being written", n)
		}
	}
	if recs[0].Key != recs[1].Key || recs[0].Final.TestTop1 != recs[1].Final.TestTop1 {
		t.Errorf("the two runners returned different records")
	}
	if _, err := ReadLock(dir, c.Key()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lock left behind: %v", err)
	}
	ran := false
	r := &Runner{Dir: dir, Progress: func(e Event) { ran = ran || e.Kind != EventCached }}
	if _, err := r.RunCellLocked(context.Background(), c, lc); err != nil || ran {
		t.Errorf("a finished cell: %v, trained again: %v", err, ran)
	}
}

// TestRunCellLockedStale: a lock left by a process that died is taken
// over at once, and the cell resumes from its checkpoint.
func TestRunCellLockedStale(t *testing.T) {
	_, c := tinyCell(t, "ste", 2)
	dir := t.TempDir()
	dead := thisProcess()
	dead.PID, dead.ProcStart = deadPID(t), ""
	writeLock(t, dir, c.Key(), dead, time.Now())
	// The dead holder was killed while writing its checkpoint and its
	// weights: their temporaries go; another cell's stays.
	other := strings.Repeat("0", 16)
	if other == c.Key() {
		other = strings.Repeat("1", 16)
	}
	stale := []string{"." + c.Key() + ".ckpt.123.tmp", "." + c.Key() + ".e1.weights.9.tmp"}
	for _, n := range append(stale, "."+other+".ckpt.7.tmp") {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// And its probe of the directory, as large as a checkpoint.
	probe, err := os.CreateTemp(dir, cellTemp(c.Key(), "write-probe"))
	if err != nil {
		t.Fatal(err)
	}
	probe.Close()
	stale = append(stale, filepath.Base(probe.Name()))
	// "At once": with a poll of an hour, a runner that waited for the
	// holder would still be waiting when the minute is up. The minute
	// bounds the wait for the lock alone, not the training after it,
	// which takes longer than that under user-mode emulation.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waited := time.AfterFunc(time.Minute, cancel)
	var kinds []EventKind
	r := &Runner{Dir: dir, Progress: func(e Event) {
		if e.Kind == EventStep {
			waited.Stop()
		}
		if e.Kind != EventStep && e.Kind != EventEval {
			kinds = append(kinds, e.Kind)
		}
	}}
	rec, err := r.RunCellLocked(ctx, c, LockConfig{Poll: time.Hour})
	if err != nil || rec.Status != StatusOK {
		t.Fatalf("RunCellLocked with a dead holder's lock: %v", err)
	}
	if len(kinds) == 0 || kinds[len(kinds)-1] != EventCellDone {
		t.Errorf("events %v, want the cell trained", kinds)
	}
	for _, n := range stale {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			t.Errorf("the dead holder's %s was left behind", n)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "."+other+".ckpt.7.tmp")); err != nil {
		t.Errorf("another cell's temporary file was removed: %v", err)
	}
}

// lockKey is the run key the lock tests use: the lock's path takes keys
// as Config.Key makes them only.
const lockKey = "00112233445566ff"
