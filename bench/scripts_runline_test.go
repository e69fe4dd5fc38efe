// Built as scripts_atomic_test.go is, for the reason given there: the
// scripts run with a fake go.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fakeCallingGo stands in for go on PATH and for every program it
// builds. As go: version answers; test -c and build copy it to their -o
// file; run of benchstat prints a CSV table with the columns and rows
// results/lut.sh looks for when given -format csv; test without -c is a
// call. Under any other name (a test binary, benchreport) it is a call,
// and writes a line into the file of its -o flag, if any. A call writes
// a file of its own into $CALLS: its program's name, the name of its
// working directory, GOMAXPROCS, GOFLAGS and GOEXPERIMENT ("-" when
// unset) and its arguments, each ended by a NUL byte. The test binaries
// print what results/gemm512.sh's probe looks for, and a benchmark line.
const fakeCallingGo = `#!/usr/bin/env bash
set -eu
call() {
	printf '%s\0' "${0##*/}" "${PWD##*/}" "${GOMAXPROCS--}" "${GOFLAGS--}" "${GOEXPERIMENT--}" "$@" >"$(mktemp "$CALLS/call.XXXXXX")"
}
if [ "${0##*/}" != go ]; then
	call "$@"
	prev=
	for a in "$@"; do
		[ "$prev" != -o ] || echo "new $a" >"$a"
		prev=$a
	done
	printf 'impl=avx2\nimpl=avx512\nBenchmarkFake 1 1 ns/op\n'
	exit 0
fi
case $1 in
version) echo "go version go1.0 fake/amd64" ;;
test | build)
	out= prev=
	for a in "$@"; do
		[ "$prev" != -o ] || out=$a
		prev=$a
	done
	if [ -n "$out" ]; then
		cp "$0" "$out"
	else
		call "$@"
		echo "BenchmarkFake 1 1 ns/op"
	fi
	;;
run)
	case " $* " in
	*" -format csv "*) printf ',gemm,lut-avx2\n,sec/op,sec/op\nBinaryInputGrad 16x32x32,2e-06,1e-06\n' ;;
	*) echo "benchstat output" ;;
	esac
	;;
*) echo "fake go: unknown command $1" >&2; exit 1 ;;
esac
`

// readCalls returns the calls the fakes of fakeCallingGo recorded in dir,
// each as its fields joined by NUL bytes, without repeats, sorted.
func readCalls(t *testing.T, dir string) []string {
	t.Helper()
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, string(b))
	}
	slices.Sort(calls)
	return slices.Compact(calls)
}

// showCall prints a call of readCalls for a message.
func showCall(c string) string {
	return strings.Join(strings.Split(strings.TrimSuffix(c, "\x00"), "\x00"), " ‖ ")
}

