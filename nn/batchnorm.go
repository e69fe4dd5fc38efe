package nn

import (
	"fmt"
	"math"

	"github.com/gradbench/gradbench/internal/parallel"
)

var (
	_ Layer      = (*BatchNorm)(nil)
	_ Parametric = (*BatchNorm)(nil)
	_ Stateful   = (*BatchNorm)(nil)
	_ ModeSetter = (*BatchNorm)(nil)
)

// BatchNorm normalises each channel (Ioffe & Szegedy, ICML 2015, arXiv
// 1502.03167), as
// PyTorch's BatchNorm2d (N×C×H×W, statistics over N, H, W) and BatchNorm1d
// (N×C×1×1, statistics over N):
//
//	y = γ·(x - μ)/√(σ² + ε) + β
//
// In training mode μ and σ² are the batch mean and biased variance, and the
// running statistics move towards them with momentum 0.1, the running
// variance towards the UNBIASED batch variance (σ²·m/(m-1), m values per
// channel), as PyTorch does. In evaluation mode μ and σ² are the running
// statistics. γ starts at 1, β at 0, the running mean at 0 and the running
// variance at 1; checkpoints save the running statistics (Buffers).
type BatchNorm struct {
	C        int
	Eps      float64 // 1e-5
	Momentum float64 // 0.1
	// Weight (γ) and Bias (β) have shape {C}.
	Weight, Bias *Param
	// RunningMean and RunningVar have C values each.
	RunningMean, RunningVar *Buffer

	eval bool

	in        *Tensor
	out, dx   buffer
	mean, inv []float32 // batch mean and 1/√(σ²+ε) of the last Forward
	// Per channel, the constants of the pass over the images: forward,
	// the shift k of the moments, then the scale γ·inv; backward, the
	// factors k, c1 and k·c2 of the input gradient.
	shift, scale, c1, kc2 []float32
	// sums holds the first pass's two float32 sums of every row (image n,
	// channel c) at 2·(n·C+c), which are added over n per channel into
	// tot (totals).
	sums []float32
	tot  []float64
	job  bnJob
	// dy is the output gradient of the last backward pass, which
	// gradPlane reads.
	dy *Tensor
}

// NewBatchNorm2d returns a BatchNorm over the channels of N×C×H×W tensors.
func NewBatchNorm2d(c int) *BatchNorm {
	if c < 1 {
		panic(fmt.Sprintf("nn: NewBatchNorm2d(%d): channels must be >= 1", c))
	}
	b := &BatchNorm{C: c, Eps: 1e-5, Momentum: 0.1,
		Weight: newParam("weight", c), Bias: newParam("bias", c),
		RunningMean: &Buffer{Name: "running_mean", Data: make([]float32, c)},
		RunningVar:  &Buffer{Name: "running_var", Data: make([]float32, c)},
		mean:        make([]float32, c), inv: make([]float32, c),
		shift: make([]float32, c), scale: make([]float32, c),
		c1: make([]float32, c), kc2: make([]float32, c),
	}
	for i := range c {
		b.Weight.Data[i] = 1
		b.RunningVar.Data[i] = 1
	}
	b.job.b = b
	return b
}

// NewBatchNorm1d returns a BatchNorm over the features of N×C×1×1 tensors
// (the output of Linear). It is the same layer as NewBatchNorm2d; the name
// says where it is used.
func NewBatchNorm1d(features int) *BatchNorm { return NewBatchNorm2d(features) }

// Params returns γ and β.
func (b *BatchNorm) Params() []*Param { return []*Param{b.Weight, b.Bias} }

// Buffers returns the running mean and variance.
func (b *BatchNorm) Buffers() []*Buffer { return []*Buffer{b.RunningMean, b.RunningVar} }

// SetTraining selects batch statistics (true) or running statistics.
func (b *BatchNorm) SetTraining(training bool) { b.eval = !training }

// Forward normalises x.
func (b *BatchNorm) Forward(x *Tensor) *Tensor { return b.forward(x, nil) }

