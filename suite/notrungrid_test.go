package suite

import (
	"math"
	"regexp"
	"testing"
)

// TestNotRunGridDiverged: on a learning-rate grid, an estimator every run
// of which diverged has no chosen rate and so no row of its own in the
// main table, as the lr table above it says; it ran, and is not shown as
// "not run" (n 0) where the sweep's estimators are passed as notRun, as
// run --no-train passes them all and table --estimators --missing=show
// its order. An estimator without a record is.
func TestNotRunGridDiverged(t *testing.T) {
	nan := math.NaN()
	rs := []*Record{
		gridRecord("ste", 1, 1, 80, 0.5, 70), gridRecord("ste", 3, 1, 70, 0.5, 60),
		gridRecord("fda", 1, 1, nan, 0, 0), gridRecord("fda", 3, 1, nan, 0, 0),
	}
	order := []string{"ste", "fda", "dsq"}
	b, err := SweepTablesNotRun(rs, order, "", order, rs, "")
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?m)^\| fda +\| +not run \|`).Match(b) {
		t.Errorf("fda, whose grid runs all diverged, is shown as not run:\n%s", b)
	}
	if !regexp.MustCompile(`(?m)^\| dsq +\| +not run \|`).Match(b) {
		t.Errorf("dsq, without a record, is not shown as not run:\n%s", b)
	}
}
