package bench

import (
	"os/exec"
	"strings"
	"testing"
)

// TestI386Reasons: results/i386.sh gave a failing test the reason of
// emulation ("starts its own binary again") when any line of its output
// said "exec format error". TestRefuses failed under qemu-i386 both for
// a child it could not start and for two subtests that passed a 64-bit
// int, which a 32-bit flag parser refuses; the records listed it as
// emulation only, and found "no 32-bit difference". A reason now
// explains a test only when it explains each failing block, the test's
// own and each subtest's, and a test that panicked (whose trace names
// sync's Lock) is "failed".
func TestI386Reasons(t *testing.T) {
	if _, err := exec.LookPath("awk"); err != nil {
		t.Skip("no awk")
	}
	const (
		execWhy = "starts its own binary again, which the emulation cannot"
		lockWhy = "a cell lock judged by its holder's start time (see results/arm64.md)"
	)
	out := strings.Join([]string{
		"--- FAIL: TestRefuses (75.55s)",
		"    --- FAIL: TestRefuses/eval_--batch_past_the_test_subset (0.00s)",
		`        refuse_test.go:325: gradbench ["eval" "--batch" "9223372036854775807"]:`,
		"             got error usage",
		"            want error suite: eval: --batch 9223372036854775807 is more than the 32 test images",
		"    --- FAIL: TestRefuses/two_plain_runs_on_one_--out (0.06s)",
		"        refuse_test.go:323: gradbench []: fork/exec /tmp/b405/gradbench.test: exec format error",
		"            0 records in the shared --out, want 2",
		"--- FAIL: TestChildOnly (0.00s)",
		"    x_test.go:1: fork/exec /tmp/b/x.test: exec format error",
		"    --- FAIL: TestChildOnly/a (0.00s)",
		"        --- FAIL: TestChildOnly/a/b (0.00s)",
		"            x_test.go:3: fork/exec /tmp/b/x.test: exec format error",
		"                the child's output: none",
		"    x_test.go:9: the parent, after its subtests",
		"        a continuation line: Exec format error",
		"--- FAIL: TestParentAfterSubtest (0.00s)",
		"    --- FAIL: TestParentAfterSubtest/a (0.00s)",
		"        x_test.go:3: fork/exec /tmp/b/x.test: exec format error",
		"    x_test.go:9: got 3, want 4",
		"--- FAIL: TestLockStale (0.00s)",
		"    lock_test.go:1: the lock was taken over",
		"--- FAIL: TestTwoReasons (0.00s)",
		"    --- FAIL: TestTwoReasons/child (0.00s)",
		"        x_test.go:1: fork/exec /tmp/b/x.test: exec format error",
		"    --- FAIL: TestTwoReasons/held (0.00s)",
		"        x_test.go:2: 0123.lock held by an ended process",
		"--- FAIL: TestNoMessage (0.00s)",
		"FAIL",
		"FAIL\texample/a\t80.1s",
		"--- FAIL: TestPanics (0.00s)",
		"panic: runtime error: index out of range [5] with length 4 [recovered]",
		"\tpanic: runtime error: index out of range [5] with length 4",
		"goroutine 7 [running]:",
		"sync.(*Mutex).Lock(...)",
		"\t/usr/lib/go/src/sync/mutex.go:81",
		"FAIL\texample/b\t0.1s",
		"ok  \texample/c\t0.1s",
		"panic: test timed out after 1h0m0s",
		"\trunning tests:",
		"\t\tTestSlow (1h0m0s)",
		"",
		"goroutine 1 [running]:",
		"FAIL\texample/d\t3600.1s",
		"FAIL\texample/e [build failed]",
		"",
	}, "\n")
	for _, c := range []struct {
		emulated string
		want     []string
	}{
		{"1", []string{
			"| TestRefuses | example/a | failed |",
			"| TestChildOnly | example/a | " + execWhy + " |",
			"| TestParentAfterSubtest | example/a | failed |",
			"| TestLockStale | example/a | " + lockWhy + " |",
			"| TestTwoReasons | example/a | " + execWhy + "; " + lockWhy + " |",
			"| TestNoMessage | example/a | failed |",
			"| TestPanics | example/b | failed |",
			"| TestSlow | example/d | still running when the package's tests ran out of their time limit (1h0m0s) |",
			"| (none named) | example/e | failed |",
		}},
		// Run natively, nothing is the emulation's.
		{"0", []string{
			"| TestRefuses | example/a | failed |",
			"| TestChildOnly | example/a | failed |",
			"| TestParentAfterSubtest | example/a | failed |",
			"| TestLockStale | example/a | failed |",
			"| TestTwoReasons | example/a | failed |",
			"| TestNoMessage | example/a | failed |",
			"| TestPanics | example/b | failed |",
			"| TestSlow | example/d | still running when the package's tests ran out of their time limit (1h0m0s) |",
			"| (none named) | example/e | failed |",
		}},
	} {
		cmd := exec.Command("awk", "-v", "emulated="+c.emulated, "-f", "../results/failing.awk")
		cmd.Stdin = strings.NewReader(out)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("awk -f results/failing.awk: %v\n%s", err, b)
		}
		if got, want := string(b), strings.Join(c.want, "\n")+"\n"; got != want {
			t.Errorf("emulated=%s: rows\n%s\nwant\n%s", c.emulated, got, want)
		}
	}
}
