#!/usr/bin/env bash
# Whether splitting the training step's batch between the two cores
# through the whole network pays: BenchmarkTrainStep (resnet20, batch
# 128, ste and fda+na) with GOMAXPROCS=1 ("one") and GOMAXPROCS=2
# ("two": the worker pool splits each layer's jobs), BenchmarkStepHalves
# (bench: two independent half-batch copies at once, one per core,
# nothing shared: "halves") and BenchmarkStepCoupled (nn's tests: the
# same two copies in lockstep, meeting at three barriers per BatchNorm
# layer for the batch's statistics and at the end of the step for the
# sum of their weight gradients: "coupled", sync=bn; and, without the
# BatchNorm barriers, meeting only at the end of the step: "lockstep",
# sync=step, which is not the step's math), one process each,
# alternated RUNS times (6 by default, at least 5), 8 steps per run.
#
# Usage: results/couple.sh LABEL   (RUNS=N: N alternations)
#        results/couple.sh --report   # only regenerate results/couple.md
#
# The runs go to results/couple-LABEL.txt, each benchmark's lines after
# a line "config: one|two|halves|coupled" (the last has both sync=bn and
# sync=step). results/couple.md is
# regenerated from every results/couple-*.txt: per estimator, the median
# step time of each configuration, and the speed-ups over the one-core
# step, each taken run by run (the alternation's one-core step over its
# other step), as their median and range; the coupled copies' share of
# the halves' speed-up is the halves' step time over the coupled one's.
# The benchmarks are built from commit c0a5bed, the experiment's tree
# (see below). About 3 minutes on the 2-core project machine: run it on
# a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
args_at_most couple 1 "$@"
label=${1:-}
case $label in --report)
	if [ -n "${RUNS+x}" ]; then
		echo "results/couple.sh: RUNS with --report: --report only regenerates results/couple.md from the recorded runs; unset RUNS" >&2
		exit 2
	fi
	;;
*) label_arg couple zen5 "$label" ;;
esac
runs=${RUNS-6}
whole_arg couple "RUNS, the number of alternations" 5 "$runs"
tmp_dir
# The new runs and the report are staged and moved into results/
# together: a failure or an interrupt leaves the committed ones as they
# were.
stage_begin
# The experiment's code (the coupling hook in nn.BatchNorm, the coupled
# copies and BenchmarkStepCoupled in nn's tests) is not kept on main,
# where no production path exists only for a test; the benchmarks are
# built from the commit that has it, with the engine as it was there.
experiment=c0a5bed
if [ "$label" != --report ]; then
	mkdir "$tmp/src"
	git archive "$experiment" | tar -x -C "$tmp/src"
	(cd "$tmp/src" && go test -c -o "$tmp/bench.test" ./bench && go test -c -o "$tmp/nn.test" ./nn)
	pat='model=resnet20/est=(ste|fda\+na)$'
	bench() { # dir binary GOMAXPROCS benchmark
		(cd "$tmp/src/$1" && GOMAXPROCS=$3 "$tmp/$2.test" -test.run '^$' -test.bench "$4/$pat" -test.benchtime 8x -test.count 1) | grep -Ev '^(PASS|ok)'
	}
	out=$tmp/couple.txt
	{
		record_head "${RUNS:+RUNS=$RUNS }$(shell_words results/couple.sh "$@")" | sed "s/^commit: .*/commit: $experiment (the experiment's tree, built by the script)/"
		for i in $(seq 1 "$runs"); do
			echo "config: one"
			bench bench bench 1 TrainStep
			echo "config: two"
			bench bench bench 2 TrainStep
			# GOMAXPROCS=1 starts the pool without workers; the two
			# benchmarks raise it to 2 while they run.
			echo "config: halves"
			bench bench bench 1 StepHalves
			echo "config: coupled"
			bench nn nn 1 StepCoupled
			echo "run $i of $runs done" >&2
		done
		echo "load-after: $(load_now)"
	} >"$out"
	mv "$out" "$(staged "results/couple-$label.txt")"
fi

