#!/usr/bin/env bash
# Compares the training step of the current code with a BASE commit's in
# one window: BenchmarkTrainStep (resnet20, batch 128, ste and fda+na, 8
# steps a run) built at both, the two processes alternated RUNS times (6
# by default), so that the machine's load drifts alike for both. Writes
# results/ab-step-LABEL.txt (the runs, with the command, the commits, the
# Go version and the load before and after) and results/ab-step-LABEL.md
# (benchstat's comparison, base against current). About 3 minutes on the
# 2-core project machine: run it on a quiet machine.
#
# Usage: results/ab-step.sh LABEL BASE [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
ab_args ab-step "$@"
build_ab "$base" bench
ab_window ab-step bench "Training step: current code against $base" \
	"The two builds alternated $runs times in one window, 8 steps a run; see the file for the machine and the load." \
	-test.run '^$' -test.bench 'TrainStep/model=resnet20/est=(ste|fda\+na)/' -test.benchtime 8x -test.count 1
