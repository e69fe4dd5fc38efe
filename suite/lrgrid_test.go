package suite

import (
	"bytes"
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/racebuild"
)

func TestParseLRGrid(t *testing.T) {
	got, err := ParseLRGrid("0.3,1,3")
	if err != nil || !slices.Equal(got, []float64{0.3, 1, 3}) {
		t.Fatalf("ParseLRGrid(0.3,1,3) = %v, %v", got, err)
	}
	if got, err := ParseLRGrid(""); got != nil || err != nil {
		t.Errorf(`ParseLRGrid("") = %v, %v, want no grid`, got, err)
	}
	for in, want := range map[string]string{
		"0":    `"0" is not a finite number > 0`,
		"1,-1": `"-1" is not a finite number > 0`,
		"NaN":  `"NaN" is not a finite number > 0`,
		"Inf":  `"Inf" is not a finite number > 0`,
		// Tried as a new user would: 1e-400 is > 0, and was said not to
		// be; it underflows float64, as 1e400 overflows it.
		"1e400":     `"1e400" overflows float64 to +Inf (its largest magnitude is 1.7976931348623157e+308)`,
		"1e-400":    `"1e-400" underflows to 0 in float64 (its smallest magnitude is 5e-324)`,
		"1e-310":    `"1e-310" underflows to a subnormal in float64, 1e-310, which holds fewer digits (its smallest normal magnitude is 2.2250738585072014e-308)`,
		"x":         `"x" is not a finite number > 0`,
		"1,,3":      `suite: bad --lr-grid "1,,3": an empty item between two commas: remove one comma, as in "1,3"`,
		"0.3,1,0.3": `0.3 is given twice: give each once, as in "0.3,1"`,
		// Tried as a new user would: white space was trimmed, while
		// --width " 0.5" was refused; it is refused here too.
		" 0.3,1,3 ": `white space is not allowed`,
		"0.3, 1":    `white space is not allowed`,
		"1 ":        `white space is not allowed`,
		" ":         `white space is not allowed`,
		"1,1.0":     `1.0 is given twice`,
		"0x1p-1":    `"0x1p-1" is not a decimal number`,
		"1,0X1P1":   `"0X1P1" is not a decimal number`,
		"1_0":       `"1_0" is not a decimal number`,
		"10,010":    `010 is given twice`, // ten, not eight
	} {
		if _, err := ParseLRGrid(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseLRGrid(%q) error %v, want one saying %s", in, err, want)
		}
	}
}

// TestLRGridSameFloat32 checks that a grid whose multipliers give one
// float32 learning rate is refused, naming both and the rate, with SGD's
// lr and with Adam's, and that near multipliers whose rates float32 holds
// apart are kept.
func TestLRGridSameFloat32(t *testing.T) {
	for _, tt := range []struct {
		grid       []float64
		optimizers []string
		want       string
	}{
		{[]float64{1.00000001, 1}, nil, "suite: --lr-grid ×1.00000001 and ×1 of tiny's lr 0.1 both train at lr 0.1 as float32"},
		{[]float64{0.3, 1, 3, 1 + 1e-9}, nil, "×1 and ×1.000000001 of tiny's lr 0.1 both train at lr 0.1 as float32"},
		{[]float64{2, 2.0000000001}, []string{"adam"}, "×2 and ×2.0000000001 of tiny's lr 0.001 both train at lr 0.002 as float32"},
	} {
		s := tinySweep(t, "ste", 1)
		s.LRGrid, s.Optimizers = tt.grid, tt.optimizers
		if err := s.Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("grid %v: error %v, want %q", tt.grid, err, tt.want)
		}
	}
	s := tinySweep(t, "ste", 1)
	s.LRGrid = []float64{1, 1.0000002}
	if err := s.Check(); err != nil {
		t.Errorf("grid 1,1.0000002 (two float32 rates): %v", err)
	}
}

// gridRecord is a finished grid run with the given final validation and
// test numbers, or a diverged one when top1 is NaN.
func gridRecord(spec string, scale float64, seed uint64, valTop1, valLoss, testTop1 float64) *Record {
	cfg := Config{Format: FormatVersion, Model: "resnet20", Dataset: "synthetic", Width: 1, Binarize: "both", Epochs: 1, Batch: 16,
		Optimizer: "sgd", LR: 0.1, Schedule: "cosine", LRScale: scale, Validation: 0.1, Estimator: spec, Seed: seed}
	r := &Record{Key: cfg.Key(), Config: cfg, Recipe: "tiny", Status: StatusOK}
	if math.IsNaN(valTop1) {
		r.Status = StatusDiverged
		r.Diverged = &Divergence{Epoch: 1}
		return r
	}
	ep := Epoch{Epoch: 1, TestTop1: testTop1, TestLoss: 1, ValTop1: &valTop1, ValLoss: &valLoss}
	r.Epochs = []Epoch{ep}
	r.Final = finalOf(r.Epochs)
	return r
}

