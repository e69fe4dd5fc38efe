#!/usr/bin/env bash
# Gradient fidelity (issue 14) of the standard study's seven estimators
# along the fmnist-10 STE run: its initial state, after epoch 5 and after
# epoch 10, at gradbench fidelity's defaults (evaluation batch 512, 64
# weights per stratum and binary layer, 1000 bootstrap resamples); then of
# the fda and fda+na runs of results/fmnist-10 at their final weights.
#
# The committed STE run (results/fmnist-10/91db0da5c016bcf8) kept only its
# final weights, so the script trains the same run again with
# --keep-epochs in results/fidelity/runs (same configuration, same key;
# about 22 minutes on the 2-core Xeon), keeping the weights of the states
# it measures only, then measures (about 3 minutes per state on the Xeon,
# under 2 on the 2-core AMD EPYC). git keeps that run with the weights
# after epochs 5 and 10, so in a clone the script measures it as it is,
# without training: it reuses the run when it holds every state EPOCHS
# names. Writes results/fidelity/*/ (each table's fidelity.md, SVGs and
# fidelity-bench.txt) and results/fidelity.md (the tables with the
# command, machine and wall times).
#
# Usage: results/fidelity.sh
#        ENDS=1 results/fidelity.sh   # no retraining: the committed STE run at its
#                                     # initial and final states only (about 16 minutes)
#        RECIPE=tiny.json EPOCHS=0,1,2 results/fidelity.sh   # a quick check of the script
# (a RECIPE, given, sends everything to results/fidelity-check/ and
# results/fidelity-check.md, which git ignores, instead of the committed
# results/fidelity/ and results/fidelity.md. tiny.json for the quick check,
# about a minute: {"name": "tiny", "model": "resnet20", "dataset":
# "synthetic", "width": 0.125, "epochs": 2, "batch": 16, "optimizer":
# "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "schedule":
# "cosine", "augment": true, "train_subset": 1024, "test_subset": 64};
# its train_subset is above fidelity's evaluation batch, 512.)
# (ENDS is 1 or unset; EPOCHS increasing whole numbers within the recipe's
# epochs; all are checked before anything is built, trained or written,
# and results/fidelity.md and the tables' directories under
# results/fidelity/ are replaced only when every table is made.)
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
args_at_most fidelity 0 "$@"
need fidelity python3
fail() { echo "results/fidelity.sh: $*" >&2; exit 2; }
# An empty ENDS is refused, not read as unset: it would start the
# retraining and every measurement, the longest thing this script does.
ends=false
if [ -n "${ENDS+x}" ]; then
	[ "$ENDS" = 1 ] || fail "ENDS is 1 (the committed run's two ends only) or unset, got '$ENDS'"
	ends=true
fi
if $ends && [ -n "${RECIPE+x}${EPOCHS+x}" ]; then
	fail "ENDS=1 measures the committed fmnist-10 STE run as it is: it takes no RECIPE or EPOCHS"
fi
recipe=${RECIPE-fmnist-10}
epochs=${EPOCHS-0,5,10}
[ -n "$recipe" ] || fail "RECIPE is empty: want a recipe name or file"
# A recipe file (a path, as gradbench reads one: it has a '/' or a '.',
# or is a file where the script was started) is one from where the
# script was started; gradbench runs at the repository's top. A bare
# name that is both a built-in recipe (suite/recipes) and a file there
# is refused, as gradbench refuses it (suite.LoadRecipe): reading either
# would leave the other unread. A bare name that is neither is refused
# here, as gradbench refuses it where it is started: passed on, it
# would name a file at the repository's top, where gradbench runs.
case $recipe in
*/* | *.* | *\\*) recipe=$(caller_path "$recipe") ;;
*)
	if [ -f "suite/recipes/$recipe.json" ]; then
		[ ! -f "$caller_dir/$recipe" ] || fail "RECIPE '$recipe' names both the built-in recipe $recipe and the file $(caller_path "$recipe"): set RECIPE=./$recipe for the file, or run from elsewhere for the built-in one"
	elif [ -f "$caller_dir/$recipe" ]; then
		recipe=$(caller_path "$recipe")
	else
		builtin=
		for f in suite/recipes/*.json; do
			[ ! -f "$f" ] || { f=${f##*/} && builtin+=", ${f%.json}"; }
		done
		fail "RECIPE '$recipe' is neither a built-in recipe (have ${builtin:2}) nor a file where the script was started ($(caller_path "$recipe")): a relative path is read from there"
	fi
	;;
