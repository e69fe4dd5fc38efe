#!/usr/bin/env bash
# How well the training step uses a second core: BenchmarkTrainStep
# (resnet20, batch 128, ste and fda+na) with GOMAXPROCS=1 and GOMAXPROCS=2,
# and BenchmarkStepHalves (two independent half-batch copies of the
# step at once, one per core: what the cores allow when nothing ties the
# halves together), one process each, alternated RUNS times (6 by
# default), 8 steps per run.
#
# Usage: results/threads.sh LABEL [BASE]   (POOL=0: without the pool's hand-off benchmark;
#        RUNS=N: N alternations instead of 6, at least 5;
#        IMPL=NAME: every package's kernels set to NAME, such as avx2,
#        with BenchmarkTrainStep's -trainstep.impl)
#        results/threads.sh --report    # only regenerate results/threads.md
#
# LABEL names the state of the code, such as "before" or "after": the runs
# go to results/threads-LABEL.txt. With BASE, a commit, the benchmark is
# also built at BASE (from git archive) and every run of the current code
# is alternated with the same run of BASE's, so that the two are compared
# in one window (config line "code: current" or "code: base").
# results/threads.md is regenerated from every results/threads-*.txt
# ("before" first, then the others by name): benchstat's comparison of the
# two core counts and the speed-up, the median 1-core step time over the
# median 2-core one; with a BASE, also benchstat's comparison of the two
# codes. About 2 minutes (4 with BASE) on the 2-core project machine: run
# it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
args_at_most threads 2 "$@"
label=${1:-}
base=${2:-}
# A BASE given empty is refused, not read as no BASE: the runs would
# compare nothing while the command line names a base.
if [ $# -ge 2 ] && [ -z "$base" ]; then
	echo "results/threads.sh: BASE is empty: want a commit, or leave BASE out" >&2
	exit 2
fi
case $label in --report)
	args_at_most threads 1 "$@"
	# The report runs nothing: what sets the runs would be ignored.
	for v in RUNS IMPL POOL; do
		if [ -n "${!v+x}" ]; then
			echo "results/threads.sh: $v with --report: --report only regenerates results/threads.md from the recorded runs; unset $v" >&2
			exit 2
		fi
	done
	;;
*) label_arg threads before "$label" ;;
esac
[ -z "$base" ] || commit_arg threads "$base"
if [ -n "$base" ] && [ -n "${IMPL-}" ]; then
	echo "results/threads.sh: IMPL with a BASE: the base's benchmark may not take -trainstep.impl; compare implementations without a BASE" >&2
	exit 2
fi
case ${POOL-1} in 0 | 1) ;; *)
	echo "results/threads.sh: POOL is 0 (leave out the pool's hand-off benchmark) or 1 (the default), got '$POOL'" >&2
	exit 2
	;;
esac
case ${IMPL-} in '' | avx2 | avx512 | go) ;; *)
	echo "results/threads.sh: IMPL is avx2, avx512 or go (every package's kernels; empty for each package's default), got '$IMPL'" >&2
	exit 2
	;;
esac
runs=${RUNS-6}
whole_arg threads "RUNS, the number of alternations" 5 "$runs"
tmp_dir
# The new runs and the report are staged and moved into results/
# together: a failure or an interrupt leaves the committed ones as they
# were.
stage_begin
if [ "$label" != --report ]; then
	codes=(current)
	go test -c -o "$tmp/current.test" ./bench
	if [ -n "$base" ]; then
		base=$(git rev-parse --short "$base^{commit}")
		mkdir "$tmp/base"
		git archive "$base" | tar -x -C "$tmp/base"
		(cd "$tmp/base" && go test -c -o "$tmp/base.test" ./bench)
		codes=(base current)
	fi
	args=(-test.run '^$' -test.bench 'TrainStep/model=resnet20/est=(ste|fda\+na)$' -test.benchtime 8x -test.count 1 ${IMPL:+-trainstep.impl "$IMPL"})
	hargs=(-test.run '^$' -test.bench 'StepHalves/model=resnet20/est=(ste|fda\+na)$' -test.benchtime 8x -test.count 1 ${IMPL:+-trainstep.impl "$IMPL"})
	out=$tmp/threads.txt
	{
		echo "command: ${RUNS:+RUNS=$RUNS }${IMPL:+IMPL=$IMPL }$(shell_words results/threads.sh "$@")"
		echo "commit: $(head_commit)"
		[ -z "$base" ] || echo "base: $base"
		echo "go: $(go version)"
		echo "load-before: $(load_now)"
		for i in $(seq 1 "$runs"); do
			for procs in 1 2; do
				for code in "${codes[@]}"; do
					echo "code: $code"
					(cd bench && GOMAXPROCS=$procs "$tmp/$code.test" "${args[@]}") | grep -Ev '^(PASS|ok)'
				done
			done
			# The halves (current code only: a BASE may not have them).
			# GOMAXPROCS=1 starts the pool without workers; the benchmark
			# raises it to 2 while it runs.
			echo "code: current"
			(cd bench && GOMAXPROCS=1 "$tmp/current.test" "${hargs[@]}") | grep -Ev '^(PASS|ok)'
			echo "run $i of $runs done" >&2
		done
		# The pool's hand-off alone (current code): 8 chunks of 0, 10 and
		# 100 µs, with the workers awake and after a pause that puts them
		# to sleep.
		# POOL=0 leaves it out (it can take many minutes on a busy host).
		if [ "${POOL-1}" = 1 ]; then
			go test -c -o "$tmp/parallel.test" ./internal/parallel
			for procs in 1 2; do
				echo "code: current"
				GOMAXPROCS=$procs "$tmp/parallel.test" -test.run '^$' -test.bench '^BenchmarkFor$' -test.count 6 -test.benchtime 0.2s | grep -Ev '^(PASS|ok)'
			done
		fi
		echo "load-after: $(load_now)"
	} >"$out"
	mv "$out" "$(staged "results/threads-$label.txt")"
