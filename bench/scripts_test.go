// Built as scripts_atomic_test.go is, for the reason given there: these
// tests run results/ scripts (bash and awk) and no Go code of this
// package, so which of the test command's builds runs them changes
// nothing they check.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestScriptsRefuseNonFlagArguments: tried as a new user would,
// results/data.sh count=1 (the - forgotten), or -count 1, passed the word
// to go test, which read it as a package, ran the whole benchmarks anyway
// and failed only at their end. The scripts that pass their arguments to
// go test refuse such a word before they build or run anything.
func TestScriptsRefuseNonFlagArguments(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for _, name := range []string{"data", "engine", "inference", "kernels"} {
		script := readScript(t, name)
		for _, args := range [][]string{{"count=1"}, {"-count", "1"}, {""}} {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			cmd := exec.CommandContext(ctx, "bash", append([]string{script}, args...)...)
			// Without the refusal the script starts go test: end it and
			// everything it started.
			killTreeOnCancel(cmd)
			b, err := cmd.CombinedOutput()
			cancel()
			bad := args[len(args)-1]
			want := "results/" + name + ".sh: argument '" + bad + "' is no go test flag"
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.HasPrefix(string(b), want) {
				t.Errorf("results/%s.sh %q: %v\n%s\nwant exit status 2 and an error starting %q", name, args, err, b, want)
			}
		}
	}
}

// TestScriptsRefuseEmptyArguments: an argument or variable given empty,
// or given where the script would not read it, is refused before the
// script builds or runs anything, not replaced by the default nor
// ignored: results/poolstats.sh "" ran 40 steps per run, results/threads.sh
// LABEL "" ran without a BASE, and RUNS with results/threads.sh --report
// (which runs nothing) was ignored.
func TestScriptsRefuseEmptyArguments(t *testing.T) {
	expectRefusals(t, []refusal{
		{nil, []string{"poolstats", ""}, "results/poolstats.sh: want STEPS, the steps per run, a whole number of at least 5 without leading zeros, got ''\n"},
		{nil, []string{"threads", "before", ""}, "results/threads.sh: BASE is empty: want a commit, or leave BASE out\n"},
		{[]string{"RUNS=6"}, []string{"threads", "--report"}, "results/threads.sh: RUNS with --report: --report only regenerates results/threads.md from the recorded runs; unset RUNS\n"},
		{[]string{"IMPL="}, []string{"threads", "--report"}, "results/threads.sh: IMPL with --report: --report only regenerates results/threads.md from the recorded runs; unset IMPL\n"},
		{[]string{"CPU_LOCK="}, []string{"diagnostics-overhead"}, "results/diagnostics-overhead.sh: CPU_LOCK is empty: want a lock file, or unset it\n"},
		{[]string{"NOTE="}, []string{"diagnostics-overhead"}, "results/diagnostics-overhead.sh: NOTE is empty: want a remark on the machine's state, or unset it\n"},
		{[]string{"QEMU_I386="}, []string{"i386"}, "results/i386.sh: QEMU_I386 is empty: want the path of a qemu-i386, or unset it\n"},
		{nil, []string{"arm64", ""}, "results/arm64.sh: want no argument, or --report (only regenerate results/arm64.md from results/arm64.txt), got ''\n"},
		{nil, []string{"i386", ""}, "results/i386.sh: want no argument, or --report (only regenerate results/i386.md from results/i386.txt), got ''\n"},
		{nil, []string{"i386", "--report", "x"}, "results/i386.sh: too many arguments, want at most 1 (see its Usage line), got 2: --report x\n"},
		{[]string{"QEMU_I386=/usr/bin/qemu-i386"}, []string{"i386", "--report"}, "results/i386.sh: QEMU_I386 with --report: --report runs no tests, it only regenerates results/i386.md from results/i386.txt; unset QEMU_I386\n"},
		// RUNS in the environment of a script that takes RUNS as its
		// argument (as couple.sh, poolstats.sh and threads.sh read it
		// from the environment) ran the default number of runs.
		{[]string{"RUNS=3"}, []string{"lut"}, "results/lut.sh: RUNS is set in the environment, which this script does not read: give RUNS as its argument (see its Usage line), and unset RUNS\n"},
		{[]string{"RUNS=3"}, []string{"ab-step", "x", "HEAD"}, "results/ab-step.sh: RUNS is set in the environment, which this script does not read: give RUNS as its argument (see its Usage line), and unset RUNS\n"},
	})
}

