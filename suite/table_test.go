package suite

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// paperRecords is a small sweep over every spec of the paper's ablations,
// 4 seeds, with one diverged run, made up so that the numbers are easy to
// check by eye: spec i scores 80 + i + seed/10.
func paperRecords(t *testing.T) []*Record {
	w := testWorkload(t)
	w.Recipe.Epochs = 3
	var rs []*Record
	for i, spec := range PaperSpecs() {
		for seed := uint64(1); seed <= 4; seed++ {
			top1 := 80 + float64(i) + float64(seed)/10
			if spec.String() == "dsq+na" && seed == 3 {
				top1 = math.NaN()
			}
			rs = append(rs, fakeRecord(&w, spec.String(), seed, top1))
		}
	}
	return rs
}

func TestTablesGolden(t *testing.T) {
	rs := paperRecords(t)
	var order []string
	for _, s := range PaperSpecs() {
		order = append(order, s.String())
	}
	for _, name := range []string{TableMain, TableSineNA, TableNAOthers, TableEta} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteTable(&buf, name, rs, order); err != nil {
				t.Fatal(err)
			}
			golden(t, "table-"+name+".md", buf.Bytes())
		})
	}
}

func TestTableMainNumbers(t *testing.T) {
	w := testWorkload(t)
	rs := []*Record{
		fakeRecord(&w, "ste", 1, 80), fakeRecord(&w, "ste", 2, 81), fakeRecord(&w, "ste", 3, 82),
		fakeRecord(&w, "ste:c=2", 1, 90), fakeRecord(&w, "ste:c=2", 2, 91), fakeRecord(&w, "ste:c=2", 3, 92),
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, TableMain, rs, nil); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(strings.Fields(buf.String()), " ")
	for _, want := range []string{
		"| ste | 81.00 ± 1.00 | 3 | 0 | – | – | 14.0 |",
		"| ste:c=2 | 91.00 ± 1.00 | 3 | 0 | +10.00 | 0.100 | 14.0 |",
		"smallest possible p is 0.100",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("main table lacks %q:\n%s", want, out)
		}
	}
}

func TestTableErrors(t *testing.T) {
	if err := WriteTable(new(bytes.Buffer), "table5", paperRecords(t), nil); err == nil || !strings.Contains(err.Error(), `unknown table "table5" (have main, sine-na, na-others, eta, paper)`) {
		t.Errorf("WriteTable(table5) = %v, want unknown table", err)
	}
	if err := WriteTable(new(bytes.Buffer), TableMain, nil, nil); err == nil {
		t.Error("WriteTable(no records) = nil, want an error")
	}
}

func TestPaperSpecs(t *testing.T) {
	var got []string
	for _, s := range PaperSpecs() {
		got = append(got, s.String())
	}
	want := "ste fda fda+na dsq dsq+na bnnplus bnnplus+na fda+na:eta=0 fda+na:eta=x"
	if strings.Join(got, " ") != want {
		t.Errorf("PaperSpecs() = %v, want %s", got, want)
	}
}

func TestCurvesSVG(t *testing.T) {
	rs := paperRecords(t)
	var buf bytes.Buffer
	if err := WriteCurves(&buf, rs, nil); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	if !strings.HasPrefix(svg, "<?xml") || !strings.Contains(svg, "<svg") {
		t.Fatalf("WriteCurves output is not an SVG: %.200s", svg)
	}
	for _, want := range []string{"test top-1 accuracy", "training loss", "fda+na:eta=x (n=4)", "dsq+na (n=3)", "epoch"} {
		if !strings.Contains(svg, want) {
			t.Errorf("curves SVG lacks %q", want)
		}
	}
	w2 := testWorkload(t)
	w2.Recipe.LR = 0.5
	if err := WriteCurves(new(bytes.Buffer), append(rs, fakeRecord(&w2, "ste", 1, 80)), nil); err == nil {
		t.Error("WriteCurves of two workloads = nil, want an error")
	}
}

func TestNoiseAdaptationNoteOneEpoch(t *testing.T) {
	w := testWorkload(t) // one epoch
	rs := []*Record{fakeRecord(&w, "ste", 1, 80), fakeRecord(&w, "ste+na", 1, 80)}
	var b bytes.Buffer
	if err := WriteTable(&b, TableMain, rs, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "every +na row equals its estimator without NA") {
		t.Errorf("one-epoch table with +na lacks the note on α = 0:\n%s", b.String())
	}
	w.Recipe.Epochs = 2
	b.Reset()
	WriteTable(&b, TableMain, []*Record{fakeRecord(&w, "ste+na", 1, 80)}, nil)
	if strings.Contains(b.String(), "+na row equals") {
		t.Errorf("two-epoch table has the one-epoch note:\n%s", b.String())
	}
}
