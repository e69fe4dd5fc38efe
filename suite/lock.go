package suite

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Cell locks keep two processes that share a runs directory (array tasks
// on several hosts over NFS, a sweep submitted twice) from training the
// same cell at once. The lock is the file <key>.lock, created with
// O_CREATE|O_EXCL, which is atomic on local file systems and on NFS v3 and
// later; it holds a LockInfo naming its holder, and the holder touches its
// modification time every LockConfig.Heartbeat.
//
// A lock is abandoned (stale) when its holder ran on this host and its
// process is gone, or when nobody touched it for LockConfig.StaleAfter.
// Whether a holder on this host is gone is told by /proc on Linux and by
// kill(pid, 0) on other Unix systems (processAlive); on Windows it is not
// told, and only the heartbeat decides.
// A stale lock is broken by renaming it to a name of the breaker's own and
// checking that the file moved is the stale one; a waiting process then
// takes the lock over and resumes the cell from its checkpoint.
//
// The lock saves work; it is not what keeps records whole. In a narrow
// window (two processes breaking the same stale lock at once, a holder
// whose heartbeat stalls for longer than StaleAfter, host clocks further
// apart than StaleAfter) two processes may train one cell. Both then write
// the record through a temporary file and a rename, training is
// deterministic, and the last rename wins with the same numbers; only wall
// times and the machine differ.

// LockPath returns where the lock of the run with that key lives.
func LockPath(dir, key string) string { return runFile("LockPath", dir, key, ".lock") }

// LockConfig tunes cell locks. Zero values take the defaults.
type LockConfig struct {
	// Heartbeat is how often the holder touches its lock: 15 s by default.
	Heartbeat time.Duration
	// StaleAfter is how long a lock may go untouched before it is taken
	// for abandoned: 2 minutes by default, more than an NFS client's
	// attribute cache (60 s at most by default) plus a heartbeat.
	StaleAfter time.Duration
	// Poll is how often a process waiting for a lock looks again: 2 s by
	// default.
	Poll time.Duration
}

func (c LockConfig) withDefaults() LockConfig {
	if c.Heartbeat <= 0 {
		c.Heartbeat = 15 * time.Second
	}
	if c.StaleAfter <= 0 {
		c.StaleAfter = 2 * time.Minute
	}
	if c.Poll <= 0 {
		c.Poll = 2 * time.Second
	}
	return c
}

// LockInfo is the content of a lock file: who holds the lock.
type LockInfo struct {
	Key  string `json:"key"`
	Host string `json:"host"`
	PID  int    `json:"pid"`
	// ProcStart is the holder's start time in clock ticks since boot
	// (field 22 of /proc/<pid>/stat on Linux, empty elsewhere), so that a
	// reused process id is not taken for the holder.
	ProcStart string    `json:"proc_start,omitempty"`
	Token     string    `json:"token"` // random, unique to one acquisition
	Acquired  time.Time `json:"acquired"`
	// KeepEpochs says whether the holder trains the cell with
	// Runner.KeepEpochs (gradbench run --keep-epochs), so that a runner
	// that keeps epochs can refuse a cell another process trains now
	// without them (checkEpochWeights). It is always written. A lock
	// written by a build before the field has none and reads as false:
	// such a holder cannot be shown to keep epochs, so a runner that
	// needs them refuses it, the safe reading.
	KeepEpochs bool `json:"keep_epochs"`
	// Heartbeat is the lock file's modification time, the holder's last
	// sign of life (not stored in the file).
	Heartbeat time.Time `json:"-"`
}

// String names the holder for messages: "host pid 123".
func (l *LockInfo) String() string { return fmt.Sprintf("%s pid %d", l.Host, l.PID) }

// training says who trains the cell of the lock file path, for the note
// of a process that waits for it: "host pid 123 is training it (lock
// taken ..., last heartbeat 3s ago)". A lock file that names no holder
// (created and not yet written, or emptied or overwritten by hand: not a
// lock's content) is said to be one, with when it will be taken for
// abandoned, rather than shown as "pid 0" taken in year 1.
func (l *LockInfo) training(path string, cfg LockConfig, now time.Time) string {
	beat := now.Sub(l.Heartbeat).Round(time.Second)
	if l.Token == "" {
		return fmt.Sprintf("its lock %s names no holder (a lock being written, or a file that is not a lock), last touched %s ago; it is taken for abandoned once untouched for %v",
			path, beat, cfg.withDefaults().StaleAfter)
	}
	return fmt.Sprintf("%s is training it (lock taken %s, last heartbeat %s ago)", l, l.Acquired.Local().Format(time.DateTime), beat)
}

// ReadLock reads the lock of the run with that key; it returns an error
// wrapping fs.ErrNotExist when there is none, and refuses a key other
// than Config.Key makes (see runFile).
func ReadLock(dir, key string) (*LockInfo, error) {
	if err := checkKey("ReadLock", key); err != nil {
		return nil, err
	}
	return readLock(LockPath(dir, key))
}

func readLock(path string) (*LockInfo, error) {
	// Open, then stat the open file: on NFS an open revalidates the
	// attributes (close-to-open consistency) where a bare stat may answer
	// from the attribute cache.
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(f); err != nil {
		return nil, err
	}
	var l LockInfo
	if err := json.Unmarshal(b.Bytes(), &l); err != nil {
		// Created but not yet written, or written by something else: the
		// holder is unknown, only the heartbeat tells whether it lives.
		l = LockInfo{}
	}
	l.Heartbeat = st.ModTime()
	return &l, nil
}

// Stale reports whether the lock is abandoned as seen from this process
// at now: its holder ran on this host and is gone, or the lock went
// untouched for longer than cfg.StaleAfter.
func (l *LockInfo) Stale(cfg LockConfig, now time.Time) bool {
	cfg = cfg.withDefaults()
	if now.Sub(l.Heartbeat) > cfg.StaleAfter {
		return true
	}
	self := thisProcess()
	return l.PID > 0 && l.Host == self.Host && !processAlive(l.PID, l.ProcStart)
}

// thisProcess describes the running process as a lock holder.
var thisProcess = sync.OnceValue(func() LockInfo {
	host, _ := os.Hostname()
	return LockInfo{Host: host, PID: os.Getpid(), ProcStart: procStart(os.Getpid())}
})

// procStart returns the start time of process pid in clock ticks since
// boot, from /proc (Linux), or "" where that is not available.
func procStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// fields 3 and later follow the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return ""
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 20 {
		return ""
	}
	return string(f[19]) // field 22
}