// TestScriptsRefuseDashLabels: tried as a new user would,
// results/couple.sh --reprot (a typo of --report) took "--reprot" as a
// LABEL, whose letters and dashes it allows, and ran the whole benchmark
// into results/couple---reprot.txt; so did -h, and the other scripts
// that take a LABEL. A LABEL must start with a letter or a digit: one
// that starts with '-' is refused before anything is built or run.
func TestScriptsRefuseDashLabels(t *testing.T) {
	expectRefusals(t, []refusal{
		{nil, []string{"couple", "--reprot"}, "results/couple.sh: want a LABEL of lowercase letters, digits and '-' that starts with a letter or digit, such as zen5, got '--reprot'\n"},
		{nil, []string{"profile", "-h"}, "results/profile.sh: want a LABEL of lowercase letters, digits and '-' that starts with a letter or digit, such as before, got '-h'\n"},
		{nil, []string{"threads", "--reprot"}, "results/threads.sh: want a LABEL of lowercase letters, digits and '-' that starts with a letter or digit, such as before, got '--reprot'\n"},
		{nil, []string{"ab-step", "-x", "HEAD"}, "results/ab-step.sh: want a LABEL of lowercase letters, digits and '-' that starts with a letter or digit, such as lut, got '-x'\n"},
	})
}

