package bench

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
)

// flagReaders names, for each of the package's own flags, the benchmarks
// that read it. go test takes every flag for the whole run, so one given
// beside benchmarks that do not read it (-trainstep.impl with -bench
// Backward) would be ignored without a word: TestMain fails the run,
// naming it, when no benchmark that ran read a flag given.
var flagReaders = map[string]string{
	"estimators.impl":      "BenchmarkBackward and BenchmarkForward",
	"trainstep.forward":    "BenchmarkTrainStep and BenchmarkStepHalves",
	"trainstep.impl":       "BenchmarkTrainStep and BenchmarkStepHalves",
	"trainstep.gemm":       "BenchmarkTrainStep and BenchmarkStepHalves",
	"trainstep.cpuprofile": "BenchmarkTrainStep",
	"trainstep.poolstats":  "BenchmarkTrainStep",
}

var (
	readMu sync.Mutex
	read   = map[string]bool{}
)

// markRead records that a benchmark that ran read the flags names.
func markRead(names ...string) {
	readMu.Lock()
	defer readMu.Unlock()
	for _, n := range names {
		read[n] = true
	}
}

// unreadFlags says which of the flags set (by name, with their values)
// no benchmark read, or "" when every one was.
func unreadFlags(set map[string]string, read map[string]bool) string {
	var each []string
	for _, name := range slices.Sorted(maps.Keys(set)) {
		if who, ours := flagReaders[name]; ours && !read[name] {
			each = append(each, fmt.Sprintf("-%s %q was given, but no benchmark that reads it ran (%s), so it was ignored", name, set[name], who))
		}
	}
	return strings.Join(each, "; ")
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	set := map[string]string{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = f.Value.String() })
	readMu.Lock()
	msg := unreadFlags(set, read)
	readMu.Unlock()
	if msg != "" {
		fmt.Fprintln(os.Stderr, "bench: "+msg+": give it with a -bench pattern that selects one of them")
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// TestUnreadFlagsFail: go test ./bench -run X -trainstep.impl go ran and
// passed, the flag given and ignored; the run now fails, naming it.
func TestUnreadFlagsFail(t *testing.T) {
	if os.Getenv("GRADBENCH_UNREAD_FLAGS") == "1" {
		return // the child: reads no flag
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestUnreadFlagsFail$", "-trainstep.impl", "go", "-estimators.impl", "go")
	cmd.Env = append(os.Environ(), "GRADBENCH_UNREAD_FLAGS=1")
	out, err := cmd.CombinedOutput()
	want := `bench: -estimators.impl "go" was given, but no benchmark that reads it ran (BenchmarkBackward and BenchmarkForward), so it was ignored; -trainstep.impl "go" was given, but no benchmark that reads it ran (BenchmarkTrainStep and BenchmarkStepHalves), so it was ignored: give it with a -bench pattern that selects one of them`
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), want) {
		t.Errorf("a test run with -trainstep.impl and -estimators.impl: %v\n%s\nwant exit status 1 and\n%s", err, out, want)
	}
	if got := unreadFlags(map[string]string{"trainstep.impl": "go", "test.count": "1"}, map[string]bool{"trainstep.impl": true}); got != "" {
		t.Errorf("a flag read: %q, want none", got)
	}
}
