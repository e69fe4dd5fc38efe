// Built as scripts_atomic_test.go is, for the reason given there: the
// scripts run with a fake go.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// vcsGo stands in for go: it logs each go build's arguments to $GOLOG,
// copies itself to the build's -o, and answers go version -m with a
// vcs.revision line when FAKE_VCS is set; run as anything but go (the
// binary built), it fails.
const vcsGo = `#!/usr/bin/env bash
[ "$(basename "$0")" = go ] || exit 97
case $1 in
build)
	echo "$*" >>"$GOLOG"
	prev=
	for a; do [ "$prev" = -o ] && cp "$0" "$a"; prev=$a; done
	;;
version)
	echo "go version go1.0 fake/amd64"
	if [ "${2:-}" = -m ]; then
		printf '%s: go1.0\n\tbuild\t-buildmode=exe\n' "$3"
		[ -z "${FAKE_VCS:-}" ] || printf '\tbuild\tvcs.revision=0123456789abcdef0123456789abcdef01234567\n'
	fi
	;;
*) echo "go $*: not to be run" >&2; exit 97 ;;
esac
`

// TestScriptsBuildGradbenchWithItsCommit: a record names the commit it
// was trained at from the gradbench binary's VCS stamp, and the scripts
// that train committed records built it with a plain go build, which a
// GOFLAGS=-buildvcs=false (go env -w, as on the project machine) left
// unstamped: every record said "commit: unknown". They build it with
// -buildvcs=true, over GOFLAGS, and refuse a binary that has no stamp
// even so (go stamps none in a linked git worktree) before they train
// anything.
func TestScriptsBuildGradbenchWithItsCommit(t *testing.T) {
	for _, name := range []string{"bash", "python3"} {
		if _, err := exec.LookPath(name); err != nil {
			t.Skipf("no %s", name)
		}
	}
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(vcsGo), 0o755); err != nil {
		t.Fatal(err)
	}
	path := "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
	const refusal = "the gradbench built here names no commit"
	for _, name := range []string{"retrain", "study", "fidelity"} {
		for _, stamped := range []bool{false, true} {
			dir := scriptTree(t, name)
			log := filepath.Join(t.TempDir(), "log")
			env := []string{path, "GOLOG=" + log, "GOFLAGS=-buildvcs=false"}
			if stamped {
				env = append(env, "FAKE_VCS=1")
			}
			out, err := runScript(t, dir, name, dir, env)
			what := "results/" + name + ".sh with a go that stamps no commit"
			if stamped {
				what = "results/" + name + ".sh with a go that stamps the commit"
			}
			b, _ := os.ReadFile(log)
			builds := strings.Split(strings.TrimSpace(string(b)), "\n")
			if len(builds) == 0 || !strings.Contains(builds[0], "./cmd/gradbench") || !strings.Contains(" "+builds[0]+" ", " -buildvcs=true ") {
				t.Errorf("%s: its first go build was %q, want one of ./cmd/gradbench with -buildvcs=true", what, builds[0])
			}
			ee, isExit := err.(*exec.ExitError)
			refused := isExit && ee.ExitCode() == 2 && strings.HasPrefix(out, "results/"+name+".sh: "+refusal)
			if stamped && strings.Contains(out, refusal) {
				t.Errorf("%s: refused it\n%s", what, out)
			}
			if !stamped && !refused {
				t.Errorf("%s: %v, want exit status 2 and an error starting %q\n%s", what, err, "results/"+name+".sh: "+refusal, out)
			}
		}
	}
}
