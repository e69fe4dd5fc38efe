package nn

import (
	"fmt"
	"math"
)

// A Tensor is a dense float32 array in NCHW order: N samples of C channels of
// H rows of W values, Data[((n*C+c)*H+h)*W+w]. Matrices of features (the
// input and output of Linear) are tensors with H = W = 1.
//
// Layers own the tensors they return: the output of Forward and the input
// gradient of Backward stay valid until the layer's next call of the same
// method, and their Data is a prefix of a buffer the layer keeps, so a
// smaller batch (the last one of an epoch) reuses it without allocating.
type Tensor struct {
	N, C, H, W int
	Data       []float32
}

// NewTensor returns a zero tensor of the given shape. A size of 0 gives an
// empty tensor (as a batch of no samples). A negative size, or a shape
// whose N·C·H·W overflows int, is a programmer error and panics with a
// message naming NewTensor and the shape.
func NewTensor(n, c, h, w int) *Tensor {
	if n < 0 || c < 0 || h < 0 || w < 0 {
		panic(fmt.Sprintf("nn: NewTensor(%d, %d, %d, %d): sizes must be >= 0", n, c, h, w))
	}
	size := 0
	if n != 0 && c != 0 && h != 0 && w != 0 {
		size = 1
		for _, d := range [4]int{n, c, h, w} {
			if size > math.MaxInt/d {
				panic(fmt.Sprintf("nn: NewTensor(%d, %d, %d, %d): N·C·H·W overflows int", n, c, h, w))
			}
			size *= d
		}
	}
	return &Tensor{N: n, C: c, H: h, W: w, Data: make([]float32, size)}
}

// Len returns N·C·H·W, the number of values the shape holds.
func (t *Tensor) Len() int { return t.N * t.C * t.H * t.W }

// Sample returns the number of values per sample, C·H·W.
func (t *Tensor) Sample() int { return t.C * t.H * t.W }

// Shape returns the shape as {N, C, H, W}.
func (t *Tensor) Shape() [4]int { return [4]int{t.N, t.C, t.H, t.W} }

// String returns the shape, such as "128x16x28x28".
func (t *Tensor) String() string { return fmt.Sprintf("%dx%dx%dx%d", t.N, t.C, t.H, t.W) }

// check panics when Data does not hold the shape: a programmer error.
func (t *Tensor) check(layer, method string) {
	if t.N < 0 || t.C < 0 || t.H < 0 || t.W < 0 || len(t.Data) != t.Len() {
		panic(fmt.Sprintf("nn: %s.%s: tensor shape %v holds %d values, Data has %d", layer, method, t, t.Len(), len(t.Data)))
	}
}

// buffer is a growable backing store: a tensor of any shape up to its
// capacity reuses it; a larger one grows it once.
type buffer struct {
	t   Tensor
	buf []float32
}

// shape sets the shape and returns the tensor over the first N·C·H·W values
// of the buffer, growing it if needed. The contents are not cleared.
func (b *buffer) shape(n, c, h, w int) *Tensor {
	size := n * c * h * w
	if cap(b.buf) < size {
		b.buf = make([]float32, size)
	}
	b.t = Tensor{N: n, C: c, H: h, W: w, Data: b.buf[:size]}
	return &b.t
}

// floats returns a scratch slice of length n backed by s, grown if needed.
func floats(s *[]float32, n int) []float32 {
	if cap(*s) < n {
		*s = make([]float32, n)
	}
	return (*s)[:n]
}
