// Built as scripts_atomic_test.go is, for the reason given there: the
// scripts run with a fake go.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// scriptTree returns a new directory holding results/lib.sh and each
// results/NAME.sh of names, copied from the repository, for a script to
// run in without touching the committed files.
func scriptTree(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "results"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range append(names, "lib") {
		b, err := os.ReadFile("../results/" + name + ".sh")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "results", name+".sh"), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// commitTree makes dir a git repository with one commit of all it holds,
// as the scripts that name or build a commit need, then runs each of then
// (more git commands) there, and returns the last command's output,
// trimmed.
func commitTree(t *testing.T, dir string, then ...[]string) string {
	t.Helper()
	var out string
	for _, args := range append([][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t"}}, then...) {
		git := exec.Command("git", args...)
		git.Dir = dir
		b, err := git.CombinedOutput()
		if err != nil {
			t.Fatalf("git %q: %v\n%s", args, err, b)
		}
		out = strings.TrimSpace(string(b))
	}
	return out
}

// skipWithout skips the test unless each of tools is on PATH.
func skipWithout(t *testing.T, tools ...string) {
	t.Helper()
	for _, name := range tools {
		if _, err := exec.LookPath(name); err != nil {
			t.Skipf("no %s", name)
		}
	}
}

// writeFiles writes content into each file of names below dir, making
// their directories.
func writeFiles(t *testing.T, dir, content string, names ...string) {
	t.Helper()
	for _, name := range names {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runScript runs results/NAME.sh of the tree dir from the directory from
// with env added to its environment, for at most 20 seconds, and returns
// its output.
func runScript(t *testing.T, dir, name, from string, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join(dir, "results", name+".sh")}, args...)...)
	cmd.Dir = from
	cmd.Env = append(cmd.Environ(), env...)
	killTreeOnCancel(cmd)
	b, err := cmd.CombinedOutput()
	return string(b), err
}

// TestScriptsResolvePathsWhereStarted: a script changes to the
// repository's top first, so that a relative path given in its
// environment named a file from there, not from where the user started
// it: GRADBENCH_DATA=data results/data.sh, started in a directory that
// holds data/, had its benchmarks read data/data (go test runs them in
// the package's directory), and a relative CPU_LOCK of
// results/diagnostics-overhead.sh was two lock files, one at the top
// (the build's) and one in suite/ (the benchmarks'). Each is read from
// where the script was started.
func TestScriptsResolvePathsWhereStarted(t *testing.T) {
	skipWithout(t, "bash", "flock")
	dir := scriptTree(t, "data", "diagnostics-overhead")
	from := t.TempDir()
	// A go that writes its GRADBENCH_DATA into a file and fails: the
	// script's first go command is a build, before any benchmark.
	bin := t.TempDir()
	seen := filepath.Join(t.TempDir(), "seen")
	fake := "#!/bin/sh\necho \"$GRADBENCH_DATA\" >>" + seen + "\necho \"go $*: not to be run\" >&2\nexit 97\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	path := "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")

	out, err := runScript(t, dir, "data", from, []string{path, "GRADBENCH_DATA=datasets"})
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 97 {
		t.Fatalf("GRADBENCH_DATA=datasets results/data.sh: %v, want go's exit status 97\n%s", err, out)
	}
	b, err := os.ReadFile(seen)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(b)), filepath.Join(from, "datasets"); got != want {
		t.Errorf("GRADBENCH_DATA=datasets results/data.sh started in %s: go ran with GRADBENCH_DATA=%q, want %q", from, got, want)
	}

	out, err = runScript(t, dir, "diagnostics-overhead", from, []string{path, "CPU_LOCK=cpu.lock"})
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 97 {
		t.Fatalf("CPU_LOCK=cpu.lock results/diagnostics-overhead.sh: %v, want go's exit status 97\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(from, "cpu.lock")); err != nil {
		t.Errorf("CPU_LOCK=cpu.lock results/diagnostics-overhead.sh started in %s: the build ran without that lock file (%v)", from, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "cpu.lock")); err == nil {
		t.Errorf("CPU_LOCK=cpu.lock results/diagnostics-overhead.sh started in %s took a lock file at the repository's top", from)
	}
}

// TestScriptsSourceLibAfterCd: results/lib.sh learns where the user
// started a script from the OLDPWD its cd to the repository's top left
// (caller_dir), so every script that sources it must do so right after
// that cd, or relative paths given to it would be resolved against
// another directory.
func TestScriptsSourceLibAfterCd(t *testing.T) {
	scripts, err := filepath.Glob("../results/*.sh")
	if err != nil {
		t.Fatal(err)
	}
	cd := regexp.MustCompile(`(?m)^cd "\$\(dirname "\$0"\)/\.\."\n\. results/lib\.sh$`)
	for _, p := range scripts {
		name := filepath.Base(p)
		if name == "lib.sh" {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if !strings.Contains(s, "results/lib.sh") {
			continue
		}
		loc := cd.FindStringIndex(s)
		if loc == nil {
			t.Errorf("results/%s sources results/lib.sh, but not on the line after cd \"$(dirname \"$0\")/..\"", name)
			continue
		}
		// No other cd, and no other source, before it.
		before := s[:loc[0]]
		if regexp.MustCompile(`(?m)^\s*(cd|\.|source) `).MatchString(before) {
			t.Errorf("results/%s changes directory or sources a file before its cd to the repository's top", name)
		}
	}
}

// TestBopBNDirWithGlobCharacters: results/bop-bn.sh's DIR is a path, not
// a pattern: a directory whose name holds a glob's characters ("runs
// [old]", a bracket expression to a pattern) was said to hold no run
// records, though its loop over "$dir"/*.json, which quotes the name,
// would have read them. With its records and weights there the script
// goes on to its build (here a go that fails with status 97).
func TestBopBNDirWithGlobCharacters(t *testing.T) {
	skipWithout(t, "bash")
	dir := scriptTree(t, "bop-bn")
	from := t.TempDir()
	runs := filepath.Join(from, "runs [old]")
	if err := os.Mkdir(runs, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"0123456789abcdef.json", "0123456789abcdef.weights"} {
		if err := os.WriteFile(filepath.Join(runs, f), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := failingGo(t)
	for _, arg := range []string{"runs [old]", runs} {
		out, err := runScript(t, dir, "bop-bn", from, []string{path}, arg)
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 97 {
			t.Errorf("results/bop-bn.sh %q: %v, want go's exit status 97 (the build after the check of DIR)\n%s", arg, err, out)
		}
	}
	// An empty directory, or one of tables alone, is still refused.
	empty := filepath.Join(from, "empty [x]")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(empty, "table.json"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runScript(t, dir, "bop-bn", from, []string{path}, empty)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(out, "no run records") {
		t.Errorf("results/bop-bn.sh %q: %v, want exit status 2 saying there are no run records\n%s", empty, err, out)
	}
}

// TestFidelityRecipeNameAndFile: gradbench refuses a RECIPE that names
// both a built-in recipe and a file in the working directory, as reading
// either would leave the other unread (./NAME is the file). results/
// fidelity.sh, which reads RECIPE from where it was started, took such a
// name for the file there without a word, and ran gradbench on it from
// the repository's top. It refuses it as gradbench does; ./NAME, and the
// name where no such file is, go on (to a go that fails with status 97).
func TestFidelityRecipeNameAndFile(t *testing.T) {
	skipWithout(t, "bash", "python3")
	dir := scriptTree(t, "fidelity")
	writeFiles(t, dir, "{}\n", "suite/recipes/quick.json")
	from, elsewhere := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(from, "quick"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := failingGo(t)
	out, err := runScript(t, dir, "fidelity", from, []string{path, "RECIPE=quick", "EPOCHS=0,1"})
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(out, "names both the built-in recipe quick and the file") {
		t.Errorf("RECIPE=quick results/fidelity.sh beside a file quick: %v, want exit status 2 saying the name is both\n%s", err, out)
	}
	for _, c := range []struct{ recipe, from string }{{"./quick", from}, {"quick", elsewhere}} {
		out, err := runScript(t, dir, "fidelity", c.from, []string{path, "RECIPE=" + c.recipe, "EPOCHS=0,1"})
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 97 {
			t.Errorf("RECIPE=%s results/fidelity.sh: %v, want go's exit status 97 (the build after the checks)\n%s", c.recipe, err, out)
		}
	}
}

// TestFidelityRecipeFromWhereStarted: a relative path given to a script
// means one from where it was started (results/lib.sh's caller_path),
// and so does a bare RECIPE that names no built-in recipe, as gradbench
// reads it from its working directory. results/fidelity.sh passed such a
// name on as it was, to gradbench at the repository's top, which read
// the file of that name there, not the one where the script was started
// (there was none): it is refused, naming where the script looked.
func TestFidelityRecipeFromWhereStarted(t *testing.T) {
	skipWithout(t, "bash", "python3")
	dir := scriptTree(t, "fidelity")
	writeFiles(t, dir, "{}\n", "suite/recipes/quick.json", "mine")
	from := t.TempDir()
	out, err := runScript(t, dir, "fidelity", from, []string{failingGo(t), "RECIPE=mine", "EPOCHS=0,1"})
	want := "nor a file where the script was started (" + filepath.Join(from, "mine") + ")"
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(out, want) || !strings.Contains(out, "quick") {
		t.Errorf("RECIPE=mine results/fidelity.sh started where no file mine is, with one at the repository's top: %v, want exit status 2 saying %q and naming the built-in recipes\n%s", err, want, out)
	}
	// Started at the top, where the file is, it goes on (to a go that
	// fails with status 97).
	out, err = runScript(t, dir, "fidelity", dir, []string{failingGo(t), "RECIPE=mine", "EPOCHS=0,1"})
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 97 {
		t.Errorf("RECIPE=mine results/fidelity.sh started beside the file mine: %v, want go's exit status 97 (the build after the checks)\n%s", err, out)
	}
}

// goQuotedSplit splits s as the go command splits the value of go test
// -exec (cmd/internal/quoted.Split): fields separated by white space, a
// field that starts with ' or " running to the next such quote, taken
// as it is.
func goQuotedSplit(s string) []string {
	var f []string
	for {
		s = strings.TrimLeft(s, " \t\n\r")
		if s == "" {
			return f
		}
		if q := s[0]; q == '\'' || q == '"' {
			i := strings.IndexByte(s[1:], q)
			if i < 0 {
				return append(f, "UNTERMINATED "+s)
			}
			f, s = append(f, s[1:1+i]), s[2+i:]
			continue
		}
		i := strings.IndexAny(s, " \t\n\r")
		if i < 0 {
			return append(f, s)
		}
		f, s = append(f, s[:i]), s[i:]
	}
}

// i386Tree returns a tree holding results/i386.sh, lib.sh and
// failing.awk, and a directory bin holding a go whose test binaries this
// kernel does not run (the probe fails natively), which writes the
// arguments of the tests' run into the file $GOLOG, one a line.
func i386Tree(t *testing.T) (dir, bin string) {
	t.Helper()
	skipWithout(t, "bash", "awk")
	dir = scriptTree(t, "i386")
	awk, err := os.ReadFile("../results/failing.awk")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results", "failing.awk"), awk, 0o644); err != nil {
		t.Fatal(err)
	}
	bin = t.TempDir()
	fakeGo := `#!/bin/sh
case "$1 $2" in
"test -c") printf '#!/bin/sh\nexit 1\n' >"$4"; chmod +x "$4" ;;
"test -short") for a; do printf '%s\n' "$a"; done >"$GOLOG"; printf 'ok  \texample/a\t0.1s\n' ;;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, bin
}

// fakeQemu is a qemu-i386 that runs nothing and gives its version.
const fakeQemu = "#!/bin/sh\n[ \"$1\" != --version ] || echo 'qemu-i386 version 10.0.2'\n"

// goExecArg returns the value of -exec among the arguments go was run
// with, as the fake go of i386Tree wrote them into log.
func goExecArg(t *testing.T, log string) string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	i := slices.Index(args, "-exec")
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("go test ran without -exec: %q", args)
	}
	return args[i+1]
}

// TestI386EmulatorPathWithSpaces: results/i386.sh passed QEMU_I386 to go
// test as -exec PATH, which the go command splits into words (its
// quoted.Split): an emulator under a directory with a space in its name,
// such as one given relative to a start directory that has one, ran as
// the program "/home/me/my" with the argument "tools/qemu-i386", and
// every package failed, after the probe, run by the shell, had found the
// emulator working. The -exec value now splits into the emulator's path
// alone. And the record's run: line printed the quoted value as it was,
// -exec '/home/me/my tools/qemu-i386', which pasted into a shell lost
// its quotes to the shell and reached go test as two words again: the
// line, run by bash, gives go test the same -exec value as the script.
func TestI386EmulatorPathWithSpaces(t *testing.T) {
	dir, bin := i386Tree(t)
	log := filepath.Join(t.TempDir(), "log")
	from := filepath.Join(t.TempDir(), "my home")
	emulator := filepath.Join(from, "my tools", "qemu-i386")
	if err := os.MkdirAll(filepath.Dir(emulator), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(emulator, []byte(fakeQemu), 0o755); err != nil {
		t.Fatal(err)
	}
	path := "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
	env := []string{path, "GOLOG=" + log, "QEMU_I386=my tools/qemu-i386"}
	out, err := runScript(t, dir, "i386", from, env)
	if err != nil {
		t.Fatalf("QEMU_I386='my tools/qemu-i386' results/i386.sh: %v\n%s", err, out)
	}
	arg := goExecArg(t, log)
	if got := goQuotedSplit(arg); !slices.Equal(got, []string{emulator}) {
		t.Errorf("go test -exec %q: the go command runs %q, want the emulator %q alone", arg, got, emulator)
	}
	rec, err := os.ReadFile(filepath.Join(dir, "results", "i386.txt"))
	if err != nil {
		t.Fatal(err)
	}
	_, line, ok := strings.Cut(string(rec), "\nrun: ")
	if !ok {
		t.Fatalf("results/i386.txt has no run: line:\n%s", rec)
	}
	line, _, _ = strings.Cut(line, "\n")
	pasted := filepath.Join(t.TempDir(), "log")
	cmd := exec.Command("bash", "-c", line)
	cmd.Env = append(cmd.Environ(), path, "GOLOG="+pasted)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bash -c %q: %v\n%s", line, err, b)
	}
	if got := goExecArg(t, pasted); got != arg {
		t.Errorf("the record's run: line %q, run by bash, gives go test -exec %q (which it runs as %q), want %q as the script gave it", line, got, goQuotedSplit(got), arg)
	}
}

// TestI386EmulatorQuotedName: a QEMU_I386 that go test -exec cannot take
// as one word is refused, and the refusal names why. A bare name that
// starts with a quote and holds both kinds of quote, with no white
// space in it, was refused as one that "holds white space".
func TestI386EmulatorQuotedName(t *testing.T) {
	dir, bin := i386Tree(t)
	name := `'qemu"i386`
	if err := os.WriteFile(filepath.Join(bin, name), []byte(fakeQemu), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "GOLOG=" + filepath.Join(t.TempDir(), "log"), "QEMU_I386=" + name}
	out, err := runScript(t, dir, "i386", t.TempDir(), env)
	want := "results/i386.sh: the emulator's path " + name + " starts with a quote and holds both kinds of quote, which go test -exec cannot take as one word: give QEMU_I386 another path to it (a link)\n"
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.HasSuffix(out, want) {
		t.Errorf("QEMU_I386=%s results/i386.sh: %v\n%s\nwant exit status 2 and an error ending %q", name, err, out, want)
	}
}