fi

benchstat() { go run golang.org/x/perf/cmd/benchstat "$@" | grep -Ev '^(goos|goarch|pkg|cpu):'; }
speedups() { # file filter
	echo "| benchmark | 1 core | 2 cores | speed-up | two halves at once | their speed-up | share of it |"
	echo "|:--|--:|--:|--:|--:|--:|--:|"
	go run golang.org/x/perf/cmd/benchstat -format csv -col /gomaxprocs -filter "$2" "$1" 2>/dev/null |
		awk -F, '$1 ~ /^StepHalves\// { half[substr($1, 12)] = $2; next }
			$1 ~ /^TrainStep\// { k = substr($1, 11); row[++n] = "TrainStep/" k; one[k] = $2; two[k] = $4; unit[k] = "ms"; next }
			$1 ~ /^For\/.*chunk=[1-9]/ { row[++n] = $1; one[$1] = $2; two[$1] = $4; unit[$1] = "µs" }
			END {
				for (i = 1; i <= n; i++) {
					k = row[i]; sub(/^TrainStep\//, "", k)
					f = unit[k] == "ms" ? 1e3 : 1e6
					printf "| %s | %.1f %s | %.1f %s | %.2f× |", row[i], one[k] * f, unit[k], two[k] * f, unit[k], one[k] / two[k]
					if (k in half && half[k] > 0)
						printf " %.1f %s | %.2f× | %.0f%% |\n", half[k] * f, unit[k], one[k] / half[k], 100 * half[k] / two[k]
					else
						printf " – | – | – |\n"
				}
			}'
}
{
	echo "# One core against two"
	echo
	echo "Generated by \`results/threads.sh\` from results/threads-*.txt; do not edit."
	echo "Each file holds alternated runs of each core count (\`GOMAXPROCS=1\`, \`GOMAXPROCS=2\`), 6 unless its command sets RUNS,"
	echo "of BenchmarkTrainStep, 8 steps each. Speed-up: the median 1-core step time over the"
	echo "median 2-core one (2 is perfect use of the second core). In benchstat's tables the"
	echo "column without a heading is one core: go test adds no -N suffix to names then."
	echo
	echo "Where a file has them, the tables also give BenchmarkStepHalves: two independent"
	echo "copies of the step's network, each training on 64 of the 128 images, run at once on"
	echo "the two cores with nothing shared (each copy's jobs on its own goroutine), timed per"
	echo "128 images. Their speed-up (the 1-core step over it) is what the cores allowed the"
	echo "step's work at that moment with nothing tying the halves together (each copy redoes"
	echo "the step's per-batch weight work, so slightly less than that); the share is the"
	echo "2-core step's speed-up over theirs."
	echo
	echo "The last section also times the pool's hand-off alone (BenchmarkFor of internal/parallel:"
	echo "8 chunks, with the workers looking for work (pause=0) or asleep after a pause): on two"
	echo "cores 8 chunks take the time of 4 when the hand-off costs nothing."
	# Each record as committed, or as staged when this run made it.
	for f in results/threads-before.txt $({ ls results/threads-*.txt; cd "$stage" && ls results/threads-*.txt 2>/dev/null; } | grep -v '^results/threads-before.txt$' | sort -u); do
		in=$(stage_read "$f")
		[ -f "$in" ] || continue
		echo
		echo "## ${f#results/threads-}" | sed 's/\.txt$//'
		echo
		echo '```'
		grep -E '^(command|commit|base|load-before|load-after):' "$in"
		if grep -q '^code: base' "$in"; then
			for code in base current; do
				echo
				echo "\$ benchstat -col /gomaxprocs -filter '.unit:ns/op code:$code' $f"
				benchstat -col /gomaxprocs -filter ".unit:ns/op code:$code" "$in"
			done
			echo
			echo "\$ benchstat -col code -filter .unit:ns/op $f"
			benchstat -col code -filter .unit:ns/op "$in"
			echo '```'
			for code in base current; do
				echo
				echo "Code $code:"
				echo
				speedups "$in" ".unit:ns/op code:$code"
			done
		else
			echo
			echo "\$ benchstat -col /gomaxprocs -filter .unit:ns/op $f"
			benchstat -col /gomaxprocs -filter .unit:ns/op "$in"
			echo '```'
			echo
			speedups "$in" .unit:ns/op
		fi
	done
} >"$(staged results/threads.md)"
stage_commit
echo "wrote results/threads.md" >&2
