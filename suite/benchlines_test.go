package suite

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

func TestWriteBenchReadable(t *testing.T) {
	w := testWorkload(t)
	var rs []*Record
	for seed := uint64(1); seed <= 3; seed++ {
		rs = append(rs, fakeRecord(&w, "ste", seed, 80+float64(seed)), fakeRecord(&w, "ste+na:eta=x", seed, 82+float64(seed)),
			fakeRecord(&w, "w=ste:c=2/a=ste+na", seed, 83))
	}
	var buf bytes.Buffer
	if err := WriteBench(&buf, rs); err != nil {
		t.Fatal(err)
	}
	rd := benchfmt.NewReader(bytes.NewReader(buf.Bytes()), "bench.txt")
	n := 0
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.Result:
			n++
			// The '/' between the sides of a spec is written '∕',
			// so that est holds the whole spec.
			est := (nameKey(rec.Name, "est"))
			if est != "ste" && est != "ste+na:eta=x" && est != "w=ste:c=2∕a=ste+na" {
				t.Errorf("result %s: est = %q", rec.Name.Full(), est)
			}
			if a := nameKey(rec.Name, "a"); a != "" {
				t.Errorf("result %s: a sided spec split into a key a = %q", rec.Name.Full(), a)
			}
			if v, ok := rec.Value("top1-%"); !ok || v < 80 {
				t.Errorf("result %s: top1-%% = %v, %v", rec.Name.Full(), v, ok)
			}
			if (nameKey(rec.Name, "model")) != "resnet20" || (nameKey(rec.Name, "data")) != "synthetic" {
				t.Errorf("result %s: want model and data keys", rec.Name.Full())
			}
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		}
	}
	if n != 9 {
		t.Errorf("benchfmt read %d results, want 9:\n%s", n, buf.String())
	}
	units := rd.Units()
	for _, u := range benchUnits {
		want := map[string]int{"higher": 1, "lower": -1}[u.better]
		if got := units.GetBetter(u.unit); got != want {
			t.Errorf("unit %s: GetBetter = %d, want %d", u.unit, got, want)
		}
	}
}

// nameKey returns the value of a /key=value part of a benchmark name.
func nameKey(n benchfmt.Name, key string) string {
	_, parts := n.Parts()
	for _, p := range parts {
		k, v, ok := strings.Cut(strings.TrimPrefix(string(p), "/"), "=")
		if ok && k == key {
			return v
		}
	}
	return ""
}

// WriteBench's lines, written out by hand: six significant digits, the
// top-5 accuracy where a run has one, the learning rate a grid's run
// trained at (the recipe's 0.05 × 0.5), white space in a recipe name as '_', and the
// machine lines again where the CPU changes.
func TestWriteBenchLines(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Name = "tiny\tone"
	a := fakeRecord(&w, "ste", 1, 81.234567)
	top5 := 99.5
	a.Final.TestTop5 = &top5
	b := fakeRecord(&w, "fda", 2, 70)
	b.Config.LRScale = 0.5
	b.Machine.CPU = "Other CPU"
	var buf bytes.Buffer
	if err := WriteBench(&buf, []*Record{a, b}); err != nil {
		t.Fatal(err)
	}
	want := `pkg: github.com/gradbench/gradbench/suite
Unit top1-% better=higher
Unit top5-% better=higher
Unit train-loss better=lower
Unit sec/epoch better=lower
Unit img/s better=higher
goos: linux
goarch: amd64
cpu: Test CPU
BenchmarkTrain/model=resnet20/data=synthetic/recipe=tiny_one/width=1/epochs=1/bin=both/est=ste 1 81.2346 top1-% 99.5 top5-% 1 train-loss 13 sec/epoch 100 img/s
goos: linux
goarch: amd64
cpu: Other CPU
BenchmarkTrain/model=resnet20/data=synthetic/recipe=tiny_one/width=1/epochs=1/bin=both/est=fda/opt=sgd/lr=0.025 1 70 top1-% 1 train-loss 14 sec/epoch 100 img/s
`
	if got := buf.String(); got != want {
		t.Errorf("WriteBench =\n%s\nwant\n%s", got, want)
	}
}
