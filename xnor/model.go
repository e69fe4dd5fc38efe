package xnor

import (
	"fmt"
	"sync/atomic"

	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/nn"
)

var (
	_ nn.Layer = (*ConvLayer)(nil)
	_ nn.Layer = (*ResidualLayer)(nil)
	_ nn.Layer = (*Network)(nil)
	_ nn.Layer = (*ChainLayer)(nil)
)

// ConvLayer is a binary convolution (or binary linear layer) of a trained
// network, with the BatchNorm that follows it folded in, as an nn.Layer for
// inference: Forward binarizes its float input with [Pack], runs the
// XNOR-popcount [Conv] and returns float32 NCHW outputs, so it slots into
// an nn network whose other layers stay full precision. Backward panics:
// a packed layer has no latent weights to train.
type ConvLayer struct {
	// Name says what the layer replaces, such as "BinaryConv2d+BatchNorm".
	Name string
	// Weights are the packed weights (shape, signs, scales) and Transform
	// the output transform (the scales with the BatchNorm folded in).
	Weights   *Weights
	Transform Affine

	conv *Conv
	// linear is set for an nn.BinaryLinear's layer, which takes any input
	// of In values per image (a C×H×W feature map as N×(C·H·W)×1×1, as
	// nn.BinaryLinear reads it).
	linear bool
	bits   Bits
	in     nn.Tensor
	out    nn.Tensor
	buf    []float32
}

// NewConvLayer returns the packed layer with weights w and output transform t.
func NewConvLayer(name string, w *Weights, t Affine) (*ConvLayer, error) {
	c, err := NewConv(w, t)
	if err != nil {
		return nil, err
	}
	return &ConvLayer{Name: name, Weights: w, Transform: t, conv: c}, nil
}

// Conv returns the layer's convolution.
func (l *ConvLayer) Conv() *Conv { return l.conv }

// Forward returns the transformed binary convolution of q(x); the result
// belongs to the layer and stays valid until its next Forward.
func (l *ConvLayer) Forward(x *nn.Tensor) *nn.Tensor { return l.forward(x, nil) }

// forward is Forward, adding res (when not nil, of the output's shape) in
// the output transform.
func (l *ConvLayer) forward(x, res *nn.Tensor) *nn.Tensor {
	s := l.conv.Shape
	if l.linear && x.Sample() == s.In && len(x.Data) == x.Len() {
		l.in = nn.Tensor{N: x.N, C: s.In, H: 1, W: 1, Data: x.Data}
		x = &l.in
	}
	if x.C != s.In || len(x.Data) != x.Len() {
		panic(fmt.Sprintf("xnor: %s: input %v (%d values), want %d channels", l.Name, x, len(x.Data), s.In))
	}
	l.bits.Reshape(x.N, x.H, x.W, x.C)
	Pack(&l.bits, x.Data)
	return l.forwardPacked(&l.bits, res)
}

// forwardPacked runs the convolution on packed codes x, adding res (when
// not nil), with float32 outputs.
func (l *ConvLayer) forwardPacked(x *Bits, res *nn.Tensor) *nn.Tensor {
	s := l.conv.Shape
	oh, ow := s.OutSize(x.H, x.W)
	size := x.N * s.Out * oh * ow
	if cap(l.buf) < size {
		l.buf = make([]float32, size)
	}
	l.out = nn.Tensor{N: x.N, C: s.Out, H: oh, W: ow, Data: l.buf[:size]}
	if res == nil {
		l.conv.Forward(l.out.Data, x)
		return &l.out
	}
	if res.Shape() != l.out.Shape() || len(res.Data) != size {
		panic(fmt.Sprintf("xnor: %s: shortcut output %v does not match the convolution's %v", l.Name, res, &l.out))
	}
	l.conv.ForwardAdd(l.out.Data, x, res.Data)
	return &l.out
}

// ResidualLayer is a Bi-Real Net unit, y = BN(BinaryConv(x)) + shortcut(x),
// packed: the shortcut's output (x itself for the identity) is added in the
// binary convolution's output transform instead of in a separate pass over
// memory. The addition is the same float32 addition nn.Residual does.
type ResidualLayer struct {
	Conv     *ConvLayer
	Shortcut nn.Layer // nil: identity
}

// Forward returns Conv(x) + Shortcut(x); the result belongs to Conv.
func (l *ResidualLayer) Forward(x *nn.Tensor) *nn.Tensor {
	s := x
	if l.Shortcut != nil {
		s = l.Shortcut.Forward(x)
	}
	return l.Conv.forward(x, s)
}

// Backward panics: packed layers are for inference only.
func (l *ResidualLayer) Backward(dy *nn.Tensor) *nn.Tensor { return l.Conv.Backward(dy) }

// Children returns the shortcut, so that nn.Walk (and SetTraining) reach
// its layers.
func (l *ResidualLayer) Children() []nn.Layer { return []nn.Layer{l.Shortcut} }

