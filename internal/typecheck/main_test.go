// What this test checks, go/packages loading other platforms, is the
// same in every build, and under the race detector it takes half a
// minute: of the README's test command, the openblas build runs it.

//go:build !race && !purego && !goexperiment.simd

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// module writes a module of the given files to a new directory and
// makes it the current one.
func module(t *testing.T, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.com/m\n\ngo 1.26\n"
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
}

func TestTypecheck(t *testing.T) {
	module(t, map[string]string{
		"a/a.go": "package a\n\nfunc F() int { return 1 }\n",
		// Only a Mac builds this file, and it does not compile.
		"a/a_darwin.go": "package a\n\nvar bad int = \"darwin\"\n",
		// Only a 32-bit int overflows here, and only the tests see it.
		"b/b.go":      "package b\n",
		"b/b_test.go": "package b\n\nimport \"testing\"\n\nfunc TestB(t *testing.T) { var x int = 1 << 40; _ = x }\n",
	})
	for _, tc := range []struct {
		platforms string
		code      int
		errs      []string // each must be printed
		ok        []string // each must be reported ok
	}{
		{"linux/amd64,windows/amd64", 0, nil, []string{"linux/amd64", "windows/amd64"}},
		{"darwin/arm64", 1, []string{"a_darwin.go:3:15", "darwin/arm64: 1 errors"}, nil},
		{"linux/386,linux/amd64", 1, []string{"b_test.go:5:40", "linux/386: 1 errors"}, []string{"linux/amd64"}},
	} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"-platforms", tc.platforms, "./..."}, &stdout, &stderr)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tc.platforms, code, tc.code, &stdout, &stderr)
			continue
		}
		for _, e := range tc.errs {
			if !strings.Contains(stderr.String(), e) {
				t.Errorf("%s: stderr lacks %q:\n%s", tc.platforms, e, &stderr)
			}
		}
		for _, p := range tc.ok {
			if !strings.Contains(stdout.String(), "typecheck: "+p+": ok") {
				t.Errorf("%s: stdout does not say %s is ok:\n%s", tc.platforms, p, &stdout)
			}
		}
		if tc.code == 0 && stderr.Len() > 0 {
			t.Errorf("%s: passed but printed on stderr:\n%s", tc.platforms, &stderr)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"./..."},                                // no platforms
		{"-platforms", "darwin/arm64"},           // no packages
		{"-platforms", "darwin", "./..."},        // not GOOS/GOARCH
		{"-platforms", "darwin/", "./..."},       // no GOARCH
		{"-platforms", "a/b/c", "./..."},         // too many parts
		{"-platforms", "darwin/arm64,", "./..."}, // an empty entry
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2 (usage)\n%s", args, code, &stderr)
		}
	}
}
