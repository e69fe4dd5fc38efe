#!/usr/bin/env bash
# Runs every package's tests (go test -short) built for linux/arm64, under
# user-mode emulation on this machine (qemu-aarch64, from Debian's
# qemu-user, installed when missing): the portable kernels every CPU but
# amd64 runs, on an instruction set where Go fuses multiply-adds. A test
# that starts its own binary again as a child process cannot run there
# (without a binfmt_misc handler the kernel cannot start an arm64
# executable): its output says "exec format error" (in any case). A test
# of a cell lock can see its own lock as left by an ended process (see
# the end of results/arm64.md). Such failures are counted apart from real
# ones, as results/i386.sh counts them (results/failing.awk): a reason
# explains a test only when it explains each of its failing blocks, its
# own messages and each failing subtest's, and a test that panicked is a
# real failure. A package's tests run for at most an hour (go test's
# -timeout); one that outlives it fails with the tests it was still
# running named, the limit given as the reason. Writes results/arm64.txt
# (go test's output, with the command, the machine, the commit, the Go
# version and the load before and after) and results/arm64.md (the
# packages that passed, and each failing test with the reason). About 40 minutes on the 2-core project
# machine, most of it nn's tests. With --report it runs nothing and only
# regenerates results/arm64.md from the committed results/arm64.txt.
#
# Usage: results/arm64.sh [--report]
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
report_arg arm64 "$@"
stage_begin
out=results/arm64.txt
if ! $report; then
	if ! command -v qemu-aarch64 >/dev/null; then
		sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
		$sudo apt-get install -y -qq --no-install-recommends qemu-user >/dev/null
	fi
	{
		record_head "results/arm64.sh"
		echo "qemu: $(qemu-aarch64 --version | head -1)"
		echo "run: GOARCH=arm64 go test -short -timeout 60m -exec qemu-aarch64 ./..."
		GOARCH=arm64 go test -short -timeout 60m -exec qemu-aarch64 ./... 2>&1 || true
		echo "load-after: $(load_now)"
	} >"$(staged "$out")"
fi
# The note on locks, after the table; the failing tests neither reason
# explains are counted after it (tests_md, which runs results/failing.awk,
# as results/i386.sh does).
tests_md_note() {
	echo
	echo "A cell lock names its holder's pid and start time (field 22 of /proc/<pid>/stat), so that a"
	echo "lock whose process ended, or whose pid was reused, is taken over. Under qemu-user that field"
	echo "is the start time of the thread that reads the file, not of the process: a Go program reading"
	echo "/proc/<pid>/stat from four of its threads got four different values under qemu-aarch64, and"
	echo "one value run natively. So a test that checks a live holder's lock after the Go runtime moved"
	echo "to another thread sees its own lock as left by an ended process. Such failures are listed with"
	echo "that reason: a failing test whose name, or each of whose failing blocks (its own messages and"
	echo "each failing subtest's), speaks of a lock. One with a block that speaks of neither a lock nor"
	echo "\"exec format error\", or one that panicked, is listed as failed."
}
tests_md arm64 "The tests on linux/arm64, under emulation" "command machine commit go qemu load-before load-after" -v emulated=1 -v lockref=below
stage_commit
