# Functions sourced by the results/*.sh scripts; not a script to run.
# Every script sources it right after it changes to the repository's top
# (cd "$(dirname "$0")/.." then . results/lib.sh), where it runs.

# caller_dir is the directory the script was started from: the cd just
# before this file was sourced left it in OLDPWD. A path the user gives
# (an argument, RUN, GRADBENCH_DATA) means one from there, not from the
# repository's top, where the script runs, nor from a package's
# directory, where go test runs a test binary.
caller_dir=$OLDPWD

# caller_path PATH prints PATH as the user meant it: an absolute path
# as it is, a relative one joined to caller_dir, the directory the
# script was started from.
caller_path() {
	case $1 in /*) echo "$1" ;; *) echo "$caller_dir/$1" ;; esac
}

# A relative GRADBENCH_DATA names a directory from where the user was:
# made absolute here, so that every program the script starts (gradbench
# at the repository's top, a test binary in its package's directory)
# reads the same one.
if [ -n "${GRADBENCH_DATA:-}" ]; then
	GRADBENCH_DATA=$(caller_path "$GRADBENCH_DATA")
	export GRADBENCH_DATA
fi

# cpu_model prints the CPU's model name (/proc/cpuinfo) and, on x86, its
# family and model numbers, as run records do (internal/cpuinfo): "AMD
# EPYC (family 26, model 2)", for a virtual machine may show one generic
# name for CPUs of different generations. Linux on arm64 names no model:
# there it prints "arm64 (implementer 0x41, part 0xd0c)", the first core's
# numbers. cpu_cores prints that and the number of cores, "MODEL, N
# cores": the machine a record names.
cpu_model() {
	awk -F': *' '/^$/ && (name != "" || impl != "" || part != "") { exit }
		$1 ~ /^model name/ && name == "" { name = $2 }
		$1 ~ /^cpu family/ && fam == "" { fam = $2 }
		$1 ~ /^model[ \t]*$/ && num == "" { num = $2 }
		$1 ~ /^CPU implementer/ && impl == "" { impl = $2 }
		$1 ~ /^CPU part/ && part == "" { part = $2 }
		END { if (name != "" && fam != "" && num != "") name = name " (family " fam ", model " num ")"
			else if (name == "" && impl != "" && part != "") name = "arm64 (implementer " impl ", part " part ")"
			print name }' /proc/cpuinfo
}
cpu_cores() { echo "$(cpu_model), $(nproc) cores"; }

# head_commit prints HEAD's short hash, with " (modified)" when the tree
# outside results/ differs from it: the code a record was measured with.
# Where it cannot name one it says the commit is unknown, and why: no git
# on PATH, a tree that is no git checkout (a release archive), a checkout
# without a commit yet, or else git's own words (such as its refusal of a
# checkout another user owns, a mounted volume read as root), not "not a
# git checkout" of a tree that is one.
head_commit() {
	if ! command -v git >/dev/null; then
		echo "unknown (no git on PATH)"
		return
	fi
	local err
	if ! err=$(git rev-parse -q --verify HEAD 2>&1 >/dev/null); then
		case $err in
		'') echo "unknown (no commit yet in this git checkout)" ;;
		*"not a git repository"*) echo "unknown (not a git checkout)" ;;
		*)
			err=${err%%$'\n'*}
			echo "unknown (git: ${err#fatal: })"
			;;
		esac
		return
	fi
	echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!results' || echo ' (modified)')"
}

# md_head_list prints, as a Markdown list, the machine, the commit measured,
# the Go version and the load before the first run: the head of a report
# that records its runs itself (timing.md, fidelity-estimate.md).
md_head_list() {
	echo "- machine: $(cpu_cores)"
	echo "- commit: $(head_commit)"
	echo "- $(go version)"
	echo "- load before: $(load_now)"
}

# shell_words WORD... prints the WORDs on one line, as a command a reader
# can paste into bash: run there, it gives the program exactly these
# words. A word of letters, digits and _@%+=:,./- only is printed as it
# is; any other, an empty one too, in bash's quoting ${WORD@Q}: single
# quotes, a quote in it as '\'', a control character in $'…'. So a
# pattern reads as a person writes it, -bench '^Benchmark(A|B)$', where
# printf %q would print -bench \^Benchmark\(A\|B\)\$, and the lines read
# as bench/cmd/benchreport's and stepprofile's (shellescape.QuoteCommand,
# which leaves the same words bare). A record's run: or command: line
# prints its arguments through it: printed as they are (${args[*]}),
# a pattern's | was a pipe and its ( a syntax error in the pasted line.
# Words meant as the shell's own syntax (VAR=value before the program,
# cd … &&) are written around it by the caller.
shell_words() {
	local w line='' sep=''
	for w in "$@"; do
		case $w in '' | *[!A-Za-z0-9_@%+=:,./-]*) w=${w@Q} ;; esac
		line+=$sep$w sep=' '
	done
	printf '%s\n' "$line"
}

# record_head COMMAND prints the lines that open a record of runs: the
# command that made it, the machine, the commit measured, the Go version
# and the load before the first run.
record_head() {
	echo "command: $1"
	echo "machine: $(cpu_cores)"
	echo "commit: $(head_commit)"
	echo "go: $(go version)"
	echo "load-before: $(load_now)"
}

# load_now prints the time of day and the load averages over 1, 5 and 15
# minutes, "15:34:13 UTC, load average: 0.84, 0.88, 0.80", from the file
# loadavg names (/proc/loadavg): as uptime (procps) prints them, without
# needing it. Every load line of a record (load-before:, load-after:, and
# the load before and after of a report's head) comes from here: from
# uptime, a machine without procps (a minimal Debian) recorded no load,
# and a script that kept it in a variable stopped there. Where the file
# cannot be read (a system other than Linux) the averages are
# "unknown (cannot read /proc/loadavg: not Linux?)": the line says so,
# and the script goes on.
loadavg=/proc/loadavg
load_now() {
	local one='' five='' fifteen='' rest
	{ read -r one five fifteen rest <"$loadavg"; } 2>/dev/null || true
	if [ -z "$fifteen" ]; then
		echo "$(date -u +%H:%M:%S) UTC, load average: unknown (cannot read $loadavg: not Linux?)"
		return
	fi
	echo "$(date -u +%H:%M:%S) UTC, load average: $one, $five, $fifteen"
}

# mem_total prints the machine's memory, MemTotal of the file meminfo
# names (/proc/meminfo), in whole GiB rounded down: "23 GiB", what free -g
# (procps) printed, without needing it. Where the file cannot be read (a
# system other than Linux) it is "unknown (cannot read /proc/meminfo: not
# Linux?)", and the script goes on.
meminfo=/proc/meminfo
mem_total() {
	local kb
	kb=$(awk '$1 == "MemTotal:" { print $2; exit }' "$meminfo" 2>/dev/null) || kb=''
	case $kb in
	'' | *[!0-9]*) echo "unknown (cannot read $meminfo: not Linux?)" ;;
	*) echo "$((kb / 1048576)) GiB" ;;
	esac
}

# busiest N prints the N processes that have used the most CPU, their
# CPU time over the time since they started, "gradbench (100% CPU, nice
# 0), kdamond.0 (0.3% CPU, nice 0)", from procdir (/proc: uptime and
# each process's stat), as ps -eo pcpu=,nice=,comm= --sort=-pcpu
# (procps) ranks and prints them, without needing it. Where procdir
# cannot be read (a system other than Linux) it is "unknown (cannot read
# /proc/uptime: not Linux?)", and the script goes on.
procdir=/proc
busiest() {
	local n=$1 up='' hz f line
	local upfile=$procdir/uptime
	{ read -r up _ <"$upfile"; } 2>/dev/null || true
	if [ -z "$up" ]; then
		echo "unknown (cannot read $upfile: not Linux?)"
		return
	fi
	# Clock ticks a second, in which stat counts: 100 on Linux where
	# getconf cannot tell.
	hz=$(getconf CLK_TCK 2>/dev/null) || hz=''
	case $hz in '' | 0 | *[!0-9]*) hz=100 ;; esac
	# A process may end between the glob and the read: it is passed over.
	for f in "$procdir"/[0-9]*/stat; do
		if { read -r line <"$f"; } 2>/dev/null; then
			printf '%s\n' "$line"
		fi
	done | awk -v up="$up" -v hz="$hz" -v n="$n" -v none="unknown (no process in $procdir)" '
	{
		# pid (comm) state ...: comm may hold spaces and parentheses.
		l = index($0, "(")
		r = 0
		for (i = length($0); i > l; i--) if (substr($0, i, 1) == ")") { r = i; break }
		if (l == 0 || r == 0) next
		m++
		comm[m] = substr($0, l + 1, r - l - 1)
		split(substr($0, r + 2), f, " ")
		# f[1] is field 3, the state: utime is 14, stime 15, nice 19,
		# starttime 22. Tenths of a percent, cut as ps cuts them.
		secs = up - f[20] / hz
		tenths[m] = secs > 0 ? int((f[12] + f[13]) * 1000 / hz / secs) : 0
		nice[m] = f[17]
	}
	END {
		if (m == 0) { print none; exit }
		for (k = 1; k <= n && k <= m; k++) {
			best = 0
			for (i = 1; i <= m; i++) if (!(i in done) && (best == 0 || tenths[i] > tenths[best])) best = i
			done[best] = 1
			t = tenths[best]
			pc = t >= 1000 ? sprintf("%d", int(t / 10)) : sprintf("%d.%d", int(t / 10), t % 10)
			printf "%s%s (%s%% CPU, nice %s)", sep, comm[best], pc, nice[best]
			sep = ", "
		}
		print ""
	}'
}