// TestScriptsNeedTheirTools: a script that reads a number through a tool
// that is missing wrote the number wrong, not failed: results/timing.sh
// and fidelity-estimate.sh without bc wrote every wall time as "0 s"
// (printf of an empty $(… | bc)), timing.sh without python3 an empty
// per-epoch column, each after minutes of work (fidelity-bench.sh and
// fidelity-cost.sh without free wrote a machine of " GiB": they read
// the memory from /proc now, through results/lib.sh's mem_total, which
// TestScriptsNameLoadWithoutUptime runs without free). Each script names the
// tools it lacks before it builds or runs anything. Here they run with
// a PATH that holds only dirname (which every script calls first) and
// flock (which results/lib.sh needs for every script's moves into
// place), or, to see that flock is asked for, dirname alone.
func TestScriptsNeedTheirTools(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	bin, bare := t.TempDir(), t.TempDir()
	for _, tool := range []string{"dirname", "flock"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("no %s", tool)
		}
		for _, dir := range []string{bin, bare} {
			if dir == bare && tool == "flock" {
				continue
			}
			if err := os.Symlink(p, filepath.Join(dir, tool)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range []struct {
		args  []string
		tools []string
	}{
		{[]string{"timing"}, []string{"bc", "python3"}},
		{[]string{"fidelity-estimate"}, []string{"bc"}},
		{[]string{"fidelity"}, []string{"python3"}},
		{[]string{"retrain"}, []string{"go", "python3"}},
		// git, which commit_arg asks before it says the BASE is no commit.
		{[]string{"ab-step", "x", "HEAD"}, []string{"git"}},
		// flock, asked for by results/lib.sh as it is sourced.
		{[]string{"data"}, []string{"flock"}},
	} {
		script := readScript(t, c.args[0])
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, bash, append([]string{script}, c.args[1:]...)...)
		path := bin
		if c.tools[0] == "flock" {
			path = bare
		}
		cmd.Env = append(cmd.Environ(), "PATH="+path)
		killTreeOnCancel(cmd)
		b, err := cmd.CombinedOutput()
		cancel()
		want := "results/" + c.args[0] + ".sh: "
		ok := strings.HasPrefix(string(b), want) && strings.Contains(string(b), "not found on PATH")
		for _, tool := range c.tools {
			ok = ok && strings.Contains(string(b), tool)
		}
		if ee, isExit := err.(*exec.ExitError); !isExit || ee.ExitCode() != 2 || !ok {
			t.Errorf("results/%s.sh %q without %s: %v\n%s\nwant exit status 2 and an error starting %q naming %s", c.args[0], c.args[1:], strings.Join(c.tools, ", "), err, b, want, strings.Join(c.tools, ", "))
		}
	}
}

// readScript returns the path of results/NAME.sh, which the test runs,
// after reading it and results/lib.sh, which it sources: so that go
// test's cache knows the result depends on both (a change to lib.sh
// alone reported the earlier result, cached).
func readScript(t *testing.T, name string) string {
	t.Helper()
	script := "../results/" + name + ".sh"
	for _, p := range []string{script, "../results/lib.sh"} {
		if _, err := os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
	}
	return script
}

// TestScriptsRefuseHugeNumbers: a count too large for the shell's
// integers (RUNS=99999999999999999999) passed whole_arg, whose test of
// its least value failed with a warning and so refused nothing, and the
// script ran with it: a seq of that many runs. It is refused before
// anything is built or run.
func TestScriptsRefuseHugeNumbers(t *testing.T) {
	expectRefusals(t, []refusal{
		{nil, []string{"poolstats", "99999999999999999999"}, "results/poolstats.sh: want STEPS, the steps per run of at most 18 digits (the shell's integers), got '99999999999999999999'\n"},
		{[]string{"RUNS=9223372036854775808"}, []string{"poolstats"}, "results/poolstats.sh: want RUNS, the number of alternations of at most 18 digits (the shell's integers), got '9223372036854775808'\n"},
		{nil, []string{"lut", "18446744073709551617"}, "results/lut.sh: want RUNS of at most 18 digits (the shell's integers), got '18446744073709551617'\n"},
	})
}

// failingGo returns a PATH, for a script's environment, whose go fails
// at once, naming the call: a script that does not refuse its arguments
// fails then instead of building and running benchmarks.
func failingGo(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte("#!/bin/sh\necho \"go $*: not to be run\" >&2\nexit 97\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
}

// TestScriptsRefuseFlagsGivenTwice: results/kernels.sh -count=3 -count=5
// passed both to go test, which kept the last without a word, the first
// given and ignored, as in any of go test's spellings of the flag. The
// scripts that pass their arguments to go test refuse a flag given twice
// before they build or run anything.
func TestScriptsRefuseFlagsGivenTwice(t *testing.T) {
	expectRefusals(t, []refusal{
		{nil, []string{"kernels", "-count=3", "-count=5"}, "results/kernels.sh: -count given twice ('-count=3', then '-count=5'): give each go test flag once\n"},
		{nil, []string{"data", "-test.count=3", "--count=5"}, "results/data.sh: -count given twice ('-test.count=3', then '--count=5'): give each go test flag once\n"},
		{nil, []string{"engine", "-benchtime=1x", "-cpu=1", "-benchtime=2x"}, "results/engine.sh: -benchtime given twice ('-benchtime=1x', then '-benchtime=2x'): give each go test flag once\n"},
	})
}

// TestScriptsRefuseNoRuns: tried as a new user would,
// results/kernels.sh -count=0 built both test binaries, ran no benchmark
// (go test runs each -count times, 0 here, and passes) and failed only
// in the report, "no benchmark results", which named no flag. A -count
// that is no whole number of at least 1 is refused before anything is
// built.
func TestScriptsRefuseNoRuns(t *testing.T) {
	expectRefusals(t, []refusal{
		{nil, []string{"kernels", "-count=0"}, "results/kernels.sh: want -count=N, the runs of each benchmark, a whole number of at least 1 without leading zeros, got '0'\n"},
		{nil, []string{"engine", "-test.count=-1"}, "results/engine.sh: want -count=N, the runs of each benchmark, a whole number of at least 1 without leading zeros, got '-1'\n"},
		{nil, []string{"data", "--count="}, "results/data.sh: want -count=N, the runs of each benchmark, a whole number of at least 1 without leading zeros, got ''\n"},
	})
}

// TestScriptsRefuseTheirOwnFlags: results/engine.sh -tags=purego passed
// the flag after the script's own -tags openblas, and go test, which
// keeps the last value given, ran the second build without OpenBLAS
// while its record said "build: -tags openblas (OpenBLAS sgemm ...)"; a
// -bench or -run of the user's replaced the script's likewise, and
// results/kernels.sh -estimators.impl=go ran the portable kernels under
// the build line of the assembly ones. A flag the script sets itself,
// or that its records' build lines speak for, is refused before
// anything is built.
func TestScriptsRefuseTheirOwnFlags(t *testing.T) {
	own := func(name, flag string) string {
		return "results/" + name + ".sh: -" + flag + " is the script's own (it sets the runs and builds its records name, and go test keeps the last value given): leave it out\n"
	}
	expectRefusals(t, []refusal{
		{nil, []string{"engine", "-tags=purego"}, own("engine", "tags")},
		{nil, []string{"kernels", "-count=1", "-bench=Copy"}, own("kernels", "bench")},
		{nil, []string{"data", "-test.run=Loader"}, own("data", "run")},
		{nil, []string{"inference", "--tags=purego"}, own("inference", "tags")},
		{nil, []string{"kernels", "-estimators.impl=go"}, own("kernels", "estimators.impl")},
		// The training step's kernels, GEMM and forward pass, which the
		// build lines of results/engine.sh name ("Go-assembly GEMM",
		// "convolutions on the assembly kernels"): -trainstep.gemm=go
		// ran the portable GEMM under them.
		{nil, []string{"engine", "-count=1", "-trainstep.gemm=go"}, own("engine", "trainstep.gemm")},
		{nil, []string{"engine", "-trainstep.impl=go"}, own("engine", "trainstep.impl")},
		{nil, []string{"engine", "--trainstep.forward=float"}, own("engine", "trainstep.forward")},
	})
}

// TestScriptsRefuseFlagsThatLeaveNoReport: results/engine.sh -json passed
// the flag to go test, which printed JSON events instead of benchmark
// lines, and -c, -n and -list made it build, print the commands of or
// list the benchmarks without running one: the script failed only at its
// report, after its builds, with benchreport's "no benchmark results",
// which named no flag. A go test flag that leaves the report no benchmark
// lines to read is refused before anything is built, in any of go test's
// spellings. (-v, -o and -exec are not: go test -v still prints the
// benchmark lines, which the report reads past its own; -o without -c
// still runs them; -exec runs the test binary through another program.)
func TestScriptsRefuseFlagsThatLeaveNoReport(t *testing.T) {
	no := func(name, flag, why string) string {
		return "results/" + name + ".sh: -" + flag + " leaves the report no benchmark lines to read (" + why + "): leave it out\n"
	}
	expectRefusals(t, []refusal{
		{nil, []string{"engine", "-json"}, no("engine", "json", "go test prints JSON events instead")},
		{nil, []string{"kernels", "-count=1", "--json=true"}, no("kernels", "json", "go test prints JSON events instead")},
		{nil, []string{"data", "-c"}, no("data", "c", "go test only builds the test binary")},
		{nil, []string{"inference", "-n"}, no("inference", "n", "go test only prints the commands it would run")},
		{nil, []string{"engine", "-test.list=TrainStep"}, no("engine", "list", "go test only lists the tests and benchmarks")},
	})
}

// TestScriptsRefuseOtherBuilds: results/kernels.sh -race passed the flag
// to go test, which timed the race detector's instrumented build, and
// -gcflags=-N, -cover and the like built other code likewise, while the
// records' build lines named the script's builds: their medians were
// those of another program. A go test flag that changes the build the
// benchmarks run is refused before anything is built, in any of go
// test's spellings.
func TestScriptsRefuseOtherBuilds(t *testing.T) {
	other := func(name, flag, why string) string {
		return "results/" + name + ".sh: -" + flag + " times another build than the one its records name (" + why + "): leave it out\n"
	}
	expectRefusals(t, []refusal{
		{nil, []string{"kernels", "-race"}, other("kernels", "race", "go test builds it with the race detector")},
		{nil, []string{"engine", "-count=1", "--msan"}, other("engine", "msan", "go test builds it with the memory sanitizer")},
		{nil, []string{"data", "-asan=true"}, other("data", "asan", "go test builds it with the address sanitizer")},
		{nil, []string{"inference", "-cover"}, other("inference", "cover", "go test builds it with coverage counters")},
		{nil, []string{"kernels", "-covermode=atomic"}, other("kernels", "covermode", "go test builds it with coverage counters")},
		{nil, []string{"engine", "-coverpkg=./nn"}, other("engine", "coverpkg", "go test builds it with coverage counters")},
		{nil, []string{"data", "-test.coverprofile=c.out"}, other("data", "coverprofile", "go test builds it with coverage counters")},
		{nil, []string{"kernels", "-gcflags=-N -l"}, other("kernels", "gcflags", "go test builds it with other compiler flags")},
		{nil, []string{"engine", "-ldflags=-s"}, other("engine", "ldflags", "go test builds it with other linker flags")},
		{nil, []string{"inference", "-asmflags=-spectre=all"}, other("inference", "asmflags", "go test builds it with other assembler flags")},
		{nil, []string{"kernels", "-pgo=cpu.pprof"}, other("kernels", "pgo", "go test builds it with another profile-guided optimization")},
		{nil, []string{"engine", "-compiler=gccgo"}, other("engine", "compiler", "go test builds it with another compiler")},
		{nil, []string{"engine", "-gccgoflags=-O3"}, other("engine", "gccgoflags", "go test builds it with another compiler")},
		{nil, []string{"data", "-toolexec=wrap"}, other("data", "toolexec", "go test runs its compiler and linker through another program")},
		{nil, []string{"kernels", "-overlay=o.json"}, other("kernels", "overlay", "go test builds it from other source files")},
		{nil, []string{"inference", "-linkshared"}, other("inference", "linkshared", "go test links it against shared libraries")},
		{nil, []string{"engine", "-modfile=other.mod"}, other("engine", "modfile", "go test builds it with the dependencies of another go.mod")},
	})
}

// A refusal is a run of the script results/ARGS[0].sh with the other
// ARGS, and ENV added to its environment, that must exit with status 2
// and print exactly want.
type refusal struct {
	env  []string
	args []string
	want string
}

// expectRefusals runs each refusal's script with a go that fails at once
// (failingGo), so that a script that does not refuse fails in a second
// instead of building and running benchmarks, and checks its status and
// output.
func expectRefusals(t *testing.T, refusals []refusal) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	path := failingGo(t)
	for _, c := range refusals {
		script := readScript(t, c.args[0])
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, "bash", append([]string{script}, c.args[1:]...)...)
		cmd.Env = append(append(cmd.Environ(), c.env...), path)
		// Without the refusal the script goes on: end it and everything
		// it started.
		killTreeOnCancel(cmd)
		b, err := cmd.CombinedOutput()
		cancel()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || string(b) != c.want {
			t.Errorf("%q results/%s.sh %q: %v\n%s\nwant exit status 2 and\n%s", c.env, c.args[0], c.args[1:], err, b, c.want)
		}
	}
}

