//go:build unix

package suite

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestLockHolderKilled: the lock of a holder on this host that was killed
// is taken over at once, long before its heartbeat is StaleAfter old,
// both where /proc tells (Linux) and where only kill(pid, 0) does (macOS,
// BSD: run here by judging as if there were no /proc). While the holder
// lives, and after it was killed but before its parent waited for it (a
// zombie still has its process id), the lock is left to it.
func TestLockHolderKilled(t *testing.T) {
	modes := []string{"kill"}
	if haveProc() {
		modes = append(modes, "proc")
	}
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			if mode == "kill" {
				orig := haveProc
				t.Cleanup(func() { haveProc = orig })
				haveProc = func() bool { return false }
			}
			child := exec.Command("sleep", "60")
			if err := child.Start(); err != nil {
				t.Skipf("cannot start a process: %v", err)
			}
			waited := false
			t.Cleanup(func() {
				if !waited {
					child.Process.Kill()
					child.Wait()
				}
			})
			dir := t.TempDir()
			holder := thisProcess()
			holder.Key, holder.Token, holder.Acquired = lockKey, "0123456789abcdef", time.Now().UTC()
			holder.PID, holder.ProcStart = child.Process.Pid, procStart(child.Process.Pid)
			writeLock(t, dir, lockKey, holder, time.Now())
			cfg := LockConfig{Heartbeat: time.Hour} // StaleAfter: the default 2 minutes

			try := func(when string, taken bool) {
				t.Helper()
				l, h, err := tryLock(dir, lockKey, cfg, false)
				if err != nil {
					t.Fatalf("%s: tryLock: %v", when, err)
				}
				if l != nil {
					l.release()
				}
				if taken && l == nil {
					t.Fatalf("%s: the lock was left to %v, want it taken over", when, h)
				}
				if !taken && (l != nil || h == nil || h.PID != holder.PID) {
					t.Fatalf("%s: tryLock = %v, %v; want the lock left to pid %d", when, l, h, holder.PID)
				}
			}
			try("holder running", false)
			if err := child.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			try("holder killed, not yet waited for", false)
			child.Wait()
			waited = true
			try("holder killed and waited for", true)
		})
	}
}

// TestHeartbeatOutlivesFailedRead: a holder whose check of its own lock
// fails for a moment (a read error other than the file being gone) goes
// on touching the lock, and releases it as never lost. The heartbeat
// stopped for good on the first failed read, so that the lock went stale
// StaleAfter later while the holder trained on, and another process took
// the cell over and trained it too.
func TestHeartbeatOutlivesFailedRead(t *testing.T) {
	dir := t.TempDir()
	const key = "0123456789abcdef"
	var failing atomic.Int32
	failing.Store(3)
	readOwnLock = func(p string) (*LockInfo, error) {
		if failing.Add(-1) >= 0 {
			return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.EIO}
		}
		return readLock(p)
	}
	t.Cleanup(func() { readOwnLock = readLock })
	l, holder, err := tryLock(dir, key, LockConfig{Heartbeat: time.Millisecond}, false)
	if err != nil || l == nil {
		t.Fatalf("tryLock: %v, held by %v", err, holder)
	}
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(LockPath(dir, key), past, past); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := os.Stat(LockPath(dir, key))
		if err != nil {
			t.Fatal(err)
		}
		if failing.Load() < 0 && st.ModTime().After(past.Add(time.Minute)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lock was not touched after its holder's reads of it failed and recovered (modified %v)", st.ModTime())
		}
		time.Sleep(time.Millisecond)
	}
	if lost := l.release(); lost {
		t.Error("release reports the lock lost after reads that failed for a moment")
	}
	if _, err := os.Stat(LockPath(dir, key)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the lock is left after release: %v", err)
	}
}
