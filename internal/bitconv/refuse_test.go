package bitconv

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

// TestShapeValidate checks each of Validate's limits on both sides: the
// largest shape it allows passes, one step past it is refused with a
// message naming the value.
func TestShapeValidate(t *testing.T) {
	for _, s := range []Shape{
		{In: 1, Out: 1, Kernel: 1},
		{In: 1, Out: 1, Kernel: 64},
		{In: 1, Out: 1, Kernel: 3, Pad: 64},
		{In: 1<<24 - 1, Out: 1, Kernel: 1}, // Kernel²·In = 2^24 − 1
		{In: 1<<22 - 1, Out: 1, Kernel: 2},
	} {
		if err := s.Validate(); err != nil {
			t.Errorf("Shape%+v.Validate() = %v, want nil", s, err)
		}
	}
	for _, tc := range []struct {
		s    Shape
		want string
	}{
		{Shape{In: 0, Out: 1, Kernel: 1}, "want In, Out, Kernel >= 1"},
		{Shape{In: 1, Out: 0, Kernel: 1}, "want In, Out, Kernel >= 1"},
		{Shape{In: 1, Out: 1, Kernel: 0}, "want In, Out, Kernel >= 1"},
		{Shape{In: 1, Out: 1, Kernel: 1, Stride: -1}, "want In, Out, Kernel >= 1 and Stride, Pad >= 0"},
		{Shape{In: 1, Out: 1, Kernel: 1, Pad: -1}, "want In, Out, Kernel >= 1 and Stride, Pad >= 0"},
		{Shape{In: 1, Out: 1, Kernel: 65}, "kernel 65 is larger than the supported 64"},
		{Shape{In: 1, Out: 1, Kernel: 3, Pad: 65}, "padding 65 is larger than the supported 64"},
		{Shape{In: 1 << 24, Out: 1, Kernel: 1}, "Kernel²·In = 16777216 is not below 2^24"},
		{Shape{In: 1 << 22, Out: 1, Kernel: 2}, "Kernel²·In = 16777216 is not below 2^24"},
	} {
		err := tc.s.Validate()
		if err == nil {
			t.Errorf("Shape%+v.Validate() = nil, want an error containing %q", tc.s, tc.want)
		} else if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Shape%+v.Validate() = %q, want an error containing %q", tc.s, err, tc.want)
		}
	}
}