# bench_record BUILD ENV... -- GO_TEST_ARGS... prints the record of one
# go test run of a script whose reports benchreport writes (data, engine,
# inference, kernels): the lines that name the command (the VAR=value
# words of ENV as they are, then go test and GO_TEST_ARGS in the shell's
# quoting, shell_words, so that the line pastes as the command run), its
# build, the machine, the commit measured, the Go version and the load
# before the runs, then go test's output with GO_TEST_ARGS and ENV in its
# environment, then the load after them.
bench_record() {
	local build=$1 envs=()
	shift
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	echo "command: ${envs[*]:+${envs[*]} }$(shell_words go test "$@")"
	echo "build: $build"
	echo "machine: $(cpu_cores)"
	echo "commit: $(head_commit)"
	echo "go: $(env "${envs[@]}" go version)"
	echo "load-before: $(load_now)"
	env "${envs[@]}" go test "$@"
	echo "load-after: $(load_now)"
}

# args_at_most NAME MAX ARGS... exits with an error naming the script
# results/NAME.sh when ARGS are more than MAX: a word the script would not
# read is refused, not ignored.
args_at_most() {
	local name=$1 max=$2
	shift 2
	if [ $# -gt "$max" ]; then
		echo "results/$name.sh: too many arguments, want at most $max (see its Usage line), got $#: $*" >&2
		exit 2
	fi
}

# report_arg NAME ARGS... reads the arguments of results/NAME.sh, a
# script that runs every package's tests built for another CPU: none, or
# --report, which runs nothing and only regenerates results/NAME.md from
# the committed results/NAME.txt. It sets report to true or false, or
# exits with an error that names the argument, an empty one too.
report_arg() {
	local name=$1
	shift
	args_at_most "$name" 1 "$@"
	report=false
	[ $# = 1 ] || return 0
	if [ "$1" != --report ]; then
		echo "results/$name.sh: want no argument, or --report (only regenerate results/$name.md from results/$name.txt), got '$1'" >&2
		exit 2
	fi
	report=true
}

# tests_md NAME TITLE FIELDS AWK_ARG... writes results/NAME.md into the
# staging tree (stage_begin): the report of results/NAME.txt, go test's
# output for every package, the one staged, else (--report) the
# committed one. It holds the heading TITLE, the record's head lines
# FIELDS names (such as "command machine") as a list, how many packages
# passed, had no tests and failed, a table of each failing test and why
# (results/failing.awk, run with the AWK_ARGs), what the function
# tests_md_note prints when the script defines one, and, last, where a
# reader looks, how many tests the time limit stopped and how many
# failed for neither reason of emulation.
tests_md() {
	local name=$1 title=$2 fields=${3// /|} out=results/$1.txt md rec
	shift 3
	rec=$(stage_read "$out")
	md=$(staged "results/$name.md")
	{
		echo "# $title"
		echo
		echo "Generated by \`results/$name.sh\` from $out; do not edit."
		echo
		sed -En "s/^($fields): /- \\1: /p" "$rec"
		echo
		echo "Packages whose tests passed: $(grep -c '^ok ' "$rec"); with no tests: $(grep -c '^? ' "$rec"); that failed: $(grep -c '^FAIL	' "$rec")."
		echo
		echo "| failing test | package | why |"
		echo "|:--|:--|:--|"
		awk "$@" -f results/failing.awk "$rec"
		if declare -F tests_md_note >/dev/null; then tests_md_note; fi
	} >"$md"
	echo >>"$md"
	echo "Tests stopped by the time limit: $(grep -c 'ran out of their time limit' "$md" || true). Failing tests with neither reason: $(grep -c '| failed |$' "$md" || true)." >>"$md"
}

# need NAME TOOL... exits with an error naming the script results/NAME.sh
# and every TOOL that is not on PATH (or, given as a path, not there), so
# that the script stops before it builds or runs anything: a number read
# through a missing tool in a command substitution was written wrong, not
# refused ("0 s" from printf of an empty $(… | bc)), minutes later.
need() {
	local name=$1 t missing=()
	shift
	for t in "$@"; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		t=$(printf ', %s' "${missing[@]}")
		echo "results/$name.sh: needs ${t:2}, not found on PATH: install it, then run the script again" >&2
		exit 2
	fi
}

# go_test_flags NAME ARGS... exits with an error naming the script
# results/NAME.sh unless every one of ARGS is a go test flag written as
# one word, -flag or -flag=value: go test reads any other word as a
# package, so a typo such as count=1 (or the 1 of -count 1) ran the whole
# benchmarks and failed only at their end. A flag given twice (in any
# of go test's spellings, -count, --count, -test.count) is refused too:
# go test keeps the last value without a word, the first given and then
# ignored.
go_test_flags() {
	local name=$1 a f
	local -A first=()
	shift
	for a in "$@"; do
		case $a in -?*) ;; *)
			echo "results/$name.sh: argument '$a' is no go test flag: want flags written as one word, -flag or -flag=value (such as -count=1 -benchtime=10x), which the script passes to go test" >&2
			exit 2
			;;
		esac
		f=$(go_test_flag_name "$a")
		if [ -n "${first[$f]+x}" ]; then
			echo "results/$name.sh: -$f given twice ('${first[$f]}', then '$a'): give each go test flag once" >&2
			exit 2
		fi
		first[$f]=$a
	done
}

# go_test_flag_name ARG prints the name of the go test flag ARG
# (-flag or -flag=value): without its dashes, its test. prefix and its
# value, so that -count=1, --count=1 and -test.count=1 are one flag.
go_test_flag_name() {
	local f=${1#-}
	f=${f#-}
	f=${f#test.}
	echo "${f%%=*}"
}

# bench_args NAME ARGS... checks ARGS with go_test_flags NAME and sets the
# array args to them, with -count=10 first unless they give a -count: the
# go test flags of a script that records benchmarks (data, engine,
# inference, kernels), which report medians of 10 runs by default. A
# -count must be a whole number of at least 1: go test runs no benchmark
# at -count=0 and passes, and the script failed only in its report. The
# flags the script sets itself (-run, -bench, and -tags for its builds)
# or that its records' build lines speak for (-estimators.impl, the
# kernels the benchmarks run; -trainstep.impl, -trainstep.gemm and
# -trainstep.forward, the kernels, GEMM and forward pass of the training
# step engine.sh times) are refused: go test keeps the last value given,
# the user's, and the record named the script's. So are the flags that
# leave the report no benchmark lines to read (-json, -c, -n, -list):
# the script ran its builds and failed only in its report, "no benchmark
# results", naming no flag. (-v, -o and -exec are not: go test -v still
# prints the benchmark lines, which the report reads past its own; -o
# without -c still runs them; -exec runs the test binary through
# another program.) So are the flags that build other code than the
# builds the records name, whose timings would be another program's:
# -race, -msan, -asan, the coverage flags (-cover, -covermode, -coverpkg,
# -coverprofile), -gcflags, -ldflags, -asmflags, -pgo, -compiler,
# -gccgoflags, -toolexec, -overlay, -linkshared and -modfile, with any
# value (-race=false too: the scripts' builds have none of them).
bench_args() {
	local name=$1
	shift
	go_test_flags "$name" "$@"
	args=("$@")
	local a f
	for a in "$@"; do
		f=$(go_test_flag_name "$a")
		case $f in run | bench | tags | estimators.impl | trainstep.impl | trainstep.gemm | trainstep.forward)
			echo "results/$name.sh: -$f is the script's own (it sets the runs and builds its records name, and go test keeps the last value given): leave it out" >&2
			exit 2
			;;
		json) no_report_flag "$name" json "go test prints JSON events instead" ;;
		c) no_report_flag "$name" c "go test only builds the test binary" ;;
		n) no_report_flag "$name" n "go test only prints the commands it would run" ;;
		list) no_report_flag "$name" list "go test only lists the tests and benchmarks" ;;
		race) other_build_flag "$name" race "go test builds it with the race detector" ;;
		msan) other_build_flag "$name" msan "go test builds it with the memory sanitizer" ;;
		asan) other_build_flag "$name" asan "go test builds it with the address sanitizer" ;;
		cover | covermode | coverpkg | coverprofile) other_build_flag "$name" "$f" "go test builds it with coverage counters" ;;
		gcflags) other_build_flag "$name" gcflags "go test builds it with other compiler flags" ;;
		ldflags) other_build_flag "$name" ldflags "go test builds it with other linker flags" ;;
		asmflags) other_build_flag "$name" asmflags "go test builds it with other assembler flags" ;;
		pgo) other_build_flag "$name" pgo "go test builds it with another profile-guided optimization" ;;
		compiler | gccgoflags) other_build_flag "$name" "$f" "go test builds it with another compiler" ;;
		toolexec) other_build_flag "$name" toolexec "go test runs its compiler and linker through another program" ;;
		overlay) other_build_flag "$name" overlay "go test builds it from other source files" ;;
		linkshared) other_build_flag "$name" linkshared "go test links it against shared libraries" ;;
		modfile) other_build_flag "$name" modfile "go test builds it with the dependencies of another go.mod" ;;
		esac
	done
	for a in "$@"; do
		if [ "$(go_test_flag_name "$a")" = count ]; then
			case $a in *=*) ;; *) a=$a= ;; esac
			whole_arg "$name" "-count=N, the runs of each benchmark" 1 "${a#*=}"
			return 0
		fi
	done
	args=(-count=10 "${args[@]}")
}

