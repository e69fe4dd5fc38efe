#!/usr/bin/env bash
# Fills the generated parts of README.md: between the lines
# "<!-- results:begin -->" and "<!-- results:end -->" the result tables, the
# default benchmark's (results/fmnist-10/table.md), the quick ablation's
# (results/quick-ablation/table.md), the quick sweep of the estimators
# published since FDA (results/quick-since-fda/table.md), each with a line
# naming the machine and commit its runs were trained on (go run
# ./internal/readme machines DIR), the gradient fidelity report
# (results/fidelity.md, when made) and the summary lines of the kernel,
# engine and inference reports (their "## Targets" sections, as benchreport
# wrote them); between "<!-- estimators:begin -->" and
# "<!-- estimators:end -->" the table of estimators, from the code
# (go run ./internal/readme estimators); between "<!-- study:begin -->" and
# "<!-- study:end -->" the standard study's headline: its state, the notes
# of its table on its records (some without a data digest, trained on
# more than one machine type: when they are), and the plain-sentence
# findings of its paired table (gradbench table --ablation
# findings over results/study/runs, as results/study.sh leaves them, its
# top-1 findings over seeds 3 to 10 alone, which never chose a learning
# rate, the top-1 part of its sides table (under that table's notes on
# its records, over the paragraph that says what its columns mean and
# the family its p (Holm) corrects over), and the findings of its optimizer tables over
# results/study/optimizers, each optimizer's under its table's notes on
# its records and on the learning rates its lr table (not shown) chose
# with a qualification, such as at the grid's edge, with
# results/bop-bn.md's measure of how
# much of Bop's test accuracy stale BatchNorm statistics cost). Run
# it after regenerating any of
# those files or changing an estimator. With --check it changes nothing
# and fails if README.md is not what it would write (.ci/run runs that).
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
if [ $# -gt 1 ]; then
	echo "usage: results/update-readme.sh [--check], got $#: $*" >&2
	exit 2
fi
case "${1-}" in
--check) check=true ;;
"") [ $# -eq 0 ] || { echo "usage: results/update-readme.sh [--check], got ''" >&2; exit 2; } ;;
*) echo "usage: results/update-readme.sh [--check], got '$1'" >&2; exit 2 ;;
esac

section() { # file: print the file's "## Targets" section without its heading
	awk '/^## Targets/{on=1; next} on && /^## /{exit} on' "$1"
}

