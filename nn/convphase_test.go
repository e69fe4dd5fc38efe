package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/internal/impl/impltest"
)

// TestPhaseRows runs the checks of the phase grids' row kernels and of the
// fill and its reverse built on them under every implementation this
// build and CPU can run.
func TestPhaseRows(t *testing.T) {
	impltest.Each(t, implSelector, func(t *testing.T) {
		t.Run("Kernels", testSplitMergeRows)
		t.Run("Grid", testPhaseGridMoves)
	})
}

// testSplitMergeRows checks splitRows, splitSignRows (against code) and
// mergeRows bit for bit on rows of every width up to 40, with zeros of
// both signs, infinities and tiny values, row strides wider than the
// rows, and NaN guards between the destination rows and after the last.
func testSplitMergeRows(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), 1e-45, -1e-45}
	value := func() float32 {
		if r.IntN(4) == 0 {
			return special[r.IntN(len(special))]
		}
		return float32(r.NormFloat64())
	}
	nan := float32(math.NaN())
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }
	for w := range 41 {
		for _, rows := range []int{1, 3} {
			ls, ld := w+5, (w+1)/2+3 // full rows, half rows
			full := make([]float32, rows*ls)
			for i := range full {
				full[i] = value()
			}
			even, odd := make([]float32, rows*ld+4), make([]float32, rows*ld+4)
			for _, k := range []struct {
				name string
				f    func(even, odd []float32, ld int, src []float32, ls int, rows, w int)
				want func(float32) float32
			}{{"splitRows", splitRows, func(v float32) float32 { return v }}, {"splitSignRows", splitSignRows, code}} {
				for i := range even {
					even[i], odd[i] = nan, nan
				}
				k.f(even, odd, ld, full, ls, rows, w)
				for y := range rows {
					for i := range ld {
						for half, d := range [][]float32{even, odd} {
							got, x := d[y*ld+i], 2*i+half
							if x >= w {
								if !math.IsNaN(float64(got)) {
									t.Fatalf("%s w=%d rows=%d: wrote half %d [%d][%d] outside the row", k.name, w, rows, half, y, i)
								}
								continue
							}
							if v := full[y*ls+x]; !same(got, k.want(v)) {
								t.Fatalf("%s w=%d rows=%d: half %d [%d][%d] = %v for %v, want %v", k.name, w, rows, half, y, i, got, v, k.want(v))
							}
						}
					}
				}
				for i := rows * ld; i < len(even); i++ {
					if !math.IsNaN(float64(even[i])) || !math.IsNaN(float64(odd[i])) {
						t.Fatalf("%s w=%d rows=%d: wrote past the end", k.name, w, rows)
					}
				}
			}
			for i := range even {
				even[i], odd[i] = value(), value()
			}
			dst := make([]float32, rows*ls+4)
			for i := range dst {
				dst[i] = nan
			}
			mergeRows(dst, ls, even, odd, ld, rows, w)
			for y := range rows {
				for x := range ls {
					got := dst[y*ls+x]
					if x >= w {
						if !math.IsNaN(float64(got)) {
							t.Fatalf("mergeRows w=%d rows=%d: wrote [%d][%d] outside the row", w, rows, y, x)
						}
						continue
					}
					want := even[y*ld+x/2]
					if x%2 == 1 {
						want = odd[y*ld+x/2]
					}
					if !same(got, want) {
						t.Fatalf("mergeRows w=%d rows=%d: [%d][%d] = %v, want %v", w, rows, y, x, got, want)
					}
				}
			}
			for _, v := range dst[rows*ls:] {
				if !math.IsNaN(float64(v)) {
					t.Fatalf("mergeRows w=%d rows=%d: wrote past the end", w, rows)
				}
			}
		}
	}
}

