package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/suite"
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

// TestMachines checks the sentence under a results table: one machine
// for the committed quick-since-fda records, and each machine with its
// number of runs when the records of a directory differ (two of those
// records, one given another CPU and commit).
func TestMachines(t *testing.T) {
	const dir = "../../results/quick-since-fda"
	var b bytes.Buffer
	if err := run(&b, []string{"machines", dir}); err != nil {
		t.Fatal(err)
	}
	recs, err := suite.ReadRecords(dir)
	if err != nil || len(recs) < 2 {
		t.Fatalf("reading %s: %d records, %v", dir, len(recs), err)
	}
	m := recs[0].Machine
	want := fmt.Sprintf("Trained on a %d-core %s at commit %s (GEMM %s): ", m.Cores, m.CPU, m.Commit[:7], m.GEMM)
	if got := b.String(); !strings.HasPrefix(got, want) || strings.Count(got, "\n") != 1 {
		t.Errorf("machines %s = %q, want one line beginning %q", dir, got, want)
	}

	tmp := t.TempDir()
	a, c := recs[0], recs[1]
	c.Machine.CPU, c.Machine.Commit = "Other CPU", "0123456789abcdef+dirty"
	for _, r := range []*suite.Record{a, c} {
		if err := suite.WriteRecord(tmp, r); err != nil {
			t.Fatal(err)
		}
	}
	b.Reset()
	if err := run(&b, []string{"machines", tmp}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"1 run on a " + fmt.Sprint(m.Cores) + "-core " + m.CPU, "1 run on a " + fmt.Sprint(m.Cores) + "-core Other CPU at commit 0123456+dirty"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("machines of two machines = %q, want it to contain %q", b.String(), w)
		}
	}

	for _, args := range [][]string{{"machines"}, {"machines", t.TempDir()}, {"machines", tmp, "x"}} {
		if err := run(&b, args); err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
}
