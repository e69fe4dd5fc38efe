package cli

import "testing"

func TestLabels(t *testing.T) {
	l := Labels{Path: "file", Item: "input"}
	for _, tc := range []struct {
		arg, label, path, err string
	}{
		{arg: "a=x.txt", label: "a", path: "x.txt"},
		{arg: "b=y=z.txt", label: "b", path: "y=z.txt"},
		{arg: "nolabel", err: `argument "nolabel": want label=file`},
		{arg: "=x.txt", err: `argument "=x.txt": want label=file`},
		{arg: "c=", err: `argument "c=": want label=file`},
		{arg: " d=x.txt", err: `argument " d=x.txt": label " d" has white space around it: want label=file with nothing between the label and the =, as in "d=x.txt"`},
		{arg: "d = x.txt", err: `argument "d = x.txt": label "d " has white space around it: want label=file with nothing between the label and the =, as in "d=x.txt"`},
		{arg: "a=w.txt", err: `argument "a=w.txt": label "a" is given twice (first in "a=x.txt"): give each input a label of its own`},
	} {
		label, path, err := l.Cut(tc.arg)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("Cut(%q) = %v, want the error %q", tc.arg, err, tc.err)
			}
			continue
		}
		if err != nil || label != tc.label || path != tc.path {
			t.Errorf("Cut(%q) = %q, %q, %v; want %q, %q", tc.arg, label, path, err, tc.label, tc.path)
		}
	}
}
