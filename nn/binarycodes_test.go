package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/estimators"
)

// withBinaryForward runs f with the XNOR path of binary convolutions on or
// off, restoring the setting after.
func withBinaryForward(xnor bool, f func()) {
	prev := SetBinaryForward(xnor)
	defer SetBinaryForward(prev)
	f()
}

// TestBinaryForwardPathsAgree checks that the XNOR path and the float path
// of BinaryConv2d give bit-identical outputs, input gradients and weight
// gradients, for same, strided and 1×1 convolutions (padding included),
// channel counts below, at and above a 64-channel word, inputs with exact
// zeros, and estimators whose weight codes are not sign(w) (BiPer).
func TestBinaryForwardPathsAgree(t *testing.T) {
	shapes := []Conv{
		{In: 3, Out: 4, Kernel: 3, Pad: 1},
		{In: 16, Out: 16, Kernel: 3, Pad: 1},
		{In: 16, Out: 32, Kernel: 3, Stride: 2, Pad: 1},
		{In: 70, Out: 9, Kernel: 3, Pad: 1},
		{In: 64, Out: 64, Kernel: 1},
		{In: 5, Out: 8, Kernel: 5, Stride: 2, Pad: 2},
	}
	specs := []string{"ste", "fda", "w=biper/a=approxsign", "dsq"}
	r := rand.New(rand.NewPCG(4, 4))
	for _, c := range shapes {
		for _, spec := range specs {
			name := fmt.Sprintf("%dx%d-k%ds%dp%d/%s", c.In, c.Out, c.Kernel, c.Stride, c.Pad, spec)
			t.Run(name, func(t *testing.T) {
				x := NewTensor(3, c.In, 9, 7)
				for i := range x.Data {
					if r.IntN(8) == 0 {
						x.Data[i] = 0 // q(0) = +1 on both paths
					} else {
						x.Data[i] = float32(r.NormFloat64())
					}
				}
				pass := func(xnor bool) (y, dx, dw []float32) {
					l, err := NewBinaryConv2d(c, Binary{Estimator: estimators.MustParse(spec)}, NewInit(7))
					if err != nil {
						t.Fatal(err)
					}
					withBinaryForward(xnor, func() {
						out := l.Forward(x)
						y = slices.Clone(out.Data)
						dy := NewTensor(out.N, out.C, out.H, out.W)
						for i := range dy.Data {
							dy.Data[i] = float32(math.Sin(float64(i)))
						}
						dx = slices.Clone(l.Backward(dy).Data)
						dw = slices.Clone(l.Weight.Grad)
					})
					if xnor && !l.codes.ok {
						t.Fatalf("the XNOR path cannot take shape %+v", c)
					}
					return y, dx, dw
				}
				y0, dx0, dw0 := pass(false)
				y1, dx1, dw1 := pass(true)
				for _, v := range []struct {
					what      string
					ref, xnor []float32
				}{{"output", y0, y1}, {"input gradient", dx0, dx1}, {"weight gradient", dw0, dw1}} {
					for i := range v.ref {
						if math.Float32bits(v.ref[i]) != math.Float32bits(v.xnor[i]) {
							t.Fatalf("%s %d: XNOR path %v, float path %v (want bit-identical)", v.what, i, v.xnor[i], v.ref[i])
						}
					}
				}
			})
		}
	}
}

// TestBinaryForwardTrainsIdentically trains the strided two-block network
// with each path and asks for bit-identical losses and weights.
func TestBinaryForwardTrainsIdentically(t *testing.T) {
	x, labels := synthetic(3, 96, 3, 12, 0)
	train := func(xnor bool) (losses []float64, w []float32) {
		withBinaryForward(xnor, func() {
			net := stridedNet(t, "approxsign", 5, 8, 3)
			losses = run(net, x, labels, 2, 48, 0.05, 5)
			for _, p := range Params(net) {
				w = append(w, p.Data...)
			}
		})
		return losses, w
	}
	l0, w0 := train(false)
	l1, w1 := train(true)
	if !slices.Equal(l0, l1) || !slices.Equal(w0, w1) {
		t.Errorf("training differs between the paths: float losses %v, XNOR losses %v", l0, l1)
	}
}

// TestBinaryForwardNaN checks that a NaN input still gives NaN outputs on
// the XNOR path (the kernels would binarize it), and a NaN latent weight
// too, so that a diverged network shows in the loss.
func TestBinaryForwardNaN(t *testing.T) {
	c := Conv{In: 8, Out: 8, Kernel: 3, Pad: 1}
	l, err := NewBinaryConv2d(c, Binary{Estimator: estimators.MustParse("ste")}, NewInit(1))
	if err != nil {
		t.Fatal(err)
	}
	x := nanTestInput()
	if y := l.Forward(x); hasNaN(y.Data) {
		t.Fatal("finite input and weights give NaN outputs")
	}
	x.Data[17] = float32(math.NaN())
	if y := l.Forward(x); !hasNaN(y.Data) {
		t.Error("a NaN input gives no NaN output")
	}
	x.Data[17] = 1
	l.Weight.Data[3] = float32(math.NaN())
	if y := l.Forward(x); !hasNaN(y.Data) {
		t.Error("a NaN latent weight gives no NaN output")
	}
}

// nanTestInput is the NaN tests' finite input: 2 images of 8 channels of
// 5×5, cycling through -3..3.
func nanTestInput() *Tensor {
	x := NewTensor(2, 8, 5, 5)
	for i := range x.Data {
		x.Data[i] = float32(i%7) - 3
	}
	return x
}

func hasNaN(s []float32) bool { return slices.ContainsFunc(s, func(v float32) bool { return v != v }) }

// TestBinaryBackwardNaN: a NaN input gives a NaN weight gradient, so that a
// diverged network shows in its updates too. The weight gradient takes the
// sign tables (lutweights.go) only when the binarized input holds ±1 codes
// alone; one that took them whenever they were enabled read a NaN as a code
// by its sign bit and gave a finite gradient.
func TestBinaryBackwardNaN(t *testing.T) {
	c := Conv{In: 8, Out: 16, Kernel: 3, Pad: 1}
	l, err := NewBinaryConv2d(c, Binary{Estimator: estimators.MustParse("ste")}, NewInit(1))
	if err != nil {
		t.Fatal(err)
	}
	x := nanTestInput()
	y := l.Forward(x)
	dy := NewTensor(y.N, y.C, y.H, y.W)
	for i := range dy.Data {
		dy.Data[i] = float32(i%5) - 2
	}
	// On amd64 this shape takes the sign tables for the weight gradient
	// (useLUT); elsewhere the GEMM, which must propagate the NaN as well.
	l.Backward(dy)
	if hasNaN(l.Weight.Grad) {
		t.Fatal("finite input gives a NaN weight gradient")
	}
	clear(l.Weight.Grad)
	x.Data[17] = float32(math.NaN())
	l.Forward(x)
	l.Backward(dy)
	if !hasNaN(l.Weight.Grad) {
		t.Error("a NaN input gives no NaN weight gradient")
	}
}
