package suite

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"testing"

	"gonum.org/v1/plot"
)

// tickLabelsNameValues fails when a labelled tick's label does not read
// as its value (within a millionth of the labels' spacing).
func tickLabelsNameValues(t *testing.T, what string, ticks []plot.Tick) {
	t.Helper()
	var labelled []plot.Tick
	for _, tk := range ticks {
		if tk.Label != "" {
			labelled = append(labelled, tk)
		}
	}
	for i, tk := range labelled {
		v, err := strconv.ParseFloat(tk.Label, 64)
		tol := 1e-9
		if i > 0 {
			tol = math.Abs(tk.Value-labelled[i-1].Value) * 1e-6
		}
		if err != nil || math.Abs(v-tk.Value) > tol {
			t.Errorf("%s: the tick at %.17g is labelled %q", what, tk.Value, tk.Label)
		}
	}
}

// TestYTicksNameTheirValues: the y axes of the line plots are labelled
// with gonum's default ticks, which for a training loss running from
// 1.558 to 1.651 (a one-epoch quick sweep's three estimators) put ticks at
// 1.56, 1.60 and 1.64 and labelled all three "1.6", and the same sweep's
// silent weights, 0.9772 to 0.9892, ticks at 0.9775, 0.9825 and 0.9875
// labelled 0.978, 0.983 and 0.988. Every label now reads
// as its tick's value; where gonum's already do (as for an accuracy
// axis, 45.00 to 52.50), they are gonum's.
func TestYTicksNameTheirValues(t *testing.T) {
	for _, r := range [][2]float64{{1.558, 1.651}, {1.5576, 1.6506}, {0.9772, 0.9892}, {44.85, 53.21}, {0.0088, 0.0185}, {2.8e-05, 5.3e-05}, {0.6918, 0.6929}, {-1, 1}, {1.7e-5, 0.1202}} {
		tickLabelsNameValues(t, strconv.FormatFloat(r[0], 'g', -1, 64)+" to "+strconv.FormatFloat(r[1], 'g', -1, 64), yTicks{}.Ticks(r[0], r[1]))
	}
	d := (plot.DefaultTicks{}).Ticks(44.85, 53.21)
	y := yTicks{}.Ticks(44.85, 53.21)
	if len(d) != len(y) {
		t.Fatalf("ticks of 44.85 to 53.21: %v, want gonum's %v", y, d)
	}
	for i := range d {
		if d[i] != y[i] {
			t.Errorf("ticks of 44.85 to 53.21: %v, want gonum's %v", y, d)
			break
		}
	}

	// The training curves of such a sweep, as drawn.
	w := testWorkload(t)
	w.Recipe.Epochs = 1
	var rs []*Record
	for i, v := range []struct {
		spec       string
		top1, loss float64
	}{{"ste", 44.85, 1.651}, {"fda", 51.85, 1.576}, {"approxsign", 53.21, 1.558}} {
		r := fakeRecord(&w, v.spec, uint64(i+1), v.top1)
		r.Epochs[0].TrainLoss = v.loss
		r.Final = finalOf(r.Epochs)
		rs = append(rs, r)
	}
	var buf bytes.Buffer
	if err := WriteCurves(&buf, rs, nil); err != nil {
		t.Fatal(err)
	}
	var texts []string
	dec := xml.NewDecoder(&buf)
	for in := false; ; {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			in = e.Name.Local == "text"
		case xml.CharData:
			if in {
				texts = append(texts, string(e))
			}
		case xml.EndElement:
			in = false
		}
	}
	// After the loss panel's axis label, its y labels: numbers, each once.
	seen := map[string]bool{}
	n := 0
	for i, s := range texts {
		if s != "cross-entropy" {
			continue
		}
		for _, l := range texts[i+1:] {
			if _, err := strconv.ParseFloat(l, 64); err != nil {
				break
			}
			if seen[l] {
				t.Errorf("the training loss axis has two ticks labelled %q (labels %q)", l, texts[i+1:])
			}
			seen[l] = true
			n++
		}
	}
	if n < 2 {
		t.Errorf("found %d labels on the training loss axis, want 2 or more: %q", n, texts)
	}
}
