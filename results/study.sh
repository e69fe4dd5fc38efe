#!/usr/bin/env bash
# The standard study: binary ResNet-20 (width 0.5) on Fashion-MNIST, recipe
# study (5 epochs on 10,000 training images; a 10% validation split held
# out by each seed), estimators ste, approxsign, dsq, bnnplus, ede, fda and
# fda+na, each at its own learning rate chosen on the validation split.
#
# Design (about 300 runs; the budget is printed before anything trains):
#   1. select: every estimator at 0.3, 1 and 3 times the recipe's learning
#      rate (SGD 0.1), seeds 1 and 2 (42 runs); each estimator's rate is
#      the one with the fewest diverged runs over those seeds, then the
#      best mean validation top-1 (gradbench table --ablation lr, among
#      the rates with a finished run); an estimator whose choice lies
#      at the grid's edge gets the next multiplier that way (…, 0.1, 0.3,
#      1, 3, 10, 30) on the same seeds, at most twice, so that no rate is
#      chosen only because the grid stopped there (2 runs per extension,
#      not in the budget below);
#   2. seeds: every estimator at its chosen rate, seeds 3 to 10 (56 runs):
#      with seeds 1 and 2 from step 1, ten paired seeds. The smallest
#      two-sided sign-flip p over n seeds is 2/2^n; Holm's correction for
#      the six comparisons with ste multiplies the smallest by six, so
#      eight seeds are the fewest with which a difference can stay below
#      0.05 after it (6 × 2/256 = 0.047), and ten leave room (0.012);
#   3. sides: each estimator but ste on the latent weights only
#      (w=E/a=ste) and on the activations only (w=ste/a=E), at E's chosen
#      rate, seeds 1 to 10 (120 runs);
#   4. optimizers: ste, approxsign and fda with Adam and with Bop (lr 0.001
#      for Adam and for the parameters beside Bop's, times 0.3, 1 and 3
#      chosen on seeds 1 and 2 the same way, edges extended, then seeds
#      3 to 10 at the choice; 84 runs).
# A study begun with seeds up to 6 (the design before the correction)
# keeps its records: running the script again trains only the seeds
# added.
# Steps 1, 2 and 3 write results/study/runs, step 4 results/study/optimizers.
# Then it writes results/study/tables.md (the main table with the choice
# of learning rates, the same over seeds 3 to 10 alone, which never chose
# a rate, the sides table, the optimizer tables), curves, the
# benchmark lines, and results/study/summary.md: the command, the machine,
# the wall time, and the width of the 95% interval of Δ(fda − ste) per CPU
# hour spent on the runs behind it. Every run is cached by key, so running
# the script again after an interruption, or in another session, trains
# only what is missing (records written by earlier sessions are kept).
#
# Usage: results/study.sh [--budget | --report]   (--budget: print the
# plan and the expected time, train nothing; --report: only regenerate
# the tables, curves, benchmark lines and summary from the records there
# are, without training or adding a session to machine.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
args_at_most study 1 "$@"
budget_only=false report_only=false
case "${1-}" in
--budget) budget_only=true ;;
--report) report_only=true ;;
"") [ $# -eq 0 ] || { echo "usage: results/study.sh [--budget | --report], got ''" >&2; exit 2; } ;;
*) echo "usage: results/study.sh [--budget | --report], got '$1'" >&2; exit 2 ;;
esac
out=results/study
runs=$out/runs
optruns=$out/optimizers
# The lines of this session and of the unfinished ones before it, which
# become machine.txt (see below).
session=$out/sessions.tmp
mkdir -p "$out"
remove_on_exit "$out/.gradbench"
build_gradbench study "$out/.gradbench"
tmp_dir
gb() { "$out/.gradbench" "$@"; }
E7=ste,approxsign,dsq,bnnplus,ede,fda,fda+na
E3=ste,approxsign,fda
grid=0.3,1,3
common=(--recipe study)

