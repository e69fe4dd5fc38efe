package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

// TestAvgPoolBackwardTiles checks AvgPool2d's backward for 2x2 windows
// at stride 2 (written once per position) bit for bit against the
// general rule (clear, then add each window's share), on even and odd
// sizes and with shares of -0, which the rule turns into +0. Each layer
// first runs on a larger even size, so that its reused gradient buffer
// holds stale nonzero values where an odd size's last row and column,
// which no window covers, must come out 0.
func TestAvgPoolBackwardTiles(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, hw := range [][2]int{{4, 4}, {6, 5}, {5, 7}, {28, 28}} {
		t.Run(fmt.Sprintf("%dx%d", hw[0], hw[1]), func(t *testing.T) {
			l := NewAvgPool2d(Pool{Kernel: 2})
			big := l.Forward(randTensor(r, 3, 2, hw[0]+hw[0]%2+2, hw[1]+hw[1]%2+2))
			l.Backward(randTensor(r, big.N, big.C, big.H, big.W))
			x := randTensor(r, 3, 2, hw[0], hw[1])
			y := l.Forward(x)
			dy := randTensor(r, y.N, y.C, y.H, y.W)
			dy.Data[0] = float32(math.Copysign(0, -1))
			dy.Data[len(dy.Data)-1] = float32(math.Copysign(0, -1))
			want := make([]float32, x.Len())
			for nc := range x.N * x.C {
				for oy := range y.H {
					for ox := range y.W {
						g := dy.Data[(nc*y.H+oy)*y.W+ox] * 0.25
						for iy := 2 * oy; iy < 2*oy+2; iy++ {
							for ix := 2 * ox; ix < 2*ox+2; ix++ {
								want[(nc*x.H+iy)*x.W+ix] += g
							}
						}
					}
				}
			}
			got := l.Backward(dy)
			for i := range want {
				if math.Float32bits(got.Data[i]) != math.Float32bits(want[i]) {
					t.Fatalf("dx[%d] = %v, want %v", i, got.Data[i], want[i])
				}
			}
		})
	}
}

// TestPoolBackwardReused: a second backward pass of a pooling layer (its
// gradient buffer reused, as in every training step after the first)
// gives bit for bit what a fresh layer gives: AvgPool2d on its general
// path (the odd maps' padded 2×2 windows the models' downsampling takes,
// a 3×3 window) and its 2×2 tiles, and MaxPool2d. The finite-difference
// checks run each layer once, on a buffer that starts zeroed.
func TestPoolBackwardReused(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	avg := func(p Pool) Layer { return NewAvgPool2d(p) }
	maxp := func(p Pool) Layer { return NewMaxPool2d(p) }
	for _, tc := range []struct {
		name string
		l    func(Pool) Layer
		p    Pool
		h, w int
	}{
		{"avg", avg, Pool{Kernel: 2, Stride: 2, Pad: 1}, 7, 7},
		{"avg", avg, Pool{Kernel: 3, Stride: 2, Pad: 1}, 7, 6},
		{"avg", avg, Pool{Kernel: 2}, 6, 5},
		{"max", maxp, Pool{Kernel: 3, Stride: 2, Pad: 1}, 7, 6},
		{"max", maxp, Pool{Kernel: 2}, 6, 5},
	} {
		t.Run(fmt.Sprintf("%s/k=%d/s=%d/p=%d/%dx%d", tc.name, tc.p.Kernel, tc.p.Stride, tc.p.Pad, tc.h, tc.w), func(t *testing.T) {
			x := randTensor(r, 2, 3, tc.h, tc.w)
			reused := tc.l(tc.p)
			y := reused.Forward(x)
			reused.Backward(randTensor(r, y.N, y.C, y.H, y.W))
			dy := randTensor(r, y.N, y.C, y.H, y.W)
			reused.Forward(x)
			got := clone(reused.Backward(dy).Data)
			fresh := tc.l(tc.p)
			fresh.Forward(x)
			checkBits(t, "second backward pass", got, fresh.Backward(dy).Data)
		})
	}
}

// TestMaxPoolTies checks that a window's gradient goes to its first
// maximum in row-major order, as documented, when several values tie:
// random inputs never tie, and a MaxPool2d that took the last maximum
// passed every test.
func TestMaxPoolTies(t *testing.T) {
	l := NewMaxPool2d(Pool{Kernel: 2})
	x := &Tensor{N: 1, C: 1, H: 2, W: 4, Data: []float32{1, 3, 5, 5, 3, 0, 5, 5}}
	y := l.Forward(x)
	dx := l.Backward(&Tensor{N: 1, C: 1, H: 1, W: 2, Data: []float32{1, 2}})
	if want := []float32{0, 1, 2, 0, 0, 0, 0, 0}; !slices.Equal(y.Data, []float32{3, 5}) || !slices.Equal(dx.Data, want) {
		t.Errorf("y = %v, dx = %v; want y = [3 5], dx = %v", y.Data, dx.Data, want)
	}
}

