package bench

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/flagsread"
)

// flagsRead names, for each of the package's own flags, the benchmarks
// that read it; TestMain fails a run given one that no benchmark which ran
// read (see internal/flagsread).
var flagsRead = flagsread.New("bench", map[string]string{
	"estimators.impl":      "BenchmarkBackward and BenchmarkForward",
	"trainstep.forward":    "BenchmarkTrainStep and BenchmarkStepHalves",
	"trainstep.impl":       "BenchmarkTrainStep and BenchmarkStepHalves",
	"trainstep.gemm":       "BenchmarkTrainStep and BenchmarkStepHalves",
	"trainstep.cpuprofile": "BenchmarkTrainStep",
	"trainstep.poolstats":  "BenchmarkTrainStep",
})

func TestMain(m *testing.M) { flagsRead.Main(m) }

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
}
