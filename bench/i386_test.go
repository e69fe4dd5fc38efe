// Built as scripts_atomic_test.go is, for the reason given there: these
// tests run results/ scripts (bash and awk) and no Go code of this
// package, so which of the test command's builds runs them changes
// nothing they check.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"os/exec"
	"strings"
	"testing"
)

// i386LockWhy is the lock's reason in results/i386.md, which points at
// results/arm64.md for its explanation.
const i386LockWhy = "a cell lock judged by its holder's start time (see results/arm64.md)"

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
			"| TestLockStale | example/a | " + i386LockWhy + " |",
			"| TestTwoReasons | example/a | " + execWhy + "; " + i386LockWhy + " |",
			"| TestNoMessage | example/a | failed |",
			"| TestPanics | example/b | failed |",
			"| TestSlow | example/d | " + limitWhy + " |",
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
			"| TestSlow | example/d | " + limitWhy + " |",
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

// TestFailingLockIsAWord: results/failing.awk gave a failing test the
// lock's reason of emulation when its name or a message held "lock"
// anywhere, so that under emulation a real failure of TestSidesBlocks,
// TestDepthBlock or the *OutputBlocked tests ("Block"), or a message on
// a block, a clock or an unlock, was listed as the emulation's, hidden
// from the count of failures with neither reason. "lock" counts where it
// starts a word: Lock in a test's name (its words start with a capital),
// lock after a non-letter in a subtest's name or a message.
func TestFailingLockIsAWord(t *testing.T) {
	if _, err := exec.LookPath("awk"); err != nil {
		t.Skip("no awk")
	}
	out := strings.Join([]string{
		"--- FAIL: TestSidesBlocks (0.00s)",
		"    x_test.go:1: got 3 rows, want 4",
		"--- FAIL: TestDepthBlock (0.00s)",
		"    --- FAIL: TestDepthBlock/stage_1 (0.00s)",
		"        x_test.go:2: got 3, want 4",
		"--- FAIL: TestSum (0.00s)",
		"    x_test.go:3: block 2 of the tiled sum: got 3, want 4",
		"--- FAIL: TestTimer (0.00s)",
		"    x_test.go:4: the clock went backwards; unlocked twice",
		"--- FAIL: TestLockStale (0.00s)",
		"    x_test.go:5: got 3, want 4",
		"--- FAIL: TestRunCellLockedRace (0.00s)",
		"    x_test.go:6: got 3, want 4",
		"--- FAIL: TestTakeOver (0.00s)",
		"    --- FAIL: TestTakeOver/stale_lock (0.00s)",
		"        x_test.go:7: got 3, want 4",
		"    --- FAIL: TestTakeOver/b (0.00s)",
		"        x_test.go:8: 0123456789abcdef.lock held by an ended process",
		"    --- FAIL: TestTakeOver/c (0.00s)",
		"        x_test.go:9: the Lock was taken over",
		"FAIL",
		"FAIL\texample/a\t0.1s",
		"",
	}, "\n")
	cmd := exec.Command("awk", "-v", "emulated=1", "-f", "../results/failing.awk")
	cmd.Stdin = strings.NewReader(out)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("awk -f results/failing.awk: %v\n%s", err, b)
	}
	want := strings.Join([]string{
		"| TestSidesBlocks | example/a | failed |",
		"| TestDepthBlock | example/a | failed |",
		"| TestSum | example/a | failed |",
		"| TestTimer | example/a | failed |",
		"| TestLockStale | example/a | " + i386LockWhy + " |",
		"| TestRunCellLockedRace | example/a | " + i386LockWhy + " |",
		"| TestTakeOver | example/a | " + i386LockWhy + " |",
	}, "\n") + "\n"
	if got := string(b); got != want {
		t.Errorf("rows\n%s\nwant\n%s", got, want)
	}
}

// TestI386Report: results/i386.sh could write results/i386.md only
// after running every package's tests again, 50 minutes under
// qemu-i386, so a change to the report or to how failures are
// classified could not be applied to the committed record. With
// --report it runs nothing (its go fails here) and rebuilds i386.md
// from the committed results/i386.txt, giving the emulation reasons
// only when the record's qemu line names an emulator, and refusing a
// record without that line, and QEMU_I386, which --report would ignore.
func TestI386Report(t *testing.T) {
	const run = "run: GOARCH=386 go test -short -timeout 60m -exec qemu-i386 ./..."
	emulated := "command: results/i386.sh\nqemu: qemu-i386 version 10.0.2\n" + run + "\n" + failingTestsOutput
	expectReport(t, "i386", emulated, emulatedRows(i386LockWhy), "Tests stopped by the time limit: 1. Failing tests with neither reason: 2.",
		"- command: results/i386.sh", "- qemu: qemu-i386 version 10.0.2", "- "+run, "- load-after: x",
		"Packages whose tests passed: 1; with no tests: 0; that failed: 3.")
	// Run natively, no failure is the emulation's.
	native := "command: results/i386.sh\nqemu: none (the kernel runs 386 executables)\n" + failingTestsOutput
	expectReport(t, "i386", native, []string{
		"| TestRefuses | " + testsPkg + "cmd/gradbench | failed |",
		"| TestKillResume | " + testsPkg + "cmd/gradbench | failed |",
		"| TestLockStale | " + testsPkg + "suite | failed |",
		"| TestTrainStep | " + testsPkg + "suite | failed |",
		"| TestTrainResNet20 | " + testsPkg + "nn | " + limitWhy + " |",
	}, "Tests stopped by the time limit: 1. Failing tests with neither reason: 4.",
		"- qemu: none (the kernel runs 386 executables)")
	md, out, err := testsReport(t, "i386", "command: results/i386.sh\n"+failingTestsOutput)
	want := "results/i386.txt has no qemu line (the emulator, or none), so whether its tests ran under emulation is not known\n"
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.HasSuffix(string(out), want) || md != "" {
		t.Errorf("results/i386.sh --report on a record without a qemu line: %v\n%s\nwrote %q\nwant exit status 1, no report, and an error ending %q", err, out, md, want)
	}
}