// processAlive reports whether process pid, started at start (procStart),
// still runs on this host. With /proc (Linux) the start time tells a
// reused process id from the holder. Without it (macOS, BSD) only "gone"
// can be told, by kill(pid, 0) answering that there is no such process
// (processGone); any other answer may be another process given the same
// id, so it says yes and the heartbeat decides. Where neither is
// available (Windows) it says yes.
func processAlive(pid int, start string) bool {
	if !haveProc() {
		return !processGone(pid)
	}
	now := procStart(pid)
	if now == "" {
		return false // no such process
	}
	return start == "" || now == start
}

// haveProc reports whether /proc describes processes (Linux). A variable
// so that tests can judge locks as a system without it does.
var haveProc = func() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// A cellLock is a held lock with its heartbeat.
type cellLock struct {
	path  string
	token string
	stop  chan struct{}
	done  chan struct{}
	mu    sync.Mutex
	lost  bool // the lock file vanished or changed hands under us
}

// tryLock takes the lock of key in dir if it is free or stale, for a
// holder that trains the cell with KeepEpochs keep (LockInfo.KeepEpochs).
// It returns the held lock, or nil and the live holder.
func tryLock(dir, key string, cfg LockConfig, keep bool) (*cellLock, *LockInfo, error) {
	cfg = cfg.withDefaults()
	path := LockPath(dir, key)
	for attempt := 0; ; attempt++ {
		if attempt == 10 {
			return nil, nil, fmt.Errorf("suite: lock %s: it keeps changing hands; giving up after %d attempts", path, attempt)
		}
		l, err := createLock(path, key, cfg, keep)
		if err == nil {
			return l, nil, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, nil, err
		}
		holder, err := readHolder(path)
		if err != nil {
			if err := checkLockPath(path, key); err != nil {
				return nil, nil, err
			}
		}
		if errors.Is(err, fs.ErrNotExist) {
			continue // released in between
		}
		if err != nil {
			return nil, nil, wrapErr("suite: reading lock", err)
		}
		if !holder.Stale(cfg, time.Now()) {
			return nil, holder, nil
		}
		if err := breakLock(path, holder); err != nil {
			return nil, nil, err
		}
	}
}

// readHolder reads the lock file at path that tryLock found taken: it is
// readLock, a variable so that tests can stage what another process does
// between tryLock's creating the lock and its reading the holder (release
// the lock, take it again), which no file on disk shows on its own.
var readHolder = readLock

