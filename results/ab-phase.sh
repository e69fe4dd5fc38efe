#!/usr/bin/env bash
# Compares the phase grid's moves of the current code with a BASE
# commit's in one window: nn's BenchmarkPhaseGrid (the fill, the fill
# with the codes, and the reverse, at ResNet-20's two stride-2
# convolutions, 64 images), built at both (BASE with the current
# nn/convphase_bench_test.go copied in), the two processes alternated
# RUNS times (6 by default). Writes results/ab-phase-LABEL.txt (the runs,
# with the command, the commits, the Go version and the load before and
# after) and results/ab-phase-LABEL.md (benchstat's comparison, base
# against current). Under a minute on the 2-core project machine.
#
# Usage: results/ab-phase.sh LABEL BASE [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
ab_args ab-phase "$@"
build_ab "$base" nn nn/convphase_bench_test.go
ab_window ab-phase nn "Phase grid moves: current code against $base" \
	"The two builds alternated $runs times in one window, 100 iterations a run; see the file for the machine and the load." \
	-test.run '^$' -test.bench '^BenchmarkPhaseGrid$' -test.benchtime 100x -test.count 1