# expected SWEEP...: the expected time of one sweep's pending cells, in
# seconds, from gradbench plan --estimate.
expected() {
	gb plan "${common[@]}" "$@" --estimate --quiet 2>&1 >/dev/null | grep '^expected:' || true
}
# choice DIR SPEC [OPT]: "M EDGE", the multiplier the grid chose for SPEC
# in DIR's records (in optimizer OPT's table, SGD's when not given) and
# whether it lies at the grid's "upper" or "lower" edge or "inside" it
# (lr_choice in lib.sh); nothing when SPEC has not run yet.
choice() {
	gb table --runs "$1" --ablation lr --estimators "$2" 2>/dev/null | lr_choice "$2" "${3:-}"
}
chosen() { choice "$@" | cut -d' ' -f1; }
# beyond M EDGE: the next multiplier past M on the grid's half-decade
# ladder (…, 0.1, 0.3, 1, 3, 10, 30) in the direction of EDGE; nothing
# inside the grid or past the ladder's ends.
beyond() {
	local ladder=(0.01 0.03 0.1 0.3 1 3 10 30) i
	for i in "${!ladder[@]}"; do
		[ "${ladder[$i]}" = "$1" ] || continue
		case $2 in
		upper) [ $((i + 1)) -lt ${#ladder[@]} ] && echo "${ladder[$((i + 1))]}" ;;
		lower) [ "$i" -gt 0 ] && echo "${ladder[$((i - 1))]}" ;;
		esac
		return 0
	done
}
# extend DIR SPEC [OPT [OPTFLAGS...]]: while SPEC's choice lies at an edge
# of its grid, run the next multiplier that way on the selection seeds
# (1 and 2), at most twice: a choice at the edge says only that the best
# rate is there or beyond.
extend() {
	local dir=$1 spec=$2 opt=${3:-} n m e next
	shift 3 2>/dev/null || shift $#
	for n in 1 2; do
		read -r m e <<<"$(choice "$dir" "$spec" "$opt")"
		next=$(beyond "$m" "$e")
		[ -n "$next" ] || return 0
		echo "results/study.sh: $spec${opt:+ ($opt)} chose ×$m at the grid's $e edge: running ×$next on seeds 1, 2" >&2
		gb run "${common[@]}" --estimators "$spec" "$@" --lr-grid "$next" --seeds 1,2 --out "$dir" >/dev/null
	done
}

