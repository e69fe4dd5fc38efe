package cli

import (
	"fmt"
	"strings"
	"unicode"
)

// Labels reads the label=path arguments of the small commands that put
// their inputs side by side, one column a label (benchreport,
// stepprofile). Path and Item name, in its errors, what the path is
// ("want label=file") and what an argument gives ("give each input a
// label of its own").
type Labels struct {
	Path, Item string
	first      map[string]string // label -> the argument that gave it
}

// Cut splits the argument a into its label and path. It refuses an
// argument without a label or a path, and a label an earlier argument
// gave: two inputs of one label would head two columns alike.
func (l *Labels) Cut(a string) (label, path string, err error) {
	label, path, ok := strings.Cut(a, "=")
	if !ok || label == "" || path == "" {
		return "", "", fmt.Errorf("argument %q: want label=%s", a, l.Path)
	}
	// Not trimmed: a label heads a column and names its input as given
	// (" a" broke the report's markdown), and "a = x.txt" would read the
	// file " x.txt".
	if t := strings.TrimSpace(label); t != label {
		return "", "", fmt.Errorf("argument %q: label %q has white space around it: want label=%s with nothing between the label and the =, as in %q", a, label, l.Path, t+"="+strings.TrimLeftFunc(path, unicode.IsSpace))
	}
	if first, dup := l.first[label]; dup {
		return "", "", fmt.Errorf("argument %q: label %q is given twice (first in %q): give each %s a label of its own", a, label, first, l.Item)
	}
	if l.first == nil {
		l.first = map[string]string{}
	}
	l.first[label] = a
	return label, path, nil
}
