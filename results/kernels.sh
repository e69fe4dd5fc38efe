#!/usr/bin/env bash
# Runs the estimator kernel benchmarks for the default build (the Go-assembly
# kernels the CPU can run: avx512, else avx2) and for the same build with the
# AVX2 kernels (-estimators.impl=avx2, on a CPU that has AVX-512 too; a
# CPU without AVX2 and FMA is refused before the runs), saves
# the raw output under results/ (kernels.txt, kernels-avx2.txt; the
# "estimators:" line names the kernels that ran) and generates
# results/kernels.md from it
# with bench/cmd/benchreport; the three files are written in a staging
# tree and moved into results/ together once all are, so that a failure
# or an interrupt leaves the committed ones as they were. The targets:
# every fast backward kernel under 1 ns/element at 2^20 elements (0.5 for STE and ApproxSign), FDA's cost
# independent of n, and expr at its default formula (ApproxSign's g,
# interpolated from its table) within twice ApproxSign's time. It runs
# 2 x 198 benchmarks -count times (10 unless an argument says otherwise):
# with -count=5 -benchtime=0.2s, what made the committed report, about 8
# minutes on the project machine; the default -benchtime=1s takes about
# five times longer. Run it on a quiet machine (check `cat /proc/loadavg`). Arguments
# are passed to go test, e.g. `results/kernels.sh -benchtime=1x -count=1`
# for a quick try, about a minute and a half on the project machine beside
# other work (then do not commit the output). A count of iterations above
# 1 is no quick try: the reference kernels take up to 0.2 s an iteration
# at 2^20 elements, so that -benchtime=100x -count=1 took 7 minutes there,
# about as long as the committed report's runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
bench_args kernels "$@"
bench='^Benchmark(Backward|Forward|Copy)$'
stage_begin
build_benchreport
# The second pass runs the AVX2 kernels, which a CPU without AVX2 and FMA
# (another architecture, or a build with -tags purego in GOFLAGS) does
# not have: one small benchmark tries them first, so that the script
# stops here, not after the first pass's minutes.
# Where go test's words do not say the kernels are not available (a
# compile error), the script says only that the try failed.
if ! go test -run '^$' -bench '^BenchmarkBackward$/^est=ste$/^n=4096$/^impl=fast$' -benchtime=1x -count=1 ./bench -estimators.impl=avx2 >"$tmp/avx2.txt" 2>&1; then
	cat "$tmp/avx2.txt" >&2
	if grep -q 'implementation "avx2" is not available' "$tmp/avx2.txt"; then
		echo "results/kernels.sh: the AVX2 estimator kernels do not run here (go test's words above): the report sets them beside the default ones, so it needs an amd64 CPU with AVX2 and FMA and a build without -tags purego" >&2
	else
		echo "results/kernels.sh: the try of the AVX2 estimator kernels failed (go test's words above)" >&2
	fi
	exit 2
fi

run() { # output build test-binary-flags [VAR=value ...]
	local out=$1 build=$2 flags=$3
	shift 3
	bench_record "$build" "$@" -- \
		-run '^$' -bench "$bench" "${args[@]}" ./bench ${flags:+"$flags"} >"$(staged "$out")"
}

run results/kernels.txt "default (Go-assembly estimator kernels)" ""
run results/kernels-avx2.txt "default, AVX2 estimator kernels" -estimators.impl=avx2

fast='.name:Backward /impl:fast /n:1048576'
benchreport -o results/kernels.md -title "Estimator kernels" \
	-target "$fast /est:(ste OR approxsign): ns/elem < 0.5" \
	-target "$fast /est:(dsq OR bnnplus OR ede OR \"fda:n=1\" OR \"fda:n=9\" OR \"fda:n=18\"): ns/elem < 1.0" \
	-target "$fast /est:\"fda:n=18\" :: $fast /est:\"fda:n=1\": ratio <= 1.2" \
	-target "$fast /est:(reste OR rbnn OR identity OR biper OR expr): ns/elem < 1.0" \
	-target "$fast /est:expr :: $fast /est:approxsign: ratio <= 2" \
	default=results/kernels.txt avx2=results/kernels-avx2.txt
stage_commit
echo "wrote results/kernels.txt, results/kernels-avx2.txt and results/kernels.md"