// testPhaseGridMoves checks phaseGrid.scatter (values and codes) and
// interleave bit for bit against their definitions, P_ab[y'][x'] =
// Xp[s·y' + a][s·x' + b] on every phase plane position and 0 outside the
// images, and dx[y][x] = the phase value at (y + p, x + p) if a window
// reaches it, else 0, for the strided and unpadded geometries of
// TestConvMatchesReference and the 28×28 and 14×14 stride-2 ones of
// ResNet-20, full and short groups.
func testPhaseGridMoves(t *testing.T) {
	r := rand.New(rand.NewPCG(63, 64))
	for _, s := range []struct{ h, w, k, stride, pad int }{
		{28, 28, 3, 2, 1}, {14, 14, 3, 2, 1}, {9, 8, 3, 2, 1}, {11, 13, 5, 3, 2}, {10, 10, 3, 1, 0},
		{8, 9, 4, 2, 1}, {12, 12, 11, 4, 2}, {7, 7, 1, 2, 0}, {5, 6, 2, 1, 0}, {10, 10, 3, 2, 0},
		{10, 11, 3, 3, 0}, {21, 21, 3, 2, 1}, {20, 33, 3, 2, 1}, {29, 29, 2, 2, 0}, {17, 19, 3, 2, 2},
	} {
		const c = 2
		oh, ow := (s.h+2*s.pad-s.k)/s.stride+1, (s.w+2*s.pad-s.k)/s.stride+1
		for _, g := range []int{3, 2} {
			t.Run(fmt.Sprintf("h=%d/w=%d/k=%d/s=%d/pad=%d/g=%d", s.h, s.w, s.k, s.stride, s.pad, g), func(t *testing.T) {
				pg := newPhaseGrid(s.h, s.w, oh, ow, s.k, s.stride, s.pad, 3)
				x := make([]float32, g*c*s.h*s.w)
				fill(r, x)
				x[0], x[1] = 0, float32(math.Copysign(0, -1))
				// want returns the value of plane (ci, a, b) at position i,
				// and whether it is an input value, from its definition.
				want := func(xs []float32, ci, a, b, i int) (float32, bool) {
					n, q := i/(pg.rows*pg.r), i%(pg.rows*pg.r)
					yr, xr := q/pg.r, q%pg.r
					y, xx := pg.s*yr+a-pg.p, pg.s*xr+b-pg.p
					if n >= g || y < 0 || y >= s.h || xx < 0 || xx >= s.w {
						return 0, false
					}
					return xs[((n*c+ci)*s.h+y)*s.w+xx], true
				}
				for _, codes := range []bool{false, true} {
					dst := make([]float32, pg.planes(c)*pg.size)
					for i := range dst {
						dst[i] = float32(math.NaN())
					}
					// Padding positions are zeroed once (planes), and so
					// is the tail of the planes past a full group; that of
					// a short group scatter clears.
					for ci := range c {
						for ab := range pg.s * pg.s {
							for i := range pg.size {
								if _, in := want(x, ci, ab/pg.s, ab%pg.s, i); !in && (g == pg.g || i < g*pg.rows*pg.r) {
									dst[(ci*pg.s*pg.s+ab)*pg.size+i] = 0
								}
							}
						}
					}
					pg.scatter(dst, x, c, g, codes)
					for ci := range c {
						for ab := range pg.s * pg.s {
							for i := range pg.size {
								v, in := want(x, ci, ab/pg.s, ab%pg.s, i)
								if in && codes {
									v = code(v)
								}
								if got := dst[(ci*pg.s*pg.s+ab)*pg.size+i]; math.Float32bits(got) != math.Float32bits(v) {
									t.Fatalf("scatter codes=%v: plane (%d, %d, %d) [%d] = %v, want %v", codes, ci, ab/pg.s, ab%pg.s, i, got, v)
								}
							}
						}
					}
				}
				src := make([]float32, pg.planes(c)*pg.size)
				fill(r, src)
				dx := make([]float32, len(x))
				for i := range dx {
					dx[i] = float32(math.NaN())
				}
				pg.interleave(dx, src, c, g)
				for n := range g {
					for ci := range c {
						for y := range s.h {
							for xx := range s.w {
								yp, xp := y+pg.p, xx+pg.p
								a, b, yr, xr := yp%pg.s, xp%pg.s, yp/pg.s, xp/pg.s
								var v float32
								if yr < pg.rows && xr < pg.r {
									v = src[(ci*pg.s*pg.s+a*pg.s+b)*pg.size+(n*pg.rows+yr)*pg.r+xr]
								}
								if got := dx[((n*c+ci)*s.h+y)*s.w+xx]; math.Float32bits(got) != math.Float32bits(v) {
									t.Fatalf("interleave: image %d channel %d [%d][%d] = %v, want %v", n, ci, y, xx, got, v)
								}
							}
						}
					}
				}
			})
		}
	}
}
