package gemm

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/flagsread"
)

// flagsRead fails a run given -gemm.impls in which no benchmark that
// reads it ran (see internal/flagsread).
var flagsRead = flagsread.New("gemm", map[string]string{"gemm.impls": "BenchmarkSgemm and BenchmarkRows"})

func TestMain(m *testing.M) { flagsRead.Main(m) }

// TestUnreadImplsFails: go test ./gemm -run X -gemm.impls ran and passed,
// the flag given and ignored; the run now fails, naming it.
func TestUnreadImplsFails(t *testing.T) {
	if os.Getenv("GRADBENCH_UNREAD_IMPLS") == "1" {
		return // the child: runs no benchmark
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestUnreadImplsFails$", "-gemm.impls")
	cmd.Env = append(os.Environ(), "GRADBENCH_UNREAD_IMPLS=1")
	out, err := cmd.CombinedOutput()
	want := `gemm: -gemm.impls "true" was given, but no benchmark that reads it ran (BenchmarkSgemm and BenchmarkRows), so it was ignored`
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), want) {
		t.Errorf("a test run with -gemm.impls: %v\n%s\nwant exit status 1 and %s", err, out, want)
	}
}