# no_report_flag NAME FLAG WHY exits with an error naming the script
# results/NAME.sh and the go test flag -FLAG, which leaves the script's
# report no benchmark lines to read, and WHY (bench_args).
no_report_flag() {
	echo "results/$1.sh: -$2 leaves the report no benchmark lines to read ($3): leave it out" >&2
	exit 2
}

# other_build_flag NAME FLAG WHY exits with an error naming the script
# results/NAME.sh and the go test flag -FLAG, which builds the benchmarks
# otherwise than the build its records name, and WHY (bench_args).
other_build_flag() {
	echo "results/$1.sh: -$2 times another build than the one its records name ($3): leave it out" >&2
	exit 2
}

# whole_arg NAME WHAT MIN VALUE exits with an error naming the script and
# WHAT unless VALUE is a whole number of at least MIN written without
# leading zeros (so that it is the number it reads as), of at most 18
# digits: a larger one overflows the shell's 64-bit integers, where the
# test of its least value failed with a warning and so refused nothing.
whole_arg() {
	case $4 in '' | 0* | *[!0-9]*)
		echo "results/$1.sh: want $2, a whole number of at least $3 without leading zeros, got '$4'" >&2
		exit 2
		;;
	esac
	if [ ${#4} -gt 18 ]; then
		echo "results/$1.sh: want $2 of at most 18 digits (the shell's integers), got '$4'" >&2
		exit 2
	fi
	if [ "$4" -lt "$3" ]; then
		echo "results/$1.sh: want $2 of at least $3, got $4" >&2
		exit 2
	fi
}

# label_arg NAME EXAMPLE LABEL exits with an error naming the script
# results/NAME.sh unless LABEL, which names the script's output files,
# is lowercase letters, digits and '-', starting with a letter or a
# digit: one that starts with '-' is a mistyped option (--reprot for
# --report, or -h), which would run the whole benchmark under that name.
label_arg() {
	case $3 in '' | [!a-z0-9]* | *[!a-z0-9-]*)
		echo "results/$1.sh: want a LABEL of lowercase letters, digits and '-' that starts with a letter or digit, such as $2, got '$3'" >&2
		exit 2
		;;
	esac
}

