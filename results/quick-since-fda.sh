#!/usr/bin/env bash
# The estimators published since the FDA paper against STE on recipe
# quick (binary ResNet-20 at width 0.5 on 10000 Fashion-MNIST images, 2
# epochs), 3 seeds:
#
#	gradbench run --estimators reste,rbnn,identity,ste --recipe quick --seeds 3 --out results/quick-since-fda
#
# It writes the run records, table.md, curves.svg and bench.txt to
# results/quick-since-fda/ (run weights are not kept in git), and
# machine.txt: the command, the machine, the Go version and the load
# before and after (the records hold the CPU and commit too). The identity
# runs diverge (a NaN loss within the first epoch): the unclipped
# straight-through estimator on the activations lets gradients through
# activations of any size, the instability arXiv 1903.05662 describes;
# w=identity/a=ste puts it on the latent weights alone. Finished runs are skipped, so running it
# again after an interruption resumes; when every run is recorded (as
# in the repository), it trains nothing and makes only table.md,
# curves.svg and bench.txt again, and machine.txt keeps the session that
# trained the runs. About 5 minutes on the project
# machine; it needs Fashion-MNIST (apt-get install dataset-fashion-mnist).
#
# Usage: results/quick-since-fda.sh   (no arguments: the command above is the record's)
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
args_at_most quick-since-fda 0 "$@"
out=results/quick-since-fda
cmd=(run --estimators reste,rbnn,identity,ste --recipe quick --seeds 3 --out "$out")
mkdir -p "$out"
# go run, so that the records carry the commit of this checkout.
gb() { go run ./cmd/gradbench "$@"; }
# gradbench plan lists the cells without a record under a heading line.
pending=$(gb plan "${cmd[@]:1}" --pending --quiet)
if [ "$(tail -n +2 <<<"$pending" | wc -l)" -eq 0 ]; then
	echo "results/quick-since-fda.sh: every run is recorded in $out, so nothing is trained: only its table.md, curves.svg and bench.txt are made again, and machine.txt is left as it is" >&2
	gb "${cmd[@]}"
	exit 0
fi
trap 'rm -f "$out/machine.txt.tmp"' EXIT
{
	echo "command: gradbench ${cmd[*]}"
	echo "machine: $(uname -srm); $(cpu_model); $(nproc) cores"
	echo "go: $(go version)"
	echo "load before: $(uptime)"
} >"$out/machine.txt.tmp"
gb "${cmd[@]}"
echo "load after: $(uptime)" >>"$out/machine.txt.tmp"
mv "$out/machine.txt.tmp" "$out/machine.txt"
