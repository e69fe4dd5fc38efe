package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestVecLoops cross-checks the elementwise loops (the AVX2 assembly on
// amd64 CPUs that have it, else the Go loops themselves) against the
// obvious loops, on every length up to 40 and the feature-map sizes, with
// NaN guards after each destination to catch writes out of range.
func TestVecLoops(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	lengths := []int{}
	for n := range 41 {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 49, 63, 64, 65, 196, 784, 785)
	nan := float32(math.NaN())
	for _, n := range lengths {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			x, dy := make([]float32, n), make([]float32, n)
			for i := range x {
				x[i] = float32(3 + r.NormFloat64())
				dy[i] = float32(r.NormFloat64())
			}
			if n > 2 {
				x[0], x[1], dy[2] = 0, float32(math.Copysign(0, -1)), 1e6
			}
			k, mu := float32(2.5), float32(3.1)
			s1, s2 := sumSq(x, k)
			var w1, w2 float64
			for _, v := range x {
				w1 += float64(v - k)
				w2 += float64(v-k) * float64(v-k)
			}
			near(t, "sumSq Σ(x-k)", float64(s1), w1, n)
			near(t, "sumSq Σ(x-k)²", float64(s2), w2, n)
			d1, d2 := sumDot(dy, x, mu)
			w1, w2 = 0, 0
			for i, v := range x {
				w1 += float64(dy[i])
				w2 += float64(dy[i]) * float64(v-mu)
			}
			near(t, "sumDot Σdy", float64(d1), w1, n)
			near(t, "sumDot Σdy·(x-μ)", float64(d2), w2, n)

			guarded := func() []float32 {
				s := make([]float32, n+9)
				for i := range s {
					s[i] = nan
				}
				return s
			}
			checkOut := func(name string, got []float32, want func(i int) float64) {
				t.Helper()
				for i := range n {
					if w := want(i); math.Abs(float64(got[i])-w) > 1e-6*(1+math.Abs(w)) {
						t.Fatalf("%s: [%d] = %v, want %v", name, i, got[i], w)
					}
				}
				for i := n; i < len(got); i++ {
					if !math.IsNaN(float64(got[i])) {
						t.Fatalf("%s wrote [%d] past the end (n=%d)", name, i, n)
					}
				}
			}
			out := guarded()
			normalize(out[:n], x, mu, 0.7, -0.2)
			checkOut("normalize", out, func(i int) float64 { return (float64(x[i])-float64(mu))*0.7 - 0.2 })
			out = guarded()
			bnGrad(out[:n], dy, x, 1.3, 0.1, 0.4, mu)
			checkOut("bnGrad", out, func(i int) float64 {
				return 1.3*(float64(dy[i])-float64(float32(0.1))) - float64(float32(0.4))*(float64(x[i])-float64(mu))
			})
			out = guarded()
			addTo(out[:n], x, dy)
			checkOut("addTo", out, func(i int) float64 { return float64(x[i]) + float64(dy[i]) })
			out = guarded()
			copy(out, dy)
			axpy(out[:n], -0.3, x)
			checkOut("axpy", out, func(i int) float64 { return float64(dy[i]) - 0.3*float64(x[i]) })
			var wd float64
			for i := range x {
				wd += float64(x[i]) * float64(dy[i])
			}
			near(t, "dot", float64(dot(x, dy)), wd, n)
		})
	}
}

// near checks a float32 sum of n terms against the float64 sum.
func near(t *testing.T, name string, got, want float64, n int) {
	t.Helper()
	if math.Abs(got-want) > 1e-6*float64(n+1)*(1+math.Abs(want)) {
		t.Fatalf("%s = %v, want %v", name, got, want)
	}
}

func BenchmarkVecLoops(b *testing.B) {
	const n = 784
	x, y, z := make([]float32, n), make([]float32, n), make([]float32, n)
	b.Run("op=sumSq", func(b *testing.B) {
		b.SetBytes(4 * n)
		for b.Loop() {
			sumSq(x, 1)
		}
	})
	b.Run("op=sumSq/impl=go", func(b *testing.B) {
		b.SetBytes(4 * n)
		for b.Loop() {
			sumSq32(x, 1)
		}
	})
	b.Run("op=bnGrad", func(b *testing.B) {
		b.SetBytes(4 * n)
		for b.Loop() {
			bnGrad(z, x, y, 1, 2, 3, 4)
		}
	})
}
