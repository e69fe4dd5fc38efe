package suite

import (
	"context"
	"strings"
	"testing"
)

// TestOptimizerCells checks the optimizer axis: cells per optimizer, the
// SGD cells with the keys of a sweep without the axis, Adam and Bop at
// AdamLR without momentum, and the refusals.
func TestOptimizerCells(t *testing.T) {
	s := tinySweep(t, "ste,fda", 1)
	s.Optimizers = []string{"sgd", "adam", "bop"}
	cells := s.Cells()
	if len(cells) != 6 {
		t.Fatalf("%d cells, want 2 estimators × 3 optimizers", len(cells))
	}
	plain := tinySweep(t, "ste,fda", 1).Cells()
	for _, c := range cells {
		cfg := c.Config()
		switch c.Optimizer {
		case "sgd":
			if c.Key() != plain[0].Key() && c.Key() != plain[1].Key() {
				t.Errorf("%s: key %s is not the key of the same cell without --optimizers", c, c.Key())
			}
		case "adam", "bop":
			if cfg.Optimizer != c.Optimizer || cfg.LR != AdamLR || cfg.Momentum != 0 {
				t.Errorf("%s: optimizer %s, lr %v, momentum %v; want %s at %v without momentum", c, cfg.Optimizer, cfg.LR, cfg.Momentum, c.Optimizer, AdamLR)
			}
		}
		if !strings.Contains(c.String(), c.Optimizer) {
			t.Errorf("cell %q does not name its optimizer", c)
		}
	}
	if got, err := ParseOptimizers("adam,bop"); err != nil || len(got) != 2 {
		t.Errorf("ParseOptimizers(adam,bop) = %v, %v", got, err)
	}
	if _, err := ParseOptimizers("adam, bop"); err == nil || !strings.Contains(err.Error(), "white space is not allowed") {
		t.Errorf("ParseOptimizers(adam, bop): %v, want white space refused", err)
	}
	for in, want := range map[string]string{
		"sgd,lamb":  `unknown optimizer "lamb" (have sgd, adam, bop)`,
		"adam,adam": `suite: bad --optimizers "adam,adam": adam is given twice: give each once, as in "adam"`,
		"sgd,":      `suite: bad --optimizers "sgd,": it ends with a comma: remove it, as in "sgd"`,
	} {
		if _, err := ParseOptimizers(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseOptimizers(%q) error %v, want %q", in, err, want)
		}
	}
	for spec, want := range map[string]string{
		"fda+na":               "noise adaptation on the weights needs latent weights, which Bop does not keep (give w=identity/a=fda+na for it on the activations alone)",
		"w=biper/a=approxsign": "Bop flips the signs of the weights, and biper binarizes them otherwise",
		// Bop keeps no latent weights: a weight side other than
		// Bop's own identity would be given and have no effect.
		"ste,w=fda/a=ste":      "suite: estimator w=fda/a=ste with bop: Bop flips the binary weights itself and keeps no latent weights, so the weight side fda would have no effect and the run would train as ste does: give ste",
		"w=ste/a=fda":          "estimator w=ste/a=fda with bop: ",
		"w=ste/a=fda+na":       "so the weight side ste would have no effect and the run would train as w=identity/a=fda+na does: give w=identity/a=fda+na",
		"fda,w=identity/a=fda": "suite: estimators fda and w=identity/a=fda with bop: both train as w=identity/a=fda",
		"w=identity/a=ste,ste": "estimators w=identity/a=ste and ste with bop: both train as w=identity/a=ste",
	} {
		s := tinySweep(t, spec, 1)
		s.Optimizers = []string{"sgd", "bop"}
		if err := s.Check(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s with bop: error %v, want %q", spec, err, want)
		}
	}
	// A cell trained alone (run --cell) is refused the same way.
	s = tinySweep(t, "w=fda/a=ste", 1)
	s.Optimizers = []string{"bop"}
	if _, err := (&Runner{Dir: t.TempDir()}).RunCell(context.Background(), s.Cells()[0]); err == nil || !strings.Contains(err.Error(), "the weight side fda would have no effect") {
		t.Errorf("cell w=fda/a=ste with bop: error %v", err)
	}
	s = tinySweep(t, "ste,w=identity/a=fda+na", 1)
	s.Optimizers = []string{"bop"}
	if err := s.Check(); err != nil {
		t.Errorf("noise adaptation on the activations with bop: %v", err)
	}
	s.Specs = s.Specs[1:]
	if spec, err := bopSpec(s.Specs[0]); err != nil || spec.String() != "w=identity/a=fda+na" {
		t.Errorf("bop trains %v (%v), want w=identity/a=fda+na", spec, err)
	}
	adamRecipe := strings.Replace(strings.Replace(tinyRecipe, `"sgd"`, `"adam"`, 1), `"momentum": 0.9, `, "", 1)
	_, err := NewSweep(SweepSpec{Recipe: writeRecipe(t, adamRecipe), Seeds: "1", Optimizers: "sgd,adam"})
	if err == nil || !strings.Contains(err.Error(), "--optimizers sgd: recipe tiny trains with adam") {
		t.Errorf("sgd with an Adam recipe: error %v", err)
	}
}

// writeRecipe writes a recipe file and returns its path.
func writeRecipe(t *testing.T, recipe string) string {
	t.Helper()
	path := t.TempDir() + "/tiny.json"
	if err := WriteOutput(path, []byte(recipe)); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBopAndGridResume interrupts a run with Bop in a learning-rate grid
// after its first epoch and checks that the resumed run ends with the
// numbers of an uninterrupted one: Bop's moving averages and Adam's
// moments are in the checkpoint, and the validation split is the same.
func TestBopAndGridResume(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	s.Workload.Recipe.Epochs = 3
	s.Optimizers = []string{"bop"}
	s.LRGrid = []float64{2}
	whole, resumed := wholeAndResumed(t, s)
	if d := sameNumbers(whole, resumed); d != "" {
		t.Errorf("resumed Bop run differs from an uninterrupted one in %s", d)
	}
	if ep := resumed.Epochs[2]; ep.ValTop1 == nil || resumed.Config.Optimizer != "bop" || resumed.Config.TrainLR() != 2*AdamLR {
		t.Errorf("record: epoch 3 %+v, config %+v; want validation numbers, bop at lr %v", ep, resumed.Config, 2*AdamLR)
	}
}
