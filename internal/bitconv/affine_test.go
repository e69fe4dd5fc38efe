package bitconv

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFoldBatchNorm checks the folded transform bit for bit against the
// rounding the documentation gives, the training engine's evaluation
// BatchNorm's (inv = float32(1/√(σ²+ε)) with the sum in float64,
// k = γ·inv, Add = β − float32(μ·k), Mul = float32(s·k)), and within
// float32 rounding against BN(s·d) computed in float64, with an ε large
// enough to matter. The convolution tests compare ForwardBits with
// Forward under the same transform, so a wrong fold passes them.
func TestFoldBatchNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 3))
	const n = 200
	scale, gamma, beta, mean, variance := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for o := range n {
		scale[o] = float32(0.01 + r.Float64())
		gamma[o] = float32(r.NormFloat64())
		beta[o] = float32(r.NormFloat64())
		mean[o] = float32(r.NormFloat64() * 10)
		variance[o] = float32(r.Float64() * 0.01) // ε is a good part of σ² + ε
	}
	for _, eps := range []float64{1e-5, 1e-3} {
		a := FoldBatchNorm(scale, gamma, beta, mean, variance, eps)
		for o := range n {
			inv := float32(1 / math.Sqrt(float64(variance[o])+eps))
			k := gamma[o] * inv
			wantAdd := beta[o] - float32(mean[o]*k) // explicit conversion: no fused multiply-add
			wantMul := float32(float64(scale[o]) * float64(k))
			if math.Float32bits(a.Mul[o]) != math.Float32bits(wantMul) || math.Float32bits(a.Add[o]) != math.Float32bits(wantAdd) {
				t.Fatalf("eps=%g channel %d: Mul, Add = %v, %v, want %v, %v", eps, o, a.Mul[o], a.Add[o], wantMul, wantAdd)
			}
			for _, d := range []float64{-27, 0, 5, 576} {
				y := float64(gamma[o])*(float64(scale[o])*d-float64(mean[o]))/math.Sqrt(float64(variance[o])+eps) + float64(beta[o])
				got := float64(a.Mul[o])*d + float64(a.Add[o])
				if math.Abs(got-y) > 1e-5*(1+math.Abs(y)+math.Abs(float64(a.Mul[o])*d)+math.Abs(float64(a.Add[o]))) {
					t.Fatalf("eps=%g channel %d, d=%v: Mul·d + Add = %v, want BN(s·d) = %v", eps, o, d, got, y)
				}
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("FoldBatchNorm with a short variance: no panic")
		}
	}()
	FoldBatchNorm(scale, gamma, beta, mean, variance[:n-1], 1e-5)
}
