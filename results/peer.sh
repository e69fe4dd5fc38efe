#!/usr/bin/env bash
# Compares gradbench's training step with PyTorch's in one window: the
# binary ResNet-20 step of BenchmarkTrainStep (bench/train_test.go; batch
# 128 of 1×28×28 images, estimators ste, fda and fda+na) alternated with
# the same network in PyTorch (bench/peer/resnet20.py, Debian's
# python3-torch, which the script installs with apt-get, through sudo
# when not root, if /usr/bin/python3 cannot import torch), PAIRS times
# (default 7), gradbench first in odd pairs and PyTorch first in even
# ones. Both use as many threads as the machine
# has cores (nproc): GOMAXPROCS for gradbench, torch.set_num_threads for
# PyTorch; every result line is checked to name that count. Before
# timing, it checks that the two networks are the same (bench/peer:
# parameter counts per layer, and one forward and backward pass from
# gradbench's weights).
#
# It writes results/peer.txt (the raw runs, Go benchmark format) and
# results/peer.md (the ratios, run by run: bench/cmd/benchreport -paired,
# the machine's load before and after, the check). About 25 s per pair on
# the 2-core project machine: run it on a quiet machine.
#
# Usage: results/peer.sh [PAIRS]   (at least 5, 7 by default; no shorter try:
# about 25 s a pair, 2 to 3 minutes at the least)
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
args_at_most peer 1 "$@"
pairs=7
[ $# -eq 0 ] || pairs=$1
whole_arg peer PAIRS 5 "$pairs"
py=/usr/bin/python3 # Debian's interpreter, which python3-torch installs into
# Without PyTorch there, the script installs Debian's package, saying so
# first; where it cannot (no apt-get, no sudo, no network), it says what
# the comparison needs before it builds anything.
if ! "$py" -c 'import torch' 2>/dev/null; then
	echo "results/peer.sh: PyTorch is not installed for $py: installing Debian's python3-torch (apt-get update, apt-get install python3-torch)" >&2
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	if ! { $sudo apt-get update && $sudo apt-get install -y python3-torch && "$py" -c 'import torch'; }; then
		echo "results/peer.sh: needs PyTorch for $py (Debian's python3-torch), which could not be installed: install it (apt-get install python3-torch), then run the script again" >&2
		exit 2
	fi
fi

tmp_dir
stage_begin
# Build before the window, so that no compilation runs inside it.
go test -c -o "$tmp/bench.test" ./bench
go build -o "$tmp/peer" ./bench/peer
build_benchreport

ests=ste,fda,fda+na
# One thread count for both: Go's default GOMAXPROCS is the machine's
# cores, and PyTorch at a fixed 2 threads on a larger machine would be
# timed on fewer cores than gradbench.
threads=$(nproc)
check=$tmp/check.txt
for est in ${ests//,/ }; do
	"$tmp/peer" -est "$est" -o "$tmp/$est.state"
	"$py" bench/peer/resnet20.py --check "$tmp/$est.state" >"$tmp/$est.check" || {
		cat "$tmp/$est.check"
		exit 1
	}
	{
		echo "\$ go run ./bench/peer -est $est -o $est.state && bench/peer/resnet20.py --check $est.state"
		cat "$tmp/$est.check"
		echo
	} >>"$check"
done

gobench=(-test.run '^$' -test.bench 'TrainStep/model=resnet20/est=(ste|fda|fda\+na)$' -test.count 1 -test.benchtime 2s)
out=$tmp/peer.txt
load_before=$(load_now)
{
	echo "command: results/peer.sh $pairs"
	echo "machine: $(cpu_cores)"
	echo "commit: $(head_commit)"
	echo "go: $(go version)"
	echo "gradbench: go test -c ./bench && GOMAXPROCS=$threads bench.test $(shell_words "${gobench[@]}")"
	echo "pytorch: bench/peer/resnet20.py --est $ests --batch 128 --threads $threads --benchtime 2"
	echo "load-before: $load_before"
} >"$out"
commit=$(head_commit)
for i in $(seq 1 "$pairs"); do
	go_run() { (cd bench && GOMAXPROCS=$threads "$tmp/bench.test" "${gobench[@]}") | grep -Ev '^(PASS|ok)'; }
	py_run() { "$py" bench/peer/resnet20.py --est "$ests" --batch 128 --threads "$threads" --benchtime 2; }
	echo "pair: $i" >>"$out"
	if [ $((i % 2)) = 1 ]; then
		go_run >"$tmp/pair.txt"
		py_run >>"$tmp/pair.txt"
	else
		py_run >"$tmp/pair.txt"
		go_run >>"$tmp/pair.txt"
	fi
	# Six results, each ending in -<threads> (Go's GOMAXPROCS suffix,
	# which Go leaves out for 1, and resnet20.py's pytorch-<threads>): a
	# step timed on another number of threads than the other side's is
	# refused, not compared.
	awk -v t="$threads" '/^Benchmark/ { n++; if ($1 !~ ("-" t "$") && !(t == 1 && $1 !~ /-[0-9]+$/)) { print "results/peer.sh: " $1 " ran on other than " t " threads" > "/dev/stderr"; bad = 1 } }
		END { if (n != 6) { print "results/peer.sh: " n " results in pair, want 6" > "/dev/stderr"; bad = 1 }; exit bad }' "$tmp/pair.txt"
	cat "$tmp/pair.txt" >>"$out"
	echo "pair $i of $pairs done" >&2
done
load_after=$(load_now)
echo "load-after: $load_after" >>"$out"
mv "$out" "$(staged results/peer.txt)"

step='.name:TrainStep /model:resnet20 /batch:128'
ours='-/peer:pytorch'
torch='/peer:pytorch'
# The report is on stdout, so that the command it names is the one that
# prints it, followed by its notes.
benchreport -paired -title "gradbench against PyTorch, same window" -elements none -ignore gemm \
	-target "$step /est:ste $ours :: $step /est:ste $torch: ratio <= 0.6" \
	-target "$step /est:fda $ours :: $step /est:ste $ours: ratio <= 1.05" \
	-target "$step /est:\"fda+na\" $ours :: $step /est:ste $torch: ratio <= 0.85" \
	-target "$step /est:fda $ours :: $step /est:fda $torch: ratio <= 1" \
	-target "$step /est:\"fda+na\" $ours :: $step /est:\"fda+na\" $torch: ratio <= 1" \
	-target "$step /est:fda $torch :: $step /est:ste $torch: ratio <= 1.8" \
	peer=results/peer.txt >"$(staged results/peer.md)"
{
	cat <<NOTE

## How it was measured

Each pair runs gradbench's BenchmarkTrainStep for ste, fda and fda+na (one
process, GOMAXPROCS = the machine's cores, $threads; ns/op over at least 2 s
of steps after one untimed step) and the same three steps in PyTorch (one
process, torch.set_num_threads($threads); the mean over at least 2 s of steps
after three untimed ones), gradbench first in odd pairs and PyTorch first in even
ones. The targets are issue 12's goals (the first three) and the ordering
they imply; the PyTorch FDA step is the closed form
(2ω/π)·sin(2Nθ)/sin θ, as gradbench's kernel computes it, not the sum of
n+1 cosines.

Commit measured: \`$commit\`

Load before: \`$load_before\`

Load after: \`$load_after\`

## The same network

Before timing, \`bench/peer\` (Go) writes gradbench's network after two SGD
steps (parameters, BatchNorm statistics), a batch of 8 images, the inputs
of the 18 binary convolutions and what gradbench computes from them in one
training-mode step (logits, loss, every gradient, the new running
statistics); \`bench/peer/resnet20.py --check\` loads the weights into its
PyTorch network (in float64), takes each binary layer's sign and
estimator gradient at gradbench's input of that layer (so that a value
within rounding of 0 or of the clip ±1 cannot fall on different sides in
the two engines) and compares:

\`\`\`
NOTE
	cat "$check"
	echo '```'
} >>"$stage/results/peer.md"
stage_commit
echo "wrote results/peer.txt and results/peer.md" >&2
