package estimatortest_test

import (
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/estimators/estimatortest"
)

func init() { estimators.Register("test-minimal", estimatortest.MinimalFactory("test-minimal")) }

// TestMinimal runs the suite on Minimal, which has no optional interface.
func TestMinimal(t *testing.T) {
	e := estimators.MustParse("test-minimal:k=2")
	if got := e.String(); got != "test-minimal:k=2" {
		t.Errorf("canonical form %q", got)
	}
	estimatortest.RunSpec(t, "test-minimal")
	estimatortest.RunSpec(t, "test-minimal:k=2")
}
