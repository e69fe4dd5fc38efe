// Built as scripts_atomic_test.go is, for the reason given there: the
// scripts run in shells of their own.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// stageScript stages a directory and two files over committed ones and
// moves them into place with stage_commit (results/lib.sh); with STOP
// set it stops right after sourcing lib.sh, as a run refused at once.
const stageScript = `#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
[ -z "${STOP:-}" ] || exit 3
stage_begin
stage_dir results/d
mkdir "$stage/results/d"
echo new >"$stage/results/d/f"
echo new >"$(staged results/a.txt)"
echo new >"$(staged results/b.md)"
stage_commit
`

// stageFake is a cp or mv put before the real one (REAL) on PATH: when
// its last argument (cp) or first (mv) is $FAKE_AT, it does $FAKE_DO
// first: "fail" fails without copying or moving, "kill SIG" sends SIG
// to the script's process group (as an interrupt from a terminal does,
// this process included) and then goes on, and "killscript" ends the
// script with SIGKILL and fails.
const stageFake = `#!/usr/bin/env bash
for a; do last=$a; done
case ${0##*/} in cp) at=$last ;; *) at=$1 ;; esac
if [ "$at" = "${FAKE_AT:-}" ]; then
	case $FAKE_DO in
	fail) exit 1 ;;
	killscript) kill -KILL "$PPID"; exit 1 ;;
	kill\ *) kill -"${FAKE_DO#kill }" 0 ;;
	esac
fi
exec REAL "$@"
`

// TestStageCommitAllOrNothing: stage_commit copied every staged output
// beside its place (PATH.tmp) and then renamed them one by one. A copy
// that failed or was interrupted left the copies made before it in
// results/ (results/bop-bn.sh and fidelity-bench.sh left their own
// .tmp the same way), and an interrupt between two renames left some
// outputs new and some old (a new .txt beside the old .md made from
// another). Now a failure or an interrupt while copying leaves the
// committed files as they were and nothing beside them; an interrupt
// (SIGINT to the process group, SIGTERM, SIGHUP) while renaming does
// not stop the renames; and what can stop them (SIGKILL, a rename that
// fails) leaves a journal by which the next run of the script, before
// anything else, finishes the move and says so.
func TestStageCommitAllOrNothing(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	outputs := []string{"results/d/f", "results/a.txt", "results/b.md"}
	for _, c := range []struct {
		tool, at, do string
		// Whether the outputs are new after the run, and whether a
		// second run is needed (a journal left) to make them so.
		isNew, resume bool
	}{
		{"cp", "results/b.md.tmp", "fail", false, false},
		{"cp", "results/b.md.tmp", "kill TERM", false, false},
		{"cp", "results/b.md.tmp", "kill INT", false, false},
		{"mv", "results/b.md.tmp", "kill INT", true, false},
		{"mv", "results/b.md.tmp", "kill TERM", true, false},
		{"mv", "results/b.md.tmp", "kill HUP", true, false},
		{"mv", "results/b.md.tmp", "fail", false, true},
		{"mv", "results/b.md.tmp", "killscript", false, true},
	} {
		t.Run(c.tool+" "+c.do, func(t *testing.T) {
			real, err := exec.LookPath(c.tool)
			if err != nil {
				t.Skipf("no %s", c.tool)
			}
			dir := scriptTree(t)
			if err := os.WriteFile(filepath.Join(dir, "results", "x.sh"), []byte(stageScript), 0o755); err != nil {
				t.Fatal(err)
			}
			for _, o := range outputs {
				p := filepath.Join(dir, o)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("old\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			bin := t.TempDir()
			writeFake(t, bin, c.tool, strings.Replace(stageFake, "REAL", real, 1))
			path := "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
			what := "results/x.sh with a " + c.tool + " that does " + c.do + " at " + c.at
			out, err := runScript(t, dir, "x", dir, []string{path, "FAKE_AT=" + c.at, "FAKE_DO=" + c.do})
			if (err == nil) != c.isNew {
				t.Errorf("%s: %v, want it to %s\n%s", what, err, map[bool]string{true: "succeed", false: "fail"}[c.isNew], out)
			}
			// files returns the tree's files other than the scripts, with
			// their contents.
			files := func() map[string]string {
				got := map[string]string{}
				err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						return err
					}
					rel, _ := filepath.Rel(dir, p)
					rel = filepath.ToSlash(rel)
					if strings.HasSuffix(rel, ".sh") {
						return nil
					}
					b, err := os.ReadFile(p)
					got[rel] = string(b)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			// check reports the outputs that are not all want ("old" or
			// "new"), and any other file left in the tree.
			check := func(when, want string, other func(string) bool) {
				t.Helper()
				got := files()
				var wrong []string
				for _, o := range outputs {
					if got[o] != want+"\n" {
						wrong = append(wrong, o+": "+strings.TrimSpace(got[o]))
					}
					delete(got, o)
				}
				if len(wrong) > 0 {
					t.Errorf("%s, %s: want every output %s, got %s", what, when, want, strings.Join(wrong, ", "))
				}
				for name := range got {
					if !other(name) {
						t.Errorf("%s, %s: left %s", what, when, name)
					}
				}
			}
			none := func(string) bool { return false }
			if !c.resume {
				check("after it", map[bool]string{true: "new", false: "old"}[c.isNew], none)
				return
			}
			// Stopped mid-move: some outputs are new, some old; the
			// journal and the copies not yet renamed are there for the
			// next run.
			if _, err := os.Stat(filepath.Join(dir, "results/.x.moving")); err != nil {
				t.Errorf("%s: no journal of the move it began (%v)", what, err)
			}
			out, err = runScript(t, dir, "x", dir, []string{"STOP=1"})
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
				t.Errorf("results/x.sh run again: %v, want exit status 3 (STOP)\n%s", err, out)
			}
			if !strings.Contains(out, "was stopped while it moved its outputs into place") {
				t.Errorf("results/x.sh run again does not say it finishes the move that was stopped:\n%s", out)
			}
			check("then run again", "new", none)
		})
	}
}
