// Built as scripts_atomic_test.go is, for the reason given there: the
// scripts run with a fake go.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"os"
	"os/exec"
	"path/filepath"
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

// TestScriptsNameCommitThroughHeadCommit: results/diagnostics-overhead.md
// and results/fidelity.md named their commit with git rev-parse of their
// own, not through head_commit as every other record: in a tree that is
// no git checkout the line read "commit ." and "at commit  on", with git's
// "fatal: not a git repository" on stderr, and a tree with changes was
// not marked (modified). Run with fakes in such a tree, each names the
// commit as head_commit does.
func TestScriptsNameCommitThroughHeadCommit(t *testing.T) {
	skipWithout(t, "bash", "flock", "mktemp", "python3", "git")
	const want = "commit unknown (not a git checkout)"

	dir := scriptTree(t, "diagnostics-overhead")
	writeFiles(t, dir, "package x\n", "suite/x.go")
	bin := t.TempDir()
	writeFake(t, bin, "go", fakeCallingGo)
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "CALLS=" + t.TempDir()}
	if out, err := runScript(t, dir, "diagnostics-overhead", dir, env); err != nil {
		t.Fatalf("results/diagnostics-overhead.sh: %v\n%s", err, out)
	}
	if b := readTreeFile(t, dir, "results/diagnostics-overhead.md"); !strings.Contains(b, "(results/diagnostics-overhead.sh), "+want+".\n") {
		t.Errorf("results/diagnostics-overhead.md in a tree that is no git checkout, want %q:\n%s", want, b)
	}

	dir = scriptTree(t, "fidelity")
	writeFiles(t, dir, "{}\n", "tiny.json")
	bin = t.TempDir()
	writeFake(t, bin, "go", fidelityGo)
	env = []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "RECIPE=tiny.json", "EPOCHS=0,1,2"}
	if out, err := runScript(t, dir, "fidelity", dir, env); err != nil {
		t.Fatalf("results/fidelity.sh: %v\n%s", err, out)
	}
	if b := readTreeFile(t, dir, "results/fidelity-check.md"); !strings.Contains(b, "Made by results/fidelity.sh at "+want+" on ") {
		t.Errorf("results/fidelity-check.md in a tree that is no git checkout, want %q:\n%s", want, b)
	}
}

// readTreeFile returns the file name below dir.
func readTreeFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
