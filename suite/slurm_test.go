package suite

import (
	"strings"
	"testing"
)

func TestCheckExecutable(t *testing.T) {
	for _, bad := range []string{"/tmp/go-build123/b001/exe/gradbench", "/home/u/.cache/go-build/33/33e72cf3-d/gradbench"} {
		if err := checkExecutable(bad); err == nil || !strings.Contains(err.Error(), "which go run built") {
			t.Errorf("a go run binary %s: %v, want an error", bad, err)
		}
	}
	for _, ok := range []string{"/home/u/bin/gradbench", "/tmp/go-build123/b001/gradbench.test", "/opt/exe/gradbench"} {
		if err := checkExecutable(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"--estimators=fda:n=9,ste+na": "--estimators=fda:n=9,ste+na",
		"/a b/recipe.json":            "'/a b/recipe.json'",
		"it's":                        `'it'\''s'`,
		"":                            "''",
		"$HOME":                       "'$HOME'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