# runs_arg NAME DEFAULT [RUNS] sets runs to RUNS (DEFAULT when there is no
# third argument; an empty one is refused) for the script results/NAME.sh,
# or exits with an error that names the bad value, or RUNS set in the
# environment.
runs_arg() {
	# couple.sh, poolstats.sh and threads.sh read RUNS from the
	# environment; one set for a script that takes RUNS as its argument
	# would be ignored, its default run instead.
	if [ -n "${RUNS+x}" ]; then
		echo "results/$1.sh: RUNS is set in the environment, which this script does not read: give RUNS as its argument (see its Usage line), and unset RUNS" >&2
		exit 2
	fi
	if [ $# -ge 3 ]; then runs=$3; else runs=$2; fi
	whole_arg "$1" RUNS 1 "$runs"
}

# commit_arg NAME REV exits with an error naming REV unless git knows it
# as a commit, before the script results/NAME.sh builds anything.
commit_arg() {
	need "$1" git
	if ! git rev-parse --verify -q "$2^{commit}" >/dev/null; then
		echo "results/$1.sh: want a BASE commit, got '$2', which is no commit of this repository" >&2
		exit 2
	fi
}

# remove_on_exit PATH... removes each PATH (a file or a directory) when
# the script exits, however it exits: at its end, on an error (set -e) or
# on an interrupt (bash runs the EXIT trap on SIGINT, SIGTERM and
# SIGHUP). Every script's scratch files go this way, through the one
# EXIT trap below: a script that set its own trap replaced the one set
# before it.
exit_paths=()
remove_on_exit() { exit_paths+=("$@"); }

# on_exit, the EXIT trap: removes the scratch paths, and the copies
# stage_commit made beside the committed files (PATH.tmp) when the
# script stopped before they were all renamed into place, so that a
# failed or interrupted run leaves no partial output in results/. It
# keeps those of a move begun (stage_commit's journal), which the next
# run finishes.
on_exit() {
	local rc=$? paths=("${exit_paths[@]}" "${stage_tmps[@]}")
	[ ${#paths[@]} = 0 ] || rm -rf -- "${paths[@]}" || true
	# The journal's lock, held (stage_lock) when a copy failed or was
	# interrupted: removed as stage_unlock removes it.
	[ -z "${stage_lock_held:-}" ] || rm -f -- "$stage_journal.lock" || true
	return $rc
}
stage_tmps=()
trap on_exit EXIT

# tmp_dir sets tmp to a new temporary directory, removed when the script
# exits.
tmp_dir() {
	tmp=$(mktemp -d)
	remove_on_exit "$tmp"
}

# A script that writes a file, or several, writes each into a staging
# tree first, at its own path below it (results/x.txt at
# $stage/results/x.txt), and moves them all into place with stage_commit
# only once every one is written: a failure or an interrupt before then
# leaves every committed file as it was, never a new record beside a
# report made from another, and nothing else behind in results/.
# Programs that name the files they read or write (benchreport, gradbench
# export) run in the staging tree, so that they name them as committed.

# stage_begin sets stage to a new, empty staging tree in the scratch
# directory $tmp (made with tmp_dir when the script has none yet).
stage_begin() {
	[ -n "${tmp:-}" ] || tmp_dir
	stage=$tmp/stage
	mkdir "$stage"
}

# make_parent PATH makes PATH's directory, as mkdir -p "$(dirname PATH)"
# does, but starts no program when it is there already (the staging
# functions below call it for every output, and the results scripts'
# tests run them thousands of times, at some 10 ms a program on the
# 2-core project machine).
make_parent() {
	local p=${1%"${1##*[!/]}"} d # PATH without its trailing slashes
	case $p in
	'') d=/ ;;
	*/*) d=${p%/*}; d=${d:-/} ;;
	*) d=. ;;
	esac
	[ -d "$d" ] || mkdir -p "$d"
}

# staged PATH prints PATH's place in the staging tree, $stage/PATH, and
# makes its directory: where the script writes the file PATH.
staged() {
	make_parent "$stage/$1"
	echo "$stage/$1"
}

# stage_dir PATH stages the directory PATH: a program is to make it at
# $stage/PATH (stage_dir makes its parent), and stage_commit puts it in
# PATH's place whole, so that files the new one no longer holds go too.
# (Not from a command substitution, whose subshell would forget it.)
stage_dir() {
	make_parent "$stage/$1"
	stage_dirs+=("$1")
}
stage_dirs=()

# stage_journal is the journal of this script's moves into place,
# results/.NAME.moving for results/NAME.sh: the paths being moved, one
# "f PATH" (a file) or "d PATH" (a directory) a line. Every run of the
# script shares it, so a run moves (stage_commit) and replays a move
# (stage_resume) only while it holds the lock on $stage_journal.lock
# (stage_lock), taken with flock: a script refuses to start without it.
stage_journal=${0##*/}
stage_journal=${stage_journal%.sh}
case $0 in *.sh) need "$stage_journal" flock ;; esac
stage_journal=results/.$stage_journal.moving

# stage_commit moves every file of the staging tree to its path below the
# current directory (the repository's top, where the scripts run), and
# every directory staged with stage_dir over its own. Each is copied
# beside its place first, as PATH.tmp (the slow part, as $tmp may be on
# another filesystem; a copy that fails or is interrupted is removed on
# exit), and only when every copy is whole are they renamed into place,
# one rename each (a directory's old one removed first), by stage_move.
# It fails, moving nothing, when nothing is staged.
#
# What the set of outputs is promised: the renames run with SIGINT,
# SIGTERM and SIGHUP ignored (an interrupt there is dropped; the renames
# take milliseconds), so that an interrupt leaves either every committed
# file as it was or every one new. POSIX renames one path at a time, so
# what no script can stop (SIGKILL, a crash, a rename that fails) can
# still leave some moved and some not: the journal, written once every
# copy is whole and removed after the last rename, records the move
# then, with the copies not yet renamed, and the next run of the script
# finishes it before anything else (stage_resume), saying so. The
# copies and renames run under the journal's lock (stage_lock), so that
# another run of the script (ab-step.sh with another label) started
# meanwhile waits for them to end rather than take the journal for a
# move that was stopped, and one that writes the same outputs (the
# script run twice at once) neither replaces the copies being renamed
# nor renames its own among them: the outputs in place are all of one
# run. A journal found under the lock is that of a run stopped after
# this one started, whose move is finished first, with its own copies.
stage_commit() {
	local f d files=() moves=()
	while IFS= read -r -d '' f; do
		f=${f#./}
		for d in "${stage_dirs[@]}"; do
			case $f in "$d"/*) continue 2 ;; esac
		done
		files+=("$f")
	done < <(cd "$stage" && find . -type f -print0 | sort -z)
	if [ $((${#files[@]} + ${#stage_dirs[@]})) = 0 ]; then
		echo "stage_commit: nothing staged in $stage" >&2
		return 1
	fi
	# The copies too are made under the lock: another run of the script
	# that writes the same outputs makes and renames the same PATH.tmp,
	# and a stopped move's journal (stage_replay) renames its own copies.
	stage_lock
	stage_replay
	for d in "${stage_dirs[@]}"; do
		stage_tmps+=("$d.tmp")
		rm -rf "$d.tmp"
		make_parent "$d"
		cp -R "$stage/$d" "$d.tmp"
		moves+=("d $d")
	done
	for f in "${files[@]}"; do
		stage_tmps+=("$f.tmp")
		make_parent "$f"
		cp "$stage/$f" "$f.tmp"
		moves+=("f $f")
	done
	stage_move "${moves[@]}"
	stage_unlock
	stage_dirs=()
	rm -rf "$stage"
}

# stage_lock takes the lock on $stage_journal.lock, waiting while another
# run of the script holds it (an interrupt then stops the script as
# anywhere else: nothing is moved yet); stage_unlock removes the lock
# file and lets it go, as on_exit does for a run stopped holding it. A run that waited on a file the holder removed
# meanwhile takes the lock again on the new one, so that two runs never
# hold it at once.
stage_lock() {
	mkdir -p "$(dirname "$stage_journal")"
	while :; do
		exec {stage_lock_fd}>>"$stage_journal.lock"
		if ! flock "$stage_lock_fd"; then
			echo "stage_commit: could not lock $stage_journal.lock (flock failed), so nothing is moved" >&2
			exit 1
		fi
		if [ "/dev/fd/$stage_lock_fd" -ef "$stage_journal.lock" ]; then
			stage_lock_held=1
			return 0
		fi
		exec {stage_lock_fd}>&-
	done
}
stage_unlock() {
	rm -f "$stage_journal.lock"
	exec {stage_lock_fd}>&-
	stage_lock_held=
}

# stage_move MOVE... renames each MOVE's PATH.tmp over PATH (MOVE is
# "f PATH" or "d PATH", as in the journal), with interrupts ignored,
# after writing the journal; it removes the journal once all are done.
# Those whose PATH.tmp is gone were renamed before (by a run that was
# stopped): stage_resume passes the journal's moves again.
stage_move() {
	local m kind path restore
	restore=$(trap -p INT TERM HUP)
	trap '' INT TERM HUP
	make_parent "$stage_journal"
	remove_on_exit "$stage_journal.new"
	printf '%s\n' "$@" >"$stage_journal.new"
	mv "$stage_journal.new" "$stage_journal"
	# The copies are the journal's now: kept if a rename fails.
	stage_tmps=()
	for m in "$@"; do
		kind=${m%% *} path=${m#* }
		[ -e "$path.tmp" ] || continue
		if [ "$kind" = d ]; then rm -rf "$path"; fi
		mv "$path.tmp" "$path" || {
			echo "stage_commit: could not move $path.tmp to $path: the outputs of this run are partly in place; $stage_journal lists them, and the next run of ${0##*/} moves the rest" >&2
			exit 1
		}
	done
	rm -f "$stage_journal"
	trap - INT TERM HUP
	eval "$restore"
}