body=$(mktemp)
ests=$(mktemp)
study=$(mktemp)
out=$(mktemp)
trap 'rm -f "$body" "$ests" "$study" "$out" README.md.tmp' EXIT
go run ./internal/readme estimators >"$ests"
# The first words of gradbench table's notes on a table's records, as it
# writes them under the table's heading: some of the records carry no
# data digest (suite/datadigest.go), they were trained on more than one
# machine type (suite/machinetype.go). An extended regular expression.
record_notes='^Note: ([0-9][0-9]* of these [0-9][0-9]* records carr(y|ies) no data digest |these [0-9][0-9]* records were trained on [0-9][0-9]* machine types )'
{
	runs=results/study/runs
	n=$(find "$runs" -maxdepth 1 -name '*.json' 2>/dev/null | wc -l)
	findings=$(go run ./cmd/gradbench table --runs "$runs" --ablation findings --estimators ste,approxsign,dsq,bnnplus,ede,fda,fda+na)
	echo "**$(sed -n 's/^### //p' <<<"$findings" | head -1)**; estimators ste, approxsign, dsq, bnnplus, ede, fda and fda+na, each at its own SGD learning rate (chosen on a validation split, never the test split), compared with ste seed by seed."
	echo
	# The table's notes on its records, when it has them: said once, here,
	# before the findings they qualify (and left out of the learning-rate
	# table below, which repeats them).
	grep -E "$record_notes" <<<"$findings" | sed 'G' || true
	if [ -f results/study/summary.md ]; then
		nopt=$(find results/study/optimizers -maxdepth 1 -name '*.json' 2>/dev/null | wc -l)
		echo "The study is complete ($n runs with SGD, $nopt with Adam and Bop): the tables are in [results/study/tables.md](results/study/tables.md), its cost and power in [results/study/summary.md](results/study/summary.md). What it shows, on this one workload (the heading above: one dataset, one network at one width, one 5-epoch recipe; nothing here says how the estimators compare on another), over the paired seeds each finding counts (n), seeds 1 and 2 among them, whose runs also chose the learning rates (the line on seeds 3–10 below leaves them out):"
	else
		echo "The study is in progress ($n runs recorded so far; \`results/study.sh\` states the design and its budget, and continues it where it stopped). What the runs so far show:"
	fi
	echo
	sed -n '/^- \*\*/,$p' <<<"$findings"
	echo
	# The top-1 findings again over the seeds that never chose a learning
	# rate (seeds 1 and 2 chose them, and their runs at a chosen rate
	# won that choice): whether the findings hold without them.
	if [ -f results/study/summary.md ]; then
		heldout=$(go run ./cmd/gradbench table --runs "$runs" --ablation findings --estimators ste,approxsign,dsq,bnnplus,ede,fda,fda+na --seeds 3..10 |
			grep -m1 '^- \*\*Top-1 accuracy\*\*' || true)
		[ -n "$heldout" ] || { echo "results/update-readme.sh: no top-1 findings over seeds 3..10 of $runs" >&2; exit 1; }
		echo "**On seeds 3–10 alone** (never used to choose a learning rate): ${heldout#- }"
		echo
	fi
	if [ -f results/study/summary.md ]; then
		echo "The learning rates, chosen on seeds 1 and 2 (each the best of the grid's multipliers on their validation split by the rule under the table, on two seeds; a rate between two multipliers was not tried):"
	else
		echo "The learning rates, chosen on seeds 1 and 2 (full tables and curves in results/study/ once the study completes):"
	fi
	echo
	go run ./cmd/gradbench table --runs "$runs" --ablation lr --estimators ste,approxsign,dsq,bnnplus,ede,fda,fda+na | sed '/^### /d' |
		awk -v note="$record_notes" '$0 ~ note { skip = 1; next } skip && $0 == "" { skip = 0; next } { skip = 0; print }' | sed '/./,$!d'
	# The sides table's top-1 part: its notes on its records (which are
	# more than the findings', its one-sided runs too), its lead
	# paragraph, its table and the paragraph under it (what its columns
	# mean, and the family its p (Holm) corrects over: all of the
	# table's comparisons, more than the findings' Holm sentence's).
	echo
	echo "**Weights or activations.** Top-1 of each estimator on one side only, the clipped STE on the other, at the estimator's chosen learning rate (losses in results/study/tables.md):"
	echo
	sides=$(go run ./cmd/gradbench table --runs "$runs" --ablation sides --estimators approxsign,dsq,bnnplus,ede,fda,fda+na)
	grep -E "$record_notes" <<<"$sides" | sed 'G' || true
	awk '/^Each estimator on the latent/ { on = 1; next } on && /^\|/ { print; table = 1; next }
		on && table && !under && /^$/ { print; under = 1; next } under { print; exit }' <<<"$sides"
	# The optimizer tables' findings, one pair of lines per optimizer.
	if compgen -G 'results/study/optimizers/*.json' >/dev/null; then
		echo
		echo "**Adam and Bop instead of SGD** (ste, approxsign and fda, each at its own learning rate chosen on seeds 1 and 2 the same way; Bop flips the binary weights itself, with its defaults γ = 1e-4 and τ = 1e-8, so there the estimator acts on the activations only and the learning rate is that of the other parameters; tables in results/study/tables.md):"
		echo
		# Each optimizer's notes on its table's records, when it has
		# them, as "Note (Adam): these ..."; then, when its learning-rate
		# table (not shown here) qualifies a choice (at the grid's edge,
		# without runs beyond it, none), the rows it qualifies with their
		# chosen lr cells and the sentences under the table that say what
		# that means, as "Note (Adam), on the learning rates chosen: ...";
		# then, when the seeds that chose the rates are among those
		# compared, the sentence that says so, as "Note (Adam): Seeds 1,
		# 2 chose ..."; then the findings, gathered until the end so
		# that the notes come before the findings they qualify, as the
		# SGD notes do above.
		go run ./cmd/gradbench table --runs results/study/optimizers --ablation findings --estimators ste,approxsign,fda |
			awk -v note="$record_notes" '/^### / { opt = $0; sub(/.*, batch [0-9]+, /, "", opt); sub(/ lr .*/, "", opt); opt = toupper(substr(opt, 1, 1)) substr(opt, 2); lr = 0; qual = "" }
				$0 ~ note { line = $0; sub(/^Note: /, "", line); print "Note (" opt "): " line; print "" }
				/^\| estimator .*\| +chosen lr \|$/ { lr = 1; next }
				lr && /^\|/ { n = split($0, c, "|"); est = c[2]; cell = c[n - 1]; gsub(/^ +| +$/, "", est); gsub(/^ +| +$/, "", cell)
					if (cell ~ /, |^none/) qual = qual (qual == "" ? "" : "; ") est " " cell; next }
				/^Learning rates chosen on the validation split/ { lr = 0; why = ""; under = 1; next }
				under && /^Seeds? [0-9].* chose these learning rates and / { chose = $0; next }
				under && /^$/ { under = 0; if (qual != "" && why != "") { print "Note (" opt "), on the learning rates chosen: " qual "." why; print "" }
					if (chose != "") { print "Note (" opt "): " chose; print "" }; chose = ""; next }
				under { why = why " " $0; next }
				/^- \*\*(Top-1 accuracy|Train loss)\*\*/ { what = ($0 ~ /Top-1/) ? "top-1" : "train loss"; line = $0; sub(/^[^:]*: /, "", line); found = found "- " opt ", " what ": " line "\n" }
				END { printf "%s", found }'
		echo
		# The medians and extremes of the change, per optimizer, from
		# results/bop-bn.md's summary table: "lo hi min max".
		bn() { awk -F'|' -v opt="$1" 'NF == 10 && $2 ~ ("^ " opt " $") && $4 ~ /^ [0-9]+ $/ {
			m = $7 + 0; if (n++ == 0 || m < lo) lo = m; if (n == 1 || m > hi) hi = m
			if (n == 1 || $8 + 0 < mn) mn = $8 + 0; if (n == 1 || $9 + 0 > mx) mx = $9 + 0
		} END { printf "%.2f %.2f %+.2f %+.2f", lo, hi, mn, mx }' results/bop-bn.md; }
		read -r blo bhi bmn bmx <<<"$(bn bop)"
		read -r alo ahi amn amx <<<"$(bn adam)"
		# The runs bop-bn.md measured, and the study's optimizer runs now:
		# it needs each run's final weights, which git does not keep, so
		# runs added to the study since are not in it until it is made
		# again.
		bnruns=$(awk -F'|' 'NF == 10 && $4 ~ /^ [0-9]+ $/ { n += $4 } END { print n + 0 }' results/bop-bn.md)
		optruns=$(find results/study/optimizers -maxdepth 1 -name '*.json' | wc -l)
		bnof=""
		[ "$bnruns" -eq "$optruns" ] || bnof=" over $bnruns of the $optruns runs: it was made before the others were trained"
		echo "Read Bop's rows with care: in most Bop runs the test accuracy jumps up and down from one epoch to the next while the training accuracy climbs steadily (the per-epoch test top-1 in its records, and the curves drawn from them, results/study/curves-optimizers-*-adam.svg and -bop.svg, a file per optimizer). Stale BatchNorm statistics explain much of it: with its defaults Bop still flips a share of the binary weights in the last epoch of this short recipe (the flip ratio of the last epoch in its records, above that of every Adam run), and evaluation uses running statistics gathered while they flipped. Re-estimating those statistics from 30 batches of the images each run trained on (its held-out validation images left out) before evaluating changes Bop's final test top-1 by a median of $blo to $bhi points per estimator ($bmn to $bmx in single runs), and Adam's by a median of $alo to $ahi ($amn to $amx) ([results/bop-bn.md](results/bop-bn.md), made by \`results/bop-bn.sh\`$bnof). So the Bop rows measure this recipe's evaluation of Bop (5 epochs, Bop's default γ and τ, no re-estimation) more than what Bop's weights can do; the learning rates chosen for Bop are chosen on the same noisy numbers."
	fi
} >"$study"
{
	echo '### The default benchmark, `gradbench run` (fmnist-10, one seed)'
	echo
	sed 's/^### /#### /' results/fmnist-10/table.md
	echo
	go run ./internal/readme machines results/fmnist-10
	echo
	echo '![test accuracy and training loss per epoch](results/fmnist-10/curves.svg)'
	echo
	echo '### The FDA paper'"'"'s ablations on the `quick` recipe, 3 seeds'
	echo
	sed 's/^### /#### /' results/quick-ablation/table.md
	echo
	go run ./internal/readme machines results/quick-ablation
	echo
	echo '### The estimators published since FDA on the `quick` recipe, 3 seeds'
	echo
	echo '`identity`, the unclipped straight-through estimator, diverged within the first epoch of each of the 3 seeds, at the recipe'"'"'s learning rate 0.1 (none other was tried): on the activations it passes gradients through activations of any size, likely the instability arXiv 1903.05662 describes; `w=identity/a=ste`, which puts it on the latent weights alone, was not run, so these runs do not tell which side diverged. `results/quick-since-fda.sh` makes these runs.'
	echo
	sed 's/^### /#### /' results/quick-since-fda/table.md
	echo
	go run ./internal/readme machines results/quick-since-fda
	echo
	if [ -f results/fidelity.md ]; then
		echo '### Gradient fidelity (`results/fidelity.sh`)'
		echo
		sed -e '1d' -e '2{/^$/d}' -e 's/^## /#### /' -e 's/^### /##### /' -e 's#](fidelity/#](results/fidelity/#g' results/fidelity.md
		echo
	fi
	for f in kernels engine inference; do
		echo "### Targets in results/$f.md"
		echo
		section "results/$f.md"
		echo
	done
} >"$body"

awk -v body="$body" -v ests="$ests" -v study="$study" '
	/^<!-- results:begin -->$/ { print; while ((getline line < body) > 0) print line; skip = 1; next }
	/^<!-- estimators:begin -->$/ { print; while ((getline line < ests) > 0) print line; skip = 1; next }
	/^<!-- study:begin -->$/ { print; while ((getline line < study) > 0) print line; skip = 1; next }
	/^<!-- (results|estimators|study):end -->$/ { skip = 0 }
	!skip
' README.md >"$out"
for m in results estimators study; do
	grep -q "^<!-- $m:begin -->\$" "$out" && grep -q "^<!-- $m:end -->\$" "$out" || {
		echo "README.md lacks the <!-- $m:begin --> and <!-- $m:end --> lines" >&2
		exit 1
	}
done
if $check; then
	if ! diff -u README.md "$out"; then
		echo "README.md is stale: run results/update-readme.sh and commit it" >&2
		exit 1
	fi
	echo "README.md is current"
	exit 0
fi
# Replaced whole: written beside README.md, then moved over it.
cp "$out" README.md.tmp
mv README.md.tmp README.md
echo "updated README.md"
