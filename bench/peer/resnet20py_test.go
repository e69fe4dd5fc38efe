// What this test checks, resnet20.py's command line, is a Python script's
// and the same in every build of this package, and each case is a Python
// start: of the builds the README's test command makes, the openblas
// build runs it (as a plain go test does), not the race detector's, which
// sees nothing in another process, nor the purego build's.

//go:build !race && !purego && !goexperiment.simd

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// interpreter is the program that python3 on PATH runs, asked of it once:
// where python3 is a launcher, such as pyenv's shim, each start through
// it pays for the launcher's own start again (half a second on the
// project machine, against a twentieth of one for the interpreter), and
// these tests start Python some 25 times.
var interpreter = sync.OnceValues(func() (string, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return "", err
	}
	out, err := exec.Command(py, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		return "", fmt.Errorf("%s -c 'import sys; print(sys.executable)': %v", py, err)
	}
	if exe := strings.TrimSpace(string(out)); exe != "" {
		return exe, nil
	}
	return py, nil // sys.executable is empty where Python cannot tell
})

// python3 returns the interpreter that python3 on PATH runs, and skips
// t where there is no python3.
func python3(t *testing.T) string {
	t.Helper()
	py, err := interpreter()
	if errors.Is(err, exec.ErrNotFound) {
		t.Skip("no python3")
	}
	if err != nil {
		t.Fatal(err)
	}
	return py
}

// TestResNet20PyRefuses: resnet20.py's command line is used as given or
// refused, as gradbench's flags are. argparse took --est ste,ste (timing
// ste twice), kept the last of --batch 8 --batch 16, read --bat 8 as
// --batch 8 and int() read --batch 1_000 as 1000, --benchtime inf ran
// for ever, and --check ignored --est, --batch and the others. The
// refusals come before PyTorch is used: a stand-in torch module, enough
// to define the script's classes, lets them be checked where PyTorch is
// not installed.
func TestResNet20PyRefuses(t *testing.T) {
	py := python3(t)
	// Read by the test too, so that go test's cache knows the result
	// depends on it.
	if _, err := os.ReadFile("resnet20.py"); err != nil {
		t.Fatal(err)
	}
	stub := t.TempDir()
	for name, text := range map[string]string{
		"torch/__init__.py":      "import types\nautograd = types.SimpleNamespace(Function=object)\n",
		"torch/nn/__init__.py":   "class Module:\n    pass\n",
		"torch/nn/functional.py": "",
	} {
		path := filepath.Join(stub, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--est", "ste,ste"}, "resnet20.py: error: --est 'ste,ste': ste is given twice: give each estimator once"},
		{[]string{"--est", "ste,"}, "resnet20.py: error: --est 'ste,': an empty item: want comma-separated estimators, such as ste,fda"},
		{[]string{"--batch", "8", "--batch", "16"}, "resnet20.py: error: --batch given twice (8, then 16): give each option once"},
		{[]string{"--bat", "8"}, "resnet20.py: error: unrecognized arguments: --bat 8"},
		{[]string{"--batch", "1_000"}, "resnet20.py: error: argument --batch: '1_000': want a whole number in plain digits"},
		{[]string{"--count", " 2"}, "resnet20.py: error: argument --count: ' 2': want a whole number in plain digits"},
		{[]string{"--threads", "\u0663"}, "resnet20.py: error: argument --threads: '\u0663': want a whole number in plain digits"},
		{[]string{"--benchtime", "inf"}, "resnet20.py: error: argument --benchtime: 'inf': want a finite decimal number of seconds > 0, such as 1 or 0.5"},
		{[]string{"--benchtime", "nan"}, "resnet20.py: error: argument --benchtime: 'nan': want a finite decimal number of seconds > 0, such as 1 or 0.5"},
		{[]string{"--check", "f.state", "--est", "fda"}, "resnet20.py: error: --est with --check: the state file gives the estimator and the batch, and --check times nothing; drop --est"},
		{[]string{"--batch", "8", "--check", "f.state", "--count", "2"}, "resnet20.py: error: --batch, --count with --check: the state file gives the estimator and the batch, and --check times nothing; drop --batch, --count"},
		// Each value out of range named alone: one message listed all
		// three bounds, whichever value was out.
		{[]string{"--count", "0"}, "resnet20.py: error: --count 0: want at least 1"},
		{[]string{"--batch", "1"}, "resnet20.py: error: --batch 1: want at least 2 (BatchNorm needs batch statistics)"},
		{[]string{"--threads", "0"}, "resnet20.py: error: --threads 0: want at least 1"},
		// A --check file that is not there, or no file: a Python
		// traceback, exit status 1.
		{[]string{"--check", filepath.Join(stub, "none.state")}, "resnet20.py: error: --check " + filepath.Join(stub, "none.state") + ": no such file: want the file `go run ./bench/peer -o FILE` wrote"},
		{[]string{"--check", stub}, "resnet20.py: error: --check " + stub + ": not a file: want the file `go run ./bench/peer -o FILE` wrote"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel() // each is a Python start, mostly waiting
			cmd := exec.Command(py, append([]string{"resnet20.py"}, c.args...)...)
			cmd.Env = append(os.Environ(), "PYTHONPATH="+stub)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || lines[len(lines)-1] != c.want {
				t.Errorf("resnet20.py %q: %v\n%s\nwant exit status 2 and the last line\n%s", c.args, err, stderr.String(), c.want)
			}
		})
	}

	// A state file that is empty, not bench/peer's or cut short (an
	// interrupted copy) ended in a Python traceback (a JSON error, or a
	// reshape of too few values); each is named, before PyTorch reads it.
	header := `{"tensors": [{"kind": "param", "name": "w", "shape": [2], "offset": 0, "len": 2}]}` + "\n"
	for _, c := range []struct{ name, text, want string }{
		{"empty", "", "its first line is no JSON header"},
		{"not a state", "BenchmarkX 1 1 ns/op\n", "its first line is no JSON header"},
		{"no tensors", "{}\n", "its header lists no tensors"},
		{"cut short", header + "\x00\x00\x80\x3f", "holds 4 bytes after its header, want 8 (2 float32 values): the file is cut short or not bench/peer's"},
		{"too long", header + strings.Repeat("\x00", 12), "holds 12 bytes after its header, want 8 (2 float32 values): the file is cut short or not bench/peer's"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "x.state")
			if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(py, "resnet20.py", "--check", path)
			cmd.Env = append(os.Environ(), "PYTHONPATH="+stub)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			want := "resnet20.py: " + path + ": " + c.want
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.HasPrefix(strings.TrimSpace(stderr.String()), want) {
				t.Errorf("resnet20.py --check on a %s file: %v\n%s\nwant exit status 1 and an error starting\n%s", c.name, err, stderr.String(), want)
			}
		})
	}
}