# stage_resume finishes the move a run of this script began and did not
# end (its journal is there: stage_commit), before the script does
# anything else, so that the outputs it was moving are all of that run.
# A journal there may be that of a run moving now: the lock waits for
# its move to end, and the journal is gone then.
stage_resume() {
	[ -f "$stage_journal" ] || return 0
	stage_lock
	stage_replay
	stage_unlock
}

# stage_replay, under the journal's lock (stage_lock), finishes the move
# the journal lists, if there is one, saying so.
stage_replay() {
	[ -f "$stage_journal" ] || return 0
	local moves=() m
	mapfile -t moves <"$stage_journal"
	echo "results/${0##*/}: a run of this script was stopped while it moved its outputs into place ($stage_journal): finishing that move first, so that they are all of that run:" >&2
	for m in "${moves[@]}"; do
		if [ -e "${m#* }.tmp" ]; then echo "  ${m#* } (moved now)" >&2; else echo "  ${m#* } (was in place)" >&2; fi
	done
	stage_move "${moves[@]}"
}
stage_resume

# stage_read PATH prints the path to read PATH at: its place in the
# staging tree when it is staged, else PATH itself, the committed file. A
# report made from all the records of one kind, the new one staged, reads
# them through it.
stage_read() {
	if [ -e "$stage/$1" ]; then echo "$stage/$1"; else echo "$1"; fi
}