// forwardAdd returns Forward(x) + add, the addition in the normalising
// pass (forwardAdder): a residual unit's sum when BatchNorm ends its body.
func (b *BatchNorm) forwardAdd(x, add *Tensor) *Tensor { return b.forward(x, add) }

// The passes over the images (bnJob): each takes every channel of a range
// of images, so that it reads and writes memory in order; per-channel
// sums keep one float32 pair per row (image, channel) in b.sums, added in
// float64 over the images in order afterwards, so neither the split over
// the workers nor the order of the passes changes a bit.
const (
	bnMoments   = iota // forward: Σ(x-k) and Σ(x-k)² per row
	bnNormalize        // forward: y = (x-μ)·γ·inv + β (+ add)
	bnGradSums         // backward: Σdy and Σdy·(x-μ) per row
	bnInputGrad        // backward: dx, training mode
	bnInputEval        // backward: dx = dy·γ·inv, evaluation mode
)

// forward normalises x and adds add (nil: nothing) to the result.
func (b *BatchNorm) forward(x, add *Tensor) *Tensor {
	x.check("BatchNorm", "Forward")
	if x.C != b.C {
		panic(fmt.Sprintf("nn: BatchNorm.Forward: input %v has %d channels, want %d", x, x.C, b.C))
	}
	if !b.eval && x.N*x.H*x.W < 2 {
		panic(fmt.Sprintf("nn: BatchNorm.Forward: training needs more than one value per channel, input is %v", x))
	}
	y := b.out.shape(x.N, x.C, x.H, x.W)
	if add != nil {
		checkAdd("BatchNorm", y, add)
	}
	b.in = x
	hw := x.H * x.W
	if b.eval {
		for c := range b.C {
			b.mean[c] = b.RunningMean.Data[c]
			b.inv[c] = float32(1 / math.Sqrt(float64(b.RunningVar.Data[c])+b.Eps))
		}
	} else {
		// One pass for both moments, shifted by the channel's first value
		// k so that E[(x-k)²] - E[x-k]² does not cancel catastrophically:
		// float32 sums per row (4 accumulators), float64 across rows, in a
		// fixed order (deterministic).
		for c := range b.C {
			b.shift[c] = x.Data[c*hw]
		}
		b.pass(bnMoments, nil)
		m := float64(x.N * hw)
		mom := b.Momentum
		tot := b.totals()
		for c := range b.C {
			s1, s2 := tot[2*c], tot[2*c+1]
			d := s1 / m
			mu := float64(b.shift[c]) + d
			v := max(0, s2/m-d*d)
			b.mean[c], b.inv[c] = float32(mu), float32(1/math.Sqrt(v+b.Eps))
			b.RunningMean.Data[c] = float32((1-mom)*float64(b.RunningMean.Data[c]) + mom*mu)
			b.RunningVar.Data[c] = float32((1-mom)*float64(b.RunningVar.Data[c]) + mom*v*m/(m-1))
		}
	}
	for c := range b.C {
		b.scale[c] = b.Weight.Data[c] * b.inv[c]
	}
	b.pass(bnNormalize, add)
	return y
}

// Backward adds the gradients of γ and β and returns the input gradient,
// through the batch statistics in training mode and through the fixed
// running statistics in evaluation mode.
func (b *BatchNorm) Backward(dy *Tensor) *Tensor {
	b.backwardDeferred(dy)
	x := b.in
	b.dx.shape(x.N, x.C, x.H, x.W)
	if b.eval {
		b.pass(bnInputEval, dy)
	} else {
		b.pass(bnInputGrad, dy)
	}
	return &b.dx.t
}

