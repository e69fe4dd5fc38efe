#!/usr/bin/env bash
# Profiles the STE and FDA+NA training steps of BenchmarkTrainStep
# (resnet20, batch 128, on all cores) and tables where their time goes, by
# component (bench/cmd/stepprofile): the convolutions' GEMMs, their data
# movement, BatchNorm, residual additions, estimator kernels, noise
# adaptation, the rest, and idle cores.
#
# Usage: results/profile.sh LABEL
#        results/profile.sh --report   # only regenerate results/profile.md
#
# LABEL names the state of the code, such as "before" or "after": the run
# goes to results/profile-LABEL/ (the benchmark output, bench.txt, and the
# CPU profiles of the timed steps alone, ste.pprof and fda+na.pprof), and
# results/profile.md is regenerated from every results/profile-*/
# directory ("before" first, then the others by name). About 30 s on the
# 2-core project machine: run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh

# report writes results/profile.md in the staging tree from every
# results/profile-*/, as committed or as staged by this run, with the
# number of cores the profiles were taken on (their bench.txt's "cores:"
# line, the same in all of them), not this machine's.
report() {
	local cores d l dirs=()
	for d in results/profile-before $({ ls -d results/profile-*/; cd "$stage" && ls -d results/profile-*/ 2>/dev/null; } | sed 's:/$::' | grep -v '^results/profile-before$' | sort -u); do
		[ -d "$(stage_read "$d")" ] || continue
		dirs+=("$d")
	done
	cores=$(for d in "${dirs[@]}"; do sed -n 's/^cores: //p' "$(stage_read "$d")/bench.txt"; done | sort -u)
	case $cores in '' | *[!0-9]*)
		echo "results/profile.sh: the profiles in results/profile-*/ were taken on different numbers of cores (${cores//$'\n'/, }); stepprofile needs one" >&2
		exit 1
		;;
	esac
	inputs=()
	for d in "${dirs[@]}"; do
		l=${d#results/profile-}
		inputs+=("$l/ste=$d/ste.pprof" "$l/fda+na=$d/fda+na.pprof")
	done
	# stepprofile runs in the staging tree, where each committed directory
	# is linked beside the staged one, so that the table (on stdout, so
	# that the command it names is the one that prints it) names them as
	# committed; stage_commit moves files, not the links.
	mkdir -p "$stage/results"
	for d in "${dirs[@]}"; do
		[ -e "$stage/$d" ] || ln -s "$PWD/$d" "$stage/$d"
	done
	(cd "$stage" && "$tmp/stepprofile" -cores "$cores" -steps "$steps" "${inputs[@]}") >"$stage/results/profile.md"
	{
		echo
		echo "## Runs"
		for d in "${dirs[@]}"; do
			echo
			echo "\`$d/bench.txt\`:"
			echo
			echo '```'
			cat "$stage/$d/bench.txt"
			echo '```'
		done
	} >>"$stage/results/profile.md"
}
steps=20
args_at_most profile 1 "$@"
label=${1:-}
case $label in --report) ;; *) label_arg profile before "$label" ;; esac
# The new profiles and the report are staged and moved into results/
# together: a failure or an interrupt leaves the committed ones as they
# were.
tmp_dir
stage_begin
go build -o "$tmp/stepprofile" ./bench/cmd/stepprofile
if [ "$label" = --report ]; then
	report
	stage_commit
	echo "wrote results/profile.md" >&2
	exit 0
fi
dir=results/profile-$label
go test -c -o "$tmp/bench.test" ./bench
args=(-test.run '^$' -test.bench 'TrainStep/model=resnet20/est=(ste|fda\+na)$' -test.benchtime "${steps}x" -test.count 1 -trainstep.cpuprofile "$tmp")
{
	echo "command: results/profile.sh $label"
	echo "commit: $(head_commit)"
	echo "go: $(go version)"
	echo "cores: $(nproc)"
	echo "load-before: $(load_now)"
	(cd bench && "$tmp/bench.test" "${args[@]}") | grep -Ev '^(PASS|ok)'
	echo "load-after: $(load_now)"
} >"$tmp/bench.txt"
for f in bench.txt ste.pprof fda+na.pprof; do mv "$tmp/$f" "$(staged "$dir/$f")"; done

report
stage_commit
echo "wrote $dir and results/profile.md" >&2
