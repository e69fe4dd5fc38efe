package xnor

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/nn"
)

// TestPoolConvMatchesLayers checks the fused shortcut against the nn
// layers it replaces, bit for bit, on odd and even sizes, 7×7 maps and
// inputs with −0.
func TestPoolConvMatchesLayers(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(21, 4))
		for _, tc := range []struct{ n, in, out, h, w, stride int }{
			{3, 5, 7, 9, 10, 0}, {2, 16, 32, 28, 28, 2}, {8, 32, 64, 14, 14, 0}, {1, 3, 4, 2, 2, 0}, {2, 4, 6, 36, 70, 0}, {2, 3, 5, 7, 8, 1},
		} {
			init := nn.NewInit(uint64(tc.in))
			seq := nn.Sequential{nn.NewAvgPool2d(nn.Pool{Kernel: 2, Stride: tc.stride}), nn.NewConv2d(nn.Conv{In: tc.in, Out: tc.out, Kernel: 1}, init), nn.NewBatchNorm2d(tc.out)}
			bn := seq[2].(*nn.BatchNorm)
			for i := range bn.C {
				bn.Weight.Data[i] = float32(1 + 0.3*r.NormFloat64())
				bn.Bias.Data[i] = float32(0.2 * r.NormFloat64())
				bn.RunningMean.Data[i] = float32(r.NormFloat64())
				bn.RunningVar.Data[i] = float32(0.5 + r.Float64())
			}
			nn.SetTraining(seq, false)
			pc := poolConv(seq)
			if pc == nil {
				t.Fatalf("%+v: shortcut not fused", tc)
			}
			x := &nn.Tensor{N: tc.n, C: tc.in, H: tc.h, W: tc.w, Data: make([]float32, tc.n*tc.in*tc.h*tc.w)}
			for i := range x.Data {
				x.Data[i] = float32(r.NormFloat64())
				if i%13 == 0 {
					x.Data[i] = float32(math.Copysign(0, -1))
				}
			}
			want := append([]float32(nil), seq.Forward(x).Data...)
			got := pc.Forward(x)
			if len(got.Data) != len(want) {
				t.Fatalf("%+v: %d outputs, want %d", tc, len(got.Data), len(want))
			}
			for i := range want {
				if math.Float32bits(got.Data[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%+v: output %d = %v, want %v (nn layers)", tc, i, got.Data[i], want[i])
				}
			}
		}
	})
}
