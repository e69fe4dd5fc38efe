#!/usr/bin/env bash
# The cost of the training diagnostics (docs/diagnostics.md): BenchmarkTrainStep
# (suite), one training step of the fmnist-10 network (ResNet-20 at full
# width, batch 128, SGD) with the diagnostics and without, for ste and fda,
# 5 rounds. Each measurement is 12 steps after one untimed step, so that 3
# of them, as in an epoch a quarter, are steps whose activations the
# diagnostics count (suite.ActivationStride). -count 5 runs the four sub-benchmarks in turn each round, so
# "off" and "on" alternate within one window. The test binary is built
# first, so that compiling is not inside the window: about 2 minutes
# after it on the 2-core Xeon beside the running study. On a machine shared
# through a lock file, CPU_LOCK=<file> builds under a shared lock and
# benchmarks under an exclusive one.
#
# NOTE=text adds a remark on the machine's state to the file.
#
# Usage: [CPU_LOCK=file] [NOTE=text] results/diagnostics-overhead.sh   # writes results/diagnostics-overhead.md
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
args_at_most diagnostics-overhead 0 "$@"
# Given empty, it is refused, not read as unset: the remark asked for
# would be left out without a word.
if [ -n "${NOTE+x}" ] && [ -z "$NOTE" ]; then
	echo "results/diagnostics-overhead.sh: NOTE is empty: want a remark on the machine's state, or unset it" >&2
	exit 2
fi
out=results/diagnostics-overhead.md
stage_begin
bin=$tmp/suite.test
shared=() lock=()
if [ -n "${CPU_LOCK+x}" ]; then
	# Given empty, it is refused, not read as unset: the benchmarks would
	# run without the lock the command line asked for.
	if [ -z "$CPU_LOCK" ]; then
		echo "results/diagnostics-overhead.sh: CPU_LOCK is empty: want a lock file, or unset it" >&2
		exit 2
	fi
	# A relative CPU_LOCK names a file from where the script was
	# started, not from suite/, where the benchmarks run under it, nor
	# from the repository's top, where the build does: one lock file.
	CPU_LOCK=$(caller_path "$CPU_LOCK")
	shared=(flock -s "$CPU_LOCK") lock=(flock -x "$CPU_LOCK")
fi
"${shared[@]}" go test -c -o "$bin" ./suite
args=(-test.run '^$' -test.bench '^BenchmarkTrainStep$' -test.count 5 -test.benchtime 12x)
raw=$tmp/raw.txt
load_before=$(load_now)
busiest=$(busiest 3)
(cd suite && "${lock[@]}" "$bin" "${args[@]}") | tee "$raw"
load_after=$(load_now)
{
	echo "# Training diagnostics: overhead per training step"
	echo
	echo "Command: \`go test -c -o suite.test ./suite && (cd suite && $(shell_words "${lock[@]}" ../suite.test "${args[@]}"))\`"
	echo "(results/diagnostics-overhead.sh), commit $(head_commit)."
	echo
	echo "Machine: $(cpu_cores), $(go version | cut -d' ' -f3-)."
	echo "Load before: \`$load_before\`; after: \`$load_after\`. Busiest processes when it started: $busiest.${NOTE:+ $NOTE.}"
	echo
	echo "One step of the fmnist-10 network (ResNet-20, batch 128, SGD with momentum), 12 steps per"
	echo "measurement, 5 measurements per row, alternating off and on; median and range in ms per step:"
	echo
	echo "| estimator | diagnostics off (ms/step) | diagnostics on (ms/step) | overhead (medians) | allocs/step off, on (medians) |"
	echo "|:--|--:|--:|--:|--:|"
	awk '
	/^BenchmarkTrainStep\// {
		split($1, p, "/"); est = substr(p[2], 5); d = p[3]; sub(/-[0-9]+$/, "", d); sub(/diagnostics=/, "", d)
		for (i = 1; i <= NF; i++) { if ($i == "ns/op") ns = $(i-1); if ($i == "allocs/op") al = $(i-1) }
		k = est SUBSEP d; n[k]++; v[k, n[k]] = ns / 1e6; w[k, n[k]] = al; ests[est] = 1
	}
	function med(k,   m, i, j, t, x) { return medof(v, k) }
	function medof(arr, k,   m, i, j, t, x) {
		m = n[k]; for (i = 1; i <= m; i++) x[i] = arr[k, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
		lo = x[1]; hi = x[m]
		return (m % 2) ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2
	}
	END {
		for (e in ests) {
			off = med(e SUBSEP "off"); offlo = lo; offhi = hi
			on = med(e SUBSEP "on"); onlo = lo; onhi = hi
			printf "| %s | %.1f [%.1f, %.1f] | %.1f [%.1f, %.1f] | %+.1f%% | %g, %g |\n", e, off, offlo, offhi, on, onlo, onhi, 100 * (on / off - 1), medof(w, e SUBSEP "off"), medof(w, e SUBSEP "on")
		}
	}' "$raw" | sort
	echo
	echo "Raw output:"
	echo
	echo '```'
	cat "$raw"
	echo '```'
} >"$(staged "$out")"
stage_commit
cat "$out"