// TestSelectLR checks the choice on hand-made records: the highest mean
// validation top-1 (not the highest test top-1), ties to the lower
// validation loss, diverged runs counted but never averaged, a
// multiplier with a diverged run beaten by one without, and a
// multiplier whose runs all diverged never chosen.
func TestSelectLR(t *testing.T) {
	nan := math.NaN()
	rs := []*Record{
		// ste: ×1 has the best validation mean (81 vs 80 and 70); ×3
		// has the best test top-1, which must not matter.
		gridRecord("ste", 0.3, 1, 80, 0.5, 70), gridRecord("ste", 0.3, 2, 80, 0.5, 70),
		gridRecord("ste", 1, 1, 82, 0.5, 71), gridRecord("ste", 1, 2, 80, 0.5, 71),
		gridRecord("ste", 3, 1, 70, 0.5, 99), gridRecord("ste", 3, 2, 70, 0.5, 99),
		// fda: ×0.3 and ×1 tie at 75, ×1 with the lower loss; ×3
		// diverged once and scored 90 once: its mean is 90 over n = 1,
		// but its divergence puts it behind both, and ×1 is chosen.
		gridRecord("fda", 0.3, 1, 75, 0.6, 60), gridRecord("fda", 0.3, 2, 75, 0.6, 60),
		gridRecord("fda", 1, 1, 75, 0.4, 60), gridRecord("fda", 1, 2, 75, 0.4, 60),
		gridRecord("fda", 3, 1, nan, 0, 0), gridRecord("fda", 3, 2, 90, 0.4, 60),
		// dsq: every run diverged.
		gridRecord("dsq", 1, 1, nan, 0, 0),
		// ste seed 3 ran at ×3 alone: not a grid seed, so its 99 does
		// not count; at ×1, the choice, it would be shown (see below).
		gridRecord("ste", 3, 3, 99, 0.1, 50),
	}
	sel, choices := SelectLR(rs)
	want := map[string]float64{"ste": 1, "fda": 1}
	if len(choices) != 3 {
		t.Fatalf("%d choices, want 3", len(choices))
	}
	for _, ch := range choices {
		if w, ok := want[ch.Spec]; ok && ch.Scale != w || !ok && !math.IsNaN(ch.Scale) {
			t.Errorf("%s: chose ×%v, want ×%v", ch.Spec, ch.Scale, want[ch.Spec])
		}
	}
	if ch := choices[0]; ch.Spec != "ste" || ch.LR != 0.1 || len(ch.Points) != 3 || ch.Points[1].ValTop1 != 81 || ch.Points[1].N != 2 {
		t.Errorf("ste's choice %+v, want ×1 at lr 0.1 with a mean of 81 over 2 runs at ×1", ch)
	}
	if p := choices[1].Points[2]; p.N != 1 || p.Diverged != 1 || p.ValTop1 != 90 {
		t.Errorf("fda ×3: %+v, want n 1, 1 diverged, mean 90", p)
	}
	if len(sel) != 4 {
		t.Errorf("%d records selected, want ste's 2 at ×1 and fda's 2 at ×1", len(sel))
	}
	// Seeds added at the chosen multiplier after the grid are shown.
	sel, choices = SelectLR(append(rs[:len(rs)-1], gridRecord("ste", 1, 3, 60, 0.5, 72)))
	if choices[0].Scale != 1 || choices[0].Points[1].N != 2 || len(sel) != 5 {
		t.Errorf("with ste seed 3 at ×1 alone: choice ×%v over %d runs, %d records selected; want ×1 over 2, 5 selected", choices[0].Scale, choices[0].Points[1].N, len(sel))
	}
	// A fda run at ×3 with a tie on top-1 against ×1 loses on
	// validation loss, though its test loss is the lower.
	x1, x3 := gridRecord("fda", 1, 1, 75, 0.3, 0), gridRecord("fda", 3, 1, 75, 0.4, 0)
	x1.Epochs[0].TestLoss, x3.Epochs[0].TestLoss = 0.9, 0.1
	_, choices = SelectLR([]*Record{x1, x3})
	if choices[0].Scale != 1 {
		t.Errorf("tie on validation top-1: chose ×%v, want ×1 (the lower loss)", choices[0].Scale)
	}
	table := tableText(t, TableMain, rs, nil)
	hasAll(t, "grid table", table,
		"lr tuned per estimator from 0.1 times a grid", "10% of the training split held out for validation",
		"| estimator | val top-1 % at lr ×0.3 | val top-1 % at lr ×1 | val top-1 % at lr ×3 | chosen lr |",
		"**81.00 (n=2)**", "| **75.00 (n=2)** | 90.00 (n=1), 1 diverged |", "none (every run diverged)", "never on the test split")
}