# build_gradbench NAME OUT builds cmd/gradbench into OUT for the script
# results/NAME.sh, whose runs of it write records committed under
# results/: each record names the commit it was trained at from the
# binary's VCS stamp, "unknown" without one. It builds with
# -buildvcs=true, over a -buildvcs=false that GOFLAGS sets (in the
# environment or by go env -w, as on the project machine, where every
# record said "commit: unknown"), and refuses a binary that has no stamp
# even so: go stamps one only in a checkout whose .git is a directory,
# not in a linked worktree (git worktree add), whose .git is a file.
# (gradbench run through go run, as results/quick-since-fda.sh runs it,
# asks git for the commit itself: no stamp is needed there.)
build_gradbench() {
	go build -buildvcs=true -o "$2" ./cmd/gradbench
	if ! go version -m "$2" | grep -Eq '^[[:space:]]*build[[:space:]]+vcs\.revision='; then
		echo "results/$1.sh: the gradbench built here names no commit (go version -m shows no vcs.revision), so its records would say commit: unknown: go stamps the commit only in a git checkout whose .git is a directory, not in a linked worktree (git worktree add) nor in a tree without git; run the script in a clone" >&2
		exit 2
	fi
}

# need_openblas NAME ENV... links the test binary of package bench with
# -tags openblas, the VAR=value words ENV in its environment, for the
# script results/NAME.sh before it runs any benchmark, and exits with an
# error when that fails: naming the package to install where go's words
# say the link found no OpenBLAS (or cgo no C compiler), as the build
# links OpenBLAS (libopenblas-dev) and without it the script failed only
# after the default build's benchmarks, with the linker's words alone;
# else (a compile error) only that the build failed. (go test builds the
# same packages again from its cache.)
need_openblas() {
	local name=$1
	shift
	[ -n "${tmp:-}" ] || tmp_dir
	if ! env "$@" go test -c -tags openblas -o "$tmp/openblas.test" ./bench >"$tmp/openblas.txt" 2>&1; then
		cat "$tmp/openblas.txt" >&2
		if grep -qE -- '-l(open|c)blas|cblas\.h|C compiler' "$tmp/openblas.txt"; then
			echo "results/$name.sh: the -tags openblas build failed (above): it links OpenBLAS, Debian's libopenblas-dev (sudo apt-get install libopenblas-dev), and cgo needs a C compiler (gcc); install them, then run the script again" >&2
		else
			echo "results/$name.sh: the -tags openblas build of package bench failed (go's words above)" >&2
		fi
		exit 2
	fi
	cat "$tmp/openblas.txt" >&2
	rm -f "$tmp/openblas.test" "$tmp/openblas.txt"
}