// checkLockPath refuses what stands at path, the name of the lock of
// key, when it is no lock a process could hold or release: a directory,
// or a symbolic link (a lock is a file run creates, never a link). Such
// a name keeps the lock from being created, and without this a link
// that leads to no file read as a lock released again and again.
func checkLockPath(path, key string) error {
	st, err := os.Lstat(path)
	switch {
	case err != nil:
		return nil
	case st.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(path)
		return fmt.Errorf("suite: %s is a symbolic link to %s, where the lock of run %s would be (a file gradbench run creates): remove the link", path, target, key)
	case st.IsDir():
		return fmt.Errorf("suite: %s is a directory, where the lock of run %s would be (a file gradbench run creates): move it out of the runs directory", path, key)
	}
	return nil
}

func newToken() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// createLock creates the lock file exclusively, naming this process as
// its holder with KeepEpochs keep, and starts its heartbeat.
func createLock(path, key string, cfg LockConfig, keep bool) (*cellLock, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		return nil, wrapErr("suite: creating lock", err)
	}
	info := thisProcess()
	info.Key, info.Token, info.Acquired, info.KeepEpochs = key, newToken(), time.Now().UTC(), keep
	b, _ := json.Marshal(&info)
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, wrapErr("suite: writing lock", err)
	}
	l := &cellLock{path: path, token: info.Token, stop: make(chan struct{}), done: make(chan struct{})}
	go l.heartbeat(cfg.Heartbeat)
	return l, nil
}

// breakLock removes the stale lock held by stale. It renames the lock file
// to a name of its own first and checks that what it moved is the stale
// lock: if another process broke it and took a fresh lock in between, the
// fresh lock is put back (with a link, which fails rather than replace a
// third one).
func breakLock(path string, stale *LockInfo) error {
	aside := fmt.Sprintf("%s.stale-%s", path, newToken())
	if err := os.Rename(path, aside); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // someone else broke or released it
		}
		return wrapErr("suite: breaking stale lock", err)
	}
	moved, err := readLock(aside)
	if err == nil && moved.Token != stale.Token {
		os.Link(aside, path)
	}
	os.Remove(aside)
	return nil
}

func (l *cellLock) heartbeat(every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			if l.gone() {
				l.mu.Lock()
				l.lost = true
				l.mu.Unlock()
				return
			}
			now := time.Now()
			os.Chtimes(l.path, now, now)
		}
	}
}

// readOwnLock reads the lock file a holder checks (gone, ours): it is
// readLock, a variable so that tests can make a read fail as a file
// system may for a moment (an NFS server not answering, a process out of
// file descriptors), which no file on disk does on demand.
var readOwnLock = readLock

// gone reports whether the lock file is known to be no longer the one
// this lock created: removed, or holding another holder's token. A read
// that fails otherwise tells neither way: the heartbeat goes on, since a
// holder that stopped beating on one failed read would be taken for
// abandoned StaleAfter later, and its cell trained a second time while
// it goes on training it.
func (l *cellLock) gone() bool {
	info, err := readOwnLock(l.path)
	if err != nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	return info.Token != l.token
}

// ours reports whether the lock file is still the one this lock created.
func (l *cellLock) ours() bool {
	info, err := readOwnLock(l.path)
	return err == nil && info.Token == l.token
}

// release stops the heartbeat and removes the lock file if it is still
// ours. It reports whether the lock was lost while held (broken by a
// process that took it for stale).
func (l *cellLock) release() (lost bool) {
	close(l.stop)
	<-l.done
	l.mu.Lock()
	lost = l.lost
	l.mu.Unlock()
	if l.ours() {
		os.Remove(l.path)
	} else {
		lost = true
	}
	return lost
}

