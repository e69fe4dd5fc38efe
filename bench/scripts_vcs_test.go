// Built as scripts_atomic_test.go is, for the reason given there: the
// scripts run with a fake go.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// vcsGo stands in for go: it logs each go build's arguments to $GOLOG,
// copies itself to the build's -o, and answers go version -m with a
// vcs.revision line when FAKE_VCS is set; run as anything but go (the
// binary built), it fails.
const vcsGo = `#!/usr/bin/env bash
[ "${0##*/}" = go ] || exit 97
case $1 in
build)
	echo "$*" >>"$GOLOG"
	prev=
	for a; do [ "$prev" = -o ] && cp "$0" "$a"; prev=$a; done
	;;
version)
	echo "go version go1.0 fake/amd64"
	if [ "${2:-}" = -m ]; then
		printf '%s: go1.0\n\tbuild\t-buildmode=exe\n' "$3"
		[ -z "${FAKE_VCS:-}" ] || printf '\tbuild\tvcs.revision=0123456789abcdef0123456789abcdef01234567\n'
	fi
	;;
*) echo "go $*: not to be run" >&2; exit 97 ;;
esac
`

// TestScriptsBuildGradbenchWithItsCommit: a record names the commit it
// was trained at from the gradbench binary's VCS stamp, and the scripts
// that train committed records built it with a plain go build, which a
// GOFLAGS=-buildvcs=false (go env -w, as on the project machine) left
// unstamped: every record said "commit: unknown". They build it with
// -buildvcs=true, over GOFLAGS, and refuse a binary that has no stamp
// even so (go stamps none in a linked git worktree) before they train
// anything.
func TestScriptsBuildGradbenchWithItsCommit(t *testing.T) {
	for _, name := range []string{"bash", "python3"} {
		if _, err := exec.LookPath(name); err != nil {
			t.Skipf("no %s", name)
		}
	}
	bin := t.TempDir()
	writeFake(t, bin, "go", vcsGo)
	path := "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
	const refusal = "the gradbench built here names no commit"
	for _, name := range []string{"retrain", "study", "fidelity"} {
		for _, stamped := range []bool{false, true} {
			dir := scriptTree(t, name)
			if name == "fidelity" {
				// Its default RECIPE, a built-in recipe of the tree.
				b, err := os.ReadFile("../suite/recipes/fmnist-10.json")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Join(dir, "suite", "recipes"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "suite", "recipes", "fmnist-10.json"), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			log := filepath.Join(t.TempDir(), "log")
			env := []string{path, "GOLOG=" + log, "GOFLAGS=-buildvcs=false"}
			if stamped {
				env = append(env, "FAKE_VCS=1")
			}
			out, err := runScript(t, dir, name, dir, env)
			what := "results/" + name + ".sh with a go that stamps no commit"
			if stamped {
				what = "results/" + name + ".sh with a go that stamps the commit"
			}
			b, _ := os.ReadFile(log)
			builds := strings.Split(strings.TrimSpace(string(b)), "\n")
			if len(builds) == 0 || !strings.Contains(builds[0], "./cmd/gradbench") || !strings.Contains(" "+builds[0]+" ", " -buildvcs=true ") {
				t.Errorf("%s: its first go build was %q, want one of ./cmd/gradbench with -buildvcs=true", what, builds[0])
			}
			ee, isExit := err.(*exec.ExitError)
			refused := isExit && ee.ExitCode() == 2 && strings.HasPrefix(out, "results/"+name+".sh: "+refusal)
			if stamped && strings.Contains(out, refusal) {
				t.Errorf("%s: refused it\n%s", what, out)
			}
			if !stamped && !refused {
				t.Errorf("%s: %v, want exit status 2 and an error starting %q\n%s", what, err, "results/"+name+".sh: "+refusal, out)
			}
		}
	}
}

// stampedGo is the part of a fake go script that answers as go: go
// build copies the script to the build's -o, go version -m shows a
// commit, and any other go command fails; run as the program built, the
// script goes on after it.
const stampedGo = `if [ "${0##*/}" = go ]; then
	case $1 in
	build) prev=; for a; do [ "$prev" = -o ] && cp "$0" "$a"; prev=$a; done ;;
	version)
		echo "go version go1.0 fake/amd64"
		[ "${2:-}" != -m ] || printf '\tbuild\tvcs.revision=0123456789abcdef0123456789abcdef01234567\n'
		;;
	*) echo "go $*: not to be run" >&2; exit 97 ;;
	esac
	exit 0
fi
`

// studyGo stands in for go in a whole run of results/study.sh: go build
// copies it to the build's -o, go version -m shows a commit, and the
// gradbench so built trains nothing, prints a line for a table and
// writes the files of --curves and --bench.
const studyGo = `#!/usr/bin/env bash
` + stampedGo + `prev=
for a; do
	case $prev in --curves | --bench) echo "new $a" >"$a" ;; esac
	prev=$a
done
[ "$1" != table ] || echo "| table of $* |"
`

// TestStudySessionJournal: results/study.sh kept the lines of its
// unfinished sessions in results/study/machine.txt.tmp, the very name
// stage_commit copies the new machine.txt to before renaming it into
// place. A session that finished had its journal overwritten and moved
// by stage_commit, and then failed at its last line, removing the
// journal that was no longer there (exit status 1 after every output
// was written); one interrupted while stage_commit copied its outputs
// had the journal, with the lines of the sessions before it, removed as
// a copy of its own. The journal is sessions.tmp, which no output is
// copied to; a machine.txt.tmp left by an unfinished session of an
// earlier version of the script is taken as the journal.
func TestStudySessionJournal(t *testing.T) {
	for _, name := range []string{"bash", "python3"} {
		if _, err := exec.LookPath(name); err != nil {
			t.Skipf("no %s", name)
		}
	}
	bin := t.TempDir()
	writeFake(t, bin, "go", studyGo)
	// Without uptime (procps), as on a minimal Debian: machine.txt
	// names the load all the same.
	path := withoutUptime(t, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	const record = `{"key": "0123456789abcdef", "config": {"estimator": "ste"}, "machine": {"cores": 1}, "epochs": [{"train_seconds": 60, "eval_seconds": 6}]}` + "\n"
	for _, earlier := range []bool{false, true} {
		dir := scriptTree(t, "study")
		study := filepath.Join(dir, "results", "study")
		for _, d := range []string{"runs", "optimizers"} {
			if err := os.MkdirAll(filepath.Join(study, d), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(study, d, "0123456789abcdef.json"), []byte(record), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if earlier {
			if err := os.WriteFile(filepath.Join(study, "machine.txt.tmp"), []byte("command: an earlier session\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// The whole script, some 40 commands of the fake gradbench and
		// python3: longer than runScript's 20 seconds on a busy machine.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, "bash", filepath.Join(dir, "results", "study.sh"))
		cmd.Dir = dir
		cmd.Env = append(cmd.Environ(), path)
		killTreeOnCancel(cmd)
		b, err := cmd.CombinedOutput()
		cancel()
		out := string(b)
		if err != nil {
			t.Errorf("results/study.sh (an earlier unfinished session's journal: %v): %v, want success\n%s", earlier, err, out)
			continue
		}
		b, err = os.ReadFile(filepath.Join(study, "machine.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), "command: results/study.sh"); n != 1 {
			t.Errorf("machine.txt names %d sessions of this run, want 1:\n%s", n, b)
		}
		if earlier && !strings.HasPrefix(string(b), "command: an earlier session\n") {
			t.Errorf("machine.txt does not start with the earlier unfinished session's lines:\n%s", b)
		}
		checkLoadLines(t, "results/study.sh", "results/study/machine.txt", b)
		for _, name := range []string{"machine.txt.tmp", "sessions.tmp"} {
			if _, err := os.Stat(filepath.Join(study, name)); !os.IsNotExist(err) {
				t.Errorf("results/study/%s is left after a session that finished (%v)", name, err)
			}
		}
	}
}

// fakeGoPath skips the test unless each of tools is on PATH, writes the
// bash script fake as go into a new directory, and returns the PATH=
// entry, for a script's environment, that finds it first.
func fakeGoPath(t *testing.T, fake string, tools ...string) string {
	t.Helper()
	skipWithout(t, tools...)
	bin := t.TempDir()
	writeFake(t, bin, "go", fake)
	return "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
}

// benchLoadLine is a load line of a record that benchreport reports:
// the time of day and the load averages.
var benchLoadLine = regexp.MustCompile(`(?m)^load-(before|after): [0-9:]+ UTC, load average: [0-9.]+, [0-9.]+, [0-9.]+$`)

// checkCommitAndLoad: the records of the scripts whose reports
// benchreport writes (kernels, engine, inference, data) named the
// command, build, machine and Go version, but not the commit measured
// nor the machine's load, which every other record names (results/lib.sh's
// record_head): results/README.md said "the records name the machine,
// build and commit", and kernels.txt named none, so that which code a
// committed kernels.md timed rested on prose alone. Each record names
// the commit (head, git's short name of the tree's HEAD) and the load
// before and after its runs. TestScriptsCommitAllOutputsTogether calls
// this on its run of each such script with a go that never fails (its
// cases' commit field), in a git repository and without uptime (procps,
// which a minimal Debian lacks: the scripts did not need it before they
// named the load, and need it no more): a run of each script of its own
// cost as much again, for no check of its own.
func checkCommitAndLoad(t *testing.T, what, rec, s, head string) {
	t.Helper()
	before, _, _ := strings.Cut(s, "BenchmarkFake")
	for _, want := range []string{"command: ", "machine: ", "commit: " + head + "\n", "go: ", "load-before: "} {
		if !strings.Contains(before, want) {
			t.Errorf("%s wrote %s without %q before its runs:\n%s", what, rec, strings.TrimSpace(want), s)
		}
	}
	if strings.LastIndex(s, "\nload-after: ") < strings.LastIndex(s, "BenchmarkFake") {
		t.Errorf("%s wrote %s without a load-after: line after its runs:\n%s", what, rec, s)
	}
	if n := len(benchLoadLine.FindAllString(s, -1)); n != 2 {
		t.Errorf("%s wrote %s with %d load lines of the time and the load averages, want 2 (before and after):\n%s", what, rec, n, s)
	}
}

// missingGo stands in for go on a machine that lacks what a build or a
// run needs: a call with the word $FAKEGO_MISSING among its arguments
// prints $FAKEGO_SAYS and fails, as there; every other call is logged to
// $GOLOG, go test -bench prints a result, a build copies itself to its -o.
const missingGo = `#!/usr/bin/env bash
case $1 in version) echo "go version go1.0 fake/amd64"; exit 0 ;; esac
echo "$*" >>"$GOLOG"
case " $* " in *" $FAKEGO_MISSING "*)
	echo "$FAKEGO_SAYS" >&2
	exit 1
	;;
esac
prev=
for a; do
	if [ "$prev" = -o ]; then cp "$0" "$a"; exit 0; fi
	prev=$a
done
echo "BenchmarkFake 1 1 ns/op"
`

// expectRefusedFirst runs results/NAME.sh -count=1, in a tree that holds
// the package directories dirs, with missingGo failing the calls that
// have the word missing, saying says; it wants exit status 2, output
// holding each of want, and no go call logged before that holds runs
// (the script's benchmarks).
func expectRefusedFirst(t *testing.T, name, missing, says, runs string, dirs []string, want ...string) {
	t.Helper()
	path := fakeGoPath(t, missingGo, "bash", "flock")
	dir := scriptTree(t, name)
	for _, d := range dirs {
		writeFiles(t, dir, "package x\n", d+"/x.go")
	}
	log := filepath.Join(t.TempDir(), "log")
	out, err := runScript(t, dir, name, dir, []string{path, "GOLOG=" + log, "FAKEGO_MISSING=" + missing, "FAKEGO_SAYS=" + says}, "-count=1")
	ee, ok := err.(*exec.ExitError)
	ok = ok && ee.ExitCode() == 2
	for _, w := range want {
		ok = ok && strings.Contains(out, w)
	}
	if !ok {
		t.Errorf("results/%s.sh where go test %s fails: %v, want exit status 2 and an output holding %q\n%s", name, missing, err, want, out)
	}
	b, _ := os.ReadFile(log)
	for _, call := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if strings.Contains(call, runs) {
			t.Errorf("results/%s.sh where go test %s fails ran benchmarks before it failed: go %s", name, missing, call)
		}
	}
}

// TestScriptsNeedOpenBLASFirst: tried as a new user would, on a machine
// without OpenBLAS, results/engine.sh ran the default build's benchmarks
// (half an hour at its default count) and only then failed, at the
// -tags openblas build's link, with the linker's "cannot find
// -lopenblas" and no word of what to install; results/inference.sh
// likewise. Each links the openblas build before any benchmark, and
// without OpenBLAS says which package to install.
func TestScriptsNeedOpenBLASFirst(t *testing.T) {
	const says = "/usr/bin/ld: cannot find -lopenblas: No such file or directory"
	for _, name := range []string{"engine", "inference"} {
		expectRefusedFirst(t, name, "openblas", says, " -bench ", []string{"bench", "gemm"}, "results/"+name+".sh: ", "libopenblas-dev", says)
	}
}

// TestScriptsBuildFailuresNotBlamedOnTheMachine: the early builds and
// tries of the speed scripts (the -tags openblas link of engine.sh and
// inference.sh, kernels.sh's try of the AVX2 kernels) said, whatever
// go test's words above them, that OpenBLAS is missing ("install
// libopenblas-dev") or that the CPU has no AVX2: a compile error of the
// package under test sent a user to install a library or to look for
// another machine. The scripts say so where go test's words do, and
// otherwise only that the build or the try failed, above.
func TestScriptsBuildFailuresNotBlamedOnTheMachine(t *testing.T) {
	const says = "bench/x.go:1:1: syntax error: unexpected EOF"
	for _, c := range []struct{ name, missing, runs, want, blames string }{
		{"engine", "openblas", " -bench ", "results/engine.sh: the -tags openblas build of package bench failed (go's words above)", "libopenblas-dev"},
		{"inference", "openblas", " -bench ", "results/inference.sh: the -tags openblas build of package bench failed (go's words above)", "libopenblas-dev"},
		{"kernels", "-estimators.impl=avx2", "Backward|Forward|Copy", "results/kernels.sh: the try of the AVX2 estimator kernels failed (go test's words above)", "needs an amd64 CPU"},
	} {
		expectRefusedFirst(t, c.name, c.missing, says, c.runs, []string{"bench", "gemm"}, c.want, says)
		path := fakeGoPath(t, missingGo, "bash", "flock")
		dir := scriptTree(t, c.name)
		writeFiles(t, dir, "package x\n", "bench/x.go", "gemm/x.go")
		out, _ := runScript(t, dir, c.name, dir, []string{path, "GOLOG=" + filepath.Join(t.TempDir(), "log"), "FAKEGO_MISSING=" + c.missing, "FAKEGO_SAYS=" + says}, "-count=1")
		if strings.Contains(out, c.blames) {
			t.Errorf("results/%s.sh where go test fails on a syntax error says %q, which blames the machine:\n%s", c.name, c.blames, out)
		}
	}
}

// avx512Go stands in for go on a CPU with AVX-512: go test -bench prints
// a float inference result run on the avx512 GEMM, a build copies
// itself to its -o, and the tool so built writes its -o.
const avx512Go = `#!/usr/bin/env bash
case $1 in version) echo "go version go1.0 fake/amd64"; exit 0 ;; esac
prev= out=
for a; do
	[ "$prev" = -o ] && out=$a
	prev=$a
done
if [ "${0##*/}" = go ] && [ -n "$out" ]; then cp "$0" "$out"; exit 0; fi
if [ -n "$out" ]; then echo "new $out" >"$out"; exit 0; fi
echo "BenchmarkInference/model=resnet20/batch=1/impl=float/gemm=avx512-2 1 1 ns/op"
`

// TestInferenceBuildLineNamesNoOtherGEMM: results/inference.sh wrote
// into every record of its default build "float: the default pure-Go
// GEMM (gemm=avx2 on this CPU)", true of the machine it was written on,
// while on a CPU with AVX-512 the float side runs gemm=avx512, as its
// benchmark names say: the record misnamed the code it timed. A build
// line names no GEMM the record's benchmarks did not run.
func TestInferenceBuildLineNamesNoOtherGEMM(t *testing.T) {
	path := fakeGoPath(t, avx512Go, "bash", "flock")
	dir := scriptTree(t, "inference")
	writeFiles(t, dir, "package x\n", "bench/x.go")
	out, err := runScript(t, dir, "inference", dir, []string{path}, "-count=1")
	if err != nil {
		t.Fatalf("results/inference.sh with a fake go: %v\n%s", err, out)
	}
	gemmName := regexp.MustCompile(`gemm=([a-z0-9-]+?)(-[0-9]+)?\b`)
	for _, rec := range []string{"inference-go.txt", "inference-openblas.txt"} {
		b, err := os.ReadFile(filepath.Join(dir, "results", rec))
		if err != nil {
			t.Fatal(err)
		}
		ran := map[string]bool{}
		var build string
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "Benchmark") {
				for _, m := range gemmName.FindAllStringSubmatch(line, -1) {
					ran[m[1]] = true
				}
			}
			if s, ok := strings.CutPrefix(line, "build: "); ok {
				build = s
			}
		}
		for _, m := range gemmName.FindAllStringSubmatch(build, -1) {
			if !ran[m[1]] {
				t.Errorf("results/%s: its build line names gemm=%s, which none of its benchmarks ran (%v): %q", rec, m[1], ran, build)
			}
		}
	}
}

// TestKernelsNeedAVX2First: tried as a new user would, on a CPU without
// AVX2 and FMA (another architecture, or a build with -tags purego in
// GOFLAGS), results/kernels.sh ran the default kernels' whole pass
// (some 4 minutes at -count=5 -benchtime=0.2s) and only then failed, in
// every benchmark of its second pass, -estimators.impl=avx2. It tries
// the AVX2 kernels on one small benchmark first, and where they do not
// run says what the report needs before the first pass.
func TestKernelsNeedAVX2First(t *testing.T) {
	const says = `    estimators_test.go:45: estimators: implementation "avx2" is not available in this build on this CPU (have go)`
	expectRefusedFirst(t, "kernels", "-estimators.impl=avx2", says, "Backward|Forward|Copy", []string{"bench"},
		"results/kernels.sh: the AVX2 estimator kernels do not run here", says)
}