// TestPeerSaysWhatPyTorchNeeds: tried as a new user would, on a machine
// without PyTorch, results/peer.sh ran sudo apt-get update and apt-get
// install python3-torch without a word of its own, and when that failed
// (no apt-get, no sudo, no network) it stopped with apt's error alone,
// never saying that it needs PyTorch nor how to install it. It says
// what it installs before it does, and when it cannot, what the
// comparison needs and how to install it, before it builds anything.
func TestPeerSaysWhatPyTorchNeeds(t *testing.T) {
	const py = "/usr/bin/python3" // the interpreter results/peer.sh uses
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	if err := exec.Command(py, "-c", "import torch").Run(); err == nil {
		t.Skip(py + " has PyTorch: results/peer.sh installs nothing")
	}
	// An apt-get that fails as one without a network does, and a sudo
	// that runs its command (the script asks for it when not root).
	bin := t.TempDir()
	for name, s := range map[string]string{
		"apt-get": "#!/bin/sh\necho \"E: apt-get $*: fails here\" >&2\nexit 100\n",
		"sudo":    "#!/bin/sh\nexec \"$@\"\n",
	} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(s), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := readScript(t, "peer")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script, "5")
	cmd.Env = append(cmd.Environ(), "PATH="+bin+string(os.PathListSeparator)+strings.TrimPrefix(failingGo(t), "PATH="))
	killTreeOnCancel(cmd)
	b, err := cmd.CombinedOutput()
	out := string(b)
	for _, want := range []string{
		"results/peer.sh: PyTorch is not installed for " + py + ": installing Debian's python3-torch",
		"results/peer.sh: needs PyTorch for " + py + " (Debian's python3-torch), which could not be installed: install it (apt-get install python3-torch), then run the script again\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("results/peer.sh 5 without PyTorch, apt-get failing: output lacks %q\n%s", want, out)
		}
	}
	if strings.Contains(out, "not to be run") {
		t.Errorf("results/peer.sh 5 without PyTorch went on to build:\n%s", out)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("results/peer.sh 5 without PyTorch, apt-get failing: %v, want exit status 2\n%s", err, out)
	}
}

