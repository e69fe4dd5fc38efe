// Built as scripts_atomic_test.go is, for the reason given there: the
// scripts run in shells of their own.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// stageScript stages a directory and two files over committed ones and
// moves them into place with stage_commit (results/lib.sh), each holding
// $CONTENT ("new" when it is not set); with STOP set it stops right
// after sourcing lib.sh, as a run refused at once.
const stageScript = `#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
[ -z "${STOP:-}" ] || exit 3
stage_begin
stage_dir results/d
mkdir "$stage/results/d"
echo "${CONTENT:-new}" >"$stage/results/d/f"
echo "${CONTENT:-new}" >"$(staged results/a.txt)"
echo "${CONTENT:-new}" >"$(staged results/b.md)"
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
			writeFiles(t, dir, "old\n", outputs...)
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

// stageWait is a cp or mv put before the real one (REAL) on PATH: given
// $FAKE_AT to write (cp's last argument, mv's first), it marks
// $MARK/paused and waits (at most 20 s) for $MARK/go before it does.
// stageWaitFlock, a flock before the real one, marks $MARK/waiting
// first in a run with SECOND_RUN set.
const stageWait = `#!/usr/bin/env bash
for a; do last=$a; done
case ${0##*/} in cp) at=$last ;; *) at=$1 ;; esac
if [ "$at" = "${FAKE_AT:-}" ]; then
	: >"$MARK/paused"
	for ((i = 0; i < 2000; i++)); do
		[ ! -e "$MARK/go" ] || break
		sleep 0.01
	done
fi
exec REAL "$@"
`

const stageWaitFlock = `#!/usr/bin/env bash
[ -z "${SECOND_RUN:-}" ] || : >"$MARK/waiting"
exec REAL "$@"
`

// stageOutputs are the outputs of stageScript.
var stageOutputs = []string{"results/d/f", "results/a.txt", "results/b.md"}

// A stageRace runs two runs of stageScript at once in one tree, whose
// outputs hold "old" at first, with stageWait as tool (cp or mv) and
// stageWaitFlock as flock first on PATH.
type stageRace struct {
	t              *testing.T
	dir, bin, mark string
}

func newStageRace(t *testing.T, tool string) *stageRace {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	r := &stageRace{t: t, dir: scriptTree(t), bin: t.TempDir(), mark: t.TempDir()}
	if err := os.WriteFile(filepath.Join(r.dir, "results", "x.sh"), []byte(stageScript), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, r.dir, "old\n", stageOutputs...)
	for tool, fake := range map[string]string{tool: stageWait, "flock": stageWaitFlock} {
		real, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("no %s", tool)
		}
		if err := os.WriteFile(filepath.Join(r.bin, tool), []byte(strings.Replace(fake, "REAL", real, 1)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// start starts results/x.sh with env, its output in *out.
func (r *stageRace) start(out *strings.Builder, env ...string) *exec.Cmd {
	// Killed, with what it started, when the test ends.
	cmd := exec.CommandContext(r.t.Context(), "bash", filepath.Join(r.dir, "results", "x.sh"))
	cmd.Dir = r.dir
	cmd.Env = append(cmd.Environ(), "PATH="+r.bin+string(os.PathListSeparator)+os.Getenv("PATH"), "MARK="+r.mark)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = out, out
	killTreeOnCancel(cmd)
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	return cmd
}

// await waits (at most 20 s) until done says so.
func (r *stageRace) await(what string, done func() bool) {
	r.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !done(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatalf("waited 20 s for %s", what)
		}
	}
}

// marked returns whether $MARK/name is there.
func (r *stageRace) marked(name string) func() bool {
	return func() bool { _, err := os.Stat(filepath.Join(r.mark, name)); return err == nil }
}

// second starts the second run with env, its output in *out, waits until
// it ends or waits on the lock, and then lets the first run's paused
// tool go on. It returns the channel of the second run's end.
func (r *stageRace) second(out *strings.Builder, env ...string) <-chan error {
	r.t.Helper()
	cmd := r.start(out, append(env, "SECOND_RUN=1")...)
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()
	r.await("the second run to end or to wait on the lock", func() bool { return len(ended) > 0 || r.marked("waiting")() })
	if err := os.WriteFile(filepath.Join(r.mark, "go"), nil, 0o644); err != nil {
		r.t.Fatal(err)
	}
	return ended
}

// outputs returns the content of each output, "missing" for one not
// there.
func (r *stageRace) outputs() []string {
	var got []string
	for _, o := range stageOutputs {
		b, err := os.ReadFile(filepath.Join(r.dir, o))
		if err != nil {
			b = []byte("missing")
		}
		got = append(got, o+": "+strings.TrimSpace(string(b)))
	}
	return got
}

// left fails the test for anything of the journal left in results/.
func (r *stageRace) left() {
	r.t.Helper()
	left, err := filepath.Glob(filepath.Join(r.dir, "results", ".x.*"))
	if err != nil {
		r.t.Fatal(err)
	}
	if len(left) > 0 {
		r.t.Errorf("left %q behind", left)
	}
}

// TestStageCommitWaitsForAMoveUnderWay: every run of a script shares its
// journal (results/.NAME.moving), so a second run (results/ab-step.sh
// with another label) started while the first renamed its outputs took
// the journal for a move that was stopped and finished it itself: one of
// the two renames of a file then failed, and ended the first run with
// its outputs partly moved. A run now moves, and finishes a stopped
// move, only under the journal's lock: the second waits for the first's
// move to end, then finds no journal and says nothing of one.
func TestStageCommitWaitsForAMoveUnderWay(t *testing.T) {
	r := newStageRace(t, "mv")
	var firstOut, secondOut strings.Builder
	first := r.start(&firstOut, "FAKE_AT=results/b.md.tmp")
	r.await("the first run's renames", r.marked("paused"))
	// The second run, started during them, ends (finishing the move
	// itself) or waits on the lock; then the first run renames on.
	ended := r.second(&secondOut, "STOP=1")
	if err := first.Wait(); err != nil {
		t.Errorf("results/x.sh, with a second run started during its renames: %v, want it to succeed\n%s", err, firstOut.String())
	}
	secondErr := <-ended
	if ee, ok := secondErr.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Errorf("the second run: %v, want exit status 3 (STOP)\n%s", secondErr, secondOut.String())
	}
	if strings.Contains(secondOut.String(), "was stopped") {
		t.Errorf("the second run took the first's move under way for one stopped:\n%s", secondOut.String())
	}
	for _, o := range r.outputs() {
		if !strings.HasSuffix(o, ": new") {
			t.Errorf("after both runs %s, want new", o)
		}
	}
	r.left()
}

// TestStageCommitCopiesUnderTheLock: two runs of a script that write the
// same outputs (the script run twice at once) each copied their outputs
// beside their places (PATH.tmp) before taking the journal's lock, over
// the copies the other run was making or renaming: with the first run
// paused in its copies, the second copied and renamed all of its own,
// and the first then renamed the one copy it had left, so that the
// outputs in place were of both runs. A run now copies under the lock:
// the second waits for the first's move to end, then copies and moves
// its own, and the outputs are all of one run.
func TestStageCommitCopiesUnderTheLock(t *testing.T) {
	r := newStageRace(t, "cp")
	var firstOut, secondOut strings.Builder
	first := r.start(&firstOut, "FAKE_AT=results/b.md.tmp", "CONTENT=first")
	r.await("the first run's copies", r.marked("paused"))
	ended := r.second(&secondOut, "CONTENT=second")
	if err := first.Wait(); err != nil {
		t.Errorf("the first run: %v, want it to succeed\n%s", err, firstOut.String())
	}
	if err := <-ended; err != nil {
		t.Errorf("the second run: %v, want it to succeed\n%s", err, secondOut.String())
	}
	got := r.outputs()
	want := []string{"results/d/f: second", "results/a.txt: second", "results/b.md: second"}
	if !slices.Equal(got, want) {
		t.Errorf("after both runs, the outputs are\n%q\nwant them all of the run that moved last\n%q", got, want)
	}
	r.left()
}
