package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestIm2colFast cross-checks the same-convolution fast paths of im2col
// and col2im against the general loops, with the image written into the
// middle of a wider column matrix whose other entries are NaN guards.
func TestIm2colFast(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for _, s := range []struct{ c, h, w, k int }{
		{1, 1, 1, 1}, {2, 3, 4, 1}, {2, 5, 5, 3}, {3, 7, 4, 3}, {1, 2, 2, 3}, {2, 6, 9, 5}, {1, 3, 3, 7}, {16, 28, 28, 3},
	} {
		t.Run(fmt.Sprintf("c=%d/h=%d/w=%d/k=%d", s.c, s.h, s.w, s.k), func(t *testing.T) {
			pad := (s.k - 1) / 2
			hw := s.h * s.w
			rows := s.c * s.k * s.k
			ld, off := 3*hw, hw
			x := make([]float32, s.c*hw)
			fill(r, x)
			nan := float32(math.NaN())
			guard := func() []float32 {
				col := make([]float32, rows*ld)
				for i := range col {
					col[i] = nan
				}
				return col
			}
			got, want := guard(), guard()
			im2col(got, ld, off, x, s.c, s.h, s.w, s.k, 1, pad, s.h, s.w)
			im2colRef(want, ld, off, x, s.c, s.h, s.w, s.k, 1, pad, s.h, s.w)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("im2col: col[%d] = %v, want %v", i, got[i], want[i])
				}
			}
			dcol := make([]float32, rows*ld)
			fill(r, dcol)
			dcol2 := slices.Clone(dcol)
			dx, dxRef := make([]float32, len(x)), make([]float32, len(x))
			col2im(dx, dcol, ld, off, s.c, s.h, s.w, s.k, 1, pad, s.h, s.w)
			col2imRef(dxRef, dcol2, ld, off, s.c, s.h, s.w, s.k, 1, pad, s.h, s.w)
			if e := relErr(f64(dx), f64(dxRef)); e > 1e-6 {
				t.Fatalf("col2im differs from col2imRef: relative error %g", e)
			}
		})
	}
}

func BenchmarkIm2col(b *testing.B) {
	for _, s := range []struct{ c, h int }{{16, 28}, {32, 14}, {64, 7}} {
		x := make([]float32, s.c*s.h*s.h)
		col := make([]float32, s.c*9*s.h*s.h)
		for _, impl := range []string{"ref", "fast"} {
			b.Run(fmt.Sprintf("c=%d/h=%d/impl=%s", s.c, s.h, impl), func(b *testing.B) {
				b.SetBytes(int64(4 * len(col)))
				for b.Loop() {
					if impl == "ref" {
						im2colRef(col, s.h*s.h, 0, x, s.c, s.h, s.h, 3, 1, 1, s.h, s.h)
					} else {
						im2col(col, s.h*s.h, 0, x, s.c, s.h, s.h, 3, 1, 1, s.h, s.h)
					}
				}
			})
		}
	}
}

// TestGridMatchesIm2col cross-checks the grid paths (convgrid.go for same
// convolutions, convphase.go for strided and unpadded ones) against
// im2col + GEMM: outputs, weight gradients and input gradients, for several
// kernel sizes, strides and paddings, batch sizes that leave the workers
// uneven shares and short last groups, and a smaller batch after a larger
// one (the grids are re-zeroed for the new geometry).
func TestGridMatchesIm2col(t *testing.T) {
	defer func(v int) { gridTarget = v }(gridTarget)
	r := rand.New(rand.NewPCG(47, 48))
	for _, s := range []struct{ in, out, h, w, k, stride, pad, target int }{
		{3, 5, 6, 7, 3, 1, 1, 1 << 16}, {3, 5, 6, 7, 3, 1, 1, 400}, {4, 6, 5, 5, 1, 1, 0, 250},
		{2, 3, 9, 4, 5, 1, 2, 300}, {16, 16, 28, 28, 3, 1, 1, 1 << 16}, {8, 4, 7, 7, 3, 1, 1, 1600},
		{2, 3, 3, 2, 3, 1, 1, 1 << 16}, {3, 2, 14, 9, 3, 1, 1, 500},
		// strided and unpadded: the phase grid
		{16, 32, 28, 28, 3, 2, 1, 1 << 16}, {3, 4, 14, 14, 3, 2, 1, 2000}, {3, 4, 9, 8, 3, 2, 1, 700},
		{2, 3, 11, 13, 5, 3, 2, 1 << 16}, {2, 3, 10, 10, 3, 1, 0, 500}, {3, 2, 8, 9, 4, 2, 1, 1 << 16},
		{2, 2, 12, 12, 11, 4, 2, 1 << 16}, {2, 3, 7, 7, 1, 2, 0, 300}, {1, 2, 5, 6, 2, 1, 0, 1 << 16},
		{2, 3, 10, 10, 3, 2, 0, 1 << 16}, {2, 3, 10, 11, 3, 3, 0, 300},
	} {
		for _, batches := range [][]int{{5}, {8, 3}, {1}} {
			name := fmt.Sprintf("in=%d/out=%d/h=%d/w=%d/k=%d/s=%d/pad=%d/target=%d/n=%v", s.in, s.out, s.h, s.w, s.k, s.stride, s.pad, s.target, batches)
			t.Run(name, func(t *testing.T) {
				gridTarget = s.target
				cv := Conv{In: s.in, Out: s.out, Kernel: s.k, Stride: s.stride, Pad: s.pad}
				fast := NewConv2d(cv, NewInit(3))
				ref := NewConv2d(cv, NewInit(3))
				ref.core.noGrid = true
				for _, n := range batches {
					x := NewTensor(n, s.in, s.h, s.w)
					fill(r, x.Data)
					y1, y2 := fast.Forward(x), ref.Forward(x)
					if e := relErr(f64(y1.Data), f64(y2.Data)); !(e <= 1e-5) {
						t.Fatalf("n=%d: output relative error %g", n, e)
					}
					dy := NewTensor(n, s.out, y1.H, y1.W)
					fill(r, dy.Data)
					clear(fast.Weight.Grad)
					clear(ref.Weight.Grad)
					// NaN in the reused input-gradient buffer: every entry
					// must be written, the ones no window reaches with 0.
					for i := range fast.core.dx.buf {
						fast.core.dx.buf[i] = float32(math.NaN())
					}
					dx1, dx2 := fast.Backward(dy), ref.Backward(dy)
					if e := relErr(f64(fast.Weight.Grad), f64(ref.Weight.Grad)); !(e <= 1e-5) {
						t.Fatalf("n=%d: weight gradient relative error %g", n, e)
					}
					if e := relErr(f64(dx1.Data), f64(dx2.Data)); !(e <= 1e-5) {
						t.Fatalf("n=%d: input gradient relative error %g", n, e)
					}
				}
				if !fast.core.implicit && !fast.core.phased {
					t.Fatalf("no grid path ran")
				}
			})
		}
	}
}