// TestGridNeverReadsTheTestSplit trains a learning-rate grid twice, the
// second time with the test split's labels shuffled, and checks that
// every validation number, and so the choice, is the same while the
// test numbers are not: the selection does not see the test split. It
// also checks that the runs hold out the recipe's validation fraction
// and that a grid's keys differ from the same cells' without a grid.
func TestGridNeverReadsTheTestSplit(t *testing.T) {
	// Which split the selection reads, not concurrency: 16 training runs.
	racebuild.Skip(t, "it checks which split the selection reads, with no goroutines of its own; the openblas and purego builds run it in full")
	s := tinySweep(t, "ste,fda", 1, 2)
	s.Workload.Recipe.Epochs = 1
	s.LRGrid = []float64{0.3, 3}
	if n := len(s.Cells()); n != 8 {
		t.Fatalf("%d cells, want 2 estimators × 2 multipliers × 2 seeds", n)
	}
	plain := tinySweep(t, "ste,fda", 1, 2)
	for i, c := range s.Cells() {
		if c.Config().Validation != 0.1 || c.Config().TrainLR() != 0.1*c.LRScale {
			t.Errorf("cell %d: validation %v and lr %v, want 0.1 and %v", i, c.Config().Validation, c.Config().TrainLR(), 0.1*c.LRScale)
		}
		for _, p := range plain.Cells() {
			if p.Key() == c.Key() {
				t.Errorf("cell %s has the key of a cell without a grid", c)
			}
		}
	}
	clean := &Runner{Dir: t.TempDir()}
	want, err := clean.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	poisoned := &Runner{Dir: t.TempDir()}
	p, err := clean.load(context.Background(), &s.Workload)
	if err != nil {
		t.Fatal(err)
	}
	test := *p.test
	test.Labels = slices.Clone(p.test.Labels)
	for i := range test.Labels {
		test.Labels[i] = (test.Labels[i] + 1) % int32(test.Classes)
	}
	poisoned.datasets = map[string]*datasetPair{"synthetic\x00": {train: p.train, test: &test}}
	got, err := poisoned.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	testDiffers := false
	for i := range want {
		a, b := want[i].Epochs[0], got[i].Epochs[0]
		if *a.ValTop1 != *b.ValTop1 || *a.ValLoss != *b.ValLoss {
			t.Errorf("%s: validation numbers %v/%v, with the test labels poisoned %v/%v", want[i].Config.Estimator, *a.ValTop1, *a.ValLoss, *b.ValTop1, *b.ValLoss)
		}
		testDiffers = testDiffers || a.TestTop1 != b.TestTop1
	}
	if !testDiffers {
		t.Error("poisoning the test labels changed no test number: the test shows nothing")
	}
	_, cw := SelectLR(want)
	_, cg := SelectLR(got)
	for i := range cw {
		if cw[i].Spec != cg[i].Spec || cw[i].Scale != cg[i].Scale {
			t.Errorf("choice %s ×%v, with the test labels poisoned %s ×%v", cw[i].Spec, cw[i].Scale, cg[i].Spec, cg[i].Scale)
		}
	}
}

