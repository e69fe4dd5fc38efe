package gemm

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
)

// implsRead records that a benchmark that reads -gemm.impls ran.
var implsRead atomic.Bool

// TestMain fails a run given -gemm.impls in which no benchmark that reads
// it ran (BenchmarkSgemm, BenchmarkRows): go test takes the flag for the
// whole run, so with another -bench pattern it was given and ignored.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	given := ""
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "gemm.impls" {
			given = f.Value.String()
		}
	})
	if given != "" && !implsRead.Load() {
		fmt.Fprintf(os.Stderr, "gemm: -gemm.impls=%s was given, but no benchmark that reads it ran (BenchmarkSgemm and BenchmarkRows), so it was ignored: give it with a -bench pattern that selects one of them\n", given)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// TestUnreadImplsFails: go test ./gemm -run X -gemm.impls ran and passed,
// the flag given and ignored; the run now fails, naming it.
func TestUnreadImplsFails(t *testing.T) {
	if os.Getenv("GRADBENCH_UNREAD_IMPLS") == "1" {
		return // the child: runs no benchmark
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestUnreadImplsFails$", "-gemm.impls")
	cmd.Env = append(os.Environ(), "GRADBENCH_UNREAD_IMPLS=1")
	out, err := cmd.CombinedOutput()
	want := "gemm: -gemm.impls=true was given, but no benchmark that reads it ran (BenchmarkSgemm and BenchmarkRows), so it was ignored"
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), want) {
		t.Errorf("a test run with -gemm.impls: %v\n%s\nwant exit status 1 and %s", err, out, want)
	}
}
