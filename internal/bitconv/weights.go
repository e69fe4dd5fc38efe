package bitconv

import (
	"fmt"
	"math"

	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/internal/window"
)

// Shape describes a binary convolution, with the same fields as the
// training engine's nn.Conv: In input channels, Out output channels, a
// Kernel×Kernel window moved by Stride with Pad zeros on every side. A
// binary linear layer is the Kernel = 1 convolution of a 1×1 input.
type Shape struct {
	In, Out int
	Kernel  int
	Stride  int // 0 means 1
	Pad     int
}

func (s Shape) stride() int { return max(1, s.Stride) }

// OutSize returns the output height and width for an h×w input (floor
// mode, as nn.Conv.OutSize, whose inputs it accepts and whose sizes it
// returns). A Kernel < 1, a negative Stride or Pad, a size h or w < 1, or
// an input smaller than the kernel with its padding (h+2·Pad < Kernel) is
// a programmer error and panics with a message naming Shape.OutSize and
// the values.
func (s Shape) OutSize(h, w int) (oh, ow int) {
	if s.Kernel < 1 || s.Stride < 0 || s.Pad < 0 {
		panic(fmt.Sprintf("xnor: Shape.OutSize: bad convolution shape %+v: want Kernel >= 1 and Stride, Pad >= 0", s))
	}
	oh, ow, err := window.Size("kernel", s.Kernel, s.stride(), s.Pad, h, w)
	if err != nil {
		panic(fmt.Sprintf("xnor: Shape.OutSize(%d, %d): %v", h, w, err))
	}
	return oh, ow
}

// outSize is OutSize without its checks of the shape (which NewConv has
// validated); ok is false when the input is smaller than the kernel with
// its padding.
func (s Shape) outSize(h, w int) (oh, ow int, ok bool) {
	return window.Out(s.Kernel, s.stride(), s.Pad, h, w)
}

// Validate reports whether the shape is one the kernels support: sizes at
// least 1, a kernel of at most 64 rows, padding of at most 64, and dot
// products short enough (Kernel²·In < 2²⁴) to be exact in float32.
func (s Shape) Validate() error {
	switch {
	case s.In < 1 || s.Out < 1 || s.Kernel < 1 || s.Stride < 0 || s.Pad < 0:
		return fmt.Errorf("xnor: bad convolution shape %+v: want In, Out, Kernel >= 1 and Stride, Pad >= 0", s)
	case s.Kernel > 64:
		return fmt.Errorf("xnor: convolution shape %+v: kernel %d is larger than the supported 64", s, s.Kernel)
	case s.Pad > 64:
		return fmt.Errorf("xnor: convolution shape %+v: padding %d is larger than the supported 64", s, s.Pad)
	case s.Kernel*s.Kernel*s.In >= 1<<24:
		return fmt.Errorf("xnor: convolution shape %+v: Kernel²·In = %d is not below 2^24 (dot products must be exact in float32)", s, s.Kernel*s.Kernel*s.In)
	}
	return nil
}

// Weights are the binarized weights of a binary convolution: the signs of
// the latent weights W (Out×In×Kernel×Kernel) and the scale s_o = mean|W_o|
// of each output channel, as the training forward uses them
// (nn.BinaryConv2d: conv(q(x), q(W)·s)).
type Weights struct {
	Shape
	// Words is ⌈In/64⌉, the words per kernel tap.
	Words int
	// Bits holds the signs of W in the order [Out][Kernel][Kernel][Words]:
	// channel c of tap (ky, kx) of filter o is bit c%64 of
	// Bits[((o·Kernel+ky)·Kernel+kx)·Words + c/64], set for −1 (W < 0) and
	// clear for +1 (W >= 0, so q(0) = +1). Padding bits are zero.
	Bits []uint64
	// Scale holds s_o, one value per output channel.
	Scale []float32

	signs signsJob // SetSigns's job, kept so that a call allocates nothing
}

