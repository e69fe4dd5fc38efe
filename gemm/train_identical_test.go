//go:build !purego

package gemm_test

import (
	"math"
	"testing"

	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/racebuild"
	"github.com/gradbench/gradbench/internal/steptest"
	"github.com/gradbench/gradbench/nn"
)

// TestTrainingIdenticalAVX512 trains binary ResNet-20 for a few SGD steps
// under gemm "avx2" and "avx512" and checks that every parameter comes out
// bit-identical: the convolutions' products (in-place kernels, edge
// tiles), the linear layer's and noise adaptation's, with the XNOR and the
// float training forward.
func TestTrainingIdenticalAVX512(t *testing.T) {
	// Bits of two assembly GEMMs, in which the race detector sees nothing.
	racebuild.Skip(t, "it compares the bits of two assembly GEMMs, which it cannot see into; the openblas build runs it in full (the purego build has neither)")
	if !hasImpl("avx512") || !hasImpl("avx2") {
		t.Skip("the CPU has no AVX-512F")
	}
	def := gemm.Impl()
	defer gemm.SetImpl(def)
	specs := []string{"ste", "fda+na", "bnnplus"}
	if testing.Short() {
		specs = specs[1:2]
	}
	for _, xnor := range []bool{true, false} {
		for _, spec := range specs {
			var params [2][]uint32
			for i, impl := range []string{"avx2", "avx512"} {
				if err := gemm.SetImpl(impl); err != nil {
					t.Fatal(err)
				}
				params[i] = trainBits(t, spec, xnor)
			}
			for i := range params[0] {
				if params[0][i] != params[1][i] {
					t.Fatalf("xnor=%v est=%s: parameter value %d of %d = %#08x under avx2, %#08x under avx512", xnor, spec, i, len(params[0]), params[0][i], params[1][i])
				}
			}
		}
	}
}

func hasImpl(name string) bool {
	for _, n := range gemm.Impls() {
		if n == name {
			return true
		}
	}
	return false
}

// trainBits runs three SGD steps of binary ResNet-20 with estimator spec
// on a batch of 24 random images and returns the bits of its parameters.
func trainBits(t *testing.T, spec string, xnor bool) []uint32 {
	defer nn.SetBinaryForward(nn.SetBinaryForward(xnor))
	m, x, labels, err := steptest.ResNet20(spec, 24, "gemm/train")
	if err != nil {
		t.Fatal(err)
	}
	ps := nn.Params(m.Net)
	opt := nn.NewSGD(ps, nn.SGDConfig{Momentum: 0.9, WeightDecay: 1e-4})
	nn.SetProgress(m.Net, nn.Progress{Epoch: 4, Epochs: 10})
	var ce nn.SoftmaxCrossEntropy
	for range 3 {
		ce.Forward(m.Net.Forward(x), labels)
		m.Net.Backward(ce.Backward())
		opt.Step(0.01)
	}
	var bits []uint32
	for _, p := range ps {
		for _, v := range p.Data {
			bits = append(bits, math.Float32bits(v))
		}
	}
	return bits
}