// backwardDeferred is Backward's first pass and the per-channel constants
// of the input gradient, which it leaves to gradPlane (gradDeferrer: a
// convolution before BatchNorm computes it as it fills its grid).
func (b *BatchNorm) backwardDeferred(dy *Tensor) planeSource {
	checkGrad("BatchNorm", dy, b.in)
	x := b.in
	// dβ = Σ dy, dγ = Σ dy·x̂ with x̂ = (x-μ)·inv.
	b.pass(bnGradSums, dy)
	m := float64(x.N * x.H * x.W)
	tot := b.totals()
	for c := range b.C {
		sdy, sdyx := tot[2*c], tot[2*c+1]
		inv := b.inv[c]
		dbeta := sdy
		dgamma := sdyx * float64(inv)
		b.Bias.Grad[c] += float32(dbeta)
		b.Weight.Grad[c] += float32(dgamma)
		// Training: dx = γ·inv/m · (m·dy - dβ - x̂·dγ)
		// = k·(dy - c1) - k·c2·(x - μ); evaluation: dx = k·dy.
		k := b.Weight.Data[c] * inv
		b.scale[c] = k
		b.c1[c] = float32(dbeta / m)
		b.kc2[c] = k * (float32(dgamma/m) * inv)
	}
	b.dy = dy
	return b
}

// totals returns the sums over the images, in image order, of the first
// pass's two sums of each channel c, at 2c and 2c+1. It reads b.sums in
// memory order, every channel at once: the channels' chains of additions
// overlap, where a loop per channel waits on each addition in turn.
func (b *BatchNorm) totals() []float64 {
	if len(b.tot) != 2*b.C {
		b.tot = make([]float64, 2*b.C)
	}
	clear(b.tot)
	for n := range len(b.sums) / (2 * b.C) {
		for i, v := range b.sums[2*n*b.C:][:2*b.C] {
			b.tot[i] += float64(v)
		}
	}
	return b.tot
}

// gradPlane sets dst to plane i (image i/C, channel i%C) of the input
// gradient of the last backwardDeferred, with the kernel call that
// Backward's pass makes for that plane (planeSource).
func (b *BatchNorm) gradPlane(dst []float32, i int) {
	hw := b.in.H * b.in.W
	c := i % b.C
	dy := b.dy.Data[i*hw : (i+1)*hw]
	if b.eval {
		bnEvalRow(dst[:hw], dy, b.scale[c])
		return
	}
	bnGradKernel.Get()(dst[:hw], dy, b.in.Data[i*hw:(i+1)*hw], b.scale[c], b.c1[c], b.kc2[c], b.mean[c])
}

// bnEvalRow sets d = dy·k, the input gradient in evaluation mode.
func bnEvalRow(d, dy []float32, k float32) {
	d = d[:len(dy)]
	for e, v := range dy {
		d[e] = v * k
	}
}

// pass runs one pass over the images of the last input on the worker
// pool; t is the pass's second tensor (the addition of bnNormalize, the
// output gradient of the backward passes).
func (b *BatchNorm) pass(kind int, t *Tensor) {
	x := b.in
	if kind == bnMoments || kind == bnGradSums {
		b.sums = floats(&b.sums, 2*x.N*x.C)
	}
	b.job.kind, b.job.t = kind, t
	// Parts of at least 16 KiB of input.
	parallel.For(x.N, max(1, (1<<12)/max(1, x.C*x.H*x.W)), 1, &b.job)
	b.job.t = nil
}

// bnJob runs a pass of BatchNorm over a range of images.
type bnJob struct {
	b    *BatchNorm
	kind int
	t    *Tensor
}