# build_benchreport builds bench/cmd/benchreport into $tmp for
# benchreport: a script calls it before its benchmarks, so that code that
# does not build fails it at once, not after them.
build_benchreport() { go build -o "$tmp/benchreport" ./bench/cmd/benchreport; }

# benchreport ARGS... runs bench/cmd/benchreport (build_benchreport's)
# with ARGS in the staging tree, where its inputs and -o are, under the
# names the report gives them (results/x.txt): go run would need the
# module's directory.
benchreport() { (cd "$stage" && "$tmp/benchreport" "$@"); }

# build_ab BASE PKG [FILE...] builds the test binary of package PKG (a
# path below the repository, such as bench) twice, for an A/B window: of
# the current tree as $tmp/current.test, and of commit BASE (its git
# archive, with each FILE copied in from the current tree) as
# $tmp/base.test. It sets base to BASE's short hash and tmp to a new
# temporary directory, removed when the script exits.
build_ab() {
	base=$(git rev-parse --short "$1^{commit}")
	local pkg=$2 f
	shift 2
	tmp_dir
	go test -c -o "$tmp/current.test" "./$pkg"
	mkdir "$tmp/base"
	git archive "$base" | tar -x -C "$tmp/base"
	for f in "$@"; do
		cp "$f" "$tmp/base/$f"
	done
	(cd "$tmp/base" && go test -c -o "$tmp/base.test" "./$pkg")
}

# ab_args NAME ARGS... parses the arguments LABEL BASE [RUNS] of the A/B
# script results/NAME.sh: it sets label, base (the commit as given), runs
# (6 by default) and ab_cmd (the command line, for the record), or exits
# with an error that names the bad argument.
ab_args() {
	local name=$1
	shift
	ab_cmd=$(shell_words "results/$name.sh" "$@")
	args_at_most "$name" 3 "$@"
	label=${1:-} base=${2:-}
	label_arg "$name" lut "$label"
	[ -n "$base" ] || { echo "results/$name.sh: want a BASE commit" >&2; exit 2; }
	commit_arg "$name" "$base"
	runs_arg "$name" 6 "${@:3:1}"
}