// TestScriptsCommandLinesPasteSafe: the line a record gives for the
// command that made its numbers (run:, command:) printed the arguments
// as they are (${args[*]}): a benchmark pattern such as
// 'Binary(Input|Weight)Grad…' pasted into bash made a pipe of its | and
// a syntax error of its (, and a go test flag or a lock file with a
// space in it became two words. Each script runs here with fakes of go
// and of the programs it builds, which record the arguments they are
// called with; each such line of its outputs, run by bash -c in the
// same tree with the same fakes, must call the programs with arguments
// the script called them with, and, for the lines that give the runs of
// test binaries (run:), make every such call the script made.
func TestScriptsCommandLinesPasteSafe(t *testing.T) {
	skipWithout(t, "bash", "flock", "mktemp")
	// A go test flag with the shell's syntax in it.
	flags := []string{"-skip=Foo|Bar(x)"}
	lock := filepath.Join(t.TempDir(), "my lock")
	for _, c := range []struct {
		name  string
		env   []string
		args  []string
		files []string // the outputs to read, below the tree's top
		line  string   // what starts the line, up to the command
		all   bool     // the lines give every run of a test binary
		needs []string // the programs the script needs
	}{
		{"contention", nil, []string{"1"}, []string{"results/contention.txt"}, "run: ", true, nil},
		{"kernelpair", nil, []string{"1"}, []string{"results/kernelpair.txt"}, "run: ", true, nil},
		{"lut", nil, []string{"1"}, []string{"results/lut.txt"}, "run: ", true, nil},
		{"winograd-bound", nil, []string{"1"}, []string{"results/winograd-bound.txt"}, "run: ", true, nil},
		{"data", nil, flags, []string{"results/data.txt"}, "command: ", false, nil},
		{"kernels", nil, flags, []string{"results/kernels.txt", "results/kernels-avx2.txt"}, "command: ", false, nil},
		{"engine", nil, flags, []string{"results/engine-go.txt", "results/engine-openblas.txt", "results/gemm-go.txt", "results/gemm-openblas.txt"}, "command: ", false, nil},
		{"inference", nil, flags, []string{"results/inference-go.txt", "results/inference-openblas.txt"}, "command: ", false, nil},
		{"diagnostics-overhead", []string{"CPU_LOCK=" + lock}, nil, []string{"results/diagnostics-overhead.md"}, "Command: `", true, nil},
		{"fidelity-bench", nil, nil, []string{"results/fidelity-bench.txt"}, "# command: ", true, []string{"/usr/bin/time"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			skipWithout(t, c.needs...)
			dir := scriptTree(t, c.name)
			writeFiles(t, dir, "package x\n", "bench/x.go", "nn/x.go", "suite/x.go", "data/x.go", "gemm/x.go")
			// The fake go, and the test binaries by the names the lines
			// give them: a line may run bench.test as a command.
			bin := t.TempDir()
			for _, name := range []string{"go", "bench.test", "nn.test", "suite.test", "gemm.test"} {
				writeFake(t, bin, name, fakeCallingGo)
			}
			path := "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
			calls := t.TempDir()
			out, err := runScript(t, dir, c.name, dir, append([]string{path, "CALLS=" + calls}, c.env...), c.args...)
			if err != nil {
				t.Fatalf("results/%s.sh %s: %v\n%s", c.name, strings.Join(c.args, " "), err, out)
			}
			made := readCalls(t, calls)
			for _, f := range c.files {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(c.line) + "(.*)$").FindSubmatch(b)
				if m == nil {
					t.Errorf("%s has no line %q…:\n%s", f, c.line, b)
					continue
				}
				line := strings.TrimSuffix(string(m[1]), "`")
				pasted := t.TempDir()
				cmd := exec.Command("bash", "-c", line)
				cmd.Dir = dir
				cmd.Env = append(cmd.Environ(), path, "CALLS="+pasted)
				if b, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("%s: bash -c %q: %v\n%s", f, line, err, b)
					continue
				}
				got := readCalls(t, pasted)
				if len(got) == 0 {
					t.Errorf("%s: bash -c %q called no program", f, line)
				}
				for _, g := range got {
					if !slices.Contains(made, g) {
						t.Errorf("%s: bash -c %q calls\n\t%s\nwhich results/%s.sh did not; it called\n\t%s", f, line, showCall(g), c.name, strings.Join(mapCalls(made), "\n\t"))
					}
				}
				if !c.all {
					continue
				}
				for _, s := range made {
					prog, _, _ := strings.Cut(s, "\x00")
					if strings.HasSuffix(prog, ".test") && !slices.Contains(got, s) {
						t.Errorf("%s: bash -c %q does not call\n\t%s\nas results/%s.sh did; it calls\n\t%s", f, line, showCall(s), c.name, strings.Join(mapCalls(got), "\n\t"))
					}
				}
			}
		})
	}
}

// mapCalls returns showCall of each call.
func mapCalls(calls []string) []string {
	s := make([]string, len(calls))
	for i, c := range calls {
		s[i] = showCall(c)
	}
	return s
}

// pastedWords returns the words bash reads line as, pasted in dir after
// a command such as printf: each of its words after expansion (a glob's
// the files it matches in dir).
func pastedWords(t *testing.T, dir, line string) ([]string, error) {
	t.Helper()
	cmd := exec.Command("bash", "-c", `printf '%s\0' `+line)
	cmd.Dir = dir
	words, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSuffix(string(words), "\x00"), "\x00"), nil
}

