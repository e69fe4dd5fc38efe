package estimators_test

import (
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/estimators/estimatortest"
)

// TestConformance runs the conformance suite on every registered estimator
// at its defaults, and on the settings that take other code paths, with
// each set of kernels this build and CPU can run (estimators.Impls).
func TestConformance(t *testing.T) {
	saved := estimators.Impl()
	defer estimators.SetImpl(saved)
	for _, impl := range estimators.Impls() {
		if raceEnabled && impl != "go" && impl != saved {
			continue // the Go code around the kernels is the same for every set
		}
		if err := estimators.SetImpl(impl); err != nil {
			t.Fatal(err)
		}
		t.Run("impl="+impl, conformance)
	}
}

func conformance(t *testing.T) {
	specs := append(estimators.Names(),
		"dsq:learn=true", "bnnplus:learn=true",
		"fda:n=0",
		"fda:omega=1,c=3,n=5", // ω·c > π/2: θ reduced modulo π
	)
	if !testing.Short() {
		specs = append(specs,
			"ste:c=0.5",
			"dsq:alpha=0.01", "dsq:alpha=0.9",
			"bnnplus:beta=20",
			"ede:tmin=0.5,tmax=50",
			"fda:n=1", "fda:n=9", "fda:n=18", "fda:n=40",
		)
	}
	for _, spec := range specs {
		t.Run(spec, func(t *testing.T) { estimatortest.RunSpec(t, spec) })
	}
}
