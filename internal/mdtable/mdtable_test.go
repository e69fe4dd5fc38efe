package mdtable

import (
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	for _, tc := range []struct {
		name   string
		text   int
		header []string
		rows   [][]string
		want   string
	}{
		{
			// Two text columns, then numbers; the header keeps its '_'
			// and case, '|' in a cell is escaped and '±' is one column
			// wide.
			name:   "escape",
			text:   2,
			header: []string{"estimator", "spec", "top1_acc", "n"},
			rows: [][]string{
				{"FDA", "fda:n=9", "91.25 ± 0.31", "3"},
				{"a|b", "ste", "90.1", "10"},
			},
			want: "" +
				"| estimator | spec    |     top1_acc |  n |\n" +
				"|:----------|:--------|-------------:|---:|\n" +
				"| FDA       | fda:n=9 | 91.25 ± 0.31 |  3 |\n" +
				"| a\\|b      | ste     |         90.1 | 10 |\n",
		},
		{
			name:   "header only",
			text:   1,
			header: []string{"x"},
			want: "" +
				"| x |\n" +
				"|:--|\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := Write(&b, tc.text, tc.header, tc.rows); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("Write =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestWriteKeepsCells(t *testing.T) {
	header := []string{"a|b"}
	rows := [][]string{{"c|d"}}
	if err := Write(new(strings.Builder), 1, header, rows); err != nil {
		t.Fatal(err)
	}
	if header[0] != "a|b" || rows[0][0] != "c|d" {
		t.Errorf("Write changed its arguments to %q, %q", header, rows)
	}
}