// TestShellWords: results/lib.sh's shell_words prints words as a line
// that bash reads back as those words, whatever they hold, and leaves a
// word of the characters no shell reads as syntax as it is.
func TestShellWords(t *testing.T) {
	skipWithout(t, "bash")
	dir := scriptTree(t)
	words := []string{
		"go", "-test.run", "^$", "", "a b", "it's", `"q"`, "x|y", "(z)", "a;b", "a&b", "*", "?", "[ab]",
		"~", "~/x", "$HOME", "`id`", "\\", "!x", "#c", "a\nb", "\t", "{a,b}", "a=b c", "é",
		"-bench=^Benchmark(A|B)$", "GOFLAGS=", "./bench", "-count=10", "x,y:z@w%v+u",
	}
	script := `cd "$1" && . results/lib.sh && shift && shell_words "$@"`
	b, err := exec.Command("bash", append([]string{"-c", script, "bash", dir}, words...)...).Output()
	if err != nil {
		t.Fatalf("shell_words: %v", err)
	}
	line := strings.TrimSuffix(string(b), "\n")
	if strings.Contains(line, "\n") {
		t.Errorf("shell_words printed more than one line: %q", line)
	}
	got, err := exec.Command("bash", "-c", `printf '%s\0' `+line).Output()
	if err != nil {
		t.Fatalf("bash -c %q: %v", line, err)
	}
	if want := strings.Join(words, "\x00") + "\x00"; !bytes.Equal(got, []byte(want)) {
		t.Errorf("shell_words printed %q, which bash reads as %q, want %q", line, strings.Split(string(got), "\x00"), words)
	}
	for _, w := range []string{"go", "-test.run", "GOFLAGS=", "./bench", "-count=10", "x,y:z@w%v+u"} {
		if !slices.Contains(strings.Fields(line), w) {
			t.Errorf("shell_words printed %q: want the word %q as it is", line, w)
		}
	}
}

// TestScriptsOwnCommandLine: the command a record names as its maker
// (command:, Generated by) gave the script's arguments as they are, so
// that a BASE revision such as HEAD@{0 seconds ago}, which git takes,
// read as three words when the line was pasted. bash reads the line
// results/ab-step.sh writes (as every A/B script, through ab_args) as
// the script and the arguments it was given.
func TestScriptsOwnCommandLine(t *testing.T) {
	skipWithout(t, "bash", "flock", "git", "mktemp")
	dir := scriptTree(t, "ab-step")
	writeFiles(t, dir, "package bench\n", "bench/x.go")
	commitTree(t, dir)
	bin := t.TempDir()
	writeFake(t, bin, "go", fakeCallingGo)
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "CALLS=" + t.TempDir()}
	args := []string{"x", "HEAD@{0 seconds ago}", "1"}
	out, err := runScript(t, dir, "ab-step", dir, env, args...)
	if err != nil {
		t.Fatalf("results/ab-step.sh %q: %v\n%s", args, err, out)
	}
	want := append([]string{"results/ab-step.sh"}, args...)
	for _, c := range []struct{ file, line string }{
		{"results/ab-step-x.txt", `(?m)^command: (.*)$`},
		{"results/ab-step-x.md", "(?m)^Generated by `(.*)` from "},
	} {
		b, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(c.line).FindSubmatch(b)
		if m == nil {
			t.Errorf("%s has no line %s:\n%s", c.file, c.line, b)
			continue
		}
		got, err := pastedWords(t, dir, string(m[1]))
		if err != nil {
			t.Errorf("%s: bash -c printf of %q: %v", c.file, m[1], err)
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s names the command %q, which bash reads as %q, want %q", c.file, m[1], got, want)
		}
	}
}

