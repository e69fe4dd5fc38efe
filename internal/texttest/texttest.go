// Package texttest checks the text a test gets from a command or a
// writer.
package texttest

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// ContainsAll reports an error, "what lacks "want":" and got, for each of
// wants that got does not contain. got is shown quoted when it holds a
// carriage return (progress lines), which would overwrite it on a
// terminal.
func ContainsAll(t testing.TB, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if strings.Contains(got, want) {
			continue
		}
		if strings.Contains(got, "\r") {
			t.Errorf("%s lacks %q:\n%q", what, want, got)
		} else {
			t.Errorf("%s lacks %q:\n%s", what, want, got)
		}
	}
}

// Squash returns s with each run of blanks (spaces, tabs, newlines)
// replaced by one space, so that a test can look for a row of a markdown
// table whatever padding its columns were given.
func Squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// Run calls run, a command's run function, with args and a writer for
// its standard output, and returns what it wrote; an error fails the
// test.
func Run(t testing.TB, run func(args []string, stdout io.Writer) error, args ...string) string {
	t.Helper()
	var out strings.Builder
	if err := run(args, &out); err != nil {
		t.Fatalf("run(%q): %v", args, err)
	}
	return out.String()
}

// Panic runs f and returns the message it panics with (fmt.Sprint of the
// value), or "" when it returns: for tests of what a function refuses by
// panicking.
func Panic(f func()) (msg string) {
	defer func() {
		if e := recover(); e != nil {
			msg = fmt.Sprint(e)
		}
	}()
	f()
	return ""
}

// CheckPanic fails t where f returns, or panics with a message that does
// not contain want.
func CheckPanic(t *testing.T, f func(), want string) {
	t.Helper()
	msg := Panic(f)
	if msg == "" {
		t.Fatalf("no panic, want one containing %q", want)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("panic %q, want one containing %q", msg, want)
	}
}
