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
# runs diverged (a NaN loss within the first epoch, at the recipe's
# learning rate 0.1): the unclipped straight-through estimator on the
# activations lets gradients through activations of any size, likely the
# instability arXiv 1903.05662 describes; w=identity/a=ste, not run here,
# would put it on the latent weights alone and tell which side diverges.
# Finished runs are skipped, so running it
# again after an interruption resumes; when every run is recorded (as
# in the repository), it trains nothing and makes only table.md,
# curves.svg and bench.txt again, and machine.txt keeps the session that
# trained the runs (every session that trained some, when one was
# interrupted). The runs are trained one cell at a time (gradbench
# run --cell), which writes only their records into results/quick-since-fda/;
# table.md, curves.svg, bench.txt and, after training, machine.txt are
# then made from the records (gradbench table, as gradbench run makes
# them) in a staging tree and moved into place together, so that a
# failure or an interrupt leaves the committed ones as they were. About
# 5 minutes on the project machine; it needs Fashion-MNIST (apt-get
# install dataset-fashion-mnist).
#
# Usage: results/quick-since-fda.sh   (no arguments: the command above is the record's)
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
args_at_most quick-since-fda 0 "$@"
out=results/quick-since-fda
estimators=reste,rbnn,identity,ste
sweep=(--estimators "$estimators" --recipe quick --seeds 3 --out "$out")
cmd=(run "${sweep[@]}")
mkdir -p "$out"
# go run, so that the records carry the commit of this checkout.
gb() { go run ./cmd/gradbench "$@"; }
# gradbench plan lists the cells without a record under a heading line,
# each line starting with the cell's index.
cells=$(gb plan "${sweep[@]}" --pending --quiet | tail -n +2 | awk '{ print $1 }')
stage_begin
# The sessions that trained runs: each adds its lines to sessions.tmp,
# which a session that does not finish leaves for the next one (it
# resumes the runs), so that machine.txt names every session that
# trained them; it becomes machine.txt with the table.
session=$out/sessions.tmp
if [ -z "$cells" ] && [ -f "$session" ]; then
	echo "results/quick-since-fda.sh: every run is recorded in $out; the sessions that trained them ($session) become its machine.txt" >&2
	cp "$session" "$(staged "$out/machine.txt")"
elif [ -z "$cells" ]; then
	echo "results/quick-since-fda.sh: every run is recorded in $out, so nothing is trained: only its table.md, curves.svg and bench.txt are made again, and machine.txt is left as it is" >&2
else
	[ ! -f "$session" ] || echo >>"$session"
	{
		echo "command: $(shell_words gradbench "${cmd[@]}")"
		echo "machine: $(uname -srm); $(cpu_model); $(nproc) cores"
		echo "go: $(go version)"
		echo "load before: $(load_now)"
	} >>"$session"
	# What gradbench run says before it trains: the expected time.
	gb plan "${sweep[@]}" --estimate --quiet >/dev/null
	for c in $cells; do
		gb run "${sweep[@]}" --cell "$c"
	done
	echo "load after: $(load_now)" >>"$session"
	cp "$session" "$(staged "$out/machine.txt")"
fi
# The sweep's table, curves and benchmark lines, as gradbench run writes
# them after the sweep, by gradbench table run in the staging tree, so
# that it names the files it writes as they are committed; it reads the
# records where they are.
go build -o "$tmp/gradbench" ./cmd/gradbench
runs=$PWD/$out
table=$(staged "$out/table.md")
(cd "$stage" && "$tmp/gradbench" table --runs "$runs" --estimators "$estimators" --curves "$out/curves.svg" --bench "$out/bench.txt") >"$table"
stage_commit
rm -f "$session"
cat "$out/table.md"
echo "wrote $out/table.md, $out/curves.svg, $out/bench.txt${cells:+ and $out/machine.txt}" >&2