// TestBopBNCommandLinePasteSafe: results/bop-bn.md names the commands
// that made it, the script with its DIR and the bnrecal run over DIR's
// records, and gave DIR as it is: a directory "my runs" (a space, a
// quote) read, pasted, as other words than the script was given, and
// the records' pattern as a pattern of other directories. bash reads
// the line as the script and its argument, and the bnrecal command's
// pattern as the records the script read.
func TestBopBNCommandLinePasteSafe(t *testing.T) {
	skipWithout(t, "bash", "flock", "mktemp")
	dir := scriptTree(t, "bop-bn")
	from := t.TempDir()
	arg := "my runs's $x"
	runs := filepath.Join(from, arg)
	writeFiles(t, runs, "x\n", "0123456789abcdef.json", "0123456789abcdef.weights", "fedcba9876543210.json", "fedcba9876543210.weights")
	writeFiles(t, dir, "package main\n", "bench/cmd/bnrecal/main.go")
	bin := t.TempDir()
	writeFake(t, bin, "go", fakeCallingGo)
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "CALLS=" + t.TempDir()}
	out, err := runScript(t, dir, "bop-bn", from, env, arg)
	if err != nil {
		t.Fatalf("results/bop-bn.sh %q: %v\n%s", arg, err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "results/bop-bn.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?m)^Generated by `(.*)` \\(`go run ./bench/cmd/bnrecal -batches 30 (.*)`\\); do not edit\\.$").FindSubmatch(b)
	if m == nil {
		t.Fatalf("results/bop-bn.md has no line naming its commands:\n%s", b)
	}
	for _, c := range []struct {
		line string
		want []string
	}{
		{string(m[1]), []string{"results/bop-bn.sh", arg}},
		{string(m[2]), []string{filepath.Join(runs, "0123456789abcdef.json"), filepath.Join(runs, "fedcba9876543210.json")}},
	} {
		got, err := pastedWords(t, dir, c.line)
		if err != nil {
			t.Errorf("bash -c printf of %q: %v", c.line, err)
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("results/bop-bn.md names %q, which bash reads as %q, want %q", c.line, got, c.want)
		}
	}
}

// fidelityGo stands in for go in a whole run of results/fidelity.sh with
// a RECIPE of its own: go build copies it to the build's -o and go
// version -m shows a commit; the gradbench so built plans one cell of
// two epochs (plan --json), trains it with the weights of epoch 1 kept
// (run --out DIR) and writes a fidelity.md (fidelity --out DIR).
const fidelityGo = `#!/usr/bin/env bash
set -eu
` + stampedGo + `out= prev=
for a; do [ "$prev" != --out ] || out=$a; prev=$a; done
case $1 in
plan) echo '[{"key": "0123456789abcdef", "config": {"epochs": 2}}]' ;;
run)
	mkdir -p "$out"
	for f in json weights e1.weights; do echo x >"$out/0123456789abcdef.$f"; done
	;;
fidelity) mkdir -p "$out" && echo "| table |" >"$out/fidelity.md" ;;
*) echo "gradbench $*: not faked" >&2; exit 97 ;;
esac
`

// TestFidelityCommandLinesPasteSafe: results/fidelity-check.md names the
// gradbench run that trained the states it measures, with RECIPE as it
// is: a recipe file whose path holds a space (my recipes/tiny.json) read,
// pasted, as two words. bash reads it as the words gradbench was given.
func TestFidelityCommandLinesPasteSafe(t *testing.T) {
	skipWithout(t, "bash", "flock", "python3")
	dir := scriptTree(t, "fidelity")
	from := t.TempDir()
	recipe := filepath.Join(from, "my recipes", "tiny's.json")
	writeFiles(t, from, "{}\n", filepath.Join("my recipes", "tiny's.json"))
	bin := t.TempDir()
	writeFake(t, bin, "go", fidelityGo)
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "RECIPE=my recipes/tiny's.json", "EPOCHS=0,1,2"}
	out, err := runScript(t, dir, "fidelity", from, env)
	if err != nil {
		t.Fatalf("results/fidelity.sh: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "results/fidelity-check.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?m)^Training the STE run again with --keep-epochs \\(`(.*)`, key ").FindSubmatch(b)
	if m == nil {
		t.Fatalf("results/fidelity-check.md names no training command:\n%s", b)
	}
	want := []string{"gradbench", "run", "--recipe", recipe, "--estimators", "ste", "--seeds", "1", "--keep-epochs"}
	got, err := pastedWords(t, dir, string(m[1]))
	if err != nil {
		t.Fatalf("bash -c printf of %q: %v", m[1], err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("results/fidelity-check.md names %q, which bash reads as %q, want %q", m[1], got, want)
	}
}
