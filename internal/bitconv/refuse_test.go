package bitconv

import (
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
