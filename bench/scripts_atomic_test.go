// The scripts under test run with a fake go, so how this test binary is
// built (the race detector, GOEXPERIMENT=simd, the openblas and purego
// tags) changes nothing it checks; of the four builds the README's test
// command makes, it runs in the openblas build only (as in a plain go
// test), so that CI does not spend its shell processes four times (about
// 30 s each on the 2-core project machine), and in one that go vet
// checks: the race detector's pass runs with -vet=off.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeGo stands in for go on PATH: go version answers, and every other
// call (go test, go build, go run, and each run of a tool that go build
// or go test -c made) is one step, which adds a line of its own to the
// file $FAKEGO_COUNT (the steps taken are its lines), and fails when it
// is step $FAKEGO_FAIL, after printing a partial benchmark line. A tool
// writes a line into the file of its -o or --out flag, else
// $FAKEGO_LINES lines (1 when unset) on stdout (an --out that names a
// directory, a runs directory, is no file to write), and a line into the
// files of its --curves and --bench flags (gradbench table's).
const fakeGo = `#!/usr/bin/env bash
set -eu
step() {
	# A step's number is where its line, its process id, is: steps run
	# two at once count one after the other, as each line is written
	# at once (one write in append mode) after the lines of the steps
	# before it. The last line with its id is its own: a step that had
	# the id before has ended, and none can take it while it runs.
	# Bash's own commands alone, not a flock program run at each of the
	# hundreds of steps of these tests.
	local ids i n=0
	echo "$BASHPID" >>"$FAKEGO_COUNT"
	mapfile -t ids <"$FAKEGO_COUNT"
	for i in "${!ids[@]}"; do
		if [ "${ids[i]}" = "$BASHPID" ]; then n=$((i + 1)); fi
	done
	if [ "$n" = "${FAKEGO_FAIL:-0}" ]; then
		echo "BenchmarkPartial 1 1 ns/op"
		echo "fake go: step $n fails" >&2
		exit 1
	fi
}
tool() { # ARGS: writes a line into the file of -o/--out, else on stdout
	local out= f i files=()
	while [ $# -gt 0 ]; do
		case $1 in
		-o | --out) [ -d "$2" ] || out=$2; shift ;;
		--curves | --bench) files+=("$2"); shift ;;
		esac
		shift
	done
	for f in "${files[@]}"; do echo "new $f" >"$f"; done
	if [ -n "$out" ]; then
		echo "new $out" >"$out"
	else
		for ((i = 0; i < ${FAKEGO_LINES:-1}; i++)); do echo "new output"; done
	fi
}
if [ "${0##*/}" != go ]; then
	step
	tool "$@"
	exit 0
fi
case $1 in
version) echo "go version go1.0 fake/amd64"; exit 0 ;;
esac
step
case $1 in
test | build)
	out= prev=
	for a in "$@"; do
		[ "$prev" = -o ] && out=$a
		prev=$a
	done
	if [ -n "$out" ]; then
		cp "$0" "$out"
	else
		echo "BenchmarkFake 1 1 ns/op"
	fi
	;;
run)
	shift
	while [ "${1#-}" != "$1" ]; do shift; done
	shift
	tool "$@"
	;;
*) echo "fake go: unknown command $1" >&2; exit 1 ;;
esac
`

