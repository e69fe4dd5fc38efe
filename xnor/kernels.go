package xnor

import "github.com/gradbench/gradbench/internal/bitconv"

// The packed codes and the binary convolution live in internal/bitconv,
// below package nn, so that the training engine runs the same kernels in
// its forward pass; this package names them for inference and model
// files. Their documentation is in this package's overview.
type (
	// Bits is a batch of packed ±1 codes, NHWC (see the package overview).
	Bits = bitconv.Bits
	// Shape is the geometry of a binary convolution.
	Shape = bitconv.Shape
	// Weights are the packed weight codes of a binary convolution and
	// their scales.
	Weights = bitconv.Weights
	// Affine is the per-channel output transform of a binary convolution.
	Affine = bitconv.Affine
	// Conv is a packed binary convolution.
	Conv = bitconv.Conv
)

// NewBits returns codes for an n×h×w×c batch.
func NewBits(n, h, w, c int) *Bits { return bitconv.NewBits(n, h, w, c) }

// Pack sets dst to the codes q(x) of the NCHW float32 tensor x.
func Pack(dst *Bits, x []float32) { bitconv.Pack(dst, x) }

// PackWeights packs the codes of Out×In×Kernel×Kernel weights and their
// scales s_o = mean|W_o|.
func PackWeights(s Shape, w []float32) *Weights { return bitconv.PackWeights(s, w) }

// NewConv returns the convolution with weights w and output transform t.
func NewConv(w *Weights, t Affine) (*Conv, error) { return bitconv.NewConv(w, t) }

// ScaleOnly returns the transform y_o = s_o·d.
func ScaleOnly(scale []float32) Affine { return bitconv.ScaleOnly(scale) }

// FoldBatchNorm returns the transform of a binary convolution with weight
// scales followed by an evaluation-mode BatchNorm.
func FoldBatchNorm(scale, gamma, beta, mean, variance []float32, eps float64) Affine {
	return bitconv.FoldBatchNorm(scale, gamma, beta, mean, variance, eps)
}

// Impl returns the name of the kernels in use: "simd", "avx512", "avx2"
// or "go" (see Implementations in the package overview).
func Impl() string { return bitconv.Impl() }

// Impls returns the implementations this build and CPU can run, "go"
// first and the default last.
func Impls() []string { return bitconv.Impls() }

// SetImpl selects the implementation by name (one of Impls), for tests and
// benchmarks that compare them.
func SetImpl(name string) error { return bitconv.SetImpl(name) }
