#!/usr/bin/env bash
# How much two cores slow each other when both train: BenchmarkTrainStep
# (resnet20, batch 128, ste, 8 steps a run) on one core (GOMAXPROCS=1),
# alone, and as two such processes started together, one per core; the
# two alternate RUNS times (6 by default) in one window. The pair shares
# no work, so its slow-down is what the cores themselves lose when both
# run (shared cache, memory bandwidth, clock): the ceiling of the
# 2-core step's speed-up in results/threads.md is 2 over it. Writes
# results/contention.txt (the runs, with the command, the machine, the
# commit, the Go version and the load before and after; config line
# "mode: alone" or "mode: pair") and results/contention.md (benchstat's
# comparison). About 3 minutes on the 2-core project machine: run it on a
# quiet machine.
#
# Usage: results/contention.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
args_at_most contention 1 "$@"
runs_arg contention 6 "${@:1:1}"
tmp_dir
stage_begin
go test -c -o "$tmp/bench.test" ./bench
args=(-test.run '^$' -test.bench 'TrainStep/model=resnet20/est=ste/' -test.benchtime 8x -test.count 1)
step() { (cd bench && GOMAXPROCS=1 "$tmp/bench.test" "${args[@]}") | grep -Ev '^(PASS|ok)'; }
out=results/contention.txt
cmd=$(shell_words results/contention.sh "$@")
{
	record_head "$cmd"
	echo "run: (cd bench && GOMAXPROCS=1 bench.test $(shell_words "${args[@]}"))"
	alone_and_pair "$runs" step
	echo "load-after: $(load_now)"
} >"$(staged "$out")"
alone_and_pair_md contention "Two cores training at once: one core alone against two" "$cmd" \
	"One-core steps (GOMAXPROCS=1), a process alone or two together (both counted)," \
	"alternated $runs times in one window; see the file for the machine and the load."
