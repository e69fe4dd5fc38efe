package main

import (
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators/estimatortest"
	_ "github.com/gradbench/gradbench/estimators/estimatortest/minimal"
)

// TestMinimalEstimator checks that an estimator with Name, Forward and
// Backward only (what the README says is enough), registered by its own
// package as a user's would be (package minimal, imported above), works
// everywhere a built-in one does: the conformance suite, `gradbench
// list`, `gradbench curves` (its default list and by name) and a training
// run with and without noise adaptation. bench's TestMinimalEstimator
// checks the benchmark harness.
func TestMinimalEstimator(t *testing.T) {
	t.Run("conformance", func(t *testing.T) { estimatortest.RunSpec(t, "minimal:k=2") })
	t.Run("list", func(t *testing.T) {
		out, _ := gradbenchOK(t, "list")
		if !strings.Contains(out, "\n  minimal      k=4 (a number > 0)\n") {
			t.Errorf("list lacks the minimal estimator's line:\n%s", out)
		}
	})
	t.Run("curves", func(t *testing.T) {
		out, _ := gradbenchOK(t, "curves", "--points", "3", "--format", "csv")
		if header, _, _ := strings.Cut(out, "\n"); !strings.Contains(","+header+",", ",minimal,") {
			t.Errorf("the default curves lack minimal: header %q", header)
		}
		out, _ = gradbenchOK(t, "curves", "--estimators", "minimal:k=2,ste", "--points", "3", "--format", "csv")
		// g(0) = 2k·σ(0)·(1 - σ(0)) = k/2.
		if want := "x,minimal:k=2,ste\n-2,"; !strings.HasPrefix(out, want) || !strings.Contains(out, "\n0,1,1\n") {
			t.Errorf("curves = %q, want a header %q and g(0) = 1", out, want)
		}
	})
	t.Run("train", func(t *testing.T) {
		_, recipe, runs := tinyWorkdir(t)
		out, _ := gradbenchOK(t, "run", "--quiet", "--recipe", recipe, "--epochs", "1",
			"--estimators", "minimal,minimal:k=2+na", "--out", runs)
		for _, row := range []string{"| minimal ", "| minimal:k=2+na "} {
			if !strings.Contains(out, row) {
				t.Errorf("table lacks a row %q:\n%s", row, out)
			}
		}
	})
}
