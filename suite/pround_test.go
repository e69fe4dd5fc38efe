package suite

import (
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

// TestPTextBelowAlphaReadsBelowIt: a p below 0.05 that three decimals
// would round up to 0.050 is printed with the decimals that keep it below
// 0.05; other p-values keep three.
func TestPTextBelowAlphaReadsBelowIt(t *testing.T) {
	for p, want := range map[float64]string{
		51.0 / 1024: "0.0498", // 11 pairs, 51 of the 1024 sign patterns
		0.04999:     "0.04999",
		0.0495:      "0.0495",
		0.0494:      "0.049",
		0.05:        "0.050",
		0.0504:      "0.050",
		0.002:       "0.002",
		1:           "1.000",
	} {
		if got := pText(p); got != want {
			t.Errorf("pText(%v) = %q, want %q", p, got, want)
		}
	}
	if got := fmtP(51.0 / 1024); got != "0.0498 *" {
		t.Errorf("fmtP(51/1024) = %q, want 0.0498 *", got)
	}
}

// TestTableFindingsPJustBelowAlpha: eleven paired seeds whose sign-flip p
// is 51/1024 = 0.0498. The table marks it and the findings call the
// difference beyond seed noise, so neither may print it as 0.050.
func TestTableFindingsPJustBelowAlpha(t *testing.T) {
	var rs []*Record
	for i, d := range []float64{9, 3, 9, 7, 6, 8, -4, 2, 4, -7, 4} {
		seed := uint64(i + 1)
		rs = append(rs, findingRecord("ste", seed, 70, 0.5), findingRecord("fda", seed, 70+d/10, 0.5))
	}
	main, err := tabulateSeeds(t, rs, TableOptions{Table: TableMain})
	if err != nil {
		t.Fatal(err)
	}
	texttest.ContainsAll(t, "main table", main, "| 0.0498 * | 0.0498 * |")
	findings, err := tabulateSeeds(t, rs, TableOptions{Table: TableFindings})
	if err != nil {
		t.Fatal(err)
	}
	texttest.ContainsAll(t, "findings", findings, "Higher than ste beyond seed noise: fda (Δ +0.37 points, 95% CI [+0.02, +0.72], p = 0.0498, n = 11).")
	for _, got := range []string{main, findings} {
		if strings.Contains(got, "0.050") {
			t.Errorf("a p below 0.05 printed as 0.050:\n%s", got)
		}
	}
}