// PackWeights binarizes latent weights w in the training engine's order
// (Out×In×Kernel×Kernel, nn.BinaryConv2d.Weight) and computes the scales
// s_o = mean|W_o| exactly as the training forward does (a float64 sum in
// order, divided by In·Kernel², rounded to float32). A wrong length or an
// invalid shape is a programmer error and panics.
func PackWeights(s Shape, w []float32) *Weights {
	if err := s.Validate(); err != nil {
		panic(err.Error())
	}
	taps := s.Kernel * s.Kernel
	d := s.In * taps
	if len(w) != s.Out*d {
		panic(fmt.Sprintf("xnor: PackWeights: %d weights for shape %+v, want Out·In·Kernel² = %d", len(w), s, s.Out*d))
	}
	words := WordsFor(s.In)
	p := &Weights{Shape: s, Words: words, Bits: make([]uint64, s.Out*taps*words), Scale: make([]float32, s.Out)}
	for o := range s.Out {
		var a float64
		for _, v := range w[o*d:][:d] {
			a += math.Abs(float64(v))
		}
		p.Scale[o] = float32(a / float64(d))
	}
	p.SetSigns(w)
	return p
}

// SetSigns sets w.Bits to the codes of x (Out×In×Kernel×Kernel, the
// training engine's order), q(v) = −1 for v < 0, leaving Scale alone. It
// allocates nothing; a wrong length panics. The filters are split over
// the worker pool (a training step packs every binary layer's weights
// on each forward pass).
func (w *Weights) SetSigns(x []float32) {
	s := w.Shape
	d := s.In * s.Kernel * s.Kernel
	if len(x) != s.Out*d {
		panic(fmt.Sprintf("xnor: Weights.SetSigns: %d values for shape %+v, want Out·In·Kernel² = %d", len(x), s, s.Out*d))
	}
	w.signs.w, w.signs.x = w, x
	parallel.For(s.Out, max(1, signsGrain/d), 1, &w.signs)
	w.signs.w, w.signs.x = nil, nil
}

// signsGrain is the fewest weights a chunk of SetSigns packs, so that a
// chunk outlasts the pool's hand-off.
const signsGrain = 1 << 14

// signsJob is SetSigns over a range of filters.
type signsJob struct {
	w *Weights
	x []float32
}

// Do packs filters [lo, hi), each word at once from its (strided) values,
// so that no word is read back from memory between its bits.
func (j *signsJob) Do(lo, hi int) {
	s, words := j.w.Shape, j.w.Words
	taps := s.Kernel * s.Kernel
	d := s.In * taps
	for o := lo; o < hi; o++ {
		row := j.x[o*d:][:d]
		for t := range taps {
			dst := j.w.Bits[(o*taps+t)*words:][:words]
			for wd := range dst {
				var m uint64
				for c := wd * 64; c < min(s.In, wd*64+64); c++ {
					m |= signBit(row[c*taps+t]) << (c % 64)
				}
				dst[wd] = m
			}
		}
	}
}

// check panics unless the slices hold the shape.
func (w *Weights) check(op string) {
	if err := w.Shape.Validate(); err != nil {
		panic(fmt.Sprintf("xnor: %s: %v", op, err))
	}
	n := w.Out * w.Kernel * w.Kernel * WordsFor(w.In)
	if w.Words != WordsFor(w.In) || len(w.Bits) != n || len(w.Scale) != w.Out {
		panic(fmt.Sprintf("xnor: %s: weights of shape %+v have Words %d, %d words and %d scales, want %d, %d and %d",
			op, w.Shape, w.Words, len(w.Bits), len(w.Scale), WordsFor(w.In), n, w.Out))
	}
}

// Sign returns the ±1 code of weight (o, c, ky, kx).
func (w *Weights) Sign(o, c, ky, kx int) float32 {
	if w.Bits[((o*w.Kernel+ky)*w.Kernel+kx)*w.Words+c/64]>>(c%64)&1 != 0 {
		return -1
	}
	return 1
}
