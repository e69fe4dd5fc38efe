package xnor

import (
	"fmt"
	"github.com/gradbench/gradbench/internal/bitconv"

	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/nn"
)

var _ nn.Layer = (*PoolConvLayer)(nil)

// PoolConvLayer is a Bi-Real downsampling shortcut, nn.Sequential{2×2
// nn.AvgPool2d without padding, 1×1 nn.Conv2d without bias, nn.BatchNorm},
// for inference: the pooled image goes straight into the product with the
// 1×1 weights, without the padded copies of the training engine's
// convolution (which costs 5 times more on ResNet-20's shortcuts). It
// computes what the three layers compute: the same pooling sums in the
// same order, the same GEMM call (gemm.SgemmRowsB, as nn.Conv2d multiplies
// by its weights), and the BatchNorm is nn's own layer.
type PoolConvLayer struct {
	Pool *nn.AvgPool2d
	Conv *nn.Conv2d
	BN   *nn.BatchNorm

	pooled []float32 // [In][N·P]: channel-major, so that one product covers the batch
	boff   []int
	prod   []float32 // [Out][N·P]
	y      nn.Tensor
	buf    []float32
}

// poolConv returns the fused layer for a shortcut of that form, or nil.
func poolConv(l nn.Layer) *PoolConvLayer {
	seq, ok := l.(nn.Sequential)
	if !ok || len(seq) != 3 {
		return nil
	}
	pool, ok1 := seq[0].(*nn.AvgPool2d)
	conv, ok2 := seq[1].(*nn.Conv2d)
	bn, ok3 := seq[2].(*nn.BatchNorm)
	if !ok1 || !ok2 || !ok3 || pool.Kernel != 2 || pool.Pad != 0 ||
		conv.Kernel != 1 || max(1, conv.Stride) != 1 || conv.Pad != 0 || conv.Bias != nil || bn.C != conv.Out {
		return nil
	}
	return &PoolConvLayer{Pool: pool, Conv: conv, BN: bn}
}

// Forward returns BN(Conv(AvgPool(x))); the result belongs to the
// BatchNorm layer.
func (l *PoolConvLayer) Forward(x *nn.Tensor) *nn.Tensor {
	cv := l.Conv
	if x.C != cv.In || len(x.Data) != x.Len() || x.H < l.Pool.Kernel || x.W < l.Pool.Kernel {
		panic(fmt.Sprintf("xnor: PoolConvLayer: input %v (%d values), want %d channels of at least 2×2", x, len(x.Data), cv.In))
	}
	oh, ow := l.Pool.OutSize(x.H, x.W)
	p := oh * ow
	np := x.N * p
	l.pooled = grow(l.pooled, cv.In*np)
	if len(l.boff) != cv.In || (cv.In > 1 && l.boff[1] != np) {
		l.boff = l.boff[:0]
		for c := range cv.In {
			l.boff = append(l.boff, c*np)
		}
	}
	l.prod = grow(l.prod, cv.Out*np)
	l.buf = grow(l.buf, x.N*cv.Out*p)
	l.y = nn.Tensor{N: x.N, C: cv.Out, H: oh, W: ow, Data: l.buf}
	st := l.Pool.Stride
	if st == 0 {
		st = 2
	}
	hw := x.H * x.W
	pool := bitconv.AvgPool2
	for n := range x.N {
		for c := range cv.In {
			pool(l.pooled[c*np+n*p:][:p], x.Data[(n*cv.In+c)*hw:][:hw], x.W, oh, ow, st)
		}
	}
	bitconv.Done()
	// The product for all images at once, Out × N·P: small maps (7×7)
	// would waste most of the GEMM's 24-column tiles image by image.
	gemm.SgemmRowsB(false, cv.Out, np, cv.In, 1, cv.Weight.Data, cv.In, l.pooled, l.boff, 0, l.prod, np)
	for n := range x.N {
		for o := range cv.Out {
			copy(l.buf[(n*cv.Out+o)*p:][:p], l.prod[o*np+n*p:][:p])
		}
	}
	return l.BN.Forward(&l.y)
}

// grow returns s resized to n values, reusing its array when large enough.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// Backward panics: packed layers are for inference only.
func (l *PoolConvLayer) Backward(dy *nn.Tensor) *nn.Tensor {
	panic("xnor: PoolConvLayer has no backward pass (inference only)")
}

// Children returns the three layers, for nn.Walk and nn.SetTraining.
func (l *PoolConvLayer) Children() []nn.Layer { return []nn.Layer{l.Pool, l.Conv, l.BN} }
