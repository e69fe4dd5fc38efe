package bench

import (
	"slices"
	"testing"

	_ "github.com/gradbench/gradbench/estimators/estimatortest/minimal"
)

// TestMinimalEstimator checks that the kernel benchmarks take a registered
// estimator without reference kernels (package minimal registers one in
// this test binary, as a user's own package would register theirs): it is
// among the specs they time, with its fast kernels only, and those run.
func TestMinimalEstimator(t *testing.T) {
	if !slices.Contains(benchSpecs(), "minimal") {
		t.Fatalf("benchSpecs() = %v, lacks minimal", benchSpecs())
	}
	cs := kernelCases(t, "minimal", 1000)
	if len(cs) != 1 || cs[0].name != "est=minimal/n=1000/impl=fast" {
		t.Fatalf("kernelCases(minimal) = %v, want the fast kernels only", cs)
	}
	x, dy := inputs(1000)
	dst := make([]float32, 1000)
	cs[0].forward(dst, x)
	cs[0].backward(dst, x, dy)
	if cs := kernelCases(t, "ste", 1000); len(cs) != 2 || cs[0].name != "est=ste/n=1000/impl=ref" {
		t.Errorf("kernelCases(ste) = %v, want the reference and the fast kernels", cs)
	}
}
