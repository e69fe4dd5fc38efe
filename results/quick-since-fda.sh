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
# again after an interruption resumes. About 5 minutes on the project
# machine; it needs Fashion-MNIST (apt-get install dataset-fashion-mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
out=results/quick-since-fda
cmd=(run --estimators reste,rbnn,identity,ste --recipe quick --seeds 3 --out "$out")
mkdir -p "$out"
{
	echo "command: gradbench ${cmd[*]}"
	echo "machine: $(uname -srm); $(cpu_model); $(nproc) cores"
	echo "go: $(go version)"
	echo "load before: $(uptime)"
} >"$out/machine.txt.tmp"
# go run, so that the records carry the commit of this checkout.
go run ./cmd/gradbench "${cmd[@]}" "$@"
echo "load after: $(uptime)" >>"$out/machine.txt.tmp"
mv "$out/machine.txt.tmp" "$out/machine.txt"
