package suite

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestTableRefusesMixedData: records of one dataset whose data digests
// disagree were tabulated and paired seed by seed as runs on the same
// images (gradbench table loads no data to compare them with). They are
// refused, through the files as gradbench table reads them, naming two of
// them and the split that differs; records without a digest are let
// through, as gradbench run reuses them.
func TestTableRefusesMixedData(t *testing.T) {
	w := testWorkload(t)
	digest := func(c byte) string { return "sha256:" + strings.Repeat(string(c), 64) }
	for _, c := range []struct {
		name string
		data []*DataDigest // of ste seed 1, fda seed 1, ste seed 2, fda seed 2 (read as fda 1, fda 2, ste 1, ste 2)
		want string        // "" for a table
	}{
		{"one copy", []*DataDigest{{digest('a'), digest('b')}, {digest('a'), digest('b')}, {digest('a'), digest('b')}, {digest('a'), digest('b')}}, ""},
		{"no digests", []*DataDigest{nil, nil, nil, nil}, ""},
		{"some without", []*DataDigest{nil, {digest('a'), digest('b')}, nil, {digest('a'), digest('b')}}, ""},
		{"other training split", []*DataDigest{{digest('a'), digest('b')}, {digest('a'), digest('b')}, {digest('c'), digest('b')}, nil},
			"training split " + digest('a') + " against " + digest('c') + ";"},
		{"other test split", []*DataDigest{nil, {digest('a'), digest('b')}, {digest('a'), digest('b')}, {digest('a'), digest('d')}},
			"test split " + digest('b') + " against " + digest('d') + ";"},
		{"both", []*DataDigest{{digest('c'), digest('d')}, {digest('a'), digest('b')}, nil, nil},
			"training split " + digest('a') + " against " + digest('c') + ", and test split " + digest('b') + " against " + digest('d') + ";"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var recs []*Record
			for i, spec := range []string{"ste", "fda", "ste", "fda"} {
				r := fakeRecord(&w, spec, uint64(i/2+1), 70+float64(i))
				r.Data = c.data[i]
				if err := WriteRecord(dir, r); err != nil {
					t.Fatal(err)
				}
				recs = append(recs, r)
			}
			tab, err := Tabulate(TableOptions{Runs: dir, Table: TableMain})
			if c.want == "" {
				if err != nil || !strings.Contains(string(tab.Table), "| fda ") {
					t.Fatalf("Tabulate: %v, want a table", err)
				}
				// Records without a digest beside records with one are
				// noted, naming them; with none or all digested, nothing.
				note := strings.Contains(string(tab.Table), "Note: 2 of these 4 records carry no data digest")
				if want := c.name == "some without"; note != want {
					t.Errorf("table notes undigested records: %v, want %v:\n%s", note, want, tab.Table)
				}
				if note && !strings.Contains(string(tab.Table), "could not be checked: ste seeds 1 and 2.") {
					t.Errorf("the note does not name the records without a digest:\n%s", tab.Table)
				}
				return
			}
			// The first record with a digest and the first that disagrees
			// with it, in the order the table reads them.
			sortRecords(recs)
			var first, other *Record
			for _, r := range recs {
				switch {
				case r.Data == nil:
				case first == nil:
					first = r
				case other == nil && *r.Data != *first.Data:
					other = r
				}
			}
			if err == nil || !strings.HasPrefix(err.Error(), "suite: records "+first.Key+" ("+first.Config.Estimator) ||
				!strings.Contains(err.Error(), " and "+other.Key+" ("+other.Config.Estimator) ||
				!strings.Contains(err.Error(), " were trained on different data: "+c.want+" they cannot be compared") {
				t.Errorf("Tabulate: %v\nwant records %s and %s named, with %q", err, first.Key, other.Key, c.want)
			}
		})
	}
}

// TestCurvesBenchRefuseMixedData: the curves and the benchmark lines
// compare records across cells as a table does (benchstat pairs the lines
// of one name), and were written for records of different data; they are
// refused as a table is, also when written alone (gradbench run's
// outputs, WriteCurves), and records of one data are still drawn.
func TestCurvesBenchRefuseMixedData(t *testing.T) {
	w := testWorkload(t)
	digest := func(c byte) string { return "sha256:" + strings.Repeat(string(c), 64) }
	mk := func(other *DataDigest) []*Record {
		var rs []*Record
		for i, spec := range []string{"ste", "fda", "ste", "fda"} {
			r := fakeRecord(&w, spec, uint64(i/2+1), 70+float64(i))
			r.Data = &DataDigest{digest('a'), digest('b')}
			rs = append(rs, r)
		}
		rs[3].Data = other
		return rs
	}
	for name, f := range map[string]func([]*Record) error{
		"WriteCurves": func(rs []*Record) error { return WriteCurves(io.Discard, rs, nil) },
		"WriteBench":  func(rs []*Record) error { return WriteBench(io.Discard, rs) },
	} {
		if err := f(mk(&DataDigest{digest('a'), digest('b')})); err != nil {
			t.Errorf("%s of one data: %v", name, err)
		}
		if err := f(mk(nil)); err != nil {
			t.Errorf("%s with a record without digest: %v", name, err)
		}
		err := f(mk(&DataDigest{digest('c'), digest('b')}))
		if err == nil || !strings.Contains(err.Error(), "were trained on different data: training split "+digest('a')+" against "+digest('c')) {
			t.Errorf("%s of two data: %v, want them refused", name, err)
		}
	}
	// Through Tabulate's --curves and --bench the table refuses first;
	// the table of one data still writes both.
	var b bytes.Buffer
	if err := WriteCurves(&b, mk(nil), nil); err != nil || b.Len() == 0 {
		t.Errorf("WriteCurves: %v, %d bytes", err, b.Len())
	}
}