esac
# EPOCHS: whole numbers without leading zeros, increasing, at least two
# (the first and last states of the retrained run and the ones between).
case ,$epochs, in *,,* | *[!0-9,]* | *,0[0-9]*) fail "EPOCHS is a list of whole numbers such as 0,5,10, got '$epochs'" ;; esac
prev=-1 count=0
for e in ${epochs//,/ }; do
	[ "$e" -gt "$prev" ] || fail "EPOCHS must increase, got '$epochs'"
	prev=$e count=$((count + 1))
done
[ "$count" -ge 2 ] || fail "EPOCHS names at least two states, such as 0,10, got '$epochs'"
est=ste,approxsign,dsq,bnnplus,ede,fda,fda+na
out=results/fidelity
[ -z "${RECIPE+x}" ] || out=results/fidelity-check
mkdir -p "$out"
remove_on_exit "$out/gradbench.bin"
build_gradbench fidelity "$out/gradbench.bin"
md=$out.md
# Each measurement's directory and the report are staged and moved into
# results/ together once every one is made (stage_commit), so that a
# failure or an interrupt leaves the committed tables as they were; a
# measurement's directory replaces the committed one whole.
tmp_dir
stage_begin
gb=$out/gradbench.bin
if ! $ends; then
	# The retrained run's key and epochs, from the plan of the same flags,
	# before anything is trained or written (an unknown recipe stops here).
	plan=$("$gb" plan --recipe "$recipe" --estimators ste --seeds 1 --json --out "$out/runs" 2>/dev/null) ||
		fail "RECIPE '$recipe': $("$gb" plan --recipe "$recipe" --estimators ste --seeds 1 --out "$out/runs" 2>&1 >/dev/null | tail -1)"
	read -r key total <<<"$(python3 -c 'import json,sys; c = json.load(sys.stdin)[0]; print(c["key"], c["config"]["epochs"])' <<<"$plan")"
	[ "$prev" -le "$total" ] || fail "EPOCHS '$epochs' goes past the $total epochs of recipe $recipe"
fi
{
	echo "# Gradient fidelity along the fmnist-10 STE run"
	echo
	echo "Made by results/fidelity.sh at commit $(head_commit) on $(cpu_cores), $(go version | cut -d' ' -f3)."
	echo
} >"$(staged "$md")"
measure() { # name, then the flags of gradbench fidelity
	local name=$1
	shift
	local t=$(date +%s)
	stage_dir "$out/$name"
	"$gb" fidelity --quiet --estimators "$est" --out "$stage/$out/$name" "$@" >/dev/null
	{
		echo "## $name"
		echo
		echo "\`$(shell_words gradbench fidelity --estimators "$est" "$@")\`: $(($(date +%s) - t)) s wall time."
		echo
		cat "$stage/$out/$name/fidelity.md"
		echo
		echo "![flip fidelity per layer](${out#results/}/$name/fidelity.svg) ![agreement](${out#results/}/$name/fidelity-agreement.svg)"
		echo
	} >>"$stage/$md"
}
if $ends; then
	key=91db0da5c016bcf8
	echo "The committed STE run (results/fmnist-10/$key) at its initial state and its final weights only (ENDS=1: no retraining, so no mid state, and the fda and fda+na runs are not measured)." >>"$stage/$md"
	echo >>"$stage/$md"
	measure ste-ends --run "results/fmnist-10/$key.json" --epochs 0,10
	stage_commit
	exit 0
fi
# A run this script trained before, with the weights of every mid state
# EPOCHS names, is measured again as it is: gradbench run --keep-epochs
# refuses it, since the weights of the epochs not measured were removed.
kept=true missing=
[ -f "$out/runs/$key.json" ] && [ -f "$out/runs/$key.weights" ] || kept=false
for e in ${epochs//,/ }; do
	[ "$e" -eq 0 ] || [ "$e" -eq "$total" ] || [ -f "$out/runs/$key.e$e.weights" ] || { kept=false missing+=" $e"; }
done
if ! $kept && [ -f "$out/runs/$key.json" ]; then
	fail "$out/runs holds run $key without the weights of epoch(s)$missing, which training cannot add to a finished run: remove $out/runs/$key.* to train it again"
fi
# The training command in the shell's quoting (shell_words): a RECIPE
# file whose path holds a space or a quote is one word when pasted.
train_cmd=$(shell_words gradbench run --recipe "$recipe" --estimators ste --seeds 1 --keep-epochs)
if $kept; then
	echo "The STE run trained again with --keep-epochs (\`$train_cmd\`, key $key) is the one in $out/runs from an earlier run of this script, reused: it holds the weights of every state measured here." >>"$stage/$md"
else
	t0=$(date +%s)
	"$gb" run --recipe "$recipe" --estimators ste --seeds 1 --keep-epochs --quiet --out "$out/runs" >/dev/null
	echo "Training the STE run again with --keep-epochs (\`$train_cmd\`, key $key): $(($(date +%s) - t0)) s." >>"$stage/$md"
	# Only the states measured are kept (a weights file is about 1 MB).
	for f in "$out/runs/$key".e*.weights; do
		e=${f##*.e}
		e=${e%.weights}
		case ,$epochs, in *,$e,*) ;; *) rm -f "$f" ;; esac
	done
fi
echo >>"$stage/$md"
# final top-1 of a record, for the comparison with the committed run
top1() { python3 -c 'import json,sys; print("%.2f%%" % json.load(open(sys.argv[1]))["final"]["test_top1"])' "$1"; }
# where a record was trained: "CPU, GEMM g"
trained_on() { python3 -c 'import json,sys; m = json.load(open(sys.argv[1]))["machine"]; print("%s, GEMM %s" % (m.get("cpu", "?"), m.get("gemm", "?")))' "$1"; }
if [ "$recipe" = fmnist-10 ] && [ -f results/fmnist-10/$key.json ]; then
	committed_on=$(trained_on "results/fmnist-10/$key.json")
	again_on=$(trained_on "$out/runs/$key.json")
	if [ "$committed_on" = "$again_on" ]; then
		also="on the same machine type ($again_on)"
	else
		also="on another machine type ($again_on against $committed_on), whose kernels round differently too: the two runs cannot tell the causes apart"
	fi
	echo "Its final test top-1 is $(top1 "$out/runs/$key.json") against $(top1 "results/fmnist-10/$key.json") in the committed record of the same key: the committed run was made at commit $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["machine"].get("commit","?"))' "results/fmnist-10/$key.json"), before binary convolutions computed their forward pass as s·(integer dot product), which changed its rounding in the last bits, and this one $also, so the two trajectories are alike but not identical." >>"$stage/$md"
	echo >>"$stage/$md"
fi
measure ste-trajectory --run "$out/runs/$key.json" --epochs "$epochs"
if [ "$recipe" = fmnist-10 ]; then
	for k in 498b8aff7402f0eb b801e34bb64ac95d; do
		measure "own-$k" --run "results/fmnist-10/$k.json" --epochs 10
	done
fi
stage_commit