// TestAvgPoolOverlapping checks AvgPool2d with 2×2 windows at stride 1,
// which overlap: its gradient must add every window's share, not take the
// tiling shortcut of stride 2. No test pooled at that shape, and a
// shortcut taken for any stride passed every test.
func TestAvgPoolOverlapping(t *testing.T) {
	l := NewAvgPool2d(Pool{Kernel: 2, Stride: 1})
	x := &Tensor{N: 1, C: 1, H: 3, W: 3, Data: []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}}
	y := l.Forward(x)
	if want := []float32{3, 4, 6, 7}; !slices.Equal(y.Data, want) {
		t.Errorf("y = %v, want %v", y.Data, want)
	}
	var dx []float32
	if msg := texttest.Panic(func() {
		dx = l.Backward(&Tensor{N: 1, C: 1, H: 2, W: 2, Data: []float32{4, 4, 4, 4}}).Data
	}); msg != "" {
		t.Fatalf("Backward panicked: %s", msg)
	}
	if want := []float32{1, 2, 1, 2, 4, 2, 1, 2, 1}; !slices.Equal(dx, want) {
		t.Errorf("dx = %v, want %v", dx, want)
	}
}

// TestMaxPoolInfWindow checks a window of -Inf values (as a layer's
// output can hold): its maximum is -Inf and its gradient goes to its first
// position. Without the rule that the first value seen is the maximum so
// far, no position beat the initial -Inf and Backward indexed at -1.
func TestMaxPoolInfWindow(t *testing.T) {
	l := NewMaxPool2d(Pool{Kernel: 2})
	inf := float32(math.Inf(-1))
	y := l.Forward(&Tensor{N: 1, C: 1, H: 2, W: 2, Data: []float32{inf, inf, inf, inf}})
	var dx []float32
	if msg := texttest.Panic(func() { dx = l.Backward(&Tensor{N: 1, C: 1, H: 1, W: 1, Data: []float32{1}}).Data }); msg != "" {
		t.Fatalf("Backward panicked: %s", msg)
	}
	if !slices.Equal(y.Data, []float32{inf}) || !slices.Equal(dx, []float32{1, 0, 0, 0}) {
		t.Errorf("y = %v, dx = %v; want [-Inf] and [1 0 0 0]", y.Data, dx)
	}
}

// TestMaxPoolNaN: a NaN in a window is its maximum, wherever it is in the
// window, as PyTorch's max pooling propagates it, and the window's
// gradient goes to the first NaN in row-major order (the rule for ties;
// PyTorch's CPU kernel takes the last). A NaN was kept only when it came
// first in its window: after any number, v > best is false for it, and
// the window's maximum hid a NaN that a diverging run had produced.
func TestMaxPoolNaN(t *testing.T) {
	nan := float32(math.NaN())
	for _, tc := range []struct {
		name string
		p    Pool
		x    []float32 // 1×1×2×4
		want []bool    // whether each output is NaN
		arg  []int     // the input each output's gradient goes to
	}{
		{"first", Pool{Kernel: 2}, []float32{nan, 1, 2, 3, 4, 5, 6, 7}, []bool{true, false}, []int{0, 7}},
		{"second", Pool{Kernel: 2}, []float32{1, nan, 2, 3, 4, 5, 6, 7}, []bool{true, false}, []int{1, 7}},
		{"last", Pool{Kernel: 2}, []float32{1, 2, 2, 3, 4, nan, 6, nan}, []bool{true, true}, []int{5, 7}},
		{"two", Pool{Kernel: 2}, []float32{9, nan, 2, 3, 4, nan, 6, 7}, []bool{true, false}, []int{1, 7}},
		{"after inf", Pool{Kernel: 2}, []float32{float32(math.Inf(1)), 1, 2, 3, nan, 5, 6, 7}, []bool{true, false}, []int{4, 7}},
		{"padded", Pool{Kernel: 3, Stride: 2, Pad: 1}, []float32{1, 2, 3, 4, 5, 6, 7, nan}, []bool{false, true}, []int{5, 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewMaxPool2d(tc.p)
			y := l.Forward(&Tensor{N: 1, C: 1, H: 2, W: 4, Data: tc.x})
			dy := &Tensor{N: 1, C: 1, H: y.H, W: y.W, Data: make([]float32, y.Len())}
			want := make([]float32, len(tc.x))
			for o := range dy.Data {
				dy.Data[o] = float32(o + 1)
				want[tc.arg[o]] += dy.Data[o]
			}
			dx := l.Backward(dy)
			for o, v := range y.Data {
				if isNaN := v != v; isNaN != tc.want[o] {
					t.Errorf("y[%d] = %v, want NaN: %v (y = %v)", o, v, tc.want[o], y.Data)
				}
			}
			if !slices.Equal(dx.Data, want) {
				t.Errorf("dx = %v, want %v", dx.Data, want)
			}
		})
	}
}