// TestLRTable checks the lr table: the choice alone for a grid's
// workload, and a sentence for a workload without a grid.
func TestLRTable(t *testing.T) {
	rs := []*Record{gridRecord("ste", 1, 1, 80, 0.5, 70), gridRecord("ste", 3, 1, 82, 0.5, 70)}
	table := tableText(t, TableLR, rs, nil)
	hasAll(t, "lr table", table, "80.00 (n=1) |", "**82.00 (n=1)** |", "0.3 (×3), at the grid's upper edge |", "extend the grid that way")
	if strings.Contains(table, "top-1 % (mean ± std)") {
		t.Errorf("lr table shows the main table too:\n%s", table)
	}
	// No table follows the lr table: its note pointed at "the tables
	// below", which it printed nothing of.
	if strings.Contains(table, "The tables below") || !strings.Contains(table, "The other tables (gradbench table --ablation main and the rest) show each estimator at its chosen learning rate only") {
		t.Errorf("lr table, printed alone, points at tables below it:\n%s", table)
	}
	if main := tableText(t, TableMain, rs, nil); !strings.Contains(main, "The tables below show each estimator at its chosen learning rate only") {
		t.Errorf("main table of a grid does not say the tables below it are at the chosen rates:\n%s", main)
	}
	plain := gridRecord("ste", 1, 1, 80, 0.5, 70)
	plain.Config.LRScale, plain.Config.Validation = 0, 0
	plain.Epochs[0].ValTop1, plain.Epochs[0].ValLoss = nil, nil
	table = tableText(t, TableLR, []*Record{plain}, nil)
	if !strings.Contains(table, "No learning-rate grid in these runs") {
		t.Errorf("lr table without a grid:\n%s", table)
	}
}

// TestLREdge checks when a choice is flagged as lying at the grid's edge:
// the largest or smallest multiplier run, counting multipliers whose
// runs all diverged (they bound the grid), never with a single point.
func TestLREdge(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		rs   []*Record
		want int
	}{
		{"upper", []*Record{gridRecord("ste", 1, 1, 80, 0.5, 70), gridRecord("ste", 3, 1, 82, 0.5, 70)}, 1},
		{"lower", []*Record{gridRecord("ste", 0.3, 1, 83, 0.5, 70), gridRecord("ste", 1, 1, 80, 0.5, 70), gridRecord("ste", 3, 1, 82, 0.5, 70)}, -1},
		{"inside", []*Record{gridRecord("ste", 0.3, 1, 79, 0.5, 70), gridRecord("ste", 1, 1, 80, 0.5, 70), gridRecord("ste", 3, 1, 78, 0.5, 70)}, 0},
		{"diverged above", []*Record{gridRecord("ste", 1, 1, 79, 0.5, 70), gridRecord("ste", 3, 1, 80, 0.5, 70), gridRecord("ste", 10, 1, nan, 0, 0)}, 0},
		{"one point", []*Record{gridRecord("ste", 1, 1, 80, 0.5, 70)}, 0},
		{"all diverged", []*Record{gridRecord("ste", 1, 1, nan, 0, 0), gridRecord("ste", 3, 1, nan, 0, 0)}, 0},
	} {
		_, choices := SelectLR(tc.rs)
		if len(choices) != 1 {
			t.Fatalf("%s: %d choices, want 1", tc.name, len(choices))
		}
		if got := choices[0].Edge(); got != tc.want {
			t.Errorf("%s: Edge() = %d for a choice of ×%v among %+v, want %d", tc.name, got, choices[0].Scale, choices[0].Points, tc.want)
		}
	}
}

// TestCurvesOfADivergedGrid checks that a grid sweep whose every run
// diverged (a study extending a grid upwards until it diverges) draws
// empty panels, as a plain sweep does, instead of failing the sweep.
func TestCurvesOfADivergedGrid(t *testing.T) {
	nan := math.NaN()
	rs := []*Record{gridRecord("ste", 10, 1, nan, 0, 0), gridRecord("ste", 10, 2, nan, 0, 0)}
	var buf bytes.Buffer
	if err := WriteCurves(&buf, rs, nil); err != nil {
		t.Fatalf("WriteCurves(every grid run diverged) = %v, want empty panels", err)
	}
	if !strings.Contains(buf.String(), "<svg") {
		t.Errorf("no SVG written")
	}
}

// Records in no order of their multipliers: ste ties at ×3 and ×1 on
// validation top-1 and loss, so the smaller, ×1, is chosen, inside its
// grid; fda's best is ×3, its largest, so at the grid's upper edge. The
// footnote gives the held-out share in percent (Validation 0.1: 10%).
func TestLRChoiceUnorderedRecords(t *testing.T) {
	var rs []*Record
	for _, spec := range []string{"ste", "fda"} {
		top := map[string]float64{"ste": 80, "fda": 85}[spec]
		rs = append(rs, gridRecord(spec, 3, 1, top, 0.5, 70), gridRecord(spec, 0.3, 1, 79, 0.5, 70), gridRecord(spec, 1, 1, 80, 0.5, 70))
	}
	table := tableText(t, TableLR, rs, nil)
	hasAll(t, "lr table", table,
		"| ste | 79.00 (n=1) | **80.00 (n=1)** | 80.00 (n=1) | 0.1 (×1) |",
		"| fda | 79.00 (n=1) | 80.00 (n=1) | **85.00 (n=1)** | 0.3 (×3), at the grid's upper edge |",
		"Learning rates chosen on the validation split (10% of the training split, held out by each seed")
}

