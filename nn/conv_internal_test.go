package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/racebuild"
)

// convRef is the plain reference convolution of the tests, in float64:
// for x (N×In×H×W), weights w (Out×In×k×k) and an output gradient dy,
//
//	y[n][o][oy][ox] = Σ_{c,i,j} w[o][c][i][j]·x[n][c][oy·s-pad+i][ox·s-pad+j]
//	dw[o][c][i][j]  = Σ_{n,oy,ox} dy[n][o][oy][ox]·x[n][c][oy·s-pad+i][ox·s-pad+j]
//	dx[n][c][iy][ix] = Σ over the (o, i, j, oy, ox) with oy·s-pad+i = iy and
//	                   ox·s-pad+j = ix of dy[n][o][oy][ox]·w[o][c][i][j]
//
// where taps outside x read 0 (zero padding).
func convRef(cv Conv, x *Tensor, w, dy []float32) (y, dw, dx []float64) {
	s, k := cv.stride(), cv.Kernel
	oh, ow := cv.OutSize(x.H, x.W)
	y = make([]float64, x.N*cv.Out*oh*ow)
	dw = make([]float64, len(w))
	dx = make([]float64, len(x.Data))
	for n := range x.N {
		for o := range cv.Out {
			for oy := range oh {
				for ox := range ow {
					at := ((n*cv.Out+o)*oh+oy)*ow + ox
					for c := range cv.In {
						for i := range k {
							for j := range k {
								iy, ix := oy*s-cv.Pad+i, ox*s-cv.Pad+j
								if iy < 0 || iy >= x.H || ix < 0 || ix >= x.W {
									continue
								}
								xi := ((n*cv.In+c)*x.H+iy)*x.W + ix
								wi := ((o*cv.In+c)*k+i)*k + j
								y[at] += float64(w[wi]) * float64(x.Data[xi])
								dw[wi] += float64(dy[at]) * float64(x.Data[xi])
								dx[xi] += float64(dy[at]) * float64(w[wi])
							}
						}
					}
				}
			}
		}
	}
	return y, dw, dx
}

// TestConvMatchesReference cross-checks the grid paths (convgrid.go for
// same convolutions, convphase.go for strided and unpadded ones) against
// convRef: outputs, weight gradients and input gradients, for several
// kernel sizes, strides and paddings, batch sizes that leave the workers
// uneven shares and short last groups, and a smaller batch after a larger
// one (the grids are re-zeroed for the new geometry).
func TestConvMatchesReference(t *testing.T) {
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
		// a stride wider than the input: phase columns (w = 1) and phase
		// rows (h = 1, whose padded row 2 is input row 1, past the image)
		// that hold no input value
		{2, 3, 3, 1, 1, 3, 0, 1 << 16}, {2, 3, 1, 8, 3, 3, 1, 1 << 16}, {3, 2, 2, 2, 3, 4, 1, 1 << 16},
	} {
		// Under -race, the cases that split a batch into several grid
		// groups over the workers; one group per batch is numerics only.
		if racebuild.Enabled && s.target == 1<<16 {
			continue
		}
		for _, batches := range [][]int{{5}, {8, 3}, {1}} {
			name := fmt.Sprintf("in=%d/out=%d/h=%d/w=%d/k=%d/s=%d/pad=%d/target=%d/n=%v", s.in, s.out, s.h, s.w, s.k, s.stride, s.pad, s.target, batches)
			t.Run(name, func(t *testing.T) {
				gridTarget = s.target
				cv := Conv{In: s.in, Out: s.out, Kernel: s.k, Stride: s.stride, Pad: s.pad}
				l := NewConv2d(cv, NewInit(3))
				for _, n := range batches {
					x := NewTensor(n, s.in, s.h, s.w)
					fill(r, x.Data)
					y := l.Forward(x)
					dy := NewTensor(n, s.out, y.H, y.W)
					fill(r, dy.Data)
					wantY, wantDw, wantDx := convRef(cv, x, l.Weight.Data, dy.Data)
					if e := relErr(f64(y.Data), wantY); !(e <= 1e-5) {
						t.Fatalf("n=%d: output relative error %g", n, e)
					}
					clear(l.Weight.Grad)
					// NaN in the reused input-gradient buffer: every entry
					// must be written, the ones no window reaches with 0.
					for i := range l.core.dx.buf {
						l.core.dx.buf[i] = float32(math.NaN())
					}
					dx := l.Backward(dy)
					if e := relErr(f64(l.Weight.Grad), wantDw); !(e <= 1e-5) {
						t.Fatalf("n=%d: weight gradient relative error %g", n, e)
					}
					if e := relErr(f64(dx.Data), wantDx); !(e <= 1e-5) {
						t.Fatalf("n=%d: input gradient relative error %g", n, e)
					}
				}
				if want := s.stride != 1 || 2*s.pad+1 != s.k; l.core.phased != want {
					t.Fatalf("phase grid used: %v, want %v", l.core.phased, want)
				}
			})
		}
	}
}

