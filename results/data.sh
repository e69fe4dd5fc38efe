#!/usr/bin/env bash
# Runs the data package's benchmarks (loading Debian's Fashion-MNIST
# training set; producing training batches of 128 with and without
# augmentation), saves the raw output as results/data.txt and generates
# results/data.md from it with bench/cmd/benchreport. Needs Debian's
# dataset-fashion-mnist (BenchmarkOpenFashionMNIST skips without it).
# Both files are written in a staging tree and moved into results/
# together once both are, so that a failure or an interrupt leaves the
# committed ones as they were.
# With -count=10 it takes about a minute on 2 cores; run it on a quiet
# machine (check `cat /proc/loadavg`). Arguments are passed to go test, e.g.
# `results/data.sh -benchtime=10x -count=1` for a quick try (then do not
# commit the output).
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
bench_args data "$@"
stage_begin
build_benchreport
bench='^Benchmark(OpenFashionMNIST|Loader)$'
bench_record default -- \
	-run '^$' -bench "$bench" "${args[@]}" ./data >"$(staged results/data.txt)"

# Targets: the real training set loads well under 2 s, and a batch costs
# under 2 ms, a small fraction of a training step (hundreds of ms).
benchreport -o results/data.md -title "Datasets and batches" \
	-target '.name:OpenFashionMNIST: ns/op < 2e9' \
	-target '.name:Loader: ns/op < 2e6' \
	default=results/data.txt
stage_commit
echo "wrote results/data.txt and results/data.md"