// TestLRChoiceOfPartialGrid: in a grid's runs directory left part-way
// (the sweep interrupted after fda's runs at ×0.3, before those at ×1),
// fda's choice among the one multiplier it ran is said to lack the
// grid's others, in the lr table and every table that shows it first;
// it was shown as a choice like ste's, made among both. Tried as a new
// user would: tabled the runs of an interrupted --lr-grid sweep.
func TestLRChoiceOfPartialGrid(t *testing.T) {
	rs := []*Record{
		gridRecord("ste", 0.3, 1, 70, 0.5, 60), gridRecord("ste", 1, 1, 80, 0.5, 70),
		gridRecord("fda", 0.3, 1, 75, 0.5, 65),
	}
	for _, name := range []string{TableLR, TableMain} {
		table := tableText(t, name, rs, nil)
		hasAll(t, name+" table of a partial grid", table,
			"| 0.03 (×0.3), without runs at ×1 |",
			"A choice without runs at multipliers beyond it that other estimators of the table ran is the best of the learning rates its estimator ran, not of the grid's")
		if strings.Contains(table, "0.1 (×1), at the grid's upper edge, without") {
			t.Errorf("%s table: ste, which ran every multiplier, is said to lack one:\n%s", name, table)
		}
	}
	// A whole grid has no such note, nor has a choice that runs on both
	// sides bracket (fda's ×1 between ×0.3 and ×3), though another
	// estimator's grid reaches further (ste's ×10).
	rs = append(rs, gridRecord("fda", 1, 1, 80, 0.5, 60))
	if table := tableText(t, TableLR, rs, nil); strings.Contains(table, "without runs at") || strings.Contains(table, "A choice without runs") {
		t.Errorf("lr table of a whole grid says a choice lacks runs:\n%s", table)
	}
	rs = append(rs, gridRecord("fda", 3, 1, 70, 0.5, 60), gridRecord("ste", 3, 1, 81, 0.5, 60), gridRecord("ste", 10, 1, 60, 0.5, 60))
	if table := tableText(t, TableLR, rs, nil); strings.Contains(table, "without runs at") || strings.Contains(table, "A choice without runs") || !strings.Contains(table, "**80.00 (n=1)**") {
		t.Errorf("lr table with fda's choice bracketed says it lacks runs, or chose otherwise:\n%s", table)
	}
	// Grids that overlap: each choice at the edge of its estimator's own
	// grid, beyond which the other estimator ran, lacks that multiplier
	// alone.
	rs = []*Record{gridRecord("ste", 0.3, 1, 70, 0.5, 60), gridRecord("ste", 1, 1, 80, 0.5, 70), gridRecord("fda", 1, 1, 75, 0.5, 65), gridRecord("fda", 3, 1, 70, 0.5, 65)}
	table := tableText(t, TableLR, rs, nil)
	hasAll(t, "lr table of overlapping grids", table,
		"| 0.1 (×1), at the grid's upper edge, without runs at ×3 |",
		"| 0.1 (×1), at the grid's lower edge, without runs at ×0.3 |")
}

// TestValidationPercent: the held-out share is printed as the percent
// of the recipe's fraction as written: validation 0.29 said
// "28.999999999999996% of the training split", the float64 product
// 100 × 0.29.
func TestValidationPercent(t *testing.T) {
	c := Config{Model: "resnet20", Dataset: "fmnist", Width: 1, Epochs: 1, Batch: 8, Optimizer: "sgd", LR: 0.1, Validation: 0.29}
	if got := c.label("r"); !strings.Contains(got, ", 29% of the training split held out for validation") {
		t.Errorf("label: %s\nwant 29%% of the training split held out", got)
	}
	var b strings.Builder
	if err := writeLRChoices(&b, nil, 0.57, false, nil, nil, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "(57% of the training split, held out by each seed") {
		t.Errorf("lr choices: %s\nwant 57%% of the training split", b.String())
	}
}