// TestConvGroupsPerPart covers a batch large enough that each of the
// reduceParts parts runs several grid groups: the first group of a part
// overwrites its partial weight gradient (beta 0) and every later group
// must add to it. TestConvMatchesReference's batches give each part at most
// one image, so a part that overwrote its gradient at every group (keeping
// only its last group's share) passed there.
func TestConvGroupsPerPart(t *testing.T) {
	defer func(v int) { gridTarget = v }(gridTarget)
	gridTarget = 1 // one image per group
	r := rand.New(rand.NewPCG(61, 62))
	for _, cv := range []Conv{
		{In: 3, Out: 4, Kernel: 3, Stride: 1, Pad: 1}, // the grid (convgrid.go)
		{In: 3, Out: 4, Kernel: 3, Stride: 2, Pad: 1}, // the phase grid (convphase.go)
	} {
		t.Run(fmt.Sprintf("stride=%d", cv.Stride), func(t *testing.T) {
			const n = 3*reduceParts + 1 // parts of 4 images, the last of 1
			l := NewConv2d(cv, NewInit(5))
			x := NewTensor(n, cv.In, 6, 5)
			fill(r, x.Data)
			y := l.Forward(x)
			dy := NewTensor(n, cv.Out, y.H, y.W)
			fill(r, dy.Data)
			_, wantDw, wantDx := convRef(cv, x, l.Weight.Data, dy.Data)
			clear(l.Weight.Grad)
			dx := l.Backward(dy)
			g := l.core.grid.g
			if l.core.phased {
				g = l.core.phase.g
			}
			if per := (n + reduceParts - 1) / reduceParts; g >= per {
				t.Fatalf("groups of %d images for parts of %d: the test needs several groups per part", g, per)
			}
			if e := relErr(f64(l.Weight.Grad), wantDw); !(e <= 1e-5) {
				t.Fatalf("weight gradient relative error %g", e)
			}
			if e := relErr(f64(dx.Data), wantDx); !(e <= 1e-5) {
				t.Fatalf("input gradient relative error %g", e)
			}
		})
	}
}

// TestConvInputWidthChanges runs one layer on inputs of the same height and
// batch but different widths. The grid geometry depends on the width (the
// row stride and the window offsets), so it must be rebuilt; a cache keyed
// on the group size and height alone reused the old offsets and passed the
// tests that change only the batch.
func TestConvInputWidthChanges(t *testing.T) {
	r := rand.New(rand.NewPCG(63, 64))
	for _, cv := range []Conv{
		{In: 2, Out: 3, Kernel: 3, Stride: 1, Pad: 1}, // the grid
		{In: 2, Out: 3, Kernel: 3, Stride: 2, Pad: 1}, // the phase grid
	} {
		t.Run(fmt.Sprintf("stride=%d", cv.Stride), func(t *testing.T) {
			l := NewConv2d(cv, NewInit(7))
			for _, w := range []int{7, 10, 5} {
				x := NewTensor(4, cv.In, 6, w)
				fill(r, x.Data)
				y := l.Forward(x)
				dy := NewTensor(4, cv.Out, y.H, y.W)
				fill(r, dy.Data)
				wantY, wantDw, wantDx := convRef(cv, x, l.Weight.Data, dy.Data)
				if e := relErr(f64(y.Data), wantY); !(e <= 1e-5) {
					t.Fatalf("width %d: output relative error %g", w, e)
				}
				clear(l.Weight.Grad)
				dx := l.Backward(dy)
				if e := relErr(f64(l.Weight.Grad), wantDw); !(e <= 1e-5) {
					t.Fatalf("width %d: weight gradient relative error %g", w, e)
				}
				if e := relErr(f64(dx.Data), wantDx); !(e <= 1e-5) {
					t.Fatalf("width %d: input gradient relative error %g", w, e)
				}
			}
		})
	}
}

// TestConvEmptyBatch: a batch of no images (NewTensor's empty tensor)
// gives an empty output and input gradient and adds nothing to the weight
// gradient. Sizing the image groups divided by the number of groups per
// part, 0 for an empty batch, and panicked with a runtime error.
func TestConvEmptyBatch(t *testing.T) {
	for _, spec := range []string{"", "ste", "fda+na"} {
		for _, cv := range []Conv{{In: 3, Out: 4, Kernel: 3, Pad: 1}, {In: 3, Out: 4, Kernel: 3, Stride: 2, Pad: 1}} {
			t.Run(fmt.Sprintf("%s/stride=%d", spec, cv.Stride), func(t *testing.T) {
				var l Layer
				var w *Param
				if spec == "" {
					c := NewConv2d(cv, NewInit(1))
					l, w = c, c.Weight
				} else {
					c, err := NewBinaryConv2d(cv, Binary{Estimator: estimators.MustParse(spec)}, NewInit(1))
					if err != nil {
						t.Fatal(err)
					}
					l, w = c, c.Weight
				}
				for i := range w.Grad {
					w.Grad[i] = float32(i)
				}
				want := slices.Clone(w.Grad)
				y := l.Forward(NewTensor(0, 3, 6, 6))
				oh, ow := cv.OutSize(6, 6)
				if y.Shape() != [4]int{0, 4, oh, ow} || len(y.Data) != 0 {
					t.Fatalf("Forward gave %v with %d values, want 0x4x%dx%d", y, len(y.Data), oh, ow)
				}
				dx := l.Backward(NewTensor(0, 4, oh, ow))
				if dx.Shape() != [4]int{0, 3, 6, 6} || len(dx.Data) != 0 {
					t.Fatalf("Backward gave %v with %d values, want 0x3x6x6", dx, len(dx.Data))
				}
				if !slices.Equal(w.Grad, want) {
					t.Fatalf("Backward changed the weight gradient")
				}
			})
		}
	}
}
