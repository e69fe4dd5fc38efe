package nn

import (
	"fmt"
	"math"

	"github.com/gradbench/gradbench/internal/parallel"
)

var (
	_ Layer = (*MaxPool2d)(nil)
	_ Layer = (*AvgPool2d)(nil)
	_ Layer = (*GlobalAvgPool)(nil)
)

// Pool describes a pooling window: Kernel×Kernel, moved by Stride (0 means
// Kernel, PyTorch's default), with Pad on every side.
type Pool struct {
	Kernel, Stride, Pad int
}

func (p Pool) stride() int {
	if p.Stride == 0 {
		return p.Kernel
	}
	return p.Stride
}

// OutSize returns the output height and width for an h×w input (floor
// mode, as PyTorch's default ceil_mode=False). A configuration that
// NewMaxPool2d refuses (Kernel < 1, negative Stride, Pad outside
// 0..Kernel/2), a size h or w < 1, or an input smaller than the window with
// its padding (h+2·Pad < Kernel) is a programmer error and panics with a
// message naming Pool.OutSize and the values.
func (p Pool) OutSize(h, w int) (oh, ow int) {
	p.validate("Pool.OutSize")
	return windowOutSize("Pool.OutSize", "window", p.Kernel, p.stride(), p.Pad, h, w)
}

// outSize is OutSize without its checks of the configuration; ok is false
// when the input is smaller than the window with its padding.
func (p Pool) outSize(h, w int) (oh, ow int, ok bool) {
	return windowOut(p.Kernel, p.stride(), p.Pad, h, w)
}

func (p Pool) validate(layer string) {
	if p.Kernel < 1 || p.Stride < 0 || p.Pad < 0 || 2*p.Pad > p.Kernel {
		panic(fmt.Sprintf("nn: %s: bad configuration %+v: want Kernel >= 1, Stride >= 0 and 0 <= Pad <= Kernel/2", layer, p))
	}
}

func (p Pool) outShape(layer string, x *Tensor) (oh, ow int) {
	x.check(layer, "Forward")
	oh, ow, ok := p.outSize(x.H, x.W)
	if !ok {
		panic(fmt.Sprintf("nn: %s.Forward: input %v is smaller than the %dx%d window", layer, x, p.Kernel, p.Kernel))
	}
	return oh, ow
}

// MaxPool2d takes the maximum of each window (padding counts as -Inf). A
// NaN in a window is its maximum, as in PyTorch's max pooling. The
// gradient goes to the first maximum of the window, in row-major order
// (the first NaN of a window that has one).
type MaxPool2d struct {
	Pool

	in      *Tensor
	out, dx buffer
	arg     []int32 // input offset (within the channel) of each output's maximum
}

// NewMaxPool2d returns a max pooling layer.
func NewMaxPool2d(p Pool) *MaxPool2d {
	p.validate("NewMaxPool2d")
	return &MaxPool2d{Pool: p}
}

// Forward returns the window maxima.
func (l *MaxPool2d) Forward(x *Tensor) *Tensor {
	oh, ow := l.outShape("MaxPool2d", x)
	l.in = x
	y := l.out.shape(x.N, x.C, oh, ow)
	if cap(l.arg) < len(y.Data) {
		l.arg = make([]int32, len(y.Data))
	}
	l.arg = l.arg[:len(y.Data)]
	s, k := l.stride(), l.Kernel
	for nc := range x.N * x.C {
		img := x.Data[nc*x.H*x.W:][:x.H*x.W]
		o := nc * oh * ow
		for oy := range oh {
			for ox := range ow {
				best, at := float32(math.Inf(-1)), int32(-1)
				for i := range k {
					iy := oy*s - l.Pad + i
					if iy < 0 || iy >= x.H {
						continue
					}
					for j := range k {
						ix := ox*s - l.Pad + j
						if ix < 0 || ix >= x.W {
							continue
						}
						if v := img[iy*x.W+ix]; v > best || at < 0 {
							best, at = v, int32(iy*x.W+ix)
						} else if v != v && best == best {
							// A NaN is the maximum, as in PyTorch: v >
							// best is false for it. The first NaN stays.
							best, at = v, int32(iy*x.W+ix)
						}
					}
				}
				y.Data[o], l.arg[o] = best, at
				o++
			}
		}
	}
	return y
}

