#!/usr/bin/env bash
# Runs the estimator kernel benchmarks for the default build (the Go-assembly
# kernels the CPU can run: AVX-512, else AVX2+FMA) and for GOEXPERIMENT=simd
# with its archsimd AVX-512 kernels (-estimators.impl=simd; that build's
# default is the assembly too), saves the raw output under results/
# (kernels.txt, kernels-simd.txt; the "estimators:" line names the kernels
# that ran) and generates results/kernels.md from it
# with bench/cmd/benchreport. With -count=10 it runs 2 x 120 benchmarks ten
# times, about 45 minutes on 2 cores (-benchtime=0.5s halves that): run it
# on a quiet machine (check `uptime`). Arguments are passed to go test,
# e.g. `results/kernels.sh -benchtime=100x -count=1` for a quick try (then
# do not commit the output).
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
case " $* " in *" -count="*) ;; *) args=(-count=10 "${args[@]}") ;; esac
bench='^Benchmark(Backward|Forward|Copy)$'

run() { # output build test-binary-flags [VAR=value ...]
	local out=$1 build=$2 flags=$3
	shift 3
	{
		echo "command: ${*:+$* }go test -run '^\$' -bench '$bench' ${args[*]} ./bench${flags:+ $flags}"
		echo "build: $build"
		echo "go: $(env "$@" go version)"
		env "$@" go test -run '^$' -bench "$bench" "${args[@]}" ./bench $flags
	} >"$out.tmp"
	mv "$out.tmp" "$out"
}

run results/kernels.txt "default (Go-assembly estimator kernels)" ""
run results/kernels-simd.txt "GOEXPERIMENT=simd (archsimd AVX-512 estimator kernels)" -estimators.impl=simd GOEXPERIMENT=simd

fast='.name:Backward /impl:fast /n:1048576'
go run ./bench/cmd/benchreport -o results/kernels.md -title "Estimator kernels" \
	-target "$fast /est:(ste OR approxsign): ns/elem < 0.5" \
	-target "$fast /est:(dsq OR bnnplus OR ede OR \"fda:n=1\" OR \"fda:n=9\" OR \"fda:n=18\"): ns/elem < 1.0" \
	-target "$fast /est:\"fda:n=18\" :: $fast /est:\"fda:n=1\": ratio <= 1.2" \
	default=results/kernels.txt simd=results/kernels-simd.txt
echo "wrote results/kernels.md"
