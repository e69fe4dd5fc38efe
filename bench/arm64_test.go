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

// TestArm64Report: results/arm64.sh gave a failing test the reason of
// emulation ("starts its own binary again") when any line of its output
// said "exec format error", and the lock reason when any line, a
// panic's trace naming sync's Lock too, spoke of a lock; a package whose
// tests ran out of the time limit, which has no --- FAIL line, got no
// row at all. A real arm64 failure in a subtest beside one that could
// not start a child was listed as emulation, and the report said no
// test failed for neither reason. It now classifies as results/i386.sh
// does (results/failing.awk, TestI386Reasons): here results/arm64.sh
// --report builds the report from such output, in a tree of its own.
func TestArm64Report(t *testing.T) {
	for _, tool := range []string{"bash", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s", tool)
		}
	}
	const (
		execWhy = "starts its own binary again, which the emulation cannot"
		lockWhy = "a cell lock judged by its holder's start time (see below)"
		pkg     = "github.com/gradbench/gradbench/"
	)
	record := strings.Join([]string{
		"command: results/arm64.sh",
		"run: GOARCH=arm64 go test -short -timeout 60m -exec qemu-aarch64 ./...",
		"ok  \t" + pkg + "bench\t0.9s",
		"--- FAIL: TestRefuses (22.66s)",
		"    --- FAIL: TestRefuses/two_plain_runs_on_one_--out (0.27s)",
		"        refuse_test.go:322: gradbench []: fork/exec /tmp/b403/gradbench.test: exec format error",
		"            0 records in the shared --out, want 2",
		"    --- FAIL: TestRefuses/eval_--lr_rounding (0.01s)",
		"        refuse_test.go:325: got loss 0.6931472, want 0.6931471",
		"--- FAIL: TestKillResume (10.04s)",
		"    run_test.go:252: fork/exec /tmp/b403/gradbench.test: exec format error",
		"FAIL",
		"FAIL\t" + pkg + "cmd/gradbench\t138.3s",
		"--- FAIL: TestLockStale (0.81s)",
		"    --- FAIL: TestLockStale/this_process (0.00s)",
		"        lock_test.go:40: the live holder's lock was taken over",
		"--- FAIL: TestTrainStep (0.00s)",
		"panic: runtime error: index out of range [5] with length 4 [recovered]",
		"\tpanic: runtime error: index out of range [5] with length 4",
		"goroutine 7 [running]:",
		"sync.(*Mutex).Lock(...)",
		"\t/usr/lib/go/src/sync/mutex.go:81",
		"FAIL\t" + pkg + "suite\t1199.9s",
		"panic: test timed out after 1h0m0s",
		"\trunning tests:",
		"\t\tTestTrainResNet20 (1h0m0s)",
		"",
		"goroutine 1 [running]:",
		"FAIL\t" + pkg + "nn\t3600.1s",
		"FAIL",
		"load-after: x",
		"",
	}, "\n")
	want := strings.Join([]string{
		"| TestRefuses | " + pkg + "cmd/gradbench | failed |",
		"| TestKillResume | " + pkg + "cmd/gradbench | " + execWhy + " |",
		"| TestLockStale | " + pkg + "suite | " + lockWhy + " |",
		"| TestTrainStep | " + pkg + "suite | failed |",
		"| TestTrainResNet20 | " + pkg + "nn | still running when the package's tests ran out of their time limit (1h0m0s) |",
	}, "\n")
	dir := t.TempDir()
	files := map[string]string{"results/arm64.txt": record}
	for _, name := range []string{"arm64.sh", "lib.sh", "failing.awk"} {
		b, err := os.ReadFile("../results/" + name)
		if err != nil {
			t.Fatal(err)
		}
		files["results/"+name] = string(b)
	}
	for name, s := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(dir, "results", "arm64.sh"), "--report")
	killTreeOnCancel(cmd)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("results/arm64.sh --report: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "results", "arm64.md"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "| Test") {
			rows = append(rows, l)
		}
	}
	if got := strings.Join(rows, "\n"); got != want {
		t.Errorf("results/arm64.md's rows\n%s\nwant\n%s", got, want)
	}
	if last := "Tests stopped by the time limit: 1. Failing tests with neither reason: 2.\n"; !strings.HasSuffix(string(b), last) {
		t.Errorf("results/arm64.md ends\n%s\nwant it to end %q", b[max(0, len(b)-200):], last)
	}
	if got, want := string(b), "Packages whose tests passed: 1; with no tests: 0; that failed: 3."; !strings.Contains(got, want) {
		t.Errorf("results/arm64.md\n%s\nwant a line %q", got, want)
	}
}
