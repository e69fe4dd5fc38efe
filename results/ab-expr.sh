#!/usr/bin/env bash
# Compares expr's fast backward (the default formula, ApproxSign's g) with
# ApproxSign's, built at a BASE commit and at the current code: bench's
# BenchmarkBackward at n = 2^20 for both estimators, the two builds
# alternated RUNS times (6 by default) in one window, 5 counts of 0.2 s
# each a run. Writes results/ab-expr-LABEL.txt (the runs, with the
# command, the machine, the commits, the Go version and the load before
# and after) and results/ab-expr-LABEL.md (benchstat's comparison, base
# against current, then each build's ratio of expr's median time to
# ApproxSign's, the medians benchstat reports, which the kernels target
# wants <= 2). About 2 minutes on the 2-core project machine: run it on a
# quiet machine.
#
# Usage: results/ab-expr.sh LABEL BASE [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
ab_args ab-expr "$@"
# The ratio table ends the .md (ab_window calls this with the .txt).
ab_md_tail() {
	echo
	echo "Median time per element (benchstat's medians), and expr's over ApproxSign's (the target: <= 2):"
	echo
	echo '| code | approxsign ns/elem | expr ns/elem | expr ÷ approxsign |'
	echo '|------|-------------------:|-------------:|------------------:|'
	go run golang.org/x/perf/cmd/benchstat -format csv -col code -filter .unit:sec/op "$1" |
		awk -F, -v n=1048576 '
			$1 ~ /est=approxsign\// { ab = $2; ac = $4 }
			$1 ~ /est=expr\// { eb = $2; ec = $4 }
			END {
				printf "| base | %.3f | %.3f | %.2f× |\n", ab * 1e9 / n, eb * 1e9 / n, eb / ab
				printf "| current | %.3f | %.3f | %.2f× |\n", ac * 1e9 / n, ec * 1e9 / n, ec / ac
			}'
}
build_ab "$base" bench
ab_window ab-expr bench "expr's backward against ApproxSign's: current code against $base" \
	"BenchmarkBackward at n = 2^20 (12 bytes an element), the two builds alternated $runs times in one window, 5 counts of 0.2 s a run; see the file for the machine and the load." \
	-test.run '^$' -test.bench 'Backward/est=(expr|approxsign)/n=1048576/impl=fast' -test.count 5 -test.benchtime 0.2s
