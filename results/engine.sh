#!/usr/bin/env bash
# Runs the training-engine benchmarks (bench/engine_test.go: every ResNet-20
# convolution shape forward and backward, the binary convolution with STE
# and with FDA+NA, the GEMM sizes they make; bench/train_test.go: whole
# training steps) for two builds: default (Go-assembly AVX-512 or AVX2 GEMM
# and Go-assembly estimator kernels, portable Go on other CPUs) and -tags
# openblas (Debian libopenblas-dev for plain products; convolutions stay on
# the assembly kernels where the CPU has AVX2). GOEXPERIMENT=simd is not
# run: it selects the same GEMM and estimator kernels as the default build.
# It saves the raw output under results/ (engine-go.txt,
# engine-openblas.txt) and
# generates results/engine.md with bench/cmd/benchreport; then the GEMM
# kernels on one core (gemm-go.txt, gemm-openblas.txt, results/gemm.md).
# The seven files are written in a staging tree and moved into results/
# together once all are, so that a failure or an interrupt leaves the
# committed ones as they were.
# With -count=10 it takes roughly 30 minutes on 2 cores (measured: 70 s per
# build and count for the engine, about 40 s per count for the GEMM part):
# run it on a quiet machine (check `cat /proc/loadavg`). Arguments are passed to go
# test, e.g.
# `results/engine.sh -benchtime=2x -count=1` for a quick try (then do not
# commit the output).
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
bench_args engine "$@"
bench='^Benchmark(Conv|BinaryConvLayer|BatchNorm|GEMM|TrainStep)$'
pkg=./bench
stage_begin
build_benchreport
need_openblas engine GOFLAGS=

run() { # output build [VAR=value ...] [-- go test flags]; uses $bench, $pkg
	local out=$1 build=$2
	shift 2
	local envs=() flags=()
	while [ $# -gt 0 ]; do
		if [ "$1" = -- ]; then
			shift
			flags=("$@")
			break
		fi
		envs+=("$1")
		shift
	done
	bench_record "$build" "${envs[@]}" -- \
		"${flags[@]}" -run '^$' -bench "$bench" "${args[@]}" "$pkg" >"$(staged "$out")"
}

run results/engine-go.txt "default (Go-assembly GEMM: AVX-512 where the CPU has AVX-512F, else AVX2 where it has AVX2 and FMA, else portable Go)" GOFLAGS=
run results/engine-openblas.txt "-tags openblas (OpenBLAS sgemm, one thread per pool worker; convolutions on the assembly kernels)" GOFLAGS= -- -tags openblas

# PyTorch 1.13 (oneDNN, 2 threads), same network, batch and input, on the
# AMD EPYC the project ran on when the targets were set (at 4085283): 254
# ms per step with STE, 455-644 ms with FDA (the range over its FDA
# implementations); the targets are those times, whatever machine runs
# the script (results/peer.sh times PyTorch beside gradbench).
step='.name:TrainStep /model:resnet20 /batch:128'
# The report is on stdout, so that the command it names is the one that
# prints it, followed by its note.
benchreport -title "Training engine" -elements none -ignore gemm \
	-target "$step /est:ste: ns/op < 254e6" \
	-target "$step /est:(fda OR \"fda+na\"): ns/op < 455e6" \
	go=results/engine-go.txt openblas=results/engine-openblas.txt >"$(staged results/engine.md)"
cat >>"$stage/results/engine.md" <<'NOTE'

## Against PyTorch

The TrainStep targets are PyTorch 1.13's times (oneDNN, 2 threads) for
the same binarized ResNet-20 step (28×28 input, batch 128): 254 ms with
STE and 455–644 ms with FDA, measured when the targets were set (at
4085283, before bench/peer existed) on the 2-core AMD EPYC the project
ran on then, whose records give no family or model. They are not times
of the machine named above, and say nothing of PyTorch on it. The
default build (column go) is the one `gradbench run` uses; -tags openblas
sends the plain matrix products to OpenBLAS, while convolutions use the
assembly kernels (avx512 where the CPU has AVX-512F, else avx2) in both
builds.

Those targets come from separate runs. The comparison to trust is
results/peer.md (made by results/peer.sh): the two steps alternated in
one window, the median ratio of the pairs with its range and the
machine's load. Where the step's time goes, component by component,
before and after each round of work: results/profile.md (made by
results/profile.sh).
NOTE

# One core: the micro-kernels (portable, AVX2 and AVX-512 assembly,
# gonum's Sgemm for comparison), the row-offset products of the
# convolutions and Sgemm under each assembly implementation, and Sgemm with
# OpenBLAS.
bench='^Benchmark(Kernels|Rows|Sgemm)$'
pkg=./gemm
run results/gemm-go.txt "default, GOMAXPROCS=1" GOFLAGS= GOMAXPROCS=1
bench='^BenchmarkSgemm$'
run results/gemm-openblas.txt "-tags openblas, GOMAXPROCS=1" GOFLAGS= GOMAXPROCS=1 -- -tags openblas
benchreport -o results/gemm.md -title "GEMM on one core" -elements none -ignore gemm \
	go=results/gemm-go.txt openblas=results/gemm-openblas.txt
stage_commit
echo "wrote results/engine.md, results/gemm.md and their inputs"
