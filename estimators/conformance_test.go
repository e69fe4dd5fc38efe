package estimators_test

import (
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/estimators/estimatortest"
	"github.com/gradbench/gradbench/internal/impl/impltest"
)

// kernelImpls is what package estimators exposes of its implementations.
var kernelImpls = impltest.Funcs{ImplFunc: estimators.Impl, ImplsFunc: estimators.Impls, SetImplFunc: estimators.SetImpl}

// TestConformance runs the conformance suite on every registered estimator
// at its defaults, and on the settings that take other code paths, with
// each implementation this build and CPU can run (estimators.Impls).
func TestConformance(t *testing.T) {
	def := estimators.Impl()
	impltest.Each(t, kernelImpls, func(t *testing.T) {
		if raceEnabled && estimators.Impl() != "go" && estimators.Impl() != def {
			t.Skip("under the race detector only go and the default: the Go code around the kernels is the same for every implementation")
		}
		conformance(t)
	})
}

func conformance(t *testing.T) {
	specs := append(estimators.Names(),
		"dsq:learn=true", "bnnplus:learn=true",
		"fda:n=0",
		"fda:omega=1,c=3,n=5",                     // ω·c > π/2: θ reduced modulo π
		"expr:g=abs(x) < 0.3 ? 2 : 1,knots=0.3",   // a jump: several segments a side
		"expr:g=(1+9*p)*max(0, 1-(1+9*p)*abs(x))", // kinks that move with p
	)
	if !testing.Short() {
		specs = append(specs,
			"ste:c=0.5",
			"dsq:alpha=0.01", "dsq:alpha=0.9",
			"bnnplus:beta=20",
			"ede:tmin=0.5,tmax=50",
			"fda:n=1", "fda:n=9", "fda:n=18", "fda:n=40",
			"reste:o=1", "rbnn:tmin=0.5,tmax=5", "biper:omega=3",
			"expr:g=exp(-x*x/0.08),c=1.5", "expr:g=x >= 0 ? 1 : 0.5,knots=0", "expr:g=1 - x*x,c=2,monotone=false",
		)
	}
	for _, spec := range specs {
		t.Run(spec, func(t *testing.T) { estimatortest.RunSpec(t, spec) })
	}
}