// TestResNet20PyWithoutTorch: tried as a new user would, resnet20.py on
// a python3 without PyTorch (any command line, --help too) ended in a
// Python traceback, ModuleNotFoundError: No module named 'torch'. It
// says what it needs and how to install it, as results/statcheck.py
// does for NumPy and SciPy. A torch module that cannot be imported
// stands in for PyTorch's absence wherever the test runs.
func TestResNet20PyWithoutTorch(t *testing.T) {
	py := python3(t)
	if _, err := os.ReadFile("resnet20.py"); err != nil {
		t.Fatal(err)
	}
	stub := filepath.Join(t.TempDir(), "torch")
	if err := os.MkdirAll(stub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stub, "__init__.py"), []byte("raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--help"}, {"--est", "ste"}, {"--check", "x.state"}} {
		cmd := exec.Command(py, append([]string{"resnet20.py"}, args...)...)
		cmd.Env = append(os.Environ(), "PYTHONPATH="+filepath.Dir(stub))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		const want = "resnet20.py: No module named 'torch': it needs PyTorch 1.13 (Debian: apt-get install python3-torch; then run it with the python3 it belongs to, such as /usr/bin/python3)"
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || strings.TrimSpace(stderr.String()) != want {
			t.Errorf("resnet20.py %q without PyTorch: %v\n%s\nwant exit status 2 and only\n%s", args, err, stderr.String(), want)
		}
	}
}
