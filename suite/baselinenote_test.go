package suite

import (
	"strings"
	"testing"
)

// TestNoBaselineNoteSaysWhy: a table whose estimators leave ste out says
// that ste was not among them, not that there are no ste runs: gradbench
// table --estimators fda over a directory holding ste's records tabulated
// fda alone and claimed "No ste runs", which the directory contradicts.
// Without an order (every record) and with ste named but unrecorded, the
// plain statement stays.
func TestNoBaselineNoteSaysWhy(t *testing.T) {
	rs := []*Record{findingRecord("fda", 1, 80, 0.5), findingRecord("fda", 2, 81, 0.5)}
	left := "ste is not among the estimators tabulated: Δ, CI and p need the ste baseline (name ste in --estimators to compare with it)."
	for _, name := range []string{TableMain, TableFindings} {
		got := tableText(t, name, rs, []string{"fda"})
		if strings.Contains(got, "No ste runs") {
			t.Errorf("%s table of fda, ste left out by the order, says there are no ste runs:\n%s", name, got)
		}
		want := left
		if name == TableFindings {
			want = "ste is not among the estimators tabulated: the findings compare every estimator with ste (name ste in --estimators to compare with it)."
		}
		hasAll(t, name+" table, ste left out", got, want)
		for _, order := range [][]string{nil, {"ste", "fda"}} {
			got := tableText(t, name, rs, order)
			if strings.Contains(got, "not among the estimators") {
				t.Errorf("%s table, order %q, without ste records: says ste was left out:\n%s", name, order, got)
			}
			hasAll(t, name+" table without ste records", got, "No ste runs")
		}
	}
}

// TestFindingsBaselineDiverged: when ste diverged on every seed, the
// findings said "no estimator has two seeds in common with ste, so
// nothing can be told from seed noise yet", as if more seeds would help;
// they say ste diverged, the reason nothing is compared.
func TestFindingsBaselineDiverged(t *testing.T) {
	var rs []*Record
	for seed := uint64(1); seed <= 3; seed++ {
		div := findingRecord("ste", seed, 0, 0)
		div.Status, div.Final, div.Epochs, div.Diverged = StatusDiverged, nil, nil, &Divergence{Epoch: 1}
		rs = append(rs, div, findingRecord("fda", seed, 80+float64(seed), 0.5))
	}
	got := tableText(t, TableFindings, rs, nil)
	if strings.Contains(got, "nothing can be told from seed noise yet") {
		t.Errorf("findings with ste diverged on every seed blame too few seeds:\n%s", got)
	}
	hasAll(t, "findings, ste diverged", got, "ste, the baseline, diverged on every seed it ran (3 runs): the findings compare every estimator with ste, so none is compared.")
}
