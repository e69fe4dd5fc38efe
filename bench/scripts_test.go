package bench

import (
	"context"
	"os"
	"os/exec"
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
		for _, args := range [][]string{{"count=1"}, {"-count", "1"}, {""}} {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			cmd := exec.CommandContext(ctx, "bash", append([]string{"../results/" + name + ".sh"}, args...)...)
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
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for _, c := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"poolstats", ""}, "results/poolstats.sh: want STEPS, the steps per run, a whole number of at least 5 without leading zeros, got ''\n"},
		{nil, []string{"threads", "before", ""}, "results/threads.sh: BASE is empty: want a commit, or leave BASE out\n"},
		{[]string{"RUNS=6"}, []string{"threads", "--report"}, "results/threads.sh: RUNS with --report: --report only regenerates results/threads.md from the recorded runs; unset RUNS\n"},
		{[]string{"IMPL="}, []string{"threads", "--report"}, "results/threads.sh: IMPL with --report: --report only regenerates results/threads.md from the recorded runs; unset IMPL\n"},
		{[]string{"CPU_LOCK="}, []string{"diagnostics-overhead"}, "results/diagnostics-overhead.sh: CPU_LOCK is empty: want a lock file, or unset it\n"},
		{[]string{"QEMU_I386="}, []string{"i386"}, "results/i386.sh: QEMU_I386 is empty: want the path of a qemu-i386, or unset it\n"},
	} {
		script := "../results/" + c.args[0] + ".sh"
		// Read by the test too, so that go test's cache knows the result
		// depends on it.
		if _, err := os.ReadFile(script); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, "bash", append([]string{script}, c.args[1:]...)...)
		cmd.Env = append(cmd.Environ(), c.env...)
		// Without the refusal the script builds and runs the benchmarks:
		// end it and everything it started.
		killTreeOnCancel(cmd)
		b, err := cmd.CombinedOutput()
		cancel()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || string(b) != c.want {
			t.Errorf("%q results/%s.sh %q: %v\n%s\nwant exit status 2 and\n%s", c.env, c.args[0], c.args[1:], err, b, c.want)
		}
	}
}