// Network is a compiled network. Forward runs a large batch in chunks of
// Chunk images, so that each layer's output stays in the cache for the next
// layer instead of making a round trip to memory for the whole batch. A
// network from [CompileParallel] has one replica of the layers per worker
// of the pool and runs chunks on all of them at once, each replica taking
// the next chunk when done with one (each layer then runs on one core,
// without synchronizing with the others, and a core slowed down by other
// work runs fewer chunks); one from [Compile] runs the chunks in turn, each
// layer split over the cores.
type Network struct {
	// Layers are the compiled layers (of the first replica).
	Layers nn.Layer
	// Chunk is the number of images per pass; 0 means 8.
	Chunk int

	replicas []*replica
	free     chan *replica
	job      netJob
	out      nn.Tensor
	buf      []float32
	in       [3]int // the C, H, W of the input out was sized for
}

// replica is one copy of the compiled layers and its input view (kept
// here: layers keep a pointer to their input).
type replica struct {
	layers nn.Layer
	part   nn.Tensor
}

func newNetwork(replicas []nn.Layer) *Network {
	n := &Network{Layers: replicas[0], free: make(chan *replica, len(replicas))}
	for _, l := range replicas {
		r := &replica{layers: l}
		n.replicas = append(n.replicas, r)
		n.free <- r
	}
	n.job.n = n
	return n
}

// Passes says how Forward runs a batch of images: in chunks passes of at
// most chunk images (Chunk, 0 meaning 8) each, on replicas replicas at
// once. A batch of at most chunk images is one pass on the first replica;
// a larger one is cut into chunks, shared by as many replicas as there
// are, or as there are chunks if fewer.
func (n *Network) Passes(images int) (replicas, chunks, chunk int) {
	chunk = n.Chunk
	if chunk <= 0 {
		chunk = 8
	}
	if images <= chunk {
		return 1, 1, chunk
	}
	chunks = (images + chunk - 1) / chunk
	return min(len(n.replicas), chunks), chunks, chunk
}

// Replicas is the number of replicas of the layers: one per worker of
// the pool for a network from [CompileParallel], one from [Compile].
func (n *Network) Replicas() int { return len(n.replicas) }

// Forward runs the layers on x, Chunk images at a time, and returns the
// concatenated outputs (owned by the Network).
func (n *Network) Forward(x *nn.Tensor) *nn.Tensor {
	chunk := n.Chunk
	if chunk <= 0 {
		chunk = 8
	}
	if x.N <= chunk {
		return n.Layers.Forward(x)
	}
	chunks := (x.N + chunk - 1) / chunk
	first := 0
	if n.in != [3]int{x.C, x.H, x.W} || n.out.N != x.N {
		// The first chunk on its own sizes the output. Every replica then
		// meets both chunk sizes of this batch once (computing a chunk
		// twice gives the same outputs), so that no later call allocates,
		// whichever chunks a replica takes.
		n.runChunk(n.replicas[0], x, 0, chunk, true)
		for _, r := range n.replicas[1:] {
			n.runChunk(r, x, 0, chunk, false)
		}
		if x.N%chunk != 0 {
			for _, r := range n.replicas {
				n.runChunk(r, x, chunks-1, chunk, false)
			}
		}
		n.in = [3]int{x.C, x.H, x.W}
		first = 1
	}
	j := &n.job
	j.x, j.chunk, j.first, j.chunks = x, chunk, first, chunks
	j.next.Store(int64(first))
	if len(n.replicas) > 1 {
		parallel.For(len(n.replicas), 1, 1, j)
	} else {
		j.Do(0, 1)
	}
	j.x = nil
	return &n.out
}

// runChunk runs the chunk of images starting at image c·chunk on replica r
// and copies its output into n.out (which it sizes if size is set).
func (n *Network) runChunk(r *replica, x *nn.Tensor, c, chunk int, size bool) {
	i := c * chunk
	m := min(chunk, x.N-i)
	per := x.Sample()
	r.part = nn.Tensor{N: m, C: x.C, H: x.H, W: x.W, Data: x.Data[i*per:][:m*per]}
	y := r.layers.Forward(&r.part)
	if size {
		total := x.N * y.Sample()
		if cap(n.buf) < total {
			n.buf = make([]float32, total)
		}
		n.out = nn.Tensor{N: x.N, C: y.C, H: y.H, W: y.W, Data: n.buf[:total]}
	}
	if y.Sample() != n.out.Sample() || y.N != m {
		panic(fmt.Sprintf("xnor: Network: output %v for %d images, want %d×%dx%dx%d", y, m, m, n.out.C, n.out.H, n.out.W))
	}
	copy(n.out.Data[i*n.out.Sample():], y.Data)
}

