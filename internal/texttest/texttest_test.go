package texttest

import (
	"fmt"
	"io"
	"slices"
	"testing"
)

// recorder is a testing.TB that keeps the errors reported to it.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestContainsAll(t *testing.T) {
	for _, tc := range []struct {
		got   string
		wants []string
		errs  []string
	}{
		{"a table\n| x | 1 |\n", []string{"| x |", "table"}, nil},
		{"a table\n", []string{"| x |", "a", "| y |"}, []string{"report lacks \"| x |\":\na table\n", "report lacks \"| y |\":\na table\n"}},
		{"\rstep 1\rstep 2", []string{"step 3"}, []string{"report lacks \"step 3\":\n\"\\rstep 1\\rstep 2\""}},
	} {
		r := &recorder{TB: t}
		ContainsAll(r, "report", tc.got, tc.wants...)
		if len(r.errs) != len(tc.errs) {
			t.Errorf("ContainsAll(%q, %q) reported %q, want %q", tc.got, tc.wants, r.errs, tc.errs)
			continue
		}
		for i := range r.errs {
			if r.errs[i] != tc.errs[i] {
				t.Errorf("ContainsAll(%q, %q) error %d = %q, want %q", tc.got, tc.wants, i, r.errs[i], tc.errs[i])
			}
		}
	}
}

func TestSquash(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"| a   |  1 |\n|:--|--:|\n", "| a | 1 | |:--|--:|"},
		{"\t x \r\n", "x"},
		{"", ""},
	} {
		if got := Squash(tc.in); got != tc.want {
			t.Errorf("Squash(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRun(t *testing.T) {
	var gotArgs []string
	run := func(args []string, stdout io.Writer) error {
		gotArgs = args
		_, err := io.WriteString(stdout, "| a |  1 |\n")
		return err
	}
	if got := Run(t, run, "-x", "y"); got != "| a |  1 |\n" || !slices.Equal(gotArgs, []string{"-x", "y"}) {
		t.Errorf("Run returned %q with the args %q, want the output and -x y", got, gotArgs)
	}
}