// Backward routes each output gradient to its window's maximum.
func (l *MaxPool2d) Backward(dy *Tensor) *Tensor {
	x := l.in
	if x == nil {
		panic("nn: MaxPool2d.Backward called before Forward")
	}
	oh, ow, _ := l.outSize(x.H, x.W)
	if dy.N != x.N || dy.C != x.C || dy.H != oh || dy.W != ow || len(dy.Data) != dy.Len() {
		panic(fmt.Sprintf("nn: MaxPool2d.Backward: gradient %v with %d values does not match the output %dx%dx%dx%d", dy, len(dy.Data), x.N, x.C, oh, ow))
	}
	dx := l.dx.shape(x.N, x.C, x.H, x.W)
	clear(dx.Data)
	per := dy.H * dy.W
	for nc := range x.N * x.C {
		img := dx.Data[nc*x.H*x.W:][:x.H*x.W]
		for o := nc * per; o < (nc+1)*per; o++ {
			img[l.arg[o]] += dy.Data[o]
		}
	}
	return dx
}

// AvgPool2d averages each window. Padding counts as zeros in the average
// (PyTorch's default count_include_pad=True).
type AvgPool2d struct {
	Pool

	in      *Tensor
	out, dx buffer
	job     avgPoolJob
}

// NewAvgPool2d returns an average pooling layer.
func NewAvgPool2d(p Pool) *AvgPool2d {
	p.validate("NewAvgPool2d")
	l := &AvgPool2d{Pool: p}
	l.job.l = l
	return l
}

// avgPoolJob runs Forward or Backward on a range of the N·C planes.
type avgPoolJob struct {
	l      *AvgPool2d
	fwd    bool
	dy     *Tensor
	oh, ow int
}

func (j *avgPoolJob) Do(lo, hi int) {
	if j.fwd {
		j.l.forwardPlanes(lo, hi, j.oh, j.ow)
	} else {
		j.l.backwardPlanes(lo, hi, j.dy, j.oh, j.ow)
	}
}

// Forward returns the window means.
func (l *AvgPool2d) Forward(x *Tensor) *Tensor {
	oh, ow := l.outShape("AvgPool2d", x)
	l.in = x
	y := l.out.shape(x.N, x.C, oh, ow)
	l.job.fwd, l.job.oh, l.job.ow = true, oh, ow
	parallel.For(x.N*x.C, 16, 1, &l.job)
	return y
}

func (l *AvgPool2d) forwardPlanes(lo, hi, oh, ow int) {
	x, y := l.in, &l.out.t
	s, k := l.stride(), l.Kernel
	inv := 1 / float32(k*k)
	if l.Pad == 0 && k == 2 { // Bi-Real shortcuts: no bounds tests, the same sums in the same order
		for nc := lo; nc < hi; nc++ {
			img := x.Data[nc*x.H*x.W:][:x.H*x.W]
			out := y.Data[nc*oh*ow:][:oh*ow]
			for oy := range oh {
				row := img[oy*s*x.W:]
				for ox := range ow {
					r0, r1 := row[ox*s:][:2], row[x.W+ox*s:][:2]
					var sum float32
					out[oy*ow+ox] = (sum + r0[0] + r0[1] + r1[0] + r1[1]) * inv
				}
			}
		}
		return
	}
	for nc := lo; nc < hi; nc++ {
		img := x.Data[nc*x.H*x.W:][:x.H*x.W]
		o := nc * oh * ow
		for oy := range oh {
			y0, y1 := l.window(oy, x.H)
			for ox := range ow {
				x0, x1 := l.window(ox, x.W)
				var sum float32
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						sum += img[iy*x.W+ix]
					}
				}
				y.Data[o] = sum * inv
				o++
			}
		}
	}
}

// window returns the input positions [lo, hi) that the window at output
// position o covers along an axis of size positions: o·stride − Pad to
// Kernel − 1 further, without the padding (which counts as zeros).
func (l *AvgPool2d) window(o, size int) (lo, hi int) {
	start := o*l.stride() - l.Pad
	return max(start, 0), min(start+l.Kernel, size)
}

// Backward spreads each output gradient evenly over its window.
func (l *AvgPool2d) Backward(dy *Tensor) *Tensor {
	x := l.in
	if x == nil {
		panic("nn: AvgPool2d.Backward called before Forward")
	}
	oh, ow, _ := l.outSize(x.H, x.W)
	if dy.N != x.N || dy.C != x.C || dy.H != oh || dy.W != ow || len(dy.Data) != dy.Len() {
		panic(fmt.Sprintf("nn: AvgPool2d.Backward: gradient %v does not match the output %dx%dx%dx%d", dy, x.N, x.C, oh, ow))
	}
	dx := l.dx.shape(x.N, x.C, x.H, x.W)
	l.job.fwd, l.job.dy, l.job.oh, l.job.ow = false, dy, oh, ow
	parallel.For(x.N*x.C, 16, 1, &l.job)
	l.job.dy = nil
	return dx
}

