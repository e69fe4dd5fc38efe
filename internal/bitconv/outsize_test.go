package bitconv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

// TestOutSizeRefuses checks that Shape.OutSize refuses what nn's
// Conv.OutSize refuses (a kernel below 1, a negative stride or padding,
// sizes below 1, an input smaller than the kernel with its padding), which
// it used to answer by integer division: one output for a 2×2 input under
// a 3×3 kernel at stride 2, a negative size or a division by zero
// otherwise; and that Conv.Forward refuses the input that division rounded
// up to one output instead of computing it.
func TestOutSizeRefuses(t *testing.T) {
	conv := func(s Shape) *Conv {
		r := rand.New(rand.NewPCG(1, 2))
		c, err := NewConv(PackWeights(s, randSigns(r, s.Out*s.In*s.Kernel*s.Kernel)), ScaleOnly(ones(s.Out)))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"kernel 3 stride 2 on 2x2", func() { Shape{In: 1, Out: 1, Kernel: 3, Stride: 2}.OutSize(2, 2) }, "xnor: Shape.OutSize(2, 2): input 2x2 is smaller than the 3x3 kernel with padding 0"},
		{"kernel 9 on 3x3", func() { Shape{In: 1, Out: 1, Kernel: 9}.OutSize(3, 3) }, "xnor: Shape.OutSize(3, 3): input 3x3 is smaller than the 9x9 kernel with padding 0"},
		{"kernel 5 pad 1 on 2x9", func() { Shape{In: 1, Out: 1, Kernel: 5, Pad: 1}.OutSize(2, 9) }, "xnor: Shape.OutSize(2, 9): input 2x9 is smaller than the 5x5 kernel with padding 1"},
		{"kernel 0", func() { Shape{In: 1, Out: 1}.OutSize(3, 3) }, "xnor: Shape.OutSize: bad convolution shape"},
		{"stride -1", func() { Shape{In: 1, Out: 1, Kernel: 1, Stride: -1}.OutSize(3, 3) }, "xnor: Shape.OutSize: bad convolution shape"},
		{"pad -1", func() { Shape{In: 1, Out: 1, Kernel: 1, Pad: -1}.OutSize(3, 3) }, "xnor: Shape.OutSize: bad convolution shape"},
		{"h 0", func() { Shape{In: 1, Out: 1, Kernel: 1}.OutSize(0, 3) }, "xnor: Shape.OutSize(0, 3): sizes must be >= 1"},
		{"Conv.OutSize on 2x2", func() { conv(Shape{In: 1, Out: 1, Kernel: 3, Stride: 2}).OutSize(2, 2) }, "xnor: Shape.OutSize(2, 2): input 2x2 is smaller"},
		{"Conv.Forward on 2x2", func() {
			x := NewBits(1, 2, 2, 1)
			conv(Shape{In: 1, Out: 1, Kernel: 3, Stride: 2}).Forward(make([]float32, 1), x)
		}, "xnor: Conv.Forward: input 1x2x2x1 is smaller than the 3x3 kernel with padding 0"},
		{"Conv.ForwardBits on 2x2", func() {
			x := NewBits(1, 2, 2, 1)
			conv(Shape{In: 1, Out: 1, Kernel: 3, Stride: 2}).ForwardBits(&Bits{}, x)
		}, "xnor: Conv.ForwardBits: input 1x2x2x1 is smaller than the 3x3 kernel with padding 0"},
	} {
		t.Run(tc.name, func(t *testing.T) { texttest.CheckPanic(t, tc.f, tc.want) })
	}
	// Windows that do not tile the input are floor mode, as in nn (the
	// suite's stride-2 convolutions, 3×3 with padding 1 on even sizes).
	for _, tc := range []struct {
		s            Shape
		h, w, oh, ow int
	}{
		{Shape{Kernel: 3, Pad: 1}, 5, 7, 5, 7},
		{Shape{Kernel: 3, Stride: 2}, 3, 4, 1, 1},
		{Shape{Kernel: 3, Stride: 2, Pad: 1}, 32, 32, 16, 16},
		{Shape{Kernel: 3, Pad: 1}, 1, 1, 1, 1},
	} {
		if oh, ow := tc.s.OutSize(tc.h, tc.w); oh != tc.oh || ow != tc.ow {
			t.Errorf("%+v.OutSize(%d, %d) = %d, %d, want %d, %d", tc.s, tc.h, tc.w, oh, ow, tc.oh, tc.ow)
		}
	}
}

// WordsFor refuses a negative channel count: (c+63)/64 would give 0 for
// -1..-64 and a negative count below, sizes no caller can mean.
func TestWordsForNegative(t *testing.T) {
	for _, c := range []int{-1, -64, -65, -128} {
		texttest.CheckPanic(t, func() { WordsFor(c) }, fmt.Sprintf("xnor: WordsFor(%d): want a non-negative channel count", c))
	}
	for c, want := range map[int]int{0: 0, 1: 1, 64: 1, 65: 2, 128: 2} {
		if got := WordsFor(c); got != want {
			t.Errorf("WordsFor(%d) = %d, want %d", c, got, want)
		}
	}
}
