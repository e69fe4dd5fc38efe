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
	bits Bits
	out  nn.Tensor
	buf  []float32
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

// CompileStats says what [Compile] packed.
type CompileStats struct {
	// Binary counts the packed layers, Folded those of them with a
	// BatchNorm folded in, Residual those with their residual addition,
	// Packed those whose input stays packed from the previous binary layer
	// (a ChainLayer's stages after the first).
	Binary, Folded, Residual, Packed int
}

// Compile returns an inference network for a trained network: a copy of
// its containers (nn.Sequential, nn.Residual) in which every
// nn.BinaryConv2d and nn.BinaryLinear is replaced by a [ConvLayer], with the
// nn.BatchNorm that directly follows it in a Sequential (if any) folded
// into its output transform, and every nn.Residual whose body is just a
// binary convolution (and its BatchNorm) by a [ResidualLayer]. Every other
// layer is shared with net and runs its own full-precision Forward. The
// result is a [Network], which runs a large batch in chunks. Compile switches net to evaluation mode
// (nn.SetTraining(net, false)): noise adaptation off, BatchNorm on its
// running statistics, which is what the packed layers reproduce.
//
// The compiled network computes what net computes in evaluation mode, up
// to float32 rounding: the packed layers' dot products are exact integers
// where the float convolution rounds its sums of ±s (see the package
// documentation).
func Compile(net nn.Layer) (*Network, CompileStats, error) {
	nn.SetTraining(net, false)
	var st CompileStats
	out, err := compile(net, "", &st)
	if err != nil {
		return nil, st, err
	}
	return newNetwork([]nn.Layer{out}), st, nil
}

// CompileParallel is [Compile] with one replica of the network per worker
// of the pool (parallel.Workers), each from a call of newNet, which must
// return the same trained network every time (built and loaded anew: the
// replicas share no layer). Large batches then run one chunk per core at a
// time. The replicas' full-precision layers run in parallel too, which
// Compile's shared layers cannot.
func CompileParallel(newNet func() (nn.Layer, error)) (*Network, CompileStats, error) {
	var layers []nn.Layer
	var st CompileStats
	for i := range parallel.Workers() {
		net, err := newNet()
		if err != nil {
			return nil, st, err
		}
		nn.SetTraining(net, false)
		var s CompileStats
		l, err := compile(net, "", &s)
		if err != nil {
			return nil, st, err
		}
		if i == 0 {
			st = s
		} else if s != st {
			return nil, st, fmt.Errorf("xnor: CompileParallel: replica %d compiles to %+v, the first to %+v (newNet must return the same network)", i, s, st)
		}
		layers = append(layers, l)
	}
	return newNetwork(layers), st, nil
}

