package bitconv

import (
	"math"
	"strings"
	"testing"
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
