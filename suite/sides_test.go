package suite

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/golden"
	"github.com/gradbench/gradbench/internal/texttest"
)

// weightsOnly is a test estimator for latent weights only.
type weightsOnly struct{ estimators.STE }

func (e *weightsOnly) Name() string        { return "test-wonly" }
func (e *weightsOnly) WeightsOnly() string { return "test-wonly binarizes latent weights only" }

func init() {
	estimators.Register("test-wonly", func(p *estimators.Params) (estimators.Estimator, error) {
		return &weightsOnly{}, nil
	})
}

func specStrings(specs []estimators.Spec) string {
	var s []string
	for _, sp := range specs {
		s = append(s, sp.String())
	}
	return strings.Join(s, " ")
}

func TestSidesSpecs(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"fda,approxsign", "ste w=fda/a=ste w=ste/a=fda fda w=approxsign/a=ste w=ste/a=approxsign approxsign"},
		// ste is planned once, whether listed or not.
		{"ste,fda", "ste w=fda/a=ste w=ste/a=fda fda"},
		// Noise adaptation goes with the estimator to its side.
		{"fda+na:eta=x", "ste w=fda+na:eta=x/a=ste w=ste/a=fda+na:eta=x fda+na:eta=x"},
		// A sided estimator: each of its sides, then itself; a row two
		// estimators share is planned once.
		{"fda,w=fda/a=approxsign", "ste w=fda/a=ste w=ste/a=fda fda w=ste/a=approxsign w=fda/a=approxsign"},
		// An estimator for latent weights only has its weights row alone.
		{"test-wonly,fda", "ste w=test-wonly/a=ste w=fda/a=ste w=ste/a=fda fda"},
	} {
		es := parseSpecs(t, tc.in)
		specs, err := SidesSpecs(es)
		if err != nil {
			t.Errorf("SidesSpecs(%s): %v", tc.in, err)
			continue
		}
		if got := specStrings(specs); got != tc.want {
			t.Errorf("SidesSpecs(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	// A sided spec with ste on one side is one of the rows already; ste
	// alone is the baseline alone (a sweep of ste, and a sides table of
	// no estimator).
	for in, want := range map[string]string{
		"ste":                    "suite: --ablation sides: the estimators give ste alone, the ablation's baseline, which it trains once anyway: give an estimator to set on each side against it, such as fda",
		"w=fda/a=ste":            "suite: --ablation sides: w=fda/a=ste is already a row of the ablation, fda's on one side: give fda for its three rows",
		"approxsign,w=ste/a=dsq": "suite: --ablation sides: w=ste/a=dsq is already a row of the ablation, dsq's on one side: give dsq for its three rows",
	} {
		es := parseSpecs(t, in)
		if specs, err := SidesSpecs(es); err == nil || err.Error() != want {
			t.Errorf("SidesSpecs(%s) = %s, %v; want %s", in, specStrings(specs), err, want)
		}
	}
}

// sidesRecords is a sides ablation of fda and approxsign over 6 seeds,
// made up like paperRecords: spec i (in SidesSpecs order) scores 80 + i +
// seed/10, plus 0.1 on every third (spec, seed); fda on the activations
// only diverged on seed 2, and approxsign on both has seeds 1–4 only.
func sidesRecords(t *testing.T) ([]*Record, []string) {
	w := testWorkload(t)
	w.Recipe.Epochs = 3
	es := parseSpecs(t, "fda,approxsign")
	specs, err := SidesSpecs(es)
	if err != nil {
		t.Fatal(err)
	}
	var rs []*Record
	var order []string
	for i, spec := range specs {
		order = append(order, spec.String())
		for seed := uint64(1); seed <= 6; seed++ {
			if spec.String() == "approxsign" && seed > 4 {
				continue
			}
			rs = append(rs, madeUpRecord(&w, i, spec.String(), seed, spec.String() == "w=ste/a=fda" && seed == 2))
		}
	}
	sortRecords(rs)
	return rs, order
}

func TestSidesTableGolden(t *testing.T) {
	rs, order := sidesRecords(t)
	table := tableText(t, TableSides, rs, order)
	golden.Check(t, "table-sides.md", []byte(table))
	// The rows' numbers, by hand: ste scores 80.1, 80.2, 80.4, 80.4,
	// 80.5, 80.7 (mean 80.38, std 0.21). w=fda/a=ste is spec 1, 1 point
	// above ste on every seed but the 0.1 that (i + seed) mod 3 adds:
	// seeds 2 and 5 get it for spec 1, seeds 3 and 6 for ste, so the
	// differences are 1, 1.1, 0.9, 1, 1.1, 0.9: Δ = +1.00, s = 0.0894, the
	// interval 1 ± 2.5706·0.0894/√6 = [+0.91, +1.09] (t_{0.975,5} =
	// 2.5706), and p = 2/2^6 = 0.031 (all six positive).
	hasAll(t, "sides table", table,
		"| estimator | on | spec | top-1 % (mean ± std) | n | diverged | seeds | paired with ste | Δ vs ste (pp) | 95% CI | p |",
		"| ste | both (baseline) | ste | 80.38 ± 0.21 | 6 | 0 | 1–6 | – | – | – | – |",
		"| fda | weights only | w=fda/a=ste | 81.38 ± 0.19 | 6 | 0 | 1–6 | 1–6 | +1.00 | [+0.91, +1.09] | 0.031 * |",
		"| fda | activations only | w=ste/a=fda | 82.42 ± 0.16 | 5 | 1 (epoch 2) | 1, 3–6 | 1, 3–6 |",
		"| approxsign | both | approxsign | 86.28 ± 0.15 | 4 | 0 | 1–4 | 1–4 |",
		"Each estimator on the latent weights only (the clipped STE, ste, on the activations), on the activations only (ste on the weights) and on both.",
		"Final losses (cross-entropy)",
	)
	// Without the sweep's order the table finds the same estimators in
	// the records, sorted.
	table = tableText(t, TableSides, rs, nil)
	flat := texttest.Squash(table)
	if a, f := strings.Index(flat, "| approxsign | weights only |"), strings.Index(flat, "| fda | weights only |"); a < 0 || f < a {
		t.Errorf("sides table without order: approxsign's rows at %d, fda's at %d, want both, sorted:\n%s", a, f, table)
	}
}

// TestSidesBlocks checks which estimators the sides table shows when it
// finds them in records: those with a one-side row run, not the
// estimators of the main table, and an estimator for latent weights only
// with its other rows marked not applicable.
func TestSidesBlocks(t *testing.T) {
	w := testWorkload(t)
	var rs []*Record
	for _, s := range []string{"ste", "dsq", "w=fda/a=ste", "w=ste/a=bnnplus", "w=test-wonly/a=ste", "w=ede/a=approxsign", "w=ede/a=ste"} {
		rs = append(rs, fakeRecord(&w, s, 1, 80))
	}
	table := tableText(t, TableSides, rs, nil)
	hasAll(t, "sides table", table,
		"| bnnplus | weights only | w=bnnplus/a=ste | not run | 0 | – |",
		"| bnnplus | activations only | w=ste/a=bnnplus | 80.00 ± – | 1 | 0 |",
		"| bnnplus | both | bnnplus | not run | 0 | – |",
		"| fda | weights only | w=fda/a=ste | 80.00 ± – |",
		"| test-wonly | weights only | w=test-wonly/a=ste | 80.00 ± – |",
		"| test-wonly | activations only | – | not applicable: the estimator binarizes latent weights only | – | – |",
		"| w=ede/a=approxsign | weights only | w=ede/a=ste | 80.00 ± – |",
		"| w=ede/a=approxsign | activations only | w=ste/a=approxsign | not run |",
		"| w=ede/a=approxsign | both | w=ede/a=approxsign | 80.00 ± – |",
	)
	// No one-side run asks for a block of dsq or ede.
	hasNone(t, "sides table", table, "| dsq |", "| ede |")
	table = tableText(t, TableSides, rs[:2], nil)
	hasAll(t, "sides table of no one-side runs", table, "No estimator was run on one side only")
}

// TestSidesTrain trains a tiny network with different estimators on the
// two sides: every run of the seed starts from the same weights and sees
// the same batches, records its canonical sided spec, and each choice of
// sides trains differently (so each side's estimator is in use); noise
// adaptation on one side counts as noise adaptation.
func TestSidesTrain(t *testing.T) {
	specs := "ste,w=approxsign/a=ste,a=approxsign/w=ste,approxsign,w=ste+na/a=ste"
	s := tinySweep(t, specs, 1)
	recs, err := (&Runner{Dir: t.TempDir()}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ste", "w=approxsign/a=ste", "w=ste/a=approxsign", "approxsign", "w=ste+na/a=ste"}
	for i, r := range recs {
		if r.Config.Estimator != want[i] || r.Status != StatusOK {
			t.Fatalf("record %d: %s, %s; want %s, ok", i, r.Config.Estimator, r.Status, want[i])
		}
		if r.InitHash != recs[0].InitHash || strings.Join(r.DataHashes, ",") != strings.Join(recs[0].DataHashes, ",") {
			t.Errorf("%s starts from other weights or batches than ste", r.Config.Estimator)
		}
		for _, o := range recs[:i] {
			if sameNumbers(r, o) == "" {
				t.Errorf("%s and %s train to the same numbers", r.Config.Estimator, o.Config.Estimator)
			}
		}
	}
	if a := recs[4].Epochs[0].NAAlpha; a == 0 {
		t.Errorf("w=ste+na/a=ste: noise-adaptation α %g in epoch 1 of 2, want it recorded", a)
	}
}

// A sweep that names an estimator for latent weights only on the
// activations fails before any cell trains.
func TestSidesWeightsOnlyRefused(t *testing.T) {
	dir := t.TempDir()
	s := tinySweep(t, "ste,test-wonly", 1)
	_, err := (&Runner{Dir: dir}).Run(context.Background(), s)
	if err == nil || !strings.Contains(err.Error(), "suite: estimator test-wonly: nn: activation estimator: test-wonly binarizes latent weights only") {
		t.Fatalf("Run with test-wonly on both sides: err = %v, want the weights-only refusal", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("the refused sweep wrote %d files", len(ents))
	}
	if err := s.Check(); err == nil {
		t.Error("Check of the sweep = nil, want the refusal")
	}
	s = tinySweep(t, "w=test-wonly/a=ste", 1)
	s.Workload.Recipe.Epochs = 1
	if _, err := (&Runner{Dir: dir}).Run(context.Background(), s); err != nil {
		t.Errorf("test-wonly on the weights: %v", err)
	}
}

// On a learning-rate grid the sides ablation trains w=E/a=ste and
// w=ste/a=E at E's chosen rate. When E's choice moves after they ran
// (here fda's ×3 beats the ×1 its weights-only row trained at), the
// table sets rows of different rates against each other, and must say
// so; the activations-only row, at ×3, is not named.
func TestSidesSaysWhenARowMissesTheChosenRate(t *testing.T) {
	var rs []*Record
	for _, seed := range []uint64{1, 2} {
		rs = append(rs,
			gridRecord("ste", 3, seed, 80, 0.5, 80),
			gridRecord("fda", 1, seed, 70, 0.5, 75), gridRecord("fda", 3, seed, 82, 0.5, 81),
			gridRecord("w=fda/a=ste", 1, seed, 79, 0.5, 79), gridRecord("w=ste/a=fda", 3, seed, 79, 0.5, 79))
	}
	table := tableText(t, TableSides, rs, nil)
	hasAll(t, "sides at another rate", table, "Rows at another learning rate than their estimator's choice (w=fda/a=ste at lr 0.1, fda at 0.3)")
	if strings.Contains(table, "w=ste/a=fda at lr") {
		t.Errorf("the activations-only row, at fda's chosen rate, is named:\n%s", table)
	}
}