// netJob runs the chunks on the replicas: each call of Do takes a free
// replica and runs the next chunk not yet taken until none is left, so
// that a core slowed down by other work runs fewer chunks instead of
// holding up a fixed half of the batch.
type netJob struct {
	n                    *Network
	x                    *nn.Tensor
	chunk, first, chunks int
	next                 atomic.Int64
}

func (j *netJob) Do(lo, hi int) {
	r := <-j.n.free
	for {
		c := int(j.next.Add(1)) - 1
		if c >= j.chunks {
			break
		}
		j.n.runChunk(r, j.x, c, j.chunk, false)
	}
	j.n.free <- r
}

// Backward panics: a compiled network is for inference only.
func (n *Network) Backward(dy *nn.Tensor) *nn.Tensor {
	panic("xnor: compiled networks have no backward pass (inference only)")
}

// Children returns the layers, for nn.Walk.
func (n *Network) Children() []nn.Layer { return []nn.Layer{n.Layers} }

// ChainLayer runs binary convolutions that follow one another, each
// feeding only the next one's signs, on packed codes: every stage but the
// last writes q(y) packed ([Conv.ForwardBits], exact thresholds), max
// pooling in between works on the codes (the maximum of ±1 codes is −1
// only if all are: an AND of the −1 bits, and q is monotone, so pooling
// the codes is binarizing the pooled values), and the last stage writes
// float32 outputs. VGG-Small's and AlexNet's convolutions compile to one.
type ChainLayer struct {
	Stages []ChainStage

	in, a, b Bits
	pool     poolJob
}

// A ChainStage is one binary layer of a ChainLayer and the max pooling (of
// padding 0) of its output codes, if any, before the next stage.
type ChainStage struct {
	Conv *ConvLayer
	Pool *nn.Pool
}

// Forward packs x and runs the stages.
func (l *ChainLayer) Forward(x *nn.Tensor) *nn.Tensor {
	first := l.Stages[0].Conv
	if x.C != first.conv.Shape.In || len(x.Data) != x.Len() {
		panic(fmt.Sprintf("xnor: ChainLayer: input %v (%d values), want %d channels", x, len(x.Data), first.conv.Shape.In))
	}
	l.in.Reshape(x.N, x.H, x.W, x.C)
	Pack(&l.in, x.Data)
	cur := &l.in
	other := func() *Bits {
		if cur == &l.a {
			return &l.b
		}
		return &l.a
	}
	last := len(l.Stages) - 1
	for _, s := range l.Stages[:last] {
		dst := other()
		s.Conv.conv.ForwardBits(dst, cur)
		cur = dst
		if s.Pool != nil {
			dst = other()
			l.pool.run(dst, cur, s.Pool)
			cur = dst
		}
	}
	return l.Stages[last].Conv.forwardPacked(cur, nil)
}

// Backward panics: packed layers are for inference only.
func (l *ChainLayer) Backward(dy *nn.Tensor) *nn.Tensor { return l.Stages[0].Conv.Backward(dy) }

// poolJob is max pooling of packed codes: dst = AND of src's words over
// each window (padding 0, floor mode, as nn.MaxPool2d).
type poolJob struct {
	dst, src *Bits
	p        *nn.Pool
}

func (j *poolJob) run(dst, src *Bits, p *nn.Pool) {
	st := p.Stride
	if st == 0 {
		st = p.Kernel
	}
	oh, ow := (src.H-p.Kernel)/st+1, (src.W-p.Kernel)/st+1
	if oh < 1 || ow < 1 || p.Pad != 0 {
		panic(fmt.Sprintf("xnor: max pooling %+v of packed codes %v: window larger than the input, or padding", *p, src))
	}
	dst.Reshape(src.N, oh, ow, src.C)
	j.dst, j.src, j.p = dst, src, p
	parallel.For(src.N*oh, max(1, 4096/(ow*src.Words*p.Kernel*p.Kernel)), 1, j)
	j.dst, j.src = nil, nil
}

// Do pools the output rows [lo, hi) (row r = image r/OH, row r%OH).
func (j *poolJob) Do(lo, hi int) {
	dst, src, k := j.dst, j.src, j.p.Kernel
	st := j.p.Stride
	if st == 0 {
		st = k
	}
	ws := src.Words
	for r := lo; r < hi; r++ {
		n, oy := r/dst.H, r%dst.H
		out := dst.Data[r*dst.W*ws:][:dst.W*ws]
		for ox := range dst.W {
			for w := range ws {
				v := ^uint64(0)
				for ky := range k {
					row := src.Data[((n*src.H+oy*st+ky)*src.W+ox*st)*ws+w:]
					for kx := range k {
						v &= row[kx*ws]
					}
				}
				out[ox*ws+w] = v
			}
		}
	}
}

// Backward panics: packed layers are for inference only.
func (l *ConvLayer) Backward(dy *nn.Tensor) *nn.Tensor {
	panic("xnor: " + l.Name + ": packed layers have no backward pass (inference only)")
}