// writeFake writes script, a bash script that starts with
// #!/usr/bin/env bash, as the executable dir/name, with bash's own path
// on that line instead: the same bash as env would find on the PATH the
// scripts run with (dir adds no bash), without starting env first at
// each of the hundreds of runs of a fake in these tests (a program more
// each time: some 4 ms on the 2-core project machine).
func writeFake(t *testing.T, dir, name, script string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal(err)
	}
	s, ok := strings.CutPrefix(script, "#!/usr/bin/env bash\n")
	if !ok {
		t.Fatalf("the fake %s does not start with #!/usr/bin/env bash", name)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!"+bash+"\n"+s), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestScriptsCommitAllOutputsTogether: a results/ script that records a
// benchmark in several files (raw runs, then the report made from them)
// replaced each file as its part finished, so that a later part that
// failed or was interrupted left a new record beside a report made from
// other data. With a go that fails at each of its steps in turn, every
// script must leave the files it writes as they were, and nothing beside
// them (results/fidelity-bench.sh left the record it was writing as
// results/fidelity-bench.txt.tmp), and with one that never fails, write
// them all. The scripts run in a copy of results/, never on the
// committed records, from the copy's top unless the case names another
// directory to start them from, where the paths they are given are.
//
// They run without uptime, ps and free (withoutUptime), and the run with
// a go that never fails is also TestScriptsNameLoadWithoutUptime's for
// the records of a case's load field: each names the load before and
// after its runs, and the busiest processes or the memory it gives. One
// run of each script checks both, not two. So does that run for the
// records checkCommitAndLoad checks (its case's commit field), whose
// tree is a git repository, as the tree of every run is for the scripts
// that build an older commit.
func TestScriptsCommitAllOutputsTogether(t *testing.T) {
	skipWithout(t, "bash", "flock", "git")
	const key = "0123456789abcdef"
	for _, c := range []struct {
		name string
		env  []string
		args []string
		from string   // the directory to start the script from, below the tree's top
		one  bool     // the script writes one file, not several
		load []string // the records checked as TestScriptsNameLoadWithoutUptime does
		// The records checked by checkCommitAndLoad, below results/.
		commit []string
	}{
		{"kernels", nil, nil, "", false, nil, []string{"kernels.txt", "kernels-avx2.txt"}},
		{"engine", nil, nil, "", false, nil, []string{"engine-go.txt", "engine-openblas.txt", "gemm-go.txt", "gemm-openblas.txt"}},
		{"inference", nil, nil, "", false, nil, []string{"inference-go.txt", "inference-openblas.txt"}},
		{"inference", []string{"RUN=results/fmnist-10/" + key + ".json"}, nil, "", false, nil, nil},
		{"data", nil, nil, "", false, nil, []string{"data.txt"}},
		{"ab-step", nil, []string{"x", "HEAD", "1"}, "", false, []string{"results/ab-step-x.txt"}, nil},
		{"ab-expr", nil, []string{"x", "HEAD", "1"}, "", false, []string{"results/ab-expr-x.txt"}, nil},
		{"ab-phase", nil, []string{"x", "HEAD", "1"}, "", false, []string{"results/ab-phase-x.txt"}, nil},
		{"contention", nil, []string{"1"}, "", false, []string{"results/contention.txt"}, nil},
		{"kernelpair", nil, []string{"1"}, "", false, []string{"results/kernelpair.txt"}, nil},
		{"backward-add", nil, []string{"1"}, "", false, []string{"results/backward-add.txt"}, nil},
		{"winograd-bound", nil, []string{"1"}, "", false, []string{"results/winograd-bound.txt"}, nil},
		{"fidelity-cost", nil, []string{"HEAD", "1"}, "", false, []string{"results/fidelity-cost.txt"}, nil},
		// Every run recorded (gradbench plan lists no cell under its
		// heading line): the table, curves and benchmark lines are
		// made again, machine.txt is left.
		{"quick-since-fda", nil, nil, "", false, nil, nil},
		// A cell to train (a line under the heading): machine.txt too.
		{"quick-since-fda", []string{"FAKEGO_LINES=2"}, nil, "", false, []string{"results/quick-since-fda/machine.txt"}, nil},
		// RUN and a DIR given relative to the directory the script was
		// started from: it changes to the repository's top, where they
		// named other files ("no such record").
		{"inference", []string{"RUN=fmnist-10/" + key + ".json"}, nil, "results", false, nil, nil},
		{"bop-bn", nil, []string{"fmnist-10"}, "results", true, nil, nil},
		{"bop-bn", nil, []string{"results/fmnist-10"}, "", true, []string{"results/bop-bn.md"}, nil},
		{"fidelity-bench", nil, nil, "", true, []string{"results/fidelity-bench.txt"}, nil},
		{"diagnostics-overhead", nil, nil, "", true, []string{"results/diagnostics-overhead.md"}, nil},
	} {
		name := strings.TrimSpace(strings.Join(append(append(c.env, c.name), c.args...), " "))
		if c.from != "" {
			name += " from " + c.from
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if c.name == "fidelity-bench" {
				skipWithout(t, "/usr/bin/time")
			}
			script, err := os.ReadFile("../results/" + c.name + ".sh")
			if err != nil {
				t.Fatal(err)
			}
			lib, err := os.ReadFile("../results/lib.sh")
			if err != nil {
				t.Fatal(err)
			}
			bin := t.TempDir()
			writeFake(t, bin, "go", fakeGo)
			path := withoutUptime(t, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			var head string // git's short name of the last run's tree's HEAD
			// run runs the script in a fresh tree whose files it wrote
			// before hold "old", failing at go step fail (0: none), and
			// returns the tree's files afterwards, the steps taken and the
			// script's output.
			run := func(fail int, outputs []string) (map[string]string, int, string, error) {
				dir := t.TempDir()
				files := map[string]string{
					"results/" + c.name + ".sh":             string(script),
					"results/lib.sh":                        string(lib),
					"results/fmnist-10/" + key + ".json":    "{}\n",
					"results/fmnist-10/" + key + ".weights": "w\n",
					// The package directories the scripts run test binaries in.
					"bench/x.go": "package bench\n",
					"data/x.go":  "package data\n",
					"gemm/x.go":  "package gemm\n",
					"nn/x.go":    "package nn\n",
					"suite/x.go": "package suite\n",
					// What results/ab-phase.sh and fidelity-cost.sh copy
					// into the older tree.
					"nn/convphase_bench_test.go":  "package nn\n",
					"suite/fidelity_cost_test.go": "package suite\n",
				}
				for _, o := range outputs {
					files[o] = "old\n"
				}
				for name, s := range files {
					p := filepath.Join(dir, name)
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				// A repository, for the scripts that build an older
				// commit, and for the run whose records' commit line is
				// checked (the runs that fail check no line of a record,
				// and these scripts run as well outside a repository:
				// head_commit then says why it names no commit).
				if strings.HasPrefix(c.name, "ab-") || c.name == "fidelity-cost" || fail == 0 && len(c.commit) > 0 {
					head = commitTree(t, dir, []string{"rev-parse", "--short", "HEAD"})
				}
				count := filepath.Join(t.TempDir(), "count")
				if err := os.WriteFile(count, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join(dir, "results", c.name+".sh")}, c.args...)...)
				cmd.Dir = filepath.Join(dir, c.from)
				cmd.Env = append(cmd.Environ(), c.env...)
				cmd.Env = append(cmd.Env, path, "FAKEGO_COUNT="+count, "FAKEGO_FAIL="+strconv.Itoa(fail))
				killTreeOnCancel(cmd)
				out, runErr := cmd.CombinedOutput()
				got := map[string]string{}
				err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
					if err != nil {
						return err
					}
					if d.IsDir() {
						if d.Name() == ".git" {
							return filepath.SkipDir
						}
						return nil
					}
					b, err := os.ReadFile(p)
					rel, _ := filepath.Rel(dir, p)
					got[filepath.ToSlash(rel)] = string(b)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				for name, s := range files {
					if got[name] == s {
						delete(got, name)
					}
				}
				b, err := os.ReadFile(count)
				if err != nil {
					t.Fatal(err)
				}
				steps := strings.Count(string(b), "\n")
				return got, steps, string(out), runErr
			}
			what := strings.TrimSpace(fmt.Sprintf("%s results/%s.sh", strings.Join(c.env, " "), c.name))
			written, steps, out, err := run(0, nil)
			if err != nil {
				t.Errorf("%s with a go that never fails: %v\n%s", what, err, out)
				return
			}
			for _, rec := range c.load {
				b, ok := written[rec]
				if !ok {
					t.Errorf("%s with a go that never fails wrote no %s", what, rec)
					continue
				}
				checkLoadLines(t, what, rec, []byte(b))
				checkProcLines(t, what, rec, []byte(b))
			}
			for _, rec := range c.commit {
				b, ok := written["results/"+rec]
				if !ok {
					t.Errorf("%s with a go that never fails wrote no results/%s", what, rec)
					continue
				}
				checkCommitAndLoad(t, what, "results/"+rec, b, head)
			}
			var outputs []string
			for name := range written {
				if strings.HasSuffix(name, ".tmp") {
					t.Errorf("%s with a go that never fails left %s behind", what, name)
				}
				outputs = append(outputs, name)
			}
			sort.Strings(outputs)
			if c.one && len(outputs) != 1 {
				t.Errorf("%s wrote %q: want one file", what, outputs)
				return
			}
			if !c.one && len(outputs) < 2 {
				t.Errorf("%s wrote %q: want two files or more", what, outputs)
				return
			}
			for fail := 1; fail <= steps; fail++ {
				changed, _, out, err := run(fail, outputs)
				if err == nil {
					t.Errorf("%s with a go that fails at step %d of %d: no error\n%s", what, fail, steps, out)
				}
				for name := range changed {
					// The sessions that trained runs, kept for the next
					// session by design (TestQuickSinceFDAResumeKeepsSessions).
					if name == "results/quick-since-fda/sessions.tmp" {
						continue
					}
					t.Errorf("%s with a go that fails at step %d of %d changed %s", what, fail, steps, name)
				}
			}
		})
	}
}