# tables FILE prints, per estimator, the median step time of each
# configuration (and the coupled steps' barrier waits), then the median
# and range of the run-by-run speed-ups.
tables() {
	awk '
		function sort(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t } }
		function med(a, n) { sort(a, n); return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
		function cf(c) { return c == 1 ? "one" : c == 2 ? "two" : c == 3 ? "halves" : c == 4 ? "lockstep" : "coupled" }
		# cell returns the median of v[e, c, 1..n] as a cell, or "–" when
		# the record has none (lockstep runs, and barrier waits, made
		# before the benchmarks had them).
		function cell(v, e, c, n, unit,   a, i) {
			if (!((e, c, 1) in v)) return " | –"
			for (i = 1; i <= n; i++) a[i] = v[e, c, i]
			return sprintf(" | %.1f%s", med(a, n), unit)
		}
		# head prints the title of a table, a blank line, its header row and
		# the alignment row, the estimator column left and every other
		# right, as many as the header has columns.
		function head(title, header,   n, sep, i) {
			n = gsub(/\|/, "|", header) - 1
			sep = "|:--|"
			for (i = 2; i <= n; i++) sep = sep "--:|"
			print title
			print ""
			print header
			print sep
		}
		/^config: / { cfg = $2; next }
		/^Benchmark/ {
			if (!match($1, /est=[^\/]+/)) next
			est = substr($1, RSTART + 4, RLENGTH - 4)
			c = cfg
			if (c == "coupled" && $1 ~ /\/sync=step$/) c = "lockstep"
			else if (c == "coupled" && $1 ~ /\/sync=/ && $1 !~ /\/sync=bn$/) next
			if (!(est in seen)) { seen[est] = 1; ests[++ne] = est }
			r = ++count[est, c]
			t[est, c, r] = $3 / 1e6
			for (i = 5; i <= NF; i++) {
				if ($i == "wait-ms/op") wait[est, c, r] = $(i-1)
				if ($i == "parks/op") parks[est, c, r] = $(i-1)
			}
		}
		END {
			head("Median step times, and per step the time the two goroutines of the coupled runs waited at the barriers (summed) and how many of those waits went to sleep:",
				"| estimator | one core | two cores | halves | lockstep | coupled | lockstep: waits | coupled: waits | coupled: sleeps |")
			for (k = 1; k <= ne; k++) {
				e = ests[k]
				n = count[e, "one"]
				for (c = 1; c <= 5; c++) if (count[e, cf(c)] != n && !(c == 4 && count[e, cf(c)] == 0)) { printf "%s: %d %s runs, %d one-core runs\n", e, count[e, cf(c)], cf(c), n > "/dev/stderr"; exit 1 }
				line = "| " e
				for (c = 1; c <= 5; c++) line = line cell(t, e, cf(c), n, " ms")
				line = line cell(wait, e, "lockstep", n, " ms") cell(wait, e, "coupled", n, " ms") cell(parks, e, "coupled", n, "")
				print line " |"
			}
			print ""
			head("Speed-ups over the one-core step, run by run, as median (range); the share is the time of the halves over that of the coupled copies:",
				"| estimator | two cores | halves | lockstep | coupled | coupled: share of the halves |")
			for (k = 1; k <= ne; k++) {
				e = ests[k]
				n = count[e, "one"]
				line = "| " e
				for (c = 2; c <= 6; c++) {
					delete a
					if (c == 4 && !count[e, "lockstep"]) { line = line " | –"; continue }
					for (i = 1; i <= n; i++) a[i] = c == 6 ? t[e, "halves", i] / t[e, "coupled", i] : t[e, "one", i] / t[e, cf(c), i]
					m = med(a, n); lo = a[1]; hi = a[n]
					line = line (c == 6 ? sprintf(" | %.0f%% (%.0f–%.0f%%)", 100 * m, 100 * lo, 100 * hi) : sprintf(" | %.2f× (%.2f–%.2f)", m, lo, hi))
				}
				print line " |"
			}
		}
	' "$1"
}
{
	echo "# Coupled half-batch copies"
	echo
	echo "Generated by \`results/couple.sh\` from results/couple-*.txt; do not edit."
	echo "Each file holds alternated runs (6 unless its command sets RUNS), 8 steps each, of"
	echo "the resnet20 training step at batch 128: BenchmarkTrainStep on one core (\`GOMAXPROCS=1\`)"
	echo "and on two (the worker pool splitting every layer's jobs), BenchmarkStepHalves (two"
	echo "independent copies of the network, 64 images each, one per core, nothing shared) and"
	echo "BenchmarkStepCoupled (nn's tests: the same two copies in lockstep, coupled where the"
	echo "math needs the whole batch: three barriers per BatchNorm layer and step, for the first"
	echo "image's shift, the moments' totals and the gradient sums' totals, each taken over both"
	echo "copies' rows in image order, then a barrier, the sum of the two copies' weight"
	echo "gradients, each core half of every tensor, and a barrier before each copy's optimizer"
	echo "step; its sync=step runs, \"lockstep\", leave BatchNorm uncoupled, each copy taking its own"
	echo "images' statistics, which is not the step's math, and meet only at the end of the step)."
	echo "Times are per step of 128 images. A speed-up is the one-core step's time over"
	echo "the other's, taken run by run (the same alternation), given as the median and the"
	echo "range over the runs; the coupled copies' share of the halves' speed-up is the halves'"
	echo "time over the coupled copies', run by run."
	echo
	echo "What the design and the numbers say: results/couple-notes.md."
	# Each record as committed, or as staged when this run made it.
	for f in $({ ls results/couple-*.txt 2>/dev/null; cd "$stage" && ls results/couple-*.txt 2>/dev/null; } | sort -u); do
		in=$(stage_read "$f")
		echo
		echo "## ${f#results/couple-}" | sed 's/\.txt$//'
		echo
		echo '```'
		grep -E '^(command|machine|commit|go|load-before|load-after):' "$in"
		echo '```'
		echo
		tables "$in"
	done
} >"$(staged results/couple.md)"
stage_commit
echo "wrote results/couple.md" >&2
