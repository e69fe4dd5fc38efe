#!/usr/bin/env bash
# The cost of one gradbench fidelity table: BenchmarkFidelity (suite), the
# standard study's seven estimators (ste, approxsign, dsq, bnnplus, ede,
# fda, fda+na) at the initial state of the fmnist-10 network, at the
# defaults (evaluation batch 512, 64 weights per stratum and binary layer,
# 1000 bootstrap resamples, one evaluation batch), once, under
# /usr/bin/time -v for its wall time and peak memory (maximum resident set
# size). Issue 14's target: under 5 minutes on the 2-core project machine.
# About 3 minutes and 3.8 GiB on the 2-core Xeon, otherwise idle (the
# committed record); it took 433 s and about 19 GiB before the flips, descent steps and
# estimators were split over the cores with one network per core; run it
# on a quiet machine, under the exclusive CPU lock if others share it.
#
# It writes the record to stdout as it goes, and into a staging tree
# (stage_begin in results/lib.sh), which it moves to
# results/fidelity-bench.txt only when the run has finished: a failure or
# an interrupt leaves the committed record as it was, and nothing else.
#
# Usage: results/fidelity-bench.sh    # writes results/fidelity-bench.txt
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
args_at_most fidelity-bench 0 "$@"
need fidelity-bench /usr/bin/time
out=results/fidelity-bench.txt
stage_begin
go test -c -o "$tmp/suite.test" ./suite
cmd=(suite.test -test.run '^$' -test.bench '^BenchmarkFidelity$' -test.benchtime 1x -test.count 1 -test.timeout 60m)
{
	echo "# command: go test -c -o suite.test ./suite && (cd suite && $(shell_words /usr/bin/time -v "${cmd[@]}"))"
	echo "# machine: $(cpu_cores), $(mem_total), $(go version)"
	echo "# commit: $(head_commit)"
	echo "# load before: $(load_now)"
	(cd suite && /usr/bin/time -v -o "$tmp/time" "$tmp/${cmd[0]}" "${cmd[@]:1}") | grep -Ev '^(PASS|ok)'
	echo "# wall: $(sed -n 's/^\s*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time")"
	echo "# max-rss-kB: $(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$tmp/time")"
	echo "# load after: $(load_now)"
} | tee "$(staged "$out")"
stage_commit
