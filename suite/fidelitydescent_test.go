package suite

import (
	"math"
	"testing"

	"github.com/gradbench/gradbench/fidelity"
)

// TestDescentSteps: each estimator steps at the learning rate times
// DescentScales and then at the η that makes its step as long as the
// median of the estimators' steps at the learning rate (a zero gradient
// at η 0); the random direction, last, has the first estimator's layer
// norms and the scaled rates only.
func TestDescentSteps(t *testing.T) {
	const lr = 0.1
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }
	for _, tc := range []struct {
		name    string
		tg      [][][]float32
		matched []float64
	}{
		// Norms 5, 10, 1 and 0: steps 0.5, 1, 0.1, 0 at lr, median 0.3.
		{"even", [][][]float32{{{3, 4}}, {{6}, {8}}, {{1}}, {{0, 0}}}, []float64{0.3 / 5, 0.3 / 10, 0.3, 0}},
		// Norms 5, 10, 1: median 0.5.
		{"odd", [][][]float32{{{3, 4}}, {{6}, {8}}, {{1}}}, []float64{0.1, 0.05, 0.5}},
	} {
		dirs, etas := descentSteps(lr, 7, tc.tg)
		n := len(tc.tg)
		if len(dirs) != n+1 || len(etas) != n+1 {
			t.Fatalf("%s: %d directions, %d rate lists, want %d", tc.name, len(dirs), len(etas), n+1)
		}
		for i := range n {
			want := append([]float64{0.3 * lr, lr, 3 * lr}, tc.matched[i])
			if len(etas[i]) != len(want) {
				t.Fatalf("%s: estimator %d: rates %v, want %v", tc.name, i, etas[i], want)
			}
			for k := range want {
				if !near(etas[i][k], want[k]) {
					t.Errorf("%s: estimator %d: rates %v, want %v", tc.name, i, etas[i], want)
					break
				}
			}
			if &dirs[i][0][0] != &tc.tg[i][0][0] {
				t.Errorf("%s: direction %d is not estimator %d's gradient", tc.name, i, i)
			}
		}
		if r := etas[n]; len(r) != 3 || !near(r[0], 0.3*lr) || !near(r[1], lr) || !near(r[2], 3*lr) {
			t.Errorf("%s: random direction's rates %v", tc.name, etas[n])
		}
		if len(dirs[n]) != len(tc.tg[0]) {
			t.Fatalf("%s: random direction has %d layers, the first estimator's gradient %d", tc.name, len(dirs[n]), len(tc.tg[0]))
		}
		for l := range dirs[n] {
			if got, want := fidelity.Norm(dirs[n][l:l+1]), fidelity.Norm(tc.tg[0][l:l+1]); !(math.Abs(got-want) <= 1e-6*want) {
				t.Errorf("%s: random direction's layer %d has norm %g, the first estimator's %g", tc.name, l, got, want)
			}
		}
	}
}

// TestFlipNoise: the noise threshold is 1e-6 of the loss, and 1e-6 for a
// loss below 1 (a trained network's loss is often below 1; a threshold
// relative to it alone shrinks towards 0).
func TestFlipNoise(t *testing.T) {
	for loss, want := range map[float64]float64{0.05: 1e-6, 0.8: 1e-6, 2.5: 2.5e-6, -4: 4e-6} {
		if got := flipNoise(loss); math.Abs(got-want) > 1e-18 {
			t.Errorf("flipNoise(%g) = %g, want %g", loss, got, want)
		}
	}
}
