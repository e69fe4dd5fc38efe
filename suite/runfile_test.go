package suite

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

// TestRunFileKeys: the paths of a run's files took any key, so a key such
// as "../x" named a file outside the runs directory; they take the keys
// Config.Key makes only, and a --run whose name holds no such key is
// refused before its key names any file.
func TestRunFileKeys(t *testing.T) {
	const key = "0123456789abcdef"
	for name, f := range map[string]func(string) string{
		"RecordPath":       func(k string) string { return RecordPath("runs", k) },
		"WeightsPath":      func(k string) string { return WeightsPath("runs", k) },
		"CheckpointPath":   func(k string) string { return CheckpointPath("runs", k) },
		"LockPath":         func(k string) string { return LockPath("runs", k) },
		"EpochWeightsPath": func(k string) string { return EpochWeightsPath("runs", k, 3) },
	} {
		if got := f(key); filepath.Dir(got) != "runs" || filepath.Base(got)[:16] != key {
			t.Errorf("%s(%q) = %q, want a file of runs named for the key", name, key, got)
		}
		for _, bad := range []string{"../x", "", "0123456789ABCDEF", "0123456789abcde/", "..", "0123456789abcdef0"} {
			texttest.CheckPanic(t, func() { f(bad) }, "suite: "+name+": run key \""+bad+"\": want 16 lower-case hex digits")
		}
	}
	for _, run := range []string{"nope.json", "../x.weights", "runs/0123456789abcde.json", "runs/..json"} {
		if _, _, err := runKey(run); err == nil {
			t.Errorf("runKey(%q): no error, want a refusal of a name that holds no run key", run)
		} else if want := run + " does not exist: want a run record <key>.json or final weights <key>.weights, the key 16 hex digits"; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("runKey(%q) = %v, want %q…", run, err, want)
		}
	}
	// A file that exists under a name with no key is named as it is.
	exists := filepath.Join(t.TempDir(), "model.json")
	if err := os.WriteFile(exists, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runKey(exists); err == nil || !strings.HasPrefix(err.Error(), exists+": want a run record <key>.json") {
		t.Errorf("runKey(%q) = %v, want the name refused", exists, err)
	}
	if dir, k, err := runKey("runs/" + key + ".weights"); err != nil || dir != "runs/" || k != key {
		t.Errorf("runKey of a weights file = %q, %q, %v", dir, k, err)
	}
}

// TestReadByKeyRefuses: ReadRecord and ReadLock, which return an error,
// panicked (in the path helpers) on a key such as "../x"; they return the
// refusal, naming themselves and the key, and read no file.
func TestReadByKeyRefuses(t *testing.T) {
	dir := t.TempDir()
	for _, bad := range []string{"../x", "", "0123456789ABCDEF", "0123456789abcde/"} {
		for name, f := range map[string]func() error{
			"ReadRecord": func() error { _, err := ReadRecord(dir, bad); return err },
			"ReadLock":   func() error { _, err := ReadLock(dir, bad); return err },
		} {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s(%q) panicked: %v; want an error", name, bad, p)
					}
				}()
				err = f()
			}()
			if want := "suite: " + name + ": run key \"" + bad + "\": want 16 lower-case hex digits, as Config.Key makes"; err == nil || err.Error() != want {
				t.Errorf("%s(%q) = %v, want %s", name, bad, err, want)
			}
		}
	}
	// A well-formed key with no files is not there, as before.
	if _, err := ReadRecord(dir, "0123456789abcdef"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadRecord of a key with no record: %v, want fs.ErrNotExist", err)
	}
	if _, err := ReadLock(dir, "0123456789abcdef"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadLock of a key with no lock: %v, want fs.ErrNotExist", err)
	}
}

// TestRunKeyFinishedCheckpoint: the epoch checkpoint of a run that has
// finished since (a name copied from a listing made while it trained) was
// called "the epoch checkpoint of an unfinished run", though it no longer
// exists and the run has its record. The error now says so and names the
// record to give instead.
func TestRunKeyFinishedCheckpoint(t *testing.T) {
	const key = "0123456789abcdef"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, key+".json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	ckpt, rec := filepath.Join(dir, key+".ckpt"), filepath.Join(dir, key+".json")
	want := ckpt + " does not exist: run " + key + " has finished, and its epoch checkpoint was removed; want its record " + rec
	if _, _, err := runKey(ckpt); err == nil || err.Error() != want {
		t.Errorf("runKey(%s) = %v\nwant %s", ckpt, err, want)
	}
	// One that exists is still an unfinished run's.
	if err := os.WriteFile(filepath.Join(dir, "fedcba9876543210.ckpt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runKey(filepath.Join(dir, "fedcba9876543210.ckpt")); err == nil || !strings.Contains(err.Error(), "is the epoch checkpoint of an unfinished run fedcba9876543210") {
		t.Errorf("runKey of an existing checkpoint = %v, want it called an unfinished run's", err)
	}
}
