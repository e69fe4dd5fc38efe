#!/usr/bin/env bash
# How much the step's kernels slow each other when both cores run the same
# kernel at the same moment, as the two cores of a 2-core training step do
# (both work on the same layer's same phase, each on its own images):
# each kernel on one core, alone and as two such processes started
# together, one per core, alternated RUNS times (6 by default) in one
# window. The kernels:
#   - the binary convolutions' input-gradient and weight-gradient products
#     of one grid group (by the tables, the default on this CPU, and by the
#     GEMM; BenchmarkBinaryInputGrad and BenchmarkBinaryWeightGrad of
#     package nn, resnet20's first-stage shape 16×32×32) and a 256³ GEMM
#     (BenchmarkGEMM): work that stays in a core's own caches;
#   - a whole first-stage binary convolution's backward pass with the
#     residual addition, batch 128 (BenchmarkBinaryConvBackwardAdd,
#     pass=fused: about 25 MB of batch tensors), the STE backward kernel
#     over 2^20 values (BenchmarkBackward: two arrays read, one written)
#     and a 12 MB copy (BenchmarkCopy): work that streams from memory.
# The pair shares no data and no code page that is written, so its
# slow-down is what the cores themselves lose when both run that kernel
# (shared cache, memory bandwidth, clock, the host): results/contention.sh
# measures the same for whole steps, whose phases the two processes do
# not run in step.
# Writes results/kernelpair.txt (the runs, with the command, the machine,
# the commit, the Go version and the load before and after; config line
# "mode: alone" or "mode: pair") and results/kernelpair.md (benchstat's
# comparison). About 4 minutes with 8 runs on the 2-core project machine:
# run it on a quiet machine.
#
# Usage: results/kernelpair.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
args_at_most kernelpair 1 "$@"
runs_arg kernelpair 6 "${@:1:1}"
tmp_dir
stage_begin
go test -c -o "$tmp/nn.test" ./nn
go test -c -o "$tmp/bench.test" ./bench
nnargs=(-test.run '^$' -test.bench 'Binary(Input|Weight)Grad/shape=16x32x32/path=(gemm|lut-avx512)$|BinaryConvBackwardAdd/pass=fused$' -test.benchtime 0.3s -test.count 1)
gemmargs=(-test.run '^$' -test.bench 'GEMM/m=256/|Backward/est=ste/n=1048576/impl=fast$|Copy/n=1048576/bytes=12$' -test.benchtime 0.3s -test.count 1)
kernels() {
	(cd nn && GOMAXPROCS=1 "$tmp/nn.test" "${nnargs[@]}") | grep -Ev '^(PASS|ok)'
	# BenchmarkBackward prints the estimators' kernel set as a line that
	# benchstat would read as a configuration key of the lines after it.
	(cd bench && GOMAXPROCS=1 "$tmp/bench.test" "${gemmargs[@]}") | grep -Ev '^(PASS|ok|estimators:)'
}
out=results/kernelpair.txt
cmd=$(shell_words results/kernelpair.sh "$@")
{
	record_head "$cmd"
	echo "run: (cd nn && GOMAXPROCS=1 nn.test $(shell_words "${nnargs[@]}")); (cd bench && GOMAXPROCS=1 bench.test $(shell_words "${gemmargs[@]}"))"
	alone_and_pair "$runs" kernels
	echo "load-after: $(load_now)"
} >"$(staged "$out")"
alone_and_pair_md kernelpair "The same kernel on both cores at once: one core alone against two" "$cmd" \
	"One-core runs (GOMAXPROCS=1) of one grid group's products and of kernels that stream" \
	"batch-sized tensors from memory (see results/kernelpair.sh), a process alone or two" \
	"together (both counted), alternated $runs times in one window; see the file for the" \
	"machine and the load."
