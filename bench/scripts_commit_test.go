// Built as scripts_atomic_test.go is, for the reason given there: the
// scripts run with a fake go.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestHeadCommitUnknown: results/lib.sh's head_commit, the commit: line
// of every record, says the commit is unknown, and why, where it cannot
// name one. Without git on PATH it said "not a git checkout" of a tree
// that is one, which sends a reader looking for the wrong cause; it says
// that git is missing. A tree that is no checkout still says so.
func TestHeadCommitUnknown(t *testing.T) {
	skipWithout(t, "bash", "git")
	// A git checkout of the scripts, with one commit.
	checkout := scriptTree(t)
	git := exec.Command("bash", "-c", `git init -q && git add -A && git -c user.name=t -c user.email=t@example.com commit -qm x`)
	git.Dir = checkout
	if b, err := git.CombinedOutput(); err != nil {
		t.Skipf("cannot make a git checkout: %v\n%s", err, b)
	}
	// A checkout git refuses to read, as it does one another user owns
	// (a mounted volume, a container run as root): it said "not a git
	// checkout" there too. And a checkout without a commit yet.
	bin := t.TempDir()
	writeFake(t, bin, "git", "#!/usr/bin/env bash\nprintf '%s\\n' \"fatal: detected dubious ownership in repository at '/x'\" 'To add an exception for this directory, call:' >&2\nexit 128\n")
	empty := scriptTree(t)
	if b, err := exec.Command("git", "init", "-q", empty).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, b)
	}
	for _, c := range []struct {
		dir, path, want string
	}{
		{scriptTree(t), "", "unknown (not a git checkout)"},
		{checkout, "/nonexistent", "unknown (no git on PATH)"},
		{checkout, bin + string(os.PathListSeparator) + os.Getenv("PATH"), "unknown (git: detected dubious ownership in repository at '/x')"},
		{empty, "", "unknown (no commit yet in this git checkout)"},
	} {
		script := `set -eu; cd "$1" && . results/lib.sh && if [ -n "$2" ]; then PATH=$2; fi && head_commit`
		cmd := exec.Command("bash", "-c", script, "bash", c.dir, c.path)
		b, err := cmd.CombinedOutput()
		if got := strings.TrimSuffix(string(b), "\n"); err != nil || got != c.want {
			t.Errorf("head_commit in %s with PATH=%q: %v, %q, want %q", c.dir, c.path, err, got, c.want)
		}
	}
}
