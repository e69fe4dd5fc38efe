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
	const lockWhy = "a cell lock judged by its holder's start time (see below)"
	record := "command: results/arm64.sh\n" +
		"run: GOARCH=arm64 go test -short -timeout 60m -exec qemu-aarch64 ./...\n" +
		failingTestsOutput
	expectReport(t, "arm64", record, emulatedRows(lockWhy), "Tests stopped by the time limit: 1. Failing tests with neither reason: 2.",
		"Packages whose tests passed: 1; with no tests: 0; that failed: 3.")
}

// TestTestsReportsOfRecords: results/arm64.sh --report and
// results/i386.sh --report, run on the committed records, write the
// committed reports byte for byte: a change to the reports' wording or
// to how failures are classified is applied to them, not left for the
// next run under emulation (40 and 50 minutes) to show.
func TestTestsReportsOfRecords(t *testing.T) {
	for _, name := range []string{"arm64", "i386"} {
		record, err := os.ReadFile("../results/" + name + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile("../results/" + name + ".md")
		if err != nil {
			t.Fatal(err)
		}
		md, out, err := testsReport(t, name, string(record))
		if err != nil {
			t.Fatalf("results/%s.sh --report: %v\n%s", name, err, out)
		}
		if md != string(want) {
			t.Errorf("results/%s.sh --report wrote\n%s\nnot the committed results/%s.md\n%s\n(regenerate it with results/%[1]s.sh --report)", name, md, name, want)
		}
	}
}

// failingTestsOutput is go test's output, after a record's head, with a
// failure of each kind the reports tell apart: a real failure in a
// subtest beside one that could not start a child, a test that could
// not, a lock taken over, a panic whose trace names sync's Lock, and a
// package stopped by the time limit.
const failingTestsOutput = "ok  \t" + testsPkg + "bench\t0.9s\n" +
	"--- FAIL: TestRefuses (22.66s)\n" +
	"    --- FAIL: TestRefuses/two_plain_runs_on_one_--out (0.27s)\n" +
	"        refuse_test.go:322: gradbench []: fork/exec /tmp/b403/gradbench.test: exec format error\n" +
	"            0 records in the shared --out, want 2\n" +
	"    --- FAIL: TestRefuses/eval_--lr_rounding (0.01s)\n" +
	"        refuse_test.go:325: got loss 0.6931472, want 0.6931471\n" +
	"--- FAIL: TestKillResume (10.04s)\n" +
	"    run_test.go:252: fork/exec /tmp/b403/gradbench.test: exec format error\n" +
	"FAIL\n" +
	"FAIL\t" + testsPkg + "cmd/gradbench\t138.3s\n" +
	"--- FAIL: TestLockStale (0.81s)\n" +
	"    --- FAIL: TestLockStale/this_process (0.00s)\n" +
	"        lock_test.go:40: the live holder's lock was taken over\n" +
	"--- FAIL: TestTrainStep (0.00s)\n" +
	"panic: runtime error: index out of range [5] with length 4 [recovered]\n" +
	"\tpanic: runtime error: index out of range [5] with length 4\n" +
	"goroutine 7 [running]:\n" +
	"sync.(*Mutex).Lock(...)\n" +
	"\t/usr/lib/go/src/sync/mutex.go:81\n" +
	"FAIL\t" + testsPkg + "suite\t1199.9s\n" +
	"panic: test timed out after 1h0m0s\n" +
	"\trunning tests:\n" +
	"\t\tTestTrainResNet20 (1h0m0s)\n" +
	"\n" +
	"goroutine 1 [running]:\n" +
	"FAIL\t" + testsPkg + "nn\t3600.1s\n" +
	"FAIL\n" +
	"load-after: x\n"

// emulatedRows are the report's rows of failingTestsOutput run under
// emulation, with lockWhy the lock's reason.
func emulatedRows(lockWhy string) []string {
	return []string{
		"| TestRefuses | " + testsPkg + "cmd/gradbench | failed |",
		"| TestKillResume | " + testsPkg + "cmd/gradbench | " + execWhy + " |",
		"| TestLockStale | " + testsPkg + "suite | " + lockWhy + " |",
		"| TestTrainStep | " + testsPkg + "suite | failed |",
		"| TestTrainResNet20 | " + testsPkg + "nn | " + limitWhy + " |",
	}
}

// testsPkg is the module's path, as go test names a package.
const testsPkg = "github.com/gradbench/gradbench/"

// The reasons results/failing.awk gives a failing test but "failed" and
// the lock's, whose words name where they are explained: the emulation
// cannot start the test's binary again, and a time limit of an hour
// stopped the test.
const (
	execWhy  = "starts its own binary again, which the emulation cannot"
	limitWhy = "still running when the package's tests ran out of their time limit (1h0m0s)"
)

// testsReport runs results/NAME.sh --report (arm64, i386) in a tree of
// its own that holds the script, results/lib.sh, results/failing.awk and
// the record results/NAME.txt. It returns the report written,
// results/NAME.md ("" when none was), and the script's output and
// error. The script's go fails at once (failingGo): --report builds and
// runs nothing.
func testsReport(t *testing.T, name, record string) (md string, out []byte, err error) {
	t.Helper()
	for _, tool := range []string{"bash", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s", tool)
		}
	}
	dir := t.TempDir()
	files := map[string]string{"results/" + name + ".txt": record}
	for _, f := range []string{name + ".sh", "lib.sh", "failing.awk"} {
		b, err := os.ReadFile("../results/" + f)
		if err != nil {
			t.Fatal(err)
		}
		files["results/"+f] = string(b)
	}
	for f, s := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(dir, "results", name+".sh"), "--report")
	cmd.Env = append(cmd.Environ(), failingGo(t))
	killTreeOnCancel(cmd)
	out, err = cmd.CombinedOutput()
	b, rerr := os.ReadFile(filepath.Join(dir, "results", name+".md"))
	if rerr != nil && !os.IsNotExist(rerr) {
		t.Fatal(rerr)
	}
	return string(b), out, err
}

// expectReport runs results/NAME.sh --report on record (testsReport) and
// fails t unless the script succeeded, the rows of the report's table
// are rows, its last line is footer and each of lines is a line of it.
func expectReport(t *testing.T, name, record string, rows []string, footer string, lines ...string) {
	t.Helper()
	md, out, err := testsReport(t, name, record)
	if err != nil {
		t.Fatalf("results/%s.sh --report: %v\n%s", name, err, out)
	}
	var got []string
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| Test") || strings.HasPrefix(l, "| (none") {
			got = append(got, l)
		}
	}
	if g, w := strings.Join(got, "\n"), strings.Join(rows, "\n"); g != w {
		t.Errorf("results/%s.md's rows\n%s\nwant\n%s", name, g, w)
	}
	if !strings.HasSuffix(md, "\n"+footer+"\n") {
		t.Errorf("results/%s.md ends\n%s\nwant it to end with the line %q", name, md[max(0, len(md)-200):], footer)
	}
	for _, l := range lines {
		if !strings.Contains("\n"+md, "\n"+l+"\n") {
			t.Errorf("results/%s.md\n%s\nwant a line %q", name, md, l)
		}
	}
}