func compile(l nn.Layer, path string, st *CompileStats) (nn.Layer, error) {
	switch l := l.(type) {
	case nn.Sequential:
		var seq nn.Sequential
		for i := 0; i < len(l); i++ {
			p := childPath(path, i)
			var bn *nn.BatchNorm
			if i+1 < len(l) {
				bn, _ = l[i+1].(*nn.BatchNorm)
			}
			packed, err := packBinary(l[i], bn, p)
			if err != nil {
				return nil, err
			}
			if packed != nil {
				st.Binary++
				if bn != nil {
					st.Folded++
					i++
				}
				// Binary convolutions that only feed the next one's signs
				// (through a max pooling or not) stay packed in between.
				chain := &ChainLayer{Stages: []ChainStage{{Conv: packed}}}
				for {
					j := i + 1
					var pool *nn.MaxPool2d
					if j < len(l) {
						if mp, ok := l[j].(*nn.MaxPool2d); ok && mp.Pad == 0 {
							pool, j = mp, j+1
						}
					}
					if j >= len(l) {
						break
					}
					if _, ok := l[j].(*nn.BinaryConv2d); !ok {
						break
					}
					var bn2 *nn.BatchNorm
					if j+1 < len(l) {
						bn2, _ = l[j+1].(*nn.BatchNorm)
					}
					next, err := packBinary(l[j], bn2, childPath(path, j))
					if err != nil {
						return nil, err
					}
					if pool != nil {
						chain.Stages[len(chain.Stages)-1].Pool = &pool.Pool
					}
					chain.Stages = append(chain.Stages, ChainStage{Conv: next})
					st.Binary++
					st.Packed++
					i = j
					if bn2 != nil {
						st.Folded++
						i++
					}
				}
				if len(chain.Stages) > 1 {
					seq = append(seq, chain)
				} else {
					seq = append(seq, packed)
				}
				continue
			}
			c, err := compile(l[i], p, st)
			if err != nil {
				return nil, err
			}
			seq = append(seq, c)
		}
		return seq, nil
	case *nn.Residual:
		if conv, err := packUnit(l.Body, childPath(path, 0), st); err != nil || conv != nil {
			if err != nil {
				return nil, err
			}
			r := &ResidualLayer{Conv: conv}
			if pc := poolConv(l.Shortcut); pc != nil {
				r.Shortcut = pc
			} else if l.Shortcut != nil {
				if r.Shortcut, err = compile(l.Shortcut, childPath(path, 1), st); err != nil {
					return nil, err
				}
			}
			st.Residual++
			return r, nil
		}
		body, err := compile(l.Body, childPath(path, 0), st)
		if err != nil {
			return nil, err
		}
		r := &nn.Residual{Body: body}
		if l.Shortcut != nil {
			if r.Shortcut, err = compile(l.Shortcut, childPath(path, 1), st); err != nil {
				return nil, err
			}
		}
		return r, nil
	}
	packed, err := packBinary(l, nil, path)
	if err != nil || packed != nil {
		if packed != nil {
			st.Binary++
		}
		return packed, err
	}
	if _, ok := l.(nn.Parent); ok {
		return nil, fmt.Errorf("xnor: layer %q: container %T is not supported (have nn.Sequential, nn.Residual)", path, l)
	}
	return l, nil
}

// packUnit returns the packed layer of a residual body that is a binary
// layer, alone or followed by a BatchNorm, or nil for any other body.
func packUnit(body nn.Layer, path string, st *CompileStats) (*ConvLayer, error) {
	seq, ok := body.(nn.Sequential)
	if !ok {
		seq = nn.Sequential{body}
	}
	var bn *nn.BatchNorm
	switch len(seq) {
	case 1:
	case 2:
		if bn, ok = seq[1].(*nn.BatchNorm); !ok {
			return nil, nil
		}
	default:
		return nil, nil
	}
	conv, err := packBinary(seq[0], bn, childPath(path, 0))
	if conv != nil {
		st.Binary++
		if bn != nil {
			st.Folded++
		}
	}
	return conv, err
}

func childPath(path string, i int) string {
	if path == "" {
		return fmt.Sprint(i)
	}
	return fmt.Sprintf("%s.%d", path, i)
}

// packBinary returns the packed layer for a binary layer l (with bn folded
// in when it is not nil), or nil if l is not binary.
func packBinary(l nn.Layer, bn *nn.BatchNorm, path string) (*ConvLayer, error) {
	var s Shape
	var w []float32
	name := ""
	switch l := l.(type) {
	case *nn.BinaryConv2d:
		s = Shape{In: l.In, Out: l.Out, Kernel: l.Kernel, Stride: l.Stride, Pad: l.Pad}
		w, name = codedWeights(l.WeightEstimator(), l.Weight.Data), "BinaryConv2d"
	case *nn.BinaryLinear:
		s = Shape{In: l.In, Out: l.Out, Kernel: 1}
		w, name = codedWeights(l.WeightEstimator(), l.Weight.Data), "BinaryLinear"
	default:
		return nil, nil
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("xnor: layer %q: %w", path, err)
	}
	pw := PackWeights(s, w)
	t := ScaleOnly(pw.Scale)
	if bn != nil {
		if bn.C != s.Out {
			return nil, fmt.Errorf("xnor: layer %q: BatchNorm of %d channels after %s of %d outputs", path, bn.C, name, s.Out)
		}
		t = FoldBatchNorm(pw.Scale, bn.Weight.Data, bn.Bias.Data, bn.RunningMean.Data, bn.RunningVar.Data, bn.Eps)
		name += "+BatchNorm"
	}
	cl, err := NewConvLayer(name, pw, t)
	if err != nil {
		return nil, fmt.Errorf("xnor: layer %q: %w", path, err)
	}
	return cl, nil
}