// TestAffineValidate checks that NewConv refuses a transform with a
// multiplier or offset missing, or one that is NaN or ±Inf, naming the
// channel, each on its own: the convolution would copy a short Add as
// zeros and threshold a NaN or infinite transform into codes that no
// float output has.
func TestAffineValidate(t *testing.T) {
	s := Shape{In: 4, Out: 2, Kernel: 3, Pad: 1}
	pw := PackWeights(s, make([]float32, 2*4*9))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, tc := range []struct {
		name string
		a    Affine
		want string
	}{
		{"short mul", Affine{Mul: []float32{1}, Add: []float32{0, 0}}, "output transform has 1 multipliers and 2 offsets, want 2"},
		{"short add", Affine{Mul: []float32{1, 1}, Add: []float32{0}}, "output transform has 2 multipliers and 1 offsets, want 2"},
		{"nan mul", Affine{Mul: []float32{1, nan}, Add: []float32{0, 0}}, "output transform of channel 1 is NaN·d + 0"},
		{"inf mul", Affine{Mul: []float32{inf, 1}, Add: []float32{0, 0}}, "output transform of channel 0 is +Inf·d + 0"},
		{"-inf mul", Affine{Mul: []float32{1, -inf}, Add: []float32{0, 0}}, "output transform of channel 1 is -Inf·d + 0"},
		{"nan add", Affine{Mul: []float32{1, 1}, Add: []float32{nan, 0}}, "output transform of channel 0 is 1·d + NaN"},
		{"inf add", Affine{Mul: []float32{1, 1}, Add: []float32{0, -inf}}, "output transform of channel 1 is 1·d + -Inf"},
	} {
		_, err := NewConv(pw, tc.a)
		if err == nil {
			t.Errorf("NewConv with %s transform: no error, want one containing %q", tc.name, tc.want)
		} else if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewConv with %s transform: %q, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// TestRefusals checks that the packing and convolution entry points refuse
// inconsistent Bits, an input of the wrong channel count (the same number
// of words included), outputs of the wrong length and SetWeights' weights
// of another shape or an invalid transform, with a message naming them.
// Each of these inputs otherwise runs: the kernels would read the words of
// 64·Words channels as In, index past a short residual, or compute with
// the old plans' padding corrections for another kernel or padding.
func TestRefusals(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 4))
	s := Shape{In: 3, Out: 2, Kernel: 3, Pad: 1}
	newConv := func() *Conv {
		c, err := NewConv(PackWeights(s, randSigns(r, 2*3*9)), ScaleOnly(ones(2)))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	x := NewBits(1, 2, 4, 3) // 1·2·2·4 = 16 outputs
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"NewBits c=0", func() { NewBits(1, 1, 1, 0) }, "xnor: NewBits(1, 1, 1, 0): want non-negative sizes and c >= 1"},
		{"NewBits n=-1", func() { NewBits(-1, 1, 1, 1) }, "xnor: NewBits(-1, 1, 1, 1): want non-negative sizes and c >= 1"},
		{"Reshape c=0", func() { NewBits(1, 1, 1, 1).Reshape(1, 1, 1, 0) }, "xnor: Bits.Reshape(1, 1, 1, 0): want non-negative sizes and c >= 1"},
		{"Pack, Words wrong", func() { Pack(&Bits{N: 1, H: 1, W: 1, C: 3, Words: 2, Data: make([]uint64, 2)}, make([]float32, 3)) },
			"xnor: Pack: Bits 1x1x1x3 with 2 words per pixel has 2 words of data, want 1 words per pixel and 1 words"},
		{"Pack, C=0", func() { Pack(&Bits{N: 1, H: 1, W: 1}, nil) }, "xnor: Pack: Bits 1x1x1x0 with 0 words per pixel"},
		{"Pack, short data", func() { Pack(&Bits{N: 2, H: 1, W: 1, C: 3, Words: 1, Data: make([]uint64, 1)}, make([]float32, 6)) },
			"xnor: Pack: Bits 2x1x1x3 with 1 words per pixel has 1 words of data, want 1 words per pixel and 2 words"},
		{"Pack, wrong length", func() { Pack(NewBits(1, 2, 2, 3), make([]float32, 11)) }, "xnor: Pack: 11 values for Bits 1x2x2x3, want N·C·H·W = 12"},
		{"Forward, channels", func() { newConv().Forward(make([]float32, 16), NewBits(1, 2, 4, 5)) }, "xnor: Conv.Forward: input 1x2x4x5 has 5 channels, want 3"},
		{"ForwardBits, channels", func() { newConv().ForwardBits(&Bits{}, NewBits(1, 2, 4, 2)) }, "xnor: Conv.ForwardBits: input 1x2x4x2 has 2 channels, want 3"},
		{"Forward, long dst", func() { newConv().Forward(make([]float32, 17), x) }, "xnor: Conv.Forward: dst has 17 values, want N·Out·OH·OW = 16"},
		{"Forward, short dst", func() { newConv().Forward(make([]float32, 15), x) }, "xnor: Conv.Forward: dst has 15 values, want N·Out·OH·OW = 16"},
		{"ForwardAdd, short res", func() { newConv().ForwardAdd(make([]float32, 16), x, make([]float32, 15)) },
			"xnor: Conv.ForwardAdd: dst has 16 values and res 15, want N·Out·OH·OW = 16"},
		{"ForwardAdd, long res", func() { newConv().ForwardAdd(make([]float32, 16), x, make([]float32, 17)) },
			"xnor: Conv.ForwardAdd: dst has 16 values and res 17, want N·Out·OH·OW = 16"},
		{"SetWeights, other padding", func() {
			c := newConv()
			c.SetWeights(PackWeights(Shape{In: 3, Out: 2, Kernel: 3}, make([]float32, 2*3*9)), ScaleOnly(ones(2)))
		}, "xnor: Conv.SetWeights: weights of shape {In:3 Out:2 Kernel:3 Stride:0 Pad:0} for a convolution of shape {In:3 Out:2 Kernel:3 Stride:0 Pad:1}"},
		{"SetWeights, other channels", func() {
			c := newConv()
			c.SetWeights(PackWeights(Shape{In: 5, Out: 2, Kernel: 3, Pad: 1}, make([]float32, 2*5*9)), ScaleOnly(ones(2)))
		}, "xnor: Conv.SetWeights: weights of shape {In:5 Out:2 Kernel:3 Stride:0 Pad:1}"},
		{"SetWeights, NaN transform", func() {
			c := newConv()
			c.SetWeights(PackWeights(s, make([]float32, 2*3*9)), Affine{Mul: []float32{1, float32(math.NaN())}, Add: []float32{0, 0}})
		}, "xnor: Conv.SetWeights: xnor: output transform of channel 1 is NaN·d + 0"},
		{"SetWeights, short transform", func() {
			c := newConv()
			c.SetWeights(PackWeights(s, make([]float32, 2*3*9)), ScaleOnly(ones(1)))
		}, "xnor: Conv.SetWeights: xnor: output transform has 1 multipliers and 1 offsets, want 2"},
	} {
		t.Run(tc.name, func(t *testing.T) { texttest.CheckPanic(t, tc.f, tc.want) })
	}
}