// TestUndigestedNoteGroups: the note on records without a data digest
// names them briefly. When they are every record of some seeds (a study
// whose first seeds were trained before digests were kept), it names the
// seeds; otherwise each estimator once, with its learning-rate multiplier
// where a grid ran and its optimizer where the records have several, in
// that order, followed by its seeds. It listed "ste seed 1" once per
// record, so a study's grid (the same seeds at several rates) named the
// same words four times over, 84 entries in all.
func TestUndigestedNoteGroups(t *testing.T) {
	w := testWorkload(t)
	rec := func(spec string, seed uint64, lr float64, opt string, digested bool) *Record {
		r := fakeRecord(&w, spec, seed, 70)
		r.Config.LRScale = lr
		if opt != "" {
			r.Config.Optimizer = opt
		}
		if digested {
			r.Data = &DataDigest{Train: "sha256:a", Test: "sha256:b"}
		}
		return r
	}
	for _, c := range []struct {
		name string
		recs []*Record
		want string // "" for no note
	}{
		{"whole seeds", []*Record{
			rec("ste", 1, 0.3, "", false), rec("ste", 1, 3, "", false), rec("fda", 2, 0.3, "", false),
			rec("ste", 3, 3, "", false), rec("ste", 4, 3, "", false), rec("fda", 6, 3, "", false),
			rec("ste", 7, 3, "", true), rec("fda", 7, 3, "", true),
		}, "Note: 6 of these 8 records carry no data digest (written before gradbench kept them), so whether they were trained on the same data as the others could not be checked: every record of seeds 1–4 and 6. Running their sweep again after removing them (results/study.sh for the standard study) would train them anew, with digests, on the data it reads.\n\n"},
		{"one whole seed", []*Record{rec("ste", 2, 0, "", false), rec("fda", 2, 0, "", false), rec("ste", 3, 0, "", true)},
			"could not be checked: every record of seed 2. Running their sweep"},
		{"grid", []*Record{
			rec("ste", 1, 10, "", false), rec("ste", 1, 3, "", false), rec("ste", 2, 0.3, "", false),
			rec("ste", 2, 3, "", false), rec("ste", 3, 3, "", false), rec("ste", 4, 3, "", false),
			rec("fda", 6, 3, "", false), rec("ste", 1, 0.3, "", true), rec("ste", 1, 0.3, "", false),
		}, "Note: 8 of these 9 records carry no data digest (written before gradbench kept them), so whether they were trained on the same data as the others could not be checked: fda lr ×3 seed 6; ste lr ×0.3 seeds 1 and 2; ste lr ×3 seeds 1–4; ste lr ×10 seed 1. Running their sweep"},
		{"optimizers", []*Record{
			rec("ste", 1, 0, "sgd", false), rec("ste", 1, 0, "adam", false), rec("ste", 1, 0, "bop", true),
		}, "could not be checked: ste adam seed 1; ste sgd seed 1. Running their sweep"},
		{"one record", []*Record{rec("ste", 1, 0, "", false), rec("ste", 2, 0, "", true), rec("fda", 1, 0, "", true)},
			"Note: 1 of these 3 records carries no data digest (written before gradbench kept them), so whether it was trained on the same data as the others could not be checked: ste seed 1. Running its sweep again after removing it (results/study.sh for the standard study) would train it anew, with a digest, on the data it reads.\n\n"},
		{"none without", []*Record{rec("ste", 1, 0, "", true), rec("ste", 2, 0, "", true)}, ""},
		{"all without", []*Record{rec("ste", 1, 0, "", false), rec("ste", 2, 0, "", false)}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			writeUndigested(&b, c.recs, "")
			if c.want == "" {
				if b.Len() != 0 {
					t.Errorf("note %q, want none", b.String())
				}
				return
			}
			if !strings.Contains(b.String(), c.want) {
				t.Errorf("note:\n%s\nwant it to hold:\n%s", b.String(), c.want)
			}
		})
	}
}
