package estimatortest_test

import (
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/estimators/estimatortest"
	"github.com/gradbench/gradbench/internal/racebuild"
)

// clipped is a correct estimator (a clipped STE with reference kernels);
// the broken variants below each break one rule.
type clipped struct {
	broken string
	buf    []float32
}

func (e *clipped) Name() string { return "clipped" }

func (e *clipped) Forward(dst, x []float32) {
	estimators.Sign(dst, x)
	if e.broken == "sign" {
		for i, v := range x {
			if v == 0 && math.Signbit(float64(v)) {
				dst[i] = -1
			}
		}
	}
}

func (e *clipped) Backward(dx, x, dy []float32) {
	if len(dx) != len(x) || len(dy) != len(x) {
		panic("clipped: slice lengths differ")
	}
	for i, v := range x {
		g := float32(0)
		if math.Abs(float64(v)) <= 1 {
			g = 1
		}
		switch {
		case e.broken == "huge" && math.Abs(float64(v)) > 1e20:
			g = float32(math.Inf(1))
		case e.broken == "ref" && v > 0.5 && v < 0.6:
			g = 0.9
		}
		dx[i] = dy[i] * g
	}
	switch e.broken {
	case "outside":
		if cap(dx) > len(dx) {
			dx[:len(dx)+1][len(dx)] = 0
		}
	case "input":
		if len(x) > 0 {
			x[0] = 42
		}
	case "allocs":
		e.buf = make([]float32, len(x))
	}
}

func (e *clipped) ForwardRef(dst, x []float32) { estimators.Sign(dst, x) }

func (e *clipped) BackwardRef(dx, x, dy []float32) {
	for i, v := range x {
		if math.Abs(float64(v)) <= 1 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

// soft is a correct learnable estimator, q̃(x) = tanh(a·x) with a
// trainable a in [0.5, 4]; with broken = "top" its Backward gets a's
// gradient wrong near the top of that range only.
type soft struct {
	broken string
	a      estimators.Scalar
}

func newSoft(broken string) *soft {
	return &soft{broken: broken, a: estimators.Scalar{Name: "a", Value: 1, Min: 0.5, Max: 4}}
}

func (e *soft) Name() string                  { return "soft" }
func (e *soft) Scalars() []*estimators.Scalar { return []*estimators.Scalar{&e.a} }
func (e *soft) Forward(dst, x []float32)      { estimators.Sign(dst, x) }
func (e *soft) ForwardRef(dst, x []float32)   { estimators.Sign(dst, x) }

func (e *soft) Surrogate(dst, x []float32) {
	for i, v := range x {
		dst[i] = float32(math.Tanh(float64(e.a.Value) * float64(v)))
	}
}

func (e *soft) Backward(dx, x, dy []float32) {
	e.backward(dx, x, dy, e.broken == "top" && e.a.Value > 3.5)
}

func (e *soft) BackwardRef(dx, x, dy []float32) { e.backward(dx, x, dy, false) }

// backward sets dx = dy·a·sech²(ax) and adds Σ dy·x·sech²(ax) to a's
// gradient, 1.5 times too much if wrong.
func (e *soft) backward(dx, x, dy []float32, wrong bool) {
	a := float64(e.a.Value)
	var grad float64
	for i, v := range x {
		u := a * float64(v)
		if math.Abs(u) > 40 { // sech² < 1e-34
			dx[i] = 0
			continue
		}
		c := math.Cosh(u)
		dx[i] = float32(float64(dy[i]) * a / (c * c))
		grad += float64(dy[i]) * float64(v) / (c * c)
	}
	if wrong {
		grad *= 1.5
	}
	e.a.Grad += float32(grad)
}

func TestCorrectEstimatorPasses(t *testing.T) {
	t.Run("clipped", func(t *testing.T) {
		estimatortest.Run(t, func() estimators.Estimator { return &clipped{} })
	})
	t.Run("soft", func(t *testing.T) {
		estimatortest.Run(t, func() estimators.Estimator { return newSoft("") })
	})
}

// TestBrokenEstimatorsFail runs the suite on estimators that each break
// one rule, in a child process, and checks that it fails saying why.
func TestBrokenEstimatorsFail(t *testing.T) {
	if b := os.Getenv("ESTIMATORTEST_BROKEN"); b != "" {
		if b == "top" {
			estimatortest.Run(t, func() estimators.Estimator { return newSoft(b) })
			return
		}
		estimatortest.Run(t, func() estimators.Estimator { return &clipped{broken: b} })
		return
	}
	racebuild.Skip(t, "it checks the suite's verdicts and words, in child processes; TestCorrectEstimatorPasses runs the suite's concurrent checks on the same estimator; the openblas and purego builds run it in full")
	for _, tc := range []struct{ broken, want string }{
		{"sign", "Forward(x=-0) = -1, want 1"},
		{"outside", "outside dst"},
		{"input", "modified its input"},
		{"huge", "want a finite number"},
		{"allocs", "allocations, want 0"},
		{"ref", "BackwardRef"},
		{"top", "scalar a = 3.965: Backward"}, // near the top of a's range only
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenEstimatorsFail$", "-test.short")
		cmd.Env = append(os.Environ(), "ESTIMATORTEST_BROKEN="+tc.broken)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("suite passed an estimator that breaks %q", tc.broken)
			continue
		}
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("suite on an estimator that breaks %q (%v): output lacks %q:\n%.2000s", tc.broken, err, tc.want, out)
		}
	}
}