// RunCellLocked runs one cell as a task of a batch system does, in a runs
// directory other processes (on other hosts) may share:
//
//   - a cell with a record returns it at once (EventCached): one written
//     before records kept data digests before any data is loaded, one
//     with them once the data loaded agree with them
//     (Runner.checkRecordData);
//   - otherwise it takes the cell's lock (see LockPath). While another live
//     process holds it, it waits (EventNote once per holder) and then
//     returns the record that process wrote, or takes the lock over if the
//     holder ended without one or is gone (a stale lock);
//   - holding the lock, it trains the cell with RunCell, resuming from the
//     cell's checkpoint if there is one, and releases the lock.
func (r *Runner) RunCellLocked(ctx context.Context, c Cell, lc LockConfig) (*Record, error) {
	if err := r.checkCellDir(ctx, c); err != nil {
		return nil, err
	}
	cached := func(rec *Record) {
		r.removeDoneCheckpoint(c, lc)
		r.emit(Event{Kind: EventCached, Cell: c, Cells: 1, Record: rec})
	}
	rec, err := ReadRecord(r.Dir, c.Key())
	if err == nil {
		if err := r.checkRecordData(ctx, r.Dir, c, rec); err != nil {
			return nil, err
		}
		cached(rec)
		return rec, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := r.prepareCell(ctx, c); err != nil {
		return nil, err
	}
	rec, _, err = r.runLocked(ctx, c, lc, true, func() (*Record, error) { return r.RunCell(ctx, c) }, cached)
	return rec, err
}

// runLocked trains cell c with train under the cell's lock, unless it
// has a record (then cached receives it). When another live process holds
// the lock it waits for that process's record, or takes the lock over if
// the holder ends without one (wait); or, without wait, reports the cell
// busy and returns at once. With KeepEpochs, a live holder that trains
// without them is refused at once, in either mode (checkKeepEpochs).
func (r *Runner) runLocked(ctx context.Context, c Cell, lc LockConfig, wait bool, train func() (*Record, error), cached func(*Record)) (rec *Record, busy bool, err error) {
	lc = lc.withDefaults()
	key := c.Key()
	// reuse hands over a record another process finished, once it has
	// been checked against this run's flags and data.
	reuse := func(rec *Record) (*Record, bool, error) {
		if err := r.checkKeepEpochs(ctx, []Cell{c}); err != nil {
			return nil, false, err
		}
		if err := r.checkRecordData(ctx, r.Dir, c, rec); err != nil {
			return nil, false, err
		}
		cached(rec)
		return rec, false, nil
	}
	var waitingFor string
	for {
		rec, err := ReadRecord(r.Dir, key)
		if err == nil {
			// Another process may have finished the cell since the
			// runner checked.
			return reuse(rec)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, false, err
		}
		l, holder, err := tryLock(r.Dir, key, lc, r.KeepEpochs)
		if err != nil {
			return nil, false, err
		}
		if l == nil && r.KeepEpochs && holder.withoutKeepEpochs() {
			// A holder that took the lock since the runner checked: its
			// record would lack the weights KeepEpochs keeps, and waiting
			// for it would only end in that refusal.
			return nil, false, keptEpochsError(r.Dir, []keptEpochsGap{{cell: c, holder: holder}})
		}
		if l != nil {
			// Finished by the previous holder just now?
			if rec, err := ReadRecord(r.Dir, key); err == nil {
				l.release()
				return reuse(rec)
			}
			removeStaleTemps(r.Dir, key)
			rec, err := train()
			if lost := l.release(); lost && err == nil {
				r.emit(Event{Kind: EventNote, Cell: c, Note: fmt.Sprintf("%s: another process took this cell's lock for stale while it trained; both wrote the same record", c)})
			}
			return rec, false, err
		}
		if h := holder.String() + " " + holder.Token; h != waitingFor {
			waitingFor = h
			then := "waiting for its record"
			if !wait {
				then = "coming back to it after the other cells"
			}
			r.emit(Event{Kind: EventNote, Cell: c, Note: fmt.Sprintf("%s: %s; %s", c, holder.training(LockPath(r.Dir, key), lc, time.Now()), then)})
		}
		if !wait {
			return nil, true, nil
		}
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-time.After(lc.Poll):
		}
	}
}

// removeStaleTemps removes the temporary files a writer of the cell's
// files (record, weights, epoch weights, checkpoint) left in dir when it
// was killed between creating one and renaming it over its file
// (atomicfile names them ".<file>.<random>.tmp"), and the probe of the
// directory (probeWritable) a killed run left: every name cellTemp
// gives. The caller holds the cell's lock, so their writer is gone;
// files of other cells stay.
func removeStaleTemps(dir, key string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if n := e.Name(); strings.HasPrefix(n, "."+key+".") && strings.HasSuffix(n, ".tmp") && !e.IsDir() {
			os.Remove(filepath.Join(dir, n))
		}
	}
}

// cellTemp is the os.CreateTemp pattern of a temporary file of the cell
// of key: ".<key>.<what>.<random>.tmp", as atomicfile names the
// temporaries of the cell's files, which removeStaleTemps removes.
func cellTemp(key, what string) string {
	return "." + key + "." + what + ".*.tmp"
}