# ab_window NAME DIR TITLE WHAT ARGS... runs the two test binaries that
# build_ab made, base then current, $runs times in one window, each with
# ARGS in the package directory DIR, into results/NAME-$label.txt (with
# record_head's lines, the base commit and the load after; benchmark
# names lose their /gemm=… part), and writes
# benchstat's comparison of the two, base against current, to
# results/NAME-$label.md under the heading TITLE and the line WHAT,
# followed by what the function ab_md_tail prints, when the script
# defines one (it is given the .txt file, in the staging tree). Both
# files are staged (stage_begin) and moved into results/ together once
# both are written, so that a failure or an interrupt leaves the
# committed ones as they were.
ab_window() {
	local name=$1 dir=$2 title=$3 what=$4 i code
	shift 4
	local out=results/$name-$label.txt md=results/$name-$label.md
	stage_begin
	{
		record_head "$ab_cmd"
		echo "base: $base"
		for i in $(seq 1 "$runs"); do
			for code in base current; do
				echo "code: $code"
				(cd "$dir" && "$tmp/$code.test" "$@") | grep -Ev '^(PASS|ok)' | sed -E 's|/gemm=[a-z0-9-]+||'
			done
			echo "run $i of $runs done" >&2
		done
		echo "load-after: $(load_now)"
	} >"$(staged "$out")"
	{
		echo "# $title"
		echo
		echo "Generated by \`$ab_cmd\` from $out; do not edit."
		echo "$what"
		echo
		echo '```'
		go run golang.org/x/perf/cmd/benchstat -col code -filter .unit:sec/op "$stage/$out" | grep -Ev '^(goos|goarch|pkg|cpu):'
		echo '```'
		if declare -F ab_md_tail >/dev/null; then ab_md_tail "$stage/$out"; fi
	} >"$(staged "$md")"
	stage_commit
	echo "wrote $out and $md" >&2
}

# medians FILE BENCHSTAT_ARGS... prints the medians benchstat finds in
# FILE, one line "row<TAB>column<TAB>median" each, from its CSV output: a
# header row of the columns, one of the units, then a row per benchmark
# with each column's median and interval (and, after the first column,
# the change against it), the geomean row last.
medians() {
	local file=$1
	shift
	go run golang.org/x/perf/cmd/benchstat -format csv "$@" "$file" 2>/dev/null | awk -F, '
		$1 == "" && !head { for (i = 2; i <= NF; i++) col[i] = $i; head = 1; next }
		head && $1 != "" && $1 != "geomean" {
			for (i = 2; i <= NF; i++) if (col[i] != "" && $i != "") print $1 "\t" col[i] "\t" $i
		}'
}

# alone_and_pair_md NAME TITLE COMMAND LINE... writes results/NAME.md
# from results/NAME.txt (alone_and_pair's runs), both in the staging tree
# (stage_begin): the heading TITLE, a line naming COMMAND as its
# generator, the LINEs, and benchstat's comparison of the "mode: alone"
# runs with the "mode: pair" ones. Then it moves the staged files into
# results/ together (stage_commit).
alone_and_pair_md() {
	local name=$1 title=$2 cmd=$3 md=results/$1.md
	shift 3
	{
		echo "# $title"
		echo
		echo "Generated by \`$cmd\` from results/$name.txt; do not edit."
		printf '%s\n' "$@"
		echo
		echo '```'
		go run golang.org/x/perf/cmd/benchstat -col mode -filter .unit:sec/op "$stage/results/$name.txt" | grep -Ev '^(goos|goarch|pkg|cpu):'
		echo '```'
	} >"$(staged "$md")"
	stage_commit
	echo "wrote results/$name.txt and $md" >&2
}

# alone_and_pair RUNS FUNC prints RUNS alternations of FUNC (a function
# that prints benchmark lines) run as one process alone ("mode: alone")
# and as two processes started together, one per core ("mode: pair",
# both counted), each followed by a progress line on stderr; it uses
# the scratch directory $tmp (tmp_dir).
alone_and_pair() {
	local runs=$1 fn=$2 i
	for i in $(seq 1 "$runs"); do
		echo "mode: alone"
		"$fn"
		"$fn" >"$tmp/a.txt" &
		"$fn" >"$tmp/b.txt"
		wait $!
		echo "mode: pair"
		cat "$tmp/a.txt" "$tmp/b.txt"
		echo "run $i of $runs done" >&2
	done
}

# lr_choice SPEC [OPT] reads a learning-rate table (gradbench table
# --ablation lr) on stdin and prints "M EDGE": the multiplier chosen for
# SPEC in the workload of optimizer OPT (default sgd) and whether it lies
# at the grid's "upper" or "lower" edge or "inside" it; nothing when SPEC
# has no choice there (no runs, or none chosen). The multiplier is cut
# out by pattern, not by counting: "×" is two bytes and one character,
# and awks count one or the other. Records of another workload of the
# same optimizer (another recipe's) give a second choice: it prints
# none then, and says so, rather than train at either.
lr_choice() {
	awk -F'|' -v spec="$1" -v opt="${2:-sgd}" '
		/^### / { sec = ($0 ~ (", " opt " lr ")) }
		sec { e = $2; gsub(/^ +| +$/, "", e) }
		sec && e == spec && match($(NF-1), /\(×[^)]*\)/) {
			c = $(NF-1)
			m = substr(c, RSTART, RLENGTH)
			sub(/^\(×/, "", m)
			sub(/\)$/, "", m)
			edge = c ~ /upper edge/ ? "upper" : c ~ /lower edge/ ? "lower" : "inside"
			got[++n] = m " " edge
		}
		END {
			if (n == 1) print got[1]
			else if (n > 1) printf "lr_choice: %d workloads of %s have a learning rate chosen for %s (records of another recipe in the directory?): none taken\n", n, opt, spec > "/dev/stderr"
		}'
}
