#!/usr/bin/env bash
# Fills the generated parts of README.md: between the lines
# "<!-- results:begin -->" and "<!-- results:end -->" the result tables, the
# default benchmark's (results/fmnist-10/table.md), the quick ablation's
# (results/quick-ablation/table.md), the quick sweep of the estimators
# published since FDA (results/quick-since-fda/table.md) and the summary lines of the kernel,
# engine and inference reports (their "## Targets" sections, as benchreport
# wrote them); between "<!-- estimators:begin -->" and
# "<!-- estimators:end -->" the table of estimators, from the code
# (go run ./internal/readme estimators). Run it after regenerating any of
# those files or changing an estimator. With --check it changes nothing
# and fails if README.md is not what it would write (.ci/run runs that).
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
case "${1:-}" in
--check) check=true ;;
"") ;;
*) echo "usage: results/update-readme.sh [--check]" >&2; exit 2 ;;
esac

section() { # file: print the file's "## Targets" section without its heading
	awk '/^## Targets/{on=1; next} on && /^## /{exit} on' "$1"
}

body=$(mktemp)
ests=$(mktemp)
out=$(mktemp)
trap 'rm -f "$body" "$ests" "$out"' EXIT
go run ./internal/readme estimators >"$ests"
{
	echo '### The default benchmark, `gradbench run` (fmnist-10, one seed)'
	echo
	sed 's/^### /#### /' results/fmnist-10/table.md
	echo
	echo '![test accuracy and training loss per epoch](results/fmnist-10/curves.svg)'
	echo
	echo '### The FDA paper'"'"'s ablations on the `quick` recipe, 3 seeds'
	echo
	sed 's/^### /#### /' results/quick-ablation/table.md
	echo
	echo '### The estimators published since FDA on the `quick` recipe, 3 seeds'
	echo
	echo '`identity`, the unclipped straight-through estimator, diverges within the first epoch of every seed: on the activations it passes gradients through activations of any size, the instability arXiv 1903.05662 describes (`w=identity/a=ste` puts it on the latent weights alone). `results/quick-since-fda.sh` makes these runs.'
	echo
	sed 's/^### /#### /' results/quick-since-fda/table.md
	echo
	for f in kernels engine inference; do
		echo "### Targets in results/$f.md"
		echo
		section "results/$f.md"
		echo
	done
} >"$body"

awk -v body="$body" -v ests="$ests" '
	/^<!-- results:begin -->$/ { print; while ((getline line < body) > 0) print line; skip = 1; next }
	/^<!-- estimators:begin -->$/ { print; while ((getline line < ests) > 0) print line; skip = 1; next }
	/^<!-- (results|estimators):end -->$/ { skip = 0 }
	!skip
' README.md >"$out"
for m in results estimators; do
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
cp "$out" README.md
echo "updated README.md"