if ! $report_only; then
# The plan and its budget, from gradbench's own estimates (timed training
# steps of each sweep's network, or the finished runs of an earlier
# session). Steps 2-4 are planned at each estimator's chosen multiplier
# once step 1 (or step 4's selection) has chosen it, so that a study
# begun in an earlier session counts only the cells still to train; an
# estimator not chosen yet is planned at the recipe's rate, which trains
# as long (a step's learning rate does not change its time). The
# extensions past a grid's edge are not in the budget.
# estimate_of SWEEP...: "SECONDS PENDING CELLS", the expected seconds and
# the cells still to train of the sweep's cells, from its expected: line
# ("about 1h24m", "about 1m35s", "about 56s" or "under a second").
estimate_of() {
	local d n c
	read -r d n c < <(expected "$@" | sed -nE \
		-e 's/^expected: about ([0-9hms]+) for the ([0-9]+) of ([0-9]+) cells.*/\1 \2 \3/p' \
		-e 's/^expected: under a second for the ([0-9]+) of ([0-9]+) cells.*/0s \1 \2/p' \
		-e 's/.*nothing to train.* the ([0-9]+) cells.*/0s 0 \1/p') || return 0
	echo "$(seconds_of "$d") $n $c"
}
# seconds_of DURATION: the whole seconds of a Go duration such as 1h24m,
# 1m35s or 56s.
seconds_of() {
	local d=$1 t=0
	while [[ $d =~ ^([0-9]+)([hms])(.*)$ ]]; do
		case ${BASH_REMATCH[2]} in
		h) t=$((t + BASH_REMATCH[1] * 3600)) ;;
		m) t=$((t + BASH_REMATCH[1] * 60)) ;;
		s) t=$((t + BASH_REMATCH[1])) ;;
		esac
		d=${BASH_REMATCH[3]}
	done
	echo "$t"
}
# say_budget SECONDS PENDING CELLS: one step's line of the budget.
say_budget() {
	if [ "$2" -eq 0 ]; then
		echo "nothing to train, every one of the $3 cells has a record"
	else
		echo "about $(($1 / 3600)) h $(($1 % 3600 / 60)) min ($1 s) for the $2 of $3 cells still to train"
	fi
}
# at_choice DIR [OPT]: sets m to SPEC's chosen multiplier in DIR (in
# optimizer OPT's table when given), or 1 before any choice (DIR without
# records, or none yet): SPEC is $e.
at_choice() { m=$(chosen "$1" "$e" ${2:+"$2"} || true); m=${m:-1}; }
echo "the standard study, on this machine:"
total=0
# step LABEL: adds the sums s, p and c of the estimate_of calls since
# the last step to the total and prints the step's line.
step() {
	echo "  $1: $(say_budget "$s" "$p" "$c")"
	total=$((total + s))
	s=0 p=0 c=0
}
s=0 p=0 c=0
add() {
	local a b d
	read -r a b d <<<"$(estimate_of "$@")"
	s=$((s + ${a:-0})) p=$((p + ${b:-0})) c=$((c + ${d:-0}))
}
add --estimators $E7 --lr-grid $grid --seeds 1,2 --out $runs
step "1. select learning rates (×0.3, ×1, ×3) on seeds 1, 2"
for e in ${E7//,/ }; do
	at_choice $runs
	add --estimators "$e" --lr-grid "$m" --seeds 3..10 --out $runs
done
step "2. seeds 3..10 at the chosen rates"
for e in ${E7//,/ }; do
	[ "$e" = ste ] && continue
	at_choice $runs
	add --estimators "w=$e/a=ste,w=ste/a=$e" --lr-grid "$m" --seeds 1..10 --out $runs
done
step "3. sides, seeds 1..10"
add --estimators $E3 --optimizers adam,bop --lr-grid $grid --seeds 1,2 --out $optruns
step "4. optimizers: select on seeds 1, 2"
for opt in adam bop; do
	for e in ${E3//,/ }; do
		at_choice $optruns $opt
		add --estimators "$e" --optimizers $opt --lr-grid "$m" --seeds 3..10 --out $optruns
	done
done
step "   optimizers: seeds 3..10 at the chosen rates"
echo "budget: about $((total / 3600)) h $((total % 3600 / 60)) min for what is left of the study"
$budget_only && exit 0

start=$(date +%s)
{
	echo "command: $(shell_words results/study.sh "$@")"
	echo "machine: $(cpu_cores), $(go version)"
	echo "commit: $(head_commit)"
	echo "load-before: $(load_now)"
	echo "started: $(date -u +%FT%TZ)"
} >"$tmp/session.txt"
# Keep the earlier sessions' lines: a study built over several sessions
# lists each (sessions.tmp is left by a session that did not finish, and
# already holds machine.txt's lines). It is not machine.txt.tmp, the
# copy stage_commit makes of the new machine.txt and renames into
# place, which would overwrite it, move it, or remove it as its own when
# interrupted; a machine.txt.tmp that an unfinished session of an
# earlier version of this script left is that session's journal.
if [ ! -f "$session" ] && [ -f "$out/machine.txt.tmp" ]; then
	mv "$out/machine.txt.tmp" "$session"
fi
if [ -f "$session" ]; then
	echo >>"$session"
elif [ -f "$out/machine.txt" ]; then
	{ cat "$out/machine.txt"; echo; } >"$session"
else
	: >"$session"
fi
cat "$tmp/session.txt" >>"$session"

# 1. Select the learning rates on seeds 1 and 2.
gb run "${common[@]}" --estimators $E7 --lr-grid $grid --seeds 1,2 --out $runs >/dev/null
for e in ${E7//,/ }; do extend $runs "$e"; done
# 2. Seeds 3..10 at each estimator's chosen multiplier.
for e in ${E7//,/ }; do
	m=$(chosen $runs "$e")
	[ -n "$m" ] || { echo "results/study.sh: no learning rate chosen for $e (every run diverged, or no seed ran every multiplier: see gradbench table --ablation lr)" >&2; continue; }
	gb run "${common[@]}" --estimators "$e" --lr-grid "$m" --seeds 3..10 --out $runs >/dev/null
done
# 3. Sides, at each estimator's chosen multiplier.
for e in ${E7//,/ }; do
	[ "$e" = ste ] && continue
	m=$(chosen $runs "$e")
	[ -n "$m" ] || continue
	gb run "${common[@]}" --estimators "w=$e/a=ste,w=ste/a=$e" --lr-grid "$m" --seeds 1..10 --out $runs >/dev/null
done
# 4. Optimizers: select on seeds 1 and 2, then seeds 3..10 at the choice.
gb run "${common[@]}" --estimators $E3 --optimizers adam,bop --lr-grid $grid --seeds 1,2 --out $optruns >/dev/null
for opt in adam bop; do
	for e in ${E3//,/ }; do
		extend $optruns "$e" $opt --optimizers $opt
		m=$(chosen $optruns "$e" $opt)
		[ -n "$m" ] || continue
		gb run "${common[@]}" --estimators "$e" --optimizers $opt --lr-grid "$m" --seeds 3..10 --out $optruns >/dev/null
	done
done
fi

# Tables, curves, benchmark lines, the machine and the summary are
# staged and moved into results/study together once all are written: a
# failure or an interrupt leaves the committed ones as they were (and
# sessions.tmp for the next session).
stage_begin
sides=${E7#ste,}
{
	echo "# The standard study"
	echo
	echo "Generated by \`results/study.sh\` from the records in results/study/runs and results/study/optimizers; do not edit."
	echo
	echo "## Estimators at their tuned learning rates (SGD)"
	echo
	gb table --runs $runs --estimators $E7 --curves "$(staged $out/curves.svg)" --bench "$(staged $out/bench.txt)"
	echo
	# The same comparison without the seeds that chose the learning
	# rates: the runs of seeds 1 and 2 at a chosen rate won the choice
	# (on validation, which the test split follows), so the findings are
	# shown again on the seeds the choice never saw.
	echo "## Seeds 3 to 10 alone (never used to choose a learning rate)"
	echo
	gb table --runs $runs --estimators $E7 --seeds 3..10
	echo
	echo "## Each estimator on the weights only, the activations only and both"
	echo
	gb table --runs $runs --ablation sides --estimators "$sides"
	echo
	echo "## Optimizers: Adam and Bop"
	echo
	gb table --runs $optruns --estimators $E3 --curves "$(staged $out/curves-optimizers.svg)" --bench "$(staged $out/bench-optimizers.txt)"
} >"$(staged $out/tables.md)"

# cpu_hours SPECS DIR...: "HOURS CORES", the wall seconds of every epoch
# of the records in DIR... (training and evaluation, the epochs of a run
# that diverged included: it cost them as well) times the cores each run
# had (its machine's, or the size of the worker pool it ran on where
# lower: its GOMAXPROCS in records that do not name the pool), in hours, and the
# core counts that came in; SPECS, when not empty, keeps the records of
# those estimators (comma-separated) alone. Read from the records, not
# bench.txt, which leaves diverged runs out, and not from this machine's
# nproc, which --report may run somewhere else.
cpu_hours() {
	python3 - "$@" <<'PY'
import glob, json, sys
specs = set(filter(None, sys.argv[1].split(",")))
s, cores = 0.0, set()
for d in sys.argv[2:]:
    for f in sorted(glob.glob(d + "/*.json")):
        with open(f) as fh:
            r = json.load(fh)
        if "key" not in r or (specs and r["config"]["estimator"] not in specs):
            continue
        m = r["machine"]
        n = min(m["cores"], m.get("workers") or m.get("gomaxprocs") or m["cores"])
        cores.add(n)
        s += n * sum(e.get("train_seconds", 0) + e.get("eval_seconds", 0) for e in r["epochs"] or [])
print("%.2f %s" % (s / 3600, "/".join(str(c) for c in sorted(cores))))
PY
}
# Power: the width of the 95% interval of Δ(fda − ste) of the main table
# (the first section, over every seed), per CPU hour of the runs behind
# the main table (every run of those estimators in runs/, the grid's
# other multipliers and the diverged runs included).
ci=$(awk -F'|' '/^## (Seeds 3 to 10 alone|Each estimator)/ { exit } { e = $2; gsub(/^ +| +$/, "", e) } e == "fda" && $0 ~ /\[/ { match($0, /\[[^]]*\]/); print substr($0, RSTART, RLENGTH); exit }' "$stage/$out/tables.md")
read -r cpuh cores <<<"$(cpu_hours ste,fda $runs)"
width=$(awk -v ci="$ci" 'BEGIN { gsub(/[][ +]/, "", ci); split(ci, b, ","); printf "%.2f", b[2] - b[1] }')
perhour=$(awk -v w="$width" -v h="$cpuh" 'BEGIN { printf "%.2f", w * sqrt(h) }')
# The wall seconds of every epoch of every record, training and evaluation.
wallh=$(cat $runs/*.json $optruns/*.json | grep -oE '"(train|eval)_seconds": *[0-9.eE+-]+' |
	awk -F: '{ s += $2 } END { printf "%.2f", s / 3600 }')
read -r studyh studycores <<<"$(cpu_hours "" $runs $optruns)"
if ! $report_only; then
	end=$(date +%s)
	{
		cat "$session"
		echo "load-after: $(load_now)"
		echo "wall time of this session: $(((end - start) / 60)) minutes"
	} >"$(staged $out/machine.txt)"
fi
{
	echo "# The standard study: summary"
	echo
	echo "Generated by \`results/study.sh\`; do not edit. Machine, commit and load: machine.txt."
	echo
	echo "- 95% interval of Δ(fda − ste), top-1 in points, at each one's tuned learning rate: $ci, $width points wide"
	echo "- CPU hours of the ste and fda runs behind it (grid and diverged runs included, $cores cores × wall time): $cpuh"
	echo "- power per CPU hour: the interval is $width points wide after $cpuh CPU hours; its width shrinks as 1/√seeds, so width × √(CPU hours) = $perhour points·√h is the figure to compare designs by (a design with 4 times the runs would give about half the width)"
	echo "- the whole study's training and evaluation, summed over the epochs of every record (both directories): $wallh hours of wall time, $studyh CPU hours on $studycores cores, measured under the load each session had (machine.txt)"
	echo "- records: $(ls $runs/*.json | wc -l) in runs/, $(ls $optruns/*.json 2>/dev/null | wc -l) in optimizers/"
} >"$(staged $out/summary.md)"
stage_commit
# The session is recorded in machine.txt: its journal goes.
$report_only || rm "$session"
echo "wrote $out/tables.md, $out/summary.md, $out/curves*.svg, $out/bench*.txt" >&2
