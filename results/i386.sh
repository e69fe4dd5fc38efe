#!/usr/bin/env bash
# Runs every package's tests (go test -short) built for linux/386: a
# 32-bit int, 4-byte alignment of 64-bit words, and the portable kernels
# every CPU but amd64 runs. On an x86-64 Linux whose kernel runs 32-bit
# executables they run natively; where it does not (a kernel built or
# booted without IA-32 emulation: "cannot execute binary file: Exec
# format error"), under user-mode emulation: the qemu-i386 that
# QEMU_I386 names, else the one on PATH (from Debian's qemu-user,
# installed when missing); QEMU_I386 set where the kernel runs them
# itself is refused, as it would be ignored. qemu-i386 7.2, Debian 12's, stops every Go
# 386 program as it starts its second thread ("fatal: morestack on
# gsignal"); 10.0, in Debian 12's backports and Debian 13, runs them.
# The script tries the emulator on one test binary first and refuses
# one that fails so. Under emulation, as with results/arm64.sh, a test
# that starts its own binary again as a child process cannot run ("exec
# format error"), and a test of a cell lock can see its own lock as left
# by an ended process (qemu-user reports a process's start time per
# thread); such failures are counted apart from real ones. Each
# package's tests run for at most an hour (limit, below: go test's
# -timeout, per test binary; go test kills one that outlives it by a
# minute), so that one stuck or slow package ends and not the record: it
# fails with the tests it was still running named, and the table gives
# that as the reason. Writes results/i386.txt (go test's output, with
# the command, the machine, the commit, the Go version, the emulator and
# the load before and after) and results/i386.md (the packages that
# passed, and each failing test with the reason). With --report it runs
# nothing and only regenerates results/i386.md from the committed
# results/i386.txt, emulated or not as the record's qemu line says.
#
# Usage: results/i386.sh [--report]
set -euo pipefail
cd "$(dirname "$0")/.."
. results/lib.sh
report_arg i386 "$@"
# The limit of one package's tests. Emulated, and on the portable
# kernels, training runs tens of times slower than natively: suite's
# TestAdamAndBopTrainResNet20 (two runs of three epochs), a minute
# natively, was still in its first epoch after six minutes under
# qemu-i386 on the project machine while a long training run had the
# cores.
limit=60m
out=results/i386.txt
if $report; then
	if [ -n "${QEMU_I386+x}" ]; then
		echo "results/i386.sh: QEMU_I386 with --report: --report runs no tests, it only regenerates results/i386.md from results/i386.txt; unset QEMU_I386" >&2
		exit 2
	fi
	stage_begin
else
	if [ -n "${QEMU_I386+x}" ] && [ -z "$QEMU_I386" ]; then
		echo "results/i386.sh: QEMU_I386 is empty: want the path of a qemu-i386, or unset it" >&2
		exit 2
	fi
	tmp_dir
	# One small package's test binary, started with no test to run, tells
	# whether this kernel runs 386 executables and, if not, whether the
	# emulator can run Go's: the runtime starts its threads before any test.
	GOARCH=386 go test -c -o "$tmp/probe.test" ./internal/mdtable
	exec_flag=() emulator=""
	if "$tmp/probe.test" -test.run '^$' >/dev/null 2>&1; then
		if [ -n "${QEMU_I386+x}" ]; then
			# The tests run natively: the emulator named would be ignored.
			echo "results/i386.sh: QEMU_I386 is set, but this kernel runs 386 executables itself, so the tests run without an emulator: unset QEMU_I386" >&2
			exit 2
		fi
	else
		if [ -n "${QEMU_I386:-}" ]; then
			# A path (one with a '/') from where the script was started, made
			# absolute: go test starts the emulator in each package's
			# directory. A bare name is looked up on PATH.
			case $QEMU_I386 in */*) emulator=$(caller_path "$QEMU_I386") ;; *) emulator=$QEMU_I386 ;; esac
		else
			if ! command -v qemu-i386 >/dev/null; then
				sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
				$sudo apt-get install -y -qq --no-install-recommends qemu-user >/dev/null
			fi
			emulator=qemu-i386
		fi
		if ! "$emulator" "$tmp/probe.test" -test.run '^$' >"$tmp/probe.out" 2>&1; then
			echo "results/i386.sh: this kernel does not run 386 executables, and $emulator ($("$emulator" --version 2>/dev/null | head -1 || true)) cannot run Go's either; its output:" >&2
			head -3 "$tmp/probe.out" >&2
			echo "qemu-i386 10.0 runs them (on Debian 12: the qemu-user package of bookworm-backports); set QEMU_I386 to its path" >&2
			exit 1
		fi
		# go test splits -exec's value into words, as the go command
		# splits flags (quoted.Split): a path with white space in it is
		# given in quotes, within which nothing is unescaped.
		exec_arg=$emulator
		case $emulator in *[[:space:]]* | \'* | \"*)
			case $emulator in
			*\'*\"* | *\"*\'*)
				# Quoted either way, the quote it holds ends the word
				# early; unquoted, white space splits it, or its first
				# character starts a quoted word.
				why="holds white space and both kinds of quote"
				case $emulator in *[[:space:]]*) ;; *) why="starts with a quote and holds both kinds of quote" ;; esac
				echo "results/i386.sh: the emulator's path $emulator $why, which go test -exec cannot take as one word: give QEMU_I386 another path to it (a link)" >&2
				exit 2
				;;
			*\'*) exec_arg="\"$emulator\"" ;;
			*) exec_arg="'$emulator'" ;;
			esac
			;;
		esac
		exec_flag=(-exec "$exec_arg")
	fi
	stage_begin
	{
		record_head "results/i386.sh"
		if [ -n "$emulator" ]; then
			echo "qemu: $("$emulator" --version | head -1)"
		else
			echo "qemu: none (the kernel runs 386 executables)"
		fi
		# The -exec value in the shell's quoting (shell_words), so that the
		# line pasted into a shell gives go test that value, quotes and all:
		# printed as it is, '/my tools/qemu-i386' would lose its quotes to
		# the shell and reach go test as two words.
		echo "run: GOARCH=386 $(shell_words go test -short -timeout "$limit" "${exec_flag[@]}" ./...)"
		GOARCH=386 go test -short -timeout "$limit" "${exec_flag[@]}" ./... 2>&1 || true
		echo "load-after: $(load_now)"
	} >"$(staged "$out")"
fi
# Whether the tests ran emulated is the record's to say, as --report
# reads it too: its qemu line names the emulator, or none.
rec=$(stage_read "$out")
case $(sed -n '/^qemu: /{s///p;q}' "$rec") in
"")
	echo "results/i386.sh: $rec has no qemu line (the emulator, or none), so whether its tests ran under emulation is not known" >&2
	exit 1
	;;
none*) emulated=0 ;;
*) emulated=1 ;;
esac
tests_md i386 "The tests on linux/386" "command machine commit go qemu run load-before load-after" -v emulated="$emulated"
stage_commit
if $report; then echo "wrote results/i386.md" >&2; else echo "wrote $out and results/i386.md" >&2; fi
