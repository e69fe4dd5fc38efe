# Functions sourced by the results/*.sh scripts; not a script to run.

# cpu_model prints the CPU's model name (/proc/cpuinfo), cpu_cores that
# and the number of cores, "MODEL, N cores": the machine a record names.
cpu_model() { grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'; }
cpu_cores() { echo "$(cpu_model), $(nproc) cores"; }

# head_commit prints HEAD's short hash, with " (modified)" when the tree
# outside results/ differs from it: the code a record was measured with.
head_commit() { echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!results' || echo ' (modified)')"; }

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
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	go test -c -o "$tmp/current.test" "./$pkg"
	mkdir "$tmp/base"
	git archive "$base" | tar -x -C "$tmp/base"
	for f in "$@"; do
		cp "$f" "$tmp/base/$f"
	done
	(cd "$tmp/base" && go test -c -o "$tmp/base.test" "./$pkg")
}
