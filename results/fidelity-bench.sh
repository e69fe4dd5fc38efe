#!/usr/bin/env bash
# The cost of one gradbench fidelity table: BenchmarkFidelity (suite), the
# standard study's seven estimators (ste, approxsign, dsq, bnnplus, ede,
# fda, fda+na) at the initial state of the fmnist-10 network, at the
# defaults (evaluation batch 512, 64 weights per stratum and binary layer,
# 1000 bootstrap resamples), once. Issue 14's target: under 5 minutes on
# the 2-core project machine. About 8 minutes; run it on a quiet machine.
#
# Usage: results/fidelity-bench.sh    # writes results/fidelity-bench.txt
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/fidelity-bench.txt
cmd=(go test -run '^$' -bench '^BenchmarkFidelity$' -benchtime 1x -count 1 -timeout 60m ./suite)
{
	echo "# command: ${cmd[*]}"
	echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores, $(go version)"
	echo "# commit: $(git rev-parse --short HEAD)"
	echo "# load before: $(uptime)"
	"${cmd[@]}"
	echo "# load after: $(uptime)"
} | tee "$out"