// TestQuickSinceFDAResumeKeepsSessions: results/quick-since-fda.sh run
// again after an interruption resumes the runs, but its machine.txt
// named only the session that finished them: the command, machine and
// load of the session that trained the first runs were lost. A session
// that does not finish leaves its lines in sessions.tmp, and the next
// one adds its own after them, as results/study.sh does; sessions.tmp
// goes once machine.txt is written.
func TestQuickSinceFDAResumeKeepsSessions(t *testing.T) {
	skipWithout(t, "bash", "flock")
	dir := t.TempDir()
	for _, name := range []string{"quick-since-fda.sh", "lib.sh"} {
		b, err := os.ReadFile("../results/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "results"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "results", name), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := t.TempDir()
	writeFake(t, bin, "go", fakeGo)
	count := filepath.Join(t.TempDir(), "count")
	if err := os.WriteFile(count, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Go steps: 1 gradbench plan --pending (one cell to train, as
	// FAKEGO_LINES=2 prints a heading and a cell), 2 plan --estimate,
	// 3 the cell's run: the first session fails there; the second, whose
	// steps count on from 4, never fails.
	for _, fail := range []string{"3", "0"} {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, "bash", filepath.Join(dir, "results", "quick-since-fda.sh"))
		cmd.Env = append(cmd.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"FAKEGO_COUNT="+count, "FAKEGO_FAIL="+fail, "FAKEGO_LINES=2")
		killTreeOnCancel(cmd)
		out, err := cmd.CombinedOutput()
		cancel()
		if (fail != "0") != (err != nil) {
			t.Fatalf("session failing at go step %s: %v\n%s", fail, err, out)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "results/quick-since-fda/machine.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "command: gradbench run "); n != 2 {
		t.Errorf("machine.txt names %d sessions, want 2 (the interrupted one and the one that finished):\n%s", n, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "results/quick-since-fda/sessions.tmp")); !os.IsNotExist(err) {
		t.Errorf("sessions.tmp is left after the session that finished (%v)", err)
	}
}
