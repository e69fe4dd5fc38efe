package nn

import (
	"fmt"

	"github.com/gradbench/gradbench/gemm"
)

var (
	_ Layer      = (*Linear)(nil)
	_ Parametric = (*Linear)(nil)
)

// Linear is a fully connected layer, y = x·Wᵀ + b. It takes any input
// whose samples hold In values (N×In×1×1, or N×C×H×W with C·H·W = In, read
// as flattened) and returns N×Out×1×1. Weight and bias are initialised
// like PyTorch's nn.Linear, U(-1/√In, 1/√In): the suite's linear layers are
// classifiers, not followed by a ReLU that Kaiming's gain is made for.
type Linear struct {
	In, Out int
	// Weight has shape {Out, In}; Bias {Out}, or nil.
	Weight, Bias *Param

	in      *Tensor
	out, dx buffer
}

// NewLinear returns a linear layer, with a bias if bias is true, drawing
// its initial values from init.Weights. Sizes < 1 and a nil init or
// init.Weights are programmer errors and panic with a message naming
// NewLinear and the argument.
func NewLinear(in, out int, bias bool, init *Init) *Linear {
	if in < 1 || out < 1 {
		panic(fmt.Sprintf("nn: NewLinear(%d, %d): sizes must be >= 1", in, out))
	}
	r := init.weights("NewLinear")
	l := &Linear{In: in, Out: out, Weight: newParam("weight", out, in)}
	uniformFanIn(l.Weight.Data, in, r)
	if bias {
		l.Bias = newParam("bias", out)
		uniformFanIn(l.Bias.Data, in, r)
	}
	return l
}

// Params returns the weight and, if present, the bias.
func (l *Linear) Params() []*Param { return weightAndBias(l.Weight, l.Bias) }

// Forward returns x·Wᵀ + b.
func (l *Linear) Forward(x *Tensor) *Tensor {
	checkLinearInput("Linear", x, l.In)
	l.in = x
	y := l.out.shape(x.N, l.Out, 1, 1)
	linearForward(y.Data, x.Data, l.Weight.Data, x.N, l.In, l.Out)
	if l.Bias != nil {
		addRows(y.Data, l.Bias.Data)
	}
	return y
}

// Backward adds dyᵀ·x to the weight gradient (and the column sums of dy to
// the bias gradient) and returns dy·W.
func (l *Linear) Backward(dy *Tensor) *Tensor {
	x := l.in
	checkLinearGrad("Linear", dy, x, l.Out)
	gemm.Sgemm(true, false, l.Out, l.In, x.N, 1, dy.Data, l.Out, x.Data, l.In, 1, l.Weight.Grad, l.In)
	if l.Bias != nil {
		sumRows(l.Bias.Grad, dy.Data)
	}
	dx := l.dx.shape(x.N, x.C, x.H, x.W)
	gemm.Sgemm(false, false, x.N, l.In, l.Out, 1, dy.Data, l.Out, l.Weight.Data, l.In, 0, dx.Data, l.In)
	return dx
}

// linearForward sets y (n×out) = x (n×in) · wᵀ (w is out×in).
func linearForward(y, x, w []float32, n, in, out int) {
	gemm.Sgemm(false, true, n, out, in, 1, x, in, w, in, 0, y, out)
}

// addRows adds b to every row of m (rows of len(b)).
func addRows(m, b []float32) {
	for r := 0; r+len(b) <= len(m); r += len(b) {
		row := m[r : r+len(b)]
		for i, v := range b {
			row[i] += v
		}
	}
}

// sumRows adds the column sums of m (rows of len(dst)) to dst, accumulating
// each in float64.
func sumRows(dst, m []float32) {
	for j := range dst {
		var s float64
		for r := j; r < len(m); r += len(dst) {
			s += float64(m[r])
		}
		dst[j] += float32(s)
	}
}

func checkLinearInput(layer string, x *Tensor, in int) {
	x.check(layer, "Forward")
	if x.Sample() != in {
		panic(fmt.Sprintf("nn: %s.Forward: input %v has %d values per sample, want %d", layer, x, x.Sample(), in))
	}
}

func checkLinearGrad(layer string, dy, x *Tensor, out int) {
	if x == nil {
		panic("nn: " + layer + ".Backward called before Forward")
	}
	if dy.N != x.N || dy.Sample() != out || len(dy.Data) != dy.Len() {
		panic(fmt.Sprintf("nn: %s.Backward: gradient %v does not match the output %dx%dx1x1", layer, dy, x.N, out))
	}
}

// gemmTN adds aᵀ·b to c: a is k×m, b is k×n, c is m×n.
func gemmTN(c, a, b []float32, m, n, k int) {
	gemm.Sgemm(true, false, m, n, k, 1, a, m, b, n, 1, c, n)
}

// gemmNN sets c = a·b: a is m×k, b is k×n, c is m×n.
func gemmNN(c, a, b []float32, m, n, k int) {
	gemm.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
}
