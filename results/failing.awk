# Reads the output of go test run under user-mode emulation
# (results/i386.txt, results/arm64.txt) and prints a row of the report's
# table for each failing test: "| test | package | why |". Run by
# results/i386.sh as awk -v emulated=1 -f results/failing.awk FILE
# (emulated=0 when the record's qemu line says the kernel ran the tests
# itself: then every failure is "failed") and by results/arm64.sh, always
# emulated, with -v lockref=below: where the lock reason points for its
# explanation, at the end of results/arm64.md (results/arm64.md itself
# when not given); both through results/lib.sh's tests_md. bench's
# TestI386Reasons runs it on go test output of each kind, and
# TestArm64Report and TestI386Report run results/arm64.sh --report and
# results/i386.sh --report.
#
# A top-level --- FAIL block runs to the package's FAIL line; its
# package is named there. The two reasons apply under emulation only,
# and to a test only when they explain each of its failures: go test
# prints a failing subtest's block ("--- FAIL: TestX/case") indented
# four spaces a level, and its messages four spaces deeper, so each
# message is read in the block it belongs to; a test one of whose
# blocks says neither "exec format error" nor a lock (say, a subtest
# that refused a 64-bit value beside one that started a child) is
# "failed", as is one that panicked, whose traces name sync's locks.
# A package whose tests ran out of the time limit has no --- FAIL
# line: go test's panic names the limit and, under "running tests:",
# the tests still running, each of which gets a row with that reason.
BEGIN {
	first = 1
	execwhy = "starts its own binary again, which the emulation cannot"
	if (lockref == "") lockref = "results/arm64.md"
	lockwhy = "a cell lock judged by its holder's start time (see " lockref ")"
}
function spaces(s) { match(s, /^ */); return RLENGTH }
# Whether a test's name, or a message, speaks of a lock: "lock" where it
# starts a word, not inside one (TestSidesBlocks, "block 2", "the clock",
# "unlocked" are not about locks). A name's words start with a capital
# (TestLockStale, TestRunCellLockedRace) or, in a subtest's name, after
# a non-letter (TestX/stale_lock).
function lockname(s) { return s ~ /Lock/ || s ~ /(^|[^A-Za-z])[Ll]ock/ }
function lockword(s) { return tolower(s) ~ /(^|[^a-z])lock/ }
# settle gives the test being read its reason from its blocks.
function settle(   b, r, w) {
	if (key == "") return
	w = ""
	for (b = 1; b <= nb; b++) {
		if (!said[b]) continue
		r = !emulated ? "failed" : sawexec[b] ? execwhy : sawlock[b] ? lockwhy : "failed"
		if (w == "" || w == r) w = r
		else if (w != "failed" && r != "failed" && index(w, r) == 0) w = w "; " r
		if (r == "failed") w = "failed"
	}
	why[key] = (w == "" || panicked) ? "failed" : w
	key = ""
}
/^--- FAIL: / {
	settle()
	key = $3 " " NR; order[++n] = key; disp[key] = $3
	nb = 1; blk[0] = 1; top = 0; panicked = 0
	said[1] = 0; sawexec[1] = 0; sawlock[1] = 0
	next
}
key != "" && /^    +--- FAIL: / {
	d = int(spaces($0) / 4); blk[d] = ++nb; top = d
	said[nb] = 0; sawexec[nb] = 0; sawlock[nb] = lockname($3)
	next
}
/^panic: test timed out after / { settle(); limit = $NF; running = 0; next }
key != "" && /^panic: / { panicked = 1; next }
/^\trunning tests:$/ && limit != "" { running = 1; next }
running && /^\t\t[^ \t]+ \(/ {
	order[++n] = $1 " " NR; disp[order[n]] = $1
	why[order[n]] = "still running when the package's tests ran out of their time limit (" limit ")"; next
}
running { running = 0 }
/^FAIL\t/ {
	settle()
	# A package that failed with no failing test named (a crash, a
	# build failure, a time-out with no test running) gets a row of
	# its own.
	if (first > n) {
		order[++n] = "(none named) " $2; disp[order[n]] = "(none named)"
		why[order[n]] = limit != "" ? "the package's tests ran out of their time limit (" limit ")" : "failed"
	}
	for (i = first; i <= n; i++) pkg[order[i]] = $2; first = n + 1; limit = ""; next
}
/^ok / { settle(); next }
# A message of the block at its indent less four (a continuation
# line is indented deeper still, within the same block).
key != "" && /^    / {
	d = int(spaces($0) / 4) - 1
	if (d > top) d = top
	top = d; b = blk[d]; said[b] = 1
	if (tolower($0) ~ /exec format error/) sawexec[b] = 1
	if (lockword($0) || lockname(disp[key])) sawlock[b] = 1
}
END { settle(); for (i = 1; i <= n; i++) printf "| %s | %s | %s |\n", disp[order[i]], pkg[order[i]], why[order[i]] }
