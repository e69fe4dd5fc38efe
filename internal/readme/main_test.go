package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
)

// TestEstimatorTable checks that the table has a row for every registered
// estimator, with its parameters' defaults and its doc.
func TestEstimatorTable(t *testing.T) {
	var b bytes.Buffer
	if err := run(&b, []string{"estimators"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, name := range estimators.Names() {
		row := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "| `"+name+"` ") {
				row = l
			}
		}
		if row == "" {
			t.Errorf("no row for %s:\n%s", name, out)
			continue
		}
		ps, _ := estimators.Defaults(name)
		for _, p := range ps {
			if !strings.Contains(row, "`"+p.Key+"="+p.Default+"`") {
				t.Errorf("row of %s lacks %s=%s: %s", name, p.Key, p.Default, row)
			}
		}
		d, _ := estimators.Describe(name)
		if !strings.Contains(row, d.Source) {
			t.Errorf("row of %s lacks its source %q: %s", name, d.Source, row)
		}
	}
	if err := run(&b, nil); err == nil {
		t.Error("run with no arguments: no error")
	}
}
