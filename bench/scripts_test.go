//go:build unix

package bench

import (
	"context"
	"os/exec"
	"strings"
	"syscall"
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
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
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
