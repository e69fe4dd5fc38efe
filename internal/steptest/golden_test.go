//go:build !purego && !openblas

package steptest

import (
	"crypto/sha256"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/golden"
	"github.com/gradbench/gradbench/nn"
)

// TestTrainingGolden trains binary ResNet-20 for three SGD steps under
// several estimator specs, with the XNOR and the float training forward,
// and with the lookup-table backward products of binary convolutions (the
// default) and with the GEMM's (nn.SetBinaryBackward(false)), and
// compares a hash of every parameter, gradient and running statistic,
// and the losses, with testdata/train.golden. Its lut=false lines were
// written by the engine that trained the committed study (results/study),
// before the lookup tables; its lut=true lines by the engine since. So a
// change that alters any bit of training (a fused pass, a reordered sum)
// fails here by name: rewriting the file (go test -update) is a change of
// the engine's numerics, to be said in the commit and in results/.
//
// The assembly GEMMs (avx2 and avx512 are bit-identical) are the
// reference; the portable Go GEMM and OpenBLAS round differently, so the
// test skips under them.
func TestTrainingGolden(t *testing.T) {
	if impl := gemm.Impl(); impl != "avx2" && impl != "avx512" {
		t.Skipf("gemm %q: the golden file holds the assembly GEMMs' results", impl)
	}
	specs := []string{"ste", "fda", "fda+na", "w=fda/a=approxsign", "bnnplus", "dsq", "ede"}
	var b strings.Builder
	for _, lut := range []bool{true, false} {
		for _, xnor := range []bool{true, false} {
			for _, spec := range specs {
				fmt.Fprintf(&b, "%-20s xnor=%-5v lut=%-5v %s\n", spec, xnor, lut, trainHash(t, spec, xnor, lut))
			}
		}
	}
	golden.Check(t, "train.golden", []byte(b.String()))
}

// trainHash runs three SGD steps (momentum, weight decay) on 26 random
// images, an uneven split over the engine's parts, then one evaluation
// forward, and returns the losses and a SHA-256 of the bits of every
// step's gradients, the final parameters and running statistics, and the
// evaluation logits.
func trainHash(t *testing.T, spec string, xnor, lut bool) string {
	defer nn.SetBinaryForward(nn.SetBinaryForward(xnor))
	defer nn.SetBinaryBackward(nn.SetBinaryBackward(lut))
	m, x, labels, err := ResNet20(spec, 26, "steptest/golden")
	if err != nil {
		t.Fatal(err)
	}
	ps := nn.Params(m.Net)
	opt := nn.NewSGD(ps, nn.SGDConfig{Momentum: 0.9, WeightDecay: 1e-4})
	nn.SetProgress(m.Net, nn.Progress{Epoch: 2, Epochs: 5})
	h := sha256.New()
	put := func(v []float32) {
		for _, f := range v {
			u := math.Float32bits(f)
			h.Write([]byte{byte(u), byte(u >> 8), byte(u >> 16), byte(u >> 24)})
		}
	}
	var ce nn.SoftmaxCrossEntropy
	var losses []string
	for range 3 {
		loss := ce.Forward(m.Net.Forward(x), labels)
		losses = append(losses, fmt.Sprintf("%08x", math.Float32bits(float32(loss))))
		m.Net.Backward(ce.Backward())
		for _, p := range ps {
			put(p.Grad) // Step zeroes them
		}
		opt.Step(0.05)
	}
	for _, p := range ps {
		put(p.Data)
	}
	for _, buf := range nn.Buffers(m.Net) {
		put(buf.Data)
	}
	nn.SetTraining(m.Net, false)
	put(m.Net.Forward(x).Data)
	return fmt.Sprintf("loss=%s sha256=%x", strings.Join(losses, ","), h.Sum(nil)[:12])
}
