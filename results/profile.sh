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

# report regenerates results/profile.md from every results/profile-*/,
# with the number of cores the profiles were taken on (their bench.txt's
# "cores:" line, the same in all of them), not this machine's.
report() {
	local cores
	cores=$(sed -n 's/^cores: //p' results/profile-*/bench.txt | sort -u)
	case $cores in '' | *[!0-9]*)
		echo "results/profile.sh: the profiles in results/profile-*/ were taken on different numbers of cores (${cores//$'\n'/, }); stepprofile needs one" >&2
		exit 1
		;;
	esac
	inputs=()
	for d in results/profile-before $(ls -d results/profile-*/ | sed 's:/$::' | grep -v '^results/profile-before$' | sort); do
		[ -d "$d" ] || continue
		l=${d#results/profile-}
		inputs+=("$l/ste=$d/ste.pprof" "$l/fda+na=$d/fda+na.pprof")
	done
	# The table (on stdout, so that the command it names is the one that
	# prints it) and the runs are written beside results/profile.md and
	# moved there together.
	go run ./bench/cmd/stepprofile -cores "$cores" -steps "$steps" "${inputs[@]}" >results/profile.md.tmp
	{
		echo
		echo "## Runs"
		for d in results/profile-before $(ls -d results/profile-*/ | sed 's:/$::' | grep -v '^results/profile-before$' | sort); do
			[ -d "$d" ] || continue
			echo
			echo "\`$d/bench.txt\`:"
			echo
			echo '```'
			cat "$d/bench.txt"
			echo '```'
		done
	} >>results/profile.md.tmp
	mv results/profile.md.tmp results/profile.md
}
steps=20
args_at_most profile 1 "$@"
label=${1:-}
if [ "$label" = --report ]; then
	report
	echo "wrote results/profile.md" >&2
	exit 0
fi
case $label in '' | *[!a-z0-9-]*)
	echo "results/profile.sh: want a LABEL of lowercase letters, digits and '-', such as before, got '$label'" >&2
	exit 2
	;;
esac
dir=results/profile-$label
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/bench.test" ./bench
args=(-test.run '^$' -test.bench 'TrainStep/model=resnet20/est=(ste|fda\+na)$' -test.benchtime "${steps}x" -test.count 1 -trainstep.cpuprofile "$tmp")
{
	echo "command: results/profile.sh $label"
	echo "commit: $(head_commit)"
	echo "go: $(go version)"
	echo "cores: $(nproc)"
	echo "load-before: $(uptime)"
	(cd bench && "$tmp/bench.test" "${args[@]}") | grep -Ev '^(PASS|ok)'
	echo "load-after: $(uptime)"
} >"$tmp/bench.txt"
mkdir -p "$dir"
for f in bench.txt ste.pprof fda+na.pprof; do move_file "$tmp/$f" "$dir/$f"; done

report
echo "wrote $dir and results/profile.md" >&2