// TestResultsREADMECommandsMatchRecords: results/README.md's table gives
// the command that made each record, for a reader to run again, and
// said `results/engine.sh` (go test's -count=10) for engine.md and
// gemm.md, whose records were made with -count=5. For each script that
// passes its arguments to go test, the flags of the command in the table
// (with the script's -count=10 when they give none) are those that
// every one of its committed records names.
func TestResultsREADMECommandsMatchRecords(t *testing.T) {
	readme, err := os.ReadFile("../results/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, records := range map[string][]string{
		"kernels":   {"kernels.txt", "kernels-avx2.txt"},
		"engine":    {"engine-go.txt", "engine-openblas.txt", "gemm-go.txt", "gemm-openblas.txt"},
		"inference": {"inference-go.txt", "inference-openblas.txt"},
		"data":      {"data.txt"},
	} {
		var cmd string
		for _, line := range strings.Split(string(readme), "\n") {
			if !strings.HasPrefix(line, "| `"+name+".md`") {
				continue
			}
			cells := strings.Split(strings.TrimSuffix(line, " |"), " | ")
			cmd = strings.Trim(cells[len(cells)-1], "`")
		}
		_, args, ok := strings.Cut(cmd, "results/"+name+".sh")
		if !ok {
			t.Errorf("results/README.md: no row of %s.md names results/%s.sh as its command (got %q)", name, name, cmd)
			continue
		}
		want := strings.Fields(args)
		if !strings.Contains(args, "-count=") {
			want = append([]string{"-count=10"}, want...)
		}
		for _, rec := range records {
			b, err := os.ReadFile("../results/" + rec)
			if err != nil {
				t.Fatal(err)
			}
			var flags []string
			for _, line := range strings.Split(string(b), "\n") {
				if c, ok := strings.CutPrefix(line, "command: "); ok {
					// ... -bench '<regexp>' FLAGS ./pkg ...
					_, rest, _ := strings.Cut(c, "-bench '")
					_, rest, _ = strings.Cut(rest, "' ")
					rest, _, _ = strings.Cut(rest, " ./")
					flags = strings.Fields(rest)
					break
				}
			}
			if strings.Join(flags, " ") != strings.Join(want, " ") {
				t.Errorf("results/README.md gives `%s` for results/%s, made with the flags %q: want %q", cmd, rec, flags, want)
			}
		}
	}
}
