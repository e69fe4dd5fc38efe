#!/usr/bin/env bash
# Gradient fidelity (issue 14) of the standard study's seven estimators
# along the fmnist-10 STE run: its initial state, after epoch 5 and after
# epoch 10, at gradbench fidelity's defaults (evaluation batch 512, 64
# weights per stratum and binary layer, 1000 bootstrap resamples); then of
# the fda and fda+na runs of results/fmnist-10 at their final weights.
#
# The committed STE run (results/fmnist-10/91db0da5c016bcf8) kept only its
# final weights, so the script first trains the same run again with
# --keep-epochs in results/fidelity/runs (same configuration, same key;
# about 22 minutes on the 2-core project machine), then measures (about 8
# minutes per state). Writes results/fidelity/*.md, *.svg, *-bench.txt and
# results/fidelity.md (the tables with the command, machine and wall
# times).
#
# Usage: results/fidelity.sh
#        ENDS=1 results/fidelity.sh   # no retraining: the committed STE run at its
#                                     # initial and final states only (about 16 minutes)
#        RECIPE=tiny.json EPOCHS=0,1,2 results/fidelity.sh   # a quick check of the script
set -euo pipefail
recipe=${RECIPE:-fmnist-10}
epochs=${EPOCHS:-0,5,10}
mid=$(echo "$epochs" | cut -d, -f2)
cd "$(dirname "$0")/.."
. results/lib.sh
est=ste,approxsign,dsq,bnnplus,ede,fda,fda+na
out=results/fidelity
mkdir -p "$out"
go build -o "$out/gradbench.bin" ./cmd/gradbench
trap 'rm -f "$out/gradbench.bin"' EXIT
gb=$out/gradbench.bin
md=results/fidelity.md
{
	echo "# Gradient fidelity along the fmnist-10 STE run"
	echo
	echo "Made by results/fidelity.sh at commit $(git rev-parse --short HEAD) on $(cpu_cores), $(go version | cut -d' ' -f3)."
	echo
} >"$md"
measure() { # name, then the flags of gradbench fidelity
	local name=$1
	shift
	local t=$(date +%s)
	"$gb" fidelity --quiet --estimators "$est" --out "$out/$name" "$@" >/dev/null
	{
		echo "## $name"
		echo
		echo "\`gradbench fidelity --estimators $est $*\`: $(($(date +%s) - t)) s wall time."
		echo
		cat "$out/$name/fidelity.md"
		echo
		echo "![flip fidelity per layer](fidelity/$name/fidelity.svg) ![agreement](fidelity/$name/fidelity-agreement.svg)"
		echo
	} >>"$md"
}
if [ -n "${ENDS:-}" ]; then
	key=91db0da5c016bcf8
	echo "The committed STE run (results/fmnist-10/$key) at its initial state and its final weights only (ENDS=1: no retraining, so no mid state, and the fda and fda+na runs are not measured)." >>"$md"
	echo >>"$md"
	measure ste-ends --run "results/fmnist-10/$key.json" --epochs 0,10
	exit 0
fi
t0=$(date +%s)
"$gb" run --recipe "$recipe" --estimators ste --seeds 1 --keep-epochs --quiet --out "$out/runs" >/dev/null
key=$(basename "$(ls "$out"/runs/*.e"$mid".weights)" .e"$mid".weights)
echo "Training the STE run again with --keep-epochs (\`gradbench run --recipe $recipe --estimators ste --seeds 1 --keep-epochs\`, key $key): $(($(date +%s) - t0)) s." >>"$md"
echo >>"$md"
# final top-1 of a record, for the comparison with the committed run
top1() { python3 -c 'import json,sys; print("%.2f%%" % json.load(open(sys.argv[1]))["final"]["test_top1"])' "$1"; }
if [ "$recipe" = fmnist-10 ] && [ -f results/fmnist-10/$key.json ]; then
	echo "Its final test top-1 is $(top1 "$out/runs/$key.json") against $(top1 "results/fmnist-10/$key.json") in the committed record of the same key: the committed run was made at commit $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["machine"].get("commit","?"))' "results/fmnist-10/$key.json"), before binary convolutions computed their forward pass as s·(integer dot product), which changed its rounding in the last bits, so the two trajectories are alike but not identical." >>"$md"
	echo >>"$md"
fi
measure ste-trajectory --run "$out/runs/$key.json" --epochs "$epochs"
[ "$recipe" = fmnist-10 ] || exit 0
for k in 498b8aff7402f0eb b801e34bb64ac95d; do
	measure "own-$k" --run "results/fmnist-10/$k.json" --epochs 10
done
