package cli

import (
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestFlagSet(t *testing.T) {
	fs := FlagSet("tool", "tool [flags] file", "./cmd/tool", "what it does")
	fs.Int("n", 3, "how many")
	var out strings.Builder
	fs.SetOutput(&out)
	if err := fs.Parse([]string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("Parse(-h) = %v, want flag.ErrHelp", err)
	}
	want := "usage: tool [flags] file\n\nRun `go doc ./cmd/tool` for what it does.\n\nFlags:\n  -n int\n    \thow many (default 3)\n"
	if out.String() != want {
		t.Errorf("usage:\n%q\nwant\n%q", out.String(), want)
	}
	if err := fs.Parse([]string{"-x"}); err == nil || errors.Is(err, flag.ErrHelp) {
		t.Errorf("Parse(-x) = %v, want an error returned, not an exit", err)
	}
}