func (l *AvgPool2d) backwardPlanes(lo, hi int, dy *Tensor, oh, ow int) {
	x, dx := l.in, &l.dx.t
	k := l.Kernel
	inv := 1 / float32(k*k)
	if l.Pad == 0 && k == 2 && l.stride() == 2 {
		// Bi-Real shortcuts: the windows tile the input without
		// overlapping, so each input position gets one output's share,
		// written once instead of cleared and added to (the same value:
		// 0 + g is g, but for a -0 share, which becomes +0).
		for nc := lo; nc < hi; nc++ {
			img := dx.Data[nc*x.H*x.W:][:x.H*x.W]
			g := dy.Data[nc*oh*ow:][:oh*ow]
			for oy := range oh {
				r0 := img[2*oy*x.W:][:x.W]
				r1 := img[(2*oy+1)*x.W:][:x.W]
				for ox, v := range g[oy*ow:][:ow] {
					v *= inv
					if v == 0 {
						v = 0
					}
					r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1] = v, v, v, v
				}
				clear(r0[2*ow:]) // an odd width's last column
				clear(r1[2*ow:])
			}
			clear(img[2*oh*x.W:]) // an odd height's last row
		}
		return
	}
	for nc := lo; nc < hi; nc++ {
		img := dx.Data[nc*x.H*x.W:][:x.H*x.W]
		clear(img)
		o := nc * oh * ow
		for oy := range oh {
			y0, y1 := l.window(oy, x.H)
			for ox := range ow {
				x0, x1 := l.window(ox, x.W)
				g := dy.Data[o] * inv
				o++
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						img[iy*x.W+ix] += g
					}
				}
			}
		}
	}
}

// GlobalAvgPool averages each channel over its whole H×W map: N×C×H×W to
// N×C×1×1.
type GlobalAvgPool struct {
	passes
	job globalPoolJob
}

// NewGlobalAvgPool returns a global average pooling layer.
func NewGlobalAvgPool() *GlobalAvgPool { return &GlobalAvgPool{} }

// Forward returns the channel means. An input of no values per channel
// (H or W 0) has none and panics.
func (l *GlobalAvgPool) Forward(x *Tensor) *Tensor {
	y := l.forward("GlobalAvgPool", x, x.N, x.C, 1, 1)
	if x.H*x.W == 0 {
		panic(fmt.Sprintf("nn: GlobalAvgPool.Forward: input %v has no values per channel to average", x))
	}
	l.job.run(true, x.Data, y.Data, x.H*x.W)
	return y
}

// Backward spreads each channel's gradient evenly over its map.
func (l *GlobalAvgPool) Backward(dy *Tensor) *Tensor {
	x := l.in
	if x == nil {
		panic("nn: GlobalAvgPool.Backward called before Forward")
	}
	if dy.N != x.N || dy.C != x.C || dy.Len() != x.N*x.C || len(dy.Data) != dy.Len() {
		panic(fmt.Sprintf("nn: GlobalAvgPool.Backward: gradient %v does not match the output", dy))
	}
	dx := l.dx.shape(x.N, x.C, x.H, x.W)
	l.job.run(false, dx.Data, dy.Data, x.H*x.W)
	return dx
}

// globalPoolJob runs GlobalAvgPool's Forward (fwd: m[i] = the mean of
// plane i of maps) or Backward (plane i of maps = m[i]/hw) on a range of
// the N·C planes of hw values: the pass reads or writes the whole
// activation, the last layers' largest.
type globalPoolJob struct {
	fwd     bool
	maps, m []float32
	hw      int
}

// run runs the job over every plane on the worker pool, in chunks of at
// least 1<<14 values.
func (j *globalPoolJob) run(fwd bool, maps, m []float32, hw int) {
	*j = globalPoolJob{fwd: fwd, maps: maps, m: m, hw: hw}
	parallel.For(len(m), max(1, (1<<14)/hw), 1, j)
	*j = globalPoolJob{}
}

func (j *globalPoolJob) Do(lo, hi int) {
	inv := 1 / float32(j.hw)
	for i := lo; i < hi; i++ {
		plane := j.maps[i*j.hw:][:j.hw]
		if j.fwd {
			j.m[i] = sum32(plane) * inv
			continue
		}
		g := j.m[i] * inv
		for k := range plane {
			plane[k] = g
		}
	}
}
