#!/usr/bin/env bash
# Runs the XNOR-popcount inference benchmarks (bench/xnor_test.go: the
# binary convolution of every ResNet-20 and ResNet-18 3x3 layer shape at
# batch 1 and 16, and whole binary ResNet-20 at batch 1 and 100, each next to
# the training engine's float version, impl=float: for the whole model its
# binary convolutions on nn's float path; and the whole model also next to
# the engine's default forward pass, impl=engine, whose binary convolutions
# run on the XNOR kernels) in two builds, both with
# GOEXPERIMENT=simd so that every implementation of package xnor this CPU
# runs is timed side by side: impl=go (portable), avx2 and avx512 (the
# default build's assembly kernels) and simd (the AVX-512 kernels with
# their own packing and archsimd output transforms):
#   - GOEXPERIMENT=simd: the float side uses the default build's GEMM (the
#     Go-assembly kernels the CPU runs, avx512 or avx2, else portable Go:
#     gemm= in the benchmark names);
#   - GOEXPERIMENT=simd -tags openblas: the float side uses OpenBLAS.
# It saves the raw output under results/ (inference-go.txt,
# inference-openblas.txt) and generates results/inference.md with
# bench/cmd/benchreport, checking the targets of the xnor issue on
# impl=simd: the binary convolution at least 10x faster than the float one
# on the ResNet-18 shapes, whole-model ResNet-20 at least 5x faster. With
# -count=10 it takes about 30 minutes on 2 cores: run it on a quiet machine
# (check `cat /proc/loadavg`).
# Arguments are passed to go test, e.g. `results/inference.sh -benchtime=10x
# -count=1` for a quick try (then do not commit the output).
#
# With RUN set to a finished run's record (such as
# RUN=results/runs/<key>.json, a ResNet-20 trained by `gradbench run` on
# Fashion-MNIST), it also packs that run with gradbench export and appends
# gradbench eval's comparison on the whole test set (accuracy of the float
# and the packed network, equal predictions, times) to the report; a RUN
# that is no <key>.json with its weights beside it is refused before the
# benchmarks start. The packed model goes to results/<key>.gbnn.
#
# Every file it writes is written in a staging tree and moved into
# results/ together with the others once all are, so that a failure or an
# interrupt leaves the committed ones as they were.
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
# RUN is checked before the benchmarks, not after them. A relative RUN
# is a path from where the script was started (caller_path); run_path is
# the record's, from the repository's top when it lies below it (as the
# report shows it), else absolute.
if [ -n "${RUN+x}" ]; then
	if ! [[ ${RUN##*/} =~ ^[0-9a-f]{16}\.json$ ]]; then
		echo "results/inference.sh: RUN is a finished run's record <key>.json (such as results/fmnist-10/498b8aff7402f0eb.json), got '$RUN'" >&2
		exit 2
	fi
	run_path=$(caller_path "$RUN")
	run_path=${run_path#"$PWD/"}
	if [ ! -f "$run_path" ]; then
		echo "results/inference.sh: RUN '$RUN': no such record" >&2
		exit 2
	fi
	if [ ! -f "${run_path%.json}.weights" ]; then
		echo "results/inference.sh: RUN '$RUN' has no final weights ${RUN%.json}.weights beside it to pack" >&2
		exit 2
	fi
fi
bench_args inference "$@"
bench='^Benchmark(BinaryConv|Inference)$'
stage_begin
build_benchreport
need_openblas inference GOEXPERIMENT=simd
# gradbench export and eval run in the staging tree too, so that they name
# the packed model as committed. They are built here, before the
# benchmarks, with the flags of the go run commands the report shows
# (which would need the module's directory); the record is named for
# them by its absolute path (lib.sh made a relative $GRADBENCH_DATA
# absolute).
if [ -n "${RUN+x}" ]; then
	go build -o "$tmp/gradbench" ./cmd/gradbench
	GOEXPERIMENT=simd go build -tags openblas -o "$tmp/gradbench-simd-openblas" ./cmd/gradbench
	case $run_path in /*) run_abs=$run_path ;; *) run_abs=$PWD/$run_path ;; esac
fi

run() { # output build [go test flags]
	local out=$1 build=$2
	shift 2
	bench_record "$build" GOEXPERIMENT=simd -- \
		"$@" -run '^$' -bench "$bench" "${args[@]}" ./bench >"$(staged "$out")"
}

run results/inference-go.txt "GOEXPERIMENT=simd (float: the default build's GEMM, named by gemm= in the benchmark names)"
run results/inference-openblas.txt "GOEXPERIMENT=simd -tags openblas (float: OpenBLAS sgemm)" -tags openblas

targets=()
for shape in 64x56x56-o64-k3s1 128x28x28-o128-k3s1 256x14x14-o256-k3s1 512x7x7-o512-k3s1; do
	for batch in 1 16; do
		f=".name:BinaryConv /shape:\"$shape\" /batch:$batch"
		targets+=(-target "$f /impl:simd :: $f /impl:float: ratio <= 0.1")
	done
done
for batch in 1 100; do
	f=".name:Inference /model:resnet20 /batch:$batch"
	targets+=(-target "$f /impl:simd :: $f /impl:float: ratio <= 0.2")
done
# The report is on stdout, so that the command it names is the one that
# prints it, followed by the packed model's section.
benchreport -title "XNOR-popcount inference" -elements none -ignore gemm \
	"${targets[@]}" puregofloat=results/inference-go.txt openblasfloat=results/inference-openblas.txt >"$(staged results/inference.md)"

if [ -n "${RUN+x}" ]; then
	key=$(basename "$RUN" .json)
	model="results/$key.gbnn"
	export_cmd=(go run ./cmd/gradbench export --run "$run_path" --out "$model")
	eval_cmd=(env GOEXPERIMENT=simd go run -tags openblas ./cmd/gradbench eval --model "$model")
	# export says which file it wrote on stderr and the sizes on stdout:
	# the report shows both, as a terminal does.
	exported=$(cd "$stage" && "$tmp/gradbench" export --run "$run_abs" --out "$model" 2>&1)
	evaluated=$(cd "$stage" && "$tmp/gradbench-simd-openblas" eval --model "$model")
	{
		printf '\n## Packed model\n\nMade by\n\n```sh\n%s\n%s\n```\n\n' "$(shell_words "${export_cmd[@]}")" "$(shell_words "${eval_cmd[@]}")"
		printf '```\n%s\n```\n\n%s\n' "$exported" "$evaluated"
		cat <<'NOTE'

The packed network folds each BatchNorm into one multiply-add per channel,
which rounds differently from nn's BatchNorm: its binary codes are exactly
the signs of its own float transform, but a pre-activation within rounding
of zero can take the other sign than in the float network, and the change
propagates through the later layers. Only such sign changes move a logit
by more than rounding, as the largest logit difference above does; the
acceptance criterion is equal predictions.
NOTE
	} >>"$stage/results/inference.md"
fi
stage_commit
echo "wrote results/inference.md and its inputs"
