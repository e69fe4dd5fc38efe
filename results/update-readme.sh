#!/usr/bin/env bash
# Copies the generated result tables into README.md, between the lines
# "<!-- results:begin -->" and "<!-- results:end -->": the default
# benchmark's table (results/fmnist-10/table.md), the quick ablation's
# tables (results/quick-ablation/table.md) and the summary lines of the
# kernel, engine and inference reports (their "## Targets" sections, as
# benchreport wrote them). Run it after regenerating any of those files.
set -euo pipefail
cd "$(dirname "$0")/.."

section() { # file: print the file's "## Targets" section without its heading
	awk '/^## Targets/{on=1; next} on && /^## /{exit} on' "$1"
}

body=$(mktemp)
trap 'rm -f "$body"' EXIT
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
	for f in kernels engine inference; do
		echo "### Targets in results/$f.md"
		echo
		section "results/$f.md"
		echo
	done
} >"$body"

awk -v body="$body" '
	/^<!-- results:begin -->$/ { print; while ((getline line < body) > 0) print line; skip = 1; next }
	/^<!-- results:end -->$/ { skip = 0 }
	!skip
' README.md >README.md.tmp
mv README.md.tmp README.md
echo "updated README.md"
