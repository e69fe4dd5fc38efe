package suite

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// TestHeadingsOfSameNamedRecipes: two recipe files of one name that
// differ only in momentum, weight decay or augmentation, which a heading
// did not give, trained into one directory made two tables under one
// heading, with nothing to tell which numbers were whose. Each heading
// now gives those values where another reads the same, and a heading of
// its own is left as it was.
func TestHeadingsOfSameNamedRecipes(t *testing.T) {
	a := testWorkload(t)
	a.Recipe.Momentum, a.Recipe.WeightDecay, a.Recipe.Augment = 0.9, 1e-4, true
	b := a
	b.Recipe.Momentum, b.Recipe.WeightDecay, b.Recipe.Augment = 0.5, 1e-3, false
	var rs []*Record
	for seed := uint64(1); seed <= 2; seed++ {
		rs = append(rs, fakeRecord(&a, "ste", seed, 80), fakeRecord(&b, "ste", seed, 70))
	}
	heads := tableHeadings(t, rs)
	if len(heads) != 2 || heads[0] == heads[1] {
		t.Fatalf("headings %q: want two that differ", heads)
	}
	for i, want := range []string{", momentum 0.9, weight decay 0.0001, crop+flip", ", momentum 0.5, weight decay 0.001, no augmentation"} {
		if !strings.HasSuffix(heads[i], want) {
			t.Errorf("heading %q: want it to end %q", heads[i], want)
		}
	}
	// A workload alone keeps its heading.
	var out bytes.Buffer
	if err := WriteTable(&out, TableMain, rs[:1], nil); err != nil {
		t.Fatal(err)
	}
	if want := "### " + a.Label() + "\n"; !strings.HasPrefix(out.String(), want) {
		t.Errorf("table of one workload starts %q, want %q", strings.SplitN(out.String(), "\n", 2)[0], want)
	}
}

// TestHeadingsOfWorkloadsOfOneLabel: two workloads whose headings read
// the same even with the momentum, weight decay and augmentation (a
// record of format 0, from before the configuration had a format, beside
// this build's of the same recipe) are told apart by their workload keys,
// the last thing that differs.
func TestHeadingsOfWorkloadsOfOneLabel(t *testing.T) {
	a := testWorkload(t)
	old := fakeRecord(&a, "ste", 2, 70)
	old.Config.Format = 0
	old.Key = old.Config.Key()
	rs := []*Record{fakeRecord(&a, "ste", 1, 80), old}
	heads := tableHeadings(t, rs)
	if len(heads) != 2 {
		t.Fatalf("headings %q: want two", heads)
	}
	for i, r := range rs {
		if want := "### " + a.Label() + trainingLabel(r.Config) + ", workload " + r.Config.WorkloadKey(); heads[i] != want {
			t.Errorf("heading %q, want %q", heads[i], want)
		}
	}
}

// TestHeadingOfRecipesOfOneWorkload: a recipe file of another name with
// the same values trains the same workload (gradbench run finds its
// runs done under the other's name). Its heading named the recipe of the
// workload's first record alone, so the runs of the other read as of a
// recipe they were not run with; it names both.
func TestHeadingOfRecipesOfOneWorkload(t *testing.T) {
	a := testWorkload(t)
	b := a
	b.Recipe.Name = "mine"
	rs := []*Record{fakeRecord(&a, "ste", 1, 80), fakeRecord(&b, "ste", 2, 70)}
	var out bytes.Buffer
	if err := WriteTable(&out, TableMain, rs, nil); err != nil {
		t.Fatal(err)
	}
	head := strings.SplitN(out.String(), "\n", 2)[0]
	if want := ", recipe " + a.Recipe.Name + " (also named mine): "; !strings.Contains(head, want) {
		t.Errorf("heading %q: want it to hold %q", head, want)
	}
}

// TestBenchNamesOfSameNamedRecipes: a benchmark name gives the recipe's
// name but not its momentum, weight decay, augmentation, batch or
// learning rate, so the runs of two recipe files of one name that differ
// in those had one name in bench.txt, and benchstat pooled them as
// repeated runs of one benchmark. Such workloads' lines now end with
// their workload key; a workload alone keeps its names, ste's and fda's
// alike.
func TestBenchNamesOfSameNamedRecipes(t *testing.T) {
	a := testWorkload(t)
	b := a
	b.Recipe.Momentum = a.Recipe.Momentum + 0.25
	rs := []*Record{fakeRecord(&a, "ste", 1, 80), fakeRecord(&a, "fda", 1, 81), fakeRecord(&b, "ste", 1, 70)}
	var out bytes.Buffer
	if err := WriteBench(&out, rs); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "Benchmark") {
			name, _, _ := strings.Cut(l, " ")
			names[name] = true
		}
	}
	if len(names) != 3 {
		t.Fatalf("bench names %v: want 3 (two workloads' ste and one's fda)", names)
	}
	for _, r := range rs {
		want := r.BenchName() + "/workload=" + r.Config.WorkloadKey()
		if !names[want] {
			t.Errorf("no line named %s in\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := WriteBench(&out, rs[:2]); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs[:2] {
		if !strings.Contains(out.String(), "\n"+r.BenchName()+" 1 ") {
			t.Errorf("one workload: no line named %s in\n%s", r.BenchName(), out.String())
		}
	}
}

// TestBenchNamesBesideDivergedWorkload: the runs of a workload that all
// diverged have no line in bench.txt, so they clash with no name there:
// a workload of the same name keeps its names, as it would without them.
func TestBenchNamesBesideDivergedWorkload(t *testing.T) {
	a := testWorkload(t)
	a.Recipe.Epochs = 2
	b := a
	b.Recipe.Momentum = a.Recipe.Momentum + 0.25
	rs := []*Record{fakeRecord(&a, "ste", 1, 80), fakeRecord(&b, "ste", 1, math.NaN())}
	if rs[1].Status != StatusDiverged {
		t.Fatalf("record of workload b: status %s, want diverged", rs[1].Status)
	}
	var out bytes.Buffer
	if err := WriteBench(&out, rs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\n"+rs[0].BenchName()+" 1 ") {
		t.Errorf("no line named %s in\n%s", rs[0].BenchName(), out.String())
	}
}

// tableHeadings returns the workload headings ("### " lines) of the main
// table of rs.
func tableHeadings(t *testing.T, rs []*Record) []string {
	t.Helper()
	var out bytes.Buffer
	if err := WriteTable(&out, TableMain, rs, nil); err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "### ") {
			heads = append(heads, l)
		}
	}
	return heads
}
