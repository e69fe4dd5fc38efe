package estimators_test

import (
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/estimators/estimatortest"
	"github.com/gradbench/gradbench/internal/impl/impltest"
	"github.com/gradbench/gradbench/internal/racebuild"
)

// kernelImpls is what package estimators exposes of its implementations.
var kernelImpls = impltest.Funcs{ImplFunc: estimators.Impl, ImplsFunc: estimators.Impls, SetImplFunc: estimators.SetImpl}

// TestConformance runs the conformance suite on every registered estimator
// at its defaults, and on the settings that take other code paths, with
// each implementation this build and CPU can run (estimators.Impls).
func TestConformance(t *testing.T) {
	impltest.Each(t, kernelImpls, func(t *testing.T) {
		// The race detector sees into Go kernels only, and the code that
		// splits them over the pool is the same for every implementation.
		if racebuild.Enabled && estimators.Impl() != "go" {
			t.Skip("skipped under the race detector: the code around the kernels is go's, which it checks, and it sees nothing in assembly; the openblas build runs every implementation in full, the purego build go's")
		}
		// The openblas tag changes nothing in this package or in what
		// go's kernels run on, so here go's kernels are the race build's,
		// which checks them in full.
		if estimators.Impl() == "go" && builtWithTag(t, "openblas") {
			t.Skip("skipped in the openblas build: go's kernels are the same code in the race build, which runs this in full, as the purego build does for its own")
		}
		conformance(t)
	})
}

// builtWithTag reports whether this test binary was built with tag
// among its -tags, as the go command recorded in its build settings.
func builtWithTag(t *testing.T, tag string) bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information in the test binary")
	}
	for _, s := range bi.Settings {
		if s.Key == "-tags" && slices.Contains(strings.Split(s.Value, ","), tag) {
			return true
		}
	}
	return false
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

// halvedSTE embeds the clipped STE to halve its gradient: the
// BackwardKernel it has by promotion is STE's.
type halvedSTE struct{ *estimators.STE }

func (e halvedSTE) Name() string { return "test-halved" }
func (e halvedSTE) Backward(dx, x, dy []float32) {
	e.STE.Backward(dx, x, dy)
	for i := range dx {
		dx[i] /= 2
	}
}

// TestKernelOf checks that every Splitter registered without learnable
// scalars has a kernel of its own, and that a type embedding one to
// change Backward has none: its promoted kernel is the embedded one's.
func TestKernelOf(t *testing.T) {
	for _, spec := range append(estimators.Names(), "dsq:learn=true") {
		e, err := estimators.MustParse(spec).New()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := e.(estimators.Splitter); !ok {
			continue // an estimator a test registers
		}
		learns := false
		if l, ok := e.(estimators.Learner); ok {
			learns = len(l.Scalars()) > 0
		}
		if _, ok := estimators.KernelOf(e); ok == learns {
			t.Errorf("%s: KernelOf ok = %v, with learnable scalars %v", spec, ok, learns)
		}
	}
	h := halvedSTE{&estimators.STE{}}
	if _, made := h.BackwardKernel(); !made {
		t.Fatal("halvedSTE has no promoted BackwardKernel: the test shows nothing")
	}
	if _, ok := estimators.KernelOf(h); ok {
		t.Error("KernelOf(halvedSTE) gives the embedded STE's kernel")
	}
}