func (j *bnJob) Do(lo, hi int) {
	b := j.b
	hw := b.in.H * b.in.W
	// The rows of images [lo, hi), channel after channel: row i is
	// channel i%C, at offset i·hw. The kernel is chosen once per range.
	r0, r1 := lo*b.C, hi*b.C
	x := b.in.Data
	switch j.kind {
	case bnMoments:
		f := sumSqKernel.Get()
		for i, c := r0, 0; i < r1; i, c = i+1, c+1 {
			if c == b.C {
				c = 0
			}
			b.sums[2*i], b.sums[2*i+1] = f(x[i*hw:(i+1)*hw], b.shift[c])
		}
	case bnNormalize:
		y, beta := b.out.t.Data, b.Bias.Data
		if j.t == nil {
			f := normalizeKernel.Get()
			for i, c := r0, 0; i < r1; i, c = i+1, c+1 {
				if c == b.C {
					c = 0
				}
				f(y[i*hw:(i+1)*hw], x[i*hw:(i+1)*hw], b.mean[c], b.scale[c], beta[c])
			}
			return
		}
		f, add := normAddKernel.Get(), j.t.Data
		for i, c := r0, 0; i < r1; i, c = i+1, c+1 {
			if c == b.C {
				c = 0
			}
			f(y[i*hw:(i+1)*hw], x[i*hw:(i+1)*hw], add[i*hw:(i+1)*hw], b.mean[c], b.scale[c], beta[c])
		}
	case bnGradSums:
		f, dy := sumDotKernel.Get(), j.t.Data
		for i, c := r0, 0; i < r1; i, c = i+1, c+1 {
			if c == b.C {
				c = 0
			}
			b.sums[2*i], b.sums[2*i+1] = f(dy[i*hw:(i+1)*hw], x[i*hw:(i+1)*hw], b.mean[c])
		}
	case bnInputGrad:
		f, dy, dx := bnGradKernel.Get(), j.t.Data, b.dx.t.Data
		for i, c := r0, 0; i < r1; i, c = i+1, c+1 {
			if c == b.C {
				c = 0
			}
			f(dx[i*hw:(i+1)*hw], dy[i*hw:(i+1)*hw], x[i*hw:(i+1)*hw], b.scale[c], b.c1[c], b.kc2[c], b.mean[c])
		}
	case bnInputEval:
		dy, dx := j.t.Data, b.dx.t.Data
		for i, c := r0, 0; i < r1; i, c = i+1, c+1 {
			if c == b.C {
				c = 0
			}
			bnEvalRow(dx[i*hw:(i+1)*hw], dy[i*hw:(i+1)*hw], b.scale[c])
		}
	}
}

// sum32 returns Σ x in float32 with 4 independent accumulators.
func sum32(x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// sumSq32 returns Σ (x-k) and Σ (x-k)², with four independent pairs of
// accumulators so that the additions pipeline.
func sumSq32(x []float32, k float32) (float32, float32) {
	var a0, a1, a2, a3, q0, q1, q2, q3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		u0, u1, u2, u3 := v[0]-k, v[1]-k, v[2]-k, v[3]-k
		a0 += u0
		a1 += u1
		a2 += u2
		a3 += u3
		q0 += u0 * u0
		q1 += u1 * u1
		q2 += u2 * u2
		q3 += u3 * u3
	}
	for ; i < len(x); i++ {
		u := x[i] - k
		a0 += u
		q0 += u * u
	}
	return (a0 + a1) + (a2 + a3), (q0 + q1) + (q2 + q3)
}

// sumDot32 returns Σ dy and Σ dy·(x-mu), with four pairs of accumulators.
func sumDot32(dy, x []float32, mu float32) (float32, float32) {
	x = x[:len(dy)]
	var a0, a1, a2, a3, d0, d1, d2, d3 float32
	i := 0
	for ; i+4 <= len(dy); i += 4 {
		g := dy[i : i+4 : i+4]
		v := x[i : i+4 : i+4]
		a0 += g[0]
		a1 += g[1]
		a2 += g[2]
		a3 += g[3]
		d0 += g[0] * (v[0] - mu)
		d1 += g[1] * (v[1] - mu)
		d2 += g[2] * (v[2] - mu)
		d3 += g[3] * (v[3] - mu)
	}
	for ; i < len(dy); i++ {
		a0 += dy[i]
		d0 += dy[i] * (x[i] - mu)
	}
	return (a0 + a1) + (a2 + a3), (d0 + d1) + (d2 + d3)
}
